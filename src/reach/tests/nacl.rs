use crate::inventory::{Direction, L4Match, NaclAction, NetworkAcl, PortRange, Protocol};
use crate::reach::nacl::{allowed_flows, connection, evaluate, shadowed_entries};
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::*;

const IN: Direction = Direction::Ingress;
const OUT: Direction = Direction::Egress;
const ALLOW: NaclAction = NaclAction::Allow;
const DENY: NaclAction = NaclAction::Deny;
const LINUX: PortRange = PortRange {
    from: 32768,
    to: 60999,
};

fn tcp(
    n: i32,
    d: Direction,
    a: NaclAction,
    from: u16,
    to: u16,
    c: &str,
) -> crate::inventory::NaclEntry {
    entry(n, d, a, Protocol::Tcp, ports(from, to), c)
}

fn all(n: i32, d: Direction, a: NaclAction, c: &str) -> crate::inventory::NaclEntry {
    entry(n, d, a, Protocol::All, L4Match::Any, c)
}

/// Allows everything both ways, as the default NACL does.
fn open(id: &str) -> NetworkAcl {
    acl(
        id,
        vec![
            all(100, IN, ALLOW, "0.0.0.0/0"),
            all(100, OUT, ALLOW, "0.0.0.0/0"),
        ],
    )
}

#[test]
fn deny_at_50_beats_allow_at_100() {
    let a = acl(
        "acl-1",
        vec![
            tcp(100, IN, ALLOW, 22, 22, "0.0.0.0/0"),
            tcp(50, IN, DENY, 22, 22, "192.0.2.0/24"),
        ],
    );
    let e = evaluate(&a, IN, ip("192.0.2.7"), ServicePoint::Tcp(22));
    assert!(e.is_blocked());
    assert_eq!(e.steps[0].component, "acl-1 inbound");
    assert!(e.steps[0].decision.starts_with("rule 50 denies"), "{e:?}");
    assert!(evaluate(&a, IN, ip("198.51.100.7"), ServicePoint::Tcp(22)).is_allowed());
}

#[test]
fn allow_at_50_beats_deny_at_100() {
    let a = acl(
        "acl-1",
        vec![
            tcp(50, IN, ALLOW, 22, 22, "0.0.0.0/0"),
            all(100, IN, DENY, "0.0.0.0/0"),
        ],
    );
    let e = evaluate(&a, IN, ip("192.0.2.7"), ServicePoint::Tcp(22));
    assert!(e.is_allowed());
    assert!(e.steps[0].decision.starts_with("rule 50 allows"), "{e:?}");
}

#[test]
fn implicit_deny_when_no_rule_matches() {
    let a = acl("acl-1", vec![tcp(100, IN, ALLOW, 80, 80, "0.0.0.0/0")]);
    let e = evaluate(&a, IN, ip("192.0.2.7"), ServicePoint::Tcp(22));
    assert!(e.is_blocked());
    assert!(e.steps[0].decision.starts_with("rule * denies"), "{e:?}");
    // Even an ACL listed without its `*` entries denies what falls off the end.
    let mut bare = a.clone();
    bare.entries.retain(|e| e.rule_number < 32767);
    let e = evaluate(&bare, IN, ip("192.0.2.7"), ServicePoint::Tcp(22));
    assert!(e.is_blocked());
    assert!(e.steps[0].decision.contains("implicit deny"), "{e:?}");
}

#[test]
fn ipv6_entry_ignored_for_ipv4_packet() {
    let a = acl(
        "acl-1",
        vec![all(10, IN, DENY, "::/0"), all(20, IN, ALLOW, "0.0.0.0/0")],
    );
    let e = evaluate(&a, IN, ip("192.0.2.7"), ServicePoint::Tcp(22));
    assert!(e.is_allowed());
    assert!(e.steps[0].decision.starts_with("rule 20"), "{e:?}");
    assert!(evaluate(&a, IN, ip("2001:db8::1"), ServicePoint::Tcp(22)).is_blocked());
}

#[test]
fn inbound_rules_say_nothing_about_outbound() {
    let a = acl("acl-1", vec![all(100, IN, ALLOW, "0.0.0.0/0")]);
    assert!(evaluate(&a, OUT, ip("192.0.2.7"), ServicePoint::Tcp(22)).is_blocked());
}

#[test]
fn allowed_flows_of_a_nacl_in_rule_order() {
    let a = acl(
        "acl-1",
        vec![
            tcp(100, IN, ALLOW, 0, 65535, "0.0.0.0/0"),
            tcp(90, IN, DENY, 22, 22, "0.0.0.0/0"),
            tcp(110, IN, ALLOW, 22, 22, "10.0.0.0/8"),
        ],
    );
    let flows = allowed_flows(&a, IN);
    assert!(
        !flows.contains(ip("10.1.1.1"), ServicePoint::Tcp(22)),
        "rule 90 decides before 110"
    );
    assert!(flows.contains(ip("10.1.1.1"), ServicePoint::Tcp(23)));
    assert!(!flows.contains(ip("10.1.1.1"), ServicePoint::Udp(23)));
    assert!(!flows.contains(ip("2001:db8::1"), ServicePoint::Tcp(23)));
    // The set agrees with point evaluation.
    for (addr, p) in [
        ("10.1.1.1", 22),
        ("10.1.1.1", 80),
        ("8.8.8.8", 22),
        ("8.8.8.8", 443),
    ] {
        let point = ServicePoint::Tcp(p);
        assert_eq!(
            flows.contains(ip(addr), point),
            evaluate(&a, IN, ip(addr), point).is_allowed()
        );
    }
}

#[test]
fn shadowed_deny_after_broad_allow() {
    let a = acl(
        "acl-1",
        vec![
            all(100, IN, ALLOW, "0.0.0.0/0"),
            tcp(200, IN, DENY, 22, 22, "192.0.2.0/24"),
        ],
    );
    assert_eq!(shadowed_entries(&a), vec![(IN, 200)]);
}

#[test]
fn shadowed_by_the_union_of_earlier_rules() {
    let a = acl(
        "acl-1",
        vec![
            tcp(100, OUT, ALLOW, 0, 1023, "0.0.0.0/0"),
            tcp(110, OUT, DENY, 1024, 65535, "0.0.0.0/0"),
            tcp(120, OUT, ALLOW, 443, 8443, "10.0.0.0/8"),
        ],
    );
    assert_eq!(shadowed_entries(&a), vec![(OUT, 120)]);
}

#[test]
fn not_shadowed_when_only_partly_covered() {
    let a = acl(
        "acl-1",
        vec![
            tcp(100, IN, ALLOW, 0, 1023, "0.0.0.0/0"),
            tcp(200, IN, DENY, 1000, 2000, "0.0.0.0/0"),
        ],
    );
    assert!(shadowed_entries(&a).is_empty());
}

#[test]
fn connection_allowed_when_request_and_replies_pass() {
    let e = connection(
        &open("acl-a"),
        &open("acl-b"),
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        LINUX,
        false,
    );
    assert!(e.is_allowed(), "{e:?}");
    assert_eq!(e.steps.len(), 4);
}

#[test]
fn request_blocked_inbound_at_destination() {
    let dst = acl(
        "acl-b",
        vec![
            tcp(100, IN, ALLOW, 80, 80, "0.0.0.0/0"),
            all(100, OUT, ALLOW, "0.0.0.0/0"),
        ],
    );
    let e = connection(
        &open("acl-a"),
        &dst,
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        LINUX,
        false,
    );
    assert!(e.is_blocked());
    assert!(
        e.steps
            .iter()
            .any(|s| s.component == "acl-b inbound" && s.decision.contains("rule *")),
        "{e:?}"
    );
}

#[test]
fn reply_on_ephemeral_ports_blocked_by_outbound_nacl() {
    // The server subnet admits 443 but only sends to port 443: replies to the
    // client's ephemeral ports are dropped.
    let dst = acl(
        "acl-b",
        vec![
            tcp(100, IN, ALLOW, 443, 443, "0.0.0.0/0"),
            tcp(100, OUT, ALLOW, 443, 443, "0.0.0.0/0"),
        ],
    );
    let e = connection(
        &open("acl-a"),
        &dst,
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        LINUX,
        false,
    );
    assert!(e.is_blocked());
    assert!(
        e.steps
            .iter()
            .any(|s| s.component == "acl-b outbound" && s.decision.contains("32768-60999")),
        "{e:?}"
    );
}

#[test]
fn reply_blocked_inbound_at_source() {
    let src = acl(
        "acl-a",
        vec![
            all(100, OUT, ALLOW, "0.0.0.0/0"),
            tcp(100, IN, ALLOW, 22, 22, "0.0.0.0/0"),
        ],
    );
    let e = connection(
        &src,
        &open("acl-b"),
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        LINUX,
        false,
    );
    assert!(e.is_blocked());
    assert!(
        e.steps
            .iter()
            .any(|s| s.component == "acl-a inbound" && s.decision.contains("not allowed")),
        "{e:?}"
    );
}

#[test]
fn partial_ephemeral_range_is_blocked() {
    // Replies allowed to 49152-65535 only (a Windows-style rule): a Linux client's
    // 32768-49151 replies are dropped.
    let dst = acl(
        "acl-b",
        vec![
            all(100, IN, ALLOW, "0.0.0.0/0"),
            tcp(100, OUT, ALLOW, 49152, 65535, "0.0.0.0/0"),
        ],
    );
    let e = connection(
        &open("acl-a"),
        &dst,
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        LINUX,
        false,
    );
    assert!(e.is_blocked(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("tcp 32768-49151 not allowed")),
        "{e:?}"
    );
    // The same ACL is fine for a Windows client.
    let windows = PortRange {
        from: 49152,
        to: 65535,
    };
    let e = connection(
        &open("acl-a"),
        &dst,
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        ServicePoint::Tcp(443),
        windows,
        false,
    );
    assert!(e.is_allowed(), "{e:?}");
}

#[test]
fn same_subnet_traffic_skips_the_nacl() {
    let closed = acl("acl-1", vec![]);
    let e = connection(
        &closed,
        &closed,
        ip("10.0.0.5"),
        ip("10.0.0.6"),
        ServicePoint::Tcp(22),
        LINUX,
        true,
    );
    assert!(e.is_allowed());
    let e = connection(
        &closed,
        &closed,
        ip("10.0.0.5"),
        ip("10.0.0.6"),
        ServicePoint::Tcp(22),
        LINUX,
        false,
    );
    assert!(e.is_blocked());
}

#[test]
fn echo_request_reply_is_echo_reply() {
    let p = ServicePoint::Icmp {
        icmp_type: 8,
        code: 0,
    };
    let dst = acl(
        "acl-b",
        vec![
            entry(100, IN, ALLOW, Protocol::Icmp, icmp(Some(8)), "0.0.0.0/0"),
            entry(100, OUT, ALLOW, Protocol::Icmp, icmp(Some(0)), "0.0.0.0/0"),
        ],
    );
    let e = connection(
        &open("acl-a"),
        &dst,
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        p,
        LINUX,
        false,
    );
    assert!(e.is_allowed(), "{e:?}");
}

#[test]
fn other_icmp_replies_are_unknown() {
    let p = ServicePoint::Icmp {
        icmp_type: 13,
        code: 0,
    };
    let e = connection(
        &open("acl-a"),
        &open("acl-b"),
        ip("10.0.0.5"),
        ip("10.0.1.5"),
        p,
        LINUX,
        false,
    );
    assert!(e.is_unknown(), "{e:?}");
}
