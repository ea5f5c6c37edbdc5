use aws_sdk_ec2::types::{SubnetCidrBlockStateCode, VpcCidrBlockStateCode};
use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, opt, string, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{Operation, Subnet, Vpc};

pub async fn vpcs(ec2: &Client, pg: Paging) -> Outcome<Vpc> {
    const OP: Operation = Operation::DescribeVpcs;
    let raw = match fetch_all!(
        Operation::DescribeVpcs,
        ec2.describe_vpcs().max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for v in raw {
        let id = string(v.vpc_id());
        // Blocks being disassociated or that failed to associate carry no traffic.
        let live4 = |s: Option<&VpcCidrBlockStateCode>| {
            !matches!(
                s,
                Some(VpcCidrBlockStateCode::Disassociated | VpcCidrBlockStateCode::Failed)
            )
        };
        let mut ipv4_cidrs: Vec<ipnet::Ipv4Net> = Vec::new();
        for a in v.cidr_block_association_set() {
            if let Some(c) = a.cidr_block() {
                if live4(a.cidr_block_state().and_then(|s| s.state())) {
                    ipv4_cidrs.extend(p.parse::<ipnet::Ipv4Net>(OP, "IPv4 CIDR", &id, c));
                }
            }
        }
        if ipv4_cidrs.is_empty() {
            if let Some(c) = v.cidr_block() {
                ipv4_cidrs.extend(p.parse::<ipnet::Ipv4Net>(OP, "IPv4 CIDR", &id, c));
            }
        }
        let mut ipv6_cidrs: Vec<ipnet::Ipv6Net> = Vec::new();
        for a in v.ipv6_cidr_block_association_set() {
            if let Some(c) = a.ipv6_cidr_block() {
                if live4(a.ipv6_cidr_block_state().and_then(|s| s.state())) {
                    ipv6_cidrs.extend(p.parse::<ipnet::Ipv6Net>(OP, "IPv6 CIDR", &id, c));
                }
            }
        }
        out.push(Vpc {
            owner_id: opt(v.owner_id()),
            is_default: v.is_default().unwrap_or(false),
            ipv4_cidrs,
            ipv6_cidrs,
            state: v.state().map(|s| s.as_str().to_string()),
            // Filled by the VPC attributes collector (`vpc_attribute`).
            enable_dns_support: None,
            tags: ec2_tags(v.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}

pub async fn subnets(ec2: &Client, pg: Paging) -> Outcome<Subnet> {
    const OP: Operation = Operation::DescribeSubnets;
    let raw = match fetch_all!(
        Operation::DescribeSubnets,
        ec2.describe_subnets().max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let id = string(s.subnet_id());
        let ipv4_cidr = s
            .cidr_block()
            .and_then(|c| p.parse(OP, "IPv4 CIDR", &id, c));
        let mut ipv6_cidrs: Vec<ipnet::Ipv6Net> = Vec::new();
        for a in s.ipv6_cidr_block_association_set() {
            let live = !matches!(
                a.ipv6_cidr_block_state().and_then(|st| st.state()),
                Some(SubnetCidrBlockStateCode::Disassociated | SubnetCidrBlockStateCode::Failed)
            );
            if let (true, Some(c)) = (live, a.ipv6_cidr_block()) {
                ipv6_cidrs.extend(p.parse::<ipnet::Ipv6Net>(OP, "IPv6 CIDR", &id, c));
            }
        }
        out.push(Subnet {
            arn: opt(s.subnet_arn()),
            vpc_id: string(s.vpc_id()),
            owner_id: opt(s.owner_id()),
            availability_zone: string(s.availability_zone()),
            availability_zone_id: opt(s.availability_zone_id()),
            ipv4_cidr,
            ipv6_cidrs,
            map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
            assign_ipv6_address_on_creation: s.assign_ipv6_address_on_creation().unwrap_or(false),
            state: s.state().map(|st| st.as_str().to_string()),
            tags: ec2_tags(s.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}
