use aws_sdk_ec2::types::{ConnectivityType, RouteState as SdkRouteState};
use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, opt, string, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    AssociationTarget, EgressOnlyInternetGateway, GatewayAttachment, InternetGateway,
    NatConnectivity, NatGateway, NatGatewayAddress, Operation, Route, RouteDestination, RouteState,
    RouteTable, RouteTableAssociation, RouteTarget,
};

pub async fn route_tables(ec2: &Client, pg: Paging) -> Outcome<RouteTable> {
    const OP: Operation = Operation::DescribeRouteTables;
    let raw = match fetch_all!(
        Operation::DescribeRouteTables,
        ec2.describe_route_tables().max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for rt in raw {
        let id = string(rt.route_table_id());
        let mut routes = Vec::with_capacity(rt.routes().len());
        for r in rt.routes() {
            let destination = if let Some(c) = r.destination_cidr_block() {
                p.parse(OP, "destination", &id, c)
                    .map(RouteDestination::Ipv4)
            } else if let Some(c) = r.destination_ipv6_cidr_block() {
                p.parse(OP, "destination", &id, c)
                    .map(RouteDestination::Ipv6)
            } else if let Some(pl) = r.destination_prefix_list_id() {
                Some(RouteDestination::PrefixList(pl.to_string()))
            } else {
                p.invalid(OP, format!("{id}: route without a destination"));
                None
            };
            let Some(destination) = destination else {
                continue;
            };
            routes.push(Route {
                destination,
                target: route_target(r),
                state: match r.state() {
                    Some(SdkRouteState::Active) => RouteState::Active,
                    Some(SdkRouteState::Blackhole) => RouteState::Blackhole,
                    _ => RouteState::Unknown,
                },
                origin: r.origin().map(|o| o.as_str().to_string()),
            });
        }
        let associations = rt
            .associations()
            .iter()
            .filter_map(|a| {
                let target = if a.main().unwrap_or(false) {
                    AssociationTarget::Main
                } else if let Some(s) = a.subnet_id() {
                    AssociationTarget::Subnet(s.to_string())
                } else {
                    AssociationTarget::Gateway(a.gateway_id()?.to_string())
                };
                Some(RouteTableAssociation {
                    id: opt(a.route_table_association_id()),
                    target,
                    state: a
                        .association_state()
                        .and_then(|s| s.state())
                        .map(|s| s.as_str().to_string()),
                })
            })
            .collect();
        out.push(RouteTable {
            vpc_id: string(rt.vpc_id()),
            owner_id: opt(rt.owner_id()),
            routes,
            associations,
            propagating_vgws: rt
                .propagating_vgws()
                .iter()
                .filter_map(|v| v.gateway_id().map(str::to_string))
                .collect(),
            tags: ec2_tags(rt.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}

/// AWS puts several target kinds in `GatewayId` (`local`, `igw-`, `vgw-`, `vpce-`);
/// the prefix tells them apart.
fn route_target(r: &aws_sdk_ec2::types::Route) -> RouteTarget {
    let s = |v: &str| v.to_string();
    if let Some(i) = r.instance_id() {
        return RouteTarget::Instance(s(i));
    }
    if let Some(v) = r.nat_gateway_id() {
        return RouteTarget::NatGateway(s(v));
    }
    if let Some(v) = r.transit_gateway_id() {
        return RouteTarget::TransitGateway(s(v));
    }
    if let Some(v) = r.vpc_peering_connection_id() {
        return RouteTarget::VpcPeeringConnection(s(v));
    }
    if let Some(v) = r.egress_only_internet_gateway_id() {
        return RouteTarget::EgressOnlyInternetGateway(s(v));
    }
    if let Some(v) = r.carrier_gateway_id() {
        return RouteTarget::CarrierGateway(s(v));
    }
    if let Some(v) = r.local_gateway_id() {
        return RouteTarget::LocalGateway(s(v));
    }
    if let Some(v) = r.core_network_arn() {
        return RouteTarget::CoreNetwork(s(v));
    }
    if let Some(g) = r.gateway_id() {
        return match g {
            "local" => RouteTarget::Local,
            _ if g.starts_with("igw-") => RouteTarget::InternetGateway(s(g)),
            _ if g.starts_with("vgw-") => RouteTarget::VirtualPrivateGateway(s(g)),
            _ if g.starts_with("vpce-") => RouteTarget::VpcEndpoint(s(g)),
            _ if g.starts_with("eigw-") => RouteTarget::EgressOnlyInternetGateway(s(g)),
            _ => RouteTarget::Unknown(s(g)),
        };
    }
    if let Some(v) = r.network_interface_id() {
        return RouteTarget::NetworkInterface(s(v));
    }
    RouteTarget::Unknown(r.odb_network_arn().unwrap_or("none").to_string())
}

fn attachments(a: &[aws_sdk_ec2::types::InternetGatewayAttachment]) -> Vec<GatewayAttachment> {
    a.iter()
        .filter_map(|a| {
            Some(GatewayAttachment {
                vpc_id: a.vpc_id()?.to_string(),
                state: a.state().map(|s| s.as_str().to_string()),
            })
        })
        .collect()
}

pub async fn internet_gateways(ec2: &Client, pg: Paging) -> Outcome<InternetGateway> {
    match fetch_all!(
        Operation::DescribeInternetGateways,
        ec2.describe_internet_gateways().max_results(pg.size(1000))
    ) {
        Ok(raw) => Outcome::new(
            raw.iter()
                .map(|g| InternetGateway {
                    id: string(g.internet_gateway_id()),
                    owner_id: opt(g.owner_id()),
                    attachments: attachments(g.attachments()),
                    tags: ec2_tags(g.tags()),
                })
                .collect(),
            Problems::default(),
        ),
        Err(f) => Outcome::failed(f),
    }
}

pub async fn egress_only_internet_gateways(
    ec2: &Client,
    pg: Paging,
) -> Outcome<EgressOnlyInternetGateway> {
    match fetch_all!(
        Operation::DescribeEgressOnlyInternetGateways,
        ec2.describe_egress_only_internet_gateways()
            .max_results(pg.size(255))
    ) {
        Ok(raw) => Outcome::new(
            raw.iter()
                .map(|g| EgressOnlyInternetGateway {
                    id: string(g.egress_only_internet_gateway_id()),
                    attachments: attachments(g.attachments()),
                    tags: ec2_tags(g.tags()),
                })
                .collect(),
            Problems::default(),
        ),
        Err(f) => Outcome::failed(f),
    }
}

pub async fn nat_gateways(ec2: &Client, pg: Paging) -> Outcome<NatGateway> {
    const OP: Operation = Operation::DescribeNatGateways;
    let raw = match fetch_all!(
        Operation::DescribeNatGateways,
        ec2.describe_nat_gateways().max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for n in raw {
        let id = string(n.nat_gateway_id());
        let addresses = n
            .nat_gateway_addresses()
            .iter()
            .map(|a| NatGatewayAddress {
                network_interface_id: opt(a.network_interface_id()),
                private_ip: a
                    .private_ip()
                    .and_then(|ip| p.parse(OP, "private IP", &id, ip)),
                public_ip: a
                    .public_ip()
                    .and_then(|ip| p.parse(OP, "public IP", &id, ip)),
                allocation_id: opt(a.allocation_id()),
            })
            .collect();
        out.push(NatGateway {
            vpc_id: string(n.vpc_id()),
            subnet_id: string(n.subnet_id()),
            // AWS omits the field on gateways created before private NAT existed.
            connectivity: match n.connectivity_type() {
                Some(ConnectivityType::Private) => NatConnectivity::Private,
                _ => NatConnectivity::Public,
            },
            state: n.state().map(|s| s.as_str().to_string()),
            addresses,
            tags: ec2_tags(n.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}
