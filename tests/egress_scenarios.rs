//! Centralised egress through a transit gateway, judged by the checks through the
//! real binary on a hand-made inventory (tests/fixtures/scenarios/hub-and-spoke-edge.json):
//!
//! - account 111111111111 owns transit gateway `tgw-hub`, three spoke VPCs, an
//!   inspection VPC (Network Firewall `fw-central`, drop by default), an appliance
//!   VPC whose TGW subnet routes to Gateway Load Balancer endpoint
//!   `vpce-gwlb-appliance`, and egress VPC `vpc-egress-a` (`nat-egress-a`);
//! - account 222222222222 owns egress VPC `vpc-egress-b` (`nat-egress-b`), attached
//!   to `tgw-hub` by `tgw-attach-egress-b`;
//! - spoke `open` (subnets `subnet-open-app`, `subnet-open-data` with an RDS ENI)
//!   goes straight to `tgw-attach-egress-b`, skipping inspection; spoke `inspected`
//!   passes `fw-central`, then `tgw-attach-egress-b`; spoke `appliance` passes the
//!   appliance, then `vpc-egress-a`. Every spoke's group lets all traffic out to
//!   0.0.0.0/0.
//!
//! The same inventory without account 222222222222 is scanned too: the open spoke's
//! egress VPC is then in an account the scan does not hold.

mod common;

use common::{findings, repo, scan_json, vpcaudit_offline};
use serde_json::{json, Value};

const CHECKS: &str =
    "nat-without-filtering,firewall-bypassed,egress-world-open,data-subnet-internet-route";
const EGRESS_ACCOUNT: &str = "222222222222";
const APPLIANCE_REASON: &str = "third-party appliance rules are not visible";

fn fixture() -> Value {
    let path = repo().join("tests/fixtures/scenarios/hub-and-spoke-edge.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture JSON")
}

/// Scans `inventory` with the egress checks; the findings.
fn scan(inventory: &Value) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("inventory.json");
    std::fs::write(&path, serde_json::to_vec(inventory).expect("serialise")).expect("write");
    let doc = scan_json(
        vpcaudit_offline()
            .args(["scan", "--inventory"])
            .arg(&path)
            .args(["--checks", CHECKS, "--format", "json", "--fail-on", "never"]),
    );
    assert_eq!(doc["coverage"], json!([]), "the fixture has no gaps");
    findings(&doc).clone()
}

/// The one finding of `check` on `resource` (there must be exactly one).
fn one<'f>(found: &'f [Value], check: &str, resource: &str) -> &'f Value {
    let got: Vec<&Value> = found
        .iter()
        .filter(|f| f["check"] == check && f["resource"]["id"] == resource)
        .collect();
    assert_eq!(got.len(), 1, "{check} on {resource}: {got:#?}");
    got[0]
}

fn none_on(found: &[Value], check: &str, resource: &str) {
    let got: Vec<&Value> = found
        .iter()
        .filter(|f| f["check"] == check && f["resource"]["id"] == resource)
        .collect();
    assert!(
        got.is_empty(),
        "{check} must say nothing of {resource}: {got:#?}"
    );
}

/// `fail/<severity>` or `unknown`.
fn verdict(f: &Value) -> String {
    match f["status"].as_str() {
        Some("unknown") => "unknown".to_string(),
        status => format!(
            "{}/{}",
            status.unwrap_or("?"),
            f["severity"].as_str().unwrap_or("?")
        ),
    }
}

/// The message and every evidence detail, as one text to look for reasons in.
fn says(f: &Value) -> String {
    let mut text = f["message"].as_str().unwrap_or_default().to_string();
    for e in f["evidence"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(e["detail"].as_str().unwrap_or_default());
    }
    text
}

fn related(f: &Value) -> Vec<&str> {
    f["related"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect()
}

/// Every finding is one the design expects: (check, resource).
fn only(found: &[Value], expected: &[(&str, &str)]) {
    for f in found {
        let key = (
            f["check"].as_str().unwrap_or("?"),
            f["resource"]["id"].as_str().unwrap_or("?"),
        );
        assert!(
            expected.contains(&key),
            "unexpected finding {key:?}: {}",
            f["message"]
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

fn summary(found: &[Value]) -> Vec<Value> {
    found
        .iter()
        .map(|f| {
            json!({
                "check": f["check"],
                "account": f["account"],
                "status": f["status"],
                "severity": f["severity"],
                "resource": f["resource"]["id"],
                "message": f["message"],
                "related": related(f),
                "evidence": f["evidence"],
            })
        })
        .collect()
}

#[test]
fn both_accounts_scanned_spokes_are_judged_and_appliances_unknown() {
    let found = scan(&fixture());

    // The open spoke skips inspection into account B's egress VPC: judged there.
    let nat_b = one(&found, "nat-without-filtering", "nat-egress-b");
    assert_eq!(verdict(nat_b), "fail/high", "{}", says(nat_b));
    assert_eq!(nat_b["account"], EGRESS_ACCOUNT);
    let rel = related(nat_b);
    assert!(rel.contains(&"subnet-open-app") && rel.contains(&"subnet-open-data"));
    // The inspected spoke also leaves by nat-egress-b, through a dropping firewall.
    assert!(!rel.contains(&"subnet-inspected-app"), "{rel:?}");
    for subnet in ["subnet-open-app", "subnet-open-data"] {
        let f = one(&found, "firewall-bypassed", subnet);
        assert_eq!(verdict(f), "fail/high", "{}", says(f));
        assert!(says(f).contains("without passing its inspection firewall fw-central"));
    }
    none_on(&found, "firewall-bypassed", "subnet-inspected-app");
    let open = one(&found, "egress-world-open", "sg-open-app");
    assert_eq!(verdict(open), "fail/high", "{}", says(open));
    let inspected = one(&found, "egress-world-open", "sg-inspected-app");
    assert_eq!(verdict(inspected), "fail/medium", "{}", says(inspected));
    assert!(says(inspected).contains("only through a Network Firewall"));
    let data = one(&found, "data-subnet-internet-route", "subnet-open-data");
    assert_eq!(verdict(data), "fail/medium", "{}", says(data));
    assert!(says(data).contains("nat-egress-b"));

    // The appliance spoke: unknown, never a pass or a fail, where filtering is judged.
    let nat_a = one(&found, "nat-without-filtering", "nat-egress-a");
    assert_eq!(verdict(nat_a), "unknown", "{}", says(nat_a));
    assert!(says(nat_a).contains(APPLIANCE_REASON), "{}", says(nat_a));
    assert!(related(nat_a).contains(&"subnet-appliance-app"));
    let bypass = one(&found, "firewall-bypassed", "subnet-appliance-app");
    assert_eq!(verdict(bypass), "unknown", "{}", says(bypass));
    assert!(says(bypass).contains(APPLIANCE_REASON), "{}", says(bypass));
    // The group itself is world-open; an undecided way out counts as high.
    let sg = one(&found, "egress-world-open", "sg-appliance-app");
    assert_eq!(verdict(sg), "fail/high", "{}", says(sg));
    assert!(says(sg).contains("vpce-gwlb-appliance") && says(sg).contains("not visible"));

    // Both inspection attachments have appliance mode on.
    none_on(&found, "firewall-bypassed", "tgw-attach-inspection");
    none_on(&found, "firewall-bypassed", "tgw-attach-gwlb");
    only(
        &found,
        &[
            ("nat-without-filtering", "nat-egress-b"),
            ("nat-without-filtering", "nat-egress-a"),
            ("firewall-bypassed", "subnet-open-app"),
            ("firewall-bypassed", "subnet-open-data"),
            ("firewall-bypassed", "subnet-appliance-app"),
            ("egress-world-open", "sg-open-app"),
            ("egress-world-open", "sg-inspected-app"),
            ("egress-world-open", "sg-appliance-app"),
            ("data-subnet-internet-route", "subnet-open-data"),
        ],
    );
    insta::assert_json_snapshot!("hub_and_spoke_edge_both_accounts", summary(&found));
}

#[test]
fn egress_account_not_scanned_is_unknown_naming_it() {
    let mut inv = fixture();
    let accounts = inv["accounts"].as_array_mut().expect("accounts");
    let before = accounts.len();
    accounts.retain(|a| a["account_id"] != EGRESS_ACCOUNT);
    assert_eq!(
        accounts.len(),
        before - 1,
        "the fixture holds {EGRESS_ACCOUNT}"
    );
    let found = scan(&inv);
    let missing = format!("account {EGRESS_ACCOUNT}, which is not in the scan");

    // Reported on the attachment into that account's VPC, in the spoke's account.
    let att = one(&found, "nat-without-filtering", "tgw-attach-egress-b");
    assert_eq!(verdict(att), "unknown", "{}", says(att));
    assert_eq!(att["account"], "111111111111");
    assert!(says(att).contains(&missing), "{}", says(att));
    let rel = related(att);
    assert!(rel.contains(&"subnet-open-app") && rel.contains(&"subnet-open-data"));
    for subnet in ["subnet-open-app", "subnet-open-data"] {
        let f = one(&found, "firewall-bypassed", subnet);
        assert_eq!(verdict(f), "unknown", "{}", says(f));
        assert!(says(f).contains(&missing), "{}", says(f));
    }
    let data = one(&found, "data-subnet-internet-route", "subnet-open-data");
    assert_eq!(verdict(data), "unknown", "{}", says(data));
    assert!(says(data).contains(&missing), "{}", says(data));
    let open = one(&found, "egress-world-open", "sg-open-app");
    assert_eq!(verdict(open), "fail/high", "{}", says(open));
    assert!(says(open).contains(&missing), "{}", says(open));
    // Nothing is judged on resources the scan does not hold.
    none_on(&found, "nat-without-filtering", "nat-egress-b");
    // The inspected spoke's flow is dropped by fw-central before it leaves for the
    // unscanned account: not a bypass, and no unfiltered client of any NAT.
    none_on(&found, "firewall-bypassed", "subnet-inspected-app");
    assert!(!related(att).contains(&"subnet-inspected-app"));
    // Its way out leaves the VPC through fw-central: medium, not "no route out".
    let inspected = one(&found, "egress-world-open", "sg-inspected-app");
    assert_eq!(verdict(inspected), "fail/medium", "{}", says(inspected));

    // The appliance spoke does not depend on account B: unchanged.
    let nat_a = one(&found, "nat-without-filtering", "nat-egress-a");
    assert_eq!(verdict(nat_a), "unknown");
    assert!(says(nat_a).contains(APPLIANCE_REASON));
    let bypass = one(&found, "firewall-bypassed", "subnet-appliance-app");
    assert_eq!(verdict(bypass), "unknown");
    assert!(says(bypass).contains(APPLIANCE_REASON));

    insta::assert_json_snapshot!("hub_and_spoke_edge_egress_account_missing", summary(&found));
}
