//! VPCs, subnets, internet and egress-only gateways, NAT gateways and flow logs.

use std::net::IpAddr;

use crate::inventory::{
    EgressOnlyInternetGateway, FlowLog, GatewayAttachment, InternetGateway, NatConnectivity,
    NatGateway, NatGatewayAddress, Subnet, Vpc,
};

use super::enis::infra_eni;
use super::plan::AZS;
use super::state::{named, tags, Builder};

pub(super) fn build(b: &mut Builder) {
    for v in 0..b.layout.vpcs.len() {
        vpc_and_subnets(b, v);
        gateways(b, v);
        nat_gateways(b, v);
        if v % 2 == 0 {
            flow_log(b, v);
        }
    }
}

fn vpc_and_subnets(b: &mut Builder, v: usize) {
    let plan = &b.layout.vpcs[v];
    b.ri.vpcs.push(Vpc {
        id: plan.id.clone(),
        owner_id: Some(b.account.clone()),
        is_default: false,
        ipv4_cidrs: vec![plan.cidr],
        ipv6_cidrs: plan.ipv6.into_iter().collect(),
        state: Some("available".into()),
        enable_dns_support: Some(true),
        tags: tags(&[("Name", &plan.name), ("env", plan.env)]),
    });
    for s in &plan.subnets {
        let (az, az_id) = AZS[s.az];
        let name = format!("{}-{}-{}", plan.name, s.tier.name(), &az[az.len() - 1..]);
        b.ri.subnets.push(Subnet {
            id: s.id.clone(),
            arn: Some(format!(
                "arn:aws:ec2:{}:{}:subnet/{}",
                super::plan::REGION,
                b.account,
                s.id
            )),
            vpc_id: plan.id.clone(),
            owner_id: Some(b.account.clone()),
            availability_zone: az.into(),
            availability_zone_id: Some(az_id.into()),
            ipv4_cidr: Some(s.cidr),
            ipv6_cidrs: s.ipv6.into_iter().collect(),
            map_public_ip_on_launch: s.tier == super::plan::Tier::Public,
            assign_ipv6_address_on_creation: s.assign_ipv6,
            state: Some("available".into()),
            tags: tags(&[("Name", &name), ("tier", s.tier.name())]),
        });
    }
}

fn gateways(b: &mut Builder, v: usize) {
    let plan = &b.layout.vpcs[v];
    b.ri.internet_gateways.push(InternetGateway {
        id: plan.igw.clone(),
        owner_id: Some(b.account.clone()),
        attachments: vec![GatewayAttachment {
            vpc_id: plan.id.clone(),
            state: Some("available".into()),
        }],
        tags: named(&format!("{}-igw", plan.name)),
    });
    if let Some(eigw) = &plan.eigw {
        b.ri.egress_only_internet_gateways
            .push(EgressOnlyInternetGateway {
                id: eigw.clone(),
                attachments: vec![GatewayAttachment {
                    vpc_id: plan.id.clone(),
                    state: Some("attached".into()),
                }],
                tags: named(&format!("{}-eigw", plan.name)),
            });
    }
}

/// One public NAT gateway per AZ, in the AZ's public subnet, with its ENI and
/// Elastic IP.
fn nat_gateways(b: &mut Builder, v: usize) {
    for (az, (az_name, _)) in AZS.iter().enumerate().take(b.layout.azs) {
        let plan = &b.layout.vpcs[v];
        let nat_id = plan.nats[az].clone();
        let subnet = plan.public_subnet(az);
        let name = format!("{}-nat-{}", plan.name, &az_name[9..]);
        let eni = infra_eni(
            b,
            v,
            subnet,
            "nat_gateway",
            format!("Interface for NAT Gateway {nat_id}"),
            true,
        );
        let plan = &b.layout.vpcs[v];
        b.ri.nat_gateways.push(NatGateway {
            id: nat_id,
            vpc_id: plan.id.clone(),
            subnet_id: plan.subnets[subnet].id.clone(),
            connectivity: NatConnectivity::Public,
            state: Some("available".into()),
            addresses: vec![NatGatewayAddress {
                network_interface_id: Some(eni.id),
                private_ip: Some(IpAddr::V4(eni.private_ip)),
                public_ip: eni.public.as_ref().map(|p| IpAddr::V4(p.public_ip)),
                allocation_id: eni.public.and_then(|p| p.allocation_id),
            }],
            tags: named(&name),
        });
    }
}

fn flow_log(b: &mut Builder, v: usize) {
    let id = b.ids.next("fl");
    let plan = &b.layout.vpcs[v];
    b.ri.flow_logs.push(FlowLog {
        id,
        resource_id: Some(plan.id.clone()),
        traffic_type: Some("ALL".into()),
        deliver_status: Some("SUCCESS".into()),
        log_status: Some("ACTIVE".into()),
        log_destination_type: Some("cloud-watch-logs".into()),
        log_destination: Some(format!(
            "arn:aws:logs:{}:{}:log-group:/vpc/flow/{}",
            super::plan::REGION,
            b.account,
            plan.name
        )),
        log_group_name: Some(format!("/vpc/flow/{}", plan.name)),
        tags: named(&format!("{}-flow-log", plan.name)),
    });
}
