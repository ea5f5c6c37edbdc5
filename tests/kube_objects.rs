//! `--kube-objects`: `kubectl get ... -o json` files through the real binary. A good
//! file becomes the inventory's one cluster (and nothing is read from AWS); a bad
//! one is one line on stderr naming the file and the item, with exit code 2.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use common::{one_stderr_line, repo, stderr_without_panic, vpcaudit_offline};
use vpcaudit::collect::kubernetes::objects::load_files;
use vpcaudit::inventory::{Inventory, KubeGapReason, KubeKind};

const CLUSTER: &str = "tests/fixtures/kube/cluster.json";
const CRDS: &str = "tests/fixtures/kube/crds.json";

fn fixture(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join(path)).unwrap()).unwrap()
}

/// The fixture's items, for a case to edit.
fn cluster_items() -> Vec<Value> {
    fixture(CLUSTER)["items"].as_array().unwrap().clone()
}

fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items})
}

/// The index of the fixture item of this kind and name.
fn index(items: &[Value], kind: &str, name: &str) -> usize {
    items
        .iter()
        .position(|i| i["kind"] == kind && i["metadata"]["name"] == name)
        .unwrap()
}

/// `vpcaudit collect --kube-objects FILE... -o OUT` in `dir`, with the files given
/// relative to it (as the inventory then records them).
fn collect_to(dir: &Path, files: &[&str], out: &Path) -> std::process::Output {
    let mut cmd = vpcaudit_offline();
    cmd.current_dir(dir).arg("collect");
    for f in files {
        cmd.args(["--kube-objects", f]);
    }
    cmd.arg("-o")
        .arg(out)
        .arg("--no-progress")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

/// `collect_to` `dir/out.json`.
fn collect(dir: &Path, files: &[&str]) -> std::process::Output {
    collect_to(dir, files, &dir.join("out.json"))
}

#[test]
fn collect_writes_the_cluster_and_it_loads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("out.json");
    let out = collect_to(&repo(), &[CLUSTER, CRDS], &written);
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    assert_eq!(stderr_without_panic(&out), "", "no gap, no warning");
    let inventory = Inventory::load(&written).unwrap();
    assert!(inventory.accounts.is_empty());
    assert!(inventory.coverage.is_empty());
    assert_eq!(inventory.kubernetes.len(), 1);
    let saved = &inventory.kubernetes[0];
    let loaded = load_files(&[&repo().join(CLUSTER), &repo().join(CRDS)]).unwrap();
    // Equal but for the file names, recorded as given.
    let mut same = loaded.clone();
    same.source = saved.source.clone();
    assert_eq!(*saved, same);
    assert_eq!(saved.name, "kube-objects");
    assert!(saved.gaps.is_empty());
    assert_eq!(
        (
            saved.namespaces.len(),
            saved.pods.len(),
            saved.network_policies.len()
        ),
        (5, 9, 4)
    );
    assert_eq!(
        (
            saved.services.len(),
            saved.daemon_sets.len(),
            saved.security_group_policies.len(),
            saved.cluster_network_policies.len()
        ),
        (4, 2, 2, 2)
    );
    insta::assert_json_snapshot!("kube_objects_cluster", saved);
}

#[test]
fn files_in_any_order_give_the_same_cluster() {
    let one = load_files(&[&repo().join(CLUSTER), &repo().join(CRDS)]).unwrap();
    let mut other = load_files(&[&repo().join(CRDS), &repo().join(CLUSTER)]).unwrap();
    other.source = one.source.clone();
    assert_eq!(one, other);
}

#[test]
fn kinds_missing_from_the_files_are_gaps_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("out.json");
    let out = collect_to(
        &repo().join("tests/fixtures/kube"),
        &["crds.json"],
        &written,
    );
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    insta::assert_snapshot!("kube_objects_missing_kinds", stderr_without_panic(&out));
    let inventory = Inventory::load(&written).unwrap();
    let cluster = &inventory.kubernetes[0];
    assert_eq!(cluster.name, "crds");
    let gaps: Vec<(Option<KubeKind>, KubeGapReason)> =
        cluster.gaps.iter().map(|g| (g.kind, g.reason)).collect();
    assert_eq!(
        gaps,
        [
            (Some(KubeKind::Namespace), KubeGapReason::NotInFiles),
            (Some(KubeKind::Pod), KubeGapReason::NotInFiles),
            (Some(KubeKind::DaemonSet), KubeGapReason::NotInFiles),
        ]
    );

    // The summary says what was read of the cluster and what was not.
    let out = vpcaudit_offline()
        .args(["scan", "--inventory"])
        .arg(&written)
        .args(["--format", "summary"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    insta::assert_snapshot!("kube_objects_missing_kinds_summary", summary);
}

#[test]
fn kinds_vpcaudit_does_not_read_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "aws-auth", "namespace": "kube-system"},
               "data": {"mapRoles": "- rolearn: arn:aws:iam::111122223333:role/node\n"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "coredns", "namespace": "kube-system"},
               "spec": {"replicas": 2}}),
        cluster_items()[index(&cluster_items(), "Namespace", "payments")].clone(),
    ];
    std::fs::write(dir.path().join("mixed.json"), list(items).to_string()).unwrap();
    let out = collect(dir.path(), &["mixed.json"]);
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    let inventory = Inventory::load(&dir.path().join("out.json")).unwrap();
    let cluster = &inventory.kubernetes[0];
    assert_eq!(cluster.namespaces.len(), 1);
    let gap_kinds: Vec<_> = cluster.gaps.iter().map(|g| g.kind).collect();
    assert_eq!(gap_kinds, [Some(KubeKind::Pod), Some(KubeKind::DaemonSet)]);
}

/// A file `name` with `contents` in a scratch directory; `collect` on it must exit 2
/// with one line, returned.
fn refused(name: &str, contents: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), contents).unwrap();
    let out = collect(dir.path(), &[name]);
    let line = one_stderr_line(&out);
    assert_eq!(out.status.code(), Some(2), "{line}");
    assert!(!dir.path().join("out.json").exists(), "nothing written");
    assert!(line.contains(name), "{line}");
    line
}

/// The fixture with the `payments/allow-api` NetworkPolicy edited.
fn with_allow_api(edit: impl FnOnce(&mut Value)) -> String {
    let mut items = cluster_items();
    let i = index(&items, "NetworkPolicy", "allow-api");
    edit(&mut items[i]);
    list(items).to_string()
}

#[test]
fn bad_files_are_one_line_naming_the_file_and_item() {
    let cases: Vec<(&str, String)> = vec![
        (
            "truncated",
            r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1","#.into(),
        ),
        ("yaml", "apiVersion: v1\nkind: List\nitems: []\n".into()),
        ("array", "[]".into()),
        (
            "config-map",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}).to_string(),
        ),
        (
            "operator",
            with_allow_api(|p| {
                p["spec"]["ingress"][0]["from"][1]["podSelector"]["matchExpressions"][0]
                    ["operator"] = json!("Equals")
            }),
        ),
        (
            "cidr",
            with_allow_api(|p| {
                p["spec"]["egress"][2]["to"][0]["ipBlock"]["cidr"] = json!("0.0.0.0/00/0")
            }),
        ),
        (
            "port-range",
            with_allow_api(|p| p["spec"]["egress"][0]["ports"][0]["port"] = json!(65536)),
        ),
        (
            "end-port-named",
            with_allow_api(|p| p["spec"]["ingress"][0]["ports"][0]["endPort"] = json!(8090)),
        ),
        (
            "protocol",
            with_allow_api(|p| p["spec"]["egress"][1]["ports"][0]["protocol"] = json!("ICMP")),
        ),
        (
            "api-version",
            with_allow_api(|p| p["apiVersion"] = json!("networking.k8s.io/v2")),
        ),
        (
            "named-port-typo",
            with_allow_api(|p| p["spec"]["ingress"][0]["ports"][0]["port"] = json!("htpp")),
        ),
    ];
    let mut lines = String::new();
    for (case, contents) in cases {
        let name = format!("{case}.json");
        lines.push_str(&refused(&name, &contents));
        lines.push('\n');
    }
    insta::assert_snapshot!("kube_objects_bad_files", lines);
}

#[test]
fn a_named_port_is_not_checked_without_pods() {
    let items: Vec<Value> = cluster_items()
        .into_iter()
        .filter(|i| i["kind"] != "Pod")
        .collect();
    let i = index(&items, "NetworkPolicy", "allow-api");
    let mut items = items;
    items[i]["spec"]["ingress"][0]["ports"][0]["port"] = json!("htpp");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("no-pods.json"), list(items).to_string()).unwrap();
    let out = collect(dir.path(), &["no-pods.json"]);
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Pod objects"));
}

#[test]
fn the_same_object_twice_is_kept_once_and_two_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join(CLUSTER), dir.path().join("a.json")).unwrap();
    std::fs::copy(repo().join(CLUSTER), dir.path().join("b.json")).unwrap();
    let once = load_files(&[&repo().join(CLUSTER)]).unwrap();
    let twice = load_files(&[&dir.path().join("a.json"), &dir.path().join("b.json")]).unwrap();
    assert_eq!(twice.pods, once.pods);
    let mut items = cluster_items();
    let i = index(&items, "Pod", "db-0");
    items[i]["status"]["podIP"] = json!("10.0.1.89");
    items[i]["status"]["podIPs"] = json!([{"ip": "10.0.1.89"}]);
    std::fs::write(dir.path().join("b.json"), list(items).to_string()).unwrap();
    let out = collect(dir.path(), &["a.json", "b.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_stderr_line(&out),
        "vpcaudit: error: b.json: Pod payments/db-0: differs from the Pod payments/db-0 also found in a.json"
    );
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = collect(dir.path(), &["absent.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).starts_with("vpcaudit: error: cannot read absent.json: "));
}

#[test]
fn kube_objects_alone_refuse_aws_options() {
    let out = vpcaudit_offline()
        .current_dir(repo())
        .args([
            "collect",
            "--kube-objects",
            CLUSTER,
            "--profile",
            "prod",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// AWS configuration that would send any AWS call (or instance-metadata lookup) to a
/// closed loopback port: a run that touched AWS would fail or show in strace.
fn aws_pointing_nowhere(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("vpcaudit")
}

#[test]
fn scan_and_collect_work_without_aws() {
    let dir = tempfile::tempdir().unwrap();
    let out = aws_pointing_nowhere(&mut Command::new(binary()))
        .env("HOME", dir.path())
        .current_dir(repo())
        .args(["collect", "--kube-objects", CLUSTER, "--no-progress", "-o"])
        .arg(dir.path().join("out.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = aws_pointing_nowhere(&mut Command::new(binary()))
        .env("HOME", dir.path())
        .current_dir(repo())
        .args([
            "scan",
            "--kube-objects",
            CLUSTER,
            "--format",
            "json",
            "--no-progress",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Only the Kubernetes checks run: the AWS ones have nothing to judge.
    let checks: BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert!(!checks.is_empty(), "the fixture cluster has findings");
    assert!(
        checks
            .iter()
            .all(|c| c.starts_with("k8s-") || c.starts_with("eks-")),
        "{checks:?}"
    );
}

#[test]
fn kube_objects_alone_make_no_network_call() {
    let strace = ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect(
            "strace is needed for this test; scripts/test installs it (apt-get install strace)",
        );
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("strace.txt");
    for command in [
        &["collect", "-o", "out.json"][..],
        &[
            "scan",
            "--format",
            "json",
            "-o",
            "report.json",
            "--fail-on",
            "never",
        ][..],
    ] {
        let out = aws_pointing_nowhere(&mut Command::new(strace))
            .env("HOME", dir.path())
            .current_dir(dir.path())
            .args(["-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o"])
            .arg(&trace)
            .arg("--")
            .arg(binary())
            .args(command)
            .arg("--kube-objects")
            .arg(repo().join(CLUSTER))
            .arg("--no-progress")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::read_to_string(&trace).unwrap();
        let calls: BTreeSet<&str> = log.lines().filter(|l| l.contains("AF_INET")).collect();
        assert!(
            calls.is_empty(),
            "{command:?} reached the network: {calls:?}"
        );
    }
}

#[test]
fn scan_adds_the_cluster_to_a_saved_inventory() {
    // A bad objects file fails the scan before the inventory is used, and a good
    // one leaves the scan of the inventory as it was.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("bad.json"), "{").unwrap();
    let out = vpcaudit_offline()
        .current_dir(bad.path())
        .args([
            "scan",
            "--demo",
            "--kube-objects",
            "bad.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("bad.json: not JSON"));
    let run = |extra: &[&str]| {
        let out = vpcaudit_offline()
            .current_dir(repo())
            .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"].as_array().unwrap().len()
    };
    assert!(run(&["--kube-objects", CLUSTER]) >= run(&[]));
}
