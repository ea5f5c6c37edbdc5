//! Route 53 Resolver and VPC `enableDnsSupport` collected by the real binary against
//! the emulator (mocks/scenarios/dns-egress.yaml, dns-pagination.yaml): DNS Firewall,
//! query logging, resolver endpoints and rules, every list followed to its last page,
//! and denied calls as coverage gaps.

mod common;

use std::collections::BTreeMap;

use common::lab::lab;
use common::{Emulator, Seeded};
use serde_json::json;
use vpcaudit::inventory::{GapKind, Inventory, Operation, RegionInventory, Route53Resolver};

fn region(inv: &Inventory) -> &RegionInventory {
    &inv.accounts[0].regions[0]
}

fn resolver(inv: &Inventory) -> &Route53Resolver {
    region(inv)
        .route53_resolver
        .as_ref()
        .expect("Route 53 Resolver collected")
}

/// The collected JSON with every seeded id (and the ARNs holding one) replaced by
/// its scenario name, and the threat protection ids the emulator makes up by a
/// placeholder.
fn symbolic(text: &str, seeded: &Seeded) -> String {
    let mut ids: Vec<(&String, &String)> = seeded.ids.iter().collect();
    // Longest first, so that no id is replaced inside a longer one.
    ids.sort_by_key(|(_, id)| std::cmp::Reverse(id.len()));
    let mut out = text.to_string();
    for (name, id) in ids {
        out = out.replace(id.as_str(), &format!("<{name}>"));
    }
    let mut rest = out.as_str();
    let mut done = String::with_capacity(out.len());
    while let Some(at) = rest.find("rslvr-ftp-") {
        done.push_str(&rest[..at]);
        let after = &rest[at + "rslvr-ftp-".len()..];
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        done.push_str("<threat-protection-id>");
        rest = &after[hex..];
    }
    done.push_str(rest);
    done
}

/// The collector sorts by id, which the emulator makes up anew on every seeding: the
/// snapshot sorts each list (and each endpoint's addresses) by its scenario names.
fn stable(resolver_json: &str) -> String {
    fn sort(items: &mut [serde_json::Value]) {
        items.sort_by_cached_key(|v| v.to_string());
    }
    let mut doc: serde_json::Value = serde_json::from_str(resolver_json).unwrap();
    for list in doc.as_object_mut().unwrap().values_mut() {
        let items = list.as_array_mut().unwrap();
        for item in items.iter_mut() {
            if let Some(addresses) = item.get_mut("ip_addresses").and_then(|a| a.as_array_mut()) {
                sort(addresses);
            }
        }
        sort(items);
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

#[test]
fn dns_firewall_query_logging_and_forwarding_are_collected() {
    let lab = lab("dns-egress");
    let inv = lab.emu.collect(&["--regions", "us-east-1"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let r = region(&inv);

    let dns_support: BTreeMap<String, Option<bool>> = r
        .vpcs
        .iter()
        .map(|v| (lab.name_of(&v.id), v.enable_dns_support))
        .collect();
    let resolver = resolver(&inv);
    let text = format!(
        "enable_dns_support: {}\nroute53_resolver: {}",
        serde_json::to_string_pretty(&dns_support).unwrap(),
        stable(&symbolic(
            &serde_json::to_string(resolver).unwrap(),
            &lab.seeded
        ))
    );
    insta::assert_snapshot!("dns_egress_collected", text);

    // What the snapshot holds, checked by meaning: no id was left unnamed...
    let redacted = symbolic(&text, &lab.seeded);
    for prefix in ["rslvr-", "vpc-", "subnet-", "sg-"] {
        assert!(
            !redacted.contains(prefix),
            "unnamed {prefix} id: {redacted}"
        );
    }
    // ...lists are sorted by id, rules in evaluation order, and the walled VPC's
    // group allows the allow-list before it blocks everything.
    let ids: Vec<&str> = resolver
        .firewall_rule_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let walled = resolver
        .firewall_rule_groups
        .iter()
        .find(|g| g.id == lab.id("dns-walled-rules"))
        .unwrap();
    let rules = walled.rules.as_ref().expect("rules listed");
    let order: Vec<(i32, &str)> = rules
        .iter()
        .map(|r| (r.priority, r.action.as_str()))
        .collect();
    assert_eq!(order, [(100, "ALLOW"), (150, "BLOCK"), (200, "BLOCK")]);
    assert_eq!(
        rules[1].dns_threat_protection.as_deref(),
        Some("DNS_TUNNELING")
    );
    let managed = resolver
        .firewall_domain_lists
        .iter()
        .find(|l| l.id == lab.id("dns-aws-malware"))
        .unwrap();
    assert_eq!(
        managed.domains, None,
        "a managed list's domains are not listed"
    );
    let forward = &resolver.resolver_rules[0];
    assert_eq!(forward.domain_name, ".");
    assert_eq!(forward.target_ips[0].ip.to_string(), "8.8.8.8");
}

#[test]
fn domains_of_managed_lists_are_never_asked_for() {
    // Its own emulator: the request log of the shared lab sees the other tests' calls.
    let emu = Emulator::start();
    emu.seed("dns-egress");
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let count = |action: &str| {
        emu.requests()
            .iter()
            .filter(|r| r.action.as_deref() == Some(action))
            .count()
    };
    let lists = &resolver(&inv).firewall_domain_lists;
    let own = lists
        .iter()
        .filter(|l| l.managed_owner_name.is_none())
        .count();
    assert_eq!((lists.len(), own), (4, 3));
    assert_eq!(count("ListFirewallDomains"), own);
    assert_eq!(count("ListFirewallRules"), 2);
    assert_eq!(count("ListResolverEndpointIpAddresses"), 1);
    assert_eq!(count("DescribeVpcAttribute"), region(&inv).vpcs.len());
}

#[test]
fn every_route53_resolver_list_follows_every_page() {
    let emu = Emulator::start();
    emu.seed("dns-pagination");
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1", "--page-size", "5"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let requests = emu.requests();
    let count = |action: &str| {
        requests
            .iter()
            .filter(|r| r.action.as_deref() == Some(action))
            .count()
    };
    let pages = |n: usize| n.div_ceil(5).max(1);
    let d = resolver(&inv);
    assert_eq!(d.firewall_domain_lists.len(), 11);
    assert_eq!(d.firewall_configs.len(), 11);
    assert_eq!(d.firewall_rule_groups.len(), 6);
    for (action, n) in [
        ("ListFirewallRuleGroups", d.firewall_rule_groups.len()),
        (
            "ListFirewallRuleGroupAssociations",
            d.firewall_rule_group_associations.len(),
        ),
        ("ListFirewallDomainLists", d.firewall_domain_lists.len()),
        ("ListFirewallConfigs", d.firewall_configs.len()),
        ("ListResolverQueryLogConfigs", d.query_log_configs.len()),
        (
            "ListResolverQueryLogConfigAssociations",
            d.query_log_config_associations.len(),
        ),
        ("ListResolverEndpoints", d.resolver_endpoints.len()),
        ("ListResolverRules", d.resolver_rules.len()),
        (
            "ListResolverRuleAssociations",
            d.resolver_rule_associations.len(),
        ),
    ] {
        assert!(n >= 6 || action == "ListResolverEndpoints", "{action}: {n}");
        assert_eq!(count(action), pages(n), "{action} for {n} items");
    }
    // Per item: every page of every group's rules, list's domains, endpoint's
    // addresses, all kept.
    for g in &d.firewall_rule_groups {
        assert_eq!(g.rules.as_ref().map(Vec::len), Some(6), "{}", g.id);
    }
    for l in &d.firewall_domain_lists {
        assert_eq!(l.domains.as_ref().map(Vec::len), Some(7), "{}", l.id);
    }
    let addresses = d.resolver_endpoints[0].ip_addresses.as_ref().unwrap();
    assert_eq!(addresses.len(), 6);
    assert_eq!(count("ListFirewallRules"), 6 * pages(6));
    assert_eq!(count("ListFirewallDomains"), 11 * pages(7));
    assert_eq!(count("ListResolverEndpointIpAddresses"), pages(6));

    // AWS's largest pages: one request per list, and the same inventory.
    emu.clear_requests();
    let again = emu.collect(&["--regions", "us-east-1"]);
    let mut expected = inv.clone();
    expected.collected_at = again.collected_at;
    assert_eq!(again, expected);
    let requests = emu.requests();
    for action in [
        "ListFirewallRuleGroups",
        "ListFirewallDomainLists",
        "ListFirewallConfigs",
        "ListResolverRules",
    ] {
        let n = requests
            .iter()
            .filter(|r| r.action.as_deref() == Some(action))
            .count();
        // ListFirewallConfigs pages at 10 at most: 11 configs need two.
        let want = if action == "ListFirewallConfigs" {
            2
        } else {
            1
        };
        assert_eq!(n, want, "{action}");
    }
}

/// The gaps as (operation, kind, resource), sorted.
fn gaps(inv: &Inventory) -> Vec<(Operation, GapKind, Option<String>)> {
    let mut gaps: Vec<_> = inv
        .coverage
        .iter()
        .map(|g| (g.operation, g.kind, g.resource.clone()))
        .collect();
    gaps.sort_by(|a, b| (a.0.as_str(), &a.2).cmp(&(b.0.as_str(), &b.2)));
    gaps
}

#[test]
fn a_denied_association_list_is_a_gap_and_the_scan_completes() {
    let emu = Emulator::start();
    emu.seed("dns-egress");
    let clean = emu.collect(&["--regions", "us-east-1"]);
    emu.set_faults(json!({"rules": [
        {"service": "route53resolver", "action": "ListFirewallRuleGroupAssociations",
         "error": "AccessDeniedException"},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    assert_eq!(
        gaps(&inv),
        [(
            Operation::ListFirewallRuleGroupAssociations,
            GapKind::AccessDenied,
            None
        )]
    );
    let gap = &inv.coverage[0];
    assert_eq!(gap.error_code.as_deref(), Some("AccessDeniedException"));
    // Unknown, not "no association": empty with the gap; everything else as before.
    let mut expected = resolver(&clean).clone();
    expected.firewall_rule_group_associations.clear();
    assert_eq!(resolver(&inv), &expected);
    assert_eq!(region(&inv).vpcs, region(&clean).vpcs);

    let doc = common::scan_json(emu.vpcaudit().args([
        "scan",
        "--regions",
        "us-east-1",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]));
    let coverage = doc["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 1, "{coverage:#?}");
    assert_eq!(
        coverage[0]["operation"],
        "ListFirewallRuleGroupAssociations"
    );
}

#[test]
fn a_denied_route53_resolver_is_a_gap_per_list_and_the_rest_is_collected() {
    let emu = Emulator::start();
    emu.seed("dns-egress");
    emu.set_faults(json!({"rules": [
        {"service": "route53resolver", "error": "AccessDeniedException"},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let want: Vec<_> = [
        Operation::ListFirewallConfigs,
        Operation::ListFirewallDomainLists,
        Operation::ListFirewallRuleGroupAssociations,
        Operation::ListFirewallRuleGroups,
        Operation::ListResolverEndpoints,
        Operation::ListResolverQueryLogConfigAssociations,
        Operation::ListResolverQueryLogConfigs,
        Operation::ListResolverRuleAssociations,
        Operation::ListResolverRules,
    ]
    .into_iter()
    .map(|op| (op, GapKind::AccessDenied, None))
    .collect();
    assert_eq!(gaps(&inv), want);
    // Collected, and empty: each list is unknown through its gap.
    assert_eq!(resolver(&inv), &Route53Resolver::default());
    let r = region(&inv);
    assert_eq!(r.vpcs.len(), 3);
    assert!(r.vpcs.iter().all(|v| v.enable_dns_support == Some(true)));
}

#[test]
fn a_denied_route53_resolver_makes_the_dns_checks_unknown_never_pass() {
    let emu = Emulator::start();
    let seeded = emu.seed("dns-egress");
    emu.set_faults(json!({"rules": [
        {"service": "route53resolver", "error": "AccessDeniedException"},
    ]}));
    let doc = common::scan_json(emu.vpcaudit().args([
        "scan",
        "--regions",
        "us-east-1",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]));
    let findings = doc["findings"].as_array().unwrap();
    let dns: Vec<_> = findings
        .iter()
        .filter(|f| f["check"].as_str().unwrap().starts_with("dns-"))
        .collect();
    // Nothing decided either way on data that could not be read...
    assert!(dns.iter().all(|f| f["status"] == "unknown"), "{dns:#?}");
    // ...and each VPC with workloads is named, by both VPC checks, with the reason.
    for vpc in ["dns-open-vpc", "dns-walled-vpc", "dns-leaky-vpc"] {
        let id = seeded.id(vpc);
        for check in ["dns-egress-unfiltered", "dns-query-logging-disabled"] {
            let named: Vec<_> = dns
                .iter()
                .filter(|f| f["check"] == check && f["resource"]["id"] == id)
                .collect();
            assert_eq!(named.len(), 1, "{check} on {vpc}: {dns:#?}");
            assert!(
                named[0]["message"].as_str().unwrap().contains("List"),
                "the failed operation is named: {:#}",
                named[0]
            );
        }
    }
}

#[test]
fn a_denied_per_item_call_leaves_that_item_unknown() {
    let emu = Emulator::start();
    let seeded = emu.seed("dns-egress");
    emu.set_faults(json!({"rules": [
        {"service": "route53resolver", "action": "ListFirewallRules",
         "error": "AccessDeniedException"},
        {"service": "route53resolver", "action": "ListResolverEndpointIpAddresses",
         "error": "AccessDeniedException"},
        {"service": "ec2", "action": "DescribeVpcAttribute",
         "error": "UnauthorizedOperation"},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let id = |name: &str| Some(seeded.id(name).to_string());
    let mut want = vec![
        (
            Operation::DescribeVpcAttribute,
            GapKind::AccessDenied,
            id("dns-leaky-vpc"),
        ),
        (
            Operation::DescribeVpcAttribute,
            GapKind::AccessDenied,
            id("dns-open-vpc"),
        ),
        (
            Operation::DescribeVpcAttribute,
            GapKind::AccessDenied,
            id("dns-walled-vpc"),
        ),
        (
            Operation::ListFirewallRules,
            GapKind::AccessDenied,
            id("dns-blocklist-rules"),
        ),
        (
            Operation::ListFirewallRules,
            GapKind::AccessDenied,
            id("dns-walled-rules"),
        ),
        (
            Operation::ListResolverEndpointIpAddresses,
            GapKind::AccessDenied,
            id("dns-leaky-outbound"),
        ),
    ];
    want.sort_by(|a, b| (a.0.as_str(), &a.2).cmp(&(b.0.as_str(), &b.2)));
    assert_eq!(gaps(&inv), want);
    let d = resolver(&inv);
    assert!(d.firewall_rule_groups.iter().all(|g| g.rules.is_none()));
    assert_eq!(
        d.firewall_rule_groups.len(),
        2,
        "the groups themselves stay"
    );
    assert_eq!(d.resolver_endpoints[0].ip_addresses, None);
    assert!(region(&inv)
        .vpcs
        .iter()
        .all(|v| v.enable_dns_support.is_none()));
    // The messages name the item too.
    assert!(inv.coverage.iter().all(|g| g
        .resource
        .as_ref()
        .is_some_and(|r| g.message.starts_with(r))));
}
