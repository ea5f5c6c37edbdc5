//! AWS Network Firewall policy evaluation, one test per clause.

use std::collections::BTreeMap;

use crate::inventory::{
    FirewallPolicy, RuleGroup, RuleGroupReference, RuleGroupType, RuleOrder, RuleSource,
    StatelessPortRange, StatelessRule,
};
use crate::reach::firewall::suricata::{self, Action, Addr, Ports, Proto, Vars};
use crate::reach::firewall::{domain_matches, evaluate, filters_egress, parse_errors, Flow};
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::ip;
use crate::reach::Verdict;

const HOME: &str = "10.0.0.0/16";

fn flow(port: u16, sni: Option<&str>) -> Flow {
    Flow {
        src: ip("10.0.1.10"),
        dst: ip("93.184.216.34"),
        service: ServicePoint::Tcp(port),
        sni: sni.map(String::from),
        fragment: false,
    }
}

fn policy(order: RuleOrder, stateful_defaults: &[&str]) -> FirewallPolicy {
    FirewallPolicy {
        name: "egress".into(),
        arn: "arn:policy/egress".into(),
        stateless_default_actions: vec!["aws:forward_to_sfe".into()],
        stateless_fragment_default_actions: vec!["aws:forward_to_sfe".into()],
        stateless_custom_actions: vec![],
        stateless_rule_groups: vec![],
        stateful_rule_groups: vec![],
        stateful_rule_order: order,
        stream_exception_policy: None,
        stateful_default_actions: stateful_defaults.iter().map(|s| s.to_string()).collect(),
        variables: BTreeMap::from([("HOME_NET".to_string(), vec![HOME.to_string()])]),
        tags: Default::default(),
    }
}

use crate::reach::testkit::{
    domain_group as domains, rule_group_of as group, suricata_group as rules,
};

fn stateless_rule(priority: i32, action: &str, dst_port: Option<u16>) -> StatelessRule {
    StatelessRule {
        priority,
        actions: vec![action.into()],
        sources: vec![],
        destinations: vec![],
        source_ports: vec![],
        destination_ports: dst_port
            .map(|p| StatelessPortRange {
                from: i32::from(p),
                to: i32::from(p),
            })
            .into_iter()
            .collect(),
        protocols: vec![6],
        tcp_flags: vec![],
    }
}

fn stateless(name: &str, rules: Vec<StatelessRule>) -> RuleGroup {
    group(
        name,
        RuleGroupType::Stateless,
        RuleSource::Stateless {
            rules,
            custom_actions: vec![],
        },
    )
}

fn attach(p: &mut FirewallPolicy, g: &RuleGroup, priority: i32) {
    let r = RuleGroupReference {
        arn: g.arn.clone(),
        priority: Some(priority),
        override_action: None,
    };
    match g.rule_group_type {
        RuleGroupType::Stateless => p.stateless_rule_groups.push(r),
        RuleGroupType::Stateful => p.stateful_rule_groups.push(r),
    }
}

/// Evaluates with `groups` as the inventory's rule groups.
fn run(p: &FirewallPolicy, groups: &[RuleGroup], f: &Flow) -> crate::reach::Evaluation {
    evaluate(f, p, &|arn: &str| groups.iter().find(|g| g.arn == arn))
}

fn egress(p: &FirewallPolicy, groups: &[RuleGroup]) -> crate::reach::Evaluation {
    filters_egress(p, &|arn: &str| groups.iter().find(|g| g.arn == arn))
}

fn vars() -> Vars {
    Vars {
        ip: BTreeMap::from([("HOME_NET".to_string(), vec![HOME.to_string()])]),
        port: BTreeMap::from([("WEB".to_string(), vec!["80".into(), "443".into()])]),
    }
}

fn one(text: &str) -> suricata::SuricataRule {
    suricata::parse(text, &vars()).remove(0).unwrap()
}

fn says(e: &crate::reach::Evaluation, needle: &str) -> bool {
    e.steps
        .iter()
        .any(|s| s.component.contains(needle) || s.decision.contains(needle))
}

#[test]
fn dot_domain_matches_apex_and_subdomains() {
    assert!(domain_matches(".example.com", "example.com"));
    assert!(domain_matches(".example.com", "api.example.com"));
    assert!(domain_matches(".example.com", "A.B.Example.COM"));
    assert!(!domain_matches(".example.com", "badexample.com"));

    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_established"]);
    let g = domains("allow", "ALLOWLIST", &[".example.com"]);
    attach(&mut p, &g, 1);
    let groups = [g];
    assert!(run(&p, &groups, &flow(443, Some("example.com"))).is_allowed());
    assert!(run(&p, &groups, &flow(443, Some("deep.api.EXAMPLE.com"))).is_allowed());
    assert!(run(&p, &groups, &flow(443, Some("notexample.com"))).is_blocked());
}

#[test]
fn plain_domain_matches_only_itself() {
    assert!(domain_matches("api.example.com", "API.example.com"));
    assert!(!domain_matches("api.example.com", "x.api.example.com"));
    assert!(!domain_matches("api.example.com", "example.com"));

    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_established"]);
    let g = domains("allow", "ALLOWLIST", &["api.example.com"]);
    attach(&mut p, &g, 1);
    let groups = [g];
    assert!(run(&p, &groups, &flow(443, Some("api.example.com"))).is_allowed());
    assert!(run(&p, &groups, &flow(443, Some("x.api.example.com"))).is_blocked());
    assert!(run(&p, &groups, &flow(443, Some("myapi.example.com"))).is_blocked());
}

#[test]
fn allowlist_drops_other_names() {
    // Default action order, no stateful default: the allowlist's own drop rule blocks.
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let g = domains("allow", "ALLOWLIST", &[".example.com"]);
    attach(&mut p, &g, 1);
    let groups = [g];
    let e = run(&p, &groups, &flow(443, Some("evil.test")));
    assert!(e.is_blocked(), "{e:?}");
    assert!(says(&e, "stateful group allow"));
    // HTTP Host is covered too, and the listed name still passes over HTTP.
    assert!(run(&p, &groups, &flow(80, Some("evil.test"))).is_blocked());
    assert!(run(&p, &groups, &flow(80, Some("www.example.com"))).is_allowed());
    // Traffic without a name is not TLS/HTTP to the list: it is not dropped.
    assert!(run(&p, &groups, &flow(22, None)).is_allowed());
}

#[test]
fn denylist_drops_listed_name() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let g = domains("deny", "DENYLIST", &["bad.example.com"]);
    attach(&mut p, &g, 1);
    let groups = [g];
    let e = run(&p, &groups, &flow(443, Some("BAD.example.com")));
    assert!(e.is_blocked(), "{e:?}");
    assert!(run(&p, &groups, &flow(443, Some("good.example.com"))).is_allowed());
}

#[test]
fn stateless_default_pass_skips_the_stateful_engine() {
    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_strict"]);
    p.stateless_default_actions = vec!["aws:pass".into()];
    let g = rules("dropall", "drop ip any any -> any any (sid:1;)");
    attach(&mut p, &g, 1);
    let e = run(&p, &[g], &flow(443, None));
    assert!(e.is_allowed(), "{e:?}");
    assert!(says(
        &e,
        "stateless default aws:pass — stateful engine skipped"
    ));
}

#[test]
fn fragment_default_applies_to_fragments() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    p.stateless_fragment_default_actions = vec!["aws:drop".into()];
    let mut f = flow(443, None);
    assert!(run(&p, &[], &f).is_allowed());
    f.fragment = true;
    let e = run(&p, &[], &f);
    assert!(e.is_blocked());
    assert!(says(&e, "stateless fragment default aws:drop"));
}

#[test]
fn stateless_rules_by_priority() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    // Group priorities: "later" (20) runs after "first" (10) whatever the list order.
    let later = stateless("later", vec![stateless_rule(1, "aws:pass", None)]);
    let first = stateless(
        "first",
        vec![
            stateless_rule(20, "aws:pass", Some(443)),
            stateless_rule(10, "aws:drop", Some(443)),
        ],
    );
    attach(&mut p, &later, 20);
    attach(&mut p, &first, 10);
    let groups = [later, first];
    let e = run(&p, &groups, &flow(443, None));
    assert!(e.is_blocked(), "{e:?}");
    assert!(says(&e, "rule priority 10: aws:drop"));
    let e = run(&p, &groups, &flow(22, None));
    assert!(e.is_allowed());
    assert!(says(&e, "stateless group later"));
}

#[test]
fn stateless_custom_action_alone_is_unknown_but_ignored_next_to_a_standard_one() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let mut metrics = stateless_rule(1, "aws:drop", Some(443));
    metrics.actions.insert(0, "CountIt".into());
    let mut custom = stateless_rule(2, "CountIt", Some(80));
    custom.actions = vec!["CountIt".into()];
    let g = stateless("custom", vec![metrics, custom]);
    attach(&mut p, &g, 1);
    let groups = [g];
    assert!(run(&p, &groups, &flow(443, None)).is_blocked());
    assert!(run(&p, &groups, &flow(80, None)).is_unknown());
}

#[test]
fn stateless_tcp_flags_rule_is_unknown_when_it_could_match() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let mut r = stateless_rule(1, "aws:drop", Some(443));
    r.tcp_flags = vec![crate::inventory::TcpFlagMatch {
        flags: vec!["SYN".into()],
        masks: vec!["SYN".into(), "ACK".into()],
    }];
    let g = stateless("flags", vec![r]);
    attach(&mut p, &g, 1);
    let groups = [g];
    assert!(run(&p, &groups, &flow(443, None)).is_unknown());
    assert!(run(&p, &groups, &flow(22, None)).is_allowed());
}

#[test]
fn strict_order_first_match_decides() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g1 = rules(
        "one",
        "alert tcp any any -> any 443 (msg:\"seen\"; sid:1;)\n\
         drop tcp any any -> any 443 (sid:2;)\n\
         pass tcp any any -> any 443 (sid:3;)",
    );
    let g2 = rules("two", "pass tcp any any -> any any (sid:4;)");
    attach(&mut p, &g2, 20);
    attach(&mut p, &g1, 10);
    let groups = [g1, g2];
    let e = run(&p, &groups, &flow(443, None));
    assert!(e.is_blocked(), "{e:?}");
    assert!(says(&e, "(sid 1) alerts"));
    assert!(
        says(
            &e,
            "stateful group one rule 'drop tcp any any -> any 443' (sid 2) drops"
        ) || says(&e, "rule 'drop tcp any any -> any 443' (sid 2) drops")
    );
    let e = run(&p, &groups, &flow(22, None));
    assert!(e.is_allowed());
    assert!(says(&e, "(sid 4) passes"));
}

#[test]
fn pass_rule_ahead_of_sni_rules_lets_everything_out() {
    let text = "pass tcp any any -> any any (sid:1000001;)\n\
                drop tls any any -> any any (tls.sni; content:\"evil.test\"; nocase; endswith; sid:1000002;)";
    for order in [RuleOrder::StrictOrder, RuleOrder::DefaultActionOrder] {
        let mut p = policy(order, &["aws:drop_established"]);
        let g = rules("sni", text);
        attach(&mut p, &g, 1);
        let e = run(&p, &[g], &flow(443, Some("www.evil.test")));
        assert!(e.is_allowed(), "{order:?}: {e:?}");
        assert!(says(
            &e,
            "rule 'pass tcp any any -> any any' (sid 1000001) passes"
        ));
    }
    // Without the pass rule the SNI rule decides.
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g = rules("sni", text.lines().nth(1).unwrap());
    attach(&mut p, &g, 1);
    assert!(run(&p, &[g], &flow(443, Some("www.evil.test"))).is_blocked());
}

#[test]
fn default_action_order_pass_before_drop() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let g = rules(
        "mixed",
        "drop tcp any any -> any 443 (sid:1;)\npass tcp any any -> any 443 (sid:2;)",
    );
    attach(&mut p, &g, 1);
    let e = run(&p, &[g], &flow(443, None));
    assert!(e.is_allowed(), "{e:?}");
    assert!(says(&e, "(sid 2) passes"));
}

#[test]
fn drop_strict_default_drops_unmatched() {
    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_strict"]);
    let g = rules("ssh", "pass tcp any any -> any 22 (sid:1;)");
    attach(&mut p, &g, 1);
    let groups = [g];
    assert!(run(&p, &groups, &flow(22, None)).is_allowed());
    let e = run(&p, &groups, &flow(443, None));
    assert!(e.is_blocked());
    assert!(says(&e, "stateful default aws:drop_strict drops"));
    // Application-layer pass rules cannot pass the handshake drop_strict drops.
    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_strict"]);
    let g = domains("allow", "ALLOWLIST", &[".example.com"]);
    attach(&mut p, &g, 1);
    assert!(run(&p, &[g], &flow(443, Some("example.com"))).is_blocked());
}

#[test]
fn no_stateful_default_passes_unmatched() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g = rules("ssh", "drop tcp any any -> any 22 (sid:1;)");
    attach(&mut p, &g, 1);
    let e = run(&p, &[g], &flow(443, None));
    assert!(e.is_allowed());
    assert!(says(&e, "no stateful rule matched"));
}

#[test]
fn suricata_parses_common_rule() {
    let r = one(
        "pass tls $HOME_NET any -> any 443 (msg:\"allow; api\"; flow:to_server, established; \
         tls.sni; content:\"api.example.com\"; nocase; startswith; endswith; \
         metadata:team net; classtype:policy; priority:2; sid:1000001; rev:3;)",
    );
    assert_eq!(r.action, Action::Pass);
    assert_eq!(r.proto, Proto::Tls);
    assert_eq!(r.header, "pass tls $HOME_NET any -> any 443");
    assert_eq!(r.src, Addr::List(vec![Addr::Net(HOME.parse().unwrap())]));
    assert_eq!(r.dst_port, Ports::Range(443, 443));
    assert_eq!(r.msg.as_deref(), Some("allow; api"));
    assert_eq!(
        (r.sid, r.rev, r.priority),
        (Some(1000001), Some(3), Some(2))
    );
    assert_eq!(r.flow, vec!["to_server", "established"]);
    assert_eq!(r.contents.len(), 1);
    assert!(r.contents[0].nocase && r.contents[0].startswith && r.contents[0].endswith);
    assert!(r.unsupported.is_empty());
    // Comments and blank lines are skipped; an unknown action is reported.
    let parsed = suricata::parse(
        "# c\n\nrejectsrc tcp any any -> any any (sid:1;)\nalert udp any any <> any 53 (sid:2;)",
        &vars(),
    );
    assert_eq!(parsed.len(), 2);
    let err = parsed[0].as_ref().unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.reason.contains("rejectsrc"));
    assert!(parsed[1].as_ref().unwrap().bidirectional);
}

#[test]
fn suricata_unknown_keyword_is_unknown_not_guess() {
    let r = one(
        "drop tls any any -> any any (tls.sni; content:\"x\"; ja3.hash; content:\"abc\"; sid:5;)",
    );
    assert!(!r.unsupported.is_empty());
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g = rules(
        "ja3",
        "drop tcp any any -> any 443 (pcre:\"/evil/\"; sid:5;)",
    );
    attach(&mut p, &g, 1);
    let groups = [g];
    let e = run(&p, &groups, &flow(443, Some("x")));
    match &e.verdict {
        Verdict::Unknown { reason } => assert!(reason.contains("pcre"), "{reason}"),
        v => panic!("expected unknown, got {v:?}"),
    }
    // A rule that cannot match anyway stays out of the way.
    assert!(run(&p, &groups, &flow(22, None)).is_allowed());
}

#[test]
fn suricata_unparseable_rule_is_reported_and_unknown() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g = rules("broken", "pass tcp any any => any any (sid:1;)");
    attach(&mut p, &g, 1);
    let groups = [g];
    let errors = parse_errors(&p, &|arn: &str| groups.iter().find(|g| g.arn == arn));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "broken");
    assert!(run(&p, &groups, &flow(443, None)).is_unknown());
}

#[test]
fn suricata_negated_address() {
    let r = one("drop ip any any -> ![10.0.0.0/8, 192.168.0.0/16] any (sid:1;)");
    let f = flow(443, None);
    assert_eq!(
        r.matches(&f, suricata::Phase::Established),
        crate::reach::firewall::Match::Yes
    );
    let mut inside = f.clone();
    inside.dst = ip("10.9.9.9");
    assert_eq!(
        r.matches(&inside, suricata::Phase::Established),
        crate::reach::firewall::Match::No
    );
    let r = one("pass tcp !$HOME_NET any -> any any (sid:2;)");
    assert_eq!(
        r.matches(&f, suricata::Phase::Handshake),
        crate::reach::firewall::Match::No
    );
}

#[test]
fn suricata_port_range_and_list() {
    let r = one("pass tcp any any -> any [80, 8000:8080, !8008, $WEB] (sid:1;)");
    let m = |port: u16| r.matches(&flow(port, None), suricata::Phase::Handshake);
    use crate::reach::firewall::Match::{No, Yes};
    assert_eq!(m(80), Yes);
    assert_eq!(m(8001), Yes);
    assert_eq!(m(443), Yes);
    assert_eq!(m(22), No);
    let r = one("pass tcp any any -> any !1024: (sid:2;)");
    assert_eq!(r.matches(&flow(22, None), suricata::Phase::Handshake), Yes);
    assert_eq!(r.matches(&flow(5000, None), suricata::Phase::Handshake), No);
    assert!(suricata::parse("pass tcp any any -> any 90:80 (sid:3;)", &vars())[0].is_err());
}

#[test]
fn undefined_variable_is_unknown() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    p.variables.clear();
    let g = rules("vars", "drop tcp $CORP_NET any -> any any (sid:1;)");
    attach(&mut p, &g, 1);
    let e = run(&p, &[g], &flow(443, None));
    match &e.verdict {
        Verdict::Unknown { reason } => assert!(reason.contains("$CORP_NET"), "{reason}"),
        v => panic!("expected unknown, got {v:?}"),
    }
    // HOME_NET defaults to the VPC CIDR, which the policy alone does not give.
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    p.variables.clear();
    let g = domains("deny", "DENYLIST", &["bad.example.com"]);
    attach(&mut p, &g, 1);
    assert!(run(&p, &[g], &flow(443, Some("bad.example.com"))).is_unknown());
}

#[test]
fn group_ip_set_takes_precedence_over_policy_variable() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let mut g = rules("local", "drop tcp $HOME_NET any -> any any (sid:1;)");
    g.ip_sets
        .insert("HOME_NET".into(), vec!["172.16.0.0/12".into()]);
    attach(&mut p, &g, 1);
    assert!(run(&p, &[g], &flow(443, None)).is_allowed());
}

#[test]
fn missing_rule_group_is_unknown() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    p.stateful_rule_groups.push(RuleGroupReference {
        arn: "arn:group/gone".into(),
        priority: Some(1),
        override_action: None,
    });
    let e = run(&p, &[], &flow(443, None));
    match &e.verdict {
        Verdict::Unknown { reason } => assert!(reason.contains("arn:group/gone"), "{reason}"),
        v => panic!("expected unknown, got {v:?}"),
    }
    assert!(egress(&p, &[]).is_unknown());
}

#[test]
fn drop_to_alert_override_does_not_block() {
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    let g = rules("managed", "drop tcp any any -> any any (sid:1;)");
    p.stateful_rule_groups.push(RuleGroupReference {
        arn: g.arn.clone(),
        priority: Some(1),
        override_action: Some("DROP_TO_ALERT".into()),
    });
    assert!(run(&p, &[g], &flow(443, None)).is_allowed());
}

#[test]
fn filters_egress_false_for_pass_default() {
    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_strict"]);
    p.stateless_default_actions = vec!["aws:pass".into()];
    let e = egress(&p, &[]);
    assert!(e.is_allowed(), "{e:?}");
    assert!(says(&e, "aws:pass"));
    // Forwarding with nothing dropping on the stateful side does not filter either.
    let p = policy(RuleOrder::DefaultActionOrder, &[]);
    assert!(egress(&p, &[]).is_allowed());
}

#[test]
fn filters_egress_true_for_allowlist_with_strict_drop() {
    let mut p = policy(RuleOrder::StrictOrder, &["aws:drop_strict"]);
    let g = domains("allow", "ALLOWLIST", &[".example.com"]);
    attach(&mut p, &g, 1);
    let groups = [g];
    let e = egress(&p, &groups);
    assert!(e.is_blocked(), "{e:?}");
    // A catch-all pass ahead of it defeats the filtering.
    let open = rules("open", "pass tcp any any -> any any (sid:1;)");
    attach(&mut p, &open, 0);
    let groups = [groups[0].clone(), open];
    assert!(egress(&p, &groups).is_allowed());
}

#[test]
fn filters_egress_true_for_explicit_catch_all_drop() {
    let mut p = policy(RuleOrder::DefaultActionOrder, &[]);
    let g = rules(
        "explicit",
        "pass tls $HOME_NET any -> any 443 (tls.sni; content:\"example.com\"; sid:1;)\n\
         drop ip $HOME_NET any -> any any (flow:to_server; sid:2;)",
    );
    attach(&mut p, &g, 1);
    assert!(egress(&p, &[g]).is_blocked());
}

#[test]
fn home_net_defaults_to_the_firewall_vpc() {
    // A drop rule on $HOME_NET with the policy not setting it: unknown as written,
    // decided once the firewall's VPC CIDR stands in, as AWS does.
    let g = rules("g", "drop tcp $HOME_NET any -> any 443 (sid:1;)");
    let mut p = policy(RuleOrder::StrictOrder, &[]);
    p.variables.clear();
    attach(&mut p, &g, 1);
    let f = flow(443, None);
    assert!(run(&p, std::slice::from_ref(&g), &f).is_unknown());
    let vpc: ipnet::IpNet = "10.0.0.0/16".parse().unwrap();
    let deployed = crate::reach::firewall::as_deployed(&p, &[vpc]);
    assert!(run(&deployed, &[g], &f).is_blocked());
    // A HOME_NET the policy sets is kept.
    let mut set = p.clone();
    set.variables
        .insert("HOME_NET".into(), vec!["192.168.0.0/16".into()]);
    let kept = crate::reach::firewall::as_deployed(&set, &[vpc]);
    assert_eq!(kept.variables["HOME_NET"], ["192.168.0.0/16"]);
}
