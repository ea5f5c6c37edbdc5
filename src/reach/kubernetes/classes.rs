//! Pods every policy treats alike, as either end of any connection. Two pods are
//! alike when they share the namespace, the values of every label key any selector
//! reads, their named container ports, service account, `hostNetwork`, and on which
//! side of every `ipBlock`, `except` and `networks` CIDR each of their addresses
//! falls. Everything the engine looks at is then equal for them.

use std::collections::{BTreeSet, HashMap};

use crate::inventory::{
    ClusterPolicyPeer, ClusterPolicySubject, KubeCluster, KubeProtocol, LabelSelector,
};

use super::selector::keys;
use super::{ClusterIndex, PodId};

/// Every label key a selector of the cluster reads (pod selectors only: namespace
/// selectors are covered by the namespace itself).
fn pod_label_keys(c: &KubeCluster) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |s: &LabelSelector| out.extend(keys(s).map(str::to_string));
    for p in &c.network_policies {
        add(&p.pod_selector);
        for rule in p.ingress.iter().chain(&p.egress) {
            for peer in &rule.peers {
                if let Some(s) = &peer.pod_selector {
                    add(s);
                }
            }
        }
    }
    for cnp in &c.cluster_network_policies {
        if let ClusterPolicySubject::Pods { pod_selector, .. } = &cnp.subject {
            add(pod_selector);
        }
        for rule in cnp.ingress.iter().chain(&cnp.egress) {
            for peer in &rule.peers {
                if let ClusterPolicyPeer::Pods { pod_selector, .. } = peer {
                    add(pod_selector);
                }
            }
        }
    }
    out
}

/// Every CIDR that cuts address space for some policy.
fn cidrs(c: &KubeCluster) -> Vec<ipnet::IpNet> {
    let mut out = BTreeSet::new();
    for p in &c.network_policies {
        for rule in p.ingress.iter().chain(&p.egress) {
            for peer in &rule.peers {
                if let Some(b) = &peer.ip_block {
                    out.insert(b.cidr);
                    out.extend(b.except.iter().copied());
                }
            }
        }
    }
    for cnp in &c.cluster_network_policies {
        for rule in cnp.ingress.iter().chain(&cnp.egress) {
            for peer in &rule.peers {
                if let ClusterPolicyPeer::Networks(nets) = peer {
                    out.extend(nets.iter().copied());
                }
            }
        }
    }
    out.into_iter().collect()
}

#[derive(PartialEq, Eq, Hash)]
struct Key<'c> {
    namespace: &'c str,
    labels: Vec<Option<&'c str>>,
    named_ports: BTreeSet<(&'c str, KubeProtocol, u16)>,
    service_account: Option<&'c str>,
    host_network: bool,
    /// Per address, which CIDRs hold it (as a bit string).
    atoms: BTreeSet<Vec<u64>>,
}

pub(super) fn pod_classes(index: &ClusterIndex<'_>) -> Vec<Vec<PodId>> {
    let c = index.cluster;
    let label_keys: Vec<String> = pod_label_keys(c).into_iter().collect();
    let nets = cidrs(c);
    let mut groups: HashMap<Key<'_>, usize> = HashMap::new();
    let mut out: Vec<Vec<PodId>> = Vec::new();
    for (id, pod) in c.pods.iter().enumerate() {
        let atoms = pod
            .ips
            .iter()
            .map(|ip| {
                let mut bits = vec![0u64; nets.len().div_ceil(64)];
                for (i, n) in nets.iter().enumerate() {
                    if n.contains(ip) {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
                bits
            })
            .collect();
        let key = Key {
            namespace: &pod.namespace,
            labels: label_keys
                .iter()
                .map(|k| pod.labels.get(k).map(String::as_str))
                .collect(),
            named_ports: pod
                .ports
                .iter()
                .filter_map(|p| Some((p.name.as_deref()?, p.protocol, p.container_port)))
                .collect(),
            service_account: pod.service_account.as_deref(),
            host_network: pod.host_network,
            atoms,
        };
        match groups.get(&key) {
            Some(&g) => out[g].push(id),
            None => {
                groups.insert(key, out.len());
                out.push(vec![id]);
            }
        }
    }
    out
}
