//! `vpcaudit diff OLD NEW`: pairs of emulator inventories that differ by one change
//! made through the API, and the offline cases (identical inventories, findings
//! reports, mixed or broken files).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{one_stderr_line, python, redact_ids, vpcaudit_offline, Emulator, Seeded};

/// OLD and NEW inventory files in a temporary directory.
struct Pair {
    _dir: tempfile::TempDir,
    old: PathBuf,
    new: PathBuf,
}

/// `vpcaudit collect` of the emulator into `path`.
fn collect(emu: &Emulator, path: &Path) {
    let out = emu
        .vpcaudit()
        .arg("collect")
        .arg("--output")
        .arg(path)
        .output()
        .expect("run vpcaudit collect");
    assert!(
        out.status.success(),
        "vpcaudit collect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `code` (Python) against the emulator with boto3 clients `ec2` and `nfw` and
/// the scenario's `ids` (symbolic name -> real id) in scope.
fn change(emu: &Emulator, seeded: &Seeded, code: &str) {
    let script = format!(
        "import json, sys\n\
         import boto3\n\
         ids = json.loads(sys.argv[1])\n\
         kw = dict(endpoint_url=sys.argv[2], region_name='us-east-1',\n\
                   aws_access_key_id='test', aws_secret_access_key='test')\n\
         ec2 = boto3.client('ec2', **kw)\n\
         nfw = boto3.client('network-firewall', **kw)\n\
         {code}\n"
    );
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(serde_json::to_string(&seeded.ids).expect("ids as JSON"))
        .arg(&emu.url)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stderr(Stdio::inherit())
        .output()
        .expect("run python");
    assert!(out.status.success(), "the change failed: {code}");
}

/// Seeds `scenario`, collects OLD, makes the change, collects NEW.
fn before_and_after(scenario: &str, code: &str) -> Pair {
    let emu = Emulator::start();
    let seeded = emu.seed(scenario);
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    collect(&emu, &old);
    change(&emu, &seeded, code);
    collect(&emu, &new);
    Pair {
        _dir: dir,
        old,
        new,
    }
}

fn diff(old: &Path, new: &Path, args: &[&str]) -> Output {
    vpcaudit_offline()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(args)
        .output()
        .expect("run vpcaudit diff")
}

fn stdout(out: &Output) -> String {
    common::stderr_without_panic(out);
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// The JSON diff with the emulator's random ids (and the fingerprints made of them)
/// replaced, in the document's own field order.
fn redacted_json(out: &Output) -> String {
    let text = stdout(out);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("diff JSON");
    let prints = doc["effects"].as_array().expect("effects").len();
    let mut replaced = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|line| match line.split_once("\"fingerprint\": \"") {
            Some((head, rest)) => {
                replaced += 1;
                let tail = rest.split_once('"').map_or("", |(_, t)| t);
                format!("{head}\"fingerprint\": \"<fingerprint>\"{tail}")
            }
            None => line.to_string(),
        })
        .collect();
    assert_eq!(replaced, prints);
    redact_ids(&(lines.join("\n") + "\n"))
}

/// Table and JSON of `pair`, checked to say the same, and the exit code.
fn both_formats(pair: &Pair) -> (i32, String, String, serde_json::Value) {
    let table = diff(&pair.old, &pair.new, &[]);
    let json = diff(&pair.old, &pair.new, &["--format", "json"]);
    assert_eq!(table.status.code(), json.status.code());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("diff JSON");
    assert_eq!(doc["schema"], "vpcaudit/diff/v1");
    assert_eq!(doc["compared"], "inventories");
    (
        table.status.code().unwrap_or(-1),
        redact_ids(&stdout(&table)),
        redacted_json(&json),
        doc,
    )
}

/// The one change of a one-change pair, and every effect it was found to cause.
fn one_change(doc: &serde_json::Value, kind: &str, op: &str) -> serde_json::Value {
    let changes = doc["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["kind"], kind);
    assert_eq!(changes[0]["op"], op);
    changes[0].clone()
}

/// The effects of `check` that appeared.
fn appeared<'d>(doc: &'d serde_json::Value, check: &str) -> Vec<&'d serde_json::Value> {
    doc["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .filter(|e| e["op"] == "added" && e["check"] == check)
        .collect()
}

#[test]
fn a_rule_opened_to_the_world_exposes_the_web_host() {
    let pair = before_and_after(
        "diff-small",
        "ec2.authorize_security_group_ingress(GroupId=ids['ds-web-sg'], IpPermissions=[\
         {'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22,\
          'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])",
    );
    let (code, table, json, doc) = both_formats(&pair);
    let c = one_change(&doc, "security_group_rule", "added");
    assert_eq!(c["after"], "ingress tcp/22 from 0.0.0.0/0");
    assert_eq!(c["name"], "ds-web-sg");
    let exposed = appeared(&doc, "internet-exposed-port");
    assert_eq!(exposed.len(), 1, "{doc:#}");
    assert_eq!(exposed[0]["category"], "internet_exposure");
    assert_eq!(exposed[0]["resource"]["name"], "ds-web:eni");
    assert_eq!(exposed[0]["caused_by"], serde_json::json!(["c1"]));
    // A critical exposure appeared: over the default --fail-on high.
    assert_eq!(code, 1);
    insta::assert_snapshot!("rule_opened_table", table);
    insta::assert_snapshot!("rule_opened_json", json);

    // The change undone: the exposure is gone, and nothing new fails.
    let back = diff(
        &pair.new,
        &pair.old,
        &["--format", "json", "--fail-on", "info"],
    );
    assert_eq!(back.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&back)).expect("JSON");
    assert_eq!(doc["changes"][0]["op"], "removed");
    assert!(doc["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .any(|e| e["op"] == "removed" && e["check"] == "internet-exposed-port"));
}

#[test]
fn a_route_to_the_nat_sends_the_private_subnet_out_unfiltered() {
    let pair = before_and_after(
        "diff-small",
        "ec2.create_route(RouteTableId=ids['ds-private-rt'], \
         DestinationCidrBlock='0.0.0.0/0', NatGatewayId=ids['ds-nat'])",
    );
    let (code, table, json, doc) = both_formats(&pair);
    let c = one_change(&doc, "route", "added");
    assert_eq!(c["name"], "ds-private-rt");
    let nat = appeared(&doc, "nat-without-filtering");
    assert_eq!(nat.len(), 1, "{doc:#}");
    assert_eq!(nat[0]["category"], "unfiltered_egress");
    // The finding names the NAT, which the added route points at.
    assert_eq!(nat[0]["caused_by"], serde_json::json!(["c1"]));
    assert_eq!(nat[0]["severity"], "high");
    assert_eq!(code, 1);
    insta::assert_snapshot!("nat_route_table", table);
    insta::assert_snapshot!("nat_route_json", json);

    // --fail-on: the new effects are high at most.
    let exit = |args: &[&str]| diff(&pair.old, &pair.new, args).status.code();
    assert_eq!(exit(&["--fail-on", "critical"]), Some(0));
    assert_eq!(exit(&["--fail-on", "high"]), Some(1));
    assert_eq!(exit(&["--fail-on", "low"]), Some(1));
    assert_eq!(exit(&["--fail-on", "never"]), Some(0));
}

#[test]
fn a_firewall_default_changed_to_pass_unfilters_every_nat() {
    let pair = before_and_after(
        "zero-egress",
        "d = nfw.describe_firewall_policy(FirewallPolicyName='ze-policy')\n\
         policy = d['FirewallPolicy']\n\
         policy['StatelessDefaultActions'] = ['aws:pass']\n\
         nfw.update_firewall_policy(FirewallPolicyName='ze-policy',\n\
             UpdateToken=d['UpdateToken'], FirewallPolicy=policy)",
    );
    let (code, table, json, doc) = both_formats(&pair);
    let c = one_change(&doc, "firewall_policy", "changed");
    assert_eq!(
        c["before"],
        "stateless_default_actions: [\"aws:forward_to_sfe\"]"
    );
    assert_eq!(c["after"], "stateless_default_actions: [\"aws:pass\"]");
    assert_eq!(appeared(&doc, "firewall-policy-passes-by-default").len(), 1);
    // Each AZ's NAT now carries its app subnet out unfiltered, through the firewall
    // that uses the policy.
    let nats = appeared(&doc, "nat-without-filtering");
    assert_eq!(nats.len(), 3, "{doc:#}");
    for e in doc["effects"].as_array().expect("effects") {
        assert_eq!(e["caused_by"], serde_json::json!(["c1"]), "{e:#}");
    }
    assert_eq!(code, 1);
    insta::assert_snapshot!("firewall_default_table", table);
    insta::assert_snapshot!("firewall_default_json", json);
}

/// The demo inventory in `dir`, edited by `edit`.
fn demo_file(dir: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../src/demo/inventory.json")).expect("demo JSON");
    edit(&mut doc);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("JSON")).expect("write");
    path
}

/// The demo's default group of the shared VPC, opened to the world on tcp/5432.
fn open_5432(doc: &mut serde_json::Value) {
    let groups = doc["accounts"][0]["regions"][0]["security_groups"]
        .as_array_mut()
        .expect("groups");
    let g = groups
        .iter_mut()
        .find(|g| g["id"] == "sg-1cce24ce9012bdaf2")
        .expect("the demo's shared default group");
    g["rules"]
        .as_array_mut()
        .expect("rules")
        .push(serde_json::json!({
            "id": null, "direction": "ingress", "protocol": "tcp",
            "match": {"kind": "ports", "from": 5432, "to": 5432},
            "peer": {"kind": "ipv4", "cidr": "0.0.0.0/0"}, "description": null
        }));
}

#[test]
fn identical_inventories_have_nothing_to_say() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_file(dir.path(), "a.json", |_| {});
    let b = demo_file(dir.path(), "b.json", |_| {});
    let out = diff(&a, &b, &["--fail-on", "info"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("identical_table", stdout(&out));
    let out = diff(&a, &b, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["changes"], serde_json::json!([]));
    assert_eq!(doc["effects"], serde_json::json!([]));
    assert_eq!(doc["summary"]["changes"], 0);
}

#[test]
fn output_goes_to_the_file_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_file(dir.path(), "a.json", |_| {});
    let b = demo_file(dir.path(), "b.json", open_5432);
    let path = dir.path().join("diff.json");
    let run = || {
        let out = vpcaudit_offline()
            .arg("diff")
            .arg(&a)
            .arg(&b)
            .args(["--format", "json", "--output"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        std::fs::read(&path).unwrap()
    };
    let first = run();
    assert_eq!(first, run());
    let doc: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["summary"]["changes"], 1);
    assert!(doc["summary"]["appeared"].as_u64().unwrap() > 0);
}

#[test]
fn two_findings_reports_compare_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    let inventories = [
        demo_file(dir.path(), "a.json", |_| {}),
        demo_file(dir.path(), "b.json", open_5432),
    ];
    let reports: Vec<PathBuf> = inventories
        .iter()
        .enumerate()
        .map(|(i, inv)| {
            let path = dir.path().join(format!("report-{i}.json"));
            let out = vpcaudit_offline()
                .args([
                    "scan",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--inventory",
                ])
                .arg(inv)
                .arg("--output")
                .arg(&path)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0));
            path
        })
        .collect();
    let out = diff(&reports[0], &reports[1], &[]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("findings_reports_table", stdout(&out));
    let out = diff(&reports[0], &reports[1], &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["compared"], "findings_reports");
    assert_eq!(doc["changes"], serde_json::json!([]));
    let effects = doc["effects"].as_array().unwrap();
    assert!(!effects.is_empty());
    assert!(effects
        .iter()
        .all(|e| e["attribution"] == "not_applicable" && e["caused_by"] == serde_json::json!([])));
    // The same findings as the inventories' diff finds, without the causes.
    let out = diff(&inventories[0], &inventories[1], &["--format", "json"]);
    let from_inventories: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let prints = |d: &serde_json::Value| -> Vec<String> {
        d["effects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["op"], e["fingerprint"]))
            .collect()
    };
    assert_eq!(prints(&doc), prints(&from_inventories));
    // Same report twice: nothing.
    let out = diff(&reports[0], &reports[0], &["--fail-on", "info"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_inventory_and_a_report_do_not_compare() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = demo_file(dir.path(), "inventory.json", |_| {});
    let report = dir.path().join("report.json");
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
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = diff(&inventory, &report, &[]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(
        line.contains("is an inventory but")
            && line.contains("is a findings report")
            && line.contains("report.json"),
        "{line}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unreadable_or_invalid_files_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_file(dir.path(), "good.json", |_| {});
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"schema\": \"vpcaudit/inventory/v3\",\n \"accounts\": [",
    )
    .unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"schema\": \"vpcaudit/reach/v1\"}").unwrap();
    let bad_report = dir.path().join("bad-report.json");
    std::fs::write(
        &bad_report,
        "{\"schema\": \"vpcaudit/findings/v1\", \"findings\": [{\"check\": 1}]}",
    )
    .unwrap();
    let missing = dir.path().join("missing.json");
    for (old, new, says) in [
        (&good, &broken, "broken.json at line 2"),
        (&good, &other, "vpcaudit/reach/v1"),
        (&missing, &good, "cannot read inventory"),
        (&bad_report, &bad_report, "invalid findings report"),
    ] {
        let out = diff(old, new, &[]);
        assert_eq!(out.status.code(), Some(2), "{says}");
        let line = one_stderr_line(&out);
        assert!(line.contains(says), "{line}");
    }
}
