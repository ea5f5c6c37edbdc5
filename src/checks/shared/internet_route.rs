//! Where a subnet's traffic to "the internet" goes, asked of the engine with one
//! probe address: straight out, through NAT or a firewall, or nowhere.

use std::net::IpAddr;

use crate::reach::model::FastMap;
use crate::reach::path::{egress_trace, EgressPath};
use crate::reach::sets::ServicePoint;

use crate::checks::context::Context;

/// Public addresses no route table singles out in practice (example.com's), standing
/// for "the internet" of each family.
pub const PROBE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(93, 184, 216, 34));
pub const PROBE_V6: IpAddr = IpAddr::V6(std::net::Ipv6Addr::new(
    0x2606, 0x2800, 0x220, 0x1, 0x248, 0x1893, 0x25c8, 0x1946,
));

/// The route path (not the verdict: groups may still block) from `eni` to the
/// internet on tcp/443.
pub fn path_from(ctx: &Context, eni: &str) -> EgressPath {
    trace(ctx, eni).0
}

/// The route path, and why it is unknown when no way out was established but the
/// engine could not decide (missing route tables, an unmodelled hop): callers must
/// then report "unknown", not "no route".
pub fn trace(ctx: &Context, eni: &str) -> (EgressPath, Option<String>) {
    trace_to(ctx, eni, PROBE)
}

/// [`trace`] toward `dst` (e.g. [`PROBE_V6`] for the IPv6 way out).
pub fn trace_to(ctx: &Context, eni: &str, dst: IpAddr) -> (EgressPath, Option<String>) {
    let (path, e) = egress_trace(
        ctx.model,
        ctx.inventory,
        eni,
        dst,
        ServicePoint::Tcp(443),
        None,
        ctx.ephemeral(),
    );
    let unknown = match (&path, e.verdict) {
        (EgressPath::None, crate::reach::Verdict::Unknown { reason }) => Some(reason),
        _ => None,
    };
    (path, unknown)
}

/// [`path_from`] for many ENIs, traced once per (region, subnet, whether the ENI has
/// an address of the probe's family).
///
/// The route path depends on nothing else of the ENI: the walk starts at its subnet's
/// route table and follows routes toward the fixed probe address, and the only other
/// thing it reads of the ENI is whether it has a source address of that family (none:
/// no path). The ENI's own address, groups and VPC only shape the *verdict*, which
/// this does not return (use [`trace`] for the reason a path is unknown: that depends
/// on the ENI's groups too).
pub struct Paths<'c, 'm, 'a> {
    ctx: &'c Context<'m, 'a>,
    dst: IpAddr,
    known: FastMap<(&'a str, &'a str, &'a str, bool), EgressPath>,
}

impl<'c, 'm, 'a> Paths<'c, 'm, 'a> {
    /// Paths toward [`PROBE`].
    pub fn new(ctx: &'c Context<'m, 'a>) -> Self {
        Paths::toward(ctx, PROBE)
    }

    /// Paths toward `dst`.
    pub fn toward(ctx: &'c Context<'m, 'a>, dst: IpAddr) -> Self {
        Paths {
            ctx,
            dst,
            known: FastMap::default(),
        }
    }

    /// The same as `trace_to(ctx, eni, dst).0`.
    pub fn from(&mut self, eni: &str) -> &EgressPath {
        // Located as the engine locates it (the first collection holding the id).
        let Ok((rm, found)) = self.ctx.model.locate_eni(eni) else {
            // Not found: the trace ends at once, with no path.
            return &EgressPath::None;
        };
        let family = if self.dst.is_ipv6() {
            !found.ipv6s.is_empty()
        } else {
            !found.private_ipv4s.is_empty()
        };
        let (ctx, dst) = (self.ctx, self.dst);
        self.known
            .entry((rm.account_id, rm.region, found.subnet_id.as_str(), family))
            .or_insert_with(|| trace_to(ctx, eni, dst).0)
    }
}

/// Whether the path reaches an internet gateway (directly, through NAT or a firewall).
pub fn leaves(path: &EgressPath) -> bool {
    match path {
        EgressPath::Direct(_) | EgressPath::EgressOnly(_) => true,
        EgressPath::Nat { then, .. } | EgressPath::Firewall { then, .. } => leaves(then),
        EgressPath::GatewayEndpoint { .. } | EgressPath::None => false,
    }
}

/// The firewalls on a path, in order.
pub fn firewalls(path: &EgressPath) -> Vec<&str> {
    match path {
        EgressPath::Firewall { firewall, then, .. } => {
            let mut v = vec![firewall.as_str()];
            v.extend(firewalls(then));
            v
        }
        EgressPath::Nat { then, .. } => firewalls(then),
        _ => Vec::new(),
    }
}

/// The NAT gateways on a path, in order.
pub fn nats(path: &EgressPath) -> Vec<&str> {
    match path {
        EgressPath::Nat { nat, then } => {
            let mut v = vec![nat.as_str()];
            v.extend(nats(then));
            v
        }
        EgressPath::Firewall { then, .. } => nats(then),
        _ => Vec::new(),
    }
}

/// `subnet -> vpce-1 (firewall fw) -> nat-1 -> igw-1`.
pub fn describe(path: &EgressPath) -> String {
    match path {
        EgressPath::Direct(igw) => igw.clone(),
        EgressPath::EgressOnly(eigw) => eigw.clone(),
        EgressPath::Nat { nat, then } => format!("{nat} -> {}", describe(then)),
        EgressPath::Firewall {
            endpoint,
            firewall,
            then,
        } => format!("{endpoint} (firewall {firewall}) -> {}", describe(then)),
        EgressPath::GatewayEndpoint { endpoint, service } => format!("{endpoint} ({service})"),
        EgressPath::None => "no way out".to_string(),
    }
}
