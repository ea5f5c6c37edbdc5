//! Pod-level reachability: Kubernetes NetworkPolicy (networking.k8s.io/v1) and the
//! cluster-scoped Admin and Baseline tiers, evaluated exactly, as sets of services.
//!
//! - [`selector`]: label selectors (matchLabels, matchExpressions);
//! - `index`: what is computed once per cluster (which policies select which pod);
//! - `policy`: NetworkPolicy peers and rules;
//! - `tiers`: one direction of one pod under Admin, NetworkPolicy and Baseline;
//! - `ports`: policy ports (numbers, ranges, named container ports) as service sets;
//! - `classes`: pods every policy treats alike, so checks evaluate one of each;
//! - `services`: a Service's backend pods and target ports;
//! - [`mod@enforcement`]: whether the cluster's CNI enforces policies at all.
//!
//! Choices where the API leaves room, so findings can cite them:
//! - `ipBlock` (and cluster policies' `networks`) match any address, pods' included
//!   (the VPC CNI gives pods VPC addresses; the upstream conformance suite puts pod
//!   IPs in ipBlocks); a pod matches when any of its addresses does;
//! - `hostNetwork` pods are not subject to policies and are matched only by address;
//! - cluster policies of equal priority are taken in name order (the API leaves the
//!   order to the implementation); an Admin `Pass` hands the traffic to
//!   NetworkPolicy, then Baseline; a Baseline `Pass` ends the tier (allowed);
//! - `domainNames` peers cannot be resolved: the answer is what every resolution
//!   allows, and `Allowed::unknown` says so.
//!
//! For sweeps over many pairs use [`ClusterIndex::allowed_services`] (no
//! explanations) over one pod per [`ClusterIndex::pod_classes`] class, then
//! [`ClusterIndex::allowed`] for the pairs worth reporting.

mod classes;
pub mod enforcement;
mod index;
mod policy;
pub mod ports;
pub mod selector;
mod services;
mod tiers;
pub mod vpc;

#[cfg(test)]
mod tests;

use std::net::IpAddr;

use crate::inventory::{KubeCluster, Labels, Pod, PolicyType};

use super::sets::ServiceSet;

pub use enforcement::{enforcement, Enforcement};
pub use index::{effective_policy_types, policy_types};
pub use policy::in_block;
pub use selector::selects;

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

/// One end as the evaluation sees it: a pod policies apply to, or addresses (an
/// outside address, or a `hostNetwork` pod's).
#[derive(Debug, Clone, Copy)]
pub(crate) enum End<'p> {
    Pod(PodId),
    Addrs(&'p [IpAddr]),
}

/// A cluster indexed once for repeated questions.
pub struct ClusterIndex<'a> {
    pub cluster: &'a KubeCluster,
    tables: index::Tables,
}

impl<'a> ClusterIndex<'a> {
    pub fn new(cluster: &'a KubeCluster) -> ClusterIndex<'a> {
        ClusterIndex {
            cluster,
            tables: index::Tables::build(cluster),
        }
    }

    pub fn pod(&self, id: PodId) -> &'a Pod {
        &self.cluster.pods[id]
    }

    /// The pod of the cluster with this address (not `hostNetwork`), if any.
    pub fn pod_by_ip(&self, ip: IpAddr) -> Option<PodId> {
        self.tables.by_ip.get(&ip).copied()
    }

    /// The peer an address is to policies: the pod that has it, else the address.
    pub fn peer_for_ip(&self, ip: IpAddr) -> Peer {
        self.pod_by_ip(ip).map_or(Peer::Ip(ip), Peer::Pod)
    }

    /// Whether any NetworkPolicy of the pod's namespace selects it for `direction`
    /// (policyTypes inferred when omitted).
    pub fn isolated(&self, pod: PodId, direction: PolicyType) -> bool {
        !self.policies_ref(pod, direction).is_empty()
    }

    /// Indices into `cluster.network_policies` of the policies that select `pod` for
    /// `direction`.
    pub fn policies_for(&self, pod: PodId, direction: PolicyType) -> Vec<usize> {
        self.policies_ref(pod, direction).to_vec()
    }

    /// Indices into `cluster.cluster_network_policies` of the Admin-tier and
    /// Baseline-tier policies whose subject selects `pod`, in evaluation order.
    pub fn cluster_policies_for(&self, pod: PodId) -> (&[usize], &[usize]) {
        match (
            self.tables.admin_of.get(pod),
            self.tables.baseline_of.get(pod),
        ) {
            (Some(a), Some(b)) => (a, b),
            _ => (&[], &[]),
        }
    }

    fn policies_ref(&self, pod: PodId, direction: PolicyType) -> &[usize] {
        let table = match direction {
            PolicyType::Ingress => &self.tables.ingress_of,
            PolicyType::Egress => &self.tables.egress_of,
        };
        table.get(pod).map_or(&[], Vec::as_slice)
    }

    /// The services `src` may open on `dst` under every tier of policy.
    pub fn allowed(&self, src: Peer, dst: Peer) -> Allowed {
        self.evaluate(src, dst, true)
    }

    /// The services only: `allowed(src, dst).services`, without building the
    /// explanations (several times faster; for sweeping many pairs, then asking
    /// `allowed` about the few worth reporting).
    pub fn allowed_services(&self, src: Peer, dst: Peer) -> ServiceSet {
        self.evaluate(src, dst, false).services
    }

    fn evaluate(&self, src: Peer, dst: Peer, explain: bool) -> Allowed {
        let (src_addr, dst_addr);
        let src_end = match src {
            Peer::Pod(id) => self.end_of_pod(id),
            Peer::Ip(ip) => {
                src_addr = ip;
                End::Addrs(std::slice::from_ref(&src_addr))
            }
        };
        let dst_end = match dst {
            Peer::Pod(id) => self.end_of_pod(id),
            Peer::Ip(ip) => {
                dst_addr = ip;
                End::Addrs(std::slice::from_ref(&dst_addr))
            }
        };
        let mut unknown = Vec::new();
        let egress = match src_end {
            End::Pod(id) => {
                let (side, why) = self.side(id, PolicyType::Egress, dst_end, explain);
                unknown.extend(why.map(|w| format!("egress: {w}")));
                Some(side)
            }
            End::Addrs(_) => None,
        };
        // Nothing gets through: the ingress side cannot change the answer.
        let ingress = match dst_end {
            End::Pod(id) if explain || egress.as_ref().is_none_or(|s| !s.services.is_empty()) => {
                let (side, why) = self.side(id, PolicyType::Ingress, src_end, explain);
                unknown.extend(why.map(|w| format!("ingress: {w}")));
                Some(side)
            }
            _ => None,
        };
        let services = match (&egress, &ingress) {
            (Some(e), Some(i)) => e.services.intersection(&i.services),
            (Some(s), None) | (None, Some(s)) => s.services.clone(),
            (None, None) => ServiceSet::all(),
        };
        Allowed {
            services,
            egress,
            ingress,
            unknown: (!unknown.is_empty()).then(|| unknown.join("; ")),
        }
    }

    /// Groups of pods that every policy treats alike, as either end of any
    /// connection (same namespace, labels, named ports, service account and
    /// `ipBlock` atoms of their addresses); each group sorted, groups ordered by
    /// their first pod.
    pub fn pod_classes(&self) -> Vec<Vec<PodId>> {
        classes::pod_classes(self)
    }

    /// The labels of a pod's namespace (with `kubernetes.io/metadata.name`).
    pub fn namespace_labels(&self, pod: PodId) -> &Labels {
        self.ns_labels_of(pod)
    }

    fn ns_labels_of(&self, pod: PodId) -> &Labels {
        &self.tables.ns_labels[self.tables.pod_ns[pod]]
    }

    /// A `hostNetwork` pod is its addresses to policies.
    fn end_of_pod(&self, id: PodId) -> End<'a> {
        let pod = &self.cluster.pods[id];
        if index::policy_pod(pod) {
            End::Pod(id)
        } else {
            End::Addrs(&pod.ips)
        }
    }

    fn end_addrs<'p>(&self, end: End<'p>) -> &'p [IpAddr]
    where
        'a: 'p,
    {
        match end {
            End::Pod(id) => &self.cluster.pods[id].ips,
            End::Addrs(a) => a,
        }
    }

    fn describe_end(&self, end: End<'_>) -> String {
        match end {
            End::Pod(id) => {
                let p = &self.cluster.pods[id];
                format!("pod {}/{}", p.namespace, p.name)
            }
            End::Addrs([one]) => one.to_string(),
            End::Addrs(many) => {
                let list: Vec<String> = many.iter().map(|a| a.to_string()).collect();
                format!("host network address {}", list.join(", "))
            }
        }
    }
}
