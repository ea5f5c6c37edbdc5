//! A pod's connection through both planes: first its NetworkPolicies (and cluster
//! policy tiers), then the VPC as for any ENI: the security groups of the ENI that
//! carries the pod's address (the node's ENI, whose secondary addresses the VPC CNI
//! hands to pods, or a SecurityGroupPolicy pod's branch ENI), NACLs, routes, NAT and
//! Network Firewall.
//!
//! Toward the internet the VPC CNI translates a pod's source address to its node's
//! primary address (`AWS_VPC_K8S_CNI_EXTERNALSNAT=false`, the default), which is the
//! address the VPC engine starts from, so the VPC leg is exactly the node ENI's.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::inventory::{Inventory, KubeCluster, PortRange};

use super::{ClusterIndex, Enforcement, Peer, PodId};
use crate::reach::explain::Code;
use crate::reach::path::{egress_trace, eni_to_eni_with, EgressPath};
use crate::reach::sets::ServicePoint;
use crate::reach::verdict::{describe_point, Evaluation, Step};
use crate::reach::Model;

/// Every collected ENI address of the cluster's account and region (all regions
/// when the cluster's are not known), to find the ENI that carries a pod.
pub struct PodEnis<'a> {
    by_ip: HashMap<IpAddr, &'a str>,
    /// Whether any AWS data was collected at all (a `--kube-objects` scan has none).
    have_aws: bool,
}

impl<'a> PodEnis<'a> {
    pub fn new(inv: &'a Inventory, cluster: &KubeCluster) -> PodEnis<'a> {
        let mut by_ip = HashMap::new();
        let mut have_aws = false;
        for (account, ri) in inv.regions() {
            let same_account = cluster.account_id.as_deref().is_none_or(|a| a == account);
            let same_region = cluster.region.as_deref().is_none_or(|r| r == ri.region);
            if !(same_account && same_region) {
                continue;
            }
            have_aws = true;
            for eni in &ri.network_interfaces {
                let addrs = eni
                    .private_ipv4s
                    .iter()
                    .map(|&a| IpAddr::from(a))
                    .chain(eni.ipv6s.iter().map(|&a| IpAddr::from(a)));
                for a in addrs {
                    // The first collection holding an address wins, as for ENI ids.
                    by_ip.entry(a).or_insert(eni.id.as_str());
                }
            }
        }
        PodEnis { by_ip, have_aws }
    }

    /// The ENI carrying the pod's address, or why there is none to evaluate.
    pub fn eni_of(&self, index: &ClusterIndex, pod: PodId) -> Result<&'a str, String> {
        let p = index.pod(pod);
        if !self.have_aws {
            return Err(format!(
                "no AWS network of cluster {} was collected, so the VPC leg of pod {}/{} \
                 cannot be evaluated",
                index.cluster.name, p.namespace, p.name
            ));
        }
        let Some(&ip) = p.ips.first() else {
            return Err(format!("pod {}/{} has no address", p.namespace, p.name));
        };
        self.by_ip.get(&ip).copied().ok_or_else(|| {
            format!(
                "the address {ip} of pod {}/{} is on no collected ENI",
                p.namespace, p.name
            )
        })
    }
}

/// A cluster's policies and whether its CNI applies them.
#[derive(Clone, Copy)]
pub struct Policies<'i, 'a> {
    pub index: &'i ClusterIndex<'a>,
    pub enforcement: &'i Enforcement,
}

/// The policy leg of `src` -> `dst` on `service`, as an evaluation. Policies nothing
/// enforces allow everything; policies that may not be enforced can only make a
/// block unknown.
pub fn policy_leg(policies: Policies, src: Peer, dst: Peer, service: ServicePoint) -> Evaluation {
    if let Enforcement::NotEnforced { why } = policies.enforcement {
        return Evaluation::allowed(vec![Step::new(
            "NetworkPolicy",
            format!(
                "not enforced ({why}): every {} passes",
                describe_point(service)
            ),
        )]);
    }
    let eval = policy_answer(policies.index, src, dst, service);
    match (policies.enforcement, &eval.verdict) {
        (Enforcement::Unknown { why }, crate::reach::Verdict::Blocked) => Evaluation::unknown(
            format!(
                "NetworkPolicies block it, but whether the CNI enforces them is unknown: {why}"
            ),
            eval.steps,
        ),
        _ => eval,
    }
}

fn policy_answer(index: &ClusterIndex, src: Peer, dst: Peer, service: ServicePoint) -> Evaluation {
    let allowed = index.allowed(src, dst);
    let mut steps = Vec::new();
    let sides = [
        ("NetworkPolicy (egress)", &allowed.egress),
        ("NetworkPolicy (ingress)", &allowed.ingress),
    ];
    for (component, side) in sides {
        let Some(side) = side else { continue };
        let allows = side.services.contains(service);
        let verdict = if allows { "allows" } else { "denies" };
        let why = if side.reasons.is_empty() {
            String::new()
        } else {
            format!(": {}", side.reasons.join("; "))
        };
        let decision = format!("{verdict} {}{why}", describe_point(service));
        steps.push(match allows {
            true => Step::new(component, decision),
            false => Step::coded(Code::NetworkPolicyRestriction, component, decision),
        });
    }
    if allowed.services.contains(service) {
        // A side may deny on its own yet the whole allow (nothing to explain then).
        Evaluation::allowed(steps.into_iter().map(Step::uncoded).collect())
    } else if let Some(reason) = allowed.unknown {
        if steps.iter().all(|s| s.code.is_none()) {
            // Said by a step of its own: an unknown evaluation must name its code.
            steps.push(Step::coded(
                Code::NetworkPolicyRestriction,
                "NetworkPolicy",
                reason.clone(),
            ));
        }
        Evaluation::unknown(reason, steps)
    } else {
        if steps.iter().all(|s| s.code.is_none()) {
            // Said by a step of its own: a block must name its code.
            steps.push(Step::coded(
                Code::NetworkPolicyRestriction,
                "NetworkPolicy",
                format!("denies {}", describe_point(service)),
            ));
        }
        Evaluation::blocked(steps)
    }
}

/// A pod (or a `hostNetwork` pod, which no policy filters) to an internet address:
/// the policy leg, then the node ENI's way out. The route path is returned when the
/// VPC leg was evaluated.
#[allow(clippy::too_many_arguments)]
pub fn pod_to_internet(
    model: &Model,
    inv: &Inventory,
    policies: Policies,
    enis: &PodEnis,
    pod: PodId,
    dst: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> (Evaluation, Option<EgressPath>) {
    let index = policies.index;
    let policy = if index.pod(pod).host_network {
        Evaluation::allowed(vec![Step::new(
            "NetworkPolicy",
            "does not apply: the pod uses the node's network (hostNetwork)",
        )])
    } else {
        policy_leg(policies, Peer::Pod(pod), Peer::Ip(dst), service)
    };
    if policy.is_blocked() {
        return (policy, None);
    }
    let eni = match enis.eni_of(index, pod) {
        Ok(eni) => eni,
        Err(reason) => {
            let mut steps = policy.steps;
            steps.push(Step::coded(Code::DataNotCollected, "VPC", reason.clone()));
            return (Evaluation::unknown(reason, steps), None);
        }
    };
    let (path, vpc) = egress_trace(model, inv, eni, dst, service, None, ephemeral);
    (Evaluation::all_of(vec![policy, vpc]), Some(path))
}

/// A pod to a pod (after any Service's DNAT): both pods' policies, then the VPC
/// between the ENIs that carry them (none when they share one: same node).
#[allow(clippy::too_many_arguments)]
pub fn pod_to_pod(
    model: &Model,
    inv: &Inventory,
    policies: Policies,
    enis: &PodEnis,
    src: PodId,
    dst: PodId,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
    let index = policies.index;
    let peer = |p: PodId| {
        let pod = index.pod(p);
        match (pod.host_network, pod.ips.first()) {
            (true, Some(&ip)) => Peer::Ip(ip),
            _ => Peer::Pod(p),
        }
    };
    let policy = policy_leg(policies, peer(src), peer(dst), service);
    if policy.is_blocked() {
        return policy;
    }
    let vpc = match (enis.eni_of(index, src), enis.eni_of(index, dst)) {
        (Ok(a), Ok(b)) if a == b => Evaluation::allowed(vec![Step::new(
            a,
            "both pods are on this ENI: the traffic stays on the node",
        )]),
        (Ok(a), Ok(b)) => eni_to_eni_with(model, inv, a, b, service, ephemeral),
        (Err(reason), _) | (_, Err(reason)) => Evaluation::unknown(
            reason.clone(),
            vec![Step::coded(Code::DataNotCollected, "VPC", reason)],
        ),
    };
    Evaluation::all_of(vec![policy, vpc])
}

/// A pod to an ENI of the VPC (a database, an endpoint): the pod's egress policy
/// toward the ENI's address, then the VPC from the pod's ENI.
#[allow(clippy::too_many_arguments)]
pub fn pod_to_eni(
    model: &Model,
    inv: &Inventory,
    policies: Policies,
    enis: &PodEnis,
    src: PodId,
    dst_eni: &str,
    dst_ip: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
    let index = policies.index;
    let policy = if index.pod(src).host_network {
        Evaluation::allowed(Vec::new())
    } else {
        policy_leg(policies, Peer::Pod(src), index.peer_for_ip(dst_ip), service)
    };
    if policy.is_blocked() {
        return policy;
    }
    let vpc = match enis.eni_of(index, src) {
        Ok(a) => eni_to_eni_with(model, inv, a, dst_eni, service, ephemeral),
        Err(reason) => Evaluation::unknown(
            reason.clone(),
            vec![Step::coded(Code::DataNotCollected, "VPC", reason)],
        ),
    };
    Evaluation::all_of(vec![policy, vpc])
}
