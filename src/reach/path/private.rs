//! ENI to ENI over private addresses: in one VPC, across a peering connection, or
//! through a transit gateway.

use std::net::IpAddr;

use crate::inventory::{
    Direction, Inventory, PortRange, Route, RouteTable, RouteTarget, TransitGatewayAttachment,
    VpcPeeringConnection,
};

use super::super::explain::Code;
use super::super::model::{FastMap, Model};
use super::super::nacl;
use super::super::route::{describe_route, describe_target};
use super::super::security_group;
use super::super::sets::ServicePoint;
use super::super::verdict::{Evaluation, Step};
use super::transit::{attachment_state_and_az, tgw_lookup, TgwLookup};
use super::DEFAULT_EPHEMERAL;
use super::{
    active_route, allowed_at, blocked_at, route_step, target_kind, unknown_at, with_steps, End,
};

/// A connection from `src_eni`'s primary private address to `dst_eni`'s, with the
/// client on the Linux default ephemeral ports.
pub fn eni_to_eni(
    model: &Model,
    inv: &Inventory,
    src_eni: &str,
    dst_eni: &str,
    service: ServicePoint,
) -> Evaluation {
    eni_to_eni_with(model, inv, src_eni, dst_eni, service, DEFAULT_EPHEMERAL)
}

/// [`eni_to_eni`] with the client's ephemeral port range.
pub fn eni_to_eni_with(
    model: &Model,
    inv: &Inventory,
    src_eni: &str,
    dst_eni: &str,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
    let src = match End::locate(model, inv, src_eni) {
        Ok(e) => e,
        Err(reason) => return unknown_at(Code::DataNotCollected, src_eni, reason),
    };
    let dst = match End::locate(model, inv, dst_eni) {
        Ok(e) => e,
        Err(reason) => return unknown_at(Code::DataNotCollected, dst_eni, reason),
    };
    // IPv4 when both ends have it, else IPv6 when both do.
    let addrs = [false, true]
        .into_iter()
        .find_map(|v6| Some((src.private_ip(v6)?, dst.private_ip(v6)?)));
    let Some((src_ip, dst_ip)) = addrs else {
        return blocked_at(
            Code::NoCommonAddressFamily,
            src_eni,
            format!("{src_eni} and {dst_eni} have no private address of a common family"),
        );
    };
    let mut steps_head = vec![Step::new(
        "connection",
        format!(
            "{src_eni} ({src_ip}) -> {dst_eni} ({dst_ip}) {}",
            super::super::verdict::describe_point(service)
        ),
    )];
    let sg_out = security_group::evaluate(model, src_eni, Direction::Egress, dst_ip, service);
    let sg_in = security_group::evaluate(model, dst_eni, Direction::Ingress, src_ip, service);
    let same_region = std::ptr::eq(src.rm, dst.rm);
    let same_subnet = same_region && src.eni.subnet_id == dst.eni.subnet_id;
    let acls = match (src.acl(), dst.acl()) {
        (Ok(a), Ok(b)) => nacl::connection(a, b, src_ip, dst_ip, service, ephemeral, same_subnet),
        (Err(reason), _) => unknown_at(
            Code::DataNotCollected,
            format!("network ACL of {}", src.eni.subnet_id),
            reason,
        ),
        (_, Err(reason)) => unknown_at(
            Code::DataNotCollected,
            format!("network ACL of {}", dst.eni.subnet_id),
            reason,
        ),
    };
    let routing = routing(&src, &dst, src_ip, dst_ip, same_region);
    let e = Evaluation::all_of(vec![sg_out, sg_in, acls, routing]);
    steps_head.extend(e.steps);
    Evaluation {
        verdict: e.verdict,
        steps: steps_head,
    }
}

/// The reply must come back over the same peering or transit gateway the request took.
fn return_route(
    table: &RouteTable,
    back: Option<&Route>,
    way_out: &RouteTarget,
    src_ip: IpAddr,
    failure: &str,
) -> Evaluation {
    let code = match way_out {
        RouteTarget::VpcPeeringConnection(_) => Code::PcxRequiresReturnRoute,
        _ => Code::TgwRequiresReturnRoute,
    };
    match back {
        Some(r) if &r.target == way_out => Evaluation::allowed(vec![route_step(table, r)]),
        Some(r) => blocked_at(
            code,
            format!("{} (route table)", table.id),
            format!(
                "{failure}: the reply to {src_ip} takes {}, not {}",
                describe_route(r),
                describe_target(way_out)
            ),
        ),
        None => blocked_at(
            code,
            format!("{} (route table)", table.id),
            format!(
                "{failure}: no active route back to {src_ip} over {}",
                describe_target(way_out)
            ),
        ),
    }
}

/// Whether the route tables (and peering or transit gateway) carry the request and
/// the reply between the two ends.
pub(crate) fn routing(
    src: &End,
    dst: &End,
    src_ip: IpAddr,
    dst_ip: IpAddr,
    same_region: bool,
) -> Evaluation {
    if same_region && src.eni.vpc_id == dst.eni.vpc_id {
        return Evaluation::all_of(vec![local_hop(src, dst_ip), local_hop(dst, src_ip)]);
    }
    let (src_table, dst_table) = match (src.table(), dst.table()) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) => {
            return unknown_at(
                Code::DataNotCollected,
                format!("route table of {}", src.eni.subnet_id),
                r,
            )
        }
        (_, Err(r)) => {
            return unknown_at(
                Code::DataNotCollected,
                format!("route table of {}", dst.eni.subnet_id),
                r,
            )
        }
    };
    let out = match active_route(src.rm, src.ri, src_table, dst_ip) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let steps = vec![route_step(src_table, out)];
    let back = match active_route(dst.rm, dst.ri, dst_table, src_ip) {
        Ok(r) => Some(r),
        Err(e) if e.is_blocked() => None,
        Err(e) => return with_steps(steps, e),
    };
    let rest = match &out.target {
        RouteTarget::VpcPeeringConnection(pcx) => {
            let hop = peering_hop(src, dst, pcx);
            let ret = return_route(
                dst_table,
                back,
                &out.target,
                src_ip,
                "peering without the return route",
            );
            Evaluation::all_of(vec![hop, ret])
        }
        RouteTarget::TransitGateway(tgw) => {
            let ret = return_route(dst_table, back, &out.target, src_ip, "no return route");
            Evaluation::all_of(vec![
                tgw_hop(src, dst, tgw, dst_ip),
                tgw_hop(dst, src, tgw, src_ip),
                ret,
            ])
        }
        RouteTarget::Local => blocked_at(
            Code::NoRouteToDestination,
            format!("{} (route table)", src_table.id),
            format!(
                "no route: {dst_ip} is local to {}, not {}",
                src.eni.vpc_id, dst.eni.vpc_id
            ),
        ),
        RouteTarget::InternetGateway(_)
        | RouteTarget::EgressOnlyInternetGateway(_)
        | RouteTarget::CarrierGateway(_) => blocked_at(
            Code::NoRouteToDestination,
            format!("{} (route table)", src_table.id),
            format!(
                "no route: a {} does not carry private traffic to {}",
                target_kind(&out.target),
                dst.eni.vpc_id
            ),
        ),
        other => unknown_at(
            Code::RouteTargetNotModelled,
            format!("{} (route table)", src_table.id),
            format!(
                "middlebox route: {} goes through a {}, which is not modelled",
                describe_route(out),
                target_kind(other)
            ),
        ),
    };
    with_steps(steps, rest)
}

/// A verdict without its explanation, for whole-account analyses that ask
/// [`routing`]'s question millions of times ([`routing_answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Allowed,
    Blocked,
    Unknown,
}

impl Answer {
    fn of(e: &Evaluation) -> Answer {
        if e.is_allowed() {
            Answer::Allowed
        } else if e.is_blocked() {
            Answer::Blocked
        } else {
            Answer::Unknown
        }
    }

    /// As [`Evaluation::all_of`]: a block decides, then any unknown.
    fn all(parts: &[Answer]) -> Answer {
        if parts.contains(&Answer::Blocked) {
            Answer::Blocked
        } else if parts.contains(&Answer::Unknown) {
            Answer::Unknown
        } else {
            Answer::Allowed
        }
    }
}

/// What [`routing_answer`] has worked out, keyed by exactly what each part reads.
#[derive(Default)]
pub(crate) struct RoutingMemo<'a> {
    /// (table, routing atom of the destination) -> the active route, or why none.
    routes: FastMap<(usize, usize), Result<&'a Route, Answer>>,
    /// (peering, source VPC, destination VPC).
    peerings: FastMap<(&'a str, &'a str, &'a str), Answer>,
    /// (source region, source VPC, source AZ, gateway, destination region,
    /// destination VPC, routing atom of the destination).
    #[allow(clippy::type_complexity)]
    tgw_hops: FastMap<
        (
            usize,
            &'a str,
            Option<&'a str>,
            &'a str,
            usize,
            &'a str,
            usize,
        ),
        Answer,
    >,
}

/// [`routing`]'s verdict without the explanation, from memoised parts. `atoms` are
/// the routing atoms of `src_ip` and `dst_ip`: addresses in one atom match the same
/// route destinations (VPC tables, TGW tables, prefix lists), so each part's answer
/// holds for the whole atom. Tests hold it to [`routing`] pair by pair.
pub(crate) fn routing_answer<'a>(
    src: &End<'_, 'a>,
    dst: &End<'_, 'a>,
    src_ip: IpAddr,
    dst_ip: IpAddr,
    same_region: bool,
    atoms: (usize, usize),
    memo: &mut RoutingMemo<'a>,
) -> Answer {
    let mut route = |end: &End<'_, 'a>, table: &'a RouteTable, ip: IpAddr, atom: usize| {
        *memo
            .routes
            .entry((table as *const RouteTable as usize, atom))
            .or_insert_with(|| active_route(end.rm, end.ri, table, ip).map_err(|e| Answer::of(&e)))
    };
    if same_region && src.eni.vpc_id == dst.eni.vpc_id {
        // As `local_hop`, each end on its own.
        let mut local = |end: &End<'_, 'a>, ip: IpAddr, atom: usize| match end.table() {
            Err(_) => Answer::Unknown,
            Ok(t) => match route(end, t, ip, atom) {
                Ok(r) if r.target == RouteTarget::Local => Answer::Allowed,
                Ok(_) => Answer::Unknown,
                Err(a) => a,
            },
        };
        let there = local(src, dst_ip, atoms.1);
        let back = local(dst, src_ip, atoms.0);
        return Answer::all(&[there, back]);
    }
    let (src_table, dst_table) = match (src.table(), dst.table()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Answer::Unknown,
    };
    let out = match route(src, src_table, dst_ip, atoms.1) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let back = match route(dst, dst_table, src_ip, atoms.0) {
        Ok(r) => Some(r),
        Err(Answer::Blocked) => None,
        Err(a) => return a,
    };
    let ret = match back {
        Some(r) if r.target == out.target => Answer::Allowed,
        _ => Answer::Blocked,
    };
    match &out.target {
        RouteTarget::VpcPeeringConnection(pcx) => {
            let hop = *memo
                .peerings
                .entry((
                    pcx.as_str(),
                    src.eni.vpc_id.as_str(),
                    dst.eni.vpc_id.as_str(),
                ))
                .or_insert_with(|| Answer::of(&peering_hop(src, dst, pcx)));
            Answer::all(&[hop, ret])
        }
        RouteTarget::TransitGateway(tgw) => {
            let mut hop = |from: &End<'_, 'a>, to: &End<'_, 'a>, ip: IpAddr, atom: usize| {
                let key = (
                    from.rm as *const _ as usize,
                    from.eni.vpc_id.as_str(),
                    from.rm
                        .subnet(&from.eni.subnet_id)
                        .map(|s| s.availability_zone),
                    tgw.as_str(),
                    to.rm as *const _ as usize,
                    to.eni.vpc_id.as_str(),
                    atom,
                );
                *memo
                    .tgw_hops
                    .entry(key)
                    .or_insert_with(|| Answer::of(&tgw_hop(from, to, tgw, ip)))
            };
            let there = hop(src, dst, dst_ip, atoms.1);
            let back = hop(dst, src, src_ip, atoms.0);
            Answer::all(&[there, back, ret])
        }
        RouteTarget::Local
        | RouteTarget::InternetGateway(_)
        | RouteTarget::EgressOnlyInternetGateway(_)
        | RouteTarget::CarrierGateway(_) => Answer::Blocked,
        _ => Answer::Unknown,
    }
}

/// Inside one VPC the route for the peer must be `local`.
fn local_hop(end: &End, peer: IpAddr) -> Evaluation {
    let table = match end.table() {
        Ok(t) => t,
        Err(r) => {
            return unknown_at(
                Code::DataNotCollected,
                format!("route table of {}", end.eni.subnet_id),
                r,
            )
        }
    };
    let route = match active_route(end.rm, end.ri, table, peer) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if route.target == RouteTarget::Local {
        Evaluation::allowed(vec![route_step(table, route)])
    } else {
        unknown_at(
            Code::RouteTargetNotModelled,
            format!("{} (route table)", table.id),
            format!(
                "middlebox route: {} is more specific than local; what the {} does is not modelled",
                describe_route(route),
                target_kind(&route.target)
            ),
        )
    }
}

fn find_peering<'a>(ends: [&End<'_, 'a>; 2], id: &str) -> Option<&'a VpcPeeringConnection> {
    ends.iter()
        .find_map(|e| e.ri.vpc_peering_connections.iter().find(|p| p.id == id))
}

/// The peering must be active and join exactly the two VPCs.
fn peering_hop(src: &End, dst: &End, pcx: &str) -> Evaluation {
    let component = format!("{pcx} (peering)");
    let Some(p) = find_peering([src, dst], pcx) else {
        return unknown_at(
            Code::DataNotCollected,
            component,
            format!("peering connection {pcx} is not in the inventory"),
        );
    };
    match p.status.as_deref() {
        Some("active") => {}
        Some(status) => {
            return blocked_at(
                Code::PcxNotActive,
                component,
                format!("status is {status}, not active"),
            );
        }
        None => {
            return unknown_at(
                Code::DataNotCollected,
                component,
                format!("status of {pcx} was not collected"),
            )
        }
    }
    let (a, b) = (p.requester.vpc_id.as_deref(), p.accepter.vpc_id.as_deref());
    let (s, d) = (src.eni.vpc_id.as_str(), dst.eni.vpc_id.as_str());
    if a.is_none() || b.is_none() {
        return unknown_at(
            Code::DataNotCollected,
            component,
            format!("the VPCs of {pcx} were not collected"),
        );
    }
    if (a == Some(s) && b == Some(d)) || (a == Some(d) && b == Some(s)) {
        allowed_at(component, format!("active, joins {s} and {d}"))
    } else {
        blocked_at(
            Code::PcxNotTransitive,
            component,
            format!(
                "joins {} and {}, not {s} and {d} (peering is not transitive)",
                a.unwrap_or("?"),
                b.unwrap_or("?")
            ),
        )
    }
}

fn attachment_of<'a>(
    ends: [&End<'_, 'a>; 2],
    tgw: &str,
    vpc: &str,
) -> Option<&'a TransitGatewayAttachment> {
    ends.iter().find_map(|e| e.rm.tgw_vpc_attachment(tgw, vpc))
}

/// In the TGW route table associated with `from`'s VPC attachment, the longest match
/// for `dst` must go to `to`'s VPC attachment.
fn tgw_hop(from: &End, to: &End, tgw: &str, dst: IpAddr) -> Evaluation {
    let component = format!("{tgw} (transit gateway)");
    let ends = [from, to];
    // A member account's copy of an attachment to a shared gateway may not name its
    // route table; the owner's does.
    let shared = |vpc: &str| {
        attachment_of(ends, tgw, vpc)
            .filter(|a| a.association_route_table_id.is_some())
            .or_else(|| from.model.tgw_vpc_attachment(from.rm.region, tgw, vpc))
            .or_else(|| attachment_of(ends, tgw, vpc))
    };
    let Some(from_att) = shared(&from.eni.vpc_id) else {
        return unknown_at(
            Code::DataNotCollected,
            component,
            format!(
                "no attachment of {} to {tgw} was collected",
                from.eni.vpc_id
            ),
        );
    };
    let Some(to_att) = shared(&to.eni.vpc_id) else {
        return blocked_at(
            Code::TgwRtbNoRouteToTgwAttachment,
            component,
            format!("no route: {} is not attached to {tgw}", to.eni.vpc_id),
        );
    };
    if let Some(e) = attachment_state_and_az(from.rm, &from.eni.subnet_id, from_att, &component) {
        return e;
    }
    let Some(rt_id) = from_att.association_route_table_id.as_deref() else {
        // A gateway shared from another account: its copy is the one that would
        // name the table, and no copy in the scan does.
        if let Some(owner) = from_att
            .transit_gateway_owner_id
            .as_deref()
            .filter(|&o| o != from.rm.account_id)
        {
            return unknown_at(
                Code::TgwRtbRoutesAreUnknown,
                component,
                format!(
                    "the route table of attachment {} is named only in the transit \
                     gateway owner's account {owner}, whose copy is not in the scan",
                    from_att.id
                ),
            );
        }
        return blocked_at(
            Code::TgwAttachMissingTgwRtbAssociation,
            component,
            format!(
                "no route: attachment {} has no associated route table",
                from_att.id
            ),
        );
    };
    let Some(rt) = ends
        .iter()
        .find_map(|e| {
            e.ri.transit_gateway_route_tables
                .iter()
                .find(|t| t.id == rt_id)
        })
        .or_else(|| from.model.tgw_route_table(from.rm.region, rt_id))
    else {
        return unknown_at(
            Code::TgwRtbRoutesAreUnknown,
            component,
            format!("TGW route table {rt_id} was not collected"),
        );
    };
    let prefix_list = |id: &str| ends.iter().find_map(|e| e.ri.prefix_list(id));
    let r = match tgw_lookup(rt, dst, prefix_list) {
        TgwLookup::Route(r) => r,
        TgwLookup::NoRoute => {
            return blocked_at(
                Code::TgwRtbCannotRoute,
                component,
                format!("no route: {rt_id} has no route to {dst}"),
            )
        }
        TgwLookup::Unknown(reason) => {
            return unknown_at(Code::TgwRtbRoutesAreUnknown, component, reason)
        }
    };
    let dest = super::super::route::describe_destination(&r.destination);
    match r.state.as_deref() {
        Some("blackhole") => {
            return blocked_at(
                Code::TgwRtbBadStateRoute,
                component,
                format!("{rt_id}: {dest} is a blackhole"),
            );
        }
        Some("active") => {}
        other => {
            return unknown_at(
                Code::TgwRtbRoutesAreUnknown,
                component,
                format!("{rt_id}: {dest} is in state {}", other.unwrap_or("unknown")),
            )
        }
    }
    let goes_to_dst = r.attachments.iter().any(|a| {
        a.attachment_id.as_deref() == Some(to_att.id.as_str())
            || (a.resource_type.as_deref() == Some("vpc")
                && a.resource_id.as_deref() == Some(to.eni.vpc_id.as_str()))
    });
    if goes_to_dst {
        allowed_at(
            component,
            format!(
                "{rt_id} (associated with {}): {dest} -> {}",
                from_att.id, to_att.id
            ),
        )
    } else {
        let targets: Vec<&str> = r
            .attachments
            .iter()
            .filter_map(|a| a.attachment_id.as_deref())
            .collect();
        blocked_at(
            Code::TgwRtbNoRouteToTgwAttachment,
            component,
            format!(
                "no route: {rt_id}: {dest} -> [{}], not {} ({})",
                targets.join(", "),
                to_att.id,
                to.eni.vpc_id
            ),
        )
    }
}
