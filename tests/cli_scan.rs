//! `vpcaudit scan` as a new user first meets it.

mod common;

use common::vpcaudit_offline;

#[test]
fn demo_scan_works_with_no_aws_at_all() {
    let out = vpcaudit_offline()
        .args(["scan", "--demo"])
        .output()
        .unwrap();
    // The demo account has critical and high findings: exit 1 under the default
    // `--fail-on high`.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Not a terminal: no colour.
    assert!(!text.contains('\x1b'), "{text}");
    insta::assert_snapshot!(common::redact_elapsed(&text));
}

#[test]
fn saved_inventory_scans_like_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, include_str!("../src/demo/inventory.json")).unwrap();
    let from_file = vpcaudit_offline()
        .args(["scan", "--format", "json", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    let demo = vpcaudit_offline()
        .args(["scan", "--format", "json", "--demo"])
        .output()
        .unwrap();
    assert_eq!(from_file.status.code(), Some(1));
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_file.stdout, demo.stdout);
}

#[test]
fn help_lists_the_commands() {
    let out = vpcaudit_offline().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("collect") && text.contains("scan"), "{text}");
}

#[test]
fn summary_format_shows_counts_and_coverage() {
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "summary"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn demo_findings_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.json");
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--output",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["schema"], "vpcaudit/findings/v1");
    insta::assert_json_snapshot!(doc);
}

#[test]
fn checks_can_be_selected_and_skipped() {
    let run = |args: &[&str]| {
        let doc = common::scan_json(
            vpcaudit_offline()
                .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
                .args(args),
        );
        let mut checks: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect();
        checks.sort();
        checks.dedup();
        checks
    };
    assert_eq!(
        run(&["--checks", "flow-logs-disabled"]),
        ["flow-logs-disabled"]
    );
    let skipped = run(&["--skip", "subnet-auto-public-ip,flow-logs-disabled"]);
    assert!(!skipped.is_empty());
    assert!(!skipped
        .iter()
        .any(|c| c == "subnet-auto-public-ip" || c == "flow-logs-disabled"));
}

#[test]
fn unknown_check_id_is_a_usage_error() {
    for args in [
        vec!["scan", "--demo", "--checks", "no-such-check"],
        vec!["scan", "--demo", "--skip", "no-such-check"],
        vec!["explain", "no-such-check"],
    ] {
        let out = vpcaudit_offline().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no-such-check") && err.lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn checks_and_explain_document_the_catalogue() {
    let out = vpcaudit_offline().arg("checks").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("checks_list", String::from_utf8_lossy(&out.stdout));
    let out = vpcaudit_offline()
        .args(["explain", "egress-world-open"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(
        "explain_egress_world_open",
        String::from_utf8_lossy(&out.stdout)
    );
}
