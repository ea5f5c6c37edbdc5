use aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo;
use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, opt, string, strings, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    decode_policy_document, FlowLog, Operation, PeeringSide, VpcEndpoint, VpcPeeringConnection,
};

pub async fn vpc_endpoints(ec2: &Client, pg: Paging) -> Outcome<VpcEndpoint> {
    match fetch_all!(
        Operation::DescribeVpcEndpoints,
        ec2.describe_vpc_endpoints().max_results(pg.size(1000))
    ) {
        Ok(raw) => Outcome::new(
            raw.iter()
                .map(|e| VpcEndpoint {
                    id: string(e.vpc_endpoint_id()),
                    vpc_id: string(e.vpc_id()),
                    owner_id: opt(e.owner_id()),
                    endpoint_type: e
                        .vpc_endpoint_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    service_name: string(e.service_name()),
                    state: e.state().map(|s| s.as_str().to_string()),
                    subnet_ids: strings(e.subnet_ids()),
                    route_table_ids: strings(e.route_table_ids()),
                    network_interface_ids: strings(e.network_interface_ids()),
                    security_group_ids: e
                        .groups()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_string))
                        .collect(),
                    policy_document: e
                        .policy_document()
                        .map(|p| decode_policy_document(p).into_owned()),
                    private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
                    tags: ec2_tags(e.tags()),
                })
                .collect(),
            Problems::default(),
        ),
        Err(f) => Outcome::failed(f),
    }
}

pub async fn vpc_peering_connections(ec2: &Client, pg: Paging) -> Outcome<VpcPeeringConnection> {
    const OP: Operation = Operation::DescribeVpcPeeringConnections;
    let raw = match fetch_all!(
        Operation::DescribeVpcPeeringConnections,
        ec2.describe_vpc_peering_connections()
            .max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut side = |id: &str, info: Option<&VpcPeeringConnectionVpcInfo>| {
        let Some(info) = info else {
            return PeeringSide {
                vpc_id: None,
                owner_id: None,
                region: None,
                ipv4_cidrs: Vec::new(),
                ipv6_cidrs: Vec::new(),
            };
        };
        let mut ipv4_cidrs: Vec<ipnet::Ipv4Net> = info
            .cidr_block_set()
            .iter()
            .filter_map(|c| c.cidr_block())
            .filter_map(|c| p.parse(OP, "IPv4 CIDR", id, c))
            .collect();
        if ipv4_cidrs.is_empty() {
            ipv4_cidrs.extend(
                info.cidr_block()
                    .and_then(|c| p.parse::<ipnet::Ipv4Net>(OP, "IPv4 CIDR", id, c)),
            );
        }
        PeeringSide {
            vpc_id: opt(info.vpc_id()),
            owner_id: opt(info.owner_id()),
            region: opt(info.region()),
            ipv4_cidrs,
            ipv6_cidrs: info
                .ipv6_cidr_block_set()
                .iter()
                .filter_map(|c| c.ipv6_cidr_block())
                .filter_map(|c| p.parse(OP, "IPv6 CIDR", id, c))
                .collect(),
        }
    };
    let out = raw
        .iter()
        .map(|c| {
            let id = string(c.vpc_peering_connection_id());
            VpcPeeringConnection {
                status: c
                    .status()
                    .and_then(|s| s.code())
                    .map(|s| s.as_str().to_string()),
                requester: side(&id, c.requester_vpc_info()),
                accepter: side(&id, c.accepter_vpc_info()),
                tags: ec2_tags(c.tags()),
                id,
            }
        })
        .collect();
    Outcome::new(out, p)
}

pub async fn flow_logs(ec2: &Client, pg: Paging) -> Outcome<FlowLog> {
    match fetch_all!(
        Operation::DescribeFlowLogs,
        ec2.describe_flow_logs().max_results(pg.size(1000))
    ) {
        Ok(raw) => Outcome::new(
            raw.iter()
                .map(|f| FlowLog {
                    id: string(f.flow_log_id()),
                    resource_id: opt(f.resource_id()),
                    traffic_type: f.traffic_type().map(|t| t.as_str().to_string()),
                    deliver_status: opt(f.deliver_logs_status()),
                    log_status: opt(f.flow_log_status()),
                    log_destination_type: f.log_destination_type().map(|t| t.as_str().to_string()),
                    log_destination: opt(f.log_destination()),
                    log_group_name: opt(f.log_group_name()),
                    tags: ec2_tags(f.tags()),
                })
                .collect(),
            Problems::default(),
        ),
        Err(f) => Outcome::failed(f),
    }
}
