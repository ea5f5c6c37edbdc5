//! Pass evidence (`Check::scope`) of the lateral-movement, EKS and Kubernetes checks:
//! what passes says why, what fails is the finding, what the check does not ask
//! about says why not.

use serde_json::json;

use crate::checks::registry::judge_one;
use crate::finding::{Evaluated, Judgement};
use crate::inventory::{
    EksAddon, EksCluster, Inventory, KubeCluster, L4Match, Protocol, RouteTarget,
};
use crate::reach::testkit::*;

/// The row of `id` in what `check` judged on `inv`.
fn judged(check: &str, inv: &Inventory, id: &str) -> Evaluated {
    let j = judge_one(check, inv);
    assert!(j.unscoped.is_empty(), "{check} has a scope");
    j.evaluated
        .into_iter()
        .find(|e| e.resource.id == id)
        .unwrap_or_else(|| panic!("{check} did not judge {id}"))
}

fn passes(check: &str, inv: &Inventory, id: &str, reason: &str) {
    let e = judged(check, inv, id);
    assert_eq!(
        (e.judgement, e.reason.as_str()),
        (Judgement::Pass, reason),
        "{check} on {id}"
    );
}

fn fails(check: &str, inv: &Inventory, id: &str) {
    let e = judged(check, inv, id);
    assert_eq!(
        e.judgement,
        Judgement::Fail,
        "{check} on {id}: {}",
        e.reason
    );
}

fn does_not_apply(check: &str, inv: &Inventory, id: &str, reason: &str) {
    let e = judged(check, inv, id);
    assert_eq!(
        (e.judgement, e.reason.as_str()),
        (Judgement::NotApplicable, reason),
        "{check} on {id}"
    );
}

// -- lateral movement --

/// vpc-1 with an internet route. Footholds: eni-web (public, may send anything) and
/// eni-shut (public, may send nothing). Crown jewels: eni-db (5432 from the VPC)
/// and eni-vault (5432 only from 192.168.0.0/16, which nothing here is).
fn estate() -> Inventory {
    let open_ssh = || ingress("sgr-ssh", Protocol::Tcp, ports(22, 22), cidr("0.0.0.0/0"));
    let pg_from = |c: &str| ingress("sgr-pg", Protocol::Tcp, ports(5432, 5432), cidr(c));
    Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-1", "vpc-1")
        .igw("igw-1", "vpc-1")
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .group(
            "sg-web",
            "web",
            vec![
                open_ssh(),
                egress("sgr-out", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
            ],
        )
        .group("sg-shut", "shut", vec![open_ssh()])
        .group("sg-db", "db", vec![pg_from("10.0.0.0/16")])
        .group("sg-vault", "vault", vec![pg_from("192.168.0.0/16")])
        .eni("eni-web", &["10.0.1.10"], &["sg-web"])
        .public_ip("198.51.100.10")
        .eni("eni-shut", &["10.0.1.11"], &["sg-shut"])
        .public_ip("198.51.100.11")
        .eni("eni-db", &["10.0.1.20"], &["sg-db"])
        .eni("eni-vault", &["10.0.1.30"], &["sg-vault"])
        .inv
}

#[test]
fn lateral_movement_path_judges_every_crown_jewel() {
    let inv = estate();
    let check = "lateral-movement-path";
    fails(check, &inv, "eni-db");
    passes(
        check,
        &inv,
        "eni-vault",
        "crown jewel (group sg-vault opens tcp 5432): no foothold reaches it within 4 hops",
    );
    // Footholds are the other check's: a path finding names the jewel.
    let j = judge_one(check, &inv);
    assert!(j.evaluated.iter().all(|e| e.resource.id != "eni-web"));
}

#[test]
fn lateral_blast_radius_judges_every_foothold() {
    let inv = estate();
    let check = "lateral-blast-radius";
    fails(check, &inv, "eni-web");
    passes(
        check,
        &inv,
        "eni-shut",
        "foothold (internet: tcp 22): reaches none of the 2 crown-jewel ENI(s) within 4 hops",
    );
    let j = judge_one(check, &inv);
    assert!(j.evaluated.iter().all(|e| e.resource.id != "eni-db"));
}

// -- EKS --

fn eks(name: &str, public: bool, cidrs: &[&str], addons: Option<Vec<EksAddon>>) -> EksCluster {
    EksCluster {
        name: name.into(),
        arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}"),
        version: Some("1.31".into()),
        status: Some("ACTIVE".into()),
        vpc_id: Some("vpc-1".into()),
        subnet_ids: vec!["subnet-1".into()],
        security_group_ids: Vec::new(),
        cluster_security_group_id: None,
        endpoint_public_access: public,
        endpoint_private_access: true,
        public_access_cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
        endpoint: None,
        certificate_authority: None,
        addons,
        nodegroups: Some(Vec::new()),
        tags: Default::default(),
    }
}

fn vpc_cni(config: Option<&str>) -> Option<Vec<EksAddon>> {
    Some(vec![EksAddon {
        name: "vpc-cni".into(),
        version: None,
        status: Some("ACTIVE".into()),
        configuration_values: config.map(str::to_string),
    }])
}

#[test]
fn eks_endpoint_public_says_how_the_endpoint_is_closed() {
    let mut kit = Kit::new();
    kit.region().eks_clusters = vec![
        eks("open", true, &["0.0.0.0/0"], None),
        eks("office", true, &["203.0.113.0/24"], None),
        eks("private", false, &[], None),
    ];
    let check = "eks-endpoint-public";
    fails(check, &kit.inv, "open");
    passes(
        check,
        &kit.inv,
        "office",
        "the public API endpoint admits only publicAccessCidrs 203.0.113.0/24",
    );
    passes(
        check,
        &kit.inv,
        "private",
        "the public API endpoint is disabled (endpointPublicAccess=false)",
    );
}

// -- Kubernetes --

/// Cluster c1 on vpc-1: pods on node ENIs eni-n1 (public address, internet route)
/// and eni-n2 (no public address). In prod: web (behind an internet-facing
/// Service; may send DNS, 443 and 5432 anywhere), db (5432, admits web), cache
/// (6379, admits nothing), node-agent (host network); coredns in kube-system; dev
/// has a pod and no policy. Calico enforces the policies.
fn cluster_estate() -> Inventory {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .igw("igw-1", "vpc-1")
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .group(
            "sg-node",
            "node",
            vec![
                egress("sgr-out", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress("sgr-in", Protocol::All, L4Match::Any, cidr("10.0.0.0/16")),
            ],
        )
        .eni(
            "eni-n1",
            &["10.0.1.10", "10.0.1.20", "10.0.1.21"],
            &["sg-node"],
        )
        .public_ip("54.0.0.10")
        .eni(
            "eni-n2",
            &["10.0.1.11", "10.0.1.22", "10.0.1.23", "10.0.1.24"],
            &["sg-node"],
        );
    let pod = |ns: &str, name: &str, ip: &str, ports: serde_json::Value| {
        json!({
            "namespace": ns, "name": name, "labels": {"app": name}, "ips": [ip],
            "host_ip": null, "node_name": null, "host_network": false, "phase": "Running",
            "ports": ports, "service_account": null, "owner": null
        })
    };
    let tcp = |p: u16| json!({"name": null, "container_port": p, "protocol": "TCP"});
    let selector = |app: Option<&str>| match app {
        Some(a) => json!({"match_labels": {"app": a}, "match_expressions": []}),
        None => json!({"match_labels": {}, "match_expressions": []}),
    };
    let port = |protocol: &str, p: u16| json!({"protocol": protocol, "port": p, "end_port": null});
    let policy = |name: &str, app: Option<&str>, types: &[&str], ingress, egress| {
        json!({
            "namespace": "prod", "name": name, "pod_selector": selector(app),
            "policy_types": types, "ingress": ingress, "egress": egress
        })
    };
    let mut host = pod("prod", "node-agent", "10.0.1.10", json!([]));
    host["host_network"] = json!(true);
    let mut coredns = pod(
        "kube-system",
        "coredns",
        "10.0.1.23",
        json!([
            {"name": "dns", "container_port": 53, "protocol": "UDP"},
            {"name": "dns-tcp", "container_port": 53, "protocol": "TCP"}
        ]),
    );
    coredns["labels"] = json!({"k8s-app": "kube-dns"});
    let namespace = |n: &str| json!({"name": n, "labels": {"kubernetes.io/metadata.name": n}});
    let cluster = json!({
        "name": "c1",
        "source": {"kind": "eks"},
        "arn": null,
        "account_id": ACCOUNT,
        "region": REGION,
        "server_version": "1.31",
        "namespaces": [namespace("prod"), namespace("dev"), namespace("kube-system")],
        "pods": [
            pod("prod", "web", "10.0.1.20", json!([tcp(80)])),
            pod("prod", "db", "10.0.1.21", json!([tcp(5432)])),
            pod("prod", "cache", "10.0.1.22", json!([tcp(6379)])),
            pod("dev", "tool", "10.0.1.24", json!([tcp(8080)])),
            host,
            coredns,
        ],
        "network_policies": [
            policy("default-deny", None, &["Ingress", "Egress"], json!([]), json!([])),
            policy(
                "web-egress", Some("web"), &["Egress"], json!([]),
                json!([{"peers": [], "ports": [
                    port("UDP", 53), port("TCP", 53), port("TCP", 443), port("TCP", 5432)
                ]}]),
            ),
            policy(
                "web-ingress", Some("web"), &["Ingress"],
                json!([{"peers": [], "ports": [port("TCP", 80)]}]), json!([]),
            ),
            policy(
                "db-from-web", Some("db"), &["Ingress"],
                json!([{"peers": [{"pod_selector": selector(Some("web")),
                    "namespace_selector": null, "ip_block": null}],
                    "ports": [port("TCP", 5432)]}]),
                json!([]),
            ),
            policy("ghost-egress", Some("ghost"), &["Egress"], json!([]), json!([])),
        ],
        "services": [{
            "namespace": "prod", "name": "web", "service_type": "LoadBalancer",
            "selector": {"app": "web"}, "cluster_ips": ["172.20.0.10"],
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "target_port": 80,
                "node_port": 30080}],
            "annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}
        }],
        "daemon_sets": [{
            "namespace": "kube-system", "name": "calico-node",
            "containers": [{"name": "calico-node", "image": null, "args": [], "env": {}}]
        }],
        "security_group_policies": [],
        "cluster_network_policies": []
    });
    let cluster: KubeCluster = serde_json::from_value(cluster).expect("a cluster");
    kit.inv.kubernetes = vec![cluster];
    kit.inv
}

#[test]
fn eks_network_policy_not_enforced_names_what_enforces_them() {
    let mut inv = cluster_estate();
    let check = "eks-network-policy-not-enforced";
    passes(
        check,
        &inv,
        "c1",
        "enforced: Calico (calico-node DaemonSet in kube-system) enforces NetworkPolicies",
    );
    // An EKS cluster whose objects were not read: its add-on decides.
    inv.accounts[0].regions[0].eks_clusters = vec![eks(
        "addon-only",
        false,
        &[],
        vpc_cni(Some(r#"{"enableNetworkPolicy": "true"}"#)),
    )];
    passes(
        check,
        &inv,
        "addon-only",
        "the vpc-cni add-on turns on network policy enforcement (enableNetworkPolicy: true)",
    );
    // Flannel enforces nothing: the policies stand for nothing.
    inv.kubernetes[0].daemon_sets[0].name = "kube-flannel-ds".into();
    fails(check, &inv, "c1");
}

#[test]
fn k8s_namespace_no_default_deny_names_the_default_deny_policy() {
    let inv = cluster_estate();
    let check = "k8s-namespace-no-default-deny";
    passes(
        check,
        &inv,
        "prod",
        "NetworkPolicy default-deny selects every pod for ingress and egress",
    );
    fails(check, &inv, "dev");
    does_not_apply(
        check,
        &inv,
        "kube-system",
        "exempt: matches [kubernetes] exempt_namespaces",
    );
}

#[test]
fn k8s_dns_egress_blocked_judges_policies_that_restrict_egress() {
    let inv = cluster_estate();
    let check = "k8s-dns-egress-blocked";
    passes(
        check,
        &inv,
        "prod/web-egress",
        "the 1 pod(s) it selects can send DNS queries to kube-dns on UDP and TCP 53",
    );
    // It selects db and cache too, which may send nothing.
    fails(check, &inv, "prod/default-deny");
    does_not_apply(check, &inv, "prod/web-ingress", "restricts ingress only");
    does_not_apply(
        check,
        &inv,
        "prod/ghost-egress",
        "selects no pod for egress",
    );
}

#[test]
fn k8s_pod_egress_internet_says_which_side_blocks() {
    let inv = cluster_estate();
    let check = "k8s-pod-egress-internet";
    fails(check, &inv, "prod/web");
    passes(
        check,
        &inv,
        "prod/db",
        "NetworkPolicy egress denies its 1 pod(s) tcp 443 to the internet (93.184.216.34)",
    );
    // No policy in dev; eni-n2 has no public address.
    passes(
        check,
        &inv,
        "dev/tool",
        "NetworkPolicy allows its 1 pod(s) tcp 443 to the internet (93.184.216.34), but no \
         VPC path from their ENIs leads there",
    );
    does_not_apply(
        check,
        &inv,
        "prod/node-agent",
        "its pods use the node's network (hostNetwork): the node's checks judge it",
    );
}

#[test]
fn k8s_lateral_movement_path_judges_every_crown_jewel_pod() {
    let inv = cluster_estate();
    let check = "k8s-lateral-movement-path";
    fails(check, &inv, "prod/db");
    passes(
        check,
        &inv,
        "prod/cache",
        "crown jewel (opens data port tcp/6379): no foothold pod reaches it within 4 hops",
    );
    let j = judge_one(check, &inv);
    assert!(j.evaluated.iter().all(|e| e.resource.id != "prod/web"));
}

// -- coverage gaps --

/// Every finding `checks` report on `inv` is about a resource of the check's scope,
/// listed once (the guard `checks::tests` runs this on the demo only).
pub(super) fn findings_in_scope(checks: &[&str], inv: &Inventory) {
    use std::collections::BTreeSet;
    let all = crate::checks::registry::all().expect("metadata parses");
    let refs: Vec<&crate::checks::Registered> = all
        .iter()
        .filter(|r| checks.contains(&r.meta.id.as_str()))
        .collect();
    assert_eq!(refs.len(), checks.len());
    let model = crate::reach::Model::build(inv);
    let ctx = crate::checks::Context::new(inv, &model);
    let findings = crate::checks::registry::run(&refs, &ctx);
    assert!(!findings.is_empty(), "the fixture raises something");
    for cs in crate::checks::registry::scopes(&refs, &ctx) {
        let scope = cs.scope.expect("every check has a scope");
        let key = |a: &str, r: &str, t: &str, i: &str| {
            (a.to_string(), r.to_string(), t.to_string(), i.to_string())
        };
        let keys: BTreeSet<_> = scope
            .iter()
            .map(|s| {
                key(
                    &s.account,
                    &s.region,
                    &s.resource.resource_type,
                    &s.resource.id,
                )
            })
            .collect();
        assert_eq!(keys.len(), scope.len(), "{}: a resource twice", cs.check);
        for f in findings.iter().filter(|f| f.check == cs.check) {
            let k = key(
                &f.account,
                &f.region,
                &f.resource.resource_type,
                &f.resource.id,
            );
            assert!(keys.contains(&k), "{}: {k:?} outside the scope", cs.check);
        }
    }
}

const KUBERNETES: [&str; 6] = [
    "eks-network-policy-not-enforced",
    "eks-endpoint-public",
    "k8s-namespace-no-default-deny",
    "k8s-dns-egress-blocked",
    "k8s-pod-egress-internet",
    "k8s-lateral-movement-path",
];

#[test]
fn unread_kubernetes_objects_and_eks_clusters_stay_in_scope() {
    let mut inv = cluster_estate();
    findings_in_scope(&KUBERNETES, &inv);
    findings_in_scope(
        &["lateral-movement-path", "lateral-blast-radius"],
        &estate(),
    );
    for kind in [
        crate::inventory::KubeKind::Pod,
        crate::inventory::KubeKind::NetworkPolicy,
    ] {
        let mut gapped = inv.clone();
        gapped.kubernetes[0].gaps.push(crate::inventory::KubeGap {
            kind: Some(kind),
            reason: crate::inventory::KubeGapReason::Forbidden,
            status: Some(403),
            message: "forbidden".into(),
        });
        findings_in_scope(&KUBERNETES, &gapped);
    }
    // EKS clusters that could not be listed, and one whose objects were not read.
    inv.accounts[0].regions[0].eks_clusters = vec![eks("unread", true, &[], vpc_cni(None))];
    let mut kit = Kit { inv };
    kit = kit.gap(crate::inventory::Operation::DescribeCluster, "AccessDenied");
    findings_in_scope(&KUBERNETES, &kit.inv);
}
