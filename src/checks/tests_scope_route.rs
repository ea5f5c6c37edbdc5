//! Pass evidence of the routing, endpoint and Network Firewall checks: what each
//! check's scope says of a resource no finding names, and that a finding still
//! fails (or leaves unknown) the resource it names.

use crate::finding::Judgement;
use crate::inventory::{Operation, RouteTarget, RuleOrder, VpcEndpoint};
use crate::reach::testkit::{domain_group as domains, suricata_group as rules, Kit};

use super::registry::judge_one;
use super::tests_firewall::{
    allowlist, clean_policy, egress_vpc, endpoint_b, logged, policy, reroute,
    unprotected_egress_vpc, with_policy,
};
use super::tests_routing::{
    account, eks_node, interface_endpoint, nat, s3_gateway, with_endpoints, with_rds, FULL_ACCESS,
};
use super::vpc_endpoint_required_missing::EKS_PRIVATE_CLUSTER;

/// (resource id, judgement, reason) of every resource `check` judged on `kit`.
fn judged(check: &str, kit: &Kit) -> Vec<(String, Judgement, String)> {
    judge_one(check, &kit.inv)
        .evaluated
        .into_iter()
        .map(|e| (e.resource.id, e.judgement, e.reason))
        .collect()
}

/// The judgement and reason of resource `id`; panics when it is not judged.
fn of(check: &str, kit: &Kit, id: &str) -> (Judgement, String) {
    let all = judged(check, kit);
    all.iter()
        .find(|(r, _, _)| r == id)
        .map(|(_, j, why)| (*j, why.clone()))
        .unwrap_or_else(|| panic!("{check}: {id} is not judged: {all:#?}"))
}

fn pass(why: &str) -> (Judgement, String) {
    (Judgement::Pass, why.to_string())
}

fn not_applicable(why: &str) -> (Judgement, String) {
    (Judgement::NotApplicable, why.to_string())
}

fn judgement(check: &str, kit: &Kit, id: &str) -> Judgement {
    of(check, kit, id).0
}

// -- nat-without-filtering

const NAT: &str = "nat-without-filtering";

#[test]
fn nat_passes_when_every_route_through_it_passes_a_dropping_firewall() {
    assert_eq!(
        of(NAT, &egress_vpc(), "nat-1"),
        pass(
            "every route through nat-1 (2 subnet(s)) passes firewall fw, whose policy drops \
             unmatched traffic"
        )
    );
    // AZ b's subnet straight to the NAT gateway: unfiltered.
    let kit = reroute(
        egress_vpc(),
        "rtb-app-b",
        "0.0.0.0/0",
        RouteTarget::NatGateway("nat-1".into()),
    );
    assert_eq!(judgement(NAT, &kit, "nat-1"), Judgement::Fail);
    assert_eq!(judgement(NAT, &account(nat()), "nat-1"), Judgement::Fail);
}

#[test]
fn nat_nobody_routes_to_or_private_is_not_applicable() {
    assert_eq!(
        of(NAT, &account(None), "nat-1"),
        not_applicable("no workload subnet reaches the internet through nat-1")
    );
    let mut kit = account(nat());
    kit.region().nat_gateways[0].connectivity = crate::inventory::NatConnectivity::Private;
    assert_eq!(
        of(NAT, &kit, "nat-1"),
        not_applicable("nat-1 is a private NAT gateway: it does not reach the internet")
    );
}

#[test]
fn attachment_to_an_egress_vpc_not_scanned_is_unknown() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/hub-and-spoke-edge.json");
    let mut inv = crate::inventory::Inventory::load(&path).expect("the scenario loads");
    inv.accounts.retain(|a| a.account_id != "222222222222");
    let judged = judge_one(NAT, &inv);
    let attachment = judged
        .evaluated
        .iter()
        .find(|e| e.resource.id == "tgw-attach-egress-b")
        .expect("the attachment into the unscanned egress VPC is judged");
    assert_eq!(attachment.judgement, Judgement::Unknown);
    assert!(!attachment.findings.is_empty(), "{attachment:#?}");
}

// -- vpc-endpoint-missing-az

const MISSING_AZ: &str = "vpc-endpoint-missing-az";

#[test]
fn endpoint_in_every_workload_az_passes() {
    let mut kit = account(None);
    kit.region()
        .vpc_endpoints
        .push(interface_endpoint(&["subnet-2"]));
    assert_eq!(judgement(MISSING_AZ, &kit, "vpce-sts"), Judgement::Fail);
    kit.region().vpc_endpoints[0]
        .subnet_ids
        .push("subnet-1".into());
    assert_eq!(
        of(MISSING_AZ, &kit, "vpce-sts"),
        pass(
            "vpce-sts has a network interface in every AZ where private subnets of vpc-1 hold \
             workloads: eu-west-1a"
        )
    );
}

#[test]
fn gateway_endpoints_and_vpcs_without_private_workloads_are_not_applicable() {
    let mut kit = account(Some(RouteTarget::InternetGateway("igw-1".into())));
    kit.region().vpc_endpoints = vec![interface_endpoint(&["subnet-2"]), s3_gateway(None)];
    assert_eq!(
        of(MISSING_AZ, &kit, "vpce-sts"),
        not_applicable("no private subnet of vpc-1 holds workloads")
    );
    assert_eq!(
        of(MISSING_AZ, &kit, "vpce-s3"),
        not_applicable("vpce-s3 is a Gateway endpoint: it has no network interfaces in AZs")
    );
}

// -- vpc-endpoint-required-missing

const REQUIRED: &str = "vpc-endpoint-required-missing";

fn endpoint_for(service: &str) -> VpcEndpoint {
    VpcEndpoint {
        id: format!("vpce-{service}"),
        service_name: format!("com.amazonaws.eu-west-1.{service}"),
        ..interface_endpoint(&["subnet-1"])
    }
}

#[test]
fn isolated_eks_vpc_with_every_endpoint_passes() {
    let mut kit = account(None);
    eks_node(&mut kit);
    kit.region().vpc_endpoints = vec![endpoint_for("sts")];
    assert_eq!(judgement(REQUIRED, &kit, "vpc-1"), Judgement::Fail);
    kit.region().vpc_endpoints = EKS_PRIVATE_CLUSTER
        .iter()
        .map(|s| endpoint_for(s))
        .collect();
    assert_eq!(
        of(REQUIRED, &kit, "vpc-1"),
        pass(
            "vpc-1 has an endpoint for every service its private workloads need: ecr.api, \
             ecr.dkr, s3, sts, logs, ec2, elasticloadbalancing, ssm, ssmmessages"
        )
    );
}

#[test]
fn vpcs_needing_no_endpoint_are_not_applicable_and_unread_ones_unknown() {
    assert_eq!(
        of(REQUIRED, &account(None), "vpc-1"),
        not_applicable("vpc-1 runs no EKS nodes and [endpoints] requires no other endpoint")
    );
    let mut kit = account(nat());
    eks_node(&mut kit);
    assert_eq!(
        of(REQUIRED, &kit, "vpc-1"),
        not_applicable(
            "every workload of vpc-1 has a path to the internet, where the services are"
        )
    );
    let kit = kit.gap(Operation::DescribeVpcEndpoints, "denied");
    assert_eq!(judgement(REQUIRED, &kit, "vpc-1"), Judgement::Unknown);
}

// -- vpc-endpoint-policy-open

const POLICY_OPEN: &str = "vpc-endpoint-policy-open";

#[test]
fn endpoint_policy_without_full_access_passes() {
    let named = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*",
        "Resource":["arn:aws:s3:::mine","arn:aws:s3:::mine/*"]}}"#;
    let kit = with_endpoints(vec![s3_gateway(Some(named)), interface_endpoint(&[])]);
    assert_eq!(
        of(POLICY_OPEN, &kit, "vpce-s3"),
        pass(
            "the policy of vpce-s3 grants no unconditional full access (any principal, any \
             action, any resource)"
        )
    );
    // An STS endpoint with no document: STS takes none.
    assert_eq!(
        of(POLICY_OPEN, &kit, "vpce-sts"),
        not_applicable(
            "Interface endpoint vpce-sts (sts) has no endpoint policy: its service takes none"
        )
    );
    let kit = with_endpoints(vec![s3_gateway(Some(FULL_ACCESS))]);
    assert_eq!(judgement(POLICY_OPEN, &kit, "vpce-s3"), Judgement::Fail);
    let kit = with_endpoints(vec![s3_gateway(None)]);
    assert_eq!(judgement(POLICY_OPEN, &kit, "vpce-s3"), Judgement::Unknown);
}

// -- data-subnet-internet-route

const DATA_SUBNET: &str = "data-subnet-internet-route";

#[test]
fn data_subnet_without_a_route_out_passes_and_others_do_not_apply() {
    let kit = with_rds(account(None));
    assert_eq!(
        of(DATA_SUBNET, &kit, "subnet-1"),
        pass("subnet-1 holds 1 data store ENI(s) and has no route to the internet")
    );
    assert_eq!(
        of(DATA_SUBNET, &kit, "subnet-2"),
        not_applicable("subnet-2 holds no data store")
    );
    let kit = with_rds(account(nat()));
    assert_eq!(judgement(DATA_SUBNET, &kit, "subnet-1"), Judgement::Fail);
}

// -- firewall-policy-passes-by-default

const PASSES_BY_DEFAULT: &str = "firewall-policy-passes-by-default";

#[test]
fn policy_dropping_unmatched_traffic_passes() {
    let (p, g) = clean_policy();
    assert_eq!(
        of(PASSES_BY_DEFAULT, &with_policy(p, vec![g]), "egress"),
        pass(
            "stateful group allow: domain allowlist drops TLS/HTTP to every name it does not \
             list; stateless fragment default aws:forward_to_sfe"
        )
    );
    // Decided by the policy's own default.
    let (mut p, g) = clean_policy();
    p.stateful_rule_groups.clear();
    assert_eq!(
        of(PASSES_BY_DEFAULT, &with_policy(p, vec![g]), "egress"),
        pass(
            "stateful default aws:drop_established drops unmatched traffic; stateless fragment \
             default aws:forward_to_sfe"
        )
    );
    let g = allowlist();
    let p = policy(RuleOrder::StrictOrder, "aws:pass", &[&g]);
    assert_eq!(
        judgement(PASSES_BY_DEFAULT, &with_policy(p, vec![g]), "egress"),
        Judgement::Fail
    );
}

// -- firewall-pass-rule-shadows

const SHADOWS: &str = "firewall-pass-rule-shadows";

#[test]
fn policy_whose_domain_rules_decide_passes() {
    let (p, g) = clean_policy();
    assert_eq!(
        of(SHADOWS, &with_policy(p, vec![g]), "egress"),
        pass(
            "no pass rule of egress decides the 2 probe flow(s) the domain rules of allow \
             should decide"
        )
    );
    let pass_all = rules("pass-all", "pass tcp any any -> any any (sid:1;)");
    let allow = allowlist();
    let p = policy(
        RuleOrder::StrictOrder,
        "aws:forward_to_sfe",
        &[&pass_all, &allow],
    );
    assert_eq!(
        judgement(SHADOWS, &with_policy(p, vec![pass_all, allow]), "egress"),
        Judgement::Fail
    );
}

#[test]
fn policy_without_domain_rules_is_not_applicable_unless_a_group_is_missing() {
    let ssh = rules("ssh", "pass tcp $HOME_NET any -> any 22 (sid:3;)");
    let p = policy(RuleOrder::StrictOrder, "aws:forward_to_sfe", &[&ssh]);
    assert_eq!(
        of(SHADOWS, &with_policy(p, vec![ssh]), "egress"),
        not_applicable(
            "egress has no domain (TLS SNI or HTTP Host) rule that passes or drops a name"
        )
    );
    // The domain rules may be in the group that was not collected.
    let (p, _) = clean_policy();
    assert_eq!(
        judgement(SHADOWS, &with_policy(p, vec![]), "egress"),
        Judgement::Unknown
    );
}

// -- firewall-wildcard-domain

const WILDCARD: &str = "firewall-wildcard-domain";

#[test]
fn allowlist_of_narrow_names_passes_and_other_groups_do_not_apply() {
    let deny = domains("deny", "DENYLIST", &[".amazonaws.com"]);
    let (p, _) = clean_policy();
    let kit = with_policy(p, vec![allowlist(), deny]);
    assert_eq!(
        of(WILDCARD, &kit, "allow"),
        pass(
            "none of the 2 entries of allowlist allow covers a public suffix or a shared \
             hosting domain"
        )
    );
    assert_eq!(
        of(WILDCARD, &kit, "deny"),
        not_applicable("deny is not a domain-list ALLOWLIST")
    );
    let broad = domains("allow", "ALLOWLIST", &[".amazonaws.com"]);
    let (p, _) = clean_policy();
    assert_eq!(
        judgement(WILDCARD, &with_policy(p, vec![broad]), "allow"),
        Judgement::Fail
    );
}

// -- firewall-bypassed

const BYPASSED: &str = "firewall-bypassed";

#[test]
fn subnet_routed_through_its_endpoint_passes() {
    let kit = egress_vpc();
    assert_eq!(
        of(BYPASSED, &kit, "subnet-app-a"),
        pass("IPv4 internet traffic passes firewall fw: vpce-fw-a (firewall fw) -> nat-1 -> igw-1")
    );
    // The firewall's and the NAT gateway's subnets hold no workloads.
    let ids: Vec<String> = judged(BYPASSED, &kit).into_iter().map(|r| r.0).collect();
    assert_eq!(ids, ["subnet-app-a", "subnet-app-b"]);
    let kit = reroute(
        kit,
        "rtb-app-b",
        "0.0.0.0/0",
        RouteTarget::NatGateway("nat-1".into()),
    );
    assert_eq!(judgement(BYPASSED, &kit, "subnet-app-b"), Judgement::Fail);
}

#[test]
fn subnet_of_a_vpc_without_firewall_or_inspection_is_not_applicable() {
    let kit = egress_vpc()
        .vpc("vpc-2")
        .subnet("subnet-x", "vpc-2")
        .eni("eni-x", &["10.1.0.10"], &["sg-1"])
        .placed("vpc-2", "subnet-x");
    assert_eq!(
        of(BYPASSED, &kit, "subnet-x"),
        not_applicable(
            "vpc-2 has no Network Firewall, and no inspection transit gateway carries \
             subnet-x's internet traffic"
        )
    );
}

// -- firewall-endpoint-missing-az

const ENDPOINT_AZ: &str = "firewall-endpoint-missing-az";

#[test]
fn firewall_with_an_endpoint_in_every_workload_az_passes() {
    assert_eq!(
        of(ENDPOINT_AZ, &egress_vpc(), "fw"),
        pass(
            "fw has a READY endpoint in every AZ where subnets of vpc-1 reach the internet: \
             eu-west-1a (vpce-fw-a), eu-west-1b (vpce-fw-b)"
        )
    );
    assert_eq!(
        judgement(ENDPOINT_AZ, &endpoint_b(Some("FAILED")), "fw"),
        Judgement::Fail
    );
    let (p, g) = clean_policy();
    assert_eq!(
        of(ENDPOINT_AZ, &with_policy(p, vec![g]), "fw"),
        not_applicable("no workload subnet of vpc-1 reaches the internet")
    );
}

// -- firewall-logging-disabled

const LOGGING: &str = "firewall-logging-disabled";

#[test]
fn firewall_logging_alerts_passes_naming_the_destination() {
    assert_eq!(
        of(LOGGING, &egress_vpc(), "fw"),
        pass("alert and flow logs sent to S3 bucket fw-logs")
    );
    let mut kit = logged(&["ALERT"]);
    kit.region().firewalls[0]
        .logging
        .push(crate::inventory::FirewallLogDestination {
            log_type: "FLOW".into(),
            destination_type: "CloudWatchLogs".into(),
            destination: [("logGroup".to_string(), "/fw".to_string())].into(),
        });
    assert_eq!(
        of(LOGGING, &kit, "fw"),
        pass("alert logs sent to S3 bucket fw-logs; flow logs sent to CloudWatch Logs group /fw")
    );
    assert_eq!(judgement(LOGGING, &logged(&[]), "fw"), Judgement::Fail);
    assert_eq!(
        judgement(LOGGING, &logged(&["FLOW"]), "fw"),
        Judgement::Fail
    );
    let kit = logged(&["ALERT"]).gap(Operation::ListFirewalls, "denied");
    assert_eq!(judgement(LOGGING, &kit, "vpc-1"), Judgement::Unknown);
}

// -- firewall-delete-protection-disabled

const DELETE_PROTECTION: &str = "firewall-delete-protection-disabled";

#[test]
fn protected_firewall_passes() {
    assert_eq!(
        of(DELETE_PROTECTION, &egress_vpc(), "fw"),
        pass("delete protection on")
    );
    assert_eq!(
        judgement(DELETE_PROTECTION, &unprotected_egress_vpc(), "fw"),
        Judgement::Fail
    );
    // A firewall that could not be described is unknown; the others still pass.
    let arn = "arn:aws:network-firewall:eu-west-1:123456789012:firewall/hidden-fw";
    let kit = egress_vpc()
        .gap_about(Operation::DescribeFirewall, arn, "access denied")
        .gap_about(Operation::DescribeFirewall, arn, "throttled");
    assert_eq!(
        judgement(DELETE_PROTECTION, &kit, "hidden-fw"),
        Judgement::Unknown
    );
    assert_eq!(judgement(DELETE_PROTECTION, &kit, "fw"), Judgement::Pass);
}

// -- every check, on its fixture and the hub-and-spoke scenario

/// Each finding of the checks above is about a resource in the check's scope, listed
/// once, on inventories that exercise more of them than the demo does (the guard in
/// `checks::tests` reads the demo only).
#[test]
fn every_finding_is_in_scope_on_the_fixtures() {
    let checks = [
        NAT,
        MISSING_AZ,
        REQUIRED,
        POLICY_OPEN,
        DATA_SUBNET,
        PASSES_BY_DEFAULT,
        SHADOWS,
        WILDCARD,
        BYPASSED,
        ENDPOINT_AZ,
        LOGGING,
        DELETE_PROTECTION,
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let load = |path: std::path::PathBuf| {
        crate::inventory::Inventory::load(&path).unwrap_or_else(|e| panic!("{e}"))
    };
    let hub = load(root.join("scenarios/hub-and-spoke-edge.json"));
    // Without the egress account: spokes' egress cannot be followed past the TGW.
    let mut half = hub.clone();
    half.accounts.retain(|a| a.account_id != "222222222222");
    let all = super::registry::all().expect("metadata parses");
    for id in checks {
        let own = load(root.join(format!("checks/{id}.json")));
        let reg: Vec<&super::Registered> = all.iter().filter(|r| r.meta.id == id).collect();
        for inv in [&own, &hub, &half] {
            let model = crate::reach::Model::build(inv);
            let ctx = super::Context::new(inv, &model);
            let findings = super::registry::run(&reg, &ctx);
            let scopes = super::registry::scopes(&reg, &ctx);
            let scope = scopes[0].scope.as_ref().expect("the check has a scope");
            let keys: std::collections::BTreeSet<_> = scope
                .iter()
                .map(|s| {
                    (
                        &s.account,
                        &s.region,
                        &s.resource.resource_type,
                        &s.resource.id,
                    )
                })
                .collect();
            assert_eq!(keys.len(), scope.len(), "{id}: a resource listed twice");
            for f in &findings {
                let k = (
                    &f.account,
                    &f.region,
                    &f.resource.resource_type,
                    &f.resource.id,
                );
                assert!(keys.contains(&k), "{id}: {k:?} is outside the scope");
            }
        }
    }
}
