//! `vpc-endpoint-required-missing`: a VPC whose private subnets have no way to the
//! internet lacks an endpoint for a service its workloads need. By default the
//! requirement is the private EKS cluster set, for VPCs whose instances carry EKS
//! cluster tags; other VPCs require nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::inventory::{Instance, NetworkInterface, RegionInventory};

use super::context::{Context, Draft};
use super::internet_route::{leaves, Paths};
use super::{resources, Check};

pub struct VpcEndpointRequiredMissing;

/// What a private EKS cluster needs to pull images, join nodes and ship logs.
pub const EKS_PRIVATE_CLUSTER: &[&str] = &[
    "ecr.api",
    "ecr.dkr",
    "s3",
    "sts",
    "logs",
    "ec2",
    "elasticloadbalancing",
    "ssm",
    "ssmmessages",
];

fn is_eks_node(i: &Instance) -> bool {
    i.tags
        .keys()
        .any(|k| k.starts_with("kubernetes.io/cluster/") || k == "eks:cluster-name")
}

/// The short service name of an endpoint (`com.amazonaws.us-east-1.ecr.api` -> `ecr.api`).
fn short_service(region: &str, name: &str) -> String {
    let prefix = format!("com.amazonaws.{region}.");
    name.strip_prefix(&prefix).unwrap_or(name).to_string()
}

impl Check for VpcEndpointRequiredMissing {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut paths = Paths::new(ctx);
        for (account, ri) in ctx.regions() {
            let eks = eks_vpcs(ri);
            // Workload ENIs by VPC, in inventory order, gathered once.
            let mut workloads: HashMap<&str, Vec<&NetworkInterface>> = HashMap::new();
            for e in &ri.network_interfaces {
                if eks.contains(e.vpc_id.as_str()) && !ctx.is_infrastructure(e) {
                    workloads.entry(e.vpc_id.as_str()).or_default().push(e);
                }
            }
            for vpc in &ri.vpcs {
                let Some(required) = required_for(&eks, &vpc.id) else {
                    continue;
                };
                // Only where private workloads cannot reach the public service
                // endpoints some other way.
                let private: Vec<&str> = workloads
                    .get(vpc.id.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|e| !leaves(paths.from(&e.id)))
                    .map(|e| e.subnet_id.as_str())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if private.is_empty() {
                    continue;
                }
                let present: BTreeSet<String> = ri
                    .vpc_endpoints
                    .iter()
                    .filter(|v| v.vpc_id == vpc.id)
                    .map(|v| short_service(&ri.region, &v.service_name))
                    .collect();
                let missing: Vec<&str> = required
                    .iter()
                    .copied()
                    .filter(|s| !present.contains(*s))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                out.push(
                    Draft::fail(
                        account,
                        &ri.region,
                        resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                        format!(
                            "{} runs EKS nodes in subnets with no internet path but has no endpoint for {}",
                            vpc.id,
                            missing.join(", ")
                        ),
                    )
                    .related(private.iter().map(|s| resources::subnet(account, &ri.region, s, None)).collect::<Vec<_>>())
                    .identity(missing.join(","))
                    .evidence(vpc.id.clone(), format!("endpoints present: {}", present.into_iter().collect::<Vec<_>>().join(", "))),
                );
            }
        }
        out
    }
}

/// The VPCs of the region's EKS nodes.
fn eks_vpcs(ri: &RegionInventory) -> HashSet<&str> {
    ri.instances
        .iter()
        .filter(|i| is_eks_node(i))
        .filter_map(|i| i.vpc_id.as_deref())
        .collect()
}

/// The services `vpc_id` requires, or `None` when nothing is required of it.
fn required_for(eks: &HashSet<&str>, vpc_id: &str) -> Option<&'static [&'static str]> {
    eks.contains(vpc_id).then_some(EKS_PRIVATE_CLUSTER)
}
