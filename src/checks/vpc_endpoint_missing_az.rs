//! `vpc-endpoint-missing-az`: an interface endpoint with no ENI in an AZ where
//! private subnets hold workloads, whose calls then cross AZs (cost, latency, and an
//! AZ failure takes the endpoint away from them).

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::{RegionInventory, VpcEndpoint};
use crate::reach::model::RegionModel;

use super::context::{Context, Draft, Scoped};
use super::shared::internet_route::path_from;
use super::{resources, Check};

pub struct VpcEndpointMissingAz;

/// Private subnets with workloads, by (VPC, AZ).
type Workloads<'a> = BTreeMap<(&'a str, &'a str), BTreeSet<&'a str>>;

/// The private subnets of the region that hold workloads (no untranslated way to
/// the internet), by VPC and AZ.
fn workloads<'a>(ctx: &Context, ri: &'a RegionInventory, rm: &RegionModel<'a>) -> Workloads<'a> {
    let mut workloads: Workloads = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for eni in ri
        .network_interfaces
        .iter()
        .filter(|e| !ctx.is_infrastructure(e))
    {
        if !seen.insert(eni.subnet_id.as_str()) {
            continue;
        }
        let Some(info) = rm.subnet(&eni.subnet_id) else {
            continue;
        };
        if path_from(ctx, &eni.id).untranslated_gateway().is_some() {
            continue;
        }
        workloads
            .entry((info.vpc_id, info.availability_zone))
            .or_default()
            .insert(eni.subnet_id.as_str());
    }
    workloads
}

/// Why the check does not judge `vpce`, if it does not: only available interface
/// endpoints have a network interface per AZ.
fn not_judged(vpce: &VpcEndpoint) -> Option<String> {
    if !vpce.endpoint_type.eq_ignore_ascii_case("interface") {
        return Some(format!(
            "{} is a {} endpoint: it has no network interfaces in AZs",
            vpce.id, vpce.endpoint_type
        ));
    }
    match vpce.state.as_deref() {
        Some(s) if !s.eq_ignore_ascii_case("available") => {
            Some(format!("{} is {s}, not available", vpce.id))
        }
        _ => None,
    }
}

/// The AZs of the endpoint's network interfaces.
fn covered<'a>(vpce: &VpcEndpoint, rm: &RegionModel<'a>) -> BTreeSet<&'a str> {
    vpce.subnet_ids
        .iter()
        .filter_map(|s| rm.subnet(s).map(|i| i.availability_zone))
        .collect()
}

impl Check for VpcEndpointMissingAz {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            let workloads = workloads(ctx, ri, rm);
            for vpce in ri.vpc_endpoints.iter().filter(|v| not_judged(v).is_none()) {
                let covered = covered(vpce, rm);
                let missing: Vec<(&str, &BTreeSet<&str>)> = workloads
                    .iter()
                    .filter(|((vpc, az), _)| *vpc == vpce.vpc_id && !covered.contains(az))
                    .map(|((_, az), subnets)| (*az, subnets))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let azs: Vec<&str> = missing.iter().map(|(az, _)| *az).collect();
                let related = missing.iter().flat_map(|(_, subnets)| {
                    subnets
                        .iter()
                        .map(|s| resources::subnet(account, &ri.region, s, None))
                });
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::vpc_endpoint(account, &ri.region, &vpce.id, Some(&vpce.tags)),
                    format!(
                        "{} ({}) has no network interface in {}, where private subnets hold workloads",
                        vpce.id,
                        vpce.service_name,
                        azs.join(", ")
                    ),
                )
                .related(related.collect::<Vec<_>>())
                .identity(azs.join(","));
                d = d.evidence(
                    vpce.id.clone(),
                    format!(
                        "network interfaces in: {}",
                        covered.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                );
                out.push(d);
            }
        }
        out
    }

    /// Every VPC endpoint: available interface endpoints pass when they have a
    /// network interface in every AZ with private workloads of their VPC (not
    /// applicable when there are none); other endpoints are not applicable.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            let workloads = workloads(ctx, ri, rm);
            for vpce in &ri.vpc_endpoints {
                let resource =
                    resources::vpc_endpoint(account, &ri.region, &vpce.id, Some(&vpce.tags));
                if let Some(why) = not_judged(vpce) {
                    out.push(Scoped::not_applicable(account, &ri.region, resource, why));
                    continue;
                }
                let azs: Vec<&str> = workloads
                    .keys()
                    .filter(|(vpc, _)| *vpc == vpce.vpc_id)
                    .map(|(_, az)| *az)
                    .collect();
                out.push(if azs.is_empty() {
                    Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!("no private subnet of {} holds workloads", vpce.vpc_id),
                    )
                } else {
                    Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} has a network interface in every AZ where private subnets of {} hold workloads: {}",
                            vpce.id,
                            vpce.vpc_id,
                            azs.join(", ")
                        ),
                    )
                });
            }
        }
        Some(out)
    }
}
