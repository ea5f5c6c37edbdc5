//! `eks-endpoint-public`: an EKS cluster's public API endpoint open to every
//! address.

use crate::inventory::Operation;
use crate::reach::sets::{Ipv4Set, Ipv6Set};

use super::context::{Context, Draft, Scoped};
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
                // EKS reports 0.0.0.0/0 when no list was given; an empty list means
                // the same. Ranges that together cover a whole family count as open
                // (0.0.0.0/1 and 128.0.0.0/1 are the internet too).
                let open: Vec<&str> = if c.public_access_cidrs.is_empty() {
                    Vec::new()
                } else {
                    let (v4, v6) = whole_families(&c.public_access_cidrs);
                    [(v4, "0.0.0.0/0"), (v6, "::/0")]
                        .into_iter()
                        .filter_map(|(open, all)| open.then_some(all))
                        .collect()
                };
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

    /// Every EKS cluster, and a region whose clusters could not be read.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if ctx
                .model
                .region(account, &ri.region)
                .and_then(|rm| rm.gap(&[Operation::ListClusters, Operation::DescribeCluster]))
                .is_some()
            {
                // Its unknown finding always names it.
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    cluster_resource("*", None),
                    "EKS clusters were read",
                ));
            }
            for c in &ri.eks_clusters {
                let reason = if !c.endpoint_public_access {
                    "the public API endpoint is disabled (endpointPublicAccess=false)".to_string()
                } else {
                    format!(
                        "the public API endpoint admits only publicAccessCidrs {}",
                        c.public_access_cidrs.join(", ")
                    )
                };
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    cluster_resource(&c.name, Some(&c.arn)),
                    reason,
                ));
            }
        }
        Some(out)
    }
}

/// Whether `cidrs` together cover every IPv4 address, and every IPv6 address.
/// A CIDR that does not parse covers nothing.
fn whole_families(cidrs: &[String]) -> (bool, bool) {
    let nets: Vec<ipnet::IpNet> = cidrs.iter().filter_map(|c| c.trim().parse().ok()).collect();
    let v4 = Ipv4Set::from_nets(nets.iter().filter_map(|n| match n {
        ipnet::IpNet::V4(n) => Some(*n),
        ipnet::IpNet::V6(_) => None,
    }));
    let v6 = Ipv6Set::from_nets(nets.iter().filter_map(|n| match n {
        ipnet::IpNet::V6(n) => Some(*n),
        ipnet::IpNet::V4(_) => None,
    }));
    (v4.is_full(), v6.is_full())
}

#[cfg(test)]
mod tests {
    use super::whole_families;

    fn w(cidrs: &[&str]) -> (bool, bool) {
        whole_families(&cidrs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn split_ranges_that_cover_a_family_are_open() {
        assert_eq!(w(&["0.0.0.0/0"]), (true, false));
        assert_eq!(w(&["0.0.0.0/1", "128.0.0.0/1"]), (true, false));
        assert_eq!(
            w(&["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"]),
            (true, false)
        );
        assert_eq!(w(&["0.0.0.0/1", "128.0.0.0/2"]), (false, false));
        assert_eq!(w(&["203.0.113.0/24", "::/0"]), (false, true));
        assert_eq!(w(&["::/1", "8000::/1"]), (false, true));
        assert_eq!(w(&["not a cidr"]), (false, false));
    }
}
