//! `firewall-endpoint-missing-az`: AZs of a firewall's VPC where subnets hold
//! workloads with a route to the internet but the firewall has no endpoint, or one
//! that is not READY. Their traffic either bypasses inspection or crosses to another
//! AZ's endpoint, and an outage of that AZ cuts them off.

use std::collections::BTreeMap;

use crate::inventory::RegionInventory;
use crate::reach::model::RegionModel;

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_resource, workload_subnets};
use super::shared::internet_route::{describe, leaves, trace};
use super::{resources, Check};

pub struct FirewallEndpointMissingAz;

/// A subnet, its route out, and whether that route is known (not undecided).
type Reaching<'a> = (&'a str, String, bool);

/// (VPC, AZ) -> the subnets whose workloads reach the internet (or may: the route
/// could not be decided), with the route and whether it is known.
fn reaching<'a>(
    ctx: &Context,
    ri: &'a RegionInventory,
    rm: &RegionModel<'a>,
) -> BTreeMap<(&'a str, &'a str), Vec<Reaching<'a>>> {
    let mut reaching: BTreeMap<(&str, &str), Vec<Reaching>> = BTreeMap::new();
    for (subnet, eni) in workload_subnets(ctx, ri) {
        let Some(info) = rm.subnet(subnet) else {
            continue;
        };
        if !ri.firewalls.iter().any(|f| f.vpc_id == info.vpc_id) {
            continue;
        }
        let (path, undecided) = trace(ctx, &eni.id);
        let entry = match undecided {
            Some(reason) => (subnet, format!("undecided ({reason})"), false),
            None if leaves(&path) => (subnet, describe(&path), true),
            None => continue,
        };
        reaching
            .entry((info.vpc_id, info.availability_zone))
            .or_default()
            .push(entry);
    }
    reaching
}

impl Check for FirewallEndpointMissingAz {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if ri.firewalls.is_empty() {
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            let reaching = reaching(ctx, ri, rm);
            for fw in &ri.firewalls {
                // (AZ, what is wrong, whether it is only unknown, its subnets).
                let mut gaps = Vec::new();
                for ((vpc, az), subnets) in &reaching {
                    if *vpc != fw.vpc_id {
                        continue;
                    }
                    let endpoint = fw.endpoints.iter().find(|e| e.availability_zone == *az);
                    let (problem, unknown) =
                        match endpoint.map(|e| (e.endpoint_id.as_deref(), e.status.as_deref())) {
                            None | Some((None, _)) => (format!("no endpoint in {az}"), false),
                            Some((Some(id), None)) => (
                                format!("the status of endpoint {id} in {az} was not reported"),
                                true,
                            ),
                            Some((Some(id), Some(s))) if !s.eq_ignore_ascii_case("READY") => {
                                (format!("endpoint {id} in {az} is {s}, not READY"), false)
                            }
                            Some(_) => continue,
                        };
                    // An AZ whose subnets' routes are all undecided is unknown too.
                    let unknown = unknown || subnets.iter().all(|(_, _, known)| !known);
                    gaps.push((*az, problem, unknown, subnets));
                }
                let failing: Vec<&str> = gaps.iter().filter(|g| !g.2).map(|g| g.0).collect();
                if gaps.is_empty() {
                    continue;
                }
                let mut d = if failing.is_empty() {
                    let azs: Vec<&str> = gaps.iter().map(|g| g.0).collect();
                    Draft::unknown(
                        account,
                        &ri.region,
                        firewall_resource(fw),
                        format!(
                            "whether {} has a working endpoint in {} could not be decided",
                            fw.name,
                            azs.join(", ")
                        ),
                    )
                } else {
                    Draft::fail(
                        account,
                        &ri.region,
                        firewall_resource(fw),
                        format!(
                            "{} has no READY endpoint in {}, where subnets of {} reach the internet",
                            fw.name,
                            failing.join(", "),
                            fw.vpc_id
                        ),
                    )
                };
                for (az, problem, _, subnets) in gaps {
                    d = d.evidence(format!("firewall {}", fw.name), problem);
                    for (s, route, _) in subnets {
                        d = d
                            .evidence(*s, format!("in {az}, reaches the internet: {s} -> {route}"))
                            .related([resources::subnet(account, &ri.region, s, None)]);
                    }
                }
                out.push(d);
            }
        }
        out
    }

    /// Every firewall: it passes with a READY endpoint in each AZ where subnets of
    /// its VPC reach the internet; with no such subnet it is not applicable.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if ri.firewalls.is_empty() {
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            let reaching = reaching(ctx, ri, rm);
            for fw in &ri.firewalls {
                // Only read when no finding names the firewall: then each AZ has a
                // READY endpoint.
                let azs: Vec<String> = reaching
                    .keys()
                    .filter(|(vpc, _)| *vpc == fw.vpc_id)
                    .map(|(_, az)| {
                        let id = fw
                            .endpoints
                            .iter()
                            .find(|e| e.availability_zone == *az)
                            .and_then(|e| e.endpoint_id.as_deref())
                            .unwrap_or_default();
                        format!("{az} ({id})")
                    })
                    .collect();
                out.push(if azs.is_empty() {
                    Scoped::not_applicable(
                        account,
                        &ri.region,
                        firewall_resource(fw),
                        format!(
                            "no workload subnet of {} reaches the internet",
                            fw.vpc_id
                        ),
                    )
                } else {
                    Scoped::pass(
                        account,
                        &ri.region,
                        firewall_resource(fw),
                        format!(
                            "{} has a READY endpoint in every AZ where subnets of {} reach the internet: {}",
                            fw.name,
                            fw.vpc_id,
                            azs.join(", ")
                        ),
                    )
                });
            }
        }
        Some(out)
    }
}
