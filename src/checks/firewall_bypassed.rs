//! `firewall-bypassed`: in a VPC that has a Network Firewall, a subnet holding
//! workloads whose route to the internet (IPv4, or IPv6 when its ENIs have IPv6)
//! passes no firewall endpoint. The firewall's own subnets, and ENIs that are AWS
//! plumbing (NAT gateways, endpoints, load balancer nodes), are not workloads.
//! Unknown when the first hop goes somewhere the engine does not follow.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::finding::Resource;
use crate::inventory::{Firewall, RegionInventory, RouteTarget};
use crate::reach::path::EgressPath;
use crate::reach::route::{self, describe_route, RouteDecision};

use super::context::{Context, Draft};
use super::shared::firewall::{firewall_resource, workload_subnets};
use super::shared::internet_route::{describe, firewalls, leaves, nats, trace_to, PROBE, PROBE_V6};
use super::{resources, Check};

pub struct FirewallBypassed;

/// Why the engine cannot follow the subnet's first hop toward `dst`, if it cannot.
fn unfollowed(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    subnet: &str,
    dst: IpAddr,
) -> Option<String> {
    let rm = ctx.model.region(account, &ri.region)?;
    let table = match route::table_for_subnet(rm, subnet) {
        Ok(t) => t,
        Err(reason) => return Some(reason),
    };
    match route::lookup(rm, ri, table, dst) {
        RouteDecision::Unknown { reason } => Some(reason),
        RouteDecision::Route { route, .. } => match &route.target {
            // Hops that may lead to the internet beyond what the engine follows.
            RouteTarget::TransitGateway(_)
            | RouteTarget::NetworkInterface(_)
            | RouteTarget::Instance(_)
            | RouteTarget::CoreNetwork(_)
            | RouteTarget::CarrierGateway(_)
            | RouteTarget::Unknown(_) => Some(format!(
                "{}: {} is not followed",
                table.id,
                describe_route(route)
            )),
            _ => None,
        },
        RouteDecision::NoRoute { .. } => None,
    }
}

/// Gateways on a path, as related resources.
fn gateways(account: &str, region: &str, path: &EgressPath) -> Vec<Resource> {
    let mut out: Vec<Resource> = nats(path)
        .into_iter()
        .map(|n| resources::nat_gateway(account, region, n, None))
        .collect();
    let mut p = path;
    loop {
        match p {
            EgressPath::Nat { then, .. } | EgressPath::Firewall { then, .. } => p = then,
            EgressPath::Direct(igw) => {
                out.push(resources::internet_gateway(account, region, igw, None));
                break;
            }
            EgressPath::EgressOnly(eigw) => {
                out.push(Resource {
                    resource_type: "AWS::EC2::EgressOnlyInternetGateway".into(),
                    id: eigw.clone(),
                    arn: None,
                    name: None,
                });
                break;
            }
            _ => break,
        }
    }
    out
}

impl Check for FirewallBypassed {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let mut by_vpc: BTreeMap<&str, Vec<&Firewall>> = BTreeMap::new();
            for fw in &ri.firewalls {
                by_vpc.entry(fw.vpc_id.as_str()).or_default().push(fw);
            }
            if by_vpc.is_empty() {
                continue;
            }
            let rm = ctx.model.region(account, &ri.region);
            for (subnet, eni) in workload_subnets(ctx, ri) {
                let Some(fws) = by_vpc.get(eni.vpc_id.as_str()) else {
                    continue;
                };
                let resource = resources::subnet(account, &ri.region, subnet, None);
                let mut related: Vec<Resource> = fws.iter().map(|f| firewall_resource(f)).collect();
                if let Some(rt) = rm
                    .and_then(|m| m.subnet(subnet))
                    .and_then(|i| i.route_table_id)
                {
                    related.push(resources::route_table(account, &ri.region, rt, None));
                }
                let names: Vec<&str> = fws.iter().map(|f| f.name.as_str()).collect();
                let mut families = vec![("IPv4", PROBE)];
                if !eni.ipv6s.is_empty() {
                    families.push(("IPv6", PROBE_V6));
                }
                for (family, dst) in families {
                    let (path, _) = trace_to(ctx, &eni.id, dst);
                    if leaves(&path) && firewalls(&path).is_empty() {
                        out.push(
                            Draft::fail(
                                account,
                                &ri.region,
                                resource.clone(),
                                format!(
                                    "{subnet} reaches the {family} internet without passing firewall {} of {}: {subnet} -> {}",
                                    names.join(", "),
                                    eni.vpc_id,
                                    describe(&path)
                                ),
                            )
                            .related(related.clone())
                            .related(gateways(account, &ri.region, &path))
                            .identity(family)
                            .evidence(&eni.id, format!("tcp/443 to {dst} routes {}", describe(&path))),
                        );
                    } else if matches!(path, EgressPath::None) {
                        if let Some(reason) = unfollowed(ctx, account, ri, subnet, dst) {
                            out.push(
                                Draft::unknown(
                                    account,
                                    &ri.region,
                                    resource.clone(),
                                    format!(
                                        "whether {subnet}'s {family} internet traffic passes firewall {} could not be decided: {reason}",
                                        names.join(", ")
                                    ),
                                )
                                .related(related.clone())
                                .identity(family),
                            );
                        }
                    }
                }
            }
        }
        out
    }
}
