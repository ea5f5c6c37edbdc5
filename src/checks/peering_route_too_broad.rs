//! `peering-route-too-broad` (CIS 5.5, "least access"): a route to a VPC peering
//! connection whose destination reaches beyond the CIDRs of the VPC on the other side.
//! Peering is not transitive, so the surplus is never delivered there; it only widens
//! what the table hands to the peer link (and shadows routes that would be more
//! specific elsewhere). Prefix-list destinations are judged by their entries.

use ipnet::IpNet;

use crate::inventory::{
    PeeringSide, RegionInventory, Route, RouteDestination, RouteState, RouteTable, RouteTarget,
    VpcPeeringConnection,
};
use crate::reach::route::describe_route;
use crate::reach::sets::IpSet;
use crate::reach::RegionModel;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::cidrs::addrs_text;
use super::Check;

pub struct PeeringRouteTooBroad;

impl Check for PeeringRouteTooBroad {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            for table in &ri.route_tables {
                for r in &table.routes {
                    let RouteTarget::VpcPeeringConnection(pcx) = &r.target else {
                        continue;
                    };
                    // A blackhole carries nothing (its peering is gone).
                    if r.state == RouteState::Blackhole {
                        continue;
                    }
                    if let Some(d) = judge(rm, ri, account, table, r, pcx) {
                        out.push(d);
                    }
                }
            }
        }
        out
    }

    /// Every route table: those with a live route to a peering connection are
    /// judged; for the others the question does not arise.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        const SHOWN: usize = 4;
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if ctx.model.region(account, &ri.region).is_none() {
                continue;
            }
            for table in &ri.route_tables {
                let resource =
                    resources::route_table(account, &ri.region, &table.id, Some(&table.tags));
                let (mut live, mut blackholes) = (Vec::new(), 0);
                for r in &table.routes {
                    let RouteTarget::VpcPeeringConnection(pcx) = &r.target else {
                        continue;
                    };
                    if r.state == RouteState::Blackhole {
                        blackholes += 1;
                    } else {
                        live.push(format!("{} via {pcx}", destination_key(&r.destination)));
                    }
                }
                if live.is_empty() {
                    let why = if blackholes > 0 {
                        "its only peering routes are blackholes: they carry nothing"
                    } else {
                        "no route targets a VPC peering connection"
                    };
                    out.push(Scoped::not_applicable(account, &ri.region, resource, why));
                    continue;
                }
                let more = live.len().saturating_sub(SHOWN);
                live.truncate(SHOWN);
                if more > 0 {
                    live.push(format!("{more} more"));
                }
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resource,
                    format!(
                        "its peering routes stay within the peer VPC's CIDRs: {}",
                        live.join(", ")
                    ),
                ));
            }
        }
        Some(out)
    }
}

fn judge(
    rm: &RegionModel,
    ri: &RegionInventory,
    account: &str,
    table: &RouteTable,
    r: &Route,
    pcx: &str,
) -> Option<Draft> {
    let region = ri.region.as_str();
    let resource = resources::route_table(account, region, &table.id, Some(&table.tags));
    let related = resources::peering(account, region, pcx, None);
    let unknown = |why: String| {
        Some(
            Draft::unknown(
                account,
                region,
                resource.clone(),
                format!("{}: {}: {why}", table.id, describe_route(r)),
            )
            .related([related.clone()])
            .identity(destination_key(&r.destination)),
        )
    };
    let peer = match peer_side(ri, pcx, &table.vpc_id) {
        Ok(side) => side,
        Err(why) => return unknown(why),
    };
    let peer_nets = peer_cidrs(peer);
    if peer_nets.is_empty() {
        return unknown(format!("the CIDRs of the VPC behind {pcx} are not known"));
    }
    let dest = match &r.destination {
        RouteDestination::Ipv4(n) => IpSet::from_net(IpNet::V4(*n)),
        RouteDestination::Ipv6(n) => IpSet::from_net(IpNet::V6(*n)),
        RouteDestination::PrefixList(id) => match rm.prefix_list(id) {
            Ok(set) => set.clone(),
            Err(why) => return unknown(why),
        },
    };
    let surplus = dest.difference(&peer_nets);
    if surplus.is_empty() {
        return None;
    }
    let peer_vpc = peer.vpc_id.as_deref().unwrap_or("the peer VPC");
    Some(
        Draft::fail(
            account,
            region,
            resource,
            format!(
                "{} sends {} to {pcx}, wider than {peer_vpc} ({}): {} lies outside it",
                table.id,
                destination_key(&r.destination),
                addrs_text(&peer_nets),
                addrs_text(&surplus)
            ),
        )
        .related([related])
        .identity(destination_key(&r.destination))
        .evidence(format!("{} (route table)", table.id), describe_route(r))
        .evidence(
            format!("{pcx} (peering)"),
            format!("{peer_vpc} holds {}", addrs_text(&peer_nets)),
        ),
    )
}

/// The side of `pcx` that is not `own_vpc`, or why it cannot be told.
fn peer_side<'a>(
    ri: &'a RegionInventory,
    pcx: &str,
    own_vpc: &str,
) -> Result<&'a PeeringSide, String> {
    let p: &VpcPeeringConnection = ri
        .vpc_peering_connections
        .iter()
        .find(|p| p.id == pcx)
        .ok_or_else(|| format!("peering connection {pcx} is not in the inventory"))?;
    if p.requester.vpc_id.as_deref() == Some(own_vpc) {
        Ok(&p.accepter)
    } else if p.accepter.vpc_id.as_deref() == Some(own_vpc) {
        Ok(&p.requester)
    } else {
        Err(format!("neither side of {pcx} is {own_vpc}"))
    }
}

fn peer_cidrs(side: &PeeringSide) -> IpSet {
    let v4 = side.ipv4_cidrs.iter().map(|&n| IpNet::V4(n));
    let v6 = side.ipv6_cidrs.iter().map(|&n| IpNet::V6(n));
    IpSet::from_nets(v4.chain(v6))
}

fn destination_key(d: &RouteDestination) -> String {
    crate::reach::route::describe_destination(d)
}
