//! The seed lessons as clusters, scanned by the real binary. The demo's EKS cluster
//! `lk-eks` holds them: payments-service reachable only from the API gateway on 8443
//! and from Prometheus on 9090, restrict-db-access on the payments database, a
//! WordPress behind an internet-facing load balancer in `marketing` beside a
//! `finance` namespace with no policy, and a zero-egress `batch` namespace that
//! forgets kube-dns. Variants of it turn the CNI's enforcement off; a clean cluster
//! raises nothing of medium or above. Every expectation is written from the
//! scenario's design.

mod common;

use std::collections::BTreeSet;

use common::{findings, scan_json, vpcaudit_offline};
use serde_json::Value;

const KUBERNETES_CHECKS: &str = "eks-network-policy-not-enforced,eks-endpoint-public,\
k8s-namespace-no-default-deny,k8s-dns-egress-blocked,k8s-pod-egress-internet,\
k8s-lateral-movement-path";

fn demo() -> Value {
    serde_json::from_str(include_str!("../src/demo/inventory.json")).expect("demo inventory")
}

/// Scans `inventory` with the Kubernetes checks; `(check, resource id, verdict)` of
/// every finding, verdict as `fail/<severity>` or `unknown`.
fn scan(inventory: &Value) -> (BTreeSet<(String, String, String)>, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.json");
    std::fs::write(&path, inventory.to_string()).expect("write inventory");
    let doc = scan_json(
        vpcaudit_offline()
            .args(["scan", "--inventory"])
            .arg(&path)
            .args([
                "--checks",
                KUBERNETES_CHECKS,
                "--format",
                "json",
                "--fail-on",
                "never",
            ]),
    );
    let got = findings(&doc)
        .iter()
        .map(|f| {
            let status = f["status"].as_str().unwrap_or("?");
            let verdict = if status == "unknown" {
                status.to_string()
            } else {
                format!("{status}/{}", f["severity"].as_str().unwrap_or("?"))
            };
            (
                f["check"].as_str().unwrap_or("?").to_string(),
                f["resource"]["id"].as_str().unwrap_or("?").to_string(),
                verdict,
            )
        })
        .collect();
    (got, doc)
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

fn finding<'d>(doc: &'d Value, check: &str, id: &str) -> &'d Value {
    findings(doc)
        .iter()
        .find(|f| f["check"] == check && f["resource"]["id"] == id)
        .unwrap_or_else(|| panic!("no {check} finding on {id}"))
}

/// The cluster of the demo, to change for a variant.
fn cluster(inv: &mut Value) -> &mut Value {
    &mut inv["kubernetes"][0]
}

#[test]
fn the_demo_cluster_gives_exactly_the_seed_findings() {
    let (got, doc) = scan(&demo());
    let want = set(&[
        // The public endpoint is open to 0.0.0.0/0.
        ("eks-endpoint-public", "lk-eks", "fail/high"),
        // No policy at all: fully open.
        ("k8s-namespace-no-default-deny", "finance", "fail/high"),
        ("k8s-namespace-no-default-deny", "marketing", "fail/high"),
        ("k8s-namespace-no-default-deny", "monitoring", "fail/high"),
        // Zero egress only: ingress stays open.
        ("k8s-namespace-no-default-deny", "batch", "fail/medium"),
        // Default-deny ingress only: egress stays open.
        ("k8s-namespace-no-default-deny", "gateway", "fail/low"),
        // The zero-egress policy forgets kube-dns; so does payments' default deny for
        // the database, which no other egress policy selects.
        ("k8s-dns-egress-blocked", "batch/zero-egress", "fail/medium"),
        (
            "k8s-dns-egress-blocked",
            "payments/default-deny",
            "fail/medium",
        ),
        // WordPress reaches the unprotected finance database directly ...
        (
            "k8s-lateral-movement-path",
            "finance/ledger-db",
            "fail/critical",
        ),
        // ... and the payments database through Prometheus (allowed into
        // payments-service on 9090) and payments-service (allowed into the database).
        (
            "k8s-lateral-movement-path",
            "payments/payments-db",
            "fail/critical",
        ),
    ]);
    assert_eq!(got, want);

    let path = finding(&doc, "k8s-lateral-movement-path", "payments/payments-db");
    let related: Vec<&str> = path["related"]
        .as_array()
        .expect("related")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        related,
        [
            "marketing/wordpress",
            "monitoring/prometheus",
            "payments/payments-service"
        ]
    );
    let hops: Vec<String> = path["path"]["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .map(|h| h["services"].to_string())
        .collect();
    assert_eq!(
        hops,
        [r#"["tcp/9090"]"#, r#"["tcp/9090"]"#, r#"["tcp/5432"]"#]
    );
}

#[test]
fn policies_that_nothing_enforces_protect_nothing() {
    let mut inv = demo();
    // The VPC CNI as EKS installs it: the node agent without --enable-network-policy,
    // and the add-on without enableNetworkPolicy.
    for container in cluster(&mut inv)["daemon_sets"][0]["containers"]
        .as_array_mut()
        .expect("containers")
    {
        if let Some(args) = container["args"].as_array_mut() {
            args.retain(|a| {
                !a.as_str()
                    .unwrap_or("")
                    .starts_with("--enable-network-policy")
            });
        }
    }
    inv["accounts"][0]["regions"][0]["eks_clusters"][0]["addons"][0]["configuration_values"] =
        Value::Null;
    let (got, doc) = scan(&inv);
    assert!(
        got.contains(&(
            "eks-network-policy-not-enforced".into(),
            "lk-eks".into(),
            "fail/critical".into()
        )),
        "{got:#?}"
    );
    // Every pod now reaches the payments database in one hop.
    let path = finding(&doc, "k8s-lateral-movement-path", "payments/payments-db");
    assert_eq!(
        path["path"]["hops"].as_array().map(Vec::len),
        Some(1),
        "{path:#}"
    );
}

#[test]
fn a_restrictive_db_policy_closes_the_pivot() {
    let mut inv = demo();
    // payments-service no longer admits Prometheus: only the gateway remains, and the
    // gateway admits nobody.
    let policies = cluster(&mut inv)["network_policies"]
        .as_array_mut()
        .expect("policies");
    for p in policies.iter_mut() {
        if p["name"] == "payments-service-ingress" {
            p["ingress"]
                .as_array_mut()
                .expect("ingress rules")
                .truncate(1);
        }
    }
    let (got, _) = scan(&inv);
    assert!(
        !got.iter()
            .any(|(check, id, _)| check == "k8s-lateral-movement-path"
                && id == "payments/payments-db"),
        "{got:#?}"
    );
    assert!(got.contains(&(
        "k8s-lateral-movement-path".into(),
        "finance/ledger-db".into(),
        "fail/critical".into()
    )));
}

#[test]
fn a_clean_cluster_raises_nothing_of_medium_or_above() {
    let mut inv = demo();
    let eks = &mut inv["accounts"][0]["regions"][0]["eks_clusters"][0];
    eks["endpoint_public_access"] = Value::Bool(false);
    let c = cluster(&mut inv);
    // Every namespace: default deny both ways, DNS to kube-dns allowed.
    let namespaces: Vec<String> = c["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .filter_map(|n| n["name"].as_str().map(str::to_string))
        .collect();
    let mut policies = Vec::new();
    for ns in namespaces.iter().filter(|n| *n != "kube-system") {
        policies.push(serde_json::json!({
            "namespace": ns, "name": "default-deny",
            "pod_selector": {}, "policy_types": ["Ingress", "Egress"],
            "ingress": [], "egress": [{
                "peers": [{
                    "namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "pod_selector": {"match_labels": {"k8s-app": "kube-dns"}}
                }],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
            }]
        }));
    }
    c["network_policies"] = Value::Array(policies);
    c["services"] = Value::Array(Vec::new());
    let (got, _) = scan(&inv);
    let serious: Vec<_> = got
        .iter()
        .filter(|(_, _, v)| {
            v == "unknown"
                || ["critical", "high", "medium"]
                    .iter()
                    .any(|s| v.ends_with(&format!("/{s}")))
        })
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

#[test]
fn a_pod_path_may_end_at_a_database_of_the_vpc() {
    let mut inv = demo();
    let region = &mut inv["accounts"][0]["regions"][0];
    // An RDS instance in the cluster's subnet whose group admits the nodes' group on
    // 5432: pods share the nodes' group, so every pod the policies let out reaches it.
    region["security_groups"]
        .as_array_mut()
        .expect("groups")
        .push(serde_json::json!({
            "id": "sg-orders-db", "name": "orders-db", "description": "orders database",
            "vpc_id": "vpc-3c51468d3651c06d3", "owner_id": "123456789012", "tags": {},
            "rules": [{
                "id": "sgr-orders-db-in", "direction": "ingress", "protocol": "tcp",
                "match": {"kind": "ports", "from": 5432, "to": 5432},
                "peer": {"kind": "group", "group_id": "sg-8a2fe4206ab7198b4",
                         "account_id": "123456789012", "vpc_id": null,
                         "vpc_peering_connection_id": null},
                "description": null
            }]
        }));
    region["network_interfaces"]
        .as_array_mut()
        .expect("enis")
        .push(serde_json::json!({
            "id": "eni-orders-db", "vpc_id": "vpc-3c51468d3651c06d3",
            "subnet_id": "subnet-a862ed4b2107aba1b", "availability_zone": "us-east-1a",
            "owner_id": "123456789012", "interface_type": "interface",
            "requester_managed": true, "requester_id": "amazon-rds",
            "description": "RDSNetworkInterface", "private_ipv4s": ["10.4.0.200"],
            "ipv6s": [], "public_ipv4s": [], "security_group_ids": ["sg-orders-db"],
            "instance_id": null, "attachment_status": "attached",
            "source_dest_check": true, "status": "in-use", "tags": {}
        }));
    let (got, doc) = scan(&inv);
    assert!(
        got.contains(&(
            "k8s-lateral-movement-path".into(),
            "eni-orders-db".into(),
            "fail/critical".into()
        )),
        "{got:#?}"
    );
    let f = finding(&doc, "k8s-lateral-movement-path", "eni-orders-db");
    let related: Vec<&str> = f["related"]
        .as_array()
        .expect("related")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    // Straight from the internet-facing WordPress, whose namespace has no egress policy.
    assert_eq!(related, ["marketing/wordpress"], "{f:#}");
    assert!(f["message"].to_string().contains("tcp/5432"), "{f:#}");
}

#[test]
fn egress_to_domain_names_leaves_paths_unknown_not_absent() {
    let mut inv = demo();
    cluster(&mut inv)["cluster_network_policies"] = serde_json::json!([{
        "name": "allow-partner-api", "api": "AwsClusterNetworkPolicy", "tier": "Admin",
        "priority": 10, "subject": {"namespaces": {}}, "ingress": [],
        "egress": [{"name": "partner", "action": "Accept",
                    "peers": [{"domain_names": ["api.partner.example"]}], "ports": null}]
    }]);
    let (got, doc) = scan(&inv);
    assert!(
        got.contains(&(
            "k8s-lateral-movement-path".into(),
            "lk-eks".into(),
            "unknown".into()
        )),
        "{got:#?}"
    );
    let f = finding(&doc, "k8s-lateral-movement-path", "lk-eks");
    assert!(
        f["message"].to_string().contains("allow-partner-api"),
        "{f:#}"
    );
    // The paths found without it are still reported.
    assert!(got.contains(&(
        "k8s-lateral-movement-path".into(),
        "finance/ledger-db".into(),
        "fail/critical".into()
    )));
}

#[test]
fn a_crown_jewel_that_declares_no_port_is_still_reached() {
    // The nightly export Job declares no container port; its namespace admits all.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("vpcaudit.toml");
    std::fs::write(
        &config,
        "[kubernetes]\ncrown_jewels = [{ namespace = \"batch\" }]\n",
    )
    .expect("write config");
    let inventory = dir.path().join("inventory.json");
    std::fs::write(&inventory, demo().to_string()).expect("write inventory");
    let doc = scan_json(
        vpcaudit_offline()
            .args(["scan", "--inventory"])
            .arg(&inventory)
            .arg("--config")
            .arg(&config)
            .args([
                "--checks",
                "k8s-lateral-movement-path",
                "--format",
                "json",
                "--fail-on",
                "never",
            ]),
    );
    let f = finding(
        &doc,
        "k8s-lateral-movement-path",
        "batch/nightly-export-28911",
    );
    // Reached, but on no declared data port: high, not critical.
    assert_eq!(f["severity"], "high", "{f:#}");
    assert_eq!(f["related"][0]["id"], "marketing/wordpress", "{f:#}");
}
