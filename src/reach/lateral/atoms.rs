//! Address atoms: the ranges between the cut points of a set of CIDRs. Two addresses
//! in one atom match exactly the same CIDRs of that set.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::inventory::{Inventory, RouteDestination, RulePeer};

pub(super) struct Atoms {
    v4: Vec<u32>,
    v6: Vec<u128>,
}

impl Atoms {
    /// Every CIDR the engine reads for a private connection: group rule peers,
    /// prefix-list entries, NACL entries, route destinations, VPC, subnet and peering
    /// blocks.
    pub fn all(inv: &Inventory) -> Atoms {
        let mut nets = Vec::new();
        for (_, ri) in inv.regions() {
            for g in &ri.security_groups {
                for r in &g.rules {
                    match &r.peer {
                        RulePeer::Ipv4 { cidr } => nets.push((*cidr).into()),
                        RulePeer::Ipv6 { cidr } => nets.push((*cidr).into()),
                        _ => {}
                    }
                }
            }
            for acl in &ri.network_acls {
                nets.extend(acl.entries.iter().map(|e| e.cidr));
            }
            for s in &ri.subnets {
                nets.extend(s.ipv4_cidr.map(IpNet::from));
                nets.extend(s.ipv6_cidrs.iter().map(|&n| IpNet::from(n)));
            }
        }
        Atoms::routing_nets(inv, &mut nets);
        Atoms::from_nets(nets)
    }

    /// Only what routing reads: route destinations (prefix lists expanded), VPC and
    /// peering blocks. Coarser than [`Atoms::all`], so route answers can be shared by
    /// every subnet of a VPC.
    pub fn routing(inv: &Inventory) -> Atoms {
        let mut nets = Vec::new();
        Atoms::routing_nets(inv, &mut nets);
        Atoms::from_nets(nets)
    }

    fn routing_nets(inv: &Inventory, nets: &mut Vec<IpNet>) {
        let dest = |d: &RouteDestination| match d {
            RouteDestination::Ipv4(n) => Some(IpNet::from(*n)),
            RouteDestination::Ipv6(n) => Some(IpNet::from(*n)),
            RouteDestination::PrefixList(_) => None,
        };
        for (_, ri) in inv.regions() {
            for pl in &ri.managed_prefix_lists {
                nets.extend(pl.entries.iter().map(|e| e.cidr));
            }
            for t in &ri.route_tables {
                nets.extend(t.routes.iter().filter_map(|r| dest(&r.destination)));
            }
            for t in &ri.transit_gateway_route_tables {
                nets.extend(t.routes.iter().filter_map(|r| dest(&r.destination)));
            }
            for v in &ri.vpcs {
                nets.extend(v.ipv4_cidrs.iter().map(|&n| IpNet::from(n)));
                nets.extend(v.ipv6_cidrs.iter().map(|&n| IpNet::from(n)));
            }
            for p in &ri.vpc_peering_connections {
                for side in [&p.requester, &p.accepter] {
                    nets.extend(side.ipv4_cidrs.iter().map(|&n| IpNet::from(n)));
                    nets.extend(side.ipv6_cidrs.iter().map(|&n| IpNet::from(n)));
                }
            }
        }
    }

    fn from_nets(nets: Vec<IpNet>) -> Atoms {
        let (mut v4, mut v6) = (vec![0u32], vec![0u128]);
        for n in nets {
            match n {
                IpNet::V4(n) => {
                    v4.push(u32::from(n.network()));
                    v4.extend(u32::from(n.broadcast()).checked_add(1));
                }
                IpNet::V6(n) => {
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
    pub fn of(&self, addr: IpAddr) -> usize {
        match addr {
            IpAddr::V4(a) => self.v4.partition_point(|&c| c <= u32::from(a)),
            IpAddr::V6(a) => self.v6.partition_point(|&c| c <= u128::from(a)),
        }
    }
}
