//! Kubernetes read live by the real binary, against moto and the fake Kubernetes API
//! server (mocks/kube_server.py): pagination, what becomes a gap and what does not,
//! and the EKS token (`--eks`).

mod common;

use common::kube::{closed_port, kubeconfig, FakeKube};
use common::Emulator;
use serde_json::json;
use vpcaudit::inventory::{Inventory, KubeCluster, KubeGapReason, KubeKind, KubeSource};

const TOKEN: &str = "static-test-token-0123456789";

fn pod(namespace: &str, name: &str, ip: &str) -> serde_json::Value {
    json!({
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"nodeName": "ip-10-40-1-10.ec2.internal",
                 "containers": [{"name": "app", "image": "nginx:1.27",
                                 "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]},
        "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": "10.40.1.10"}
    })
}

fn five_pods() -> Vec<serde_json::Value> {
    (0..5)
        .map(|i| pod("shop", &format!("web-{i}"), &format!("10.40.1.{}", 20 + i)))
        .collect()
}

/// `vpcaudit collect` with a kubeconfig (us-east-1 of an empty account).
fn collect_with(emu: &Emulator, kubeconfig: &std::path::Path, extra: &[&str]) -> Inventory {
    let mut args = vec![
        "--regions",
        "us-east-1",
        "--kubeconfig",
        kubeconfig.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    emu.collect(&args)
}

fn only_cluster(inv: &Inventory) -> &KubeCluster {
    assert_eq!(inv.kubernetes.len(), 1, "{:#?}", inv.kubernetes);
    &inv.kubernetes[0]
}

#[test]
fn every_kind_is_listed_cluster_wide_page_by_page() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({
        "token": TOKEN,
        "version": {"major": "1", "minor": "31+", "gitVersion": "v1.31.4-eks-2d5f260"},
        "page_size": 2,
        "objects": {"v1/pods": five_pods()},
    }));
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &[("shop", &fake.url, TOKEN)]);
    let inv = collect_with(&emu, &config, &["--context", "shop"]);

    let cluster = only_cluster(&inv);
    assert_eq!(cluster.name, "shop");
    assert_eq!(
        cluster.source,
        KubeSource::Kubeconfig {
            context: "shop".into()
        }
    );
    assert_eq!(cluster.server_version.as_deref(), Some("1.31"));
    assert_eq!(
        cluster.arn, None,
        "a kubeconfig context is not linked to EKS"
    );
    assert!(cluster.gaps.is_empty(), "{:?}", cluster.gaps);
    assert!(cluster.not_served.is_empty(), "{:?}", cluster.not_served);

    // Five pods in pages of two: three requests, the later ones continuing.
    let pods = fake.requests_for("/api/v1/pods");
    assert_eq!(pods.len(), 3, "{pods:#?}");
    assert!(pods.iter().all(|r| r.auth == "token" && r.status == 200));
    assert!(pods
        .iter()
        .all(|r| r.query.get("limit").map(String::as_str) == Some("500")));
    assert_eq!(pods[0].query.get("continue"), None);
    let continues: Vec<_> = pods[1..]
        .iter()
        .map(|r| r.query["continue"].clone())
        .collect();
    assert_eq!(continues.len(), 2);
    assert_ne!(continues[0], continues[1]);

    // Every kind, once each, at its cluster-wide path.
    for kind in KubeKind::ALL {
        let path = vpcaudit::collect::kubernetes::list_path(kind);
        assert!(
            !fake.requests_for(&path).is_empty(),
            "{kind} was not listed at {path}"
        );
    }
    assert_eq!(fake.requests_for("/version").len(), 1);
    // Read-only: nothing but GETs.
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn page_size_sets_the_list_limit() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({"token": TOKEN, "objects": {"v1/pods": five_pods()}}));
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &[("shop", &fake.url, TOKEN)]);
    // No --context: the kubeconfig's current context.
    let inv = collect_with(&emu, &config, &["--page-size", "5"]);
    assert_eq!(only_cluster(&inv).name, "shop");
    let pods = fake.requests_for("/api/v1/pods");
    assert_eq!(pods.len(), 1, "five pods fit one page of five: {pods:#?}");
    assert_eq!(pods[0].query.get("limit").map(String::as_str), Some("5"));
}

#[test]
fn refused_missing_and_broken_kinds_are_gaps_but_absent_crds_are_not() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({
        "token": TOKEN,
        "forbidden": ["v1/pods"],
        "missing": [
            "policy.networking.k8s.io/v1alpha2/clusternetworkpolicies",
            "networking.k8s.aws/v1alpha1/clusternetworkpolicies",
            "v1/namespaces",
        ],
        "faults": {"apps/v1/daemonsets": 500, "v1/services": "garbage"},
    }));
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &[("shop", &fake.url, TOKEN)]);
    let inv = collect_with(&emu, &config, &[]);
    let cluster = only_cluster(&inv);

    assert_eq!(
        cluster.not_served,
        vec![
            KubeKind::ClusterNetworkPolicy,
            KubeKind::AwsClusterNetworkPolicy
        ]
    );
    let mut gaps: Vec<_> = cluster
        .gaps
        .iter()
        .map(|g| (g.kind, g.reason, g.status))
        .collect();
    gaps.sort_by_key(|g| g.0);
    assert_eq!(
        gaps,
        vec![
            // A core kind that is not there: the cluster cannot be judged.
            (
                Some(KubeKind::Namespace),
                KubeGapReason::ServerError,
                Some(404)
            ),
            (Some(KubeKind::Pod), KubeGapReason::Forbidden, Some(403)),
            (
                Some(KubeKind::Service),
                KubeGapReason::InvalidResponse,
                None
            ),
            (
                Some(KubeKind::DaemonSet),
                KubeGapReason::ServerError,
                Some(500)
            ),
        ]
    );
    let forbidden = cluster
        .gaps
        .iter()
        .find(|g| g.kind == Some(KubeKind::Pod))
        .unwrap();
    assert!(
        forbidden.message.contains("cannot list resource \"pods\""),
        "the API server's reason is kept: {}",
        forbidden.message
    );
    // The other kinds were still read.
    assert!(!fake
        .requests_for("/apis/networking.k8s.io/v1/networkpolicies")
        .is_empty());
}

#[test]
fn an_unreachable_cluster_is_one_gap_and_the_aws_scan_goes_on() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let server = format!("http://127.0.0.1:{}", closed_port());
    let config = kubeconfig(dir.path(), &[("gone", &server, TOKEN)]);
    let inv = collect_with(&emu, &config, &["--call-timeout", "5"]);

    let cluster = only_cluster(&inv);
    assert_eq!(cluster.gaps.len(), 1, "{:?}", cluster.gaps);
    assert_eq!(cluster.gaps[0].kind, None, "the whole cluster");
    assert_eq!(cluster.gaps[0].reason, KubeGapReason::Unreachable);
    assert_eq!(cluster.server_version, None);
    // The AWS part was collected all the same (moto's default VPC).
    let region = &inv.accounts[0].regions[0];
    assert_eq!(region.region, "us-east-1");
    assert!(!region.vpcs.is_empty());
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
}

#[test]
fn a_refused_token_is_an_unauthorized_gap_and_never_printed() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({"token": TOKEN}));
    let dir = tempfile::tempdir().unwrap();
    let wrong = "wrong-token-abcdefghijklmnop";
    let config = kubeconfig(dir.path(), &[("shop", &fake.url, wrong)]);
    let out = emu
        .vpcaudit()
        .env("RUST_LOG", "vpcaudit=trace")
        .args(["collect", "--regions", "us-east-1", "--kubeconfig"])
        .arg(&config)
        .args(["-o", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = Inventory::from_json_str(
        &String::from_utf8(out.stdout.clone()).unwrap(),
        std::path::Path::new("stdout"),
    )
    .unwrap();
    let cluster = only_cluster(&inv);
    assert_eq!(cluster.gaps.len(), 1, "{:?}", cluster.gaps);
    assert_eq!(cluster.gaps[0].kind, None);
    assert_eq!(cluster.gaps[0].reason, KubeGapReason::Unauthorized);
    assert_eq!(cluster.gaps[0].status, Some(401));
    // Nothing was listed with a refused token.
    assert!(fake.requests().iter().all(|r| r.path == "/version"));
    for text in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(text).contains(wrong));
    }
}

#[test]
fn an_unknown_context_stops_before_anything_is_read() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &[("shop", "http://127.0.0.1:1", TOKEN)]);
    emu.clear_requests();
    let out = emu
        .vpcaudit()
        .args(["collect", "--regions", "us-east-1", "--kubeconfig"])
        .arg(&config)
        .args(["--context", "nope", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no context \"nope\"") && stderr.contains("shop"),
        "{stderr}"
    );
    assert!(
        emu.requests().is_empty(),
        "AWS was called: {:?}",
        emu.requests()
    );
}

#[test]
fn eks_clusters_are_read_with_a_presigned_token() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({
        "eks": true,
        "version": {"major": "1", "minor": "31"},
        "objects": {"v1/pods": five_pods()},
        "missing": ["policy.networking.k8s.io/v1alpha2/clusternetworkpolicies"],
    }));
    // dev's API server is a closed loopback port behind https.
    let dev_endpoint = format!("https://127.0.0.1:{}", closed_port());
    let seeded = emu.seed_with(
        "eks",
        &[
            ("kube_endpoint", &fake.url),
            ("dev_endpoint", &dev_endpoint),
        ],
    );
    let inv = emu.collect(&["--regions", "us-east-1", "--eks"]);

    // prod points at the fake; dev cannot be reached: a gap of its own, and prod is
    // read all the same.
    let prod = inv
        .kubernetes
        .iter()
        .find(|c| c.name == "prod")
        .expect("prod read");
    assert_eq!(prod.source, KubeSource::Eks);
    assert_eq!(prod.arn.as_deref(), Some(seeded.id("prod")));
    assert_eq!(prod.account_id.as_deref(), Some(seeded.account.as_str()));
    assert_eq!(prod.region.as_deref(), Some("us-east-1"));
    assert_eq!(prod.server_version.as_deref(), Some("1.31"));
    assert!(prod.gaps.is_empty(), "{:?}", prod.gaps);
    assert_eq!(prod.not_served, vec![KubeKind::ClusterNetworkPolicy]);
    let dev = inv
        .kubernetes
        .iter()
        .find(|c| c.name == "dev")
        .expect("dev is listed");
    assert_eq!(dev.gaps.len(), 1, "{:?}", dev.gaps);
    assert_eq!(dev.gaps[0].kind, None);
    assert_eq!(dev.gaps[0].reason, KubeGapReason::Unreachable);
    assert_eq!(dev.arn.as_deref(), Some(seeded.id("dev")));

    let requests = fake.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(r.auth, "eks", "{r:?}");
        let url = r.token_url.as_deref().expect("an EKS token");
        // Presigned against the configured endpoint, for STS in the cluster's region.
        assert!(
            url.starts_with(&format!(
                "{}/?Action=GetCallerIdentity&Version=2011-06-15&",
                emu.url
            )),
            "{url}"
        );
        assert!(url.contains("X-Amz-Credential=test%2F"), "{url}");
        assert!(url.contains("%2Fus-east-1%2Fsts%2Faws4_request"), "{url}");
        assert!(
            url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"),
            "{url}"
        );
    }
}

#[test]
fn the_eks_token_never_reaches_the_logs_even_at_trace_level() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({"eks": true}));
    let dev_endpoint = format!("https://127.0.0.1:{}", closed_port());
    emu.seed_with(
        "eks",
        &[
            ("kube_endpoint", &fake.url),
            ("dev_endpoint", &dev_endpoint),
        ],
    );
    let out = emu
        .vpcaudit()
        .env("RUST_LOG", "trace")
        .args(["collect", "--regions", "us-east-1", "--eks", "-o", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signatures: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.token_url.as_deref())
        .filter_map(|url| url.split("X-Amz-Signature=").nth(1))
        .map(|s| s.split('&').next().unwrap_or_default().to_string())
        .collect();
    assert!(!signatures.is_empty(), "the fake saw no token");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("/api/v1/pods"),
        "trace logging was on: {}",
        &stderr[..stderr.len().min(2000)]
    );
    for text in [&stderr, &stdout] {
        assert!(!text.contains("k8s-aws-v1."), "a token was printed");
        for signature in &signatures {
            assert!(
                !text.contains(signature.as_str()),
                "a token's signature was printed"
            );
        }
    }
}

#[test]
fn an_org_scan_signs_each_clusters_token_with_the_role_assumed_in_its_account() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({"eks": true}));
    let seeded = emu.seed_with("eks-org", &[("kube_endpoint", &fake.url)]);
    let dev = seeded.account_id("dev");
    let inv = emu.collect(&[
        "--regions",
        "us-east-1",
        "--role-arn",
        "arn:aws:iam::{account}:role/Audit",
        "--accounts",
        "all",
        "--eks",
    ]);
    let cluster = only_cluster(&inv);
    assert_eq!(cluster.name, "dev-cluster");
    assert_eq!(cluster.account_id.as_deref(), Some(dev));
    assert_eq!(cluster.arn.as_deref(), Some(seeded.id("dev-cluster")));
    assert!(cluster.gaps.is_empty(), "{:?}", cluster.gaps);

    let requests = fake.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(r.auth, "eks");
        let url = r.token_url.as_deref().unwrap();
        // The assumed role's temporary credentials, not the caller's `test` key.
        assert!(!url.contains("X-Amz-Credential=test%2F"), "{url}");
        assert!(url.contains("X-Amz-Credential=ASIA"), "{url}");
        assert!(url.contains("X-Amz-Security-Token="), "{url}");
    }
}

#[test]
fn each_context_asked_for_is_read_once() {
    let emu = Emulator::start();
    let fake = FakeKube::start(&json!({"token": TOKEN}));
    let dir = tempfile::tempdir().unwrap();
    let gone = format!("http://127.0.0.1:{}", closed_port());
    let config = kubeconfig(
        dir.path(),
        &[("shop", &fake.url, TOKEN), ("gone", &gone, TOKEN)],
    );
    let inv = collect_with(
        &emu,
        &config,
        &[
            "--context",
            "shop",
            "--context",
            "gone",
            "--context",
            "shop",
        ],
    );
    let names: Vec<_> = inv.kubernetes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["gone", "shop"], "sorted, once each");
    assert_eq!(inv.kubernetes[0].gaps.len(), 1);
    assert!(inv.kubernetes[1].gaps.is_empty());
    assert_eq!(fake.requests_for("/version").len(), 1);
}
