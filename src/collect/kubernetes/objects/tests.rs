//! Unit tests of add_object, one kind at a time, with objects as the API serves them
//! (the fixtures are `kubectl get -o json` shaped).

use std::net::IpAddr;

use serde_json::{json, Value};

use super::*;
use crate::inventory::*;

const CLUSTER: &str = include_str!("../../../../tests/fixtures/kube/cluster.json");
const CRDS: &str = include_str!("../../../../tests/fixtures/kube/crds.json");

fn empty() -> KubeCluster {
    KubeCluster::new("t", KubeSource::Objects { files: Vec::new() })
}

/// The fixture item of this kind and name.
fn item(fixture: &str, kind: &str, name: &str) -> Value {
    let list: Value = serde_json::from_str(fixture).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind && i["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the fixture"))
        .clone()
}

fn add_one(object: &Value) -> KubeCluster {
    let mut c = empty();
    assert!(add_object(&mut c, object).unwrap());
    c
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

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

/// A change to a fixture object that makes it invalid.
type Edit = Box<dyn FnOnce(&mut Value)>;

/// The error add_object gives for `object` after `edit`.
fn error_after(mut object: Value, edit: impl FnOnce(&mut Value)) -> ObjectError {
    edit(&mut object);
    add_object(&mut empty(), &object).unwrap_err()
}

#[test]
fn namespace_keeps_its_labels_and_gets_the_name_label() {
    let c = add_one(&item(CLUSTER, "Namespace", "payments"));
    assert_eq!(
        c.namespaces,
        vec![Namespace {
            name: "payments".into(),
            labels: labels(&[
                ("kubernetes.io/metadata.name", "payments"),
                ("pci", "true"),
                ("team", "payments"),
            ]),
        }]
    );
    // A hand-written object without the label the API server always sets.
    let c =
        add_one(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "legacy"}}));
    assert_eq!(
        c.namespaces[0].labels,
        labels(&[("kubernetes.io/metadata.name", "legacy")])
    );
}

#[test]
fn pod_fields() {
    let c = add_one(&item(CLUSTER, "Pod", "coredns-789f8477df-4kxzq"));
    assert_eq!(
        c.pods,
        vec![Pod {
            namespace: "kube-system".into(),
            name: "coredns-789f8477df-4kxzq".into(),
            labels: labels(&[
                ("eks.amazonaws.com/component", "coredns"),
                ("k8s-app", "kube-dns"),
                ("pod-template-hash", "789f8477df"),
            ]),
            ips: vec![ip("10.0.1.201")],
            host_ip: Some(ip("10.0.1.10")),
            node_name: Some("ip-10-0-1-10.eu-west-1.compute.internal".into()),
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
                ContainerPort {
                    name: Some("metrics".into()),
                    container_port: 9153,
                    protocol: KubeProtocol::Tcp,
                },
            ],
            service_account: Some("coredns".into()),
            owner: Some(OwnerRef {
                kind: "ReplicaSet".into(),
                name: "coredns-789f8477df".into(),
            }),
        }]
    );
    let node = add_one(&item(CLUSTER, "Pod", "aws-node-7hx2m"));
    assert!(node.pods[0].host_network);
    assert_eq!(node.pods[0].ips, vec![ip("10.0.1.10")]);
}

#[test]
fn pod_addresses_dual_stack_fallback_and_defaults() {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]},
        "status": {"podIPs": [{"ip": "10.0.0.5"}, {"ip": "2600:1f18::5"}], "podIP": "10.0.0.5"}
    });
    let c = add_one(&pod);
    assert_eq!(c.pods[0].ips, vec![ip("10.0.0.5"), ip("2600:1f18::5")]);
    // Protocol defaults to TCP, the name is optional.
    assert_eq!(
        c.pods[0].ports,
        vec![ContainerPort {
            name: None,
            container_port: 8080,
            protocol: KubeProtocol::Tcp
        }]
    );
    let mut old = pod.clone();
    old["status"] = json!({"podIP": "10.0.0.6"});
    assert_eq!(add_one(&old).pods[0].ips, vec![ip("10.0.0.6")]);
    let mut pending = pod;
    pending["status"] = json!({"phase": "Pending"});
    let c = add_one(&pending);
    assert!(c.pods[0].ips.is_empty());
    assert_eq!(c.pods[0].owner, None);
}

#[test]
fn service_fields() {
    let c = add_one(&item(CLUSTER, "Service", "web"));
    assert_eq!(
        c.services,
        vec![KubeService {
            namespace: "marketing".into(),
            name: "web".into(),
            service_type: "LoadBalancer".into(),
            selector: Some(labels(&[("app", "web")])),
            cluster_ips: vec![ip("172.20.201.44")],
            ports: vec![ServicePort {
                name: Some("http".into()),
                protocol: KubeProtocol::Tcp,
                port: 80,
                target_port: PortRef::Number(80),
                node_port: Some(31380),
            }],
            load_balancer_ingress: vec![
                "k8s-marketin-web-3f1c2a9b7e-4d1e0f2a3b5c6d7e.elb.eu-west-1.amazonaws.com".into()
            ],
            // The Helm annotation is not kept.
            annotations: labels(&[
                (
                    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type",
                    "ip"
                ),
                (
                    "service.beta.kubernetes.io/aws-load-balancer-scheme",
                    "internet-facing"
                ),
                (
                    "service.beta.kubernetes.io/aws-load-balancer-type",
                    "external"
                ),
            ]),
        }]
    );
    let api = add_one(&item(CLUSTER, "Service", "api"));
    assert_eq!(
        api.services[0].ports[0].target_port,
        PortRef::Name("http".into())
    );
    let kubernetes = add_one(&item(CLUSTER, "Service", "kubernetes"));
    assert_eq!(kubernetes.services[0].selector, None);
    // targetPort defaults to port; a headless Service has no cluster IP.
    let headless = add_one(&json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "db", "namespace": "payments"},
        "spec": {"clusterIP": "None", "clusterIPs": ["None"], "selector": {"app": "db"},
                 "ports": [{"port": 5432}]}
    }));
    let s = &headless.services[0];
    assert!(s.cluster_ips.is_empty());
    assert_eq!(s.service_type, "ClusterIP");
    assert_eq!(s.ports[0].target_port, PortRef::Number(5432));
    assert_eq!(s.ports[0].protocol, KubeProtocol::Tcp);
}

#[test]
fn daemon_set_keeps_containers_args_and_literal_env() {
    let c = add_one(&item(CLUSTER, "DaemonSet", "aws-node"));
    let ds = &c.daemon_sets[0];
    assert_eq!(
        (ds.namespace.as_str(), ds.name.as_str()),
        ("kube-system", "aws-node")
    );
    let names: Vec<&str> = ds.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["aws-node", "aws-eks-nodeagent"]);
    let agent = &ds.containers[1];
    assert_eq!(agent.args[1], "--enable-network-policy=false");
    assert_eq!(
        agent.image.as_deref(),
        Some("602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1")
    );
    // valueFrom (MY_NODE_NAME) is not a literal.
    assert!(agent.env.is_empty());
    let cni = &ds.containers[0];
    assert_eq!(
        cni.env.get("ENABLE_POD_ENI").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        cni.env
            .get("AWS_VPC_K8S_CNI_EXTERNALSNAT")
            .map(String::as_str),
        Some("false")
    );
    assert!(!cni.env.contains_key("MY_NODE_NAME"));
}

#[test]
fn network_policy_fields() {
    let c = add_one(&item(CLUSTER, "NetworkPolicy", "allow-api"));
    let p = &c.network_policies[0];
    assert_eq!(p.pod_selector, match_labels(&[("app", "api")]));
    assert_eq!(
        p.policy_types,
        Some(vec![PolicyType::Ingress, PolicyType::Egress])
    );
    assert_eq!(
        p.ingress,
        vec![NetworkPolicyRule {
            peers: vec![
                NetworkPolicyPeer {
                    pod_selector: Some(match_labels(&[("app", "web")])),
                    namespace_selector: Some(match_labels(&[(
                        "kubernetes.io/metadata.name",
                        "marketing"
                    )])),
                    ip_block: None,
                },
                NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector {
                        match_labels: Labels::new(),
                        match_expressions: vec![LabelRequirement {
                            key: "app".into(),
                            operator: SelectorOperator::In,
                            values: vec!["api".into(), "ledger".into()],
                        }],
                    }),
                    namespace_selector: None,
                    ip_block: None,
                },
            ],
            ports: vec![NetworkPolicyPort {
                protocol: Some(KubeProtocol::Tcp),
                port: Some(PortRef::Name("http".into())),
                end_port: None,
            }],
        }]
    );
    assert_eq!(p.egress.len(), 3);
    assert_eq!(
        p.egress[2].peers[0].ip_block,
        Some(IpBlock {
            cidr: "0.0.0.0/0".parse().unwrap(),
            except: vec![
                "10.0.0.0/16".parse().unwrap(),
                "169.254.169.254/32".parse().unwrap()
            ],
        })
    );
    // policyTypes omitted stays omitted; endPort is kept.
    let ledger = add_one(&item(CLUSTER, "NetworkPolicy", "allow-ledger"));
    let l = &ledger.network_policies[0];
    assert_eq!(l.policy_types, None);
    assert_eq!(l.ingress[0].ports[0].port, Some(PortRef::Number(50051)));
    assert_eq!(l.ingress[0].ports[0].end_port, Some(50060));
    let deny = add_one(&item(CLUSTER, "NetworkPolicy", "default-deny"));
    assert_eq!(
        deny.network_policies[0].pod_selector,
        LabelSelector::default()
    );
    assert!(deny.network_policies[0].ingress.is_empty());
}

#[test]
fn network_policy_field_errors_name_the_item_and_field() {
    let policy = item(CLUSTER, "NetworkPolicy", "allow-api");
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|p| {
                p["spec"]["ingress"][0]["from"][1]["podSelector"]["matchExpressions"][0]
                    ["operator"] = json!("Equals")
            }),
            "spec.ingress[0].from[1].podSelector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, DoesNotExist",
        ),
        (
            Box::new(|p| p["spec"]["egress"][2]["to"][0]["ipBlock"]["cidr"] = json!("10.0.0.0/33")),
            "spec.egress[2].to[0].ipBlock.cidr: \"10.0.0.0/33\" is not a CIDR",
        ),
        (
            Box::new(|p| {
                p["spec"]["egress"][2]["to"][0]["ipBlock"]["except"][1] = json!("169.254.169.254")
            }),
            "spec.egress[2].to[0].ipBlock.except[1]: \"169.254.169.254\" is not a CIDR",
        ),
        (
            Box::new(|p| p["spec"]["egress"][0]["ports"][0]["port"] = json!(70000)),
            "spec.egress[0].ports[0].port: 70000 is not a port (1-65535)",
        ),
        (
            Box::new(|p| p["spec"]["ingress"][0]["ports"][0]["endPort"] = json!(8090)),
            "spec.ingress[0].ports[0].endPort: set with the named port \"http\"; a range needs a numeric port",
        ),
        (
            Box::new(|p| p["spec"]["egress"][1]["ports"][0]["protocol"] = json!("ICMP")),
            "spec.egress[1].ports[0].protocol: \"ICMP\" is not one of TCP, UDP, SCTP",
        ),
        (
            Box::new(|p| p["spec"]["policyTypes"][1] = json!("egress")),
            "spec.policyTypes[1]: \"egress\" is not one of Ingress, Egress",
        ),
        (
            Box::new(|p| p["spec"]["egress"][0]["to"][0] = json!({})),
            "spec.egress[0].to[0]: sets none of podSelector, namespaceSelector, ipBlock",
        ),
    ];
    for (edit, message) in cases {
        let e = error_after(policy.clone(), edit);
        assert_eq!(e.item, "NetworkPolicy payments/allow-api");
        assert_eq!(e.message, message);
    }
}

#[test]
fn kinds_not_read_are_skipped_and_unknown_versions_refused() {
    let mut c = empty();
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {}});
    assert!(!add_object(&mut c, &config_map).unwrap());
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "payments"}});
    assert!(!add_object(&mut c, &deployment).unwrap());
    assert_eq!(c, empty());

    let mut v2 = item(CLUSTER, "NetworkPolicy", "allow-api");
    v2["apiVersion"] = json!("networking.k8s.io/v2");
    assert_eq!(
        add_object(&mut c, &v2).unwrap_err().to_string(),
        "NetworkPolicy payments/allow-api: apiVersion \"networking.k8s.io/v2\" of NetworkPolicy is not one vpcaudit reads (networking.k8s.io/v1)"
    );
    let mut old = item(CLUSTER, "DaemonSet", "aws-node");
    old["apiVersion"] = json!("extensions/v1beta1");
    let e = add_object(&mut c, &old).unwrap_err();
    assert_eq!(e.item, "DaemonSet kube-system/aws-node");
    assert!(e.message.contains("\"extensions/v1beta1\""), "{e}");
    let mut cnp = item(CRDS, "ClusterNetworkPolicy", "cluster-control");
    cnp["apiVersion"] = json!("policy.networking.k8s.io/v1alpha1");
    assert!(add_object(&mut c, &cnp)
        .unwrap_err()
        .message
        .ends_with("(policy.networking.k8s.io/v1alpha2, networking.k8s.aws/v1alpha1)"));
    // A wrong shape is refused, not guessed at.
    let mut bad = item(CLUSTER, "Pod", "db-0");
    bad["spec"]["containers"] = json!("postgres");
    let e = add_object(&mut c, &bad).unwrap_err();
    assert_eq!(e.item, "Pod payments/db-0");
    assert!(
        e.message.starts_with("not the shape of a Pod (v1): "),
        "{e}"
    );
}

#[test]
fn typed_lists_give_their_kind_to_their_items() {
    // As the API serves `GET /api/v1/pods`: items without kind or apiVersion.
    let mut pod = item(CLUSTER, "Pod", "db-0");
    let map = pod.as_object_mut().unwrap();
    map.remove("kind");
    map.remove("apiVersion");
    let list = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [pod]});
    let mut c = empty();
    assert!(add_object(&mut c, &list).unwrap());
    assert_eq!(c.pods[0].name, "db-0");
    // ... also as an item of a `List`.
    let nested = json!({"apiVersion": "v1", "kind": "List", "items": [list]});
    assert_eq!(add_one(&nested).pods, c.pods);
    // A typed list of a kind not read is skipped whole.
    let maps = json!({"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"metadata": {"name": "x"}}]});
    assert!(!add_object(&mut empty(), &maps).unwrap());
}

#[test]
fn security_group_policies() {
    let c = add_one(&item(CRDS, "SecurityGroupPolicy", "api-rds-access"));
    assert_eq!(
        c.security_group_policies,
        vec![SecurityGroupPolicy {
            namespace: "payments".into(),
            name: "api-rds-access".into(),
            pod_selector: Some(match_labels(&[("app", "api")])),
            service_account_selector: None,
            security_group_ids: vec!["sg-0a1b2c3d4e5f60718".into(), "sg-0f1e2d3c4b5a69788".into()],
        }]
    );
    let by_account = add_one(&item(CRDS, "SecurityGroupPolicy", "ledger-by-account"));
    let p = &by_account.security_group_policies[0];
    assert_eq!(p.pod_selector, None);
    assert_eq!(
        p.service_account_selector
            .as_ref()
            .unwrap()
            .match_expressions[0]
            .values,
        ["ledger", "ledger-batch"]
    );
    let e = error_after(
        item(CRDS, "SecurityGroupPolicy", "ledger-by-account"),
        |p| p["spec"]["serviceAccountSelector"]["matchNames"] = json!(["ledger"]),
    );
    assert_eq!(e.item, "SecurityGroupPolicy finance/ledger-by-account");
    assert!(
        e.message
            .starts_with("spec.serviceAccountSelector.matchNames: "),
        "{e}"
    );
}

#[test]
fn upstream_cluster_network_policy() {
    let c = add_one(&item(CRDS, "ClusterNetworkPolicy", "cluster-control"));
    let kube_dns = ClusterPolicyPeer::Pods {
        namespace_selector: match_labels(&[("kubernetes.io/metadata.name", "kube-system")]),
        pod_selector: match_labels(&[("k8s-app", "kube-dns")]),
    };
    assert_eq!(
        c.cluster_network_policies,
        vec![ClusterNetworkPolicy {
            name: "cluster-control".into(),
            api: KubeKind::ClusterNetworkPolicy,
            tier: PolicyTier::Admin,
            priority: 10,
            subject: ClusterPolicySubject::Namespaces(match_labels(&[("pci", "true")])),
            ingress: vec![
                ClusterPolicyRule {
                    name: Some("pass-from-kube-system".into()),
                    action: ClusterPolicyAction::Pass,
                    peers: vec![ClusterPolicyPeer::Namespaces(match_labels(&[(
                        "kubernetes.io/metadata.name",
                        "kube-system"
                    )]))],
                    ports: None,
                },
                ClusterPolicyRule {
                    name: Some("deny-other-teams".into()),
                    action: ClusterPolicyAction::Deny,
                    peers: vec![ClusterPolicyPeer::Namespaces(LabelSelector {
                        match_labels: Labels::new(),
                        match_expressions: vec![LabelRequirement {
                            key: "team".into(),
                            operator: SelectorOperator::NotIn,
                            values: vec!["payments".into(), "finance".into()],
                        }],
                    })],
                    ports: Some(vec![ClusterPolicyPort::Range {
                        protocol: KubeProtocol::Tcp,
                        start: 8000,
                        end: 9999,
                    }]),
                },
            ],
            egress: vec![
                ClusterPolicyRule {
                    name: Some("allow-to-dns".into()),
                    action: ClusterPolicyAction::Accept,
                    peers: vec![kube_dns],
                    ports: Some(vec![
                        ClusterPolicyPort::Number {
                            protocol: KubeProtocol::Udp,
                            port: 53,
                        },
                        ClusterPolicyPort::Named("dns-tcp".into()),
                    ]),
                },
                ClusterPolicyRule {
                    name: Some("deny-metadata".into()),
                    action: ClusterPolicyAction::Deny,
                    peers: vec![ClusterPolicyPeer::Networks(vec![
                        "169.254.169.254/32".parse().unwrap(),
                        "fd00:ec2::254/128".parse().unwrap(),
                    ])],
                    ports: None,
                },
            ],
        }]
    );
}

#[test]
fn aws_cluster_network_policy() {
    let c = add_one(&item(CRDS, "ClusterNetworkPolicy", "baseline-egress"));
    let p = &c.cluster_network_policies[0];
    assert_eq!(p.api, KubeKind::AwsClusterNetworkPolicy);
    assert_eq!((p.tier, p.priority), (PolicyTier::Baseline, 50));
    assert_eq!(
        p.subject,
        ClusterPolicySubject::Pods {
            namespace_selector: match_labels(&[("team", "marketing")]),
            pod_selector: match_labels(&[("app", "web")]),
        }
    );
    assert!(p.ingress.is_empty());
    assert_eq!(
        p.egress[0].peers,
        vec![ClusterPolicyPeer::DomainNames(vec![
            "*.amazonaws.com".into(),
            "sts.amazonaws.com".into()
        ])]
    );
    assert_eq!(
        p.egress[0].ports,
        Some(vec![ClusterPolicyPort::Number {
            protocol: KubeProtocol::Tcp,
            port: 443
        }])
    );
    assert_eq!(
        p.egress[1].ports,
        Some(vec![
            ClusterPolicyPort::Range {
                protocol: KubeProtocol::Udp,
                start: 1024,
                end: 65535
            },
            ClusterPolicyPort::Number {
                protocol: KubeProtocol::Tcp,
                port: 80
            },
        ])
    );
    // `namedPort`, and the protocol defaulting to TCP.
    let mut named = item(CRDS, "ClusterNetworkPolicy", "baseline-egress");
    named["spec"]["egress"][1]["ports"] =
        json!([{"namedPort": "http"}, {"portNumber": {"port": 8443}}]);
    assert_eq!(
        add_one(&named).cluster_network_policies[0].egress[1].ports,
        Some(vec![
            ClusterPolicyPort::Named("http".into()),
            ClusterPolicyPort::Number {
                protocol: KubeProtocol::Tcp,
                port: 8443
            },
        ])
    );
}

#[test]
fn cluster_network_policy_errors() {
    let upstream = item(CRDS, "ClusterNetworkPolicy", "cluster-control");
    let aws = item(CRDS, "ClusterNetworkPolicy", "baseline-egress");
    let cases: Vec<(Value, Edit, &str)> = vec![
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["tier"] = json!("Developer")),
            "spec.tier: \"Developer\" is not one of Admin, Baseline",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["priority"] = json!(1001)),
            "spec.priority: 1001 is not between 0 and 1000",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["ingress"][0]["action"] = json!("Allow")),
            "spec.ingress[0].action: \"Allow\" is not one of Accept, Deny, Pass",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["egress"][1]["to"][0]["networks"][0] = json!("169.254.169.254")),
            "spec.egress[1].to[0].networks[0]: \"169.254.169.254\" is not a CIDR",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["ingress"][0]["from"][0] = json!({"networks": ["10.0.0.0/8"]})),
            "spec.ingress[0].from[0].networks: not allowed here (only namespaces, pods)",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["egress"][1]["to"][0] = json!({"nodes": {}})),
            "spec.egress[1].to[0].nodes: node peers are not supported by vpcaudit yet",
        ),
        (
            upstream.clone(),
            Box::new(|p| p["spec"]["subject"]["pods"] = json!({"podSelector": {}})),
            "spec.subject: sets namespaces and pods; exactly one is allowed",
        ),
        (
            upstream.clone(),
            Box::new(|p| {
                p["spec"]["ingress"][1]["protocols"][0]["tcp"]["destinationPort"]["range"]
                    ["start"] = json!(10000)
            }),
            "spec.ingress[1].protocols[0].tcp.destinationPort.range.end: 9999 is not above start 10000",
        ),
        (
            upstream,
            Box::new(|p| p["spec"]["egress"][0]["ports"] = json!([{"namedPort": "dns"}])),
            "spec.egress[0].ports: not a field of policy.networking.k8s.io/v1alpha2 (it uses `protocols`)",
        ),
        (
            aws.clone(),
            Box::new(|p| p["spec"]["egress"][0]["ports"][0]["portNumber"]["protocol"] = json!("ICMP")),
            "spec.egress[0].ports[0].portNumber.protocol: \"ICMP\" is not one of TCP, UDP, SCTP",
        ),
        (
            aws,
            Box::new(|p| p["spec"]["egress"][1]["ports"][0]["portRange"]["end"] = json!(65536)),
            "spec.egress[1].ports[0].portRange.end: 65536 is not a port (1-65535)",
        ),
    ];
    for (object, edit, message) in cases {
        let name = object["metadata"]["name"].as_str().unwrap().to_string();
        let e = error_after(object, edit);
        assert_eq!(e.item, format!("ClusterNetworkPolicy {name}"));
        assert_eq!(e.message, message);
    }
}

#[test]
fn sort_orders_every_list() {
    let list: Value = serde_json::from_str(CLUSTER).unwrap();
    let mut forward = empty();
    add_object(&mut forward, &list).unwrap();
    let mut items = list["items"].as_array().unwrap().clone();
    items.reverse();
    let mut backward = empty();
    add_object(
        &mut backward,
        &json!({"apiVersion": "v1", "kind": "List", "items": items}),
    )
    .unwrap();
    assert_ne!(forward, backward);
    sort(&mut forward);
    sort(&mut backward);
    assert_eq!(forward, backward);
    let names: Vec<&str> = forward.namespaces.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["default", "finance", "kube-system", "marketing", "payments"]
    );
}
