//! `eks-endpoint-public`: an EKS cluster's public API endpoint open to every
//! address.

use crate::inventory::Operation;

use super::context::{Context, Draft};
use super::shared::kubernetes::cluster_resource;
use super::Check;

pub struct EksEndpointPublic;

impl Check for EksEndpointPublic {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(reason) = ctx
                .model
                .region(account, &ri.region)
                .and_then(|rm| rm.gap(&[Operation::ListClusters, Operation::DescribeCluster]))
            {
                out.push(Draft::unknown(
                    account,
                    &ri.region,
                    cluster_resource("*", None),
                    format!("EKS clusters could not be read: {reason}"),
                ));
            }
            for c in &ri.eks_clusters {
                if !c.endpoint_public_access {
                    continue;
                }
                let open: Vec<&str> = c
                    .public_access_cidrs
                    .iter()
                    .map(String::as_str)
                    .filter(|cidr| matches!(cidr.trim(), "0.0.0.0/0" | "::/0"))
                    .collect();
                // EKS reports 0.0.0.0/0 when no list was given; an empty list means
                // the same.
                if open.is_empty() && !c.public_access_cidrs.is_empty() {
                    continue;
                }
                let to = if open.is_empty() {
                    "0.0.0.0/0".to_string()
                } else {
                    open.join(", ")
                };
                let private = if c.endpoint_private_access {
                    "the private endpoint is also enabled"
                } else {
                    "the private endpoint is disabled, so nodes reach the API over the internet too"
                };
                let draft = Draft::fail(
                    account,
                    &ri.region,
                    cluster_resource(&c.name, Some(&c.arn)),
                    format!(
                        "EKS cluster {} serves its Kubernetes API on a public endpoint open to {to}; {private}",
                        c.name
                    ),
                )
                .evidence(
                    format!("{} (resourcesVpcConfig)", c.name),
                    format!(
                        "endpointPublicAccess=true, publicAccessCidrs=[{}], endpointPrivateAccess={}",
                        c.public_access_cidrs.join(", "),
                        c.endpoint_private_access
                    ),
                );
                out.push(draft);
            }
        }
        out
    }
}
