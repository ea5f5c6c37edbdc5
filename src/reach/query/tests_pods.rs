//! Pod selectors (`ns/name`, `cluster:ns/name`) on a hand-built cluster whose pods
//! sit on two node ENIs of one subnet.

use crate::answer::reach::{Layer, ReachReport, Verdict};
use crate::inventory::{
    Container, ContainerPort, DaemonSet, Inventory, IpBlock, KubeCluster, KubeProtocol, KubeSource,
    L4Match, LabelSelector, Labels, Namespace, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicyRule, Pod, PortRef, Protocol, RouteTarget,
};
use crate::reach::testkit::*;
use crate::reach::Model;

use super::{Index, QueryError, Question};

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

fn pod(ns: &str, name: &str, ip: Option<&str>, port: u16) -> Pod {
    Pod {
        namespace: ns.into(),
        name: name.into(),
        labels: labels(&[("app", name)]),
        ips: ip.iter().map(|a| a.parse().unwrap()).collect(),
        host_ip: None,
        node_name: None,
        host_network: false,
        phase: Some(if ip.is_some() { "Running" } else { "Pending" }.into()),
        ports: vec![ContainerPort {
            name: None,
            container_port: port,
            protocol: KubeProtocol::Tcp,
        }],
        service_account: None,
        owner: None,
    }
}

fn tcp(port: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: None,
        port: Some(PortRef::Number(port)),
        end_port: None,
    }
}

/// What enforces the policies: a DaemonSet in kube-system.
fn daemon_set(name: &str, container: &str, args: &[&str]) -> DaemonSet {
    DaemonSet {
        namespace: "kube-system".into(),
        name: name.into(),
        containers: vec![Container {
            name: container.into(),
            image: None,
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Labels::new(),
        }],
    }
}

/// Cluster `name`: prod/web and prod/crawler (on node ENI eni-n1), prod/api and
/// prod/db (on eni-n2), prod/new (pending). NetworkPolicies: api admits tcp 8080 and
/// 9000 from web; db admits nothing (default deny for it); crawler may send tcp 443
/// to 52.0.0.0/8 except 52.0.0.0/16 only. Calico enforces them.
fn cluster(name: &str) -> KubeCluster {
    let mut c = KubeCluster::new(name, KubeSource::Eks);
    c.namespaces = vec![Namespace {
        name: "prod".into(),
        labels: Labels::new(),
    }];
    c.pods = vec![
        pod("prod", "web", Some("10.0.1.20"), 80),
        pod("prod", "api", Some("10.0.1.21"), 8080),
        pod("prod", "db", Some("10.0.1.22"), 5432),
        pod("prod", "new", None, 80),
        pod("prod", "crawler", Some("10.0.1.23"), 80),
    ];
    c.network_policies = vec![
        NetworkPolicy {
            namespace: "prod".into(),
            name: "api-from-web".into(),
            pod_selector: sel(&[("app", "api")]),
            policy_types: None,
            ingress: vec![NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    pod_selector: Some(sel(&[("app", "web")])),
                    ..Default::default()
                }],
                ports: vec![tcp(8080), tcp(9000)],
            }],
            egress: Vec::new(),
        },
        NetworkPolicy {
            namespace: "prod".into(),
            name: "db-deny".into(),
            pod_selector: sel(&[("app", "db")]),
            policy_types: None,
            ingress: Vec::new(),
            egress: Vec::new(),
        },
        NetworkPolicy {
            namespace: "prod".into(),
            name: "crawler-out".into(),
            pod_selector: sel(&[("app", "crawler")]),
            policy_types: None,
            ingress: Vec::new(),
            egress: vec![NetworkPolicyRule {
                peers: vec![NetworkPolicyPeer {
                    ip_block: Some(IpBlock {
                        cidr: "52.0.0.0/8".parse().unwrap(),
                        except: vec!["52.0.0.0/16".parse().unwrap()],
                    }),
                    ..Default::default()
                }],
                ports: vec![tcp(443)],
            }],
        },
    ];
    c.daemon_sets = vec![daemon_set("calico-node", "calico-node", &[])];
    c
}

/// vpc-1, one subnet with an open NACL and a way to the internet (eni-n1 has a
/// public address). sg-node admits tcp 8080 and 5432 from the
/// VPC (not 9000); sg-x admits tcp 22 from the VPC.
fn inventory(clusters: Vec<KubeCluster>) -> Inventory {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .igw("igw-1", "vpc-1")
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .nacl(open_acl("acl-open"), "vpc-1", true, &[])
        .group(
            "sg-node",
            "node",
            vec![
                egress("sgr-n1", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress(
                    "sgr-n2",
                    Protocol::Tcp,
                    ports(8080, 8080),
                    cidr("10.0.0.0/16"),
                ),
                ingress(
                    "sgr-n3",
                    Protocol::Tcp,
                    ports(5432, 5432),
                    cidr("10.0.0.0/16"),
                ),
            ],
        )
        .group(
            "sg-x",
            "x",
            vec![
                egress("sgr-x1", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress("sgr-x2", Protocol::Tcp, ports(22, 22), cidr("10.0.0.0/16")),
            ],
        );
    for (id, addrs, group) in [
        (
            "eni-n1",
            &["10.0.1.10", "10.0.1.20", "10.0.1.23"][..],
            "sg-node",
        ),
        (
            "eni-n2",
            &["10.0.1.11", "10.0.1.21", "10.0.1.22"][..],
            "sg-node",
        ),
        ("eni-x", &["10.0.1.30"][..], "sg-x"),
    ] {
        kit = kit.eni(id, addrs, &[group]).placed("vpc-1", "subnet-1");
        if id == "eni-n1" {
            kit = kit.public_ip("54.0.0.10");
        }
    }
    kit.inv.kubernetes = clusters;
    kit.inv
}

fn ask(
    inv: &Inventory,
    from: Option<&str>,
    to: Option<&str>,
    port: Option<&str>,
) -> Result<ReachReport, QueryError> {
    let model = Model::build(inv);
    let index = Index::build(&model, inv);
    index.ask(&Question {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        service: port.map(str::to_string),
        max_hops: 1,
    })
}

fn pair(inv: &Inventory, from: &str, to: &str, port: Option<&str>) -> ReachReport {
    ask(inv, Some(from), Some(to), port).expect("answers")
}

#[test]
fn the_services_are_what_both_the_policies_and_the_vpc_allow() {
    let inv = inventory(vec![cluster("c1")]);
    let r = pair(&inv, "prod/web", "prod/api", None);
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    // The policy admits 8080 and 9000, the node group 8080 and 5432.
    assert_eq!(r.services, vec!["tcp 8080"]);
    let from = r.from.as_ref().unwrap();
    assert_eq!(
        (from.kind.as_str(), from.resources.clone()),
        ("pod", vec!["c1/prod/web".to_string()])
    );
    let hops = &r.paths[0].hops;
    let policy: Vec<&str> = hops
        .iter()
        .filter(|h| h.layer == Layer::NetworkPolicy)
        .map(|h| h.resource.as_str())
        .collect();
    assert_eq!(
        policy,
        ["NetworkPolicy (egress)", "NetworkPolicy (ingress)"]
    );
    // The VPC leg is between the node ENIs.
    assert!(
        hops.iter()
            .any(|h| h.layer == Layer::SecurityGroup && h.decision.contains("sgr-n2")),
        "{hops:#?}"
    );
    assert!(hops.iter().all(|h| h.verdict == Verdict::Allowed));
}

#[test]
fn a_port_the_policy_allows_but_the_node_group_does_not_is_blocked_at_the_group() {
    let inv = inventory(vec![cluster("c1")]);
    let r = pair(&inv, "prod/web", "prod/api", Some("tcp/9000"));
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(
        (b.code.as_str(), b.layer),
        ("ENI_SG_RULES_MISMATCH", Layer::SecurityGroup)
    );
    assert!(b.change.contains("tcp 9000"), "{}", b.change);
}

#[test]
fn a_default_deny_blocks_at_the_policy_with_the_rule_it_would_need() {
    let inv = inventory(vec![cluster("c1")]);
    let r = pair(&inv, "prod/web", "prod/db", None);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert!(r.services.is_empty());
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(
        (b.code.as_str(), b.layer),
        ("NETWORK_POLICY_RESTRICTION", Layer::NetworkPolicy)
    );
    assert_eq!(b.resource, "NetworkPolicy (ingress)");
    // Explained at the port the database declares (and its group admits).
    assert_eq!(
        b.change,
        "a NetworkPolicy selecting prod/db would need an ingress rule allowing tcp 5432 from prod/web"
    );
    // The egress side (not isolated) passed.
    let hops = &r.paths[0].hops;
    assert_eq!(hops[0].resource, "NetworkPolicy (egress)");
    assert_eq!(hops[0].verdict, Verdict::Allowed);
}

#[test]
fn policies_nothing_enforces_allow_everything_and_the_hops_say_so() {
    let mut c = cluster("c1");
    c.daemon_sets = vec![daemon_set(
        "aws-node",
        "aws-eks-nodeagent",
        &["--enable-network-policy=false"],
    )];
    let inv = inventory(vec![c]);
    let r = pair(&inv, "prod/web", "prod/db", None);
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    // What the node group admits: the policy is not enforced.
    assert_eq!(r.services, vec!["tcp 5432, 8080"]);
    let hop = &r.paths[0].hops[0];
    assert_eq!(hop.layer, Layer::NetworkPolicy);
    assert!(hop.decision.starts_with("not enforced"), "{}", hop.decision);
}

#[test]
fn policies_that_may_not_be_enforced_make_their_block_unknown() {
    let mut c = cluster("c1");
    c.daemon_sets = Vec::new();
    let inv = inventory(vec![c]);
    let r = pair(&inv, "prod/web", "prod/db", None);
    assert_eq!(r.verdict, Verdict::Unknown, "{r:#?}");
    assert!(
        r.unknown
            .iter()
            .any(|u| u.code == "NETWORK_POLICY_RESTRICTION"),
        "{:#?}",
        r.unknown
    );
}

#[test]
fn a_pod_to_an_eni_and_an_eni_to_a_pod() {
    let inv = inventory(vec![cluster("c1")]);
    // web's egress is not isolated: what sg-x admits.
    let r = pair(&inv, "prod/web", "eni-x", None);
    assert_eq!(
        (r.verdict, r.services.clone()),
        (Verdict::Allowed, vec!["tcp 22".to_string()])
    );
    // api admits only web: an ENI is blocked at its policy.
    let r = pair(&inv, "eni-x", "prod/api", Some("tcp/8080"));
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(b.code, "NETWORK_POLICY_RESTRICTION");
    assert_eq!(
        b.change,
        "a NetworkPolicy selecting prod/api would need an ingress rule allowing tcp 8080 from 10.0.1.30"
    );
    // web is not isolated for ingress: what its node's group admits from eni-x.
    let r = pair(&inv, "eni-x", "prod/web", None);
    assert_eq!(
        (r.verdict, r.services.clone()),
        (Verdict::Allowed, vec!["tcp 5432, 8080".to_string()])
    );
}

#[test]
fn an_unknown_pod_is_an_error_with_the_closest_pods() {
    let inv = inventory(vec![cluster("c1")]);
    let e = ask(&inv, Some("prod/dbb"), Some("prod/api"), None).unwrap_err();
    let QueryError::UnknownEndpoint { suggestions, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(suggestions.first().map(String::as_str), Some("prod/db"));
    // An unknown cluster: cluster-qualified suggestions.
    let e = ask(&inv, Some("c9:prod/db"), Some("prod/api"), None).unwrap_err();
    assert!(e.to_string().contains("c1:prod/db"), "{e}");
}

#[test]
fn a_pod_in_two_clusters_needs_its_cluster() {
    let inv = inventory(vec![cluster("c1"), cluster("c2")]);
    let e = ask(&inv, Some("prod/web"), Some("eni-x"), None).unwrap_err();
    assert!(
        matches!(&e, QueryError::AmbiguousPod { clusters, .. } if clusters == &["c1", "c2"]),
        "{e}"
    );
    assert!(e.to_string().contains("c1 and c2"), "{e}");
    let r = pair(&inv, "c2:prod/web", "eni-x", None);
    assert_eq!(r.from.unwrap().resources, vec!["c2/prod/web"]);
    // Pods of two clusters are not asked about together.
    let e = ask(&inv, Some("c1:prod/web"), Some("c2:prod/api"), None).unwrap_err();
    assert!(matches!(e, QueryError::Unsupported(_)), "{e}");
}

#[test]
fn a_pod_without_an_address_and_one_sided_pod_questions_are_errors() {
    let inv = inventory(vec![cluster("c1")]);
    let e = ask(&inv, Some("prod/new"), Some("prod/api"), None).unwrap_err();
    assert!(matches!(e, QueryError::PodWithoutAddress { .. }), "{e}");
    assert!(e.to_string().contains("Pending"), "{e}");
    for (from, to) in [(Some("prod/web"), None), (None, Some("prod/web"))] {
        let e = ask(&inv, from, to, None).unwrap_err();
        assert!(e.to_string().contains("not supported yet"), "{e}");
    }
    let e = ask(&inv, Some("internet"), Some("prod/web"), None).unwrap_err();
    assert!(matches!(e, QueryError::Unsupported(_)), "{e}");
}

#[test]
fn the_internet_is_asked_where_the_pods_egress_policy_opens_it() {
    let inv = inventory(vec![cluster("c1")]);
    // Only 52.0.0.0/8 (less 52.0.0.0/16) on 443: asked at its first public address.
    let r = pair(&inv, "prod/crawler", "internet", None);
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    assert_eq!(r.services, vec!["tcp 443"]);
    assert_eq!(r.paths.len(), 1, "{:#?}", r.paths);
    assert_eq!(r.paths[0].to, "52.1.0.0");
    assert!(r.paths[0]
        .hops
        .iter()
        .any(|h| h.layer == Layer::InternetGateway));
    // Elsewhere the policy turns it away.
    let r = pair(&inv, "prod/crawler", "8.8.8.8", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(
        (b.code.as_str(), b.layer),
        ("NETWORK_POLICY_RESTRICTION", Layer::NetworkPolicy)
    );
    assert_eq!(
        b.change,
        "a NetworkPolicy selecting prod/crawler would need an egress rule allowing tcp 443 to 8.8.8.8"
    );
    // web's egress is not isolated: what the node ENI lets out.
    let r = pair(&inv, "prod/web", "8.8.8.8", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
}
