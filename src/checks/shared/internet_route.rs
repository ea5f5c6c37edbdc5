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
    // A path through a transit gateway or an appliance that stops short (e.g. in
    // an account not scanned) is as undecided as one that never started.
    let stops_undecided = match &path {
        EgressPath::None => true,
        p @ (EgressPath::TransitGateway { .. } | EgressPath::Appliance { .. }) => !leaves(p),
        _ => false,
    };
    let unknown = match e.verdict {
        crate::reach::Verdict::Unknown { reason } if stops_undecided => Some(reason),
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

/// Whether the path reaches an internet gateway (directly, or through NAT, a
/// firewall, an appliance or a transit gateway into another VPC).
pub fn leaves(path: &EgressPath) -> bool {
    match path {
        EgressPath::Direct(_) | EgressPath::EgressOnly(_) => true,
        EgressPath::GatewayEndpoint { .. } | EgressPath::None => false,
        other => other.next().is_some_and(leaves),
    }
}

/// The hops of a path, in order.
fn hops(path: &EgressPath) -> impl Iterator<Item = &EgressPath> {
    std::iter::successors(Some(path), |p| p.next())
}

/// The firewalls on a path, in order.
pub fn firewalls(path: &EgressPath) -> Vec<&str> {
    hops(path)
        .filter_map(|p| match p {
            EgressPath::Firewall { firewall, .. } => Some(firewall.as_str()),
            _ => None,
        })
        .collect()
}

/// The Network Firewall endpoints on a path, in order (a firewall's name is unique
/// in its account and region only; its endpoint ids are unique).
pub fn firewall_endpoints(path: &EgressPath) -> Vec<&str> {
    hops(path)
        .filter_map(|p| match p {
            EgressPath::Firewall { endpoint, .. } => Some(endpoint.as_str()),
            _ => None,
        })
        .collect()
}

/// The Gateway Load Balancer endpoints (third-party appliances) on a path.
pub fn appliances(path: &EgressPath) -> Vec<&str> {
    hops(path)
        .filter_map(|p| match p {
            EgressPath::Appliance { endpoint, .. } => Some(endpoint.as_str()),
            _ => None,
        })
        .collect()
}

/// The NAT gateways on a path, in order.
pub fn nats(path: &EgressPath) -> Vec<&str> {
    hops(path)
        .filter_map(|p| match p {
            EgressPath::Nat { nat, .. } => Some(nat.as_str()),
            _ => None,
        })
        .collect()
}

/// The transit gateway hops of a path, in order: (transit gateway, route table,
/// attachment it enters the next VPC by, that VPC, its account, appliance mode).
pub struct TgwHop<'p> {
    pub tgw: &'p str,
    pub attachment: &'p str,
    pub route_table: &'p str,
    pub next_attachment: &'p str,
    pub vpc: &'p str,
    pub account: Option<&'p str>,
    pub appliance_mode: bool,
    /// Whether the flow is inspected (firewall or appliance) in that VPC.
    pub inspected_there: bool,
}

pub fn transit_hops(path: &EgressPath) -> Vec<TgwHop<'_>> {
    hops(path)
        .filter_map(|p| match p {
            EgressPath::TransitGateway {
                tgw,
                attachment,
                route_table,
                next_attachment,
                vpc,
                account,
                appliance_mode,
                then,
            } => Some(TgwHop {
                tgw,
                attachment,
                route_table,
                next_attachment,
                vpc,
                account: account.as_deref(),
                appliance_mode: *appliance_mode,
                inspected_there: hops(then)
                    .take_while(|p| !matches!(p, EgressPath::TransitGateway { .. }))
                    .any(|p| {
                        matches!(
                            p,
                            EgressPath::Firewall { .. } | EgressPath::Appliance { .. }
                        )
                    }),
            }),
            _ => None,
        })
        .collect()
}

/// The firewall owning endpoint `endpoint`, in whichever account and region holds
/// it, with that region's inventory.
pub fn firewall_of<'a>(
    ctx: &Context<'_, 'a>,
    endpoint: &str,
) -> Option<(
    &'a crate::inventory::RegionInventory,
    &'a crate::inventory::Firewall,
)> {
    ctx.inventory.regions().find_map(|(_, ri)| {
        ri.firewalls
            .iter()
            .find(|f| {
                f.endpoints
                    .iter()
                    .any(|e| e.endpoint_id.as_deref() == Some(endpoint))
            })
            .map(|f| (ri, f))
    })
}

/// `subnet -> vpce-1 (firewall fw) -> nat-1 -> igw-1`.
pub fn describe(path: &EgressPath) -> String {
    match path {
        EgressPath::Appliance {
            endpoint,
            service,
            then,
        } => format!("{endpoint} (appliance {service}) -> {}", describe(then)),
        EgressPath::TransitGateway {
            tgw,
            route_table,
            next_attachment,
            vpc,
            account,
            then,
            ..
        } => {
            let account = account
                .as_deref()
                .map(|a| format!(", account {a}"))
                .unwrap_or_default();
            format!(
                "{tgw} ({route_table}) -> {next_attachment} ({vpc}{account}) -> {}",
                describe(then)
            )
        }
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
