//! A deterministic synthetic Kubernetes cluster, for benchmarks and scale tests of
//! the policy engine: namespaces of a few teams and environments, Deployments of
//! three tiers (web, api, db) with ReplicaSet pods, a kube-system namespace with
//! DNS and host-network agents, and the NetworkPolicies real clusters have:
//! default-deny per namespace, tier-to-tier allows by label, allows from other
//! namespaces by label, DNS egress to kube-system, internet egress on 443 by
//! `ipBlock` with `except`, named ports and port ranges; plus Admin and Baseline
//! cluster policies.

use std::net::{IpAddr, Ipv4Addr};

use crate::inventory::{
    ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyPort,
    ClusterPolicyRule, ClusterPolicySubject, ContainerPort, IpBlock, KubeCluster, KubeKind,
    KubeProtocol, KubeService, KubeSource, LabelRequirement, LabelSelector, Labels, Namespace,
    NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, OwnerRef, Pod,
    PolicyTier, PolicyType, PortRef, SelectorOperator, ServicePort,
};

use super::rng::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeSpec {
    /// Pods in total (kube-system's included).
    pub pods: usize,
    /// Application namespaces (kube-system comes on top).
    pub namespaces: usize,
    /// NetworkPolicies in total, spread over the application namespaces.
    pub policies: usize,
    pub seed: u64,
}

impl KubeSpec {
    /// 5,000 pods, 50 namespaces, 500 NetworkPolicies: the engine's scale target.
    pub fn large() -> KubeSpec {
        KubeSpec {
            pods: 5_000,
            namespaces: 50,
            policies: 500,
            seed: 1,
        }
    }
}

const TIERS: [&str; 3] = ["web", "api", "db"];
const TEAMS: [&str; 5] = ["payments", "search", "identity", "catalog", "platform"];
const ENVS: [&str; 3] = ["prod", "staging", "dev"];

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: labels(pairs),
        match_expressions: Vec::new(),
    }
}

fn port(name: &str, number: u16) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: number,
        protocol: KubeProtocol::Tcp,
    }
}

fn tcp(port: PortRef) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: None,
        port: Some(port),
        end_port: None,
    }
}

fn pod_address(n: usize) -> IpAddr {
    // 10.1.0.0/16 onwards: pods' VPC addresses.
    let n = n as u32;
    IpAddr::V4(Ipv4Addr::new(
        10,
        1 + (n >> 16) as u8,
        (n >> 8) as u8,
        n as u8,
    ))
}

/// A synthetic cluster as `spec` describes it; same spec, same cluster.
pub fn generate_cluster(spec: &KubeSpec) -> KubeCluster {
    let mut rng = Rng::new(spec.seed);
    let mut c = KubeCluster::new("synthetic", KubeSource::Objects { files: Vec::new() });
    c.namespaces.push(Namespace {
        name: "kube-system".into(),
        labels: labels(&[("kubernetes.io/metadata.name", "kube-system")]),
    });
    let namespaces = spec.namespaces.max(1);
    for i in 0..namespaces {
        let name = format!("ns-{i:03}");
        c.namespaces.push(Namespace {
            labels: labels(&[
                ("kubernetes.io/metadata.name", name.as_str()),
                ("team", TEAMS[i % TEAMS.len()]),
                ("env", ENVS[i % ENVS.len()]),
            ]),
            name,
        });
    }

    // kube-system: DNS pods and one host-network agent per 50 pods (a node each).
    let system = (spec.pods / 50).max(2);
    for i in 0..system {
        let dns = i < 2;
        let host_network = !dns;
        let ip = if host_network {
            IpAddr::V4(Ipv4Addr::new(10, 0, (i >> 8) as u8, i as u8))
        } else {
            pod_address(c.pods.len())
        };
        c.pods.push(Pod {
            namespace: "kube-system".into(),
            name: if dns {
                format!("coredns-{i}")
            } else {
                format!("aws-node-{i}")
            },
            labels: if dns {
                labels(&[("k8s-app", "kube-dns")])
            } else {
                labels(&[("k8s-app", "aws-node")])
            },
            ips: vec![ip],
            host_ip: Some(IpAddr::V4(Ipv4Addr::new(10, 0, (i >> 8) as u8, i as u8))),
            node_name: Some(format!("node-{i}")),
            host_network,
            phase: Some("Running".into()),
            ports: if dns {
                vec![
                    ContainerPort {
                        name: Some("dns".into()),
                        container_port: 53,
                        protocol: KubeProtocol::Udp,
                    },
                    port("dns-tcp", 53),
                ]
            } else {
                Vec::new()
            },
            service_account: Some(if dns { "coredns" } else { "aws-node" }.into()),
            owner: None,
        });
    }

    // Application pods: Deployments of ten replicas round-robin over namespaces.
    let app_pods = spec.pods.saturating_sub(system);
    for n in 0..app_pods {
        let ns = n % namespaces;
        let k = n / namespaces;
        let deployment = k / 10;
        let tier = TIERS[deployment % TIERS.len()];
        let app = format!("app-{deployment}");
        let hash = format!(
            "{:08x}",
            rng.next_u64() as u32 & 0xfff0_0000 | deployment as u32
        );
        let mut pod_labels = labels(&[("app", app.as_str()), ("tier", tier)]);
        pod_labels.insert("pod-template-hash".into(), hash.clone());
        if rng.percent(20) {
            pod_labels.insert("version".into(), "canary".into());
        }
        let ports = match tier {
            "db" => vec![port("postgres", 5432), port("metrics", 9187)],
            _ => vec![port("http", 8080), port("metrics", 9090)],
        };
        c.pods.push(Pod {
            namespace: format!("ns-{ns:03}"),
            name: format!("{app}-{hash}-{k}"),
            labels: pod_labels,
            ips: vec![pod_address(c.pods.len())],
            host_ip: None,
            node_name: Some(format!("node-{}", n % system)),
            host_network: false,
            phase: Some("Running".into()),
            ports,
            service_account: Some(app.clone()),
            owner: Some(OwnerRef {
                kind: "ReplicaSet".into(),
                name: format!("{app}-{hash}"),
            }),
        });
    }

    // Every namespace puts its web tier behind an internet-facing load balancer, as
    // the legacy cloud provider makes one for a LoadBalancer Service: the footholds.
    for i in 0..namespaces {
        c.services.push(KubeService {
            namespace: format!("ns-{i:03}"),
            name: "web".into(),
            service_type: "LoadBalancer".into(),
            selector: Some(labels(&[("tier", "web")])),
            cluster_ips: vec![IpAddr::V4(Ipv4Addr::new(172, 20, (i >> 8) as u8, i as u8))],
            ports: vec![ServicePort {
                name: Some("http".into()),
                protocol: KubeProtocol::Tcp,
                port: 80,
                target_port: PortRef::Name("http".into()),
                node_port: None,
            }],
            load_balancer_ingress: vec![format!("web-{i:03}.elb.example")],
            annotations: Labels::new(),
        });
    }

    // Policies: a fixed pattern per namespace, in turn, until the count is reached.
    let mut made = vec![0usize; namespaces];
    for p in 0..spec.policies {
        let ns = p % namespaces;
        let j = made[ns];
        made[ns] += 1;
        c.network_policies
            .push(namespace_policy(&mut rng, ns, j, namespaces));
    }

    c.cluster_network_policies = cluster_policies();
    c
}

fn namespace_policy(rng: &mut Rng, ns: usize, j: usize, namespaces: usize) -> NetworkPolicy {
    let namespace = format!("ns-{ns:03}");
    let mut p = NetworkPolicy {
        namespace,
        name: String::new(),
        pod_selector: LabelSelector::default(),
        policy_types: None,
        ingress: Vec::new(),
        egress: Vec::new(),
    };
    let tier_of = |t: &str| match_labels(&[("tier", t)]);
    match j % 10 {
        0 => {
            p.name = "default-deny".into();
            p.policy_types = Some(vec![PolicyType::Ingress, PolicyType::Egress]);
        }
        1 => {
            p.name = "allow-dns".into();
            p.policy_types = Some(vec![PolicyType::Egress]);
            p.egress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[(
                        "kubernetes.io/metadata.name",
                        "kube-system",
                    )])),
                    pod_selector: Some(match_labels(&[("k8s-app", "kube-dns")])),
                    ip_block: None,
                }],
                ports: vec![
                    NetworkPolicyPort {
                        protocol: Some(KubeProtocol::Udp),
                        port: Some(PortRef::Number(53)),
                        end_port: None,
                    },
                    tcp(PortRef::Number(53)),
                ],
            });
        }
        2 => {
            p.name = "web-to-api".into();
            p.pod_selector = tier_of("api");
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    pod_selector: Some(tier_of("web")),
                    ..Default::default()
                }],
                ports: vec![tcp(PortRef::Name("http".into()))],
            });
        }
        3 => {
            p.name = "api-to-db".into();
            p.pod_selector = tier_of("db");
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    pod_selector: Some(tier_of("api")),
                    ..Default::default()
                }],
                ports: vec![tcp(PortRef::Name("postgres".into()))],
            });
        }
        4 => {
            p.name = "egress-internet-https".into();
            p.pod_selector = tier_of("web");
            p.egress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    ip_block: Some(IpBlock {
                        cidr: "0.0.0.0/0".parse().expect("valid CIDR"),
                        except: vec![
                            "10.0.0.0/8".parse().expect("valid CIDR"),
                            "169.254.169.254/32".parse().expect("valid CIDR"),
                        ],
                    }),
                    ..Default::default()
                }],
                ports: vec![tcp(PortRef::Number(443))],
            });
        }
        5 => {
            p.name = "ingress-from-team".into();
            p.pod_selector = tier_of("web");
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[("team", TEAMS[ns % TEAMS.len()])])),
                    ..Default::default()
                }],
                ports: vec![tcp(PortRef::Number(8080))],
            });
        }
        6 => {
            p.name = "metrics-from-platform".into();
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[("team", "platform")])),
                    pod_selector: Some(LabelSelector {
                        match_labels: Labels::new(),
                        match_expressions: vec![LabelRequirement {
                            key: "app".into(),
                            operator: SelectorOperator::In,
                            values: vec!["app-0".into(), "app-1".into()],
                        }],
                    }),
                    ip_block: None,
                }],
                ports: vec![
                    tcp(PortRef::Name("metrics".into())),
                    NetworkPolicyPort {
                        protocol: Some(KubeProtocol::Tcp),
                        port: Some(PortRef::Number(9000)),
                        end_port: Some(9200),
                    },
                ],
            });
        }
        7 => {
            p.name = "egress-within-namespace".into();
            p.egress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector::default()),
                    ..Default::default()
                }],
                ports: Vec::new(),
            });
        }
        8 => {
            let other = rng.below(namespaces);
            p.name = "from-partner-namespace".into();
            p.pod_selector = LabelSelector {
                match_labels: Labels::new(),
                match_expressions: vec![LabelRequirement {
                    key: "version".into(),
                    operator: SelectorOperator::NotIn,
                    values: vec!["canary".into()],
                }],
            };
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(&[(
                        "kubernetes.io/metadata.name",
                        &format!("ns-{other:03}"),
                    )])),
                    ..Default::default()
                }],
                ports: Vec::new(),
            });
        }
        _ => {
            let app = rng.below(10);
            p.name = format!("app-{app}-office-{j}");
            p.pod_selector = match_labels(&[("app", &format!("app-{app}"))]);
            p.ingress.push(NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    ip_block: Some(IpBlock {
                        cidr: format!("192.168.{}.0/24", rng.below(256))
                            .parse()
                            .expect("valid CIDR"),
                        except: Vec::new(),
                    }),
                    ..Default::default()
                }],
                ports: vec![tcp(PortRef::Number(8080))],
            });
        }
    }
    if p.name.is_empty() || j >= 10 {
        p.name = format!("{}-{j}", p.name);
    }
    p
}

fn cluster_policies() -> Vec<ClusterNetworkPolicy> {
    let ns = |pairs: &[(&str, &str)]| ClusterPolicyPeer::Namespaces(match_labels(pairs));
    vec![
        ClusterNetworkPolicy {
            name: "dev-never-reaches-prod".into(),
            api: KubeKind::ClusterNetworkPolicy,
            tier: PolicyTier::Admin,
            priority: 10,
            subject: ClusterPolicySubject::Namespaces(match_labels(&[("env", "prod")])),
            ingress: vec![
                ClusterPolicyRule {
                    name: Some("pass-platform".into()),
                    action: ClusterPolicyAction::Pass,
                    peers: vec![ns(&[("team", "platform")])],
                    ports: None,
                },
                ClusterPolicyRule {
                    name: Some("deny-dev".into()),
                    action: ClusterPolicyAction::Deny,
                    peers: vec![ns(&[("env", "dev")])],
                    ports: None,
                },
            ],
            egress: vec![ClusterPolicyRule {
                name: Some("deny-imds".into()),
                action: ClusterPolicyAction::Deny,
                peers: vec![ClusterPolicyPeer::Networks(vec!["169.254.169.254/32"
                    .parse()
                    .expect("valid CIDR")])],
                ports: None,
            }],
        },
        ClusterNetworkPolicy {
            name: "baseline-isolate-namespaces".into(),
            api: KubeKind::ClusterNetworkPolicy,
            tier: PolicyTier::Baseline,
            priority: 100,
            subject: ClusterPolicySubject::Namespaces(LabelSelector {
                match_labels: Labels::new(),
                match_expressions: vec![LabelRequirement {
                    key: "team".into(),
                    operator: SelectorOperator::Exists,
                    values: Vec::new(),
                }],
            }),
            ingress: vec![ClusterPolicyRule {
                name: Some("deny-ssh".into()),
                action: ClusterPolicyAction::Deny,
                peers: vec![ClusterPolicyPeer::Namespaces(LabelSelector::default())],
                ports: Some(vec![ClusterPolicyPort::Number {
                    protocol: KubeProtocol::Tcp,
                    port: 22,
                }]),
            }],
            egress: Vec::new(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_to_spec() {
        let spec = KubeSpec {
            pods: 600,
            namespaces: 6,
            policies: 60,
            seed: 7,
        };
        let a = generate_cluster(&spec);
        assert_eq!(a, generate_cluster(&spec));
        assert_ne!(
            a,
            generate_cluster(&KubeSpec {
                seed: 8,
                ..spec.clone()
            })
        );
        assert_eq!(a.pods.len(), 600);
        assert_eq!(a.network_policies.len(), 60);
        assert_eq!(
            a.namespaces.len(),
            7,
            "six application namespaces and kube-system"
        );
        // Policy names are unique per namespace, as the API requires.
        let mut names: Vec<(&str, &str)> = a
            .network_policies
            .iter()
            .map(|p| (p.namespace.as_str(), p.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 60);
        // Addresses are unique.
        let mut ips: Vec<_> = a.pods.iter().flat_map(|p| p.ips.clone()).collect();
        ips.sort_unstable();
        ips.dedup();
        assert_eq!(ips.len(), 600);
        assert!(a.pods.iter().any(|p| p.host_network));
    }
}
