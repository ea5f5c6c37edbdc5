//! Unit tests: selectors, the Admin/NetworkPolicy/Baseline tiers, enforcement
//! detection, Service backends.

use std::net::IpAddr;

use crate::inventory::{
    ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyPort,
    ClusterPolicyRule, ClusterPolicySubject, Container, ContainerPort, DaemonSet, EksAddon,
    EksCluster, IpBlock, KubeCluster, KubeGap, KubeGapReason, KubeKind, KubeProtocol, KubeService,
    KubeSource, LabelRequirement, LabelSelector, Labels, Namespace, NetworkPolicy,
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod, PolicyTier, PolicyType, PortRef,
    SelectorOperator, ServicePort,
};
use crate::reach::sets::ServicePoint;

use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sel(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: labels(pairs),
        match_expressions: Vec::new(),
    }
}

fn expr(key: &str, op: SelectorOperator, values: &[&str]) -> LabelSelector {
    LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![LabelRequirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    }
}

fn pod(ns: &str, name: &str, ip: &str, app: &str) -> Pod {
    Pod {
        namespace: ns.into(),
        name: name.into(),
        labels: labels(&[("app", app)]),
        ips: vec![ip.parse().unwrap()],
        host_ip: None,
        node_name: None,
        host_network: false,
        phase: Some("Running".into()),
        ports: vec![
            ContainerPort {
                name: Some("http".into()),
                container_port: 8080,
                protocol: KubeProtocol::Tcp,
            },
            ContainerPort {
                name: Some("dns".into()),
                container_port: 5353,
                protocol: KubeProtocol::Udp,
            },
        ],
        service_account: None,
        owner: None,
    }
}

/// Namespaces `prod` (team=a) and `dev` (team=b); pods prod/web, prod/db, dev/tool.
fn cluster() -> KubeCluster {
    let mut c = KubeCluster::new("test", KubeSource::Eks);
    c.namespaces = vec![
        Namespace {
            name: "prod".into(),
            labels: labels(&[("team", "a")]),
        },
        Namespace {
            name: "dev".into(),
            labels: labels(&[("team", "b")]),
        },
    ];
    c.pods = vec![
        pod("prod", "web", "10.0.0.1", "web"),
        pod("prod", "db", "10.0.0.2", "db"),
        pod("dev", "tool", "10.0.1.1", "tool"),
    ];
    c
}

const WEB: PodId = 0;
const DB: PodId = 1;
const TOOL: PodId = 2;

fn np(
    ns: &str,
    name: &str,
    selector: LabelSelector,
    ingress: Vec<NetworkPolicyRule>,
) -> NetworkPolicy {
    NetworkPolicy {
        namespace: ns.into(),
        name: name.into(),
        pod_selector: selector,
        policy_types: None,
        ingress,
        egress: Vec::new(),
    }
}

fn tcp(port: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: None,
        port: Some(PortRef::Number(port)),
        end_port: None,
    }
}

fn from_pods(s: LabelSelector) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(s),
        ..Default::default()
    }
}

fn cnp(
    name: &str,
    tier: PolicyTier,
    priority: u32,
    ingress: Vec<ClusterPolicyRule>,
) -> ClusterNetworkPolicy {
    ClusterNetworkPolicy {
        name: name.into(),
        api: KubeKind::ClusterNetworkPolicy,
        tier,
        priority,
        subject: ClusterPolicySubject::Namespaces(sel(&[("team", "a")])),
        ingress,
        egress: Vec::new(),
    }
}

fn rule(
    action: ClusterPolicyAction,
    peer: ClusterPolicyPeer,
    ports: Option<Vec<ClusterPolicyPort>>,
) -> ClusterPolicyRule {
    ClusterPolicyRule {
        name: Some(format!("{action:?}").to_lowercase()),
        action,
        peers: vec![peer],
        ports,
    }
}

fn from_dev() -> ClusterPolicyPeer {
    ClusterPolicyPeer::Namespaces(sel(&[("team", "b")]))
}

fn tcp_port(port: u16) -> ClusterPolicyPort {
    ClusterPolicyPort::Number {
        protocol: KubeProtocol::Tcp,
        port,
    }
}

fn can(c: &KubeCluster, src: PodId, dst: PodId, p: ServicePoint) -> bool {
    ClusterIndex::new(c)
        .allowed(Peer::Pod(src), Peer::Pod(dst))
        .services
        .contains(p)
}

// ---- selectors ----

#[test]
fn selector_operators() {
    let l = labels(&[("app", "web"), ("tier", "front")]);
    assert!(selects(&LabelSelector::default(), &l));
    assert!(selects(&sel(&[("app", "web")]), &l));
    assert!(!selects(&sel(&[("app", "web"), ("x", "y")]), &l));
    assert!(selects(
        &expr("tier", SelectorOperator::In, &["front", "back"]),
        &l
    ));
    assert!(!selects(&expr("tier", SelectorOperator::In, &["back"]), &l));
    assert!(!selects(&expr("missing", SelectorOperator::In, &["x"]), &l));
    assert!(selects(
        &expr("tier", SelectorOperator::NotIn, &["back"]),
        &l
    ));
    assert!(!selects(
        &expr("tier", SelectorOperator::NotIn, &["front"]),
        &l
    ));
    // NotIn holds when the key is absent.
    assert!(selects(
        &expr("missing", SelectorOperator::NotIn, &["x"]),
        &l
    ));
    assert!(selects(&expr("app", SelectorOperator::Exists, &[]), &l));
    assert!(!selects(
        &expr("missing", SelectorOperator::Exists, &[]),
        &l
    ));
    assert!(selects(
        &expr("missing", SelectorOperator::DoesNotExist, &[]),
        &l
    ));
    assert!(!selects(
        &expr("app", SelectorOperator::DoesNotExist, &[]),
        &l
    ));
    // matchLabels AND every expression.
    let mut both = sel(&[("app", "web")]);
    both.match_expressions = expr("tier", SelectorOperator::In, &["back"]).match_expressions;
    assert!(!selects(&both, &l));
}

#[test]
fn namespace_name_label_is_always_there() {
    let mut c = cluster();
    // A policy in prod admitting only pods of namespace dev, by name label.
    c.network_policies.push(np(
        "prod",
        "from-dev",
        sel(&[("app", "web")]),
        vec![NetworkPolicyRule {
            peers: vec![NetworkPolicyPeer {
                namespace_selector: Some(sel(&[(selector::NAMESPACE_NAME_LABEL, "dev")])),
                ..Default::default()
            }],
            ports: Vec::new(),
        }],
    ));
    assert!(can(&c, TOOL, WEB, ServicePoint::Tcp(1)));
    assert!(!can(&c, DB, WEB, ServicePoint::Tcp(1)));
}

// ---- NetworkPolicy basics ----

#[test]
fn isolation_and_policy_types() {
    let mut c = cluster();
    c.network_policies
        .push(np("prod", "deny", LabelSelector::default(), Vec::new()));
    let mut eg = np("prod", "egress-only", sel(&[("app", "db")]), Vec::new());
    eg.egress.push(NetworkPolicyRule::default());
    c.network_policies.push(eg);
    let idx = ClusterIndex::new(&c);
    assert!(idx.isolated(WEB, PolicyType::Ingress));
    assert!(!idx.isolated(WEB, PolicyType::Egress));
    // Omitted policyTypes with egress rules: both directions.
    assert!(idx.isolated(DB, PolicyType::Egress));
    assert_eq!(idx.policies_for(DB, PolicyType::Ingress), vec![0, 1]);
    assert!(!idx.isolated(TOOL, PolicyType::Ingress));
    let a = idx.allowed(Peer::Pod(TOOL), Peer::Pod(WEB));
    assert!(a.services.is_empty());
    let ing = a.ingress.unwrap();
    assert!(
        ing.reasons
            .iter()
            .any(|r| r.contains("isolated for ingress by NetworkPolicy prod/deny")),
        "{:?}",
        ing.reasons
    );
    let eg = a.egress.unwrap();
    assert_eq!(
        eg.reasons,
        vec!["not isolated for egress: no NetworkPolicy selects it".to_string()]
    );
}

#[test]
fn a_policy_that_denies_carries_its_code() {
    use crate::reach::explain::Code;
    use crate::reach::kubernetes::vpc::{policy_leg, Policies};
    let mut c = cluster();
    c.network_policies
        .push(np("prod", "deny", LabelSelector::default(), Vec::new()));
    let idx = ClusterIndex::new(&c);
    let enforced = Enforcement::Enforced { by: "test".into() };
    let policies = Policies {
        index: &idx,
        enforcement: &enforced,
    };
    let tcp80 = ServicePoint::Tcp(80);
    let e = policy_leg(policies, Peer::Pod(TOOL), Peer::Pod(WEB), tcp80);
    assert!(e.is_blocked(), "{e:#?}");
    assert_eq!(e.code(), Some(Code::NetworkPolicyRestriction), "{e:#?}");
    // Not isolated: allowed, with no code.
    let e = policy_leg(policies, Peer::Pod(WEB), Peer::Pod(TOOL), tcp80);
    assert!(e.is_allowed() && e.code().is_none(), "{e:#?}");
    // Enforcement unknown: the block becomes unknown, still coded.
    let unsure = Enforcement::Unknown { why: "test".into() };
    let policies = Policies {
        index: &idx,
        enforcement: &unsure,
    };
    let e = policy_leg(policies, Peer::Pod(TOOL), Peer::Pod(WEB), tcp80);
    assert!(e.is_unknown(), "{e:#?}");
    assert_eq!(e.code(), Some(Code::NetworkPolicyRestriction), "{e:#?}");
}

#[test]
fn named_port_resolves_against_destination_and_protocol() {
    let mut c = cluster();
    c.network_policies.push(np(
        "prod",
        "named",
        LabelSelector::default(),
        vec![NetworkPolicyRule {
            peers: Vec::new(),
            ports: vec![
                NetworkPolicyPort {
                    protocol: None,
                    port: Some(PortRef::Name("http".into())),
                    end_port: None,
                },
                // `dns` is a UDP port: asked as TCP it matches nothing.
                NetworkPolicyPort {
                    protocol: Some(KubeProtocol::Tcp),
                    port: Some(PortRef::Name("dns".into())),
                    end_port: None,
                },
            ],
        }],
    ));
    let idx = ClusterIndex::new(&c);
    let a = idx.allowed(Peer::Pod(TOOL), Peer::Pod(WEB)).services;
    assert!(a.contains(ServicePoint::Tcp(8080)));
    assert!(!a.contains(ServicePoint::Tcp(5353)));
    assert!(!a.contains(ServicePoint::Udp(5353)));
    // From outside: ingress named ports are the selected pod's, so they still resolve.
    let ip: IpAddr = "192.0.2.1".parse().unwrap();
    assert!(idx
        .allowed(Peer::Ip(ip), Peer::Pod(WEB))
        .services
        .contains(ServicePoint::Tcp(8080)));
}

#[test]
fn egress_named_port_to_an_address_matches_nothing() {
    let mut c = cluster();
    let mut p = np("prod", "eg", LabelSelector::default(), Vec::new());
    p.policy_types = Some(vec![PolicyType::Egress]);
    p.egress.push(NetworkPolicyRule {
        peers: Vec::new(),
        ports: vec![NetworkPolicyPort {
            protocol: None,
            port: Some(PortRef::Name("http".into())),
            end_port: None,
        }],
    });
    c.network_policies.push(p);
    let idx = ClusterIndex::new(&c);
    let ip: IpAddr = "192.0.2.1".parse().unwrap();
    assert!(idx
        .allowed(Peer::Pod(WEB), Peer::Ip(ip))
        .services
        .is_empty());
    assert!(idx
        .allowed(Peer::Pod(WEB), Peer::Pod(TOOL))
        .services
        .contains(ServicePoint::Tcp(8080)));
}

#[test]
fn end_port_range_and_ip_block_except() {
    let mut c = cluster();
    c.network_policies.push(np(
        "prod",
        "range",
        sel(&[("app", "web")]),
        vec![NetworkPolicyRule {
            peers: vec![NetworkPolicyPeer {
                ip_block: Some(IpBlock {
                    cidr: "10.0.0.0/16".parse().unwrap(),
                    except: vec!["10.0.1.0/24".parse().unwrap()],
                }),
                ..Default::default()
            }],
            ports: vec![NetworkPolicyPort {
                protocol: Some(KubeProtocol::Udp),
                port: Some(PortRef::Number(1000)),
                end_port: Some(2000),
            }],
        }],
    ));
    let idx = ClusterIndex::new(&c);
    let a = idx.allowed(Peer::Pod(DB), Peer::Pod(WEB)).services;
    assert!(a.contains(ServicePoint::Udp(1000)) && a.contains(ServicePoint::Udp(2000)));
    assert!(!a.contains(ServicePoint::Udp(2001)) && !a.contains(ServicePoint::Tcp(1500)));
    // dev/tool is 10.0.1.1: in the except.
    assert!(idx
        .allowed(Peer::Pod(TOOL), Peer::Pod(WEB))
        .services
        .is_empty());
}

#[test]
fn host_network_pods_are_addresses() {
    let mut c = cluster();
    let mut h = pod("prod", "node-agent", "10.0.9.9", "web");
    h.host_network = true;
    c.pods.push(h);
    c.network_policies.push(np(
        "prod",
        "from-web",
        sel(&[("app", "db")]),
        vec![NetworkPolicyRule {
            peers: vec![from_pods(sel(&[("app", "web")]))],
            ports: Vec::new(),
        }],
    ));
    let idx = ClusterIndex::new(&c);
    assert_eq!(idx.pod_by_ip("10.0.9.9".parse().unwrap()), None);
    assert_eq!(idx.pod_by_ip("10.0.0.1".parse().unwrap()), Some(WEB));
    let a = idx.allowed(Peer::Pod(3), Peer::Pod(DB));
    assert!(a.egress.is_none());
    assert!(
        a.services.is_empty(),
        "a hostNetwork pod is not matched by podSelector"
    );
    assert!(!idx.isolated(3, PolicyType::Ingress));
}

// ---- tiers ----

#[test]
fn admin_accept_overrides_network_policy_deny() {
    let mut c = cluster();
    c.network_policies
        .push(np("prod", "deny", LabelSelector::default(), Vec::new()));
    c.cluster_network_policies.push(cnp(
        "allow-dev-80",
        PolicyTier::Admin,
        10,
        vec![rule(
            ClusterPolicyAction::Accept,
            from_dev(),
            Some(vec![tcp_port(80)]),
        )],
    ));
    let a = ClusterIndex::new(&c).allowed(Peer::Pod(TOOL), Peer::Pod(WEB));
    assert!(a.services.contains(ServicePoint::Tcp(80)));
    assert!(
        !a.services.contains(ServicePoint::Tcp(81)),
        "the rest is the NetworkPolicy's: denied"
    );
    let reasons = a.ingress.unwrap().reasons;
    assert!(reasons[0].starts_with("ClusterNetworkPolicy allow-dev-80 (Admin tier, priority 10) rule accept accepts tcp 80"), "{reasons:?}");
}

#[test]
fn admin_deny_beats_network_policy_allow_and_lower_priority_accept() {
    let mut c = cluster();
    c.network_policies.push(np(
        "prod",
        "allow-all",
        LabelSelector::default(),
        vec![NetworkPolicyRule::default()],
    ));
    c.cluster_network_policies.push(cnp(
        "accept-later",
        PolicyTier::Admin,
        20,
        vec![rule(ClusterPolicyAction::Accept, from_dev(), None)],
    ));
    c.cluster_network_policies.push(cnp(
        "deny-22",
        PolicyTier::Admin,
        5,
        vec![rule(
            ClusterPolicyAction::Deny,
            from_dev(),
            Some(vec![tcp_port(22)]),
        )],
    ));
    let s = ClusterIndex::new(&c)
        .allowed(Peer::Pod(TOOL), Peer::Pod(WEB))
        .services;
    assert!(!s.contains(ServicePoint::Tcp(22)));
    assert!(s.contains(ServicePoint::Tcp(23)));
    // prod/db -> prod/web: no cluster rule matches, the NetworkPolicy allows.
    assert!(can(&c, DB, WEB, ServicePoint::Tcp(22)));
}

#[test]
fn pass_defers_to_network_policy_then_baseline() {
    let mut c = cluster();
    c.cluster_network_policies.push(cnp(
        "pass-dev",
        PolicyTier::Admin,
        1,
        vec![rule(ClusterPolicyAction::Pass, from_dev(), None)],
    ));
    // A later Admin deny must not see passed traffic.
    c.cluster_network_policies.push(cnp(
        "deny-dev",
        PolicyTier::Admin,
        2,
        vec![rule(ClusterPolicyAction::Deny, from_dev(), None)],
    ));
    c.cluster_network_policies.push(cnp(
        "baseline-deny-dev",
        PolicyTier::Baseline,
        1,
        vec![rule(
            ClusterPolicyAction::Deny,
            from_dev(),
            Some(vec![tcp_port(443)]),
        )],
    ));
    // No NetworkPolicy: Baseline decides; 443 denied, the rest allowed.
    assert!(!can(&c, TOOL, WEB, ServicePoint::Tcp(443)));
    assert!(can(&c, TOOL, WEB, ServicePoint::Tcp(80)));
    // A NetworkPolicy isolating web: Baseline no longer applies; it allows 443 only.
    c.network_policies.push(np(
        "prod",
        "web-443",
        sel(&[("app", "web")]),
        vec![NetworkPolicyRule {
            peers: Vec::new(),
            ports: vec![tcp(443)],
        }],
    ));
    assert!(can(&c, TOOL, WEB, ServicePoint::Tcp(443)));
    assert!(!can(&c, TOOL, WEB, ServicePoint::Tcp(80)));
    // db is not isolated: Baseline still denies 443 to it.
    assert!(!can(&c, TOOL, DB, ServicePoint::Tcp(443)));
}

#[test]
fn baseline_accept_and_deny_only_when_not_isolated() {
    let mut c = cluster();
    c.cluster_network_policies.push(cnp(
        "baseline",
        PolicyTier::Baseline,
        1,
        vec![
            rule(
                ClusterPolicyAction::Accept,
                from_dev(),
                Some(vec![tcp_port(80)]),
            ),
            rule(ClusterPolicyAction::Deny, from_dev(), None),
        ],
    ));
    assert!(can(&c, TOOL, WEB, ServicePoint::Tcp(80)));
    assert!(!can(&c, TOOL, WEB, ServicePoint::Tcp(81)));
    assert!(
        can(&c, DB, WEB, ServicePoint::Tcp(81)),
        "prod pods are not matched by the rules"
    );
    c.network_policies.push(np(
        "prod",
        "allow-all",
        sel(&[("app", "web")]),
        vec![NetworkPolicyRule::default()],
    ));
    assert!(can(&c, TOOL, WEB, ServicePoint::Tcp(81)));
}

#[test]
fn networks_and_domain_names_in_egress() {
    let mut c = cluster();
    let mut p = cnp("egress", PolicyTier::Admin, 1, Vec::new());
    p.egress = vec![
        rule(
            ClusterPolicyAction::Accept,
            ClusterPolicyPeer::DomainNames(vec!["example.com".into()]),
            Some(vec![tcp_port(443)]),
        ),
        rule(
            ClusterPolicyAction::Deny,
            ClusterPolicyPeer::Networks(vec!["0.0.0.0/0".parse().unwrap()]),
            None,
        ),
    ];
    c.cluster_network_policies.push(p);
    let idx = ClusterIndex::new(&c);
    let out: IpAddr = "203.0.113.5".parse().unwrap();
    let a = idx.allowed(Peer::Pod(WEB), Peer::Ip(out));
    assert!(
        a.services.is_empty(),
        "443 is allowed only if the address is example.com's"
    );
    assert!(a.unknown.as_deref().unwrap_or("").contains("domain name"));
    // Networks 0.0.0.0/0 also covers pods by address.
    let a = idx.allowed(Peer::Pod(WEB), Peer::Pod(TOOL));
    assert!(a.services.is_empty());
    assert!(a.unknown.is_none());
}

#[test]
fn classes_group_alike_pods() {
    let mut c = cluster();
    c.pods.push(pod("prod", "web-2", "10.0.0.3", "web"));
    c.pods[3]
        .labels
        .insert("pod-template-hash".into(), "abc".into());
    c.network_policies
        .push(np("prod", "deny", sel(&[("app", "web")]), Vec::new()));
    let idx = ClusterIndex::new(&c);
    assert_eq!(idx.pod_classes(), vec![vec![0, 3], vec![1], vec![2]]);
    // An ipBlock cutting between them separates them.
    c.network_policies[0].ingress.push(NetworkPolicyRule {
        peers: vec![NetworkPolicyPeer {
            ip_block: Some(IpBlock {
                cidr: "10.0.0.3/32".parse().unwrap(),
                except: Vec::new(),
            }),
            ..Default::default()
        }],
        ports: Vec::new(),
    });
    let idx = ClusterIndex::new(&c);
    assert_eq!(idx.pod_classes(), vec![vec![0], vec![1], vec![2], vec![3]]);
}

// ---- Services ----

#[test]
fn service_backends_resolve_named_target_port_per_pod() {
    let mut c = cluster();
    let mut other = pod("prod", "web-old", "10.0.0.4", "web");
    other.ports[0].container_port = 9090;
    c.pods.push(other);
    let mut gone = pod("prod", "web-gone", "10.0.0.5", "web");
    gone.phase = Some("Succeeded".into());
    c.pods.push(gone);
    let mut no_name = pod("prod", "web-plain", "10.0.0.6", "web");
    no_name.ports.clear();
    c.pods.push(no_name);
    c.services.push(KubeService {
        namespace: "prod".into(),
        name: "web".into(),
        service_type: "ClusterIP".into(),
        selector: Some(labels(&[("app", "web")])),
        cluster_ips: vec!["172.20.0.10".parse().unwrap()],
        ports: Vec::new(),
        load_balancer_ingress: Vec::new(),
        annotations: Labels::new(),
    });
    let idx = ClusterIndex::new(&c);
    let named = ServicePort {
        name: None,
        protocol: KubeProtocol::Tcp,
        port: 80,
        target_port: PortRef::Name("http".into()),
        node_port: None,
    };
    assert_eq!(idx.service_backends(0, &named), vec![(0, 8080), (3, 9090)]);
    let udp_named = ServicePort {
        protocol: KubeProtocol::Udp,
        ..named.clone()
    };
    assert!(
        idx.service_backends(0, &udp_named).is_empty(),
        "http is a TCP port"
    );
    let numeric = ServicePort {
        target_port: PortRef::Number(8443),
        ..named
    };
    assert_eq!(
        idx.service_backends(0, &numeric),
        vec![(0, 8443), (3, 8443), (5, 8443)]
    );
    assert!(idx.service_backends(7, &numeric).is_empty());
}

// ---- enforcement ----

fn daemon_set(name: &str, containers: Vec<Container>) -> DaemonSet {
    DaemonSet {
        namespace: "kube-system".into(),
        name: name.into(),
        containers,
    }
}

fn container(name: &str, args: &[&str]) -> Container {
    Container {
        name: name.into(),
        image: None,
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Labels::new(),
    }
}

fn eks(config: Option<&str>) -> EksCluster {
    EksCluster {
        name: "c".into(),
        arn: "arn:aws:eks:us-east-1:111122223333:cluster/c".into(),
        version: None,
        status: None,
        vpc_id: None,
        subnet_ids: Vec::new(),
        security_group_ids: Vec::new(),
        cluster_security_group_id: None,
        endpoint_public_access: true,
        endpoint_private_access: false,
        public_access_cidrs: Vec::new(),
        addons: Some(vec![EksAddon {
            name: "vpc-cni".into(),
            version: None,
            status: None,
            configuration_values: config.map(str::to_string),
        }]),
        nodegroups: None,
        tags: Default::default(),
        endpoint: None,
        certificate_authority: None,
    }
}

fn aws_node(args: &[&str]) -> DaemonSet {
    daemon_set(
        "aws-node",
        vec![
            container("aws-node", &[]),
            container("aws-eks-nodeagent", args),
        ],
    )
}

#[test]
fn enforcement_detection() {
    let mut c = cluster();
    assert!(matches!(enforcement(&c, None), Enforcement::Unknown { .. }));

    c.daemon_sets = vec![aws_node(&["--enable-network-policy=false"])];
    match enforcement(&c, None) {
        Enforcement::NotEnforced { why } => {
            assert!(
                why.starts_with("VPC CNI network policy enforcement is off (the default)"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    c.daemon_sets = vec![aws_node(&[
        "--enable-ipv6=false",
        "--enable-network-policy=true",
    ])];
    assert!(matches!(
        enforcement(&c, None),
        Enforcement::Enforced { .. }
    ));

    // The add-on turns it on, JSON (string or boolean) or YAML.
    c.daemon_sets = vec![aws_node(&[])];
    for config in [
        r#"{"enableNetworkPolicy": "true"}"#,
        r#"{"enableNetworkPolicy": true, "env": {}}"#,
        "env:\n  WARM_IP_TARGET: \"5\"\nenableNetworkPolicy: \"true\"\n",
    ] {
        assert!(
            matches!(
                enforcement(&c, Some(&eks(Some(config)))),
                Enforcement::Enforced { .. }
            ),
            "{config}"
        );
    }
    for config in [
        None,
        Some(r#"{"enableNetworkPolicy": "false"}"#),
        Some("nodeAgent:\n  enableNetworkPolicy: true\n"),
    ] {
        assert!(
            matches!(
                enforcement(&c, Some(&eks(config))),
                Enforcement::NotEnforced { .. }
            ),
            "{config:?}"
        );
    }

    // Calico beside the VPC CNI enforces policies.
    c.daemon_sets.push(daemon_set("calico-node", Vec::new()));
    match enforcement(&c, Some(&eks(None))) {
        Enforcement::Enforced { by } => assert!(
            by.contains("Calico (calico-node DaemonSet in kube-system)"),
            "{by}"
        ),
        other => panic!("{other:?}"),
    }

    // DaemonSets unreadable: only an add-on that turns it on decides.
    c.daemon_sets.clear();
    c.gaps.push(KubeGap {
        kind: Some(KubeKind::DaemonSet),
        reason: KubeGapReason::Forbidden,
        status: Some(403),
        message: "daemonsets.apps is forbidden".into(),
    });
    assert!(matches!(
        enforcement(&c, Some(&eks(None))),
        Enforcement::Unknown { .. }
    ));
    assert!(matches!(
        enforcement(&c, Some(&eks(Some(r#"{"enableNetworkPolicy":"true"}"#)))),
        Enforcement::Enforced { .. }
    ));
}
