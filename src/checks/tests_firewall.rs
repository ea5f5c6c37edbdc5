//! The Network Firewall checks, each on a hand-built inventory that fails it and one
//! that passes, and on the built-in demo.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity, Status};
use crate::inventory::{
    FirewallPolicy, L4Match, NatConnectivity, Operation, Protocol, RouteTarget, RuleGroup,
    RuleGroupReference, RuleGroupType, RuleOrder, RuleSource, StatelessPortRange, StatelessRule,
};
use crate::reach::testkit::{cidr, egress, open_acl, route, Kit};

use super::registry::run_one;

const FIREWALL_CHECKS: [&str; 7] = [
    "firewall-policy-passes-by-default",
    "firewall-pass-rule-shadows",
    "firewall-wildcard-domain",
    "firewall-bypassed",
    "firewall-endpoint-missing-az",
    "firewall-logging-disabled",
    "firewall-delete-protection-disabled",
];

// -- policies and rule groups

use crate::reach::testkit::{
    domain_group as domains, rule_group_of as group, suricata_group as rules,
};

/// A stateless group passing tcp/443 from anywhere, skipping the stateful engine.
fn stateless_pass_443(name: &str) -> RuleGroup {
    group(
        name,
        RuleGroupType::Stateless,
        RuleSource::Stateless {
            rules: vec![StatelessRule {
                priority: 10,
                actions: vec!["aws:pass".into()],
                sources: vec![],
                destinations: vec![],
                source_ports: vec![],
                destination_ports: vec![StatelessPortRange { from: 443, to: 443 }],
                protocols: vec![6],
                tcp_flags: vec![],
            }],
            custom_actions: vec![],
        },
    )
}

/// Policy `egress` with `groups` attached in the order given (priority 10, 20, ...).
pub(super) fn policy(
    order: RuleOrder,
    stateless_default: &str,
    groups: &[&RuleGroup],
) -> FirewallPolicy {
    let mut p = FirewallPolicy {
        name: "egress".into(),
        arn: "arn:policy/egress".into(),
        stateless_default_actions: vec![stateless_default.into()],
        stateless_fragment_default_actions: vec!["aws:forward_to_sfe".into()],
        stateless_custom_actions: vec![],
        stateless_rule_groups: vec![],
        stateful_rule_groups: vec![],
        stateful_rule_order: order,
        stream_exception_policy: None,
        stateful_default_actions: match order {
            RuleOrder::StrictOrder => vec!["aws:drop_established".into()],
            RuleOrder::DefaultActionOrder => vec![],
        },
        variables: BTreeMap::from([("HOME_NET".to_string(), vec!["10.0.0.0/16".to_string()])]),
        tags: Default::default(),
    };
    for (i, g) in groups.iter().enumerate() {
        let r = RuleGroupReference {
            arn: g.arn.clone(),
            priority: Some(10 * (i as i32 + 1)),
            override_action: None,
        };
        match g.rule_group_type {
            RuleGroupType::Stateless => p.stateless_rule_groups.push(r),
            RuleGroupType::Stateful => p.stateful_rule_groups.push(r),
        }
    }
    p
}

pub(super) fn allowlist() -> RuleGroup {
    domains("allow", "ALLOWLIST", &[".github.com", "api.stripe.com"])
}

/// The clean reference policy: forward to the stateful engine, strict order, a
/// domain allowlist, drop the rest.
pub(super) fn clean_policy() -> (FirewallPolicy, RuleGroup) {
    let g = allowlist();
    (
        policy(RuleOrder::StrictOrder, "aws:forward_to_sfe", &[&g]),
        g,
    )
}

/// Firewall `fw` in vpc-1 (10.0.0.0/16) using `p`, with `groups` collected.
pub(super) fn with_policy(p: FirewallPolicy, groups: Vec<RuleGroup>) -> Kit {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-fw", "vpc-1")
        .network_firewall("fw", "vpc-1", "subnet-fw", "vpce-fw", &p.arn)
        .firewall_policy(p);
    for g in groups {
        kit = kit.rule_group(g);
    }
    kit
}

// -- an egress VPC in two AZs

fn local() -> RouteTarget {
    RouteTarget::Local
}

fn endpoint(id: &str) -> RouteTarget {
    RouteTarget::VpcEndpoint(id.into())
}

/// vpc-1 (10.0.0.0/16) over eu-west-1a and -1b: app subnets route 0.0.0.0/0 to the
/// firewall endpoint of their AZ, firewall subnets to nat-1 in the public subnet,
/// which routes to igw-1. eni-nat is nat-1's own interface. Logs ALERT and FLOW;
/// delete protection on.
pub(super) fn egress_vpc() -> Kit {
    let mut kit = unprotected_egress_vpc();
    kit.region().firewalls[0].delete_protection = true;
    kit
}

/// [`egress_vpc`] with every change protection of its firewall off.
pub(super) fn unprotected_egress_vpc() -> Kit {
    let (p, g) = clean_policy();
    Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-app-a", "vpc-1")
        .subnet("subnet-app-b", "vpc-1")
        .subnet_az("subnet-app-b", "eu-west-1b")
        .subnet("subnet-fw-a", "vpc-1")
        .subnet("subnet-fw-b", "vpc-1")
        .subnet_az("subnet-fw-b", "eu-west-1b")
        .subnet("subnet-pub-a", "vpc-1")
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .group(
            "sg-1",
            "app",
            vec![egress(
                "sgr-1",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .igw("igw-1", "vpc-1")
        .nat_gateway(
            "nat-1",
            "subnet-pub-a",
            NatConnectivity::Public,
            "10.0.100.5",
        )
        .route_table("rtb-app-a", "vpc-1", false, &["subnet-app-a"])
        .routes(
            "rtb-app-a",
            vec![
                route("10.0.0.0/16", local()),
                route("0.0.0.0/0", endpoint("vpce-fw-a")),
            ],
        )
        .route_table("rtb-app-b", "vpc-1", false, &["subnet-app-b"])
        .routes(
            "rtb-app-b",
            vec![
                route("10.0.0.0/16", local()),
                route("0.0.0.0/0", endpoint("vpce-fw-b")),
            ],
        )
        .route_table("rtb-fw", "vpc-1", false, &["subnet-fw-a", "subnet-fw-b"])
        .routes(
            "rtb-fw",
            vec![
                route("10.0.0.0/16", local()),
                route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into())),
            ],
        )
        .route_table("rtb-pub", "vpc-1", true, &["subnet-pub-a"])
        .routes(
            "rtb-pub",
            vec![
                route("10.0.0.0/16", local()),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .network_firewall("fw", "vpc-1", "subnet-fw-a", "vpce-fw-a", &p.arn)
        .firewall_endpoint(
            "fw",
            "eu-west-1b",
            "subnet-fw-b",
            "vpce-fw-b",
            Some("READY"),
        )
        .firewall_logging("fw", "ALERT")
        .firewall_logging("fw", "FLOW")
        .firewall_policy(p)
        .rule_group(g)
        .eni("eni-a", &["10.0.1.10"], &["sg-1"])
        .placed("vpc-1", "subnet-app-a")
        .eni("eni-b", &["10.0.2.10"], &["sg-1"])
        .placed("vpc-1", "subnet-app-b")
        .eni("eni-nat", &["10.0.100.5"], &[])
        .placed("vpc-1", "subnet-pub-a")
        .nat_eni("nat-1", "eni-nat")
}

/// Points `table`'s default route for `dest` at `target`.
pub(super) fn reroute(mut kit: Kit, table: &str, dest: &str, target: RouteTarget) -> Kit {
    let Some(t) = kit.region().route_tables.iter_mut().find(|t| t.id == table) else {
        panic!("no table {table}");
    };
    t.routes
        .retain(|r| crate::reach::route::describe_destination(&r.destination) != dest);
    t.routes.push(route(dest, target));
    kit
}

fn run(id: &str, kit: &Kit) -> Vec<Finding> {
    run_one(id, &kit.inv)
}

fn says(f: &Finding, needle: &str) -> bool {
    f.message.contains(needle)
        || f.evidence
            .iter()
            .any(|e| e.component.contains(needle) || e.detail.contains(needle))
}

fn related(f: &Finding, id: &str) -> bool {
    f.related.iter().any(|r| r.id == id)
}

// -- firewall-policy-passes-by-default

#[test]
fn passes_by_default_flags_stateless_pass_default() {
    let g = allowlist();
    let p = policy(RuleOrder::StrictOrder, "aws:pass", &[&g]);
    let f = run(
        "firewall-policy-passes-by-default",
        &with_policy(p, vec![g]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].status, f[0].severity), (Status::Fail, Severity::High));
    assert_eq!(f[0].resource.id, "egress");
    assert!(related(&f[0], "fw"));
    assert!(says(&f[0], "stateless default aws:pass"), "{f:#?}");
}

#[test]
fn passes_by_default_flags_catch_all_pass_rule() {
    let pass = rules("pass-all", "pass ip any any -> any any (sid:1;)");
    let p = policy(RuleOrder::StrictOrder, "aws:forward_to_sfe", &[&pass]);
    let f = run(
        "firewall-policy-passes-by-default",
        &with_policy(p, vec![pass]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(says(&f[0], "pass ip any any -> any any"), "{f:#?}");
}

#[test]
fn passes_by_default_accepts_allowlist_with_drop_default() {
    let (p, g) = clean_policy();
    let f = run(
        "firewall-policy-passes-by-default",
        &with_policy(p, vec![g]),
    );
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn passes_by_default_flags_fragment_pass_at_medium() {
    let (mut p, g) = clean_policy();
    p.stateless_fragment_default_actions = vec!["aws:pass".into()];
    let f = run(
        "firewall-policy-passes-by-default",
        &with_policy(p, vec![g]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Fail, Severity::Medium)
    );
    assert!(says(&f[0], "fragments"));
}

#[test]
fn passes_by_default_low_when_no_firewall_uses_it() {
    let g = allowlist();
    let mut p = policy(RuleOrder::StrictOrder, "aws:pass", &[&g]);
    p.arn = "arn:policy/unused".into();
    let (used, _) = clean_policy();
    let f = run(
        "firewall-policy-passes-by-default",
        &with_policy(used, vec![g]).firewall_policy(p),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Low);
    assert!(f[0].related.is_empty() && says(&f[0], "no firewall uses it"));
}

#[test]
fn passes_by_default_unknown_when_a_group_is_missing() {
    let (p, _) = clean_policy();
    let f = run("firewall-policy-passes-by-default", &with_policy(p, vec![]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
}

// -- firewall-pass-rule-shadows

#[test]
fn shadows_flags_pass_all_ahead_of_allowlist() {
    let pass = rules(
        "pass-all",
        "pass tcp any any -> any any (msg:\"temporary\"; sid:1;)",
    );
    let allow = allowlist();
    let p = policy(
        RuleOrder::StrictOrder,
        "aws:forward_to_sfe",
        &[&pass, &allow],
    );
    let f = run(
        "firewall-pass-rule-shadows",
        &with_policy(p, vec![pass, allow]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].status, f[0].severity), (Status::Fail, Severity::High));
    assert_eq!(f[0].resource.id, "egress");
    assert!(related(&f[0], "pass-all") && related(&f[0], "allow") && related(&f[0], "fw"));
    assert!(says(&f[0], "pass tcp any any -> any any"), "{f:#?}");
}

#[test]
fn shadows_flags_pass_rule_in_default_order_even_when_listed_last() {
    let allow = domains("deny", "DENYLIST", &[".evil.example"]);
    let pass = rules("web", "pass tcp $HOME_NET any -> any 443 (sid:2;)");
    let p = policy(
        RuleOrder::DefaultActionOrder,
        "aws:forward_to_sfe",
        &[&allow, &pass],
    );
    let f = run(
        "firewall-pass-rule-shadows",
        &with_policy(p, vec![allow, pass]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(says(&f[0], "name evil.example"), "{f:#?}");
}

#[test]
fn shadows_flags_stateless_pass_for_https() {
    let fast = stateless_pass_443("fast-443");
    let allow = allowlist();
    let p = policy(
        RuleOrder::StrictOrder,
        "aws:forward_to_sfe",
        &[&fast, &allow],
    );
    let f = run(
        "firewall-pass-rule-shadows",
        &with_policy(p, vec![fast, allow]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(related(&f[0], "fast-443"));
    assert!(says(&f[0], "stateless group fast-443"), "{f:#?}");
}

#[test]
fn shadows_accepts_narrow_and_established_only_pass_rules() {
    // SSH only, and an established-only pass the allowlist's drop decides before.
    let ssh = rules("ssh", "pass tcp $HOME_NET any -> any 22 (sid:3;)");
    let allow = allowlist();
    let late = rules(
        "late",
        "pass tcp any any -> any any (flow:established; sid:4;)",
    );
    let p = policy(
        RuleOrder::StrictOrder,
        "aws:forward_to_sfe",
        &[&ssh, &allow, &late],
    );
    let f = run(
        "firewall-pass-rule-shadows",
        &with_policy(p, vec![ssh, allow, late]),
    );
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn shadows_unknown_when_a_rule_is_not_modelled() {
    let odd = rules("odd", "pass tcp any any -> any any (ja3.hash; sid:5;)");
    let allow = allowlist();
    let p = policy(
        RuleOrder::StrictOrder,
        "aws:forward_to_sfe",
        &[&odd, &allow],
    );
    let f = run(
        "firewall-pass-rule-shadows",
        &with_policy(p, vec![odd, allow]),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
}

// -- firewall-wildcard-domain

#[test]
fn wildcard_flags_shared_cloud_domains() {
    let g = domains(
        "allow",
        "ALLOWLIST",
        &[
            ".amazonaws.com",
            ".github.com",
            ".d1.cloudfront.net",
            ".s3.us-east-1.amazonaws.com",
        ],
    );
    let (p, _) = clean_policy();
    let f = run("firewall-wildcard-domain", &with_policy(p, vec![g]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Fail, Severity::Medium)
    );
    assert_eq!(f[0].resource.id, "allow");
    assert!(related(&f[0], "egress"));
    assert!(says(&f[0], ".amazonaws.com:") && says(&f[0], ".s3.us-east-1.amazonaws.com:"));
    // github.com is a single service; one distribution is one tenant.
    assert!(
        !says(&f[0], ".github.com") && !says(&f[0], "cloudfront"),
        "{f:#?}"
    );
}

#[test]
fn wildcard_flags_top_level_domain_and_bare_dot_as_high() {
    let g = domains("allow", "ALLOWLIST", &[".com", "."]);
    let (p, _) = clean_policy();
    let f = run("firewall-wildcard-domain", &with_policy(p, vec![g]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::High);
    assert!(says(&f[0], ".com:") && says(&f[0], "bare '.'"));
}

#[test]
fn wildcard_accepts_exact_names_and_denylists() {
    let allow = domains(
        "allow",
        "ALLOWLIST",
        &[
            "my-bucket.s3.us-east-1.amazonaws.com",
            ".github.com",
            "api.stripe.com",
        ],
    );
    let deny = domains("deny", "DENYLIST", &[".amazonaws.com"]);
    let (p, _) = clean_policy();
    let f = run(
        "firewall-wildcard-domain",
        &with_policy(p, vec![allow, deny]),
    );
    assert!(f.is_empty(), "{f:#?}");
}

// -- firewall-bypassed

#[test]
fn bypassed_flags_subnet_routed_straight_to_nat() {
    let kit = reroute(
        egress_vpc(),
        "rtb-app-b",
        "0.0.0.0/0",
        RouteTarget::NatGateway("nat-1".into()),
    );
    let f = run("firewall-bypassed", &kit);
    // The NAT gateway's own interface in the public subnet is not a workload.
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].status, f[0].severity), (Status::Fail, Severity::High));
    assert_eq!(f[0].resource.id, "subnet-app-b");
    assert!(related(&f[0], "fw") && related(&f[0], "rtb-app-b"));
    assert!(related(&f[0], "nat-1") && related(&f[0], "igw-1"));
    assert!(says(&f[0], "nat-1 -> igw-1"), "{f:#?}");
}

#[test]
fn bypassed_accepts_subnets_routed_through_their_endpoint() {
    let f = run("firewall-bypassed", &egress_vpc());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn bypassed_flags_ipv6_route_to_egress_only_gateway() {
    let mut kit = egress_vpc().eigw("eigw-1", "vpc-1");
    kit = reroute(
        kit,
        "rtb-app-a",
        "::/0",
        RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
    );
    if let Some(e) = kit
        .region()
        .network_interfaces
        .iter_mut()
        .find(|e| e.id == "eni-a")
    {
        e.ipv6s.push("2001:db8::10".parse().expect("address"));
    }
    let f = run("firewall-bypassed", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].resource.id, "subnet-app-a");
    assert!(says(&f[0], "IPv6") && related(&f[0], "eigw-1"), "{f:#?}");
}

#[test]
fn bypassed_unknown_when_route_leaves_through_transit_gateway() {
    let kit = reroute(
        egress_vpc(),
        "rtb-app-b",
        "0.0.0.0/0",
        RouteTarget::TransitGateway("tgw-1".into()),
    );
    let f = run("firewall-bypassed", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
    assert!(says(&f[0], "tgw-1"), "{f:#?}");
}

// -- firewall-endpoint-missing-az

/// The egress VPC with firewall `fw`'s AZ-b endpoint removed, or set to `status`.
pub(super) fn endpoint_b(status: Option<&str>) -> Kit {
    let mut kit = egress_vpc();
    if let Some(fw) = kit.region().firewalls.first_mut() {
        match status {
            None => fw.endpoints.retain(|e| e.availability_zone != "eu-west-1b"),
            Some(s) => {
                for e in &mut fw.endpoints {
                    if e.availability_zone == "eu-west-1b" {
                        e.status = Some(s.into());
                    }
                }
            }
        }
    }
    kit
}

#[test]
fn missing_az_flags_az_without_endpoint() {
    // AZ b's subnet crosses to AZ a's endpoint.
    let kit = reroute(
        endpoint_b(None),
        "rtb-app-b",
        "0.0.0.0/0",
        endpoint("vpce-fw-a"),
    );
    let f = run("firewall-endpoint-missing-az", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Fail, Severity::Medium)
    );
    assert_eq!(f[0].resource.id, "fw");
    assert!(related(&f[0], "subnet-app-b") && !related(&f[0], "subnet-app-a"));
    assert!(says(&f[0], "no endpoint in eu-west-1b"), "{f:#?}");
}

#[test]
fn missing_az_flags_endpoint_not_ready() {
    let f = run("firewall-endpoint-missing-az", &endpoint_b(Some("FAILED")));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(says(&f[0], "is FAILED, not READY"), "{f:#?}");
}

#[test]
fn missing_az_accepts_endpoint_in_every_workload_az() {
    let f = run("firewall-endpoint-missing-az", &egress_vpc());
    assert!(f.is_empty(), "{f:#?}");
}

// -- firewall-logging-disabled

pub(super) fn logged(types: &[&str]) -> Kit {
    let (p, g) = clean_policy();
    let mut kit = with_policy(p, vec![g]);
    for t in types {
        kit = kit.firewall_logging("fw", t);
    }
    kit
}

#[test]
fn logging_flags_firewall_without_destinations() {
    let f = run("firewall-logging-disabled", &logged(&[]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Fail, Severity::Medium)
    );
    assert_eq!(
        f[0].resource.resource_type,
        "AWS::NetworkFirewall::Firewall"
    );
}

#[test]
fn logging_flow_only_is_low() {
    let f = run("firewall-logging-disabled", &logged(&["FLOW"]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Low);
}

#[test]
fn logging_accepts_alert_logs() {
    let f = run("firewall-logging-disabled", &logged(&["ALERT"]));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn logging_unknown_when_configuration_unreadable() {
    const OP: Operation = Operation::DescribeLoggingConfiguration;
    let kit = logged(&[]).gap_about(OP, "arn:firewall/fw", "denied");
    let f = run("firewall-logging-disabled", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
    // A failure about another firewall says nothing of this one.
    let kit = logged(&[]).gap_about(OP, "arn:firewall/other", "denied");
    let f = run("firewall-logging-disabled", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Fail);
    // One naming no firewall may be about any of them.
    let kit = logged(&["ALERT"]).gap(OP, "throttled");
    let f = run("firewall-logging-disabled", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
}

#[test]
fn logging_unknown_when_firewalls_could_not_be_listed() {
    let kit = logged(&["ALERT"]).gap(Operation::ListFirewalls, "denied");
    let f = run("firewall-logging-disabled", &kit);
    assert!(!f.is_empty(), "a denied listing is not a pass");
    assert!(f.iter().all(|f| f.status == Status::Unknown), "{f:#?}");
}

// -- firewall-delete-protection-disabled

#[test]
fn delete_protection_flags_unprotected_firewall_and_names_the_other_protections() {
    let f = run(
        "firewall-delete-protection-disabled",
        &unprotected_egress_vpc(),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].severity, f[0].resource.id.as_str()),
        (Status::Fail, Severity::Low, "fw")
    );
    assert_eq!(
        f[0].resource.resource_type,
        "AWS::NetworkFirewall::Firewall"
    );
    assert!(
        f[0].message
            .contains("subnet-change and policy-change protection are off too"),
        "{}",
        f[0].message
    );
    let details: Vec<&str> = f[0].evidence.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "delete protection: off",
            "subnet change protection: off",
            "policy change protection: off"
        ]
    );

    // The other two protections on: still no delete protection, said plainly.
    let mut kit = unprotected_egress_vpc();
    kit.region().firewalls[0].subnet_change_protection = true;
    kit.region().firewalls[0].policy_change_protection = true;
    let f = run("firewall-delete-protection-disabled", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(!f[0].message.contains("too"), "{}", f[0].message);
    assert!(says(&f[0], "subnet change protection: on"));
    assert!(says(&f[0], "policy change protection: on"));
}

#[test]
fn delete_protection_accepts_protected_firewall_whatever_the_other_protections() {
    // egress_vpc: delete protection on, subnet and policy change protection off.
    let kit = egress_vpc();
    assert!(!kit.inv.accounts[0].regions[0].firewalls[0].subnet_change_protection);
    let f = run("firewall-delete-protection-disabled", &kit);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn delete_protection_unknown_when_a_firewall_could_not_be_described() {
    let arn = "arn:aws:network-firewall:eu-west-1:123456789012:firewall/hidden-fw";
    let kit = egress_vpc().gap_about(Operation::DescribeFirewall, arn, "access denied");
    let f = run("firewall-delete-protection-disabled", &kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Unknown);
    assert_eq!(f[0].resource.id, "hidden-fw");
    assert_eq!(f[0].resource.arn.as_deref(), Some(arn));
    // A failure naming no firewall, or of the listing, may hide any firewall: the
    // region's VPCs are unknown.
    for op in [Operation::DescribeFirewall, Operation::ListFirewalls] {
        let kit = egress_vpc().gap(op, "throttled");
        let f = run("firewall-delete-protection-disabled", &kit);
        assert!(!f.is_empty(), "{op}");
        for f in &f {
            assert_eq!(f.status, Status::Unknown, "{op}: {f:#?}");
            assert_eq!(f.resource.resource_type, "AWS::EC2::VPC", "{op}");
            assert!(f.message.contains("throttled"), "{op}: {}", f.message);
        }
    }
}

// -- whole inventories

#[test]
fn clean_egress_vpc_has_no_firewall_finding() {
    let kit = egress_vpc();
    for id in FIREWALL_CHECKS {
        let f = run(id, &kit);
        assert!(f.is_empty(), "{id}: {f:#?}");
    }
}

/// What the demo (leaky-three-tier) holds: both policies pass by default, the weak
/// one's pass rules shadow its SNI allowlist, which trusts `.amazonaws.com`; one
/// firewall logs nothing, the other flows only. Two shared-VPC subnets bypass the
/// firewall, one of them in an AZ where it has no endpoint. The egress firewall has
/// no delete protection.
#[test]
fn demo_findings() {
    let inv = crate::demo::inventory().expect("the demo loads");
    let found = |id: &str| -> Vec<(String, Severity, Status)> {
        run_one(id, &inv)
            .into_iter()
            .map(|f| (f.resource.id, f.severity, f.status))
            .collect()
    };
    let fail = |r: &str, s| (r.to_string(), s, Status::Fail);
    assert_eq!(
        found("firewall-policy-passes-by-default"),
        vec![
            fail("lk-bypass-policy", Severity::High),
            fail("lk-weak-policy", Severity::High)
        ]
    );
    assert_eq!(
        found("firewall-pass-rule-shadows"),
        vec![fail("lk-weak-policy", Severity::High)]
    );
    let shadows = run_one("firewall-pass-rule-shadows", &inv);
    assert!(related(&shadows[0], "lk-pass-all") && related(&shadows[0], "lk-stateless-443"));
    assert_eq!(
        found("firewall-wildcard-domain"),
        vec![fail("lk-sni-allow", Severity::Medium)]
    );
    assert_eq!(
        found("firewall-logging-disabled"),
        vec![
            fail("lk-egress-fw", Severity::Medium),
            fail("lk-legacy-fw", Severity::Low)
        ]
    );
    // AZ b's subnet routes straight to its NAT; AZ c has no endpoint at all.
    let subnet = |name: &str| {
        inv.regions()
            .flat_map(|(_, r)| r.subnets.iter())
            .find(|s| s.tags.get("Name").map(String::as_str) == Some(name))
            .map(|s| s.id.clone())
            .expect("the scenario names it")
    };
    let mut bypassed = found("firewall-bypassed");
    bypassed.sort();
    let mut expected = vec![
        fail(&subnet("lk-shared-priv-b"), Severity::High),
        fail(&subnet("lk-shared-priv-c"), Severity::High),
    ];
    expected.sort();
    assert_eq!(bypassed, expected);
    assert_eq!(
        found("firewall-endpoint-missing-az"),
        vec![fail("lk-egress-fw", Severity::Medium)]
    );
    // lk-legacy-fw is protected.
    assert_eq!(
        found("firewall-delete-protection-disabled"),
        vec![fail("lk-egress-fw", Severity::Low)]
    );
}
