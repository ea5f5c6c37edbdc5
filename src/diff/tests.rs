//! The resource diff, effects and attribution, on the demo inventory with one change
//! made at a time.

use super::effects::{self, Causes};
use super::resources::{self, Found};
use super::*;
use crate::answer::diff::{ChangeKind, Op};
use crate::finding::Evidence;
use crate::inventory::{
    Direction, L4Match, PortRange, Protocol, RegionInventory, Route, RouteDestination, RouteState,
    RouteTarget, RulePeer, SecurityGroupRule,
};

fn demo() -> Inventory {
    crate::demo::inventory().expect("demo inventory")
}

fn region(inv: &mut Inventory) -> &mut RegionInventory {
    &mut inv.accounts[0].regions[0]
}

fn world_ssh() -> SecurityGroupRule {
    SecurityGroupRule {
        id: None,
        direction: Direction::Ingress,
        protocol: Protocol::Tcp,
        l4: L4Match::Ports(PortRange { from: 22, to: 22 }),
        peer: RulePeer::Ipv4 {
            cidr: "0.0.0.0/0".parse().expect("cidr"),
        },
        description: Some("temp".into()),
    }
}

/// (kind, op, resource, before, after) of a change.
type Row = (ChangeKind, Op, String, Option<String>, Option<String>);

/// Each change as a [`Row`], sorted.
fn summary(found: &[Found]) -> Vec<Row> {
    let mut v: Vec<_> = found
        .iter()
        .map(|f| {
            let c = &f.change;
            (
                c.kind,
                c.op,
                c.resource.clone(),
                c.before.clone(),
                c.after.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn identical_inventories_have_no_changes() {
    let a = demo();
    assert!(resources::diff(&a, &a.clone()).is_empty());
}

#[test]
fn a_rule_opened_to_the_world_is_one_added_rule_and_back_one_removed() {
    let old = demo();
    let mut new = old.clone();
    let sg = &mut region(&mut new).security_groups[0];
    let (id, name) = (sg.id.clone(), sg.name.clone());
    sg.rules.push(world_ssh());
    let text = "ingress tcp/22 from 0.0.0.0/0 \"temp\"".to_string();
    let found = resources::diff(&old, &new);
    // Group names repeat from VPC to VPC: only the id answers for the group.
    assert_eq!(found[0].keys, std::slice::from_ref(&id));
    assert_ne!(name, id);
    assert_eq!(
        summary(&found),
        [(
            ChangeKind::SecurityGroupRule,
            Op::Added,
            id.clone(),
            None,
            Some(text.clone())
        )]
    );
    assert_eq!(
        summary(&resources::diff(&new, &old)),
        [(
            ChangeKind::SecurityGroupRule,
            Op::Removed,
            id,
            Some(text),
            None
        )]
    );
}

#[test]
fn rules_compare_as_sets() {
    let old = demo();
    let mut new = old.clone();
    // Reordered, and one rule listed twice: the same group.
    let sg = region(&mut new)
        .security_groups
        .iter_mut()
        .find(|g| g.rules.len() > 1)
        .expect("a group with two rules");
    sg.rules.reverse();
    let first = sg.rules[0].clone();
    sg.rules.push(first);
    // The rule id is not part of the rule: a rule re-created is the same rule.
    sg.rules[1].id = Some("sgr-recreated".into());
    assert!(resources::diff(&old, &new).is_empty());
}

#[test]
fn an_attribute_change_shows_before_and_after() {
    let old = demo();
    let mut new = old.clone();
    let policy = region(&mut new)
        .firewall_policies
        .iter_mut()
        .find(|p| p.stateless_default_actions == ["aws:forward_to_sfe"])
        .expect("a policy that forwards to the stateful engine");
    policy.stateless_default_actions = vec!["aws:pass".into()];
    let (arn, name) = (policy.arn.clone(), policy.name.clone());
    let found = resources::diff(&old, &new);
    assert_eq!(
        summary(&found),
        [(
            ChangeKind::FirewallPolicy,
            Op::Changed,
            arn.clone(),
            Some("stateless_default_actions: [\"aws:forward_to_sfe\"]".into()),
            Some("stateless_default_actions: [\"aws:pass\"]".into()),
        )]
    );
    // Findings name Network Firewall resources by name: the change answers to it.
    assert!(found[0].keys.contains(&arn) && found[0].keys.contains(&name));
}

#[test]
fn a_route_to_a_nat_names_the_nat() {
    let old = demo();
    let mut new = old.clone();
    let r = region(&mut new);
    let nat = r.nat_gateways[0].id.clone();
    let table = r
        .route_tables
        .iter_mut()
        .find(|t| {
            !t.routes
                .iter()
                .any(|x| x.destination == RouteDestination::Ipv4("0.0.0.0/0".parse().unwrap()))
        })
        .expect("a table without a default route");
    table.routes.push(Route {
        destination: RouteDestination::Ipv4("0.0.0.0/0".parse().unwrap()),
        target: RouteTarget::NatGateway(nat.clone()),
        state: RouteState::Active,
        origin: Some("CreateRoute".into()),
    });
    let id = table.id.clone();
    let found = resources::diff(&old, &new);
    assert_eq!(
        summary(&found),
        [(
            ChangeKind::Route,
            Op::Added,
            id.clone(),
            None,
            Some(format!("0.0.0.0/0 -> {nat}"))
        )]
    );
    assert_eq!(found[0].refs, [nat]);
    assert!(found[0].keys.contains(&id));
}

#[test]
fn a_new_group_comes_with_its_rules_and_a_new_region_with_everything() {
    let old = demo();
    let mut new = old.clone();
    let mut group = region(&mut new).security_groups[0].clone();
    group.id = "sg-0new".into();
    group.rules = vec![world_ssh()];
    region(&mut new).security_groups.push(group);
    let found = resources::diff(&old, &new);
    let kinds: Vec<(ChangeKind, Op)> = summary(&found)
        .into_iter()
        .map(|(k, o, ..)| (k, o))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::SecurityGroup, Op::Added),
            (ChangeKind::SecurityGroupRule, Op::Added)
        ]
    );
    // A region NEW has and OLD lacks: every resource of it is added.
    let mut more = old.clone();
    let mut eu = more.accounts[0].regions[1].clone();
    eu.region = "ap-south-2".into();
    let resources_in_eu = eu.resource_counts().iter().map(|(_, n)| n).sum::<usize>();
    more.accounts[0].regions.push(eu);
    let found = resources::diff(&old, &more);
    let whole = found
        .iter()
        .filter(|f| {
            f.change.region == "ap-south-2"
                && f.change.op == Op::Added
                && f.change.before.is_none()
                && !matches!(
                    f.change.kind,
                    ChangeKind::SecurityGroupRule
                        | ChangeKind::Route
                        | ChangeKind::RouteTableAssociation
                        | ChangeKind::NetworkAclEntry
                        | ChangeKind::NetworkAclAssociation
                        | ChangeKind::PrefixListEntry
                        | ChangeKind::TransitGatewayRoute
                        | ChangeKind::FirewallRule
                        | ChangeKind::FirewallPolicyRuleGroup
                        | ChangeKind::LoadBalancerListener
                        | ChangeKind::TargetGroupTarget
                        | ChangeKind::DnsFirewallRule
                        | ChangeKind::DnsFirewallDomain
                )
        })
        .count();
    assert!(resources_in_eu > 0);
    assert_eq!(
        found.len(),
        found
            .iter()
            .filter(|f| f.change.region == "ap-south-2")
            .count()
    );
    assert!(whole >= resources_in_eu, "{whole} < {resources_in_eu}");
}

fn finding(check: &str, id: &str, fp: &str, severity: Severity) -> Finding {
    let mut f = Finding::sample(check, "AWS::EC2::NetworkInterface", id);
    f.fingerprint = fp.into();
    f.severity = severity;
    f.status = Status::Fail;
    f
}

#[test]
fn findings_compare_by_fingerprint() {
    let old = vec![
        finding("a", "eni-1", "f1", Severity::High),
        finding("b", "eni-2", "f2", Severity::Low),
        finding("c", "eni-3", "f3", Severity::Low),
    ];
    let mut same = old[2].clone();
    same.title = "retitled".into();
    let new = vec![
        finding("b", "eni-2", "f2", Severity::Critical),
        same,
        finding("d", "eni-4", "f4", Severity::Medium),
    ];
    let report = reports(&old, &new);
    let got: Vec<(Op, &str, Option<&str>)> = report
        .effects
        .iter()
        .map(|e| (e.op, e.fingerprint.as_str(), e.severity_before.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Op::Added, "f4", None),
            (Op::Changed, "f2", Some("low")),
            (Op::Removed, "f1", None)
        ]
    );
    assert_eq!(report.summary.appeared, 1);
    assert_eq!(report.summary.disappeared, 1);
    assert_eq!(report.summary.changed, 1);
    assert!(report
        .effects
        .iter()
        .all(|e| e.attribution == Attribution::NotApplicable));
    // Added at medium and raised to critical: both new at medium, only the raise at
    // high; the removed one never counts.
    assert_eq!(failing(&report, Severity::Medium), 2);
    assert_eq!(failing(&report, Severity::High), 1);
    let mut lowered = report.clone();
    lowered.effects[1].severity = "low".into();
    lowered.effects[1].severity_before = Some("critical".into());
    assert_eq!(failing(&lowered, Severity::Info), 1);
    // Muted and unknown findings do not fail the diff.
    let mut quiet = report;
    quiet.effects[0].muted = true;
    quiet.effects[1].status = "unknown".into();
    assert_eq!(failing(&quiet, Severity::Info), 0);
}

#[test]
fn a_message_change_under_one_fingerprint_is_a_change() {
    let old = vec![finding("a", "eni-1", "f1", Severity::High)];
    let mut new = old.clone();
    new[0].message = "accepts tcp 22, 3389".into();
    let report = reports(&old, &new);
    assert_eq!(report.effects.len(), 1);
    assert_eq!(report.effects[0].op, Op::Changed);
    assert_eq!(report.effects[0].message_before.as_deref(), Some(""));
    // Same severity, same status: not a new effect for the exit code.
    assert_eq!(failing(&report, Severity::Info), 0);
}

#[test]
fn the_only_change_is_the_cause_of_what_names_none_of_it() {
    let old = demo();
    let mut new = old.clone();
    region(&mut new).security_groups[0].rules.push(world_ssh());
    let found = resources::diff(&old, &new);
    assert_eq!(found.len(), 1);
    let causes = Causes::new(&found, vec!["c1".into()]);
    let f = finding("x", "eni-unrelated", "f", Severity::High);
    assert_eq!(causes.of(&f), (vec!["c1".into()], Attribution::OnlyChange));
}

#[test]
fn effects_name_the_changes_that_touch_what_they_name() {
    let old = demo();
    let mut new = old.clone();
    let r = region(&mut new);
    let sg = r.security_groups[0].id.clone();
    r.security_groups[0].rules.push(world_ssh());
    let nat = r.nat_gateways[0].id.clone();
    r.route_tables[0].routes.push(Route {
        destination: RouteDestination::Ipv4("192.0.2.0/24".parse().unwrap()),
        target: RouteTarget::NatGateway(nat.clone()),
        state: RouteState::Active,
        origin: None,
    });
    let found = resources::diff(&old, &new);
    assert_eq!(found.len(), 2);
    let ids: Vec<String> = vec!["c1".into(), "c2".into()];
    let causes = Causes::new(&found, ids);
    let rule = found
        .iter()
        .position(|f| f.change.kind == ChangeKind::SecurityGroupRule)
        .map(|i| format!("c{}", i + 1))
        .unwrap();
    let route = found
        .iter()
        .position(|f| f.change.kind == ChangeKind::Route)
        .map(|i| format!("c{}", i + 1))
        .unwrap();

    // Named as a related resource.
    let mut f = finding("internet-exposed-port", "eni-9", "f", Severity::High);
    f.related.push(crate::finding::Resource {
        resource_type: "AWS::EC2::SecurityGroup".into(),
        id: sg.clone(),
        arn: None,
        name: None,
    });
    assert_eq!(causes.of(&f), (vec![rule.clone()], Attribution::Matched));
    // Named in the evidence, with punctuation around it.
    let mut f = finding("x", "eni-9", "f", Severity::High);
    f.evidence.push(Evidence {
        component: format!("{sg} (security group)"),
        detail: "allows tcp 22".into(),
    });
    assert_eq!(causes.of(&f).0, [rule]);
    // Only the route's target is named: the route is the cause.
    let mut f = finding("nat-without-filtering", &nat, "f", Severity::High);
    f.resource.resource_type = "AWS::EC2::NatGateway".into();
    assert_eq!(causes.of(&f), (vec![route], Attribution::Matched));
    // Nothing it names changed.
    let f = finding("x", "eni-unrelated", "f", Severity::High);
    assert_eq!(causes.of(&f), (Vec::new(), Attribution::NoneIdentified));
}

#[test]
fn a_real_change_makes_a_finding_appear_with_its_cause() {
    let old = demo();
    let mut new = old.clone();
    // The default group of a VPC whose ENIs have public addresses: opened to the
    // world on 5432.
    let r = region(&mut new);
    let public: Vec<String> = r
        .network_interfaces
        .iter()
        .filter(|e| !e.public_ipv4s.is_empty())
        .flat_map(|e| e.security_group_ids.clone())
        .collect();
    let exposed_before = crate::scan::Plan::new(
        crate::scan::Settings {
            config: crate::config::Config::default(),
            mutes: crate::scan::mutes::Mutes::new(Vec::new()),
        },
        &["internet-exposed-port".to_string()],
        &[],
    )
    .expect("plan");
    let mut opened = None;
    for g in &mut r.security_groups {
        if public.contains(&g.id) && g.rules.iter().all(|x| x.direction == Direction::Egress) {
            let mut rule = world_ssh();
            rule.l4 = L4Match::Ports(PortRange {
                from: 5432,
                to: 5432,
            });
            g.rules.push(rule);
            opened = Some(g.id.clone());
            break;
        }
    }
    let opened = opened.expect("a public ENI's group with no ingress");
    let report = inventories(&old, &new, &exposed_before);
    assert_eq!(report.changes.len(), 1);
    assert_eq!(report.changes[0].resource, opened);
    assert!(report.summary.appeared > 0, "{report:#?}");
    for e in &report.effects {
        assert_eq!(e.op, Op::Added);
        assert_eq!(e.check, "internet-exposed-port");
        assert_eq!(e.caused_by, ["c1"]);
        assert!(e.message.contains("5432"), "{}", e.message);
    }
    assert_eq!(
        failing(&report, Severity::High),
        report.effects.len(),
        "{report:#?}"
    );
    // And back: the same findings disappear.
    let back = inventories(&new, &old, &exposed_before);
    assert_eq!(back.summary.disappeared, report.summary.appeared);
    assert_eq!(failing(&back, Severity::Info), 0);
}

#[test]
fn severity_names_round_trip() {
    for s in Severity::ALL {
        assert_eq!(effects::severity(s.as_str()), Some(s));
    }
    assert_eq!(effects::severity("bogus"), None);
}
