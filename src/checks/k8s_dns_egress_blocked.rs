//! `k8s-dns-egress-blocked`: pods whose egress policies leave out DNS to kube-dns.

use std::collections::BTreeMap;

use crate::finding::Severity;
use crate::inventory::{ContainerPort, KubeCluster, KubeProtocol, Namespace, Pod, PolicyType};
use crate::reach::kubernetes::{ClusterIndex, Peer, PodId};
use crate::reach::sets::ServicePoint;

use super::context::{Context, Draft, Scoped};
use super::shared::kubernetes::{ClusterView, POLICY_INPUTS};
use super::Check;

pub struct K8sDnsEgressBlocked;

const DNS_NAMESPACE: &str = "kube-system";
const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// What the selected pods of one policy are missing.
#[derive(Default)]
struct Blocked {
    udp: Vec<PodId>,
    tcp_only: Vec<PodId>,
}

impl Check for K8sDnsEgressBlocked {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let c = v.cluster;
            if let Some(gap) = v.gap(POLICY_INPUTS) {
                out.push(Draft::unknown(
                    account,
                    region,
                    v.cluster_resource(),
                    format!(
                        "DNS egress of the pods of cluster {} could not be judged: {gap}",
                        c.name
                    ),
                ));
                continue;
            }
            if !c.network_policies.iter().any(|p| {
                crate::reach::kubernetes::effective_policy_types(p).contains(&PolicyType::Egress)
            }) {
                continue;
            }
            // Judge against the cluster's DNS pods, or a stand-in CoreDNS pod.
            // The scan's index serves unless a stand-in pod must be added.
            let (with_dns, own_index);
            let (cluster, index, stand_in) = if dns_pods(c).is_empty() {
                with_dns = with_stand_in(c);
                own_index = ClusterIndex::new(&with_dns);
                (&with_dns, &own_index, true)
            } else {
                (c, &v.index, false)
            };
            let dns = dns_pods(cluster);
            let mut by_policy: BTreeMap<usize, Blocked> = BTreeMap::new();
            for class in index.pod_classes() {
                let Some(&rep) = class.first() else { continue };
                let pod = index.pod(rep);
                if pod.host_network || (stand_in && rep == cluster.pods.len() - 1) {
                    continue;
                }
                let policies = index.policies_for(rep, PolicyType::Egress);
                if policies.is_empty() {
                    continue;
                }
                let can = |point: ServicePoint| {
                    dns.iter().any(|&d| {
                        index
                            .allowed(Peer::Pod(rep), Peer::Pod(d))
                            .egress
                            .is_none_or(|side| side.services.contains(point))
                    })
                };
                let (udp, tcp) = (can(ServicePoint::Udp(53)), can(ServicePoint::Tcp(53)));
                for p in policies {
                    let entry = by_policy.entry(p).or_default();
                    if !udp {
                        entry.udp.extend(&class);
                    } else if !tcp {
                        entry.tcp_only.extend(&class);
                    }
                }
            }
            for (p, blocked) in by_policy {
                let policy = &cluster.network_policies[p];
                let (pods, severity, what) = if !blocked.udp.is_empty() {
                    (&blocked.udp, Severity::Medium, "UDP 53")
                } else if !blocked.tcp_only.is_empty() {
                    (
                        &blocked.tcp_only,
                        Severity::Low,
                        "TCP 53 (UDP 53 is allowed)",
                    )
                } else {
                    continue;
                };
                let names: Vec<String> = pods
                    .iter()
                    .take(3)
                    .map(|&i| format!("{}/{}", cluster.pods[i].namespace, cluster.pods[i].name))
                    .collect();
                let more = if pods.len() > names.len() {
                    format!(" and {} more", pods.len() - names.len())
                } else {
                    String::new()
                };
                let target = if stand_in {
                    "kube-dns (no DNS pod was collected; judged against a CoreDNS pod as EKS \
                     deploys it)"
                } else {
                    "kube-dns"
                };
                let mut draft = Draft::fail(
                    account,
                    region,
                    v.object_resource("NetworkPolicy", &policy.namespace, &policy.name),
                    format!(
                        "NetworkPolicy {}/{} restricts egress, and the {} pod(s) it selects ({}{more}) \
                         cannot send DNS queries to {target} on {what}",
                        policy.namespace,
                        policy.name,
                        pods.len(),
                        names.join(", ")
                    ),
                )
                .severity(severity);
                if let Some(&first) = pods.first() {
                    if let Some(&d) = dns.first() {
                        let answer = index.allowed(Peer::Pod(first), Peer::Pod(d));
                        if let Some(side) = answer.egress {
                            for r in side.reasons {
                                draft = draft.evidence("NetworkPolicy (egress)", r);
                            }
                        }
                    }
                }
                out.push(draft);
            }
        }
        out
    }

    /// Every NetworkPolicy (of a cluster whose policies could not be judged, the
    /// cluster): those restricting the egress of some pod are judged, the others
    /// do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let c = v.cluster;
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
            let selected = egress_selected(v);
            let target = if dns_pods(c).is_empty() {
                "a CoreDNS pod as EKS deploys it (no DNS pod was collected)"
            } else {
                "kube-dns"
            };
            for (k, policy) in c.network_policies.iter().enumerate() {
                let resource = v.object_resource("NetworkPolicy", &policy.namespace, &policy.name);
                let egress = crate::reach::kubernetes::effective_policy_types(policy)
                    .contains(&PolicyType::Egress);
                out.push(match selected.get(&k) {
                    _ if !egress => {
                        Scoped::not_applicable(account, region, resource, "restricts ingress only")
                    }
                    None => Scoped::not_applicable(
                        account,
                        region,
                        resource,
                        "selects no pod for egress",
                    ),
                    Some(n) => Scoped::pass(
                        account,
                        region,
                        resource,
                        format!(
                            "the {n} pod(s) it selects can send DNS queries to {target} on \
                             UDP and TCP 53"
                        ),
                    ),
                });
            }
        }
        Some(out)
    }
}

/// How many pods (not on the host network) each policy selects for egress, by its
/// index in the cluster's NetworkPolicies; as `run` reads them, by class.
fn egress_selected(v: &ClusterView) -> BTreeMap<usize, usize> {
    let mut out: BTreeMap<usize, usize> = BTreeMap::new();
    for class in v.index.pod_classes() {
        let Some(&rep) = class.first() else { continue };
        if v.index.pod(rep).host_network {
            continue;
        }
        for p in v.index.policies_for(rep, PolicyType::Egress) {
            *out.entry(p).or_default() += class.len();
        }
    }
    out
}

fn dns_pods(c: &KubeCluster) -> Vec<PodId> {
    c.pods
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.namespace == DNS_NAMESPACE
                && p.labels.get(DNS_LABEL.0).map(String::as_str) == Some(DNS_LABEL.1)
                && !p.host_network
        })
        .map(|(i, _)| i)
        .collect()
}

/// `c` with a CoreDNS pod as EKS deploys it (last in the pod list).
fn with_stand_in(c: &KubeCluster) -> KubeCluster {
    let mut c = c.clone();
    if c.namespace(DNS_NAMESPACE).is_none() {
        c.namespaces.push(Namespace {
            name: DNS_NAMESPACE.into(),
            labels: [(
                "kubernetes.io/metadata.name".to_string(),
                DNS_NAMESPACE.to_string(),
            )]
            .into(),
        });
    }
    c.pods.push(Pod {
        namespace: DNS_NAMESPACE.into(),
        name: "coredns (stand-in)".into(),
        labels: [
            (DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string()),
            (
                "eks.amazonaws.com/component".to_string(),
                "coredns".to_string(),
            ),
        ]
        .into(),
        ips: Vec::new(),
        host_ip: None,
        node_name: None,
        host_network: false,
        phase: Some("Running".into()),
        ports: vec![
            ContainerPort {
                name: Some("dns".into()),
                container_port: 53,
                protocol: KubeProtocol::Udp,
            },
            ContainerPort {
                name: Some("dns-tcp".into()),
                container_port: 53,
                protocol: KubeProtocol::Tcp,
            },
        ],
        service_account: Some("coredns".into()),
        owner: None,
    });
    c
}
