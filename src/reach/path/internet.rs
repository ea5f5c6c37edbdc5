//! A client on the internet opening a connection to an ENI.

use std::net::IpAddr;

use crate::inventory::{Direction, Inventory, PortRange, RouteTarget};

use super::super::explain::Code;
use super::super::firewall::Flow;
use super::super::model::Model;
use super::super::route::{self, describe_route};
use super::super::security_group;
use super::super::sets::ServicePoint;
use super::super::verdict::{describe_point, Evaluation, Step};
use super::symmetry::return_symmetry;
use super::{
    active_route, allowed_at, blocked_at, endpoint_subnet, firewall_for_endpoint, firewall_verdict,
    gateway_attached, nacl_one_side, route_step, target_kind, unknown_at, with_steps, End,
    DEFAULT_EPHEMERAL,
};

/// Whether `client` on the internet can connect to `eni`, the client using the Linux
/// default ephemeral ports.
pub fn internet_to_eni(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    client: IpAddr,
    service: ServicePoint,
) -> Evaluation {
    internet_to_eni_with(model, inv, eni, client, service, DEFAULT_EPHEMERAL)
}

/// [`internet_to_eni`] with the client's ephemeral port range.
pub fn internet_to_eni_with(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    client: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
    let end = match End::locate(model, inv, eni) {
        Ok(e) => e,
        Err(reason) => return unknown_at(Code::DataNotCollected, eni, reason),
    };
    // The address the packet carries once the internet gateway has translated it.
    let target: Option<(IpAddr, String)> = if client.is_ipv4() {
        end.eni.public_ipv4s.first().and_then(|p| {
            let private = p
                .private_ip
                .or_else(|| end.eni.private_ipv4s.first().copied())?;
            Some((
                private.into(),
                format!("public address {} -> {private}", p.public_ip),
            ))
        })
    } else {
        end.eni
            .ipv6s
            .first()
            .map(|&a| (a.into(), format!("IPv6 address {a}")))
    };
    let Some((dst_ip, how)) = target else {
        let family = if client.is_ipv4() {
            "public IPv4"
        } else {
            "IPv6"
        };
        return blocked_at(
            Code::IgwPrivateIpAssociationForIngress,
            eni,
            format!("no public address: {eni} has no {family} address reachable from {client}"),
        );
    };
    let head = Step::new(
        "connection",
        format!("{client} -> {eni} ({how}) {}", describe_point(service)),
    );
    let sg = security_group::evaluate(model, eni, Direction::Ingress, client, service);
    let acl = nacl_one_side(
        end.acl(),
        &end.eni.subnet_id,
        Direction::Ingress,
        client,
        service,
        ephemeral,
    );
    let routing = routing(&end, client, dst_ip, service, ephemeral);
    with_steps(vec![head], Evaluation::all_of(vec![sg, acl, routing]))
}

/// The reply must route from the ENI's subnet to an internet gateway of its VPC,
/// possibly through a Network Firewall endpoint; the request enters through that
/// gateway's edge route table (ingress routing), which must send it through the same
/// endpoint as the reply, or through none if the reply takes none.
fn routing(
    end: &End,
    client: IpAddr,
    dst_ip: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
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
    let route = match active_route(end.rm, end.ri, table, client) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let vpc = end.eni.vpc_id.as_str();
    let component = format!("{} (route table)", table.id);
    let (legs, igw, endpoint): (Vec<Evaluation>, String, Option<&str>) = match &route.target {
        RouteTarget::InternetGateway(id) => (
            vec![gateway_attached(end.ri, id, vpc, false)],
            id.clone(),
            None,
        ),
        RouteTarget::VpcEndpoint(id) => {
            match through_firewall(end, id, client, dst_ip, service, ephemeral) {
                Ok((legs, igw)) => (legs, igw, Some(id.as_str())),
                Err(e) => return with_steps(vec![route_step(table, route)], e),
            }
        }
        RouteTarget::NatGateway(id) => return with_steps(
            vec![route_step(table, route)],
            blocked_at(
                Code::NgwNoInbound,
                format!("{id} (NAT gateway)"),
                "a NAT gateway does not carry inbound connections; the reply would be translated",
            ),
        ),
        RouteTarget::EgressOnlyInternetGateway(id) => {
            return with_steps(
                vec![route_step(table, route)],
                blocked_at(
                    Code::EigwNoInbound,
                    format!("{id} (egress-only internet gateway)"),
                    "an egress-only internet gateway does not carry inbound connections",
                ),
            )
        }
        RouteTarget::Local | RouteTarget::VpcPeeringConnection(_) => {
            return with_steps(
                vec![route_step(table, route)],
                blocked_at(
                    Code::NoRouteToDestination,
                    component,
                    format!("no route to an internet gateway for the reply to {client}"),
                ),
            )
        }
        other => {
            return with_steps(
                vec![route_step(table, route)],
                unknown_at(
                    Code::RouteTargetNotModelled,
                    component,
                    format!(
                        "the reply to {client} goes through a {} ({}), which is not modelled",
                        target_kind(other),
                        describe_route(route)
                    ),
                ),
            )
        }
    };
    let mut legs = legs;
    let edge = route::edge_table_for_gateway(end.rm, end.ri, &igw);
    legs.extend(return_symmetry(end.rm, end.ri, edge, dst_ip, endpoint));
    with_steps(vec![route_step(table, route)], Evaluation::all_of(legs))
}

/// The reply goes through firewall endpoint `id`: the policy's verdict, the firewall
/// subnet's NACL both ways, and that subnet's route to an internet gateway. The
/// evaluations and the gateway, or the evaluation that ends the path.
fn through_firewall(
    end: &End,
    id: &str,
    client: IpAddr,
    dst_ip: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Result<(Vec<Evaluation>, String), Evaluation> {
    let Some(fw) = firewall_for_endpoint(end.ri, id) else {
        return Err(unknown_at(
            Code::DataNotCollected,
            format!("{id} (VPC endpoint)"),
            format!("{id} is not an endpoint of a collected firewall"),
        ));
    };
    let Some(subnet) = endpoint_subnet(fw, id) else {
        return Err(unknown_at(
            Code::DataNotCollected,
            format!("firewall {}", fw.name),
            format!("the subnet of endpoint {id} was not collected"),
        ));
    };
    let flow = Flow {
        src: client,
        dst: dst_ip,
        service,
        sni: None,
        fragment: false,
    };
    let acl = || end.rm.network_acl_for_subnet(subnet);
    let mut legs = vec![
        allowed_at(
            format!("{id} (firewall endpoint)"),
            format!("inspected by firewall {}", fw.name),
        ),
        firewall_verdict(end.ri, fw, &flow),
        // In from the gateway (replies back out to the client), and on to the ENI.
        nacl_one_side(
            acl(),
            subnet,
            Direction::Ingress,
            client,
            service,
            ephemeral,
        ),
    ];
    if subnet != end.eni.subnet_id {
        legs.push(nacl_one_side(
            acl(),
            subnet,
            Direction::Egress,
            dst_ip,
            service,
            ephemeral,
        ));
    }
    let fw_table = route::table_for_subnet(end.rm, subnet).map_err(|r| {
        unknown_at(
            Code::DataNotCollected,
            format!("route table of {subnet}"),
            r,
        )
    })?;
    let r = active_route(end.rm, end.ri, fw_table, client)?;
    match &r.target {
        RouteTarget::InternetGateway(igw) => {
            legs.push(with_steps(
                vec![route_step(fw_table, r)],
                gateway_attached(end.ri, igw, &end.eni.vpc_id, false),
            ));
            Ok((legs, igw.clone()))
        }
        other => Err(Evaluation::all_of(vec![
            Evaluation::all_of(legs),
            blocked_at(
                Code::NoRouteToDestination,
                format!("{} (route table)", fw_table.id),
                format!(
                    "the reply leaves the firewall by {} ({}), not an internet gateway",
                    describe_route(r),
                    target_kind(other)
                ),
            ),
        ])),
    }
}
