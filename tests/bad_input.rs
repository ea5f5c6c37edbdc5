//! Corrupt, truncated and hostile input files through the real binary: each is one
//! line on stderr naming the file and, where the format has them, the line and
//! column, with exit code 2. Never a panic (101), a hang or a crash.
//!
//! `tests/cli_errors.rs` and `tests/cli_config.rs` hold the everyday mistakes (a
//! corrupt or truncated inventory, another inventory schema, a missing file, config
//! typos); these are the hostile ones, for all four input files.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{one_stderr_line, vpcaudit_offline};

/// The flag that reads each kind of file, with what else `scan` needs.
#[derive(Clone, Copy)]
enum Input {
    Inventory,
    Config,
    Mutes,
    Baseline,
}

impl Input {
    fn args(self, path: &Path) -> Vec<std::ffi::OsString> {
        let (mut args, flag): (Vec<&str>, &str) = match self {
            Input::Inventory => (vec!["scan"], "--inventory"),
            Input::Config => (vec!["scan", "--demo"], "--config"),
            Input::Mutes => (vec!["scan", "--demo"], "--mutes"),
            Input::Baseline => (vec!["scan", "--demo"], "--baseline"),
        };
        args.extend(["--format", "json", "--fail-on", "never", flag]);
        let mut args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        args.push(path.into());
        args
    }
}

/// A scratch directory with one input file in it.
struct Case {
    dir: tempfile::TempDir,
    path: PathBuf,
}

fn file(name: &str, contents: impl AsRef<[u8]>) -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write the input");
    Case { dir, path }
}

/// Runs `scan` on the input and returns its one line on stderr, the directory
/// written `<dir>`, after checking exit code 2.
fn refused(input: Input, case: &Case) -> String {
    let out = vpcaudit_offline()
        .args(input.args(&case.path))
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run vpcaudit");
    let line = one_stderr_line(&out);
    assert_eq!(out.status.code(), Some(2), "{line}");
    assert!(out.stdout.is_empty(), "a refused run printed a report");
    assert!(line.starts_with("vpcaudit: error: "), "{line}");
    let dir = case.dir.path().display().to_string();
    assert!(line.contains(&case.path.display().to_string()), "{line}");
    line.replace(&dir, "<dir>")
}

/// `refused`, and the message places the error on `line` (either spelling: serde_json's
/// `line L column C` or our `line L, column C`).
fn refused_at(input: Input, case: &Case, line: usize) -> String {
    let message = refused(input, case);
    assert!(
        message.contains(&format!("line {line}, column "))
            || message.contains(&format!("line {line} column ")),
        "not placed on line {line}: {message}"
    );
    message
}

/// A run that is accepted (exit 0).
fn accepted(input: Input, case: &Case) {
    let out = vpcaudit_offline()
        .args(input.args(&case.path))
        .output()
        .expect("run vpcaudit");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A one-group inventory; `rule` is one security group rule's JSON.
fn inventory_with_rule(rule: &str) -> String {
    format!(
        r#"{{"schema": "vpcaudit/inventory/v1", "tool_version": "0", "collected_at": 0,
"accounts": [{{"account_id": "111122223333", "regions": [{{"region": "us-east-1",
"security_groups": [{{"id": "sg-1", "name": "g", "description": null, "vpc_id": null,
"owner_id": null, "rules": [
{rule}
]}}]}}]}}], "coverage": []}}"#
    )
}

const TCP_22: &str = r#"{"id": null, "direction": "ingress", "protocol": "tcp",
"match": {"kind": "ports", "from": 22, "to": 22}, "peer": {"kind": "ipv4", "cidr": "0.0.0.0/0"}, "description": null}"#;

fn deep_json(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

/// 200 digits.
fn huge_number() -> String {
    "9".repeat(200)
}

// --- inventories ---------------------------------------------------------------

#[test]
fn the_inventory_fixture_is_valid() {
    // The cases below each break one thing in this one.
    let case = file("inv.json", inventory_with_rule(TCP_22));
    accepted(Input::Inventory, &case);
}

#[test]
fn inventory_with_wrong_types() {
    let case = file(
        "inv.json",
        "{\"schema\": \"vpcaudit/inventory/v1\",\n\"tool_version\": \"0\",\n\"collected_at\": \"yesterday\"}",
    );
    let line = refused_at(Input::Inventory, &case, 3);
    assert!(line.contains("invalid type"), "{line}");
    let case = file(
        "inv.json",
        inventory_with_rule(&TCP_22.replace("\"tcp\"", "6.5")),
    );
    refused_at(Input::Inventory, &case, 5);
}

#[test]
fn inventory_with_invalid_utf8() {
    let mut bytes = inventory_with_rule(TCP_22).into_bytes();
    let at = bytes
        .windows(3)
        .position(|w| w == b"sg-")
        .expect("the group id");
    bytes[at + 1] = 0xff;
    let case = file("inv.json", bytes);
    let line = refused_at(Input::Inventory, &case, 3);
    assert!(line.contains("not UTF-8"), "{line}");
}

#[test]
fn inventory_with_nul_bytes() {
    let case = file(
        "inv.json",
        inventory_with_rule(TCP_22).replace("\"sg-1\"", "\"sg-\u{0}1\""),
    );
    refused_at(Input::Inventory, &case, 3);
    let case = file("inv.json", b"\0\0\0\0");
    refused_at(Input::Inventory, &case, 1);
}

#[test]
fn inventory_nested_10000_deep() {
    // In a known field, and in an unknown one (skipped, but read through).
    let case = file(
        "inv.json",
        format!(
            "{{\"schema\": \"vpcaudit/inventory/v1\",\n\"accounts\": {}}}",
            deep_json(10_000)
        ),
    );
    refused_at(Input::Inventory, &case, 2);
    let case = file(
        "inv.json",
        format!(
            "{{\"schema\": \"vpcaudit/inventory/v1\",\n\"extra\": {}}}",
            deep_json(10_000)
        ),
    );
    refused_at(Input::Inventory, &case, 2);
}

#[test]
fn inventory_with_a_200_digit_number() {
    let case = file(
        "inv.json",
        format!(
            "{{\"schema\": \"vpcaudit/inventory/v1\", \"tool_version\": \"0\",\n\"collected_at\": {}}}",
            huge_number()
        ),
    );
    refused_at(Input::Inventory, &case, 2);
}

#[test]
fn inventory_of_another_shape_is_named_by_its_schema() {
    // Not the first field it lacks: its schema.
    let case = file(
        "inv.json",
        r#"{"schema": "vpcaudit/inventory/v9", "hosts": []}"#,
    );
    let line = refused(Input::Inventory, &case);
    assert!(line.contains("\"vpcaudit/inventory/v9\""), "{line}");
    let case = file(
        "inv.json",
        r#"{"schema": "vpcaudit/findings/v1", "findings": []}"#,
    );
    let line = refused(Input::Inventory, &case);
    assert!(line.contains("\"vpcaudit/findings/v1\""), "{line}");
}

#[test]
fn inventory_with_an_impossible_cidr() {
    let case = file(
        "inv.json",
        inventory_with_rule(&TCP_22.replace("0.0.0.0/0", "10.0.0.0/33")),
    );
    refused_at(Input::Inventory, &case, 6);
}

#[test]
fn inventory_with_port_70000() {
    let case = file(
        "inv.json",
        inventory_with_rule(&TCP_22.replace("\"to\": 22", "\"to\": 70000")),
    );
    refused_at(Input::Inventory, &case, 6);
}

#[test]
fn inventory_with_a_reversed_port_range() {
    let case = file(
        "inv.json",
        inventory_with_rule(&TCP_22.replace("\"from\": 22", "\"from\": 443")),
    );
    let line = refused_at(Input::Inventory, &case, 6);
    assert!(line.contains("443-22 is reversed"), "{line}");
}

/// [`inventory_with_rule`] with one coverage gap, alone on line 8.
fn inventory_with_gap(gap: &str) -> String {
    inventory_with_rule(TCP_22).replace(r#""coverage": []"#, &format!("\"coverage\": [\n{gap}\n]"))
}

const GAP: &str = r#"{"account_id": "111122223333", "region": "us-east-1", "service": "ec2", "operation": "DescribeNetworkAcls", "kind": "access_denied", "error_code": null, "message": "denied"}"#;

#[test]
fn inventory_gaps_name_aws_operations_and_services() {
    accepted(Input::Inventory, &file("inv.json", inventory_with_gap(GAP)));
    // A misspelt name would match no check's operation: refused, not ignored.
    for (from, to, says) in [
        (
            "DescribeNetworkAcls",
            "DescribeNetworkACLs",
            r#"unknown AWS operation "DescribeNetworkACLs""#,
        ),
        (r#""ec2""#, r#""EC2""#, r#"unknown AWS service "EC2""#),
        (
            r#""ec2""#,
            r#""sts""#,
            "DescribeNetworkAcls is an operation of ec2, not of sts",
        ),
    ] {
        let case = file("inv.json", inventory_with_gap(&GAP.replace(from, to)));
        let line = refused_at(Input::Inventory, &case, 8);
        assert!(line.contains(says), "{line}");
    }
}

#[test]
fn empty_inventory_file() {
    let case = file("inv.json", "");
    let line = refused_at(Input::Inventory, &case, 1);
    assert!(line.contains("EOF"), "{line}");
}

#[test]
fn a_directory_as_any_input() {
    for input in [
        Input::Inventory,
        Input::Config,
        Input::Mutes,
        Input::Baseline,
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub.json");
        std::fs::create_dir(&path).expect("mkdir");
        let case = Case { dir, path };
        let line = refused(input, &case);
        assert!(line.contains("cannot read"), "{line}");
    }
}

// --- config ----------------------------------------------------------------------

#[test]
fn truncated_config() {
    let case = file("vpcaudit.toml", "[lateral]\nmax_hops = 3\n[netw");
    refused_at(Input::Config, &case, 3);
    let case = file(
        "vpcaudit.toml",
        "[network]\ntrusted_cidrs = [\"10.0.0.0/8\",",
    );
    refused_at(Input::Config, &case, 2);
}

#[test]
fn config_with_wrong_types() {
    let case = file("vpcaudit.toml", "[lateral]\nmax_hops = \"four\"\n");
    refused_at(Input::Config, &case, 2);
    let case = file("vpcaudit.toml", "lateral = 3\n");
    refused_at(Input::Config, &case, 1);
}

#[test]
fn config_with_invalid_utf8() {
    let case = file("vpcaudit.toml", b"[lateral]\nmax_hops = 3 # \xff\xfe\n");
    let line = refused_at(Input::Config, &case, 2);
    assert!(line.contains("not UTF-8"), "{line}");
}

#[test]
fn config_with_nul_bytes() {
    let case = file("vpcaudit.toml", "[lateral]\nmax_hops = 3\0\n");
    refused_at(Input::Config, &case, 2);
}

#[test]
fn config_nested_10000_deep() {
    let case = file(
        "vpcaudit.toml",
        format!("[lateral]\ndata_ports = {}\n", deep_json(10_000)),
    );
    refused_at(Input::Config, &case, 2);
    let case = file(
        "vpcaudit.toml",
        format!("\nlateral = {}\n", "{ a = ".repeat(10_000)),
    );
    refused_at(Input::Config, &case, 2);
}

#[test]
fn config_with_a_200_digit_number() {
    let case = file(
        "vpcaudit.toml",
        format!("[lateral]\nmax_hops = {}\n", huge_number()),
    );
    refused_at(Input::Config, &case, 2);
}

#[test]
fn config_with_an_impossible_cidr() {
    let case = file(
        "vpcaudit.toml",
        "[network]\ntrusted_cidrs = [\n  \"10.0.0.0/33\",\n]\n",
    );
    refused_at(Input::Config, &case, 3);
}

#[test]
fn config_with_port_70000_and_reversed_ranges() {
    let case = file("vpcaudit.toml", "[lateral]\ndata_ports = [5432, 70000]\n");
    refused_at(Input::Config, &case, 2);
    let case = file(
        "vpcaudit.toml",
        "[lateral]\n\nextra_ports = [\"9000-8000\"]\n",
    );
    refused_at(Input::Config, &case, 3);
    let case = file(
        "vpcaudit.toml",
        "[network]\nephemeral_ports = \"60999-32768\"\n",
    );
    refused_at(Input::Config, &case, 2);
}

#[test]
fn config_with_duplicate_keys() {
    let case = file("vpcaudit.toml", "[lateral]\nmax_hops = 2\nmax_hops = 3\n");
    refused_at(Input::Config, &case, 3);
    let case = file("vpcaudit.toml", "[lateral]\n[network]\n[lateral]\n");
    refused_at(Input::Config, &case, 3);
}

#[test]
fn empty_config_is_the_defaults() {
    // As the README says: an empty file is the built-in behaviour.
    accepted(Input::Config, &file("vpcaudit.toml", ""));
}

// --- mutes -----------------------------------------------------------------------

const MUTE: &str = "[[mute]]\ncheck = \"flow-logs-disabled\"\nreason = \"r\"\n";

#[test]
fn mutes_with_bad_dates() {
    for (expires, why) in [
        ("\"2027-02-30\"", "is not a date"),
        ("\"2027-1-1\"", "is not a date"),
        ("\"soon\"", "is not a date"),
        ("2027-02-30", ""),
        ("2027-13-01", ""),
        ("2027-01-31T10:00:00", "without a time"),
        ("20270131", "found integer"),
    ] {
        let case = file("mutes.toml", format!("{MUTE}expires = {expires}\n"));
        let line = refused_at(Input::Mutes, &case, 4);
        assert!(line.contains(why), "{expires}: {line}");
    }
}

#[test]
fn mutes_with_unknown_keys() {
    let case = file("mutes.toml", format!("{MUTE}chek = \"x\"\n"));
    let line = refused_at(Input::Mutes, &case, 4);
    assert!(line.contains("chek"), "{line}");
    let case = file("mutes.toml", format!("{MUTE}[other]\n"));
    refused_at(Input::Mutes, &case, 4);
}

#[test]
fn mutes_with_duplicate_keys() {
    let case = file("mutes.toml", format!("{MUTE}reason = \"again\"\n"));
    refused_at(Input::Mutes, &case, 4);
}

#[test]
fn mutes_with_wrong_types_truncation_and_bad_bytes() {
    let case = file("mutes.toml", "[[mute]]\ncheck = 7\nreason = \"r\"\n");
    refused_at(Input::Mutes, &case, 2);
    let case = file("mutes.toml", "[[mute]]\ncheck = \"x\"\nreason = \"r");
    refused_at(Input::Mutes, &case, 3);
    let case = file(
        "mutes.toml",
        b"[[mute]]\ncheck = \"\xc3(\"\nreason = \"r\"\n",
    );
    let line = refused_at(Input::Mutes, &case, 2);
    assert!(line.contains("not UTF-8"), "{line}");
    let case = file("mutes.toml", "[[mute]]\0\n");
    refused_at(Input::Mutes, &case, 1);
    let case = file("mutes.toml", format!("\nmute = {}\n", deep_json(10_000)));
    refused_at(Input::Mutes, &case, 2);
}

#[test]
fn empty_mutes_file_mutes_nothing() {
    accepted(Input::Mutes, &file("mutes.toml", ""));
}

// --- baselines -------------------------------------------------------------------

const REPORT_HEAD: &str = "{\"schema\": \"vpcaudit/findings/v1\",\n\"findings\": ";

#[test]
fn the_baseline_fixture_is_valid() {
    accepted(
        Input::Baseline,
        &file("base.json", format!("{REPORT_HEAD}[]}}")),
    );
}

#[test]
fn truncated_baseline() {
    let case = file("base.json", format!("{REPORT_HEAD}[{{\"check\": \"x"));
    refused_at(Input::Baseline, &case, 2);
}

#[test]
fn baseline_with_wrong_types() {
    let case = file("base.json", format!("{REPORT_HEAD}\n[{{\"check\": 1}}]}}"));
    let line = refused_at(Input::Baseline, &case, 3);
    assert!(line.contains("invalid type"), "{line}");
    let case = file("base.json", format!("{REPORT_HEAD}{{}}}}"));
    refused_at(Input::Baseline, &case, 2);
}

#[test]
fn baseline_with_invalid_utf8_and_nul_bytes() {
    let mut bytes = format!("{REPORT_HEAD}[]}}").into_bytes();
    bytes[3] = 0xc0;
    let line = refused_at(Input::Baseline, &file("base.json", bytes), 1);
    assert!(line.contains("not UTF-8"), "{line}");
    let case = file("base.json", format!("{REPORT_HEAD}[\"\0\"]}}"));
    refused_at(Input::Baseline, &case, 2);
}

#[test]
fn baseline_nested_10000_deep() {
    let case = file("base.json", format!("{REPORT_HEAD}{}}}", deep_json(10_000)));
    refused_at(Input::Baseline, &case, 2);
    // In a field a report does not have: skipped without recursing, so valid.
    let case = file(
        "base.json",
        format!("{REPORT_HEAD}[],\n\"extra\": {}}}", deep_json(10_000)),
    );
    accepted(Input::Baseline, &case);
}

#[test]
fn baseline_with_a_200_digit_number() {
    let case = file("base.json", format!("{REPORT_HEAD}{}}}", huge_number()));
    refused_at(Input::Baseline, &case, 2);
}

#[test]
fn baseline_of_another_schema() {
    let case = file(
        "base.json",
        r#"{"schema": "vpcaudit/findings/v9", "findings": [{"check": "x", "new": 1}]}"#,
    );
    let line = refused(Input::Baseline, &case);
    assert!(line.contains("\"vpcaudit/findings/v9\""), "{line}");
    // An inventory is not a baseline.
    let case = file("base.json", inventory_with_rule(TCP_22));
    let line = refused(Input::Baseline, &case);
    assert!(line.contains("\"vpcaudit/inventory/v1\""), "{line}");
}

#[test]
fn empty_baseline_file() {
    let line = refused_at(Input::Baseline, &file("base.json", ""), 1);
    assert!(line.contains("EOF"), "{line}");
}
