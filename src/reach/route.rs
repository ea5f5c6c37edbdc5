//! Route tables: which table governs a subnet or a gateway's edge, and where a table
//! sends a destination (longest prefix match, as AWS does).
//!
//! [`RegionModel`] indexes neither route tables nor the individual entries of prefix
//! lists (it keeps their union), so these functions also take the region's
//! [`RegionInventory`]; the model still decides whether data is missing (coverage gaps,
//! prefix lists that could not be resolved).
//!
//! Route priority (AWS "How route priority works"): the longest prefix wins; at equal
//! length a static route beats a prefix-list route, which beats a propagated route; a
//! propagated route never beats the `local` route, even when more specific. The length
//! of a prefix-list route is the length of its longest entry containing the address.
//! Two routes still tied but going different ways (AWS picks one at random, e.g. two
//! prefix lists with overlapping entries) make the answer unknown.

use std::net::IpAddr;

use crate::inventory::{
    AssociationTarget, Operation, RegionInventory, Route, RouteDestination, RouteState, RouteTable,
    RouteTarget,
};

use super::explain::Code;
use super::model::RegionModel;
use super::verdict::{Evaluation, Step};

/// The `origin` AWS gives routes learnt from a virtual private gateway.
const PROPAGATED_ORIGIN: &str = "EnableVgwRoutePropagation";

/// Where a route table sends one destination.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteDecision<'a> {
    /// The route that decides, whatever its state (active, blackhole or unknown).
    Route {
        table: &'a RouteTable,
        route: &'a Route,
    },
    /// No route of the destination's family matches.
    NoRoute { table: &'a RouteTable },
    /// The decision depends on data that is missing or ambiguous.
    Unknown { reason: String },
}

/// How a matching route ranks: longer prefix first, then static > prefix list >
/// propagated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    prefix_len: u8,
    kind: u8,
}

const PROPAGATED: u8 = 0;
const PREFIX_LIST: u8 = 1;
const STATIC: u8 = 2;

/// The route `table` uses for `dst`, by longest prefix match over the routes of
/// `dst`'s family.
///
/// A prefix-list route whose list cannot be resolved could be the longest match, so it
/// makes the answer unknown unless the winner is the `local` route or a static host
/// route (/32, /128), which such a route could at best tie and then lose to.
pub fn lookup<'a>(
    region: &RegionModel<'_>,
    inventory: &RegionInventory,
    table: &'a RouteTable,
    dst: IpAddr,
) -> RouteDecision<'a> {
    let host_len: u8 = if dst.is_ipv4() { 32 } else { 128 };
    let mut candidates: Vec<(Rank, &'a Route)> = Vec::new();
    let mut unresolved: Vec<String> = Vec::new();
    for route in &table.routes {
        let matched = match &route.destination {
            RouteDestination::Ipv4(net) => match dst {
                IpAddr::V4(a) if net.contains(&a) => Some((net.prefix_len(), cidr_kind(route))),
                _ => None,
            },
            RouteDestination::Ipv6(net) => match dst {
                IpAddr::V6(a) if net.contains(&a) => Some((net.prefix_len(), cidr_kind(route))),
                _ => None,
            },
            RouteDestination::PrefixList(id) => match prefix_list_match(region, inventory, id, dst)
            {
                Ok(len) => len.map(|len| (len, PREFIX_LIST)),
                Err(reason) => {
                    unresolved.push(reason);
                    None
                }
            },
        };
        if let Some((prefix_len, kind)) = matched {
            candidates.push((Rank { prefix_len, kind }, route));
        }
    }
    // The local route is preferred over any propagated route that overlaps it.
    if candidates.iter().any(|(_, r)| is_local(r)) {
        candidates.retain(|(rank, _)| rank.kind != PROPAGATED);
    }
    let Some(best) = candidates.iter().map(|(rank, _)| *rank).max() else {
        return match unresolved.into_iter().next() {
            Some(reason) => RouteDecision::Unknown { reason },
            None => RouteDecision::NoRoute { table },
        };
    };
    let winners: Vec<&'a Route> = candidates
        .iter()
        .filter(|(rank, _)| *rank == best)
        .map(|(_, r)| *r)
        .collect();
    let route = winners[0];
    let certain = is_local(route) || (best.kind == STATIC && best.prefix_len == host_len);
    if !certain {
        if let Some(reason) = unresolved.into_iter().next() {
            return RouteDecision::Unknown { reason };
        }
    }
    if let Some(other) = winners
        .iter()
        .find(|r| r.target != route.target || r.state != route.state)
    {
        return RouteDecision::Unknown {
            reason: format!(
                "{}: {} and {} match {dst} equally; AWS picks one of them",
                table.id,
                describe_route(route),
                describe_route(other)
            ),
        };
    }
    RouteDecision::Route { table, route }
}

/// Whether `table` sends `dst` out along a route: allowed for an active route,
/// blocked for a blackhole or no route, unknown otherwise. What the target then does
/// with the packet is for the caller to decide.
pub fn evaluate(
    region: &RegionModel<'_>,
    inventory: &RegionInventory,
    table: &RouteTable,
    dst: IpAddr,
) -> Evaluation {
    match lookup(region, inventory, table, dst) {
        RouteDecision::Route { table, route } => {
            let dest = describe_destination(&route.destination);
            match route.state {
                RouteState::Active => {
                    Evaluation::allowed(vec![Step::new(table.id.as_str(), describe_route(route))])
                }
                RouteState::Blackhole => Evaluation::blocked(vec![Step::coded(
                    Code::RouteBlackhole,
                    table.id.as_str(),
                    format!("{dest} is a blackhole"),
                )]),
                RouteState::Unknown => {
                    let decision = format!("{} is in an unknown state", describe_route(route));
                    let reason = format!("{}: {decision}", table.id);
                    Evaluation::unknown(
                        reason,
                        vec![Step::coded(
                            Code::RouteStateUnknown,
                            table.id.as_str(),
                            decision,
                        )],
                    )
                }
            }
        }
        RouteDecision::NoRoute { table } => Evaluation::blocked(vec![Step::coded(
            Code::NoRouteToDestination,
            table.id.as_str(),
            format!("has no route to {dst}"),
        )]),
        RouteDecision::Unknown { reason } => Evaluation::unknown(
            reason.clone(),
            vec![Step::coded(
                Code::RouteUndecided,
                table.id.as_str(),
                format!("route to {dst} unknown: {reason}"),
            )],
        ),
    }
}

/// The table a subnet uses: its explicit association, else its VPC's main table.
pub fn table_for_subnet<'a>(
    region: &RegionModel<'a>,
    subnet_id: &str,
) -> Result<&'a RouteTable, String> {
    if let Some(reason) = region.gap(&[Operation::DescribeRouteTables]) {
        return Err(reason);
    }
    let subnet = region
        .subnet(subnet_id)
        .ok_or_else(|| format!("{subnet_id} is not in the inventory"))?;
    let id = subnet
        .route_table_id
        .ok_or_else(|| format!("no route table was collected for {subnet_id}"))?;
    region
        .route_table(id)
        .ok_or_else(|| format!("route table {id} of {subnet_id} is not in the inventory"))
}

/// The edge table associated with an internet or virtual private gateway: `Ok(None)`
/// when there is none (inbound traffic goes straight to the local route), `Err` when
/// the route tables could not be collected.
pub fn edge_table_for_gateway<'a>(
    region: &RegionModel<'_>,
    inventory: &'a RegionInventory,
    gateway_id: &str,
) -> Result<Option<&'a RouteTable>, String> {
    if let Some(reason) = region.gap(&[Operation::DescribeRouteTables]) {
        return Err(reason);
    }
    Ok(inventory.route_tables.iter().find(|t| {
        t.associations
            .iter()
            .any(|a| matches!(&a.target, AssociationTarget::Gateway(g) if g == gateway_id))
    }))
}

/// `10.0.0.0/16 -> local`, `pl-1 -> vpce-1`.
pub fn describe_route(route: &Route) -> String {
    format!(
        "{} -> {}",
        describe_destination(&route.destination),
        describe_target(&route.target)
    )
}

pub fn describe_destination(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Ipv4(n) => n.to_string(),
        RouteDestination::Ipv6(n) => n.to_string(),
        RouteDestination::PrefixList(id) => id.clone(),
    }
}

pub fn describe_target(t: &RouteTarget) -> &str {
    t.id().unwrap_or("local")
}

fn is_local(route: &Route) -> bool {
    route.target == RouteTarget::Local
}

fn cidr_kind(route: &Route) -> u8 {
    if route.origin.as_deref() == Some(PROPAGATED_ORIGIN) {
        PROPAGATED
    } else {
        STATIC
    }
}

/// The length of the longest entry of list `id` containing `dst` (`None` if none
/// does), or why the list's entries are not known.
fn prefix_list_match(
    region: &RegionModel<'_>,
    inventory: &RegionInventory,
    id: &str,
    dst: IpAddr,
) -> Result<Option<u8>, String> {
    // The model knows whether the entries were collected; the inventory keeps them one
    // by one, which the longest match needs.
    region.prefix_list(id)?;
    let list = inventory
        .prefix_list(id)
        .ok_or_else(|| format!("prefix list {id} was not collected"))?;
    Ok(list
        .entries
        .iter()
        .filter(|e| e.cidr.contains(&dst))
        .map(|e| e.cidr.prefix_len())
        .max())
}
