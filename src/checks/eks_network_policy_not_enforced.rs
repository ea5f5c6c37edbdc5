//! `eks-network-policy-not-enforced`: NetworkPolicies that nothing enforces.

use std::collections::HashSet;

use crate::finding::Severity;
use crate::inventory::{EksCluster, KubeKind};
use crate::reach::kubernetes::enforcement::enable_network_policy;
use crate::reach::kubernetes::Enforcement;

use super::context::{Context, Draft, Scoped};
use super::shared::kubernetes::{cluster_resource, ClusterView};
use super::Check;

pub struct EksNetworkPolicyNotEnforced;

impl Check for EksNetworkPolicyNotEnforced {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let views = ctx.clusters();
        for v in views {
            let (account, region) = v.place();
            let resource = v.cluster_resource();
            let policies = v.cluster.network_policies.len();
            let tiers = v.cluster.cluster_network_policies.len();
            match &v.enforcement {
                Enforcement::Enforced { .. } => {}
                Enforcement::Unknown { why } => out.push(Draft::unknown(
                    account,
                    region,
                    resource,
                    format!(
                        "whether cluster {} enforces NetworkPolicies could not be decided: {why}",
                        v.cluster.name
                    ),
                )),
                Enforcement::NotEnforced { why } => {
                    let policy_gap = v.gap(&[KubeKind::NetworkPolicy]);
                    let draft = if policies + tiers > 0 {
                        Draft::fail(
                            account,
                            region,
                            resource,
                            format!(
                                "cluster {} has {policies} NetworkPolicies and {tiers} cluster \
                                 network policies, but nothing enforces them: {why}; every pod \
                                 can reach every other pod",
                                v.cluster.name
                            ),
                        )
                    } else if let Some(gap) = policy_gap {
                        Draft::unknown(
                            account,
                            region,
                            resource,
                            format!(
                                "cluster {} does not enforce NetworkPolicies ({why}), and \
                                 whether it has any could not be told: {gap}",
                                v.cluster.name
                            ),
                        )
                    } else {
                        Draft::fail(
                            account,
                            region,
                            resource,
                            format!(
                                "cluster {} does not enforce NetworkPolicies ({why}); it has none \
                                 yet, and any added later would have no effect",
                                v.cluster.name
                            ),
                        )
                        .severity(Severity::Low)
                    };
                    out.push(draft.evidence(format!("{} (CNI)", v.cluster.name), why.clone()));
                }
            }
        }
        // EKS clusters whose objects were not read: only the add-on can tell.
        for (account, region, c) in unread(ctx, views) {
            let resource = cluster_resource(&c.name, Some(&c.arn));
            // Only the add-on can say anything here; a missing add-on list is a
            // coverage gap the message names.
            let why = match &c.addons {
                None => "its add-ons could not be listed".to_string(),
                Some(_) => match c
                    .addon("vpc-cni")
                    .and_then(|a| a.configuration_values.as_deref())
                    .and_then(enable_network_policy)
                {
                    Some(true) => continue,
                    Some(false) | None => "the vpc-cni add-on does not turn on network \
                                           policy enforcement (enableNetworkPolicy)"
                        .to_string(),
                },
            };
            out.push(Draft::unknown(
                account,
                region,
                resource,
                format!(
                    "cluster {}: {why}; its Kubernetes objects were not read \
                     (--eks or --kubeconfig), so another CNI enforcing policies, and \
                     whether any policy exists, cannot be ruled out",
                    c.name
                ),
            ));
        }
        out
    }

    /// Every cluster: those whose objects were read, and the EKS clusters whose
    /// objects were not (judged by their vpc-cni add-on alone).
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let views = ctx.clusters();
        let mut out = Vec::new();
        for v in views {
            let (account, region) = v.place();
            let reason = match &v.enforcement {
                Enforcement::Enforced { by } => format!("enforced: {by}"),
                // A finding names it: the reason is never shown.
                Enforcement::NotEnforced { why } | Enforcement::Unknown { why } => why.clone(),
            };
            out.push(Scoped::pass(account, region, v.cluster_resource(), reason));
        }
        for (account, region, c) in unread(ctx, views) {
            out.push(Scoped::pass(
                account,
                region,
                cluster_resource(&c.name, Some(&c.arn)),
                "the vpc-cni add-on turns on network policy enforcement \
                 (enableNetworkPolicy: true)",
            ));
        }
        Some(out)
    }
}

/// The EKS clusters of the inventory none of `views` describes, with their account
/// and region.
fn unread<'a>(
    ctx: &Context<'_, 'a>,
    views: &[ClusterView<'a>],
) -> impl Iterator<Item = (&'a str, &'a str, &'a EksCluster)> {
    let seen: HashSet<&str> = views
        .iter()
        .filter_map(|v| v.eks.map(|e| e.arn.as_str()))
        .collect();
    ctx.regions()
        .flat_map(|(account, ri)| {
            ri.eks_clusters
                .iter()
                .map(move |c| (account, ri.region.as_str(), c))
        })
        .filter(move |(_, _, c)| !seen.contains(c.arn.as_str()))
}
