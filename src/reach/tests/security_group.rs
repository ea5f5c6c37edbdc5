use crate::inventory::{Direction, L4Match, Operation, Protocol, RulePeer, SecurityGroupRule};
use crate::reach::security_group::{allowed_flows, evaluate};
use crate::reach::sets::{InternetCoverage, ServicePoint};
use crate::reach::testkit::*;
use crate::reach::{Evaluation, Model};

const IN: Direction = Direction::Ingress;

/// A web ENI (10.0.0.5) carrying `sg-web` with `rules`.
fn web(rules: Vec<SecurityGroupRule>) -> Kit {
    Kit::new()
        .eni("eni-web", &["10.0.0.5", "2001:db8::5"], &["sg-web"])
        .group("sg-web", "web", rules)
}

fn ask(kit: &Kit, from: &str, p: ServicePoint) -> Evaluation {
    evaluate(&Model::build(&kit.inv), "eni-web", IN, ip(from), p)
}

fn tcp_from(id: &str, from: u16, to: u16, peer: &str) -> SecurityGroupRule {
    ingress(id, Protocol::Tcp, ports(from, to), cidr(peer))
}

#[test]
fn range_20_30_covers_22() {
    let kit = web(vec![tcp_from("sgr-1", 20, 30, "0.0.0.0/0")]);
    let e = ask(&kit, "198.51.100.1", ServicePoint::Tcp(22));
    assert!(e.is_allowed(), "{e:?}");
    assert_eq!(e.steps[0].component, "sg-web (web)");
    assert!(e.steps[0].decision.contains("sgr-1"), "{e:?}");
    assert!(ask(&kit, "198.51.100.1", ServicePoint::Tcp(31)).is_blocked());
}

#[test]
fn udp_rule_does_not_allow_tcp() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Udp,
        ports(53, 53),
        cidr("0.0.0.0/0"),
    )]);
    assert!(ask(&kit, "198.51.100.1", ServicePoint::Udp(53)).is_allowed());
    assert!(ask(&kit, "198.51.100.1", ServicePoint::Tcp(53)).is_blocked());
}

#[test]
fn ipv4_rule_says_nothing_about_ipv6() {
    let kit = web(vec![tcp_from("sgr-1", 22, 22, "0.0.0.0/0")]);
    assert!(ask(&kit, "2001:db8:ffff::1", ServicePoint::Tcp(22)).is_blocked());
    let kit = web(vec![tcp_from("sgr-1", 22, 22, "::/0")]);
    assert!(ask(&kit, "2001:db8:ffff::1", ServicePoint::Tcp(22)).is_allowed());
    assert!(ask(&kit, "198.51.100.1", ServicePoint::Tcp(22)).is_blocked());
}

#[test]
fn rules_of_all_groups_are_unioned() {
    let kit = Kit::new()
        .eni("eni-web", &["10.0.0.5"], &["sg-a", "sg-b"])
        .group("sg-a", "a", vec![tcp_from("sgr-a", 22, 22, "10.1.0.0/16")])
        .group("sg-b", "b", vec![tcp_from("sgr-b", 443, 443, "0.0.0.0/0")]);
    let e = ask(&kit, "10.1.2.3", ServicePoint::Tcp(22));
    assert!(e.is_allowed());
    assert_eq!(e.steps[0].component, "sg-a (a)");
    let e = ask(&kit, "10.1.2.3", ServicePoint::Tcp(443));
    assert!(e.is_allowed());
    assert_eq!(e.steps[0].component, "sg-b (b)");
    let flows = allowed_flows(&Model::build(&kit.inv), "eni-web", IN).unwrap();
    assert!(flows.contains(ip("10.1.2.3"), ServicePoint::Tcp(22)));
    assert!(flows.contains(ip("8.8.8.8"), ServicePoint::Tcp(443)));
    assert!(!flows.contains(ip("8.8.8.8"), ServicePoint::Tcp(22)));
}

#[test]
fn blocked_names_every_group_searched() {
    let kit = Kit::new()
        .eni("eni-web", &["10.0.0.5"], &["sg-a", "sg-b"])
        .group("sg-a", "a", vec![])
        .group("sg-b", "b", vec![]);
    let e = ask(&kit, "10.1.2.3", ServicePoint::Tcp(22));
    assert!(e.is_blocked());
    assert!(
        e.steps[0].decision.contains("[sg-a (a), sg-b (b)]"),
        "{e:?}"
    );
}

#[test]
fn ingress_rule_says_nothing_about_egress() {
    let kit = web(vec![tcp_from("sgr-1", 22, 22, "0.0.0.0/0")]);
    let m = Model::build(&kit.inv);
    let e = evaluate(
        &m,
        "eni-web",
        Direction::Egress,
        ip("8.8.8.8"),
        ServicePoint::Tcp(22),
    );
    assert!(e.is_blocked());
}

#[test]
fn group_reference_matches_private_ip() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(5432, 5432),
        group_peer("sg-app"),
    )])
    .eni("eni-app", &["10.0.1.7"], &["sg-app"])
    .group("sg-app", "app", vec![]);
    let e = ask(&kit, "10.0.1.7", ServicePoint::Tcp(5432));
    assert!(e.is_allowed(), "{e:?}");
    assert!(e.steps[0].decision.contains("group sg-app"), "{e:?}");
    assert!(ask(&kit, "10.0.1.8", ServicePoint::Tcp(5432)).is_blocked());
}

#[test]
fn group_reference_does_not_match_public_ip() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(5432, 5432),
        group_peer("sg-app"),
    )])
    .eni("eni-app", &["10.0.1.7"], &["sg-app"])
    .public_ip("203.0.113.9")
    .group("sg-app", "app", vec![]);
    assert!(ask(&kit, "203.0.113.9", ServicePoint::Tcp(5432)).is_blocked());
}

#[test]
fn reference_to_a_group_with_no_enis_matches_nothing() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::All,
        L4Match::Any,
        group_peer("sg-idle"),
    )])
    .group("sg-idle", "idle", vec![]);
    assert!(ask(&kit, "10.0.1.7", ServicePoint::Tcp(1)).is_blocked());
}

#[test]
fn reference_to_an_uncollected_account_is_unknown() {
    let peer = RulePeer::Group {
        group_id: "sg-remote".into(),
        account_id: Some("222222222222".into()),
        vpc_id: None,
        vpc_peering_connection_id: Some("pcx-1".into()),
    };
    let kit = web(vec![ingress("sgr-1", Protocol::Tcp, ports(22, 22), peer)]);
    let e = ask(&kit, "10.9.0.1", ServicePoint::Tcp(22));
    assert!(e.is_unknown(), "{e:?}");
    assert!(allowed_flows(&Model::build(&kit.inv), "eni-web", IN).is_err());
    // The unresolved rule cannot matter for a service it does not cover.
    assert!(ask(&kit, "10.9.0.1", ServicePoint::Tcp(80)).is_blocked());
}

#[test]
fn unresolved_reference_does_not_matter_when_another_rule_allows() {
    let kit = web(vec![
        ingress(
            "sgr-1",
            Protocol::Tcp,
            ports(22, 22),
            group_peer("sg-elsewhere"),
        ),
        tcp_from("sgr-2", 22, 22, "10.0.0.0/8"),
    ]);
    assert!(ask(&kit, "10.9.0.1", ServicePoint::Tcp(22)).is_allowed());
}

#[test]
fn missing_eni_api_makes_group_references_unknown() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        group_peer("sg-web"),
    )])
    .gap(Operation::DescribeNetworkInterfaces, "partial listing");
    let e = ask(&kit, "10.0.0.9", ServicePoint::Tcp(22));
    assert!(e.is_unknown(), "{e:?}");
}

#[test]
fn prefix_list_is_expanded() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(443, 443),
        RulePeer::PrefixList { id: "pl-1".into() },
    )])
    .prefix_list("pl-1", &["192.0.2.0/24", "198.51.100.0/24"]);
    assert!(ask(&kit, "198.51.100.20", ServicePoint::Tcp(443)).is_allowed());
    assert!(ask(&kit, "203.0.113.1", ServicePoint::Tcp(443)).is_blocked());
}

#[test]
fn prefix_list_holding_0_0_0_0_0_is_world() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        RulePeer::PrefixList { id: "pl-1".into() },
    )])
    .prefix_list("pl-1", &["0.0.0.0/0"]);
    let flows = allowed_flows(&Model::build(&kit.inv), "eni-web", IN).unwrap();
    let cov = InternetCoverage::of(&flows.addresses_for(ServicePoint::Tcp(22)));
    assert!(cov.covers_all_ipv4());
}

#[test]
fn two_halves_of_ipv4_are_world() {
    let kit = web(vec![
        tcp_from("sgr-1", 22, 22, "0.0.0.0/1"),
        tcp_from("sgr-2", 22, 22, "128.0.0.0/1"),
    ]);
    let flows = allowed_flows(&Model::build(&kit.inv), "eni-web", IN).unwrap();
    let cov = InternetCoverage::of(&flows.addresses_for(ServicePoint::Tcp(22)));
    assert!(cov.covers_all_ipv4());
}

#[test]
fn uncollected_prefix_list_is_unknown() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        RulePeer::PrefixList { id: "pl-9".into() },
    )]);
    let e = ask(&kit, "192.0.2.1", ServicePoint::Tcp(22));
    assert!(e.is_unknown(), "{e:?}");
}

#[test]
fn prefix_list_whose_entries_failed_is_unknown() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        RulePeer::PrefixList { id: "pl-1".into() },
    )])
    .prefix_list("pl-1", &[])
    .gap_about(Operation::GetManagedPrefixListEntries, "pl-1", "throttled");
    let e = ask(&kit, "192.0.2.1", ServicePoint::Tcp(22));
    assert!(e.is_unknown(), "{e:?}");
}

#[test]
fn missing_rules_api_is_unknown_not_blocked() {
    let kit = web(vec![]).gap(Operation::DescribeSecurityGroupRules, "not authorized");
    let e = ask(&kit, "192.0.2.1", ServicePoint::Tcp(22));
    let crate::reach::Verdict::Unknown { reason } = &e.verdict else {
        panic!("expected unknown, got {e:?}");
    };
    assert!(reason.contains("DescribeSecurityGroupRules"), "{reason}");
    assert!(allowed_flows(&Model::build(&kit.inv), "eni-web", IN).is_err());
}

#[test]
fn unknown_eni_is_unknown() {
    let kit = web(vec![]);
    let m = Model::build(&kit.inv);
    assert!(evaluate(&m, "eni-nope", IN, ip("1.1.1.1"), ServicePoint::Tcp(1)).is_unknown());
}

#[test]
fn protocol_all_allows_icmp() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::All,
        L4Match::Any,
        cidr("10.0.0.0/8"),
    )]);
    let p = ServicePoint::Icmp {
        icmp_type: 8,
        code: 0,
    };
    assert!(ask(&kit, "10.1.1.1", p).is_allowed());
    assert!(ask(&kit, "10.1.1.1", ServicePoint::Other(50)).is_allowed());
}

#[test]
fn icmp_type_8_rule_does_not_allow_type_3() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Icmp,
        icmp(Some(8)),
        cidr("0.0.0.0/0"),
    )]);
    assert!(ask(
        &kit,
        "192.0.2.1",
        ServicePoint::Icmp {
            icmp_type: 8,
            code: 0
        }
    )
    .is_allowed());
    assert!(ask(
        &kit,
        "192.0.2.1",
        ServicePoint::Icmp {
            icmp_type: 3,
            code: 4
        }
    )
    .is_blocked());
}

#[test]
fn entries_failure_of_another_prefix_list_does_not_taint() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        RulePeer::PrefixList { id: "pl-1".into() },
    )])
    .prefix_list("pl-1", &["192.0.2.0/24"])
    .prefix_list("pl-12", &[])
    .gap_about(Operation::GetManagedPrefixListEntries, "pl-12", "throttled");
    assert!(ask(&kit, "192.0.2.1", ServicePoint::Tcp(22)).is_allowed());
}

#[test]
fn entries_failure_naming_no_prefix_list_taints_every_list() {
    let kit = web(vec![ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(22, 22),
        RulePeer::PrefixList { id: "pl-1".into() },
    )])
    .prefix_list("pl-1", &["192.0.2.0/24"])
    .gap(Operation::GetManagedPrefixListEntries, "throttled");
    assert!(ask(&kit, "192.0.2.1", ServicePoint::Tcp(22)).is_unknown());
}
