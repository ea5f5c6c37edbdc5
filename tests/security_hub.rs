//! `scan --security-hub` end to end: the real binary scans the seeded emulator and
//! imports into the emulator's Security Hub (moto's BatchImportFindings and
//! GetFindings); what Security Hub then holds is read back with boto3, never
//! through vpcaudit's own code.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use common::{python, Emulator};
use serde_json::{json, Value};

/// A secret no output may show.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

/// Every finding the emulator's Security Hub holds in us-east-1, all pages.
const GET_FINDINGS_PY: &str = r#"
import json, sys
import boto3
hub = boto3.client("securityhub", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
found, token = [], None
while True:
    page = hub.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
    found += page["Findings"]
    token = page.get("NextToken")
    if not token:
        break
json.dump(found, sys.stdout)
"#;

/// Turns off auto-assigned public addresses on one subnet (argv[2]): the fix for
/// its `subnet-auto-public-ip` finding.
const FIX_SUBNET_PY: &str = r#"
import sys
import boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
ec2.modify_subnet_attribute(SubnetId=sys.argv[2], MapPublicIpOnLaunch={"Value": False})
"#;

fn run_python(script: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn hub_findings(emu: &Emulator) -> Vec<Value> {
    serde_json::from_slice(&run_python(GET_FINDINGS_PY, &[&emu.url])).expect("findings JSON")
}

/// One run of `scan --security-hub`, the ASFF report written to a file: the
/// process output and that report.
fn scan_hub(emu: &Emulator, extra: &[&str]) -> (Output, Vec<Value>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("findings.asff.json");
    let out = emu
        .vpcaudit()
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .args([
            "scan",
            "--security-hub",
            "--fail-on",
            "never",
            "--format",
            "asff",
        ])
        .arg("--output")
        .arg(&path)
        .args(extra)
        .output()
        .expect("run vpcaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(SECRET), "a credential on stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The report is written before the import, whatever the import does.
    let report = std::fs::read(&path).unwrap_or_else(|e| panic!("no report ({e}): {stderr}"));
    (out, serde_json::from_slice(&report).expect("ASFF JSON"))
}

/// The summary line of a successful import, and the exit code 0.
fn summary(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("vpcaudit: Security Hub:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    lines[0].to_string()
}

/// The one error line of a failed import (exit 6), with no summary claiming one.
fn import_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].contains("Security Hub import"), "{stderr}");
    assert!(!lines[0].contains("imported N") && !stderr.contains("Security Hub: imported"));
    lines[0].to_string()
}

fn ids(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["Id"].as_str().expect("Id").to_string())
        .collect()
}

fn state<'a>(hub: &'a [Value], id: &str) -> &'a str {
    let found: Vec<&Value> = hub.iter().filter(|f| f["Id"] == id).collect();
    assert_eq!(found.len(), 1, "{id} held once");
    found[0]["RecordState"].as_str().expect("RecordState")
}

#[test]
fn import_reimport_then_archive_only_what_was_fixed_and_looked_at() {
    let emu = Emulator::start();
    let seeded = emu.seed("leaky-three-tier");

    // First import: everything new.
    let (out, first) = scan_hub(&emu, &[]);
    let n = first.len();
    assert!(n > 20, "the leaky scenario has findings: {n}");
    assert_eq!(
        summary(&out),
        format!("vpcaudit: Security Hub: imported {n} findings ({n} new, 0 updated), archived 0")
    );
    let hub = hub_findings(&emu);
    assert_eq!(ids(&hub), ids(&first));
    for f in &first {
        let held = hub.iter().find(|h| h["Id"] == f["Id"]).expect("imported");
        for key in [
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Title",
            "Description",
            "Severity",
            "Compliance",
            "Resources",
            "Workflow",
            "ProductFields",
            "Types",
        ] {
            assert_eq!(held[key], f[key], "{key} of {}", f["Id"]);
        }
        assert_eq!(held["RecordState"], "ACTIVE");
        assert_eq!(
            held["ProductArn"],
            format!(
                "arn:aws:securityhub:us-east-1:{0}:product/{0}/default",
                seeded.account
            )
        );
    }
    let created: Vec<Value> = hub.iter().map(|f| f["CreatedAt"].clone()).collect();

    // Re-import: the same ids updated, no duplicates, first-seen dates kept.
    let (out, again) = scan_hub(&emu, &[]);
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(
        summary(&out),
        format!("vpcaudit: Security Hub: imported {n} findings (0 new, {n} updated), archived 0")
    );
    let hub = hub_findings(&emu);
    assert_eq!(hub.len(), n, "no duplicates");
    assert_eq!(
        hub.iter()
            .map(|f| f["CreatedAt"].clone())
            .collect::<Vec<_>>(),
        created
    );

    // Fix one subnet.
    let subnet = seeded.id("lk-v6-pub-a");
    let fixed = first
        .iter()
        .find(|f| {
            f["GeneratorId"] == "vpcaudit/subnet-auto-public-ip"
                && f["ProductFields"]["vpcaudit/resource-id"] == subnet
        })
        .expect("the subnet's finding")["Id"]
        .as_str()
        .expect("Id")
        .to_string();
    run_python(FIX_SUBNET_PY, &[&emu.url, subnet]);

    // Not looked at: a scan of other checks archives nothing of this one.
    let (out, other) = scan_hub(&emu, &["--checks", "internet-exposed-port"]);
    assert!(!other.is_empty());
    assert!(summary(&out).ends_with("archived 0"), "{}", summary(&out));
    // Nor does a scan whose region has a coverage gap.
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeFlowLogs", "error": "UnauthorizedOperation"},
    ]}));
    let (out, gapped) = scan_hub(&emu, &[]);
    emu.set_faults(json!({"rules": []}));
    assert!(!ids(&gapped).contains(&fixed), "the fix is seen");
    assert!(summary(&out).ends_with("archived 0"), "{}", summary(&out));
    let hub = hub_findings(&emu);
    assert_eq!(state(&hub, &fixed), "ACTIVE");

    // A complete scan archives it, and only what is gone (the gapped scan's
    // undecided findings included).
    let (out, last) = scan_hub(&emu, &[]);
    let current = ids(&last);
    assert!(!current.contains(&fixed));
    let mut ever = ids(&first);
    ever.extend(ids(&other));
    ever.extend(ids(&gapped));
    let gone: BTreeSet<String> = ever.difference(&current).cloned().collect();
    assert!(gone.contains(&fixed));
    let line = summary(&out);
    assert!(
        line.ends_with(&format!("archived {}", gone.len())),
        "{line}, expected {} archived",
        gone.len()
    );
    let hub = hub_findings(&emu);
    assert_eq!(state(&hub, &fixed), "ARCHIVED");
    for id in &gone {
        assert_eq!(state(&hub, id), "ARCHIVED", "{id}");
    }
    for id in &current {
        assert_eq!(state(&hub, id), "ACTIVE", "{id}");
    }
    assert_eq!(hub.len(), ever.union(&current).count());
}

#[test]
fn refused_and_throttled_imports_exit_6_and_import_nothing() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");

    emu.set_faults(json!({"rules": [
        {"service": "securityhub", "action": "GetFindings", "error": "AccessDeniedException",
         "message": "User is not authorized to perform: securityhub:GetFindings"},
    ]}));
    let (out, _) = scan_hub(&emu, &[]);
    let line = import_error(&out);
    assert!(line.contains("GetFindings"), "{line}");
    assert!(line.contains("AccessDeniedException"), "{line}");
    emu.set_faults(json!({"rules": []}));
    assert!(hub_findings(&emu).is_empty());

    // Throttled past the SDK's retries (two attempts here, to keep the test short).
    emu.set_faults(json!({"rules": [
        {"service": "securityhub", "action": "BatchImportFindings",
         "error": "ThrottlingException", "status": 429},
    ]}));
    emu.clear_requests();
    let (out, _) = scan_hub(&emu, &["--max-attempts", "2"]);
    let line = import_error(&out);
    assert!(line.contains("BatchImportFindings"), "{line}");
    assert!(line.contains("ThrottlingException"), "{line}");
    let tries = emu
        .requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some("BatchImportFindings"))
        .count();
    assert_eq!(tries, 2, "the SDK retried the throttled call");
    emu.set_faults(json!({"rules": []}));
    assert!(hub_findings(&emu).is_empty());
}

#[test]
fn a_partial_import_names_the_rejected_findings() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    // The ids this scan will send, from a plain ASFF run.
    let out = emu
        .vpcaudit()
        .args(["scan", "--fail-on", "never", "--format", "asff"])
        .output()
        .expect("run vpcaudit");
    let asff: Vec<Value> = serde_json::from_slice(&out.stdout).expect("ASFF");
    let all: Vec<String> = asff
        .iter()
        .map(|f| f["Id"].as_str().expect("Id").to_string())
        .collect();
    let rejected: Vec<String> = all.iter().step_by(9).take(7).cloned().collect();
    assert_eq!(rejected.len(), 7);
    emu.set_faults(json!({"rules": [
        {"service": "securityhub", "action": "BatchImportFindings", "failed_ids": rejected},
    ]}));

    let (out, _) = scan_hub(&emu, &[]);
    let line = import_error(&out);
    assert!(
        line.contains(&format!("7 of {} finding(s) rejected", all.len())),
        "{line}"
    );
    // The first five are named, the rest counted.
    for id in &rejected[..5] {
        assert!(line.contains(id.as_str()), "{id} named: {line}");
    }
    assert!(line.contains("and 2 more"), "{line}");
    assert!(line.contains("InvalidInput"), "{line}");
    assert!(
        line.contains(&format!("{} finding(s) were imported", all.len() - 7)),
        "{line}"
    );
    let held = ids(&hub_findings(&emu));
    assert_eq!(held.len(), all.len() - 7);
    assert!(rejected.iter().all(|id| !held.contains(id)));
}

#[test]
fn the_import_refuses_inputs_it_would_misread() {
    // Demo findings belong to no real account; --only-new leaves out the unchanged
    // findings, which the import would then archive.
    for args in [
        &["scan", "--demo", "--security-hub"][..],
        &[
            "scan",
            "--security-hub",
            "--baseline",
            "b.json",
            "--only-new",
        ][..],
    ] {
        let out = common::vpcaudit_offline()
            .args(args)
            .output()
            .expect("run vpcaudit");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--security-hub"), "{stderr}");
    }
}
