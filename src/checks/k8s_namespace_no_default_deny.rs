//! `k8s-namespace-no-default-deny`: a namespace where some pods are open by default
//! because no policy selects them all.

use std::collections::BTreeSet;

use crate::finding::Severity;
use crate::inventory::{KubeKind, PolicyType};
use crate::reach::kubernetes::effective_policy_types;

use super::context::{Context, Draft};
use super::Check;

pub struct K8sNamespaceNoDefaultDeny;

impl Check for K8sNamespaceNoDefaultDeny {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let c = v.cluster;
            // Namespaces named by any object count too: a `--kube-objects` file may
            // hold policies and pods but no Namespace objects.
            let mut namespaces: BTreeSet<&str> =
                c.namespaces.iter().map(|n| n.name.as_str()).collect();
            namespaces.extend(c.pods.iter().map(|p| p.namespace.as_str()));
            namespaces.extend(c.network_policies.iter().map(|p| p.namespace.as_str()));
            namespaces.extend(c.services.iter().map(|s| s.namespace.as_str()));
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
                let policies: Vec<_> = c
                    .network_policies
                    .iter()
                    .filter(|p| p.namespace == ns)
                    .collect();
                // Selects every pod for the direction, and no rule of it allows
                // everything (`ingress: [{}]` selects all and denies nothing).
                let covers = |t: PolicyType| {
                    policies.iter().find(|p| {
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
                };
                let ingress = covers(PolicyType::Ingress);
                let egress = covers(PolicyType::Egress);
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
}
