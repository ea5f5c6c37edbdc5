//! VPC peering connections and the transit gateway: attachments (with their ENIs),
//! one route table with a propagated route per attached VPC, a static default route
//! to the inspection VPC and one blackhole.

use ipnet::Ipv4Net;

use crate::inventory::{
    PeeringSide, RouteDestination, TransitGateway, TransitGatewayAttachment, TransitGatewayRoute,
    TransitGatewayRouteAttachment, TransitGatewayRouteTable, TransitGatewayRouteTableLink,
    VpcPeeringConnection,
};

use super::enis::infra_eni;
use super::plan::{Tier, VpcPlan, REGION};
use super::state::{named, Builder};

pub(super) fn build(b: &mut Builder) {
    peerings(b);
    transit_gateway(b);
}

/// One side of a peering connection: the VPC `plan` of `account`.
pub(super) fn peering_side(account: &str, plan: &VpcPlan) -> PeeringSide {
    PeeringSide {
        vpc_id: Some(plan.id.clone()),
        owner_id: Some(account.to_string()),
        region: Some(REGION.into()),
        ipv4_cidrs: vec![plan.cidr],
        ipv6_cidrs: plan.ipv6.into_iter().collect(),
    }
}

fn peerings(b: &mut Builder) {
    let layout = &b.layout;
    for p in &layout.peerings {
        let side = |v: usize| peering_side(&b.account, &layout.vpcs[v]);
        let name = format!(
            "{}-to-{}",
            layout.vpcs[p.requester].name, layout.vpcs[p.accepter].name
        );
        b.ri.vpc_peering_connections.push(VpcPeeringConnection {
            id: p.id.clone(),
            status: Some("active".into()),
            requester: side(p.requester),
            accepter: side(p.accepter),
            tags: named(&name),
        });
    }
}

fn link(attachment: &str, vpc_id: &str, state: &str) -> TransitGatewayRouteTableLink {
    TransitGatewayRouteTableLink {
        attachment_id: Some(attachment.into()),
        resource_id: Some(vpc_id.into()),
        resource_type: Some("vpc".into()),
        state: Some(state.into()),
    }
}

fn tgw_route(
    destination: Ipv4Net,
    state: &str,
    route_type: &str,
    to: Option<(&str, &str)>,
) -> TransitGatewayRoute {
    TransitGatewayRoute {
        destination: RouteDestination::Ipv4(destination),
        state: Some(state.into()),
        route_type: Some(route_type.into()),
        attachments: to
            .map(|(attachment, vpc_id)| TransitGatewayRouteAttachment {
                attachment_id: Some(attachment.into()),
                resource_id: Some(vpc_id.into()),
                resource_type: Some("vpc".into()),
            })
            .into_iter()
            .collect(),
    }
}

/// A transit gateway route table's entries for some attached VPCs.
#[derive(Default)]
pub(super) struct TableParts {
    pub routes: Vec<TransitGatewayRoute>,
    pub associations: Vec<TransitGatewayRouteTableLink>,
    pub propagations: Vec<TransitGatewayRouteTableLink>,
}

/// Attaches the VPCs; a transit gateway of this account gets its route table here,
/// a shared one's entries are left in `b.tgw_parts` for the owner's table.
fn transit_gateway(b: &mut Builder) {
    let (parts, blackhole) = attach_vpcs(b);
    if b.tgw_shared() {
        b.tgw_parts = Some(parts);
    } else {
        own_table(b, parts, blackhole);
    }
}

/// The gateway and its one route table, default for association and propagation.
fn own_table(b: &mut Builder, parts: TableParts, blackhole: Option<Ipv4Net>) {
    let tgw = b.layout.tgw.clone();
    let rtb = b.layout.tgw_route_table.clone();
    b.ri.transit_gateways.push(TransitGateway {
        id: tgw.clone(),
        arn: Some(b.arn("ec2", &format!("transit-gateway/{tgw}"))),
        owner_id: Some(b.account.clone()),
        state: Some("available".into()),
        default_route_table_association: true,
        default_route_table_propagation: true,
        association_default_route_table_id: Some(rtb.clone()),
        propagation_default_route_table_id: Some(rtb.clone()),
        security_group_referencing_support: true,
        tags: named("core-tgw"),
    });
    let mut routes = parts.routes;
    if let Some(net) = blackhole {
        routes.push(tgw_route(net, "blackhole", "static", None));
    }
    b.ri.transit_gateway_route_tables
        .push(TransitGatewayRouteTable {
            id: rtb,
            transit_gateway_id: tgw,
            state: Some("available".into()),
            default_association_route_table: true,
            default_propagation_route_table: true,
            routes,
            associations: parts.associations,
            propagations: parts.propagations,
            tags: named("core-tgw-rtb"),
        });
}

/// The attachments (with their ENIs) of every VPC but each fifth, and their route
/// table entries: a propagated route per VPC and, on the gateway's own account, a
/// static default route to the inspection VPC. Also the block of one data subnet to
/// blackhole (the owner's own VPCs only).
fn attach_vpcs(b: &mut Builder) -> (TableParts, Option<Ipv4Net>) {
    let tgw = b.layout.tgw.clone();
    let rtb = b.layout.tgw_route_table.clone();
    let shared = b.tgw_shared();
    let mut parts = TableParts::default();
    let mut blackhole = None;
    for v in 0..b.layout.vpcs.len() {
        let Some(attachment) = b.layout.vpcs[v].tgw_attachment.clone() else {
            continue;
        };
        // One private subnet per AZ, as AWS recommends.
        let plan = &b.layout.vpcs[v];
        let mut subnets: Vec<usize> = Vec::new();
        for s in plan.subnets_in(Tier::Private) {
            if subnets
                .iter()
                .all(|&t| plan.subnets[t].az != plan.subnets[s].az)
            {
                subnets.push(s);
            }
        }
        for &s in &subnets {
            infra_eni(
                b,
                v,
                s,
                "transit_gateway",
                format!("Network Interface for Transit Gateway Attachment {attachment}"),
                false,
            );
        }
        let plan = &b.layout.vpcs[v];
        b.ri.transit_gateway_attachments
            .push(TransitGatewayAttachment {
                id: attachment.clone(),
                transit_gateway_id: tgw.clone(),
                transit_gateway_owner_id: Some(b.tgw_owner.clone()),
                resource_type: "vpc".into(),
                resource_id: Some(plan.id.clone()),
                resource_owner_id: Some(b.account.clone()),
                state: Some("available".into()),
                // A member account's copy of an attachment to a shared gateway does not
                // name its route table: the owner's copy does.
                association_route_table_id: (!shared).then(|| rtb.clone()),
                subnet_ids: subnets
                    .iter()
                    .map(|&s| plan.subnets[s].id.clone())
                    .collect(),
                security_group_referencing_support: true,
                appliance_mode_support: plan.inspection,
                ipv6_support: false,
                tags: named(&format!("{}-tgw-attachment", plan.name)),
            });
        parts
            .associations
            .push(link(&attachment, &plan.id, "associated"));
        parts
            .propagations
            .push(link(&attachment, &plan.id, "enabled"));
        parts.routes.push(tgw_route(
            plan.cidr,
            "active",
            "propagated",
            Some((&attachment, &plan.id)),
        ));
        if shared {
            continue;
        }
        if plan.inspection {
            let any = "0.0.0.0/0".parse().expect("valid CIDR");
            parts.routes.push(tgw_route(
                any,
                "active",
                "static",
                Some((&attachment, &plan.id)),
            ));
        } else if let Some(data) = plan.subnets_in(Tier::Data).next() {
            // The last attached VPC's first data subnet ends up quarantined.
            blackhole = Some(plan.subnets[data].cidr);
        }
    }
    (parts, blackhole)
}
