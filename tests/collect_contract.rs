//! What collection promises beyond content: read-only calls within the documented IAM
//! policy, failed APIs recorded as coverage gaps, an inventory that round-trips.

mod common;

use common::{policy_actions, Emulator};
use serde_json::json;
use vpcaudit::inventory::{GapKind, Inventory, Operation, Service};

#[test]
fn collection_is_read_only_and_within_the_documented_policy() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    // EKS clusters with add-ons and node groups, so that every EKS action is called.
    emu.seed("eks");
    // Load balancers of every kind, an NLB's target group among them, so that every
    // Elastic Load Balancing action is called.
    emu.seed("load-balancers");
    // DNS Firewall, query logging, a resolver endpoint and rules, so that every
    // Route 53 Resolver action is called.
    emu.seed("dns-egress");
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1,eu-west-1"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);

    let requests = emu.requests();
    assert!(!requests.is_empty());
    let allowed = policy_actions();
    let mut seen = std::collections::BTreeSet::new();
    for r in &requests {
        let service = r.service.clone().unwrap_or_default();
        let action = r.action.clone().unwrap_or_default();
        assert!(
            ["Describe", "List", "Get", "Search"]
                .iter()
                .any(|p| action.starts_with(p)),
            "non-read call {service}:{action}"
        );
        let iam = format!("{service}:{action}");
        assert!(
            allowed.contains(&iam),
            "{iam} is called but not in examples/iam-policy.json"
        );
        seen.insert(iam);
    }
    // Every documented action is actually needed by a full collection.
    for a in &allowed {
        assert!(
            seen.contains(a),
            "{a} is in the policy but was never called"
        );
    }
}

#[test]
fn inventory_round_trips_through_json() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    emu.seed("load-balancers");
    let inv = emu.collect(&["--regions", "us-east-1,eu-west-1"]);
    let json = inv.to_json_pretty().unwrap();
    let back = Inventory::from_json_str(&json, std::path::Path::new("mem")).unwrap();
    assert_eq!(back, inv);
    assert_eq!(back.to_json_pretty().unwrap(), json);

    // A second collection of the unchanged account is identical but for the timestamp.
    let mut again = emu.collect(&["--regions", "us-east-1,eu-west-1"]);
    again.collected_at = inv.collected_at;
    assert_eq!(again, inv);
}

#[test]
fn a_denied_api_in_one_region_becomes_a_gap_and_the_rest_is_collected() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    let clean = emu.collect(&["--regions", "us-east-1,eu-west-1"]);
    emu.set_faults(json!({"rules": [
        {"service": "ec2", "action": "DescribeNetworkAcls", "region": "eu-west-1", "error": "UnauthorizedOperation"},
        {"service": "network-firewall", "action": "DescribeRuleGroup", "region": "us-east-1", "error": "AccessDeniedException"}
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1,eu-west-1"]);

    let acl_gaps: Vec<_> = inv
        .coverage
        .iter()
        .filter(|g| g.operation == Operation::DescribeNetworkAcls)
        .collect();
    assert_eq!(acl_gaps.len(), 1, "{:?}", inv.coverage);
    let gap = acl_gaps[0];
    assert_eq!(
        (gap.region.as_str(), gap.service),
        ("eu-west-1", Service::Ec2)
    );
    assert_eq!(gap.kind, GapKind::AccessDenied);
    assert_eq!(gap.error_code.as_deref(), Some("UnauthorizedOperation"));

    let rg_gaps: Vec<_> = inv
        .coverage
        .iter()
        .filter(|g| g.operation == Operation::DescribeRuleGroup)
        .collect();
    assert!(!rg_gaps.is_empty());
    assert!(rg_gaps
        .iter()
        .all(|g| g.region == "us-east-1" && g.kind == GapKind::AccessDenied));
    assert!(rg_gaps
        .iter()
        .all(|g| g.message.contains("arn:aws:network-firewall:")));
    // Each names the rule group it is about, for the checks, as the message does.
    assert!(
        rg_gaps
            .iter()
            .all(|g| g.resource.as_deref().is_some_and(|arn| {
                arn.starts_with("arn:aws:network-firewall:")
                    && g.message.starts_with(&format!("{arn}: "))
            })),
        "{rg_gaps:#?}"
    );
    assert_eq!(inv.coverage.len(), acl_gaps.len() + rg_gaps.len());

    let region = |inv: &Inventory, name: &str| {
        inv.accounts[0]
            .regions
            .iter()
            .find(|r| r.region == name)
            .unwrap()
            .clone()
    };
    let (eu, eu_clean) = (region(&inv, "eu-west-1"), region(&clean, "eu-west-1"));
    assert!(eu.network_acls.is_empty());
    assert!(!eu_clean.network_acls.is_empty());
    // Everything else in the region is untouched.
    let mut eu_without_acls = eu_clean.clone();
    eu_without_acls.network_acls.clear();
    assert_eq!(eu, eu_without_acls);
    let (us, us_clean) = (region(&inv, "us-east-1"), region(&clean, "us-east-1"));
    assert_eq!(us.network_acls, us_clean.network_acls);
    assert!(us.firewall_rule_groups.is_empty());
    assert_eq!(us.firewalls, us_clean.firewalls);
    assert_eq!(us.firewall_policies, us_clean.firewall_policies);

    // The summary says so too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, inv.to_json_pretty().unwrap()).unwrap();
    let out = emu
        .vpcaudit()
        .args(["scan", "--format", "summary", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("eu-west-1 ec2 DescribeNetworkAcls: access denied (UnauthorizedOperation)"),
        "{text}"
    );

    // And the checks that need the NACLs say "unknown" there instead of passing.
    let doc = common::scan_json(
        emu.vpcaudit()
            .args(["scan", "--format", "json", "--fail-on", "never"])
            .arg("--inventory")
            .arg(&path),
    );
    assert_eq!(
        doc["coverage"].as_array().unwrap().len(),
        inv.coverage.len()
    );
    let unknown_nacl = doc["findings"].as_array().unwrap().iter().any(|f| {
        f["region"] == "eu-west-1"
            && f["status"] == "unknown"
            && f["check"].as_str().is_some_and(|c| c.starts_with("nacl-"))
    });
    assert!(unknown_nacl, "{:#}", doc["findings"]);
}
