//! What `ClusterIndex::new` computes once: namespace labels, pods by address, the
//! NetworkPolicies and cluster policies that select each pod, per direction.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::inventory::{
    ClusterPolicyPeer, ClusterPolicySubject, KubeCluster, Labels, NetworkPolicy, Pod, PolicyTier,
    PolicyType,
};

use super::selector::{selects, NAMESPACE_NAME_LABEL};
use super::PodId;

/// The precomputed part of a `ClusterIndex`.
#[derive(Debug, Default)]
pub(super) struct Tables {
    /// Labels of each namespace, with `kubernetes.io/metadata.name` always present.
    pub ns_labels: Vec<Labels>,
    /// Index into `ns_labels` of each pod's namespace.
    pub pod_ns: Vec<usize>,
    pub by_ip: HashMap<IpAddr, PodId>,
    /// Per pod: the NetworkPolicies selecting it for ingress / egress.
    pub ingress_of: Vec<Vec<usize>>,
    pub egress_of: Vec<Vec<usize>>,
    /// Per pod: the Admin / Baseline cluster policies whose subject selects it,
    /// in evaluation order (priority, then name).
    pub admin_of: Vec<Vec<usize>>,
    pub baseline_of: Vec<Vec<usize>>,
    /// Whether any cluster policy names peers by domain name (answers may then be
    /// uncertain).
    pub domain_names: bool,
}

/// The directions a policy applies to: `policyTypes` as written, else Ingress plus
/// Egress when it has egress rules.
pub fn policy_types(p: &NetworkPolicy) -> (bool, bool) {
    match &p.policy_types {
        // The API server defaults an empty list as it does an omitted one.
        Some(types) if !types.is_empty() => (
            types.contains(&PolicyType::Ingress),
            types.contains(&PolicyType::Egress),
        ),
        _ => (true, !p.egress.is_empty()),
    }
}

/// [`policy_types`] as a list, in the API's order.
pub fn effective_policy_types(p: &NetworkPolicy) -> Vec<PolicyType> {
    let (ingress, egress) = policy_types(p);
    [(ingress, PolicyType::Ingress), (egress, PolicyType::Egress)]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect()
}

/// Whether a pod is one policies apply to and match as a pod.
pub fn policy_pod(pod: &Pod) -> bool {
    !pod.host_network
}

fn finished(pod: &Pod) -> bool {
    matches!(pod.phase.as_deref(), Some("Succeeded") | Some("Failed"))
}

impl Tables {
    pub fn build(cluster: &KubeCluster) -> Tables {
        let mut ns_index: HashMap<&str, usize> = HashMap::new();
        let mut ns_labels = Vec::new();
        for ns in &cluster.namespaces {
            let mut labels = ns.labels.clone();
            labels
                .entry(NAMESPACE_NAME_LABEL.to_string())
                .or_insert_with(|| ns.name.clone());
            ns_index.insert(ns.name.as_str(), ns_labels.len());
            ns_labels.push(labels);
        }
        let mut pod_ns = Vec::with_capacity(cluster.pods.len());
        let mut pods_of_ns: Vec<Vec<PodId>> = vec![Vec::new(); ns_labels.len()];
        for (id, pod) in cluster.pods.iter().enumerate() {
            // A pod whose namespace was not read still has the name label.
            let n = *ns_index.entry(pod.namespace.as_str()).or_insert_with(|| {
                let labels =
                    Labels::from([(NAMESPACE_NAME_LABEL.to_string(), pod.namespace.clone())]);
                ns_labels.push(labels);
                pods_of_ns.push(Vec::new());
                ns_labels.len() - 1
            });
            pod_ns.push(n);
            if policy_pod(pod) {
                pods_of_ns[n].push(id);
            }
        }

        let mut by_ip: HashMap<IpAddr, PodId> = HashMap::new();
        for (id, pod) in cluster.pods.iter().enumerate() {
            if !policy_pod(pod) {
                continue;
            }
            for ip in &pod.ips {
                // A finished pod's address may already belong to a new pod.
                match by_ip.get(ip) {
                    Some(&old) if !finished(&cluster.pods[old]) || finished(pod) => {}
                    _ => {
                        by_ip.insert(*ip, id);
                    }
                }
            }
        }

        let n = cluster.pods.len();
        let mut ingress_of = vec![Vec::new(); n];
        let mut egress_of = vec![Vec::new(); n];
        for (pi, policy) in cluster.network_policies.iter().enumerate() {
            let (ing, eg) = policy_types(policy);
            if !ing && !eg {
                continue;
            }
            let Some(&ns) = ns_index.get(policy.namespace.as_str()) else {
                continue;
            };
            for &id in &pods_of_ns[ns] {
                if selects(&policy.pod_selector, &cluster.pods[id].labels) {
                    if ing {
                        ingress_of[id].push(pi);
                    }
                    if eg {
                        egress_of[id].push(pi);
                    }
                }
            }
        }

        let mut order: Vec<usize> = (0..cluster.cluster_network_policies.len()).collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (
                &cluster.cluster_network_policies[a],
                &cluster.cluster_network_policies[b],
            );
            (pa.priority, &pa.name).cmp(&(pb.priority, &pb.name))
        });
        let mut admin_of = vec![Vec::new(); n];
        let mut baseline_of = vec![Vec::new(); n];
        for &c in &order {
            let cnp = &cluster.cluster_network_policies[c];
            for (id, pod) in cluster.pods.iter().enumerate() {
                if !policy_pod(pod) {
                    continue;
                }
                let ns = &ns_labels[pod_ns[id]];
                let hit = match &cnp.subject {
                    ClusterPolicySubject::Namespaces(sel) => selects(sel, ns),
                    ClusterPolicySubject::Pods {
                        namespace_selector,
                        pod_selector,
                    } => selects(namespace_selector, ns) && selects(pod_selector, &pod.labels),
                };
                if hit {
                    match cnp.tier {
                        PolicyTier::Admin => admin_of[id].push(c),
                        PolicyTier::Baseline => baseline_of[id].push(c),
                    }
                }
            }
        }

        let domain_names = cluster.cluster_network_policies.iter().any(|p| {
            p.ingress
                .iter()
                .chain(&p.egress)
                .flat_map(|r| &r.peers)
                .any(|peer| matches!(peer, ClusterPolicyPeer::DomainNames(_)))
        });
        Tables {
            domain_names,
            ns_labels,
            pod_ns,
            by_ip,
            ingress_of,
            egress_of,
            admin_of,
            baseline_of,
        }
    }
}
