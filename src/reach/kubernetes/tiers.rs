//! One direction of one pod under every tier: the Admin tier of cluster policies
//! (first matching rule by priority decides: Accept, Deny, or Pass to the next tier),
//! then the namespaced NetworkPolicies (when any isolates the pod they decide the
//! rest), then, only for a pod no NetworkPolicy isolates, the Baseline tier; what no
//! tier decides is allowed. Computed as exact service sets, not port by port.

use crate::inventory::{
    ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyRule, Pod,
    PolicyType,
};

use super::super::sets::ServiceSet;
use super::ports::cluster_rule_ports;
use super::selector::selects;
use super::{ClusterIndex, End, PodId, Side};

/// Past this many rules given by domain names for one question, the engine does not
/// try every combination of them and answers with what no combination can deny.
const MAX_DOMAIN_RULES: usize = 6;

fn direction_word(d: PolicyType) -> &'static str {
    match d {
        PolicyType::Ingress => "ingress",
        PolicyType::Egress => "egress",
    }
}

fn rules(cnp: &ClusterNetworkPolicy, d: PolicyType) -> &[ClusterPolicyRule] {
    match d {
        PolicyType::Ingress => &cnp.ingress,
        PolicyType::Egress => &cnp.egress,
    }
}

/// A rule's identity for domain-name guesses: (cluster policy, direction, rule).
type RuleKey = (usize, bool, usize);

impl<'a> ClusterIndex<'a> {
    /// Whether a cluster policy peer matches `other`; `None` when it cannot be told
    /// (domain names against an address).
    fn cnp_peer_matches(&self, peer: &ClusterPolicyPeer, other: End<'_>) -> Option<bool> {
        match peer {
            ClusterPolicyPeer::Namespaces(sel) => Some(match other {
                End::Pod(id) => selects(sel, self.ns_labels_of(id)),
                End::Addrs(_) => false,
            }),
            ClusterPolicyPeer::Pods {
                namespace_selector,
                pod_selector,
            } => Some(match other {
                End::Pod(id) => {
                    selects(namespace_selector, self.ns_labels_of(id))
                        && selects(pod_selector, &self.cluster.pods[id].labels)
                }
                End::Addrs(_) => false,
            }),
            // Networks also match pods by address (the API warns that 0.0.0.0/0
            // covers pod-to-pod traffic too).
            ClusterPolicyPeer::Networks(nets) => Some(
                self.end_addrs(other)
                    .iter()
                    .any(|a| nets.iter().any(|n| n.contains(a))),
            ),
            ClusterPolicyPeer::DomainNames(_) => match other {
                End::Pod(_) => Some(false),
                End::Addrs(_) => None,
            },
        }
    }

    /// Whether a rule matches `other`: `Some` when certain, else `None`.
    fn cnp_rule_matches(&self, rule: &ClusterPolicyRule, other: End<'_>) -> Option<bool> {
        let mut unsure = false;
        for p in &rule.peers {
            match self.cnp_peer_matches(p, other) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unsure = true,
            }
        }
        if unsure {
            None
        } else {
            Some(false)
        }
    }

    /// The rules of the tiers applying to `subject` whose match on `other` is
    /// unknown.
    fn uncertain_rules(&self, subject: PodId, d: PolicyType, other: End<'_>) -> Vec<RuleKey> {
        let mut out = Vec::new();
        let egress = d == PolicyType::Egress;
        for &c in self.tables.admin_of[subject]
            .iter()
            .chain(&self.tables.baseline_of[subject])
        {
            for (ri, rule) in rules(&self.cluster.cluster_network_policies[c], d)
                .iter()
                .enumerate()
            {
                if self.cnp_rule_matches(rule, other).is_none() {
                    out.push((c, egress, ri));
                }
            }
        }
        out
    }

    /// The side of `subject` for direction `d` against `other`, and why it could not
    /// be fully decided, if so.
    pub(super) fn side(
        &self,
        subject: PodId,
        d: PolicyType,
        other: End<'_>,
        explain: bool,
    ) -> (Side, Option<String>) {
        let unsure = if self.tables.domain_names {
            self.uncertain_rules(subject, d, other)
        } else {
            Vec::new()
        };
        if unsure.is_empty() {
            return (self.side_with(subject, d, other, &[], explain), None);
        }
        let why = format!(
            "{} cluster policy rule(s) match by domain name, which vpcaudit cannot resolve; \
             the services shown are those allowed whatever the names resolve to",
            unsure.len()
        );
        if unsure.len() > MAX_DOMAIN_RULES {
            let side = Side {
                services: ServiceSet::empty(),
                reasons: vec![format!(
                    "{why} (too many to combine: none counted as certain)"
                )],
            };
            return (side, Some(why));
        }
        // Every combination of the unknown rules matching or not; what all of them
        // allow is certain.
        let mut certain: Option<Side> = None;
        for mask in 0u32..(1 << unsure.len()) {
            let matching: Vec<RuleKey> = unsure
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| *k)
                .collect();
            let s = self.side_with(subject, d, other, &matching, explain);
            certain = Some(match certain {
                None => s,
                Some(mut c) => {
                    c.services = c.services.intersection(&s.services);
                    c
                }
            });
        }
        let mut side = certain.unwrap_or(Side {
            services: ServiceSet::empty(),
            reasons: Vec::new(),
        });
        side.reasons.push(why.clone());
        (side, Some(why))
    }

    /// One evaluation, with the rules in `matching` taken to match and every other
    /// uncertain rule taken not to.
    fn side_with(
        &self,
        subject: PodId,
        d: PolicyType,
        other: End<'_>,
        matching: &[RuleKey],
        explain: bool,
    ) -> Side {
        let dir = direction_word(d);
        let peer = if explain {
            self.describe_end(other)
        } else {
            String::new()
        };
        let dst = match d {
            PolicyType::Ingress => Some(&self.cluster.pods[subject]),
            PolicyType::Egress => match other {
                End::Pod(id) => Some(&self.cluster.pods[id]),
                End::Addrs(_) => None,
            },
        };
        let mut reasons = Vec::new();
        let mut allowed = ServiceSet::empty();
        // Not yet decided by the Admin tier (passed services are decided: they go
        // on to NetworkPolicy without meeting later Admin rules).
        let mut open = ServiceSet::all();
        let mut passed = ServiceSet::empty();
        let admin = &self.tables.admin_of[subject];
        for (cnp, rule, s) in self.first_matches(admin, d, other, matching, dst, &mut open) {
            match rule.action {
                ClusterPolicyAction::Accept => allowed = allowed.union(&s),
                ClusterPolicyAction::Deny => {}
                ClusterPolicyAction::Pass => passed = passed.union(&s),
            }
            if explain {
                let what = match rule.action {
                    ClusterPolicyAction::Accept => format!("accepts {s}"),
                    ClusterPolicyAction::Deny => format!("denies {s}"),
                    ClusterPolicyAction::Pass => format!("passes {s} on to NetworkPolicy"),
                };
                reasons.push(tier_reason(cnp, rule, "Admin", &what, dir, &peer));
            }
        }
        let rest = open.union(&passed);
        if rest.is_empty() {
            return Side {
                services: allowed,
                reasons,
            };
        }
        let policies = match d {
            PolicyType::Ingress => &self.tables.ingress_of[subject],
            PolicyType::Egress => &self.tables.egress_of[subject],
        };
        if !policies.is_empty() {
            let (np, each) = self.np_allowed(subject, d, other, explain);
            let granted = np.intersection(&rest);
            for (pi, s) in each {
                let s = s.intersection(&rest);
                if !s.is_empty() {
                    let p = &self.cluster.network_policies[pi];
                    if explain {
                        reasons.push(format!(
                            "NetworkPolicy {}/{} allows {s} for {dir} with {peer}",
                            p.namespace, p.name
                        ));
                    }
                }
            }
            let denied = rest.difference(&granted);
            if !denied.is_empty() {
                let names: Vec<String> = policies
                    .iter()
                    .map(|&pi| {
                        let p = &self.cluster.network_policies[pi];
                        format!("{}/{}", p.namespace, p.name)
                    })
                    .collect();
                let what = if granted.is_empty() {
                    "anything"
                } else {
                    "anything else"
                };
                if explain {
                    reasons.push(format!(
                        "isolated for {dir} by NetworkPolicy {}: no rule allows {what} with {peer}",
                        names.join(", ")
                    ));
                }
            }
            allowed = allowed.union(&granted);
            return Side {
                services: allowed,
                reasons,
            };
        }
        if explain {
            reasons.push(format!(
                "not isolated for {dir}: no NetworkPolicy selects it"
            ));
        }
        let mut open = rest;
        let baseline = &self.tables.baseline_of[subject];
        for (cnp, rule, s) in self.first_matches(baseline, d, other, matching, dst, &mut open) {
            // Pass skips the rest of the last tier: the default (allow) applies.
            if rule.action != ClusterPolicyAction::Deny {
                allowed = allowed.union(&s);
            }
            if explain {
                let what = match rule.action {
                    ClusterPolicyAction::Accept => format!("accepts {s}"),
                    ClusterPolicyAction::Pass => {
                        format!("passes {s} (no tier after Baseline: allowed by default)")
                    }
                    ClusterPolicyAction::Deny => format!("denies {s}"),
                };
                reasons.push(tier_reason(cnp, rule, "Baseline", &what, dir, &peer));
            }
        }
        allowed = allowed.union(&open);
        Side {
            services: allowed,
            reasons,
        }
    }
}

impl<'a> ClusterIndex<'a> {
    /// First match within one tier: the rules of `policies` (in evaluation order)
    /// that match `other`, each with the services it decides, those not decided by
    /// an earlier rule; `open` loses them. Uncertain rules match when in `matching`.
    fn first_matches(
        &self,
        policies: &[usize],
        d: PolicyType,
        other: End<'_>,
        matching: &[RuleKey],
        dst: Option<&Pod>,
        open: &mut ServiceSet,
    ) -> Vec<(&'a ClusterNetworkPolicy, &'a ClusterPolicyRule, ServiceSet)> {
        let egress = d == PolicyType::Egress;
        let mut out = Vec::new();
        for &c in policies {
            let cnp = &self.cluster.cluster_network_policies[c];
            for (ri, rule) in rules(cnp, d).iter().enumerate() {
                let hit = self
                    .cnp_rule_matches(rule, other)
                    .unwrap_or_else(|| matching.contains(&(c, egress, ri)));
                if !hit {
                    continue;
                }
                let s = cluster_rule_ports(rule.ports.as_deref(), dst).intersection(open);
                if s.is_empty() {
                    continue;
                }
                *open = open.difference(&s);
                out.push((cnp, rule, s));
            }
        }
        out
    }
}

/// `ClusterNetworkPolicy name (Admin tier, priority 10) rule r accepts ... for ingress
/// with ...`.
fn tier_reason(
    cnp: &ClusterNetworkPolicy,
    rule: &ClusterPolicyRule,
    tier: &str,
    what: &str,
    dir: &str,
    peer: &str,
) -> String {
    format!(
        "ClusterNetworkPolicy {} ({tier} tier, priority {}){} {what} for {dir} with {peer}",
        cnp.name,
        cnp.priority,
        rule_name(rule),
    )
}

fn rule_name(rule: &ClusterPolicyRule) -> String {
    match &rule.name {
        Some(n) => format!(" rule {n}"),
        None => String::new(),
    }
}
