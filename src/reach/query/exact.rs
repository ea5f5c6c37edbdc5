//! The exact services allowed end to end, as sets: between two ENIs (private
//! addresses), from the internet to an ENI, and from an ENI to the internet.
//!
//! Between two ENIs the answer is the intersection of the source's egress groups at
//! the destination's address, the destination's ingress groups at the source's
//! address, both NACLs (the request each way it is checked, and the replies on the
//! client's ephemeral ports: all or nothing per protocol, since every reply port must
//! pass), and routing, which no service changes. The NACL and routing part depends
//! only on the two locations (subnet and address atoms), so it is memoised per pair
//! of locations.

use std::net::IpAddr;

use crate::inventory::{L4Match, Protocol};

use super::super::nacl::reply_services;
use super::super::path::private::routing;
use super::super::path::{End, DEFAULT_EPHEMERAL};
use super::super::sets::{public_internet, FlowSet, IpSet, ServicePoint, ServiceSet};
use super::super::verdict::Verdict;
use super::Index;

/// Services proven allowed, services possibly allowed (undecided), and why.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exact {
    pub proven: ServiceSet,
    pub maybe: ServiceSet,
    pub reason: Option<String>,
    /// How far some asked service got: 0 nowhere, 1 past the source's groups, 2 past
    /// both groups, 3 past the NACLs (blocked by routing). Ranks blocked pairs.
    pub stage: u8,
}

impl Exact {
    fn unknown(maybe: ServiceSet, reason: String, stage: u8) -> Exact {
        Exact {
            proven: ServiceSet::empty(),
            maybe,
            reason: Some(reason),
            stage,
        }
    }

    pub fn verdict(&self) -> crate::answer::reach::Verdict {
        use crate::answer::reach::Verdict as V;
        if !self.proven.is_empty() {
            V::Allowed
        } else if !self.maybe.is_empty() {
            V::Unknown
        } else {
            V::Blocked
        }
    }
}

/// The NACL and routing part between two locations.
#[derive(Debug, Clone)]
pub(crate) struct NetPart {
    /// Services whose request and replies both NACLs pass.
    acl_pass: ServiceSet,
    /// Services whose replies are not modelled (ICMP other than echo).
    acl_maybe: ServiceSet,
    acl_err: Option<String>,
    /// `None` allowed, `Some(None)` blocked, `Some(Some(reason))` unknown.
    route: Option<Option<String>>,
}

fn whole(p: Protocol) -> ServiceSet {
    ServiceSet::from_rule(p, L4Match::Any)
}

fn echo(v6: bool) -> ServiceSet {
    let (p, t) = if v6 {
        (Protocol::Icmpv6, 128)
    } else {
        (Protocol::Icmp, 8)
    };
    ServiceSet::from_rule(
        p,
        L4Match::Icmp {
            icmp_type: Some(t),
            icmp_code: None,
        },
    )
}

/// Of the request services, those whose replies `allowed_back` passes (TCP, UDP and
/// SCTP: every ephemeral port; echo requests: the echo reply; other protocols: the
/// same protocol), and those whose replies are not modelled (other ICMP).
pub(crate) fn reply_filter(allowed_back: &ServiceSet) -> (ServiceSet, ServiceSet) {
    let mut pass = ServiceSet::empty();
    let ported = [
        (Protocol::Tcp, ServicePoint::Tcp(0)),
        (Protocol::Udp, ServicePoint::Udp(0)),
        (Protocol::Other(132), ServicePoint::Sctp(0)),
    ];
    for (proto, point) in ported {
        if reply_services(point, DEFAULT_EPHEMERAL).is_ok_and(|r| r.is_subset(allowed_back)) {
            pass = pass.union(&whole(proto));
        }
    }
    let mut maybe = ServiceSet::empty();
    for (v6, proto, point) in [
        (
            false,
            Protocol::Icmp,
            ServicePoint::Icmp {
                icmp_type: 8,
                code: 0,
            },
        ),
        (
            true,
            Protocol::Icmpv6,
            ServicePoint::Icmpv6 {
                icmp_type: 128,
                code: 0,
            },
        ),
    ] {
        if reply_services(point, DEFAULT_EPHEMERAL).is_ok_and(|r| r.is_subset(allowed_back)) {
            pass = pass.union(&echo(v6));
        }
        maybe = maybe.union(&whole(proto).difference(&echo(v6)));
    }
    let typed = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Other(132),
        Protocol::Icmp,
        Protocol::Icmpv6,
    ]
    .into_iter()
    .fold(ServiceSet::empty(), |s, p| s.union(&whole(p)));
    let others = ServiceSet::all().difference(&typed);
    pass = pass.union(&others.intersection(allowed_back));
    (pass, maybe)
}

/// The IPv4 pair when both ends have IPv4, else the IPv6 pair.
pub(crate) fn addresses(a: &End, b: &End) -> Option<(IpAddr, IpAddr)> {
    [false, true]
        .into_iter()
        .find_map(|v6| Some((a.private_ip(v6)?, b.private_ip(v6)?)))
}

/// A public internet address of the family of `v6`, for questions about "the
/// internet" as a whole that need one address to evaluate.
pub(crate) fn some_public(v6: bool) -> Option<IpAddr> {
    public_internet()
        .to_cidrs()
        .into_iter()
        .find(|n| n.addr().is_ipv6() == v6)
        .map(|n| n.addr())
}

/// The first address of a set.
pub(crate) fn first_addr(s: &IpSet) -> Option<IpAddr> {
    s.to_cidrs().first().map(|n| n.network())
}

impl<'m, 'a> Index<'m, 'a> {
    pub(crate) fn end(&self, i: usize) -> Option<End<'m, 'a>> {
        End::locate(self.model, self.inv, &self.enis[i].eni.id).ok()
    }

    /// As `End::private_ip` on both ends: the primary addresses of the first common
    /// family.
    fn pair_addresses(&self, a: usize, b: usize) -> Option<(IpAddr, IpAddr)> {
        let first = |e: &crate::inventory::NetworkInterface, v6: bool| -> Option<IpAddr> {
            if v6 {
                e.ipv6s.first().map(|&x| x.into())
            } else {
                e.private_ipv4s.first().map(|&x| x.into())
            }
        };
        let (ea, eb) = (self.enis[a].eni, self.enis[b].eni);
        [false, true]
            .into_iter()
            .find_map(|v6| Some((first(ea, v6)?, first(eb, v6)?)))
    }

    /// Whether the NACLs and routes between the locations of `a` and `b` may pass
    /// anything at all (undecided counts as may).
    pub(crate) fn net_open(&self, a: usize, b: usize) -> bool {
        let Some((src, dst)) = self.pair_addresses(a, b) else {
            return false;
        };
        let locs = (
            self.classes[self.enis[a].class].loc,
            self.classes[self.enis[b].class].loc,
        );
        let open = |net: &NetPart| {
            net.acl_err.is_some()
                || (net.route != Some(None)
                    && !(net.acl_pass.is_empty() && net.acl_maybe.is_empty()))
        };
        // Read in place: sweeps ask this for every pair of locations they meet.
        if let Ok(memo) = self.net.lock() {
            if let Some(n) = memo.get(&locs) {
                return open(n);
            }
        }
        open(&self.net_part(a, b, locs, src, dst))
    }

    /// The services both NACLs between `a` and `b` pass, request and replies.
    pub(crate) fn acl_pass(&self, a: usize, b: usize) -> Option<ServiceSet> {
        let (src, dst) = self.pair_addresses(a, b)?;
        let locs = (
            self.classes[self.enis[a].class].loc,
            self.classes[self.enis[b].class].loc,
        );
        let net = self.net_part(a, b, locs, src, dst);
        net.acl_err.is_none().then_some(net.acl_pass)
    }

    /// The exact services from ENI `a` to ENI `b` within `asked`.
    pub(crate) fn exact(&self, a: usize, b: usize, asked: &ServiceSet) -> Exact {
        let (ra, rb) = (&self.enis[a], &self.enis[b]);
        let Some((src, dst)) = self.pair_addresses(a, b) else {
            return Exact::default();
        };
        let (ca, cb) = (&self.classes[ra.class], &self.classes[rb.class]);
        if ca.out_peers.as_ref().is_some_and(|p| !p.contains(dst)) {
            return Exact::default();
        }
        if cb.inn_peers.as_ref().is_some_and(|p| !p.contains(src)) {
            return Exact {
                stage: 1,
                ..Exact::default()
            };
        }
        let out = match &ca.out {
            Ok(f) => f.services_for(dst).intersection(asked),
            Err(r) => return Exact::unknown(asked.clone(), r.clone(), 0),
        };
        if out.is_empty() {
            return Exact::default();
        }
        let both = match &cb.inn {
            Ok(f) => f.services_for(src).intersection(&out),
            Err(r) => return Exact::unknown(out, r.clone(), 1),
        };
        if both.is_empty() {
            return Exact {
                stage: 1,
                ..Exact::default()
            };
        }
        let net = self.net_part(a, b, (ca.loc, cb.loc), src, dst);
        if let Some(r) = &net.acl_err {
            return Exact::unknown(both, r.clone(), 2);
        }
        let pass = both.intersection(&net.acl_pass);
        let maybe = both.intersection(&net.acl_maybe);
        let stage = if pass.is_empty() && maybe.is_empty() {
            2
        } else {
            3
        };
        match &net.route {
            None => Exact {
                proven: pass,
                maybe,
                reason: None,
                stage,
            },
            Some(None) => Exact {
                stage,
                ..Exact::default()
            },
            Some(Some(r)) => Exact::unknown(pass.union(&maybe), r.clone(), stage),
        }
    }

    fn net_part(
        &self,
        a: usize,
        b: usize,
        locs: (usize, usize),
        src: IpAddr,
        dst: IpAddr,
    ) -> NetPart {
        if let Ok(memo) = self.net.lock() {
            if let Some(n) = memo.get(&locs) {
                return n.clone();
            }
        }
        let n = match (self.end(a), self.end(b)) {
            (Some(ea), Some(eb)) => self.net_part_fresh(&ea, &eb, src, dst),
            _ => NetPart {
                acl_pass: ServiceSet::empty(),
                acl_maybe: ServiceSet::empty(),
                acl_err: Some("an end is not in the inventory".into()),
                route: None,
            },
        };
        if let Ok(mut memo) = self.net.lock() {
            memo.insert(locs, n.clone());
        }
        n
    }

    fn net_part_fresh(
        &self,
        ea: &End<'m, 'a>,
        eb: &End<'m, 'a>,
        src: IpAddr,
        dst: IpAddr,
    ) -> NetPart {
        let same_region = std::ptr::eq(ea.rm, eb.rm);
        let same_subnet = same_region && ea.eni.subnet_id == eb.eni.subnet_id;
        let route = {
            let e = routing(ea, eb, src, dst, same_region);
            match e.verdict {
                Verdict::Allowed => None,
                Verdict::Blocked => Some(None),
                Verdict::Unknown { reason } => Some(Some(reason)),
            }
        };
        let mut part = NetPart {
            acl_pass: ServiceSet::all(),
            acl_maybe: ServiceSet::empty(),
            acl_err: None,
            route,
        };
        if same_subnet {
            return part;
        }
        let flows = |end: &End| -> Result<std::sync::Arc<(FlowSet, FlowSet)>, String> {
            let acl = end.acl()?;
            self.acls
                .get(acl.id.as_str())
                .cloned()
                .ok_or_else(|| format!("{} was not indexed", acl.id))
        };
        let (fa, fb) = match (flows(ea), flows(eb)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) | (_, Err(r)) => {
                part.acl_err = Some(r);
                return part;
            }
        };
        // (ingress, egress) of each.
        let request = fa.1.services_for(dst).intersection(&fb.0.services_for(src));
        let back = fb.1.services_for(src).intersection(&fa.0.services_for(dst));
        let (pass, maybe) = reply_filter(&back);
        part.acl_pass = request.intersection(&pass);
        part.acl_maybe = request.intersection(&maybe);
        part
    }

    /// The exact services the internet (or `client`) opens to ENI `b` within `asked`.
    pub(crate) fn internet_in(
        &self,
        b: usize,
        client: Option<IpAddr>,
        asked: &ServiceSet,
    ) -> (Exact, Option<FlowSet>) {
        let id = self.enis[b].eni.id.as_str();
        let exposure = match self.exposure.lock() {
            Ok(mut cache) => cache.get(id),
            Err(_) => {
                let x = Exact::unknown(asked.clone(), "exposure cache poisoned".into(), 0);
                return (x, None);
            }
        };
        let x = match exposure.as_ref() {
            Ok(x) => x,
            Err(r) => return (Exact::unknown(asked.clone(), r.clone(), 0), None),
        };
        let proven = match client {
            Some(c) => x.flows.services_for(c),
            None => x.flows.services(),
        }
        .intersection(asked);
        let mut maybe = ServiceSet::empty();
        let mut reason = None;
        for u in &x.unknown {
            match u {
                super::super::exposure::Uncertainty::IcmpReplies(s) => {
                    maybe = maybe.union(&s.intersection(asked))
                }
                super::super::exposure::Uncertainty::Other(..) => {
                    maybe = asked.difference(&proven);
                }
            }
            reason.get_or_insert_with(|| u.to_string());
        }
        let maybe = maybe.difference(&proven);
        let exact = Exact {
            stage: if proven.is_empty() { 0 } else { 3 },
            proven,
            reason: if maybe.is_empty() { None } else { reason },
            maybe,
        };
        (exact, Some(x.flows.clone()))
    }

    /// The candidates from ENI `a` to the internet (or `dst`): what its groups and its
    /// subnet's NACL let out, with a destination address for each service piece.
    pub(crate) fn to_internet_candidates(
        &self,
        a: usize,
        dst: Option<IpAddr>,
        asked: &ServiceSet,
    ) -> Result<FlowSet, String> {
        let class = &self.classes[self.enis[a].class];
        let sg = class.out.clone()?;
        let end = self
            .end(a)
            .ok_or_else(|| format!("{} is not in the inventory", self.enis[a].eni.id))?;
        let acl = end.acl()?;
        let acl_out = self
            .acls
            .get(acl.id.as_str())
            .map(|f| f.1.clone())
            .ok_or_else(|| format!("{} was not indexed", acl.id))?;
        let scope = match dst {
            Some(d) => IpSet::from_addr(d),
            None => public_internet().clone(),
        };
        Ok(sg
            .intersection(&acl_out)
            .intersection(&FlowSet::from_box(scope, asked.clone())))
    }
}
