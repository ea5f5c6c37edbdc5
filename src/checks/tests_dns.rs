//! The DNS checks where the fixtures cannot go: coverage gaps, inventories from
//! before Route 53 Resolver was collected, configuration, and the zero-egress
//! reference design in `vpc-endpoint-required-missing`.

use crate::checks::registry::{run_one, run_one_with, run_with};
use crate::finding::{Finding, Judgement, Severity, Status};
use crate::inventory::{
    DnsFirewallDomainList, DnsFirewallRule, DnsFirewallRuleGroup, DnsFirewallRuleGroupAssociation,
    Instance, L4Match, Operation, Protocol, ResolverEndpoint, ResolverEndpointIp, ResolverRule,
    ResolverRuleAssociation, ResolverTargetAddress, Route53Resolver, RouteTarget,
};
use crate::reach::testkit::*;

const DNS_CHECKS: [&str; 4] = [
    "dns-egress-unfiltered",
    "dns-firewall-fail-open",
    "dns-query-logging-disabled",
    "dns-forwarding-to-internet",
];

/// vpc-1 and vpc-2, each with a workload (eni-a, eni-b) in a subnet with only the
/// local route: zero egress. Route 53 Resolver as given.
fn account(resolver: Option<Route53Resolver>) -> Kit {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .subnet("subnet-1", "vpc-1")
        .subnet("subnet-2", "vpc-2")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", vec![route("10.0.0.0/16", RouteTarget::Local)])
        .route_table("rtb-2", "vpc-2", true, &[])
        .routes("rtb-2", vec![route("10.1.0.0/16", RouteTarget::Local)])
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .nacl(open_acl("acl-2"), "vpc-2", true, &[])
        .group(
            "sg-a",
            "app",
            vec![egress(
                "sgr-1",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .eni("eni-a", &["10.0.1.10"], &["sg-a"])
        .eni("eni-b", &["10.1.1.10"], &["sg-a"]);
    let r = kit.region();
    r.network_interfaces[1].vpc_id = "vpc-2".into();
    r.network_interfaces[1].subnet_id = "subnet-2".into();
    r.route53_resolver = resolver;
    kit
}

fn rule(priority: i32, action: &str, list: &str) -> DnsFirewallRule {
    DnsFirewallRule {
        name: None,
        priority,
        action: action.into(),
        block_response: None,
        firewall_domain_list_id: Some(list.into()),
        firewall_threat_protection_id: None,
        dns_threat_protection: None,
        confidence_threshold: None,
        qtype: None,
    }
}

/// vpc-1 allowlists example.com then blocks everything else.
fn allowlisting() -> Route53Resolver {
    let list = |id: &str, d: &str| DnsFirewallDomainList {
        id: id.into(),
        arn: None,
        name: None,
        managed_owner_name: None,
        domains: Some(vec![d.into()]),
    };
    Route53Resolver {
        firewall_domain_lists: vec![list("allowed", "example.com"), list("all", "*")],
        firewall_rule_groups: vec![DnsFirewallRuleGroup {
            id: "rslvr-frg-1".into(),
            arn: None,
            name: Some("egress".into()),
            owner_id: None,
            share_status: None,
            rules: Some(vec![
                rule(100, "ALLOW", "allowed"),
                rule(200, "BLOCK", "all"),
            ]),
        }],
        firewall_rule_group_associations: vec![DnsFirewallRuleGroupAssociation {
            id: "rslvr-frgassoc-1".into(),
            arn: None,
            name: None,
            firewall_rule_group_id: "rslvr-frg-1".into(),
            vpc_id: "vpc-1".into(),
            priority: 101,
            mutation_protection: None,
            status: Some("COMPLETE".into()),
        }],
        ..Route53Resolver::default()
    }
}

fn by_check<'f>(findings: &'f [Finding], check: &str) -> Vec<&'f Finding> {
    findings.iter().filter(|f| f.check == check).collect()
}

#[test]
fn not_collected_is_one_info_unknown_per_region_per_check() {
    let kit = account(None);
    let findings = run_with(&DNS_CHECKS, &kit.inv, Default::default());
    for check in DNS_CHECKS {
        let f = by_check(&findings, check);
        assert_eq!(
            f.len(),
            1,
            "{check}: one for the region, not one per VPC: {f:#?}"
        );
        assert_eq!(f[0].status, Status::Unknown, "{check}");
        assert_eq!(f[0].severity, Severity::Info, "{check}");
        assert_eq!(f[0].resource.id, format!("{ACCOUNT}/{REGION}"), "{check}");
        assert!(
            f[0].message.contains("Route 53 Resolver was not collected")
                && f[0].message.contains("vpc-1")
                && f[0].message.contains("vpc-2"),
            "{check}: {}",
            f[0].message
        );
    }
}

#[test]
fn not_collected_says_nothing_when_no_vpc_is_judged() {
    // No workloads and DNS support off: nothing any DNS check would judge.
    let mut kit = account(None);
    kit.region().network_interfaces.clear();
    for v in &mut kit.region().vpcs {
        v.enable_dns_support = Some(false);
    }
    let findings = run_with(&DNS_CHECKS, &kit.inv, Default::default());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn a_failed_operation_makes_each_judged_vpc_unknown_naming_it() {
    let cases = [
        (
            "dns-egress-unfiltered",
            Operation::ListFirewallRuleGroupAssociations,
        ),
        ("dns-firewall-fail-open", Operation::ListFirewallConfigs),
        (
            "dns-query-logging-disabled",
            Operation::ListResolverQueryLogConfigAssociations,
        ),
        ("dns-forwarding-to-internet", Operation::ListResolverRules),
    ];
    for (check, op) in cases {
        let kit = account(Some(allowlisting())).gap(op, "AccessDenied");
        let f = run_one(check, &kit.inv);
        let ids: Vec<&str> = f.iter().map(|f| f.resource.id.as_str()).collect();
        assert_eq!(ids, ["vpc-1", "vpc-2"], "{check}");
        for x in &f {
            assert_eq!(x.status, Status::Unknown, "{check}");
            assert!(x.message.contains(op.as_str()), "{check}: {}", x.message);
        }
    }
}

#[test]
fn a_gap_on_another_operation_leaves_the_check_alone() {
    // Query logging does not read DNS Firewall.
    let kit = account(Some(allowlisting())).gap(Operation::ListFirewallConfigs, "AccessDenied");
    let f = run_one("dns-query-logging-disabled", &kit.inv);
    assert_eq!(f.len(), 2);
    assert!(f.iter().all(|x| x.status == Status::Fail), "{f:#?}");
}

#[test]
fn unreadable_rules_name_the_failed_operation() {
    let mut resolver = allowlisting();
    resolver.firewall_rule_groups[0].rules = None;
    let kit = account(Some(resolver)).gap_about(
        Operation::ListFirewallRules,
        "rslvr-frg-1",
        "AccessDenied",
    );
    let f = run_one("dns-egress-unfiltered", &kit.inv);
    let on_1: Vec<&Finding> = f.iter().filter(|x| x.resource.id == "vpc-1").collect();
    assert_eq!(on_1.len(), 1);
    assert_eq!(on_1[0].status, Status::Unknown);
    assert!(
        on_1[0].message.contains("ListFirewallRules"),
        "{}",
        on_1[0].message
    );
    // vpc-2 has no association at all: that much is known.
    let on_2: Vec<&Finding> = f.iter().filter(|x| x.resource.id == "vpc-2").collect();
    assert_eq!(on_2[0].status, Status::Fail);
    assert_eq!(on_2[0].severity, Severity::High);
}

#[test]
fn allowlisting_closes_dns_egress_and_its_absence_is_high_without_other_egress() {
    let kit = account(Some(allowlisting()));
    let f = run_one("dns-egress-unfiltered", &kit.inv);
    let ids: Vec<&str> = f.iter().map(|f| f.resource.id.as_str()).collect();
    assert_eq!(ids, ["vpc-2"]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn resolver_endpoint_interfaces_are_not_workloads() {
    let mut resolver = allowlisting();
    resolver.resolver_endpoints.push(ResolverEndpoint {
        id: "rslvr-out-1".into(),
        arn: None,
        name: None,
        direction: "OUTBOUND".into(),
        vpc_id: "vpc-2".into(),
        security_group_ids: vec![],
        ip_addresses: Some(vec![ResolverEndpointIp {
            subnet_id: "subnet-2".into(),
            ip: Some(ip("10.1.1.10")),
            network_interface_id: Some("eni-b".into()),
        }]),
        status: None,
        tags: Default::default(),
    });
    let kit = account(Some(resolver));
    assert!(run_one("dns-egress-unfiltered", &kit.inv).is_empty());
    assert!(run_one("dns-query-logging-disabled", &kit.inv)
        .iter()
        .all(|f| f.resource.id != "vpc-2"));
}

fn forwarding(target: &str) -> Route53Resolver {
    Route53Resolver {
        resolver_rules: vec![ResolverRule {
            id: "rslvr-rr-1".into(),
            arn: None,
            name: None,
            domain_name: ".".into(),
            rule_type: "FORWARD".into(),
            resolver_endpoint_id: Some("rslvr-out-1".into()),
            target_ips: vec![ResolverTargetAddress {
                ip: ip(target),
                port: None,
                protocol: None,
            }],
            owner_id: None,
            share_status: None,
            status: None,
        }],
        resolver_rule_associations: vec![ResolverRuleAssociation {
            id: "rslvr-rrassoc-1".into(),
            resolver_rule_id: "rslvr-rr-1".into(),
            vpc_id: "vpc-1".into(),
            status: Some("COMPLETE".into()),
        }],
        ..Route53Resolver::default()
    }
}

#[test]
fn forwarding_to_a_trusted_public_address_is_not_to_the_internet() {
    let kit = account(Some(forwarding("203.0.114.53")));
    let f = run_one("dns-forwarding-to-internet", &kit.inv);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::High);
    let trusted = "[network]\ntrusted_cidrs = [\"203.0.114.0/24\"]\n";
    assert!(run_one_with("dns-forwarding-to-internet", &kit.inv, trusted).is_empty());
    // IPv6: a ULA target is private, a global one is not.
    let kit = account(Some(forwarding("fd00::53")));
    assert!(run_one("dns-forwarding-to-internet", &kit.inv).is_empty());
    let kit = account(Some(forwarding("2606:4700:4700::1111")));
    assert_eq!(run_one("dns-forwarding-to-internet", &kit.inv).len(), 1);
}

fn eks_node(kit: &mut Kit) {
    let mut tags = std::collections::BTreeMap::new();
    tags.insert("eks:cluster-name".to_string(), "prod".to_string());
    kit.region().instances.push(Instance {
        id: "i-1".into(),
        vpc_id: Some("vpc-1".into()),
        subnet_id: Some("subnet-1".into()),
        state: Some("running".into()),
        network_interface_ids: vec!["eni-a".into()],
        tags,
    });
}

#[test]
fn required_endpoints_judge_an_allowlisted_zero_egress_vpc_no_worse() {
    const REQUIRED: &str = "vpc-endpoint-required-missing";
    let mut without = account(Some(Route53Resolver::default()));
    eks_node(&mut without);
    let mut with = account(Some(allowlisting()));
    eks_node(&mut with);
    let a = run_one(REQUIRED, &without.inv);
    let b = run_one(REQUIRED, &with.inv);
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1);
    assert_eq!(
        (a[0].severity, a[0].status, &a[0].message, &a[0].fingerprint),
        (b[0].severity, b[0].status, &b[0].message, &b[0].fingerprint)
    );
    let dns = |f: &Finding| f.evidence.iter().any(|e| e.component == "DNS Firewall");
    assert!(!dns(&a[0]));
    assert!(dns(&b[0]), "{:#?}", b[0].evidence);
}

#[test]
fn dns_support_not_read_makes_a_failure_unknown() {
    let kit = account(Some(Route53Resolver::default()))
        .gap(Operation::DescribeVpcAttribute, "AccessDenied");
    for check in ["dns-egress-unfiltered", "dns-query-logging-disabled"] {
        let f = run_one(check, &kit.inv);
        assert_eq!(f.len(), 2, "{check}");
        for x in &f {
            assert_eq!(x.status, Status::Unknown, "{check}");
            assert!(x.message.contains("DescribeVpcAttribute"), "{}", x.message);
        }
    }
    // Read as on: the failure stands.
    let mut kit = kit;
    kit.region().vpcs[0].enable_dns_support = Some(true);
    let f = run_one("dns-egress-unfiltered", &kit.inv);
    let on_1: Vec<&Finding> = f.iter().filter(|x| x.resource.id == "vpc-1").collect();
    assert_eq!(on_1[0].status, Status::Fail);
}

// -- pass evidence (scope) --

/// The row of `id` in what `check` judged on `kit`: its judgement and reason.
fn judged(check: &str, kit: &Kit, id: &str) -> (Judgement, String) {
    let j = crate::checks::registry::judge_one(check, &kit.inv);
    assert!(j.unscoped.is_empty(), "{check} has a scope");
    j.evaluated
        .into_iter()
        .find(|e| e.resource.id == id)
        .map(|e| (e.judgement, e.reason))
        .unwrap_or_else(|| panic!("{check} did not judge {id}"))
}

fn pass(reason: &str) -> (Judgement, String) {
    (Judgement::Pass, reason.to_string())
}

fn not_applicable(reason: &str) -> (Judgement, String) {
    (Judgement::NotApplicable, reason.to_string())
}

/// `account` plus vpc-3 (nothing runs in it) and vpc-4 (DNS support off).
fn with_idle_vpcs(resolver: Route53Resolver) -> Kit {
    let mut kit = account(Some(resolver)).vpc("vpc-3").vpc("vpc-4");
    kit.region().vpcs[3].enable_dns_support = Some(false);
    kit
}

#[test]
fn dns_egress_unfiltered_names_the_allowlisting_rule_group() {
    let kit = with_idle_vpcs(allowlisting());
    let check = "dns-egress-unfiltered";
    assert_eq!(
        judged(check, &kit, "vpc-1"),
        pass("DNS Firewall rule group(s) egress (rslvr-frg-1) block every name not allowlisted")
    );
    assert_eq!(judged(check, &kit, "vpc-2").0, Judgement::Fail);
    assert_eq!(
        judged(check, &kit, "vpc-3"),
        not_applicable("it runs no workload (only AWS-managed interfaces or none)")
    );
    assert_eq!(
        judged(check, &kit, "vpc-4"),
        not_applicable(
            "its DNS support is off (enableDnsSupport=false): it does not use the VPC resolver"
        )
    );
}

#[test]
fn dns_firewall_fail_open_names_the_firewall_config() {
    let mut resolver = allowlisting();
    let check = "dns-firewall-fail-open";
    let kit = with_idle_vpcs(resolver.clone());
    assert_eq!(
        judged(check, &kit, "vpc-1"),
        pass("no firewall config: DNS Firewall fails closed by default")
    );
    assert_eq!(
        judged(check, &kit, "vpc-2"),
        not_applicable("no DNS Firewall rule group is associated with it")
    );
    let config = |value: &str| crate::inventory::DnsFirewallConfig {
        id: Some("rslvr-fc-1".into()),
        resource_id: "vpc-1".into(),
        owner_id: None,
        firewall_fail_open: value.into(),
    };
    resolver.firewall_configs = vec![config("DISABLED")];
    assert_eq!(
        judged(check, &with_idle_vpcs(resolver.clone()), "vpc-1"),
        pass("firewall config rslvr-fc-1: FirewallFailOpen is DISABLED")
    );
    resolver.firewall_configs = vec![config("ENABLED")];
    assert_eq!(
        judged(check, &with_idle_vpcs(resolver), "vpc-1").0,
        Judgement::Fail
    );
}

#[test]
fn dns_query_logging_disabled_names_the_associated_config() {
    let resolver = Route53Resolver {
        query_log_configs: vec![crate::inventory::ResolverQueryLogConfig {
            id: "rqlc-1".into(),
            arn: None,
            name: None,
            owner_id: None,
            destination_arn: None,
            status: Some("CREATED".into()),
            share_status: None,
        }],
        query_log_config_associations: vec![crate::inventory::ResolverQueryLogConfigAssociation {
            id: "rqlcassoc-1".into(),
            resolver_query_log_config_id: "rqlc-1".into(),
            resource_id: "vpc-1".into(),
            status: Some("ACTIVE".into()),
        }],
        ..Route53Resolver::default()
    };
    let kit = with_idle_vpcs(resolver);
    let check = "dns-query-logging-disabled";
    assert_eq!(
        judged(check, &kit, "vpc-1"),
        pass("query log config rqlc-1 is associated (rqlcassoc-1)")
    );
    assert_eq!(judged(check, &kit, "vpc-2").0, Judgement::Fail);
    assert_eq!(
        judged(check, &kit, "vpc-3"),
        not_applicable("it runs no workload (only AWS-managed interfaces or none)")
    );
}

#[test]
fn dns_forwarding_to_internet_says_why_a_rule_is_spared() {
    let mut resolver = forwarding("8.8.8.8");
    let template = resolver.resolver_rules[0].clone();
    let rule = |id: &str, kind: &str, domain: &str, target: &str| ResolverRule {
        id: id.into(),
        rule_type: kind.into(),
        domain_name: domain.into(),
        target_ips: vec![ResolverTargetAddress {
            ip: ip(target),
            port: None,
            protocol: None,
        }],
        ..template.clone()
    };
    resolver.resolver_rules.extend([
        rule("rslvr-rr-corp", "FORWARD", "corp.example.", "8.8.8.8"),
        rule("rslvr-rr-onprem", "FORWARD", ".", "10.9.0.2"),
        rule("rslvr-rr-system", "SYSTEM", "internal.example.", "10.9.0.2"),
        // Associated with no VPC.
        rule("rslvr-rr-idle", "FORWARD", "com.", "8.8.4.4"),
    ]);
    for id in ["rslvr-rr-corp", "rslvr-rr-onprem", "rslvr-rr-system"] {
        resolver
            .resolver_rule_associations
            .push(ResolverRuleAssociation {
                id: format!("{id}-assoc"),
                resolver_rule_id: id.into(),
                vpc_id: "vpc-1".into(),
                status: Some("COMPLETE".into()),
            });
    }
    let kit = account(Some(resolver));
    let check = "dns-forwarding-to-internet";
    assert_eq!(judged(check, &kit, "rslvr-rr-1").0, Judgement::Fail);
    assert_eq!(
        judged(check, &kit, "rslvr-rr-corp"),
        pass("forwards only corp.example., neither every name nor a whole top-level domain")
    );
    assert_eq!(
        judged(check, &kit, "rslvr-rr-onprem"),
        pass("forwards . only to private resolvers: 10.9.0.2")
    );
    assert_eq!(
        judged(check, &kit, "rslvr-rr-system"),
        not_applicable("a SYSTEM rule forwards nothing")
    );
    assert_eq!(
        judged(check, &kit, "rslvr-rr-idle"),
        not_applicable("no VPC that uses the VPC resolver is associated with it")
    );
}

#[test]
fn dns_coverage_gaps_stay_in_scope() {
    let in_scope = super::tests_scope_k8s::findings_in_scope;
    in_scope(&DNS_CHECKS, &account(None).inv);
    let mut resolver = allowlisting();
    resolver.resolver_rules = forwarding("8.8.8.8").resolver_rules;
    resolver.resolver_rule_associations = forwarding("8.8.8.8").resolver_rule_associations;
    in_scope(&DNS_CHECKS, &account(Some(resolver.clone())).inv);
    for op in [
        Operation::ListFirewallRuleGroupAssociations,
        Operation::ListFirewallConfigs,
        Operation::ListResolverQueryLogConfigAssociations,
        Operation::ListResolverRules,
    ] {
        in_scope(
            &DNS_CHECKS,
            &account(Some(resolver.clone())).gap(op, "AccessDenied").inv,
        );
    }
}
