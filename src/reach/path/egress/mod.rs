//! An ENI to an address on the internet: directly through an internet gateway,
//! through a NAT gateway, through a Network Firewall endpoint or a Gateway Load
//! Balancer endpoint, over IPv6 through an egress-only internet gateway, or through
//! a transit gateway into another (inspection or egress) VPC, possibly of another
//! account ([`transit`]).

mod transit;

use std::cell::RefCell;
use std::net::IpAddr;

use crate::inventory::{
    Direction, Inventory, NatConnectivity, PortRange, RegionInventory, RouteTable, RouteTarget,
};

use super::super::explain::Code;
use super::super::firewall::Flow;
use super::super::model::{Model, RegionModel};
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

/// Source ports a NAT gateway translates to.
pub const NAT_PORTS: PortRange = PortRange {
    from: 1024,
    to: 65535,
};

/// How far a route walk follows hops (NAT, firewall, appliance, transit gateway)
/// before giving up. Spoke -> TGW -> inspection firewall -> TGW -> egress NAT -> IGW
/// takes five.
const MAX_HOPS: usize = 8;

/// The way out the route tables give a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EgressPath {
    /// Straight out through an internet gateway.
    Direct(String),
    /// Through a NAT gateway, which then goes on `then`.
    Nat { nat: String, then: Box<EgressPath> },
    /// Through a Network Firewall endpoint, which then goes on `then`.
    Firewall {
        endpoint: String,
        firewall: String,
        then: Box<EgressPath>,
    },
    /// IPv6 through an egress-only internet gateway.
    EgressOnly(String),
    /// Through a Gateway Load Balancer endpoint to a third-party appliance (whose
    /// rules are not visible), which then goes on `then`.
    Appliance {
        endpoint: String,
        service: String,
        then: Box<EgressPath>,
    },
    /// Through transit gateway `tgw`: the source VPC's `attachment`, whose associated
    /// `route_table` sends the flow to `next_attachment`, into VPC `vpc` of
    /// `account` (when known), which then goes on `then`. `appliance_mode` is that
    /// attachment's appliance mode support.
    TransitGateway {
        tgw: String,
        attachment: String,
        route_table: String,
        next_attachment: String,
        vpc: String,
        account: Option<String>,
        appliance_mode: bool,
        then: Box<EgressPath>,
    },
    /// To an AWS service (S3, DynamoDB) through a gateway endpoint: not the internet,
    /// and subject to the endpoint's policy.
    GatewayEndpoint { endpoint: String, service: String },
    /// No way out (or none that could be established).
    None,
}

impl EgressPath {
    /// The internet gateway the source's own address must be public on: the path
    /// reaches it without translation, in the source's own VPC (an internet gateway
    /// reached through a transit gateway maps no address of the source's).
    pub fn untranslated_gateway(&self) -> Option<&str> {
        match self {
            EgressPath::Direct(igw) => Some(igw),
            EgressPath::Firewall { then, .. } | EgressPath::Appliance { then, .. } => {
                then.untranslated_gateway()
            }
            _ => None,
        }
    }

    /// The path after this hop, if it goes on.
    pub fn next(&self) -> Option<&EgressPath> {
        match self {
            EgressPath::Nat { then, .. }
            | EgressPath::Firewall { then, .. }
            | EgressPath::Appliance { then, .. }
            | EgressPath::TransitGateway { then, .. } => Some(then),
            _ => None,
        }
    }
}

/// Whether `eni` can open a connection to `dst` on the internet, with the client on
/// the Linux default ephemeral ports.
pub fn eni_to_internet(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    dst: IpAddr,
    service: ServicePoint,
    sni: Option<String>,
) -> Evaluation {
    eni_to_internet_with(model, inv, eni, dst, service, sni, DEFAULT_EPHEMERAL)
}

/// [`eni_to_internet`] with the client's ephemeral port range.
pub fn eni_to_internet_with(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    dst: IpAddr,
    service: ServicePoint,
    sni: Option<String>,
    ephemeral: PortRange,
) -> Evaluation {
    egress_trace(model, inv, eni, dst, service, sni, ephemeral).1
}

/// The path out and the evaluation of the whole connection.
pub fn egress_trace(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    dst: IpAddr,
    service: ServicePoint,
    sni: Option<String>,
    ephemeral: PortRange,
) -> (EgressPath, Evaluation) {
    let end = match End::locate(model, inv, eni) {
        Ok(e) => e,
        Err(reason) => {
            return (
                EgressPath::None,
                unknown_at(Code::DataNotCollected, eni, reason),
            )
        }
    };
    let Some(src_ip) = end.private_ip(dst.is_ipv6()) else {
        let family = if dst.is_ipv6() { "IPv6" } else { "IPv4" };
        return (
            EgressPath::None,
            blocked_at(
                Code::NoCommonAddressFamily,
                eni,
                format!("{eni} has no {family} address to reach {dst} from"),
            ),
        );
    };
    let head = Step::new(
        "connection",
        format!("{eni} ({src_ip}) -> {dst} {}", describe_point(service)),
    );
    let sg = security_group::evaluate(model, eni, Direction::Egress, dst, service);
    let acl = nacl_one_side(
        end.acl(),
        &end.eni.subnet_id,
        Direction::Egress,
        dst,
        service,
        ephemeral,
    );
    let walk = Walk {
        model,
        inv,
        src_ip,
        src_vpc: &end.eni.vpc_id,
        dst,
        service,
        sni,
        visited: RefCell::new(Vec::new()),
    };
    let (path, routing) = match end.table() {
        Ok(table) => walk.follow(
            table,
            Hop {
                rm: end.rm,
                ri: end.ri,
                vpc: &end.eni.vpc_id,
                src_ip,
                from_subnet: &end.eni.subnet_id,
                came_through: None,
                ports: ephemeral,
            },
            0,
        ),
        Err(r) => (
            EgressPath::None,
            unknown_at(
                Code::DataNotCollected,
                format!("route table of {}", end.eni.subnet_id),
                r,
            ),
        ),
    };
    let mut legs = vec![sg, acl, routing];
    if let Some(igw) = path.untranslated_gateway() {
        // IPv6 addresses are global; an IPv4 source needs a public address mapped.
        if dst.is_ipv4() {
            legs.push(if end.eni.public_ipv4s.is_empty() {
                blocked_at(
                    Code::IgwPublicIpAssociationForEgress,
                    eni,
                    format!("no public address: {eni} has no public IPv4 to leave through {igw}"),
                )
            } else {
                let public: Vec<String> = end
                    .eni
                    .public_ipv4s
                    .iter()
                    .map(|p| p.public_ip.to_string())
                    .collect();
                allowed_at(
                    eni,
                    format!("leaves {igw} as public address {}", public.join(", ")),
                )
            });
        }
    }
    (path, with_steps(vec![head], Evaluation::all_of(legs)))
}

/// Where the flow stands when a route table is consulted.
#[derive(Clone, Copy)]
struct Hop<'h> {
    /// The account and region the flow is in (another one after a transit gateway).
    rm: &'h RegionModel<'h>,
    ri: &'h RegionInventory,
    /// The VPC the flow is in.
    vpc: &'h str,
    /// The source address at this point (translated after a NAT gateway).
    src_ip: IpAddr,
    from_subnet: &'h str,
    /// The firewall endpoint the flow has just passed, whose replies must come back
    /// through it.
    came_through: Option<&'h str>,
    /// The client ports the replies go to (a NAT gateway's own range after it).
    ports: PortRange,
}

struct Walk<'m, 'a> {
    model: &'m Model<'a>,
    inv: &'a Inventory,
    /// The source's own address and VPC.
    src_ip: IpAddr,
    src_vpc: &'a str,
    dst: IpAddr,
    service: ServicePoint,
    sni: Option<String>,
    /// The route tables (VPC and TGW) consulted so far: the walk is a single line
    /// toward one address, so a table met twice answers the same again, a loop.
    visited: RefCell<Vec<String>>,
}

impl Walk<'_, '_> {
    /// `Some(blocked)` when `table` was consulted before on this walk.
    fn revisit(&self, table: &str) -> Option<Evaluation> {
        let mut seen = self.visited.borrow_mut();
        if seen.iter().any(|t| t == table) {
            return Some(blocked_at(
                Code::RoutingLoop,
                format!("{table} (route table)"),
                format!(
                    "routing loop: {table} is reached again on the way to {}",
                    self.dst
                ),
            ));
        }
        seen.push(table.to_string());
        None
    }

    /// Where `table` sends the flow (at `hop`), and whether it gets out that way.
    fn follow(&self, table: &RouteTable, hop: Hop, hops: usize) -> (EgressPath, Evaluation) {
        if hops > MAX_HOPS {
            return (
                EgressPath::None,
                unknown_at(
                    Code::RoutingLoop,
                    format!("{} (route table)", table.id),
                    format!("more than {MAX_HOPS} hops: routing loop?"),
                ),
            );
        }
        if let Some(e) = self.revisit(&table.id) {
            return (EgressPath::None, e);
        }
        let (rm, ri) = (hop.rm, hop.ri);
        let vpc = hop.vpc;
        let route = match active_route(rm, ri, table, self.dst) {
            Ok(r) => r,
            Err(e) => return (EgressPath::None, e),
        };
        let step = route_step(table, route);
        let (path, e) = match &route.target {
            RouteTarget::InternetGateway(id) => self.internet_gateway(id, hop),
            RouteTarget::EgressOnlyInternetGateway(id) => {
                if self.dst.is_ipv4() {
                    (
                        EgressPath::None,
                        blocked_at(
                            Code::NoRouteToDestination,
                            format!("{id} (egress-only internet gateway)"),
                            "carries IPv6 only",
                        ),
                    )
                } else {
                    (
                        EgressPath::EgressOnly(id.clone()),
                        gateway_attached(ri, id, vpc, true),
                    )
                }
            }
            RouteTarget::NatGateway(id) => self.nat(id, hop, hops),
            RouteTarget::VpcEndpoint(id) => self.firewall(id, hop, hops),
            RouteTarget::TransitGateway(id) => self.transit(id, hop, hops),
            RouteTarget::Local => (
                EgressPath::None,
                blocked_at(
                    Code::NoRouteToDestination,
                    format!("{} (route table)", table.id),
                    format!("no route: {} is local to {vpc}", self.dst),
                ),
            ),
            RouteTarget::VpcPeeringConnection(id) => (
                EgressPath::None,
                blocked_at(
                    Code::PcxNotTransitive,
                    format!("{id} (peering)"),
                    "no edge-to-edge routing: a VPC cannot use its peer's internet gateway or NAT",
                ),
            ),
            other => (
                EgressPath::None,
                unknown_at(
                    Code::RouteTargetNotModelled,
                    format!("{} (route table)", table.id),
                    format!(
                        "{} goes through a {}, which is not modelled",
                        describe_route(route),
                        target_kind(other)
                    ),
                ),
            ),
        };
        (path, with_steps(vec![step], e))
    }

    /// An internet gateway maps the public addresses of its own VPC's ENIs only: a
    /// flow from another VPC (through a transit gateway) must have been translated by
    /// a NAT gateway on the way.
    fn internet_gateway(&self, id: &str, hop: Hop) -> (EgressPath, Evaluation) {
        let (rm, ri) = (hop.rm, hop.ri);
        if hop.vpc != self.src_vpc && hop.src_ip == self.src_ip {
            let component = format!("{id} (internet gateway)");
            let e = if self.dst.is_ipv4() {
                blocked_at(
                    Code::IgwPublicIpAssociationForEgress,
                    component,
                    format!(
                        "no public address: {} of {} arrives untranslated, and {id} maps addresses of {} only",
                        self.src_ip, self.src_vpc, hop.vpc
                    ),
                )
            } else {
                unknown_at(
                    Code::NotModelled,
                    component,
                    format!(
                        "IPv6 from {} leaving through {id} of {} is not modelled",
                        self.src_vpc, hop.vpc
                    ),
                )
            };
            return (EgressPath::None, e);
        }
        let mut legs = vec![gateway_attached(ri, id, hop.vpc, false)];
        // Replies enter through the gateway's edge route table.
        let edge = route::edge_table_for_gateway(rm, ri, id);
        legs.extend(return_symmetry(rm, ri, edge, hop.src_ip, hop.came_through));
        (EgressPath::Direct(id.to_string()), Evaluation::all_of(legs))
    }

    /// A NAT gateway translates and forwards along its own subnet's route table; it
    /// filters nothing. Private NAT never reaches the internet.
    fn nat(&self, id: &str, hop: Hop, hops: usize) -> (EgressPath, Evaluation) {
        let src_ip = hop.src_ip;
        let component = format!("{id} (NAT gateway)");
        let none = EgressPath::None;
        let Some(nat) = hop.ri.nat_gateways.iter().find(|n| n.id == id) else {
            return (
                none,
                unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!("{id} is not in the inventory"),
                ),
            );
        };
        match nat.state.as_deref() {
            None | Some("available") => {}
            Some(state) => {
                return (
                    none,
                    blocked_at(
                        Code::NgwNotAvailable,
                        component,
                        format!("state is {state}, not available"),
                    ),
                )
            }
        }
        if nat.connectivity == NatConnectivity::Private {
            return (
                none,
                blocked_at(
                    Code::NgwPrivateConnectivity,
                    component,
                    "private NAT gateway: cannot reach the internet",
                ),
            );
        }
        if self.dst.is_ipv6() {
            return (
                none,
                unknown_at(
                    Code::NotModelled,
                    component,
                    "NAT64 through a NAT gateway is not modelled",
                ),
            );
        }
        let Some(nat_ip) = nat.addresses.iter().find_map(|a| a.private_ip) else {
            return (
                none,
                unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!("the private address of {id} was not collected"),
                ),
            );
        };
        let (rm, ri) = (hop.rm, hop.ri);
        let mut legs = vec![allowed_at(
            component,
            format!("translates {src_ip} to {nat_ip} (filters nothing)"),
        )];
        if nat.subnet_id != hop.from_subnet {
            legs.push(nacl_one_side(
                rm.network_acl_for_subnet(&nat.subnet_id),
                &nat.subnet_id,
                Direction::Ingress,
                src_ip,
                self.service,
                hop.ports,
            ));
        }
        legs.push(nacl_one_side(
            rm.network_acl_for_subnet(&nat.subnet_id),
            &nat.subnet_id,
            Direction::Egress,
            self.dst,
            self.service,
            NAT_PORTS,
        ));
        let then = match route::table_for_subnet(rm, &nat.subnet_id) {
            Ok(table) => {
                // The NAT gateway sends replies back by its subnet's table.
                legs.extend(return_symmetry(
                    rm,
                    ri,
                    Ok(Some(table)),
                    src_ip,
                    hop.came_through,
                ));
                let next = Hop {
                    src_ip: nat_ip,
                    from_subnet: &nat.subnet_id,
                    came_through: None,
                    ports: NAT_PORTS,
                    ..hop
                };
                let (then, e) = self.follow(table, next, hops + 1);
                legs.push(e);
                then
            }
            Err(r) => {
                legs.push(unknown_at(
                    Code::DataNotCollected,
                    format!("route table of {}", nat.subnet_id),
                    r,
                ));
                EgressPath::None
            }
        };
        let path = EgressPath::Nat {
            nat: id.to_string(),
            then: Box::new(then),
        };
        (path, Evaluation::all_of(legs))
    }

    /// A Network Firewall endpoint applies its policy, then forwards along the
    /// firewall subnet's route table. The flow crosses the firewall subnet's NACL on
    /// the way in and on the way out.
    fn firewall(&self, endpoint: &str, hop: Hop, hops: usize) -> (EgressPath, Evaluation) {
        let src_ip = hop.src_ip;
        let ri = hop.ri;
        let Some(fw) = firewall_for_endpoint(ri, endpoint) else {
            if let Some(found) = self.gateway_endpoint(endpoint, hop) {
                return found;
            }
            if let Some(found) = self.appliance(endpoint, hop, hops) {
                return found;
            }
            return (
                EgressPath::None,
                unknown_at(
                    Code::DataNotCollected,
                    format!("{endpoint} (VPC endpoint)"),
                    format!("{endpoint} is not an endpoint of a collected firewall"),
                ),
            );
        };
        let flow = Flow {
            src: src_ip,
            dst: self.dst,
            service: self.service,
            sni: self.sni.clone(),
            fragment: false,
        };
        let mut legs = vec![
            allowed_at(
                format!("{endpoint} (firewall endpoint)"),
                format!("inspected by firewall {}", fw.name),
            ),
            firewall_verdict(ri, fw, &flow),
        ];
        let then = match endpoint_subnet(fw, endpoint) {
            Some(subnet) => {
                let (then, e) = self.onward_from(subnet, endpoint, hop, hops);
                legs.extend(e);
                then
            }
            None => {
                legs.push(unknown_at(
                    Code::DataNotCollected,
                    format!("firewall {}", fw.name),
                    format!("the subnet of endpoint {endpoint} was not collected"),
                ));
                EgressPath::None
            }
        };
        let path = EgressPath::Firewall {
            endpoint: endpoint.to_string(),
            firewall: fw.name.clone(),
            then: Box::new(then),
        };
        (path, Evaluation::all_of(legs))
    }

    /// After an inline endpoint (firewall or appliance) in `subnet`, the flow crosses
    /// the subnet's NACL (in, unless it came from that subnet, and out) and goes on
    /// by the subnet's route table; replies must come back through `endpoint`.
    fn onward_from(
        &self,
        subnet: &str,
        endpoint: &str,
        hop: Hop,
        hops: usize,
    ) -> (EgressPath, Vec<Evaluation>) {
        let rm = hop.rm;
        let mut legs = Vec::new();
        let then = match route::table_for_subnet(rm, subnet) {
            Ok(table) => {
                let acl = || rm.network_acl_for_subnet(subnet);
                if subnet != hop.from_subnet {
                    legs.push(nacl_one_side(
                        acl(),
                        subnet,
                        Direction::Ingress,
                        hop.src_ip,
                        self.service,
                        hop.ports,
                    ));
                }
                legs.push(nacl_one_side(
                    acl(),
                    subnet,
                    Direction::Egress,
                    self.dst,
                    self.service,
                    hop.ports,
                ));
                let next = Hop {
                    from_subnet: subnet,
                    came_through: Some(endpoint),
                    ..hop
                };
                let (then, e) = self.follow(table, next, hops + 1);
                legs.push(e);
                then
            }
            Err(r) => {
                legs.push(unknown_at(
                    Code::DataNotCollected,
                    format!("route table of {subnet}"),
                    r,
                ));
                EgressPath::None
            }
        };
        (then, legs)
    }

    /// A Gateway Load Balancer endpoint hands the flow to a third-party appliance
    /// whose rules vpcaudit cannot see: the path goes on by the endpoint subnet's
    /// table, but its verdict is unknown, never a pass or a fail.
    fn appliance(&self, id: &str, hop: Hop, hops: usize) -> Option<(EgressPath, Evaluation)> {
        let vpce =
            hop.ri.vpc_endpoints.iter().find(|v| {
                v.id == id && v.endpoint_type.eq_ignore_ascii_case("GatewayLoadBalancer")
            })?;
        let component = format!("{id} (Gateway Load Balancer endpoint)");
        let mut legs = vec![unknown_at(
            Code::GwlbApplianceNotVisible,
            component.clone(),
            format!(
                "sends the flow to a third-party appliance behind {}: third-party appliance rules are not visible",
                vpce.service_name
            ),
        )];
        let then = match vpce.subnet_ids.first() {
            Some(subnet) => {
                let (then, e) = self.onward_from(subnet, id, hop, hops);
                legs.extend(e);
                then
            }
            None => {
                legs.push(unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!("the subnet of {id} was not collected"),
                ));
                EgressPath::None
            }
        };
        let path = EgressPath::Appliance {
            endpoint: id.to_string(),
            service: vpce.service_name.clone(),
            then: Box::new(then),
        };
        Some((path, Evaluation::all_of(legs)))
    }

    /// A gateway endpoint of the flow's VPC ends the path at the AWS service it
    /// serves; the route to it comes from the service's prefix list.
    fn gateway_endpoint(&self, id: &str, hop: Hop) -> Option<(EgressPath, Evaluation)> {
        let vpce = hop
            .ri
            .vpc_endpoints
            .iter()
            .find(|v| v.id == id && v.endpoint_type.eq_ignore_ascii_case("gateway"))?;
        let component = format!("{id} (gateway endpoint)");
        let e = if vpce.vpc_id != hop.vpc {
            blocked_at(
                Code::VpceNotAvailable,
                component,
                format!("belongs to {}, not {}", vpce.vpc_id, hop.vpc),
            )
        } else {
            match vpce.state.as_deref() {
                None | Some("available") | Some("Available") => allowed_at(
                    component,
                    format!(
                        "reaches {} privately, not the internet (the endpoint policy applies)",
                        vpce.service_name
                    ),
                ),
                Some(state) => blocked_at(
                    Code::VpceNotAvailable,
                    component,
                    format!("state is {state}, not available"),
                ),
            }
        };
        let path = EgressPath::GatewayEndpoint {
            endpoint: id.to_string(),
            service: vpce.service_name.clone(),
        };
        Some((path, e))
    }
}
