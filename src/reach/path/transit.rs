//! Transit gateway route tables, shared by the private and egress walks: which
//! route a table uses for an address, and whether an attachment carries traffic
//! from a subnet's AZ.

use std::net::IpAddr;

use crate::inventory::{
    ManagedPrefixList, RouteDestination, TransitGatewayAttachment, TransitGatewayRoute,
    TransitGatewayRouteTable,
};

use super::super::explain::Code;
use super::super::model::RegionModel;
use super::super::verdict::Evaluation;
use super::{blocked_at, unknown_at};

/// Where a TGW route table sends one address.
pub(crate) enum TgwLookup<'r> {
    /// The route that decides, whatever its state.
    Route(&'r TransitGatewayRoute),
    NoRoute,
    /// A prefix list it names was not collected.
    Unknown(String),
}

/// The longest match for `dst` in `rt`; at equal length a static route beats a
/// propagated one (AWS "Route evaluation order").
pub(crate) fn tgw_lookup<'r, 'p>(
    rt: &'r TransitGatewayRouteTable,
    dst: IpAddr,
    prefix_list: impl Fn(&str) -> Option<&'p ManagedPrefixList>,
) -> TgwLookup<'r> {
    let mut best: Option<(u8, &TransitGatewayRoute)> = None;
    for r in &rt.routes {
        let len = match (&r.destination, dst) {
            (RouteDestination::Ipv4(n), IpAddr::V4(a)) if n.contains(&a) => n.prefix_len(),
            (RouteDestination::Ipv6(n), IpAddr::V6(a)) if n.contains(&a) => n.prefix_len(),
            (RouteDestination::PrefixList(id), _) => match prefix_list(id) {
                Some(pl) => match pl
                    .entries
                    .iter()
                    .filter(|e| e.cidr.contains(&dst))
                    .map(|e| e.cidr.prefix_len())
                    .max()
                {
                    Some(len) => len,
                    None => continue,
                },
                None => {
                    return TgwLookup::Unknown(format!(
                        "{}: prefix list {id} was not collected",
                        rt.id
                    ))
                }
            },
            _ => continue,
        };
        let static_route = r.route_type.as_deref() == Some("static");
        let better = match best {
            None => true,
            Some((l, b)) => {
                len > l || (len == l && static_route && b.route_type.as_deref() != Some("static"))
            }
        };
        if better {
            best = Some((len, r));
        }
    }
    match best {
        Some((_, r)) => TgwLookup::Route(r),
        None => TgwLookup::NoRoute,
    }
}

/// A VPC attachment carries traffic only once available, and only from the AZs it
/// has a subnet in: resources in other AZs cannot reach the transit gateway.
/// `None` when it carries traffic from `subnet_id` (in `rm`).
pub(crate) fn attachment_state_and_az(
    rm: &RegionModel,
    subnet_id: &str,
    att: &TransitGatewayAttachment,
    component: &str,
) -> Option<Evaluation> {
    match att.state.as_deref() {
        Some("available") | Some("modifying") => {}
        Some(state) => {
            return Some(blocked_at(
                Code::BadStateAttachment,
                component,
                format!("attachment {} is {state}, not available", att.id),
            ))
        }
        None => {
            return Some(unknown_at(
                Code::DataNotCollected,
                component,
                format!("the state of attachment {} was not collected", att.id),
            ))
        }
    }
    let az_of = |subnet: &str| rm.subnet(subnet).map(|s| s.availability_zone);
    let Some(here) = az_of(subnet_id) else {
        return Some(unknown_at(
            Code::DataNotCollected,
            component,
            format!("the AZ of {subnet_id} is not known"),
        ));
    };
    if att.subnet_ids.is_empty() {
        return Some(unknown_at(
            Code::DataNotCollected,
            component,
            format!("the subnets of attachment {} were not collected", att.id),
        ));
    }
    let azs: Vec<&str> = att.subnet_ids.iter().filter_map(|s| az_of(s)).collect();
    if azs.contains(&here) {
        return None;
    }
    if azs.len() < att.subnet_ids.len() {
        return Some(unknown_at(
            Code::DataNotCollected,
            component,
            format!(
                "some subnets of attachment {} are not in the inventory",
                att.id
            ),
        ));
    }
    Some(blocked_at(
        Code::TgwRouteAzRestriction,
        component,
        format!(
            "attachment {} has no subnet in {here}, where {subnet_id} is: traffic from that AZ cannot reach the transit gateway",
            att.id
        ),
    ))
}
