//! DNS Firewall, clause by clause (module doc of `reach::dns`).

use crate::inventory::{
    DnsFirewallDomainList, DnsFirewallRule, DnsFirewallRuleGroup, DnsFirewallRuleGroupAssociation,
    Route53Resolver,
};
use crate::reach::dns::{entry_matches, Query, QueryName, VpcFirewall};
use crate::reach::Verdict;

const VPC: &str = "vpc-1";

fn rule(priority: i32, action: &str, list: &str) -> DnsFirewallRule {
    DnsFirewallRule {
        name: Some(format!("r{priority}")),
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

fn tunnelling(priority: i32, action: &str) -> DnsFirewallRule {
    DnsFirewallRule {
        firewall_domain_list_id: None,
        firewall_threat_protection_id: Some("tp-1".into()),
        dns_threat_protection: Some("DNS_TUNNELING".into()),
        confidence_threshold: Some("MEDIUM".into()),
        ..rule(priority, action, "")
    }
}

fn list(id: &str, domains: &[&str]) -> DnsFirewallDomainList {
    DnsFirewallDomainList {
        id: id.into(),
        arn: None,
        name: Some(id.into()),
        managed_owner_name: None,
        domains: Some(domains.iter().map(|d| d.to_string()).collect()),
    }
}

fn managed(id: &str) -> DnsFirewallDomainList {
    DnsFirewallDomainList {
        managed_owner_name: Some("Route 53 Resolver DNS Firewall".into()),
        domains: None,
        ..list(id, &[])
    }
}

fn group(id: &str, rules: Vec<DnsFirewallRule>) -> DnsFirewallRuleGroup {
    DnsFirewallRuleGroup {
        id: id.into(),
        arn: None,
        name: None,
        owner_id: None,
        share_status: None,
        rules: Some(rules),
    }
}

fn assoc(group: &str, priority: i32, status: &str) -> DnsFirewallRuleGroupAssociation {
    DnsFirewallRuleGroupAssociation {
        id: format!("assoc-{group}"),
        arn: None,
        name: None,
        firewall_rule_group_id: group.into(),
        vpc_id: VPC.into(),
        priority,
        mutation_protection: None,
        status: Some(status.into()),
    }
}

fn resolver(
    groups: Vec<DnsFirewallRuleGroup>,
    assocs: Vec<DnsFirewallRuleGroupAssociation>,
    lists: Vec<DnsFirewallDomainList>,
) -> Route53Resolver {
    Route53Resolver {
        firewall_rule_groups: groups,
        firewall_rule_group_associations: assocs,
        firewall_domain_lists: lists,
        ..Route53Resolver::default()
    }
}

fn name(n: &str) -> Query<'_> {
    Query {
        name: QueryName::Name(n),
        qtype: None,
        tunnelling: false,
    }
}

/// The usual lists: `allowed` holds example.com and its subdomains, `all` is `*`.
fn lists() -> Vec<DnsFirewallDomainList> {
    vec![
        list("allowed", &["example.com.", "*.example.com."]),
        list("all", &["*"]),
        list("bad", &["evil.test"]),
    ]
}

fn reason(v: &Verdict) -> &str {
    match v {
        Verdict::Unknown { reason } => reason,
        _ => "",
    }
}

#[test]
fn no_association_resolves_everything() {
    let r = resolver(vec![], vec![], lists());
    let fw = VpcFirewall::of(&r, VPC);
    assert!(!fw.is_associated());
    assert!(fw.evaluate(name("evil.test")).is_allowed());
    assert!(fw.exfiltration().fresh.is_allowed());
}

#[test]
fn an_association_of_another_vpc_does_not_apply() {
    let mut a = assoc("g", 100, "COMPLETE");
    a.vpc_id = "vpc-other".into();
    let r = resolver(
        vec![group("g", vec![rule(1, "BLOCK", "all")])],
        vec![a],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(!fw.is_associated());
    assert!(fw.evaluate(name("x.test")).is_allowed());
}

#[test]
fn only_complete_associations_apply() {
    let r = resolver(
        vec![group("g", vec![rule(1, "BLOCK", "all")])],
        vec![assoc("g", 100, "CREATING")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(!fw.is_associated());
    assert_eq!(fw.pending.len(), 1);
    assert!(fw.evaluate(name("x.test")).is_allowed());
}

#[test]
fn rules_apply_in_ascending_priority_not_listed_order() {
    // Listed block-all first, but the allow has the lower priority number.
    let r = resolver(
        vec![group(
            "g",
            vec![rule(200, "BLOCK", "all"), rule(100, "ALLOW", "allowed")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.evaluate(name("api.example.com")).is_allowed());
    assert!(fw.evaluate(name("x.test")).is_blocked());
    assert!(fw.allowlists());
}

#[test]
fn associations_apply_in_ascending_priority() {
    // The group blocking everything is associated at a lower priority number than
    // the allowlist: the allowlist never gets a say.
    let r = resolver(
        vec![
            group("allow", vec![rule(1, "ALLOW", "allowed")]),
            group("block", vec![rule(1, "BLOCK", "all")]),
        ],
        vec![
            assoc("allow", 300, "COMPLETE"),
            assoc("block", 101, "COMPLETE"),
        ],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.evaluate(name("api.example.com")).is_blocked());
    assert!(!fw.allowlists(), "block-all comes before any allow");
    assert!(fw.exfiltration().fresh.is_blocked());
}

#[test]
fn alert_logs_and_goes_on() {
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "ALERT", "all"), rule(2, "BLOCK", "bad")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    let e = fw.evaluate(name("evil.test"));
    assert!(e.is_blocked());
    assert!(e.steps.iter().any(|s| s.decision.starts_with("alerts")));
    assert!(fw.evaluate(name("fine.test")).is_allowed());
}

#[test]
fn the_first_allow_or_block_decides() {
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "ALLOW", "bad"), rule(2, "BLOCK", "bad")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.evaluate(name("evil.test")).is_allowed());
}

#[test]
fn no_match_is_resolved() {
    let r = resolver(
        vec![group("g", vec![rule(1, "BLOCK", "bad")])],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.evaluate(name("other.test")).is_allowed());
    // A block list only: a fresh name gets through.
    let x = fw.exfiltration();
    assert!(x.fresh.is_allowed());
    assert!(x.tunnelling.is_allowed());
    assert!(!fw.allowlists());
}

#[test]
fn domain_entries_match_as_dns_firewall_does() {
    let n = QueryName::Name;
    assert!(entry_matches("*", n("anything.at.all")));
    assert!(entry_matches("*.", n("anything.at.all")));
    assert!(entry_matches("*", QueryName::Fresh));
    assert!(entry_matches("example.com", n("EXAMPLE.com.")));
    assert!(!entry_matches("example.com", n("api.example.com")));
    assert!(entry_matches("*.example.com.", n("a.b.example.com")));
    assert!(!entry_matches("*.example.com", n("example.com")));
    assert!(!entry_matches("*.example.com", n("badexample.com")));
    assert!(!entry_matches("*.example.com", QueryName::Fresh));
}

#[test]
fn allowlist_then_block_all_blocks_fresh_names() {
    let r = resolver(
        vec![group(
            "g",
            vec![rule(100, "ALLOW", "allowed"), rule(200, "BLOCK", "all")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.allowlists());
    let x = fw.exfiltration();
    assert!(x.fresh.is_blocked());
    assert!(x.tunnelling.is_blocked());
}

#[test]
fn a_block_all_limited_to_one_query_type_leaves_the_others() {
    let mut block_a = rule(200, "BLOCK", "all");
    block_a.qtype = Some("A".into());
    let r = resolver(
        vec![group("g", vec![rule(100, "ALLOW", "allowed"), block_a])],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    let a = fw.evaluate(Query {
        name: QueryName::Fresh,
        qtype: Some("a"),
        tunnelling: false,
    });
    assert!(a.is_blocked());
    // TXT gets through, so a fresh name is resolved over some type.
    assert!(fw.exfiltration().fresh.is_allowed());
    assert!(!fw.allowlists());
}

#[test]
fn tunnelling_protection_blocks_tunnelling_queries_only() {
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "BLOCK", "bad"), tunnelling(2, "BLOCK")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    let x = fw.exfiltration();
    assert!(x.fresh.is_allowed());
    assert!(x.tunnelling.is_blocked());
}

#[test]
fn tunnelling_protection_behind_an_allow_all_never_runs() {
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "ALLOW", "all"), tunnelling(2, "BLOCK")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.exfiltration().tunnelling.is_allowed());
}

#[test]
fn tunnelling_protection_that_only_alerts_blocks_nothing() {
    let r = resolver(
        vec![group("g", vec![tunnelling(1, "ALERT")])],
        vec![assoc("g", 100, "COMPLETE")],
        lists(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.exfiltration().tunnelling.is_allowed());
}

#[test]
fn a_managed_list_is_not_taken_to_hold_a_fresh_name() {
    let r = resolver(
        vec![group("g", vec![rule(1, "BLOCK", "aws-malware")])],
        vec![assoc("g", 100, "COMPLETE")],
        vec![managed("aws-malware")],
    );
    let fw = VpcFirewall::of(&r, VPC);
    assert!(fw.exfiltration().fresh.is_allowed());
    // A given name may or may not be on it.
    let e = fw.evaluate(name("maybe.test"));
    assert!(reason(&e.verdict).contains("AWS managed list"), "{e:?}");
}

#[test]
fn an_unreadable_list_is_unknown_unless_the_rest_decides_the_same() {
    let unread = DnsFirewallDomainList {
        domains: None,
        ..list("unread", &[])
    };
    let mut ls = lists();
    ls.push(unread);
    // May allow before a block-all: the fresh name's fate hangs on it.
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "ALLOW", "unread"), rule(2, "BLOCK", "all")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        ls.clone(),
    );
    let fw = VpcFirewall::of(&r, VPC);
    let e = fw.exfiltration().fresh;
    assert!(reason(&e.verdict).contains("could not be read"), "{e:?}");
    // May block before a block-all: blocked either way.
    let r = resolver(
        vec![group(
            "g",
            vec![rule(1, "BLOCK", "unread"), rule(2, "BLOCK", "all")],
        )],
        vec![assoc("g", 100, "COMPLETE")],
        ls,
    );
    assert!(VpcFirewall::of(&r, VPC).exfiltration().fresh.is_blocked());
}

#[test]
fn a_group_whose_rules_are_unknown_makes_the_answer_unknown() {
    let mut g = group("g", vec![]);
    g.rules = None;
    let r = resolver(vec![g], vec![assoc("g", 100, "COMPLETE")], lists());
    let e = VpcFirewall::of(&r, VPC).exfiltration().fresh;
    assert!(reason(&e.verdict).contains("could not be read"), "{e:?}");
    // A group missing from the inventory too.
    let r = resolver(vec![], vec![assoc("g", 100, "COMPLETE")], lists());
    let e = VpcFirewall::of(&r, VPC).exfiltration().fresh;
    assert!(reason(&e.verdict).contains("was not collected"), "{e:?}");
}

#[test]
fn a_decision_before_an_unknown_group_stands() {
    let mut unknown = group("u", vec![]);
    unknown.rules = None;
    let r = resolver(
        vec![group("g", vec![rule(1, "BLOCK", "all")]), unknown],
        vec![assoc("g", 100, "COMPLETE"), assoc("u", 200, "COMPLETE")],
        lists(),
    );
    assert!(VpcFirewall::of(&r, VPC).exfiltration().fresh.is_blocked());
}

#[test]
fn dns_support_off_means_no_vpc_resolver() {
    let kit = crate::reach::testkit::Kit::new().vpc(VPC);
    let mut vpc = kit.inv.accounts[0].regions[0].vpcs[0].clone();
    assert!(
        crate::reach::dns::uses_vpc_resolver(&vpc),
        "not collected: on"
    );
    vpc.enable_dns_support = Some(true);
    assert!(crate::reach::dns::uses_vpc_resolver(&vpc));
    vpc.enable_dns_support = Some(false);
    assert!(!crate::reach::dns::uses_vpc_resolver(&vpc));
}

#[test]
fn a_resolver_rule_covers_its_domain_and_every_subdomain() {
    use crate::reach::dns::{breadth, Breadth};
    assert_eq!(breadth("."), Breadth::Everything);
    assert_eq!(breadth("com."), Breadth::TopLevel);
    assert_eq!(breadth("COM"), Breadth::TopLevel);
    assert_eq!(breadth("corp.example.com."), Breadth::Narrow);
    assert_eq!(breadth("example.com"), Breadth::Narrow);
}
