//! One hand-made inventory per check (tests/fixtures/checks/<id>.json), designed from
//! the check's documentation (checks/<id>.toml) with resources it must report and
//! near misses it must leave alone. Each is scanned by the real binary with only its
//! check; the findings are snapshotted, and the designed verdicts are asserted first,
//! so a wrong snapshot cannot be accepted unnoticed. Adding a check means its file,
//! its TOML, its registry line, its fixture and its line below: a guard test fails
//! when one is missing.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{findings, repo, scan_json, vpcaudit_offline};
use serde_json::{json, Value};

fn fixtures_dir() -> PathBuf {
    repo().join("tests/fixtures/checks")
}

/// What a finding says, as the expectations below write it: `fail/<severity>`, or
/// `unknown` (whose severity is the check's default).
fn verdict(f: &Value) -> String {
    let status = f["status"].as_str().unwrap_or("?");
    if status == "unknown" {
        return status.to_string();
    }
    format!("{status}/{}", f["severity"].as_str().unwrap_or("?"))
}

/// Scans the fixture of `check` with that check alone and asserts the design: every
/// resource of `flagged` is reported, each finding with its verdict; no resource of
/// `clean` is; nothing else is. Then snapshots a summary of the findings.
fn check_fixture(check: &str, flagged: &[(&str, &str)], clean: &[&str]) {
    let path = fixtures_dir().join(format!("{check}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{check}: read {}: {e}", path.display()));
    // A misspelt id would make its assertion vacuous.
    for id in flagged
        .iter()
        .map(|(id, _)| *id)
        .chain(clean.iter().copied())
    {
        // A Kubernetes object is `namespace/name`, two fields of the fixture.
        let present = text.contains(&format!("\"{id}\""))
            || id.split_once('/').is_some_and(|(ns, name)| {
                // The name is a string of its own, or the start of one (a workload
                // is named by its pods' owner, `web` by `web-6d4cf56db6`).
                text.contains(&format!("\"{ns}\"")) && text.contains(&format!("\"{name}"))
            });
        assert!(present, "{check}: {id} is not in {}", path.display());
    }

    let doc = scan_json(
        vpcaudit_offline()
            .args(["scan", "--inventory"])
            .arg(&path)
            .args(["--checks", check, "--format", "json", "--fail-on", "never"]),
    );
    assert_eq!(
        doc["coverage"],
        json!([]),
        "{check}: the fixture has no gaps"
    );
    let found = findings(&doc);
    let on =
        |id: &str| -> Vec<&Value> { found.iter().filter(|f| f["resource"]["id"] == id).collect() };

    for f in found {
        assert_eq!(f["check"], check, "{check}: {f:#}");
        let id = f["resource"]["id"].as_str().unwrap_or("?");
        assert!(
            flagged.iter().any(|(want, _)| *want == id),
            "{check}: a finding on {id}, which the fixture does not mean to be flagged: {}",
            f["message"]
        );
    }
    for (id, want) in flagged {
        let got = on(id);
        assert!(!got.is_empty(), "{check}: {id} must be flagged ({want})");
        for f in got {
            assert_eq!(
                verdict(f),
                *want,
                "{check}: {id}: {}",
                f["message"].as_str().unwrap_or("?")
            );
        }
    }
    for id in clean {
        let got = on(id);
        assert!(
            got.is_empty(),
            "{check}: {id} is a near miss and must not be flagged: {got:#?}"
        );
    }

    let summary: Vec<Value> = found
        .iter()
        .map(|f| {
            json!({
                "check": f["check"],
                "severity": f["severity"],
                "status": f["status"],
                "resource": f["resource"]["id"],
                "message": f["message"],
            })
        })
        .collect();
    insta::assert_json_snapshot!(check, summary);
}

/// One test per check: `test_name: "check-id" { flagged: [(id, verdict), ...],
/// clean: [id, ...] }`, written from the fixture's design, not from vpcaudit's output.
macro_rules! fixtures {
    ($($test:ident: $check:literal {
        flagged: [$(($id:literal, $want:literal)),* $(,)?],
        clean: [$($ok:literal),* $(,)?] $(,)?
    })*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($check, &[$(($id, $want)),*], &[$($ok),*]);
            }
        )*

        /// The checks with a test above.
        const TESTED: &[&str] = &[$($check),*];
    };
}

fixtures! {
    egress_world_open: "egress-world-open" {
        flagged: [
            ("sg-flag-all-to-world", "fail/high"),
            ("sg-flag-https-to-halves", "fail/low"),
        ],
        clean: ["sg-ok-to-private-range", "sg-ok-ssh-to-world", "sg-ok-unused-all-to-world"],
    }
    internet_exposed_port: "internet-exposed-port" {
        flagged: [
            ("eni-flag-ssh-to-world", "fail/critical"),
            ("eni-flag-https-to-world", "fail/info"),
            // Through load balancers: web behind an ALB is info, SSH behind an NLB
            // preserving client addresses (the host admits the world) critical.
            ("eni-flag-app-behind-alb", "fail/info"),
            ("eni-flag-ssh-behind-nlb", "fail/critical"),
            // Lambda targets are unsupported; targets not read are a gap.
            ("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/lambda-fn/cccc", "unknown"),
            ("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/unread/dddd", "unknown"),
        ],
        clean: [
            "eni-ok-no-public-ip",
            "eni-ok-private-sources",
            "eni-ok-no-igw-route",
            "eni-ok-ssh-behind-nlb-vpc-only",
            "eni-ok-app-behind-closed-alb",
            // Load balancer nodes answer only on their listeners: what gets
            // through them is reported on the targets.
            "eni-web-alb-node",
            "eni-edge-alb-node",
            "eni-closed-alb-node",
            "eni-ssh-nlb-node",
        ],
    }
    sg_default_allows_traffic: "sg-default-allows-traffic" {
        flagged: [("sg-flag-default-as-created", "fail/medium")],
        clean: ["sg-ok-default-emptied", "sg-ok-custom-group"],
    }
    flow_logs_disabled: "flow-logs-disabled" {
        flagged: [
            ("vpc-flag-no-log", "fail/medium"),
            ("vpc-flag-subnet-log-only", "fail/medium"),
        ],
        clean: ["vpc-ok-logged"],
    }
    subnet_auto_public_ip: "subnet-auto-public-ip" {
        flagged: [("subnet-flag-auto-ip", "fail/low")],
        clean: ["subnet-ok-no-auto-ip"],
    }
    nat_without_filtering: "nat-without-filtering" {
        flagged: [("nat-flag-unfiltered", "fail/high")],
        clean: ["nat-ok-no-client-routes-here"],
    }
    vpc_endpoint_missing_az: "vpc-endpoint-missing-az" {
        flagged: [("vpce-flag-sts-in-one-az", "fail/low")],
        clean: ["vpce-ok-ssm-in-both-private-azs", "vpce-ok-s3-gateway"],
    }
    vpc_endpoint_required_missing: "vpc-endpoint-required-missing" {
        flagged: [("vpc-flag-private-eks-s3-only", "fail/medium")],
        clean: ["vpc-ok-private-eks-complete", "vpc-ok-private-not-eks", "vpc-ok-eks-with-internet"],
    }
    vpc_endpoint_policy_open: "vpc-endpoint-policy-open" {
        flagged: [
            ("vpce-flag-s3-default-policy", "fail/medium"),
            ("vpce-flag-sts-default-policy", "fail/low"),
            ("vpce-unknown-dynamodb-policy-not-collected", "unknown"),
        ],
        clean: [
            "vpce-ok-s3-organization-only",
            "vpce-ok-s3-deny-cancels-allow",
            "vpce-ok-ssm-no-policy-document",
            "vpce-ok-gateway-load-balancer",
        ],
    }
    data_subnet_internet_route: "data-subnet-internet-route" {
        flagged: [
            ("subnet-flag-db-to-igw", "fail/high"),
            ("subnet-flag-jewel-to-nat", "fail/medium"),
        ],
        clean: ["subnet-ok-public-web", "subnet-ok-db-isolated"],
    }
    sg_internal_cidr_trust: "sg-internal-cidr-trust" {
        flagged: [
            ("sg-flag-ssh-from-10-8", "fail/medium"),
            ("sg-flag-port-range-holds-ssh", "fail/medium"),
            ("sg-flag-unused-postgres-from-vpc", "fail/low"),
        ],
        clean: [
            "sg-ok-narrow-subnet-source",
            "sg-ok-web-port-from-10-8",
            "sg-ok-group-reference",
            "sg-ok-world-open",
            "sg-ok-range-covers-no-vpc",
        ],
    }
    sg_unused_open: "sg-unused-open" {
        flagged: [
            ("sg-flag-unused-ssh-from-world", "fail/low"),
            ("sg-flag-unused-https-from-world-v6", "fail/low"),
            ("sg-flag-unused-prefix-list-world", "fail/low"),
        ],
        clean: [
            "sg-ok-used-ssh-from-world",
            "sg-ok-unused-ssh-from-private",
            "sg-ok-unused-half-internet",
        ],
    }
    nacl_admin_ports_open: "nacl-admin-ports-open" {
        flagged: [
            ("acl-flag-ssh-on-public-subnet", "fail/high"),
            ("acl-flag-ephemeral-rule-admits-rdp", "fail/info"),
            ("acl-flag-rdp-on-private-subnet", "fail/low"),
        ],
        clean: ["acl-ok-deny-before-allow", "acl-ok-not-in-use", "acl-ok-default-no-subnet-uses"],
    }
    nacl_return_traffic_blocked: "nacl-return-traffic-blocked" {
        flagged: [("acl-flag-no-reply-rule", "fail/medium")],
        clean: ["acl-ok-replies-allowed", "acl-ok-broken-but-not-in-use"],
    }
    nacl_shadowed_rule: "nacl-shadowed-rule" {
        flagged: [
            ("acl-flag-deny-after-allow", "fail/medium"),
            ("acl-flag-unused-deny-after-allow", "fail/low"),
        ],
        clean: ["acl-ok-deny-before-allow"],
    }
    peering_route_too_broad: "peering-route-too-broad" {
        flagged: [("rtb-flag-whole-10-8-to-peer", "fail/medium")],
        clean: ["rtb-ok-exact-peer-cidr", "rtb-ok-blackhole-route", "rtb-ok-inside-peer-cidr"],
    }
    firewall_policy_passes_by_default: "firewall-policy-passes-by-default" {
        flagged: [
            ("policy-flag-stateless-default-pass", "fail/high"),
            ("policy-flag-fragments-pass", "fail/medium"),
            ("policy-flag-unused-no-drop", "fail/low"),
        ],
        clean: ["policy-ok-strict-drop"],
    }
    firewall_pass_rule_shadows: "firewall-pass-rule-shadows" {
        flagged: [("policy-flag-pass-all-before-allowlist", "fail/high")],
        clean: ["policy-ok-allowlist-alone"],
    }
    firewall_wildcard_domain: "firewall-wildcard-domain" {
        flagged: [
            ("rg-flag-cdn-wildcard", "fail/medium"),
            ("rg-flag-top-level-domain", "fail/high"),
            ("rg-flag-unreferenced-amazonaws", "fail/low"),
        ],
        clean: ["rg-ok-own-domain", "rg-ok-denylist-cdn"],
    }
    firewall_bypassed: "firewall-bypassed" {
        flagged: [("subnet-flag-straight-to-igw", "fail/high")],
        clean: ["subnet-ok-through-firewall", "subnet-ok-no-internet-route", "subnet-firewall-a"],
    }
    firewall_endpoint_missing_az: "firewall-endpoint-missing-az" {
        flagged: [("fw-flag-no-endpoint-in-b", "fail/medium")],
        clean: ["fw-ok-endpoint-in-each-az"],
    }
    firewall_logging_disabled: "firewall-logging-disabled" {
        flagged: [
            ("fw-flag-no-logs", "fail/medium"),
            ("fw-flag-flow-only", "fail/low"),
        ],
        clean: ["fw-ok-alert-logs"],
    }
    firewall_delete_protection_disabled: "firewall-delete-protection-disabled" {
        flagged: [("fw-flag-unprotected", "fail/low")],
        clean: ["fw-ok-delete-protected"],
    }
    lateral_movement_path: "lateral-movement-path" {
        flagged: [
            ("eni-db-open-to-web", "fail/critical"),
            // ALB -> private app -> RDS: the app is a foothold through the ALB.
            ("eni-db-behind-alb-app", "fail/critical"),
        ],
        clean: [
            "eni-db-open-to-batch-only",
            "eni-batch-host",
            "eni-web-foothold",
            "eni-shop-app-behind-alb",
            "eni-shop-alb-node",
        ],
    }
    lateral_blast_radius: "lateral-blast-radius" {
        flagged: [("eni-web-foothold", "fail/high")],
        clean: ["eni-batch-host", "eni-db-one-hop-from-web", "eni-db-open-to-batch-only"],
    }
    eks_endpoint_public: "eks-endpoint-public" {
        flagged: [
            ("flag-open-to-world", "fail/high"),
            ("flag-open-no-private", "fail/high"),
            ("flag-open-ipv6", "fail/high"),
            ("flag-open-split", "fail/high"),
        ],
        clean: ["ok-private-only", "ok-restricted"],
    }
    eks_network_policy_not_enforced: "eks-network-policy-not-enforced" {
        flagged: [
            ("flag-policies-off", "fail/critical"),
            ("flag-no-policies-off", "fail/low"),
            ("unknown-daemonsets-forbidden", "unknown"),
            ("eks-only-addon-off", "unknown"),
        ],
        clean: ["ok-agent-on", "ok-calico", "ok-eks-only-addon-on"],
    }
    k8s_namespace_no_default_deny: "k8s-namespace-no-default-deny" {
        flagged: [
            ("flag-open", "fail/high"),
            ("flag-no-ingress", "fail/medium"),
            ("flag-no-egress", "fail/low"),
            ("flag-selective", "fail/medium"),
            ("flag-allow-all-in", "fail/medium"),
        ],
        clean: ["ok-both", "ok-split", "ok-inferred", "kube-system"],
    }
    k8s_dns_egress_blocked: "k8s-dns-egress-blocked" {
        flagged: [
            ("app/flag-zero-egress", "fail/medium"),
            ("app/flag-udp-only", "fail/low"),
            ("unknown-policies-forbidden", "unknown"),
        ],
        clean: [
            "app/ok-dns-allowed",
            "app/ok-ingress-only",
            "app/ok-selects-nothing",
            "app/ok-e-deny-all",
            "app/ok-e-dns-by-name",
        ],
    }
    k8s_pod_egress_internet: "k8s-pod-egress-internet" {
        flagged: [("shop/web", "fail/high"), ("shop/ghost", "unknown")],
        clean: ["shop/locked", "shop/batch", "kube-system/aws-node"],
    }
    k8s_lateral_movement_path: "k8s-lateral-movement-path" {
        flagged: [("finance/postgres", "fail/critical")],
        clean: ["payments/ledger", "gateway/internal-db", "marketing/intranet"],
    }
    dns_egress_unfiltered: "dns-egress-unfiltered" {
        flagged: [
            ("vpc-flag-zero-egress-no-fw", "fail/high"),
            ("vpc-flag-zero-egress-block-list", "fail/high"),
            ("vpc-flag-pending-allowlist", "fail/high"),
            ("vpc-flag-block-all-for-a-only", "fail/high"),
            ("vpc-flag-igw-no-fw", "fail/medium"),
            ("vpc-flag-igw-block-list", "fail/medium"),
            ("vpc-flag-tgw-no-fw", "fail/medium"),
            ("vpc-unknown-rules-unread", "unknown"),
            ("111122223333/eu-west-1", "unknown"),
        ],
        clean: [
            "vpc-ok-allowlist-block-all",
            "vpc-ok-tunnelling-protection",
            "vpc-ok-dns-support-off",
            "vpc-ok-no-workloads",
            "vpc-unknown-old-inventory",
        ],
    }
    dns_firewall_fail_open: "dns-firewall-fail-open" {
        flagged: [("vpc-flag-fail-open", "fail/medium")],
        clean: ["vpc-ok-fail-closed", "vpc-ok-no-config", "vpc-ok-fail-open-no-association"],
    }
    dns_query_logging_disabled: "dns-query-logging-disabled" {
        flagged: [
            ("vpc-flag-no-query-logs", "fail/low"),
            ("vpc-flag-association-failed", "fail/low"),
        ],
        clean: ["vpc-ok-logged", "vpc-ok-no-workloads", "vpc-ok-dns-support-off"],
    }
    dns_forwarding_to_internet: "dns-forwarding-to-internet" {
        flagged: [
            ("rslvr-rr-flag-root-to-public", "fail/high"),
            ("rslvr-rr-flag-com-to-public", "fail/medium"),
        ],
        clean: [
            "rslvr-rr-ok-root-to-private",
            "rslvr-rr-ok-narrow-to-public",
            "rslvr-rr-ok-unassociated",
            "rslvr-rr-ok-system",
            "rslvr-rr-ok-dns-support-off",
        ],
    }
}

/// Every registered check has a fixture and a test above; every fixture and every
/// test names a registered check.
#[test]
fn every_check_has_a_fixture_and_every_fixture_a_check() {
    let registered: BTreeSet<String> = vpcaudit::checks::registry::all()
        .expect("check metadata parses")
        .into_iter()
        .map(|r| r.meta.id)
        .collect();
    assert!(!registered.is_empty(), "no registered check");
    let dir = fixtures_dir();
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| {
            let name = entry.expect("directory entry").file_name();
            name.to_string_lossy().into_owned()
        })
        .collect();
    let tested: BTreeSet<String> = TESTED.iter().map(|s| s.to_string()).collect();

    let mut problems = Vec::new();
    for check in &registered {
        if !files.contains(&format!("{check}.json")) {
            problems.push(format!(
                "check {check} has no fixture tests/fixtures/checks/{check}.json"
            ));
        }
        if !tested.contains(check) {
            problems.push(format!(
                "check {check} has no line in fixtures! (tests/check_fixtures.rs)"
            ));
        }
    }
    for file in &files {
        let check = file.strip_suffix(".json").unwrap_or(file);
        if !registered.contains(check) {
            problems.push(format!(
                "fixture tests/fixtures/checks/{file} names no registered check"
            ));
        }
    }
    for check in tested.difference(&registered) {
        problems.push(format!(
            "tests/check_fixtures.rs tests {check}, which is not a registered check"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
