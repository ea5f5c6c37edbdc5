//! `vpcaudit.toml` through the real binary: the settings change the scan, and every
//! mistake is one line naming its place, with exit code 2.

mod common;

use std::path::Path;

use common::{one_stderr_line, vpcaudit_offline};

/// Every section, as the README shows it.
const FULL: &str = r#"
[lateral]
max_hops = 4

[network]
trusted_cidrs = ["203.0.113.0/24", "10.8.0.0/16"]
ephemeral_ports = "1024-65535"

[endpoints]
eks = true
required = ["s3", "sts"]

[[endpoints.scoped]]
services = ["kms"]
workloads = [{ tag = "team=payments" }]

[severity]
flow-logs-disabled = "low"
"#;

fn write(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("vpcaudit.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The demo scan as JSON findings, with `config` when given.
fn demo_findings(config: Option<&Path>) -> Vec<serde_json::Value> {
    let mut cmd = vpcaudit_offline();
    cmd.args(["scan", "--demo", "--format", "json", "--fail-on", "never"]);
    if let Some(path) = config {
        cmd.arg("--config").arg(path);
    }
    let report = common::scan_json(&mut cmd);
    report["findings"].as_array().unwrap().clone()
}

/// The one line on stderr of a run refused with exit code 2, the directory
/// written `<dir>`.
fn refused(dir: &Path, config: &Path) -> String {
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    one_stderr_line(&out).replace(&dir.display().to_string(), "<dir>")
}

fn field<'v>(f: &'v serde_json::Value, key: &str) -> &'v str {
    f[key].as_str().unwrap_or_default()
}

#[test]
fn a_severity_override_changes_severity_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let plain = demo_findings(None);
    let path = write(
        dir.path(),
        "[severity]\nflow-logs-disabled = \"critical\"\n",
    );
    let forced = demo_findings(Some(&path));
    assert_eq!(plain.len(), forced.len());

    let flow_logs = |fs: &[serde_json::Value]| -> Vec<(usize, String)> {
        fs.iter()
            .enumerate()
            .filter(|(_, f)| field(f, "check") == "flow-logs-disabled")
            .map(|(i, f)| (i, field(f, "severity").to_string()))
            .collect()
    };
    let before = flow_logs(&plain);
    let after = flow_logs(&forced);
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    assert!(before.iter().all(|(_, s)| s == "medium"), "{before:?}");
    assert!(after.iter().all(|(_, s)| s == "critical"), "{after:?}");
    // Sorted again: the findings now come before every high one.
    let first_high = forced
        .iter()
        .position(|f| field(f, "severity") == "high")
        .unwrap();
    assert!(
        after.iter().all(|(i, _)| *i < first_high),
        "{after:?} vs first high at {first_high}"
    );
    // Severity-first order holds throughout.
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
    };
    let ranks: Vec<_> = forced.iter().map(|f| rank(field(f, "severity"))).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
}

#[test]
fn an_unknown_check_id_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[severity]\nflow-logs-disabled = \"low\"\nflow-log-disabled = \"low\"\n",
    );
    insta::assert_snapshot!(refused(dir.path(), &path), @r#"vpcaudit: error: config <dir>/vpcaudit.toml: line 3, column 1: severity: unknown check id "flow-log-disabled" (did you mean "flow-logs-disabled"? run `vpcaudit checks` for the list)"#);
    // A bad severity names the value.
    let path = write(dir.path(), "[severity]\nflow-logs-disabled = \"urgent\"\n");
    let line = refused(dir.path(), &path);
    assert!(
        line.starts_with("vpcaudit: error: config <dir>/vpcaudit.toml: line 2, column 22: unknown variant `urgent`"),
        "{line}"
    );
}

#[test]
fn an_unknown_key_in_network_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[network]\nephemeral_ports = \"1024-65535\"\ntrusted_cidr = [\"203.0.113.0/24\"]\n",
    );
    insta::assert_snapshot!(refused(dir.path(), &path), @"vpcaudit: error: config <dir>/vpcaudit.toml: line 3, column 1: unknown field `trusted_cidr`, expected `trusted_cidrs` or `ephemeral_ports`");
    // Bad values name theirs, inside a multi-line array too.
    let path = write(
        dir.path(),
        "[network]\ntrusted_cidrs = [\n  \"203.0.113.0/24\",\n  \"10.8.0.1/16\",\n]\n",
    );
    insta::assert_snapshot!(refused(dir.path(), &path), @r#"vpcaudit: error: config <dir>/vpcaudit.toml: line 4, column 3: "10.8.0.1/16" has host bits set: write 10.8.0.0/16"#);
    let path = write(dir.path(), "[network]\nephemeral_ports = \"22-1000\"\n");
    insta::assert_snapshot!(refused(dir.path(), &path), @r#"vpcaudit: error: config <dir>/vpcaudit.toml: line 2, column 19: ephemeral_ports must start at 1024 or above ("1024-65535" is the widest range), not 22"#);
}

/// The first TOML block after `heading` in the README.
fn readme_toml(heading: &str) -> String {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let after = &readme[readme.find(heading).expect(heading)..];
    let start = after.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = after[start..].find("```").expect("closing fence");
    after[start..start + end].to_string()
}

#[test]
fn the_readme_examples_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &readme_toml("### The config file"));
    let findings = demo_findings(Some(&path));
    let of = |check: &str| -> Vec<&serde_json::Value> {
        findings
            .iter()
            .filter(|f| field(f, "check") == check)
            .collect()
    };
    let flow_logs = of("flow-logs-disabled");
    assert!(
        !flow_logs.is_empty(),
        "the demo has flow-logs-disabled findings"
    );
    assert!(flow_logs.iter().all(|f| field(f, "severity") == "low"));
    let unused_open = of("sg-unused-open");
    assert!(
        !unused_open.is_empty(),
        "the demo has sg-unused-open findings"
    );
    assert!(unused_open.iter().all(|f| !f["muted"].is_null()));
    // The section shown in this file's FULL stays accepted too.
    let path = write(dir.path(), FULL);
    assert!(!demo_findings(Some(&path)).is_empty());
    // The mutes example, as a --mutes file.
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(&mutes, readme_toml("### Mutes")).unwrap();
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--mutes",
        ])
        .arg(&mutes)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
