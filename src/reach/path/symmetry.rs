//! Inspection needs both directions through the same firewall endpoint: the request
//! goes out (or in) through one endpoint, and the table that routes the replies must
//! send them back through it. A firewall that sees one direction only may drop the
//! flow or let it pass uninspected, so an asymmetric path is unknown, never a pass.

use std::net::IpAddr;

use crate::inventory::{RegionInventory, RouteState, RouteTable, RouteTarget};

use super::super::explain::Code;
use super::super::model::RegionModel;
use super::super::route::{self, describe_route, RouteDecision};
use super::super::verdict::Evaluation;
use super::{allowed_at, blocked_at, unknown_at};

/// Whether traffic toward `addr`, as routed by `table` (a subnet's table, or an
/// internet gateway's edge table; `Ok(None)`: the gateway has none, so traffic goes
/// straight to the local route), passes the endpoint the other direction took
/// (`came_through`). `None` when neither direction passes an endpoint.
pub(crate) fn return_symmetry(
    rm: &RegionModel<'_>,
    ri: &RegionInventory,
    table: Result<Option<&RouteTable>, String>,
    addr: IpAddr,
    came_through: Option<&str>,
) -> Option<Evaluation> {
    let table = match table {
        Ok(t) => t,
        Err(reason) => {
            return came_through.map(|e| {
                unknown_at(
                    Code::DataNotCollected,
                    format!("{e} (firewall endpoint)"),
                    format!("cannot tell whether traffic to {addr} also passes {e}: {reason}"),
                )
            })
        }
    };
    let (back, how): (Option<&str>, String) = match table {
        None => (None, "the local route (no edge route table)".to_string()),
        Some(t) => match route::lookup(rm, ri, t, addr) {
            RouteDecision::Route { route, .. } => match (&route.state, &route.target) {
                (RouteState::Blackhole, _) => {
                    return Some(blocked_at(
                        Code::RouteBlackhole,
                        format!("{} (route table)", t.id),
                        format!(
                            "traffic to {addr} hits a blackhole: {}",
                            describe_route(route)
                        ),
                    ))
                }
                (RouteState::Active, RouteTarget::VpcEndpoint(e)) => (
                    Some(e.as_str()),
                    format!("{} in {}", describe_route(route), t.id),
                ),
                // Replies for another VPC go back through the transit gateway; whether
                // they are inspected there is the transit gateway's (appliance mode).
                (RouteState::Active, RouteTarget::Local | RouteTarget::TransitGateway(_)) => {
                    (None, format!("{} in {}", describe_route(route), t.id))
                }
                // An appliance (ENI, instance, other middlebox) on the way: what it
                // does with the traffic is not modelled.
                (RouteState::Active, _) => {
                    return Some(unknown_at(
                        Code::RouteTargetNotModelled,
                        format!("{} (route table)", t.id),
                        format!(
                            "traffic to {addr} goes through {}, a middlebox that is not modelled",
                            describe_route(route)
                        ),
                    ))
                }
                (RouteState::Unknown, _) => {
                    return Some(unknown_at(
                        Code::RouteStateUnknown,
                        format!("{} (route table)", t.id),
                        format!("{} is in an unknown state", describe_route(route)),
                    ))
                }
            },
            RouteDecision::NoRoute { table } => (None, format!("no route in {}", table.id)),
            RouteDecision::Unknown { reason } => {
                return Some(unknown_at(
                    Code::RouteUndecided,
                    format!("{} (route table)", t.id),
                    format!("route of the traffic to {addr} unknown: {reason}"),
                ))
            }
        },
    };
    match (came_through, back) {
        (None, None) => None,
        (Some(a), Some(b)) if a == b => Some(allowed_at(
            format!("{a} (firewall endpoint)"),
            format!("symmetric: traffic to {addr} also passes {a} ({how})"),
        )),
        (Some(a), _) => Some(unknown_at(
            Code::FirewallAsymmetricRouting,
            format!("{a} (firewall endpoint)"),
            format!(
                "asymmetric routing: one direction passes {a} but traffic to {addr} takes {how}; a firewall that sees one direction may drop the flow or miss it"
            ),
        )),
        (None, Some(b)) => Some(unknown_at(
            Code::FirewallAsymmetricRouting,
            format!("{b} (firewall endpoint)"),
            format!(
                "asymmetric routing: traffic to {addr} is sent through {b} ({how}) but the other direction bypasses it; a firewall that sees one direction may drop the flow or miss it"
            ),
        )),
    }
}
