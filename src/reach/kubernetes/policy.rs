//! Namespaced NetworkPolicy (networking.k8s.io/v1): which peers a rule matches and
//! the services the policies selecting a pod allow one peer, per direction.

use crate::inventory::{IpBlock, NetworkPolicy, NetworkPolicyPeer, PolicyType};

use super::super::sets::ServiceSet;
use super::ports::rule_ports;
use super::selector::selects;
use super::{ClusterIndex, End, PodId};

/// Whether `addr` is in the block (in `cidr`, in no `except`).
pub fn in_block(block: &IpBlock, addr: std::net::IpAddr) -> bool {
    block.cidr.contains(&addr) && !block.except.iter().any(|e| e.contains(&addr))
}

impl<'a> ClusterIndex<'a> {
    /// Whether one `from`/`to` element of `policy` matches `other`.
    pub(super) fn np_peer_matches(
        &self,
        policy: &NetworkPolicy,
        peer: &NetworkPolicyPeer,
        other: End<'_>,
    ) -> bool {
        if let Some(block) = &peer.ip_block {
            // ipBlock matches addresses, pods' included (the VPC CNI gives pods VPC
            // addresses; the upstream conformance suite puts pod IPs in ipBlocks).
            return self.end_addrs(other).iter().any(|a| in_block(block, *a));
        }
        let End::Pod(id) = other else {
            return false;
        };
        let pod = &self.cluster.pods[id];
        match (&peer.namespace_selector, &peer.pod_selector) {
            (None, None) => false,
            (None, Some(ps)) => pod.namespace == policy.namespace && selects(ps, &pod.labels),
            (Some(ns), ps) => {
                selects(ns, self.ns_labels_of(id))
                    && ps.as_ref().is_none_or(|ps| selects(ps, &pod.labels))
            }
        }
    }

    /// The services the policies selecting `subject` for `direction` allow with
    /// `other` (the source for ingress, the destination for egress), in total and
    /// per policy (only policies that allow something; only when `explain`).
    pub(super) fn np_allowed(
        &self,
        subject: PodId,
        direction: PolicyType,
        other: End<'_>,
        explain: bool,
    ) -> (ServiceSet, Vec<(usize, ServiceSet)>) {
        let policies = match direction {
            PolicyType::Ingress => &self.tables.ingress_of[subject],
            PolicyType::Egress => &self.tables.egress_of[subject],
        };
        // Named ports are the destination's: the subject for ingress, the peer for egress.
        let dst = match direction {
            PolicyType::Ingress => Some(&self.cluster.pods[subject]),
            PolicyType::Egress => match other {
                End::Pod(id) => Some(&self.cluster.pods[id]),
                End::Addrs(_) => None,
            },
        };
        let mut total = ServiceSet::empty();
        let mut each = Vec::new();
        for &pi in policies {
            let policy = &self.cluster.network_policies[pi];
            let rules = match direction {
                PolicyType::Ingress => &policy.ingress,
                PolicyType::Egress => &policy.egress,
            };
            let mut mine = ServiceSet::empty();
            for rule in rules {
                let matches = rule.peers.is_empty()
                    || rule
                        .peers
                        .iter()
                        .any(|p| self.np_peer_matches(policy, p, other));
                if matches {
                    mine = mine.union(&rule_ports(&rule.ports, dst));
                }
            }
            if !mine.is_empty() {
                total = total.union(&mine);
                if explain {
                    each.push((pi, mine));
                }
            }
        }
        (total, each)
    }
}
