//! `k8s-pod-egress-internet`: pods that can reach the internet through both their
//! policies and the VPC.

use std::collections::BTreeMap;

use crate::finding::{Resource, Severity};
use crate::reach::kubernetes::vpc::{pod_to_internet, policy_leg};
use crate::reach::kubernetes::Peer;
use crate::reach::path::EgressPath;
use crate::reach::sets::ServicePoint;
use crate::reach::{Evaluation, Verdict};

use super::context::{Context, Draft, Scoped};
use super::shared::internet_route::{describe, firewalls, PROBE};
use super::shared::kubernetes::{ClusterView, POLICY_INPUTS};
use super::Check;

pub struct K8sPodEgressInternet;

/// A workload and its pods, each with its policy class: `(class, pod)`.
type Workload = (Resource, Vec<(usize, usize)>);

impl Check for K8sPodEgressInternet {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let service = ServicePoint::Tcp(443);
        for v in ctx.clusters() {
            let (account, region) = v.place();
            if let Some(gap) = v.gap(POLICY_INPUTS) {
                out.push(Draft::unknown(
                    account,
                    region,
                    v.cluster_resource(),
                    format!(
                        "internet egress of the pods of cluster {} could not be judged: {gap}",
                        v.cluster.name
                    ),
                ));
                continue;
            }
            // One answer per workload: one pod per (policy class, ENI subnet) of it is
            // asked, and the worst answer is reported (allowed, then unknown).
            let (workloads, _) = workloads(v);
            for (_, (resource, members)) in workloads {
                let pods: Vec<usize> = members.iter().map(|&(_, p)| p).collect();
                let mut asked = std::collections::BTreeSet::new();
                let mut worst: Option<(usize, Evaluation, Option<EgressPath>)> = None;
                for &(k, p) in &members {
                    let subnet = v
                        .enis
                        .eni_of(&v.index, p)
                        .ok()
                        .and_then(|e| ctx.model.locate_eni(e).ok())
                        .map(|(_, e)| e.subnet_id.as_str());
                    if !asked.insert((k, subnet)) {
                        continue;
                    }
                    let (eval, path) = pod_to_internet(
                        ctx.model,
                        ctx.inventory,
                        v.policies(),
                        &v.enis,
                        p,
                        PROBE,
                        service,
                        ctx.ephemeral(),
                    );
                    let rank = |e: &Evaluation| match e.verdict {
                        Verdict::Allowed => 2,
                        Verdict::Unknown { .. } => 1,
                        Verdict::Blocked => 0,
                    };
                    if worst.as_ref().is_none_or(|(_, w, _)| rank(&eval) > rank(w)) {
                        let done = eval.is_allowed();
                        worst = Some((p, eval, path));
                        if done {
                            break;
                        }
                    }
                }
                let Some((first, eval, path)) = worst else {
                    continue;
                };
                let pod = v.index.pod(first);
                let who = if pods.len() > 1 {
                    format!(
                        "{} ({} pods, e.g. {}/{})",
                        resource.id,
                        pods.len(),
                        pod.namespace,
                        pod.name
                    )
                } else {
                    format!("pod {}/{}", pod.namespace, pod.name)
                };
                let mut draft = match &eval.verdict {
                    Verdict::Blocked => continue,
                    Verdict::Unknown { reason } => Draft::unknown(
                        account,
                        region,
                        resource,
                        format!(
                            "whether {who} of cluster {} reaches the internet could not be decided: {reason}",
                            v.cluster.name
                        ),
                    ),
                    Verdict::Allowed => {
                        let path = path.as_ref();
                        let walls = path.map(firewalls).unwrap_or_default();
                        let way = path.map(describe).unwrap_or_default();
                        let (severity, how) = if walls.is_empty() {
                            (Severity::High, "with nothing filtering it".to_string())
                        } else {
                            (
                                Severity::Medium,
                                format!("through Network Firewall {}", walls.join(", ")),
                            )
                        };
                        Draft::fail(
                            account,
                            region,
                            resource,
                            format!(
                                "{who} of cluster {} can open connections to the internet \
                                 ({PROBE} on tcp 443 via {way}) {how}",
                                v.cluster.name
                            ),
                        )
                        .severity(severity)
                    }
                };
                for step in eval.steps {
                    draft = draft.evidence(step.component, step.decision);
                }
                out.push(draft);
            }
        }
        out
    }

    /// Every workload with a pod on the pod network (of a cluster whose pods or
    /// policies could not be read, the cluster); workloads whose pods all use the
    /// node's network or have no address do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        let service = ServicePoint::Tcp(443);
        for v in ctx.clusters() {
            let (account, region) = v.place();
            if v.gap(POLICY_INPUTS).is_some() {
                // Its unknown finding always names it.
                out.push(Scoped::pass(
                    account,
                    region,
                    v.cluster_resource(),
                    "the cluster's pods and policies were read",
                ));
                continue;
            }
            let (workloads, skipped) = workloads(v);
            for (_, (resource, members)) in workloads {
                // The policy leg alone, once per class: where the run found the
                // workload blocked, this says which side blocked it.
                let mut classes: Vec<(usize, usize)> = members.clone();
                classes.sort_unstable();
                classes.dedup_by_key(|(k, _)| *k);
                let denied = classes
                    .iter()
                    .filter(|&&(_, p)| {
                        policy_leg(v.policies(), Peer::Pod(p), Peer::Ip(PROBE), service)
                            .is_blocked()
                    })
                    .count();
                let n = members.len();
                let reason = if denied == classes.len() {
                    format!(
                        "NetworkPolicy egress denies its {n} pod(s) tcp 443 to the internet \
                         ({PROBE})"
                    )
                } else if denied == 0 {
                    format!(
                        "NetworkPolicy allows its {n} pod(s) tcp 443 to the internet ({PROBE}), \
                         but no VPC path from their ENIs leads there"
                    )
                } else {
                    format!(
                        "tcp 443 to the internet ({PROBE}) is denied to its {n} pod(s) by \
                         NetworkPolicy egress or, where that allows it, by the VPC path"
                    )
                };
                out.push(Scoped::pass(account, region, resource, reason));
            }
            for (resource, host_network) in skipped.into_values() {
                let why = if host_network {
                    "its pods use the node's network (hostNetwork): the node's checks judge it"
                } else {
                    "its pods have no pod IP address"
                };
                out.push(Scoped::not_applicable(account, region, resource, why));
            }
        }
        Some(out)
    }
}

/// Workloads with at least one pod on the pod network, each with its pods and
/// their policy classes; and the workloads with none, with whether some pod of it
/// uses the node's network.
#[allow(clippy::type_complexity)]
fn workloads(
    v: &ClusterView,
) -> (
    BTreeMap<(String, String), Workload>,
    BTreeMap<(String, String), (Resource, bool)>,
) {
    let mut judged: BTreeMap<(String, String), Workload> = BTreeMap::new();
    let mut skipped: BTreeMap<(String, String), (Resource, bool)> = BTreeMap::new();
    for (k, class) in v.index.pod_classes().into_iter().enumerate() {
        for p in class {
            let pod = v.index.pod(p);
            let r = v.workload_resource(pod);
            let key = (r.resource_type.clone(), r.id.clone());
            if pod.host_network || pod.ips.is_empty() {
                skipped.entry(key).or_insert_with(|| (r, false)).1 |= pod.host_network;
                continue;
            }
            judged
                .entry(key)
                .or_insert_with(|| (r, Vec::new()))
                .1
                .push((k, p));
        }
    }
    skipped.retain(|key, _| !judged.contains_key(key));
    (judged, skipped)
}
