//! `vpc-endpoint-missing-az`: an interface endpoint with no ENI in an AZ where
//! private subnets hold workloads, whose calls then cross AZs (cost, latency, and an
//! AZ failure takes the endpoint away from them).

use std::collections::{BTreeMap, BTreeSet};

use super::context::{Context, Draft};
use super::shared::internet_route::path_from;
use super::{resources, Check};

pub struct VpcEndpointMissingAz;

impl Check for VpcEndpointMissingAz {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            // Private subnets with workloads, by VPC and AZ.
            let mut workloads: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
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
            for vpce in ri
                .vpc_endpoints
                .iter()
                .filter(|v| v.endpoint_type.eq_ignore_ascii_case("interface"))
                .filter(|v| {
                    v.state
                        .as_deref()
                        .is_none_or(|s| s.eq_ignore_ascii_case("available"))
                })
            {
                let covered: BTreeSet<&str> = vpce
                    .subnet_ids
                    .iter()
                    .filter_map(|s| rm.subnet(s).map(|i| i.availability_zone))
                    .collect();
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
}
