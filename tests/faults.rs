//! Faults injected in the emulator (`mocks/vpcaudit_mocks/faults.py`): throttling,
//! server errors, access denied and a region that never answers. vpcaudit must ride
//! out what retries can fix, and say "unknown" about everything else, never pass it.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{findings, Emulator};
use serde_json::{json, Value};
use vpcaudit::inventory::{GapKind, Inventory, Operation, RegionInventory};

const REGIONS: &str = "us-east-1,eu-west-1";

fn region<'a>(inv: &'a Inventory, name: &str) -> &'a RegionInventory {
    inv.accounts[0]
        .regions
        .iter()
        .find(|r| r.region == name)
        .unwrap_or_else(|| panic!("no region {name} in the inventory"))
}

/// `vpcaudit scan --format json` against the emulator: (exit code, findings, stderr).
fn scan_json(emu: &Emulator, extra: &[&str]) -> (i32, Value, String) {
    let out = emu
        .vpcaudit()
        .args(["scan", "--regions", REGIONS, "--format", "json"])
        .args(extra)
        .output()
        .expect("run vpcaudit");
    common::json_report(&out)
}

#[test]
fn throttling_and_server_errors_at_30_percent_change_nothing() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    let clean = emu.collect(&["--regions", REGIONS]);
    assert!(clean.coverage.is_empty(), "{:?}", clean.coverage);

    emu.set_faults(json!({"seed": 7, "rules": [
        {"service": "ec2", "error": "RequestLimitExceeded", "rate": 0.2},
        {"service": "ec2", "error": "InternalError", "rate": 0.125},
        {"service": "network-firewall", "error": "ThrottlingException", "rate": 0.3},
    ]}));
    emu.clear_requests();
    let mut faulty = emu.collect(&["--regions", REGIONS]);

    let log = emu.requests();
    let failed = log
        .iter()
        .filter(|r| matches!(r.status, Some(400) | Some(500) | Some(503)))
        .count();
    // The faults really fired, at about the rate asked for (a retried call adds
    // requests, so the share is of all requests, successful or not).
    let share = failed as f64 / log.len() as f64;
    assert!(
        (0.15..=0.45).contains(&share),
        "{failed} of {} requests failed",
        log.len()
    );
    assert!(log
        .iter()
        .any(|r| r.service.as_deref() == Some("network-firewall") && r.status == Some(400)));
    assert!(log.iter().any(|r| r.status == Some(500)));

    faulty.collected_at = clean.collected_at;
    assert!(faulty.coverage.is_empty(), "{:?}", faulty.coverage);
    assert_eq!(faulty, clean);
}

#[test]
fn throttling_that_never_stops_is_a_gap_not_an_empty_list() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeSecurityGroups", "region": "eu-west-1",
         "error": "RequestLimitExceeded"},
    ]}));
    // The seeder's own calls are not vpcaudit's.
    emu.clear_requests();
    let inv = emu.collect(&["--regions", REGIONS, "--max-attempts", "3"]);
    let gaps: Vec<_> = inv
        .coverage
        .iter()
        .filter(|g| g.operation == Operation::DescribeSecurityGroups)
        .collect();
    assert_eq!(gaps.len(), 1, "{:?}", inv.coverage);
    assert_eq!(gaps[0].kind, GapKind::Throttled);
    assert_eq!(gaps[0].region, "eu-west-1");
    assert_eq!(gaps[0].error_code.as_deref(), Some("RequestLimitExceeded"));
    // Three attempts, no more.
    let tries = emu
        .requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some("DescribeSecurityGroups"))
        .filter(|r| r.region.as_deref() == Some("eu-west-1"))
        .count();
    assert_eq!(tries, 3);
}

/// Attempts of `action` in `region` in the emulator's request log.
fn tries(emu: &Emulator, action: &str, region: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some(action))
        .filter(|r| r.region.as_deref() == Some(region))
        .count()
}

/// A server that answers 500 to every call of an operation (plain moto does, for the
/// Network Firewall APIs it lacks) is not retried `--max-attempts` times per call:
/// the operation gets a few attempts in each region, then one per call.
#[test]
fn an_operation_that_always_fails_costs_a_few_attempts_not_max_attempts() {
    use vpcaudit::collect::SERVER_ERRORS_IN_A_ROW;
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeFlowLogs", "error": "InternalError"},
        {"service": "network-firewall", "action": "DescribeRuleGroup", "error": "InternalError"},
    ]}));
    emu.clear_requests();
    // The default --max-attempts (10) is in force.
    let inv = emu.collect(&["--regions", REGIONS]);

    let gaps = |operation: &str, region: &str| -> usize {
        inv.coverage
            .iter()
            .filter(|g| g.operation.as_str() == operation && g.region == region)
            .inspect(|g| {
                // Network Firewall models the error as InternalServerError.
                let code = match g.service.as_str() {
                    "ec2" => "InternalError",
                    _ => "InternalServerError",
                };
                assert_eq!(g.kind, GapKind::ServiceError, "{g:?}");
                assert_eq!(g.error_code.as_deref(), Some(code), "{g:?}");
            })
            .count()
    };
    assert!(
        inv.coverage
            .iter()
            .all(|g| g.operation.as_str() == "DescribeFlowLogs"
                || g.operation.as_str() == "DescribeRuleGroup"),
        "{:?}",
        inv.coverage
    );
    let limit = SERVER_ERRORS_IN_A_ROW as usize;
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(gaps("DescribeFlowLogs", region), 1, "{region}");
        // One call: it stops at the limit, well short of --max-attempts.
        assert_eq!(tries(&emu, "DescribeFlowLogs", region), limit, "{region}");
    }
    // One call per rule group: each is tried, and only the first failures in a row
    // are retried, so the attempts do not multiply with the calls.
    let calls = gaps("DescribeRuleGroup", "us-east-1");
    assert!(
        calls >= 2,
        "the scenario has rule groups: {:?}",
        inv.coverage
    );
    assert_eq!(
        tries(&emu, "DescribeRuleGroup", "us-east-1"),
        calls + limit - 1
    );
    // Everything else was read.
    assert!(!region(&inv, "us-east-1").vpcs.is_empty());
    assert!(!region(&inv, "us-east-1").firewalls.is_empty());
}

/// An operation the endpoint does not have is tried once: HTTP 501, or an
/// unknown-operation code whatever its status.
#[test]
fn an_operation_the_endpoint_lacks_is_tried_once() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeFlowLogs", "error": "NotImplemented", "status": 501},
        {"service": "network-firewall", "action": "ListRuleGroups",
         "error": "UnknownOperationException", "status": 500},
        {"service": "ec2", "action": "DescribeNetworkAcls", "region": "eu-west-1",
         "error": "InvalidAction", "status": 500},
    ]}));
    emu.clear_requests();
    let inv = emu.collect(&["--regions", REGIONS]);
    let code = |operation: &str, region: &str| -> Option<String> {
        let found: Vec<_> = inv
            .coverage
            .iter()
            .filter(|g| g.operation.as_str() == operation && g.region == region)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{operation} in {region}: {:?}",
            inv.coverage
        );
        found[0].error_code.clone()
    };
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            code("DescribeFlowLogs", region).as_deref(),
            Some("NotImplemented")
        );
        assert_eq!(tries(&emu, "DescribeFlowLogs", region), 1, "{region}");
        assert_eq!(
            code("ListRuleGroups", region).as_deref(),
            Some("UnknownOperationException")
        );
        assert_eq!(tries(&emu, "ListRuleGroups", region), 1, "{region}");
    }
    assert_eq!(
        code("DescribeNetworkAcls", "eu-west-1").as_deref(),
        Some("InvalidAction")
    );
    assert_eq!(tries(&emu, "DescribeNetworkAcls", "eu-west-1"), 1);
    assert_eq!(inv.coverage.len(), 5, "{:?}", inv.coverage);
}

/// DescribeNetworkAcls denied in eu-west-1: every finding the complete scan has there
/// is still reported, as a failure or as unknown; the NACL checks say unknown; the
/// table and the SARIF name the gap; `--strict` exits 3.
#[test]
fn a_denied_api_makes_its_checks_unknown_everywhere_the_user_looks() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    let (code, complete, _) = scan_json(&emu, &["--fail-on", "never"]);
    assert_eq!(code, 0);
    assert!(complete["coverage"].as_array().unwrap().is_empty());

    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeNetworkAcls", "region": "eu-west-1",
         "error": "UnauthorizedOperation"},
    ]}));
    let (code, denied, _) = scan_json(&emu, &["--fail-on", "never"]);
    assert_eq!(code, 0);
    let gaps = denied["coverage"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["operation"], "DescribeNetworkAcls");

    // Nothing the complete scan found in eu-west-1 vanished. NACL findings are about
    // ACLs that could not be read, and lateral movement through a VPC whose NACLs are
    // unknown is one unknown finding for the VPC, so those are compared by check only.
    let key = |f: &Value| {
        let check = f["check"].as_str().unwrap_or_default().to_string();
        let resource = if check.starts_with("nacl-") || check.starts_with("lateral-") {
            String::new()
        } else {
            f["resource"]["id"].as_str().unwrap_or_default().to_string()
        };
        (check, resource)
    };
    let in_eu = |doc: &Value| -> BTreeSet<(String, String)> {
        findings(doc)
            .iter()
            .filter(|f| f["region"] == "eu-west-1")
            .map(key)
            .collect()
    };
    let (before, after) = (in_eu(&complete), in_eu(&denied));
    let lost: Vec<_> = before.difference(&after).collect();
    assert!(lost.is_empty(), "findings lost to the gap: {lost:?}");
    assert!(
        before.iter().any(|(c, _)| c.starts_with("nacl-")),
        "the scenario has NACL findings in eu-west-1 to lose"
    );
    // The NACL checks cannot pass or fail there: they are unknown.
    let nacl_in_eu: Vec<&Value> = findings(&denied)
        .iter()
        .filter(|f| f["region"] == "eu-west-1")
        .filter(|f| f["check"].as_str().is_some_and(|c| c.starts_with("nacl-")))
        .collect();
    assert!(!nacl_in_eu.is_empty());
    assert!(
        nacl_in_eu.iter().all(|f| f["status"] == "unknown"),
        "{nacl_in_eu:#?}"
    );
    // us-east-1's own findings are untouched; lateral paths may cross into
    // eu-west-1 over peering, so those only may not vanish.
    let in_us = |doc: &Value| -> Vec<(String, String, String)> {
        findings(doc)
            .iter()
            .filter(|f| f["region"] == "us-east-1")
            .filter(|f| {
                !f["check"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("lateral-")
            })
            .map(|f| {
                let (check, resource) = key(f);
                (
                    check,
                    resource,
                    f["fingerprint"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(in_us(&complete), in_us(&denied));
    let lateral_us = |doc: &Value| -> BTreeSet<(String, String)> {
        findings(doc)
            .iter()
            .filter(|f| f["region"] == "us-east-1")
            .filter(|f| {
                f["check"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("lateral-")
            })
            .map(key)
            .collect()
    };
    assert!(
        !lateral_us(&complete).is_empty(),
        "the complete scan has lateral findings in us-east-1 to lose"
    );
    let lost: Vec<_> = lateral_us(&complete)
        .difference(&lateral_us(&denied))
        .cloned()
        .collect();
    assert!(
        lost.is_empty(),
        "lateral findings lost in us-east-1: {lost:?}"
    );

    // --strict: incomplete, exit 3, even though no finding reaches --fail-on.
    let (code, _, _) = scan_json(&emu, &["--fail-on", "never", "--strict"]);
    assert_eq!(code, 3);

    // The table says so.
    let out = emu
        .vpcaudit()
        .args(["scan", "--regions", REGIONS, "--format", "table"])
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("unknown"), "{table}");
    assert!(
        table.contains("eu-west-1 ec2 DescribeNetworkAcls: access denied (UnauthorizedOperation)"),
        "{table}"
    );

    // And so does the SARIF: the gap as a tool notification, the unknowns as results.
    let dir = tempfile::tempdir().unwrap();
    let out = emu
        .vpcaudit()
        .args(["scan", "--regions", REGIONS, "--format", "sarif"])
        .args(["--fail-on", "never", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("vpcaudit.sarif")).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notes.iter().any(|n| {
            let text = n["message"]["text"].as_str().unwrap_or_default();
            text.contains("DescribeNetworkAcls") && text.contains("eu-west-1")
        }),
        "{notes:#?}"
    );
    let undecided = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["ruleId"].as_str().is_some_and(|c| c.starts_with("nacl-"))
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Undecided"))
        })
        .count();
    assert_eq!(undecided, nacl_in_eu.len());
}

#[test]
fn a_hanging_region_is_abandoned_and_the_rest_of_the_scan_completes() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    let clean = emu.collect(&["--regions", REGIONS]);
    // eu-west-1 accepts connections and never answers; the per-call timeout (20 s,
    // three attempts) is far longer than the region's.
    emu.set_faults(json!({"rules": [
        {"region": "eu-west-1", "error": "hang", "latency_ms": 60000},
    ]}));
    let started = Instant::now();
    let out = emu
        .vpcaudit()
        .args(["collect", "--regions", REGIONS, "--region-timeout", "3"])
        .args(["-o", "-"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(stderr.contains("region abandoned"), "{stderr}");
    let mut inv = Inventory::from_json_str(
        &String::from_utf8_lossy(&out.stdout),
        std::path::Path::new("stdout"),
    )
    .unwrap();

    // us-east-1 is complete.
    assert_eq!(region(&inv, "us-east-1"), region(&clean, "us-east-1"));
    // eu-west-1 is empty, and every operation the collectors stand for is a timeout
    // gap there, so each check that needs one of them says unknown.
    let eu = region(&inv, "eu-west-1");
    assert!(eu.vpcs.is_empty() && eu.network_acls.is_empty() && eu.firewalls.is_empty());
    assert!(inv.coverage.iter().all(|g| g.region == "eu-west-1"
        && g.kind == GapKind::Timeout
        && g.message.contains("--region-timeout")));
    let ops: BTreeSet<&str> = inv.coverage.iter().map(|g| g.operation.as_str()).collect();
    for op in [
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeNetworkInterfaces",
        "DescribeSecurityGroups",
        "DescribeSecurityGroupRules",
        "DescribeNetworkAcls",
        "DescribeFlowLogs",
        "ListFirewalls",
        "DescribeFirewallPolicy",
        "DescribeRuleGroup",
    ] {
        assert!(ops.contains(op), "no gap for {op}: {ops:?}");
    }

    // The scan on top of it reports the region as unknown, and --strict says the
    // result is incomplete.
    inv.collected_at = clean.collected_at;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, inv.to_json_pretty().unwrap()).unwrap();
    let out = emu
        .vpcaudit()
        .args(["scan", "--format", "json", "--fail-on", "never", "--strict"])
        .arg("--inventory")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(findings(&doc)
        .iter()
        .any(|f| f["region"] == "eu-west-1" && f["status"] == "unknown"));
}

#[test]
fn a_slow_region_is_cut_at_the_region_timeout_not_the_call_timeout() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    // Every call in eu-west-1 answers, slowly: each one is within the call timeout,
    // the region as a whole is not.
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "region": "eu-west-1", "latency_ms": 2500},
    ]}));
    let started = Instant::now();
    let inv = emu.collect(&["--regions", REGIONS, "--region-timeout", "4"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let abandoned: Vec<_> = inv
        .coverage
        .iter()
        .filter(|g| g.kind == GapKind::Timeout)
        .collect();
    assert!(!abandoned.is_empty());
    assert!(abandoned.iter().all(|g| g.region == "eu-west-1"));
    // What finished in time is kept: the first calls answered after 2.5 s.
    assert!(!region(&inv, "eu-west-1").vpcs.is_empty());
}

/// A check that fails (here: panics) loses only its own findings: it becomes one
/// `unknown` finding naming the failure, and every other check's findings are exactly
/// what they are without it.
#[test]
fn a_failing_check_loses_only_its_own_findings() {
    use vpcaudit::checks::{registry, Check, Context, Draft, Scoped};
    use vpcaudit::reach::model::Model;

    struct Broken;
    impl Check for Broken {
        fn run(&self, _: &Context) -> Vec<Draft> {
            panic!("engine error: no route table for subnet-0bad");
        }
        fn scope(&self, _: &Context) -> Option<Vec<Scoped>> {
            panic!("engine error: no route table for subnet-0bad");
        }
    }
    static BROKEN: Broken = Broken;

    let inventory = vpcaudit::demo::inventory().unwrap();
    let model = Model::build(&inventory);
    let ctx = Context::new(&inventory, &model);
    let all = registry::all().unwrap();
    let mut meta = all[0].meta.clone();
    meta.id = "broken-check".into();
    let broken = registry::Registered {
        meta,
        check: &BROKEN,
    };

    let healthy: Vec<&registry::Registered> = all.iter().collect();
    let mut with_broken = healthy.clone();
    with_broken.insert(healthy.len() / 2, &broken);

    let expected = registry::run(&healthy, &ctx);
    let got = registry::run(&with_broken, &ctx);
    assert!(!expected.is_empty());
    let (failed, others): (Vec<_>, Vec<_>) =
        got.into_iter().partition(|f| f.check == "broken-check");
    assert_eq!(others, expected);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, vpcaudit::finding::Status::Unknown);
    assert!(failed[0].message.contains("no route table for subnet-0bad"));

    // Nor does it lose the others' pass evidence: it only cannot say what it judged.
    let scopes = registry::scopes(&with_broken, &ctx);
    let judged = vpcaudit::checks::judge::judge(&scopes, &registry::run(&with_broken, &ctx));
    assert_eq!(judged.unscoped, ["broken-check"]);
    let healthy_judged =
        vpcaudit::checks::judge::judge(&registry::scopes(&healthy, &ctx), &expected);
    let others: Vec<_> = judged
        .evaluated
        .iter()
        .filter(|e| e.check != "broken-check")
        .cloned()
        .collect();
    assert_eq!(others, healthy_judged.evaluated);
}
