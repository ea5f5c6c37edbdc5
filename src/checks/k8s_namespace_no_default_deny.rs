//! `k8s-namespace-no-default-deny`: a namespace where some pods are open by default
//! because no policy selects them all.

use std::collections::BTreeSet;

use crate::finding::Severity;
use crate::inventory::{KubeCluster, KubeKind, NetworkPolicy, PolicyType};
use crate::reach::kubernetes::effective_policy_types;

use super::context::{Context, Draft, Scoped};
use super::Check;

pub struct K8sNamespaceNoDefaultDeny;

impl Check for K8sNamespaceNoDefaultDeny {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let c = v.cluster;
            let namespaces = namespaces(c);
            if namespaces.is_empty() {
                if let Some(gap) = v.gap(&[KubeKind::Namespace]) {
                    out.push(Draft::unknown(
                        account,
                        region,
                        v.cluster_resource(),
                        format!(
                            "namespaces of cluster {} could not be judged: {gap}",
                            c.name
                        ),
                    ));
                }
                continue;
            }
            let policy_gap = v.gap(&[KubeKind::NetworkPolicy]);
            for ns in namespaces {
                if ctx.config.kubernetes.exempt(ns) {
                    continue;
                }
                let resource = v.namespace_resource(ns);
                if let Some(gap) = &policy_gap {
                    out.push(Draft::unknown(
                        account,
                        region,
                        resource,
                        format!(
                            "default-deny policies of namespace {ns} could not be judged: {gap}"
                        ),
                    ));
                    continue;
                }
                let policies = policies_in(c, ns);
                let ingress = covers(&policies, PolicyType::Ingress);
                let egress = covers(&policies, PolicyType::Egress);
                let (missing, severity) = match (ingress, egress) {
                    (Some(_), Some(_)) => continue,
                    _ if policies.is_empty() => ("ingress and egress", Severity::High),
                    (None, None) => ("ingress and egress", Severity::Medium),
                    (None, Some(_)) => ("ingress", Severity::Medium),
                    (Some(_), None) => ("egress", Severity::Low),
                };
                let message = if policies.is_empty() {
                    format!(
                        "namespace {ns} of cluster {} has no NetworkPolicy: every pod in it accepts \
                         traffic from anywhere and may send traffic anywhere",
                        c.name
                    )
                } else {
                    format!(
                        "namespace {ns} of cluster {} has no default-deny NetworkPolicy for \
                         {missing}: pods its {} policies do not select are open in that direction",
                        c.name,
                        policies.len()
                    )
                };
                let mut draft = Draft::fail(account, region, resource, message).severity(severity);
                draft.identity.push(missing.to_string());
                for p in &policies {
                    draft = draft.evidence(
                        format!("NetworkPolicy {}/{}", p.namespace, p.name),
                        format!(
                            "selects {} for {}",
                            if p.pod_selector.match_labels.is_empty()
                                && p.pod_selector.match_expressions.is_empty()
                            {
                                "every pod".to_string()
                            } else {
                                "some pods".to_string()
                            },
                            effective_policy_types(p)
                                .iter()
                                .map(|t| format!("{t:?}").to_lowercase())
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    );
                }
                out.push(draft);
            }
        }
        out
    }

    /// Every namespace (of a cluster whose namespaces could not be read, the
    /// cluster); exempt ones do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let c = v.cluster;
            let namespaces = namespaces(c);
            if namespaces.is_empty() {
                if v.gap(&[KubeKind::Namespace]).is_some() {
                    // Its unknown finding always names it.
                    out.push(Scoped::pass(
                        account,
                        region,
                        v.cluster_resource(),
                        "namespaces were read",
                    ));
                }
                continue;
            }
            for ns in namespaces {
                let resource = v.namespace_resource(ns);
                if ctx.config.kubernetes.exempt(ns) {
                    out.push(Scoped::not_applicable(
                        account,
                        region,
                        resource,
                        "exempt: matches [kubernetes] exempt_namespaces",
                    ));
                    continue;
                }
                let policies = policies_in(c, ns);
                let reason = match (
                    covers(&policies, PolicyType::Ingress),
                    covers(&policies, PolicyType::Egress),
                ) {
                    (Some(i), Some(e)) if i.name == e.name => format!(
                        "NetworkPolicy {} selects every pod for ingress and egress",
                        i.name
                    ),
                    (Some(i), Some(e)) => format!(
                        "NetworkPolicy {} selects every pod for ingress, {} for egress",
                        i.name, e.name
                    ),
                    // A finding names it: the reason is never shown.
                    _ => "no default-deny NetworkPolicy".to_string(),
                };
                out.push(Scoped::pass(account, region, resource, reason));
            }
        }
        Some(out)
    }
}

/// The namespaces of `c`. Namespaces named by any object count too: a
/// `--kube-objects` file may hold policies and pods but no Namespace objects.
fn namespaces(c: &KubeCluster) -> BTreeSet<&str> {
    let mut namespaces: BTreeSet<&str> = c.namespaces.iter().map(|n| n.name.as_str()).collect();
    namespaces.extend(c.pods.iter().map(|p| p.namespace.as_str()));
    namespaces.extend(c.network_policies.iter().map(|p| p.namespace.as_str()));
    namespaces.extend(c.services.iter().map(|s| s.namespace.as_str()));
    namespaces
}

fn policies_in<'c>(c: &'c KubeCluster, ns: &str) -> Vec<&'c NetworkPolicy> {
    c.network_policies
        .iter()
        .filter(|p| p.namespace == ns)
        .collect()
}

/// The first policy that selects every pod for `t`, and no rule of which allows
/// everything (`ingress: [{}]` selects all and denies nothing).
fn covers<'c>(policies: &[&'c NetworkPolicy], t: PolicyType) -> Option<&'c NetworkPolicy> {
    policies
        .iter()
        .find(|p| {
            let rules = match t {
                PolicyType::Ingress => &p.ingress,
                PolicyType::Egress => &p.egress,
            };
            p.pod_selector.match_labels.is_empty()
                && p.pod_selector.match_expressions.is_empty()
                && effective_policy_types(p).contains(&t)
                && !rules
                    .iter()
                    .any(|r| r.peers.is_empty() && r.ports.is_empty())
        })
        .copied()
}
