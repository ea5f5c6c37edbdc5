//! Pod-level reachability: Kubernetes NetworkPolicy (networking.k8s.io/v1) and the
//! cluster-scoped Admin and Baseline tiers, evaluated exactly, as sets of services.
//!
//! SKELETON: the signatures below are the contract the checks are written against;
//! the bodies are placeholders until the engine lands.
//!
//! - `selector`: label selectors (matchLabels, matchExpressions);
//! - `policy`: one direction of one pod: the services its policies allow a peer;
//! - `enforcement`: whether the cluster's CNI enforces policies at all.

use std::net::IpAddr;

use crate::inventory::{KubeCluster, LabelSelector, Labels, Pod, PolicyType};

use super::sets::ServiceSet;

/// Index of a pod in `KubeCluster::pods`.
pub type PodId = usize;

/// One end of a connection as policies see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A pod of the cluster that policies apply to (not `hostNetwork`).
    Pod(PodId),
    /// Any other address: outside the cluster, a node, a `hostNetwork` pod. Only
    /// `ipBlock` (and cluster policies' `networks`) match it.
    Ip(IpAddr),
}

/// What one direction's policies decided, with the policies that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// The services allowed (for the egress side: what the source may send; for the
    /// ingress side: what the destination admits).
    pub services: ServiceSet,
    /// Why, one line per deciding object: `NetworkPolicy ns/name allows tcp 80`,
    /// `not isolated for egress (no NetworkPolicy selects it)`,
    /// `ClusterNetworkPolicy name (Admin, priority 10) denies ...`.
    pub reasons: Vec<String>,
}

/// The services `src` may open on `dst`: egress of the source, ingress of the
/// destination; `services` is their intersection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub services: ServiceSet,
    /// `None` when `src` is not a pod (nothing in the cluster filters its egress).
    pub egress: Option<Side>,
    /// `None` when `dst` is not a pod.
    pub ingress: Option<Side>,
    /// Set when part of the answer could not be decided (e.g. a cluster policy peer
    /// given by domain names); `services` is then what is certainly allowed.
    pub unknown: Option<String>,
}

/// A cluster indexed once for repeated questions.
pub struct ClusterIndex<'a> {
    pub cluster: &'a KubeCluster,
}

impl<'a> ClusterIndex<'a> {
    pub fn new(cluster: &'a KubeCluster) -> ClusterIndex<'a> {
        ClusterIndex { cluster }
    }

    pub fn pod(&self, id: PodId) -> &'a Pod {
        &self.cluster.pods[id]
    }

    /// The pod of the cluster with this address (not `hostNetwork`), if any.
    pub fn pod_by_ip(&self, _ip: IpAddr) -> Option<PodId> {
        None
    }

    /// The peer an address is to policies: the pod that has it, else the address.
    pub fn peer_for_ip(&self, ip: IpAddr) -> Peer {
        self.pod_by_ip(ip).map_or(Peer::Ip(ip), Peer::Pod)
    }

    /// Whether any NetworkPolicy of the pod's namespace selects it for `direction`
    /// (policyTypes inferred when omitted).
    pub fn isolated(&self, _pod: PodId, _direction: PolicyType) -> bool {
        false
    }

    /// Indices into `cluster.network_policies` of the policies that select `pod` for
    /// `direction`.
    pub fn policies_for(&self, _pod: PodId, _direction: PolicyType) -> Vec<usize> {
        Vec::new()
    }

    /// The services `src` may open on `dst` under every tier of policy.
    pub fn allowed(&self, _src: Peer, _dst: Peer) -> Allowed {
        Allowed {
            services: ServiceSet::all(),
            egress: None,
            ingress: None,
            unknown: None,
        }
    }

    /// Groups of pods that every policy treats alike, as either end of any
    /// connection (same namespace, labels, named ports, service account and
    /// `ipBlock` atoms of their addresses); each group sorted, groups ordered by
    /// their first pod.
    pub fn pod_classes(&self) -> Vec<Vec<PodId>> {
        (0..self.cluster.pods.len()).map(|i| vec![i]).collect()
    }
}

/// Whether `selector` selects an object with `labels`.
pub fn selects(_selector: &LabelSelector, _labels: &Labels) -> bool {
    false
}

/// Whether the cluster's CNI enforces NetworkPolicies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enforcement {
    /// `by`: what enforces them, e.g. `VPC CNI network policy agent (vpc-cni add-on
    /// enableNetworkPolicy)`, `Calico (calico-node DaemonSet)`.
    Enforced {
        by: String,
    },
    /// `why`: e.g. `VPC CNI with network policy off (the default)`.
    NotEnforced {
        why: String,
    },
    Unknown {
        why: String,
    },
}

/// Decides enforcement from the cluster's DaemonSets and, for EKS, its `vpc-cni`
/// add-on configuration.
pub fn enforcement(
    _cluster: &KubeCluster,
    _eks: Option<&crate::inventory::EksCluster>,
) -> Enforcement {
    Enforcement::Unknown {
        why: "not evaluated yet".into(),
    }
}
pub mod vpc;

/// The directions a policy applies to: `policyTypes` as written, or, when omitted,
/// Ingress, plus Egress when the policy has egress rules.
pub fn effective_policy_types(policy: &crate::inventory::NetworkPolicy) -> Vec<PolicyType> {
    match &policy.policy_types {
        Some(types) => types.clone(),
        None if policy.egress.is_empty() => vec![PolicyType::Ingress],
        None => vec![PolicyType::Ingress, PolicyType::Egress],
    }
}
