//! Private reachability between every pair of ENI classes: which services an ENI of
//! one class can open to an ENI of another, as a set, computed once per pair of
//! classes rather than per pair of ENIs.
//!
//! Classes here refine [`ClassKey`] by the ENI's own primary addresses, because a
//! private connection depends on them: the peer's group rules, NACL entries and
//! route destinations match them by CIDR. Every CIDR of the inventory (rule peers,
//! prefix-list entries, NACL entries, route destinations, VPC, subnet and peering
//! blocks) cuts the address space into *atoms*: two addresses in one atom match
//! exactly the same CIDRs. So two ENIs with the same [`ClassKey`] and primary
//! addresses in the same atoms are indistinguishable to every rule the engine reads
//! for a connection between them and anyone (group references resolve to group
//! membership, which the key fixes), and one representative answers for all.
//!
//! The answer for a pair is the intersection of: what the source's groups let out to
//! the destination; what the destination's groups let in from the source; what both
//! NACLs let through with replies on the client's ephemeral ports (unless both sit in
//! one subnet); and whether the routes carry the request and the reply (same VPC,
//! peering, transit gateway), which depends on addresses only, not on the service.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::inventory::{
    Direction, Inventory, L4Match, NetworkAcl, PortRange, Protocol, RouteDestination,
};

use super::classes::ClassKey;
use super::model::Model;
use super::nacl;
use super::path::private::routing;
use super::path::{End, DEFAULT_EPHEMERAL};
use super::security_group;
use super::sets::{FlowSet, ServicePoint, ServiceSet};

/// What makes two ENIs indistinguishable as either end of a private connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LateralKey {
    pub class: ClassKey,
    /// Atom of the primary private IPv4 / IPv6 address.
    pub v4_atom: Option<usize>,
    pub v6_atom: Option<usize>,
}

/// ENIs sharing a [`LateralKey`], sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateralClass {
    pub key: LateralKey,
    pub enis: Vec<String>,
}

/// Services one class can open to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateralEdge {
    /// Indexes into [`Lateral::classes`].
    pub from: usize,
    pub to: usize,
    /// Proven: every ENI of `from` can open these to every ENI of `to`.
    pub services: ServiceSet,
    /// Services that may also be open, with why they are not proven.
    pub unknown: Option<(ServiceSet, String)>,
}

/// Every class and every pair with something open (or possibly open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lateral {
    pub classes: Vec<LateralClass>,
    pub edges: Vec<LateralEdge>,
    /// Classes whose groups or NACL could not be evaluated at all, with why: no edge
    /// from or to them is proven either way.
    pub unknown_classes: Vec<(usize, String)>,
}

/// The address atoms of an inventory: the sorted cut points of every CIDR it holds.
struct Atoms {
    v4: Vec<u32>,
    v6: Vec<u128>,
}

impl Atoms {
    fn build(inv: &Inventory) -> Atoms {
        let mut nets: Vec<ipnet::IpNet> = Vec::new();
        for (_, ri) in inv.regions() {
            for g in &ri.security_groups {
                for r in &g.rules {
                    match &r.peer {
                        crate::inventory::RulePeer::Ipv4 { cidr } => nets.push((*cidr).into()),
                        crate::inventory::RulePeer::Ipv6 { cidr } => nets.push((*cidr).into()),
                        _ => {}
                    }
                }
            }
            for pl in &ri.managed_prefix_lists {
                nets.extend(pl.entries.iter().map(|e| e.cidr));
            }
            for acl in &ri.network_acls {
                nets.extend(acl.entries.iter().map(|e| e.cidr));
            }
            let dest = |d: &RouteDestination| match d {
                RouteDestination::Ipv4(n) => Some(ipnet::IpNet::from(*n)),
                RouteDestination::Ipv6(n) => Some(ipnet::IpNet::from(*n)),
                RouteDestination::PrefixList(_) => None,
            };
            for t in &ri.route_tables {
                nets.extend(t.routes.iter().filter_map(|r| dest(&r.destination)));
            }
            for t in &ri.transit_gateway_route_tables {
                nets.extend(t.routes.iter().filter_map(|r| dest(&r.destination)));
            }
            for v in &ri.vpcs {
                nets.extend(v.ipv4_cidrs.iter().map(|&n| ipnet::IpNet::from(n)));
                nets.extend(v.ipv6_cidrs.iter().map(|&n| ipnet::IpNet::from(n)));
            }
            for s in &ri.subnets {
                nets.extend(s.ipv4_cidr.map(ipnet::IpNet::from));
                nets.extend(s.ipv6_cidrs.iter().map(|&n| ipnet::IpNet::from(n)));
            }
            for p in &ri.vpc_peering_connections {
                for side in [&p.requester, &p.accepter] {
                    nets.extend(side.ipv4_cidrs.iter().map(|&n| ipnet::IpNet::from(n)));
                    nets.extend(side.ipv6_cidrs.iter().map(|&n| ipnet::IpNet::from(n)));
                }
            }
        }
        let (mut v4, mut v6) = (vec![0u32], vec![0u128]);
        for n in nets {
            match n {
                ipnet::IpNet::V4(n) => {
                    v4.push(u32::from(n.network()));
                    v4.extend(u32::from(n.broadcast()).checked_add(1));
                }
                ipnet::IpNet::V6(n) => {
                    v6.push(u128::from(n.network()));
                    v6.extend(u128::from(n.broadcast()).checked_add(1));
                }
            }
        }
        v4.sort_unstable();
        v4.dedup();
        v6.sort_unstable();
        v6.dedup();
        Atoms { v4, v6 }
    }

    /// The atom holding `addr`: the number of cut points at or below it.
    fn of(&self, addr: IpAddr) -> usize {
        match addr {
            IpAddr::V4(a) => self.v4.partition_point(|&c| c <= u32::from(a)),
            IpAddr::V6(a) => self.v6.partition_point(|&c| c <= u128::from(a)),
        }
    }
}

/// Every ENI of the inventory grouped into lateral classes, ordered by key.
pub fn lateral_classes(model: &Model, inv: &Inventory) -> Vec<LateralClass> {
    let atoms = Atoms::build(inv);
    let mut by_key: BTreeMap<LateralKey, Vec<String>> = BTreeMap::new();
    for class in super::classes::classes(model, inv) {
        for id in class.enis {
            let Ok((_, eni)) = model.locate_eni(&id) else {
                continue;
            };
            let key = LateralKey {
                class: class.key.clone(),
                v4_atom: eni.private_ipv4s.first().map(|&a| atoms.of(a.into())),
                v6_atom: eni.ipv6s.first().map(|&a| atoms.of(a.into())),
            };
            by_key.entry(key).or_default().push(id);
        }
    }
    by_key
        .into_iter()
        .map(|(key, mut enis)| {
            enis.sort();
            LateralClass { key, enis }
        })
        .collect()
}

/// What a class looks like to the pair computation, evaluated once.
struct Side<'m, 'a> {
    end: End<'m, 'a>,
    eni: String,
    sg_out: FlowSet,
    sg_in: FlowSet,
    acl: &'a NetworkAcl,
}

/// Private reachability between every pair of classes, limited to `interest`
/// (e.g. [`ServiceSet::all`], or the data and admin ports).
pub fn lateral(model: &Model, inv: &Inventory, interest: &ServiceSet) -> Lateral {
    lateral_with(model, inv, interest, DEFAULT_EPHEMERAL)
}

/// [`lateral`] with the clients' ephemeral port range.
pub fn lateral_with(
    model: &Model,
    inv: &Inventory,
    interest: &ServiceSet,
    ephemeral: PortRange,
) -> Lateral {
    let classes = lateral_classes(model, inv);
    let mut unknown_classes = Vec::new();
    let mut sides: Vec<Option<Side>> = Vec::with_capacity(classes.len());
    for (i, c) in classes.iter().enumerate() {
        match side(model, inv, &c.enis[0]) {
            Ok(s) => sides.push(Some(s)),
            Err(reason) => {
                unknown_classes.push((i, reason));
                sides.push(None);
            }
        }
    }
    // What each ACL allows, per direction, computed once.
    let mut acl_flows: HashMap<&str, (FlowSet, FlowSet)> = HashMap::new();
    for s in sides.iter().flatten() {
        acl_flows.entry(s.acl.id.as_str()).or_insert_with(|| {
            (
                nacl::allowed_flows(s.acl, Direction::Ingress),
                nacl::allowed_flows(s.acl, Direction::Egress),
            )
        });
    }
    let sources_in: Vec<Option<super::sets::IpSet>> = sides
        .iter()
        .map(|s| s.as_ref().map(|s| s.sg_in.addresses()))
        .collect();

    let mut edges = Vec::new();
    for (a, side_a) in sides.iter().enumerate() {
        let Some(sa) = side_a else { continue };
        for (b, side_b) in sides.iter().enumerate() {
            let Some(sb) = side_b else { continue };
            // Within a class, the connection is between two of its members.
            let dst_eni = if a == b {
                match classes[a].enis.get(1) {
                    Some(second) => second.as_str(),
                    None => continue,
                }
            } else {
                sb.eni.as_str()
            };
            let dst_end = if a == b {
                match End::locate(model, inv, dst_eni) {
                    Ok(e) => e,
                    Err(_) => continue,
                }
            } else {
                sb.end
            };
            let Some((src_ip, dst_ip)) = [false, true]
                .into_iter()
                .find_map(|v6| Some((sa.end.private_ip(v6)?, dst_end.private_ip(v6)?)))
            else {
                continue;
            };
            // Cheap pruning: nothing of the source's address is let in.
            if !sources_in[b].as_ref().is_some_and(|s| s.contains(src_ip)) {
                continue;
            }
            let mut services = sa
                .sg_out
                .services_for(dst_ip)
                .intersection(&sb.sg_in.services_for(src_ip))
                .intersection(interest);
            if services.is_empty() {
                continue;
            }
            let same_region = std::ptr::eq(sa.end.rm, dst_end.rm);
            let same_subnet = same_region && sa.end.eni.subnet_id == dst_end.eni.subnet_id;
            let mut unmodelled = ServiceSet::empty();
            if !same_subnet {
                let (a_in, a_out) = &acl_flows[sa.acl.id.as_str()];
                let (b_in, b_out) = &acl_flows[sb.acl.id.as_str()];
                let (ok, unm) = nacl_pair(
                    &a_out.services_for(dst_ip),
                    &b_in.services_for(src_ip),
                    &b_out.services_for(src_ip),
                    &a_in.services_for(dst_ip),
                    ephemeral,
                );
                unmodelled = services.intersection(&unm);
                services = services.intersection(&ok);
            }
            if services.is_empty() && unmodelled.is_empty() {
                continue;
            }
            let route = routing(&sa.end, &dst_end, src_ip, dst_ip, same_region);
            let (services, unknown) = if route.is_allowed() {
                let unknown = (!unmodelled.is_empty()).then(|| {
                    (
                        unmodelled,
                        "replies to ICMP other than echo requests are not modelled".to_string(),
                    )
                });
                (services, unknown)
            } else if let crate::reach::Verdict::Unknown { reason } = route.verdict {
                (
                    ServiceSet::empty(),
                    Some((services.union(&unmodelled), reason)),
                )
            } else {
                continue;
            };
            if services.is_empty() && unknown.is_none() {
                continue;
            }
            edges.push(LateralEdge {
                from: a,
                to: b,
                services,
                unknown,
            });
        }
    }
    Lateral {
        classes,
        edges,
        unknown_classes,
    }
}

fn side<'m, 'a>(
    model: &'m Model<'a>,
    inv: &'a Inventory,
    eni: &str,
) -> Result<Side<'m, 'a>, String> {
    let end = End::locate(model, inv, eni)?;
    let acl = end.acl()?;
    Ok(Side {
        sg_out: security_group::allowed_flows(model, eni, Direction::Egress)?,
        sg_in: security_group::allowed_flows(model, eni, Direction::Ingress)?,
        acl,
        eni: eni.to_string(),
        end,
    })
}

/// The services whose request passes the source subnet's ACL outbound
/// (`src_out`) and the destination's inbound (`dst_in`), and whose replies pass the
/// destination's outbound (`dst_out`) and the source's inbound (`src_in`), all
/// already narrowed to the two addresses. Second: services whose replies are not
/// modelled (ICMP other than echo requests).
fn nacl_pair(
    src_out: &ServiceSet,
    dst_in: &ServiceSet,
    dst_out: &ServiceSet,
    src_in: &ServiceSet,
    ephemeral: PortRange,
) -> (ServiceSet, ServiceSet) {
    let request = src_out.intersection(dst_in);
    let back = dst_out.intersection(src_in);
    let any = |p: Protocol| ServiceSet::from_rule(p, L4Match::Any);
    let mut ok = ServiceSet::empty();
    for p in [Protocol::Tcp, Protocol::Udp, Protocol::Other(132)] {
        if ServiceSet::from_rule(p, L4Match::Ports(ephemeral)).is_subset(&back) {
            ok = ok.union(&any(p));
        }
    }
    let echo = |p, t| {
        ServiceSet::from_rule(
            p,
            L4Match::Icmp {
                icmp_type: Some(t),
                icmp_code: None,
            },
        )
    };
    let echo_reply = |p: ServicePoint| ServiceSet::from_point(p).is_subset(&back);
    if echo_reply(ServicePoint::Icmp {
        icmp_type: 0,
        code: 0,
    }) {
        ok = ok.union(&echo(Protocol::Icmp, 8));
    }
    if echo_reply(ServicePoint::Icmpv6 {
        icmp_type: 129,
        code: 0,
    }) {
        ok = ok.union(&echo(Protocol::Icmpv6, 128));
    }
    let ported = any(Protocol::Tcp)
        .union(&any(Protocol::Udp))
        .union(&any(Protocol::Other(132)));
    let icmps = any(Protocol::Icmp).union(&any(Protocol::Icmpv6));
    // Protocols without ports: the same protocol comes back.
    let portless = ServiceSet::all().difference(&ported).difference(&icmps);
    ok = ok.union(&portless.intersection(&back));
    let unmodelled = icmps
        .difference(&echo(Protocol::Icmp, 8))
        .difference(&echo(Protocol::Icmpv6, 128))
        .intersection(&request);
    (request.intersection(&ok), unmodelled)
}
