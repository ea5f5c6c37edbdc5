//! Security-group, NACL and peering checks, each with cases that fire and cases that
//! must not, including the ones string-matching auditors get wrong (port ranges, UDP,
//! prefix lists holding 0.0.0.0/0, denies before allows, TCP 0-65535, the internet as
//! two /1 halves, IPv6 only), then the built-in demo inventory.

use crate::checks::registry::{run_one, run_one_with};
use crate::finding::{Finding, Severity, Status};
use crate::inventory::{
    Direction, L4Match, NaclAction, NaclEntry, Operation, Protocol, Route, RouteTarget, RulePeer,
    SecurityGroupRule,
};
use crate::reach::testkit::*;

fn tcp(from: u16, to: u16) -> (Protocol, L4Match) {
    (Protocol::Tcp, ports(from, to))
}

fn nacl_in(n: i32, action: NaclAction, (p, l4): (Protocol, L4Match), c: &str) -> NaclEntry {
    entry(n, Direction::Ingress, action, p, l4, c)
}

fn nacl_out(n: i32, action: NaclAction, (p, l4): (Protocol, L4Match), c: &str) -> NaclEntry {
    entry(n, Direction::Egress, action, p, l4, c)
}

const ALLOW: NaclAction = NaclAction::Allow;
const DENY: NaclAction = NaclAction::Deny;
const ALL: (Protocol, L4Match) = (Protocol::All, L4Match::Any);

/// A prefix-list peer (the testkit builds CIDR and group peers).
fn pl(id: &str) -> RulePeer {
    RulePeer::PrefixList { id: id.into() }
}

fn evidence(f: &Finding) -> String {
    f.evidence
        .iter()
        .map(|e| format!("{} :: {}", e.component, e.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

// -- sg-internal-cidr-trust --

/// vpc-1 (10.0.0.0/16) with group sg-db carrying `rules`, used by an ENI when `used`.
fn trusting(rules: Vec<SecurityGroupRule>, used: bool) -> Kit {
    let kit = Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-1", "vpc-1")
        .group("sg-db", "db", rules)
        .group("sg-app", "app", vec![]);
    if used {
        kit.eni("eni-db", &["10.0.1.10"], &["sg-db"])
    } else {
        kit
    }
}

#[test]
fn sg_internal_cidr_trust_flags_port_ranges_and_whole_vpc_prefix_lists() {
    let kit = trusting(
        vec![
            // 20-30 holds SSH.
            ingress("sgr-ssh", Protocol::Tcp, ports(20, 30), cidr("10.0.0.0/8")),
            // A prefix list holding the whole VPC CIDR, on Postgres.
            ingress("sgr-pg", Protocol::Tcp, ports(5432, 5432), pl("pl-vpc")),
        ],
        true,
    )
    .prefix_list("pl-vpc", &["10.0.0.0/16"]);
    let f = run_one("sg-internal-cidr-trust", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].resource.id, "sg-db");
    let ev = evidence(&f[0]);
    assert!(
        ev.contains("sgr-ssh") && ev.contains("tcp 22-23 from 10.0.0.0/8"),
        "{ev}"
    );
    assert!(
        ev.contains("sgr-pg") && ev.contains("tcp 5432 from 10.0.0.0/16"),
        "{ev}"
    );
}

#[test]
fn sg_internal_cidr_trust_spares_references_narrow_ranges_udp_ssh_and_world_open() {
    let kit = trusting(
        vec![
            ingress(
                "sgr-ref",
                Protocol::Tcp,
                ports(5432, 5432),
                group_peer("sg-app"),
            ),
            // One subnet: already scoped.
            ingress(
                "sgr-subnet",
                Protocol::Tcp,
                ports(22, 22),
                cidr("10.0.1.0/24"),
            ),
            // SSH is TCP: UDP 22 is no administration port.
            ingress("sgr-udp", Protocol::Udp, ports(22, 22), cidr("10.0.0.0/8")),
            // Web ports are not sensitive.
            ingress(
                "sgr-web",
                Protocol::Tcp,
                ports(443, 443),
                cidr("10.0.0.0/8"),
            ),
            // On-premises range no VPC here uses: no group could name those sources.
            ingress(
                "sgr-vpn",
                Protocol::Tcp,
                ports(22, 22),
                cidr("192.168.0.0/16"),
            ),
            // The whole internet in two halves is exposure, not internal trust.
            ingress(
                "sgr-lo",
                Protocol::Tcp,
                ports(3389, 3389),
                cidr("0.0.0.0/1"),
            ),
            ingress(
                "sgr-hi",
                Protocol::Tcp,
                ports(3389, 3389),
                cidr("128.0.0.0/1"),
            ),
        ],
        true,
    );
    let f = run_one("sg-internal-cidr-trust", &kit.inv);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn sg_internal_cidr_trust_is_low_for_a_group_nothing_carries() {
    let kit = trusting(
        vec![ingress(
            "sgr-all",
            Protocol::All,
            L4Match::Any,
            cidr("10.0.0.0/16"),
        )],
        false,
    );
    let f = run_one("sg-internal-cidr-trust", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Low);
}

// -- sg-unused-open --

fn unused_group(rules: Vec<SecurityGroupRule>) -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .group("sg-spare", "spare", rules)
        .prefix_list("pl-partners", &["203.0.113.0/24", "0.0.0.0/0"])
}

#[test]
fn sg_unused_open_sees_split_halves_prefix_lists_and_ipv6_only() {
    let cases = [
        (
            vec![
                ingress("sgr-lo", Protocol::Tcp, ports(22, 22), cidr("0.0.0.0/1")),
                ingress("sgr-hi", Protocol::Tcp, ports(22, 22), cidr("128.0.0.0/1")),
            ],
            "tcp 22 from the whole IPv4 internet",
        ),
        (
            vec![ingress(
                "sgr-pl",
                Protocol::Tcp,
                ports(5432, 5432),
                pl("pl-partners"),
            )],
            "tcp 5432 from the whole IPv4 internet",
        ),
        (
            vec![ingress(
                "sgr-v6",
                Protocol::Udp,
                ports(11211, 11211),
                cidr("::/0"),
            )],
            "udp 11211 from the whole IPv6 internet",
        ),
    ];
    for (rules, expected) in cases {
        let f = run_one("sg-unused-open", &unused_group(rules).inv);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!((f[0].severity, f[0].status), (Severity::Low, Status::Fail));
        assert!(f[0].message.contains(expected), "{}", f[0].message);
        assert!(!f[0].message.contains("IPv4") || !expected.contains("IPv6"));
    }
}

#[test]
fn sg_unused_open_spares_used_groups_private_and_half_internet_sources() {
    let open = vec![ingress(
        "sgr-w",
        Protocol::Tcp,
        ports(22, 22),
        cidr("0.0.0.0/0"),
    )];
    let used = unused_group(open).eni("eni-1", &["10.0.1.10"], &["sg-spare"]);
    assert!(run_one("sg-unused-open", &used.inv).is_empty());
    let private = unused_group(vec![ingress(
        "sgr-p",
        Protocol::All,
        L4Match::Any,
        cidr("10.0.0.0/8"),
    )]);
    assert!(run_one("sg-unused-open", &private.inv).is_empty());
    let half = unused_group(vec![ingress(
        "sgr-h",
        Protocol::Tcp,
        ports(22, 22),
        cidr("0.0.0.0/1"),
    )]);
    assert!(run_one("sg-unused-open", &half.inv).is_empty());
}

// -- NACL accounts --

/// vpc-1 with subnet-1 behind `acl` (acl-1) and routed by rtb-1 with `routes`.
fn nacl_account(entries: Vec<NaclEntry>, routes: Vec<Route>) -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-1", "vpc-1")
        .igw("igw-1", "vpc-1")
        .nacl(acl("acl-1", entries), "vpc-1", false, &["subnet-1"])
        .route_table("rtb-1", "vpc-1", true, &["subnet-1"])
        .routes("rtb-1", routes)
}

fn public_routes() -> Vec<Route> {
    vec![
        route("10.0.0.0/16", RouteTarget::Local),
        route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
        route("::/0", RouteTarget::InternetGateway("igw-1".into())),
    ]
}

fn private_routes() -> Vec<Route> {
    vec![
        route("10.0.0.0/16", RouteTarget::Local),
        route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into())),
    ]
}

// -- nacl-admin-ports-open --

#[test]
fn nacl_admin_ports_open_is_high_on_internet_routed_subnets() {
    let cases: Vec<(Vec<NaclEntry>, &str)> = vec![
        // TCP 0-65535, not protocol -1: still every port.
        (
            vec![nacl_in(100, ALLOW, tcp(0, 65535), "0.0.0.0/0")],
            "tcp 22, tcp 3389 from the whole IPv4 internet",
        ),
        // The internet as two /1 halves, all protocols.
        (
            vec![
                nacl_in(100, ALLOW, ALL, "0.0.0.0/1"),
                nacl_in(110, ALLOW, ALL, "128.0.0.0/1"),
            ],
            "tcp 22, udp 22, tcp 3389, udp 3389 from the whole IPv4 internet",
        ),
        // UDP 3389 (RDP's UDP transport) counts.
        (
            vec![nacl_in(
                100,
                ALLOW,
                (Protocol::Udp, ports(3389, 3389)),
                "0.0.0.0/0",
            )],
            "udp 3389 from the whole IPv4 internet",
        ),
        // IPv6 only: judged on its own.
        (
            vec![nacl_in(100, ALLOW, tcp(22, 22), "::/0")],
            "tcp 22 from the whole IPv6 internet",
        ),
    ];
    for (entries, expected) in cases {
        let kit = nacl_account(entries, public_routes());
        let f = run_one("nacl-admin-ports-open", &kit.inv);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::High, "{}", f[0].message);
        assert!(f[0].message.contains(expected), "{}", f[0].message);
        assert!(f[0].related.iter().any(|r| r.id == "subnet-1"));
        if expected.contains("IPv6") {
            assert!(!f[0].message.contains("IPv4"), "{}", f[0].message);
        }
    }
}

#[test]
fn nacl_admin_ports_open_is_low_without_an_internet_route() {
    let kit = nacl_account(
        vec![nacl_in(100, ALLOW, tcp(0, 65535), "0.0.0.0/0")],
        private_routes(),
    );
    let f = run_one("nacl-admin-ports-open", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Low);
    // Only IPv6 open, and only IPv4 routed to the gateway: nothing arrives.
    let v4_routed = nacl_account(
        vec![nacl_in(100, ALLOW, tcp(22, 22), "::/0")],
        vec![route(
            "0.0.0.0/0",
            RouteTarget::InternetGateway("igw-1".into()),
        )],
    );
    let f = run_one("nacl-admin-ports-open", &v4_routed.inv);
    assert_eq!(f[0].severity, Severity::Low, "{f:#?}");
    // A public subnet whose only opening is the ephemeral reply rule (zero-egress's
    // public NACL): 3389 gets in through it, worth knowing, not an alarm (info).
    let replies = nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(443, 443), "10.0.0.0/16"),
            nacl_in(110, ALLOW, tcp(1024, 65535), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    let f = run_one("nacl-admin-ports-open", &replies.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].message.contains("tcp 3389") && !f[0].message.contains("tcp 22"));
}

#[test]
fn nacl_admin_ports_open_respects_rule_order_partial_sources_and_unused_nacls() {
    // Denies before the allow: in rule order, 22 and 3389 never get in.
    let denied = nacl_account(
        vec![
            nacl_in(90, DENY, tcp(22, 22), "0.0.0.0/0"),
            nacl_in(91, DENY, tcp(3389, 3389), "0.0.0.0/0"),
            nacl_in(100, ALLOW, tcp(0, 65535), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    assert!(run_one("nacl-admin-ports-open", &denied.inv).is_empty());
    // Half the internet, or private sources only, is not "the whole internet".
    let partial = nacl_account(
        vec![
            nacl_in(100, ALLOW, ALL, "0.0.0.0/1"),
            nacl_in(110, ALLOW, ALL, "10.0.0.0/8"),
        ],
        public_routes(),
    );
    assert!(run_one("nacl-admin-ports-open", &partial.inv).is_empty());
    // A NACL no subnet uses filters nothing.
    let mut unused = nacl_account(vec![], public_routes());
    unused = unused.nacl(open_acl("acl-spare"), "vpc-1", false, &[]);
    assert!(run_one("nacl-admin-ports-open", &unused.inv).is_empty());
    // NACLs that could not be listed are unknown, never a pass.
    let gap = Kit::new()
        .vpc("vpc-1")
        .gap(Operation::DescribeNetworkAcls, "not authorized");
    let f = run_one("nacl-admin-ports-open", &gap.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].status, f[0].resource.id.as_str()),
        (Status::Unknown, "vpc-1")
    );
}

// -- nacl-return-traffic-blocked --

#[test]
fn nacl_return_traffic_blocked_names_the_request_rule_and_missing_replies() {
    // SSH in from anywhere, but outbound only HTTPS: SSH replies are dropped.
    let kit = nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(22, 22), "0.0.0.0/0"),
            nacl_out(100, ALLOW, tcp(443, 443), "0.0.0.0/0"),
            nacl_in(110, ALLOW, tcp(1024, 65535), "0.0.0.0/0"),
            // DNS out over UDP, with only TCP replies allowed in.
            nacl_out(110, ALLOW, (Protocol::Udp, ports(53, 53)), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    let f = run_one("nacl-return-traffic-blocked", &kit.inv);
    assert_eq!(f.len(), 2, "{f:#?}");
    let ssh = f
        .iter()
        .find(|f| f.message.contains("inbound rule 100"))
        .expect("the SSH request rule");
    assert_eq!(ssh.severity, Severity::Medium);
    assert!(
        ssh.message.contains("replies tcp 32768-60999 to 0.0.0.0/0"),
        "{}",
        ssh.message
    );
    assert!(evidence(ssh).contains("request: rule 100: allow tcp 22 from 0.0.0.0/0"));
    assert!(evidence(ssh).contains("rule * denies tcp 32768"));
    let dns = f
        .iter()
        .find(|f| f.message.contains("outbound rule 110"))
        .expect("the DNS request rule");
    assert!(
        dns.message.contains("udp 32768-60999 from 0.0.0.0/0"),
        "{}",
        dns.message
    );
}

#[test]
fn nacl_return_traffic_blocked_spares_reply_rules_denied_requests_and_unused_nacls() {
    let kit = nacl_account(
        vec![
            // The zero-egress pattern: HTTPS from the VPC in, HTTPS anywhere out,
            // ephemeral reply rules both ways (the inbound one from anywhere, whose own
            // "replies" are not allowed back out: a reply rule, not a service).
            nacl_in(100, ALLOW, tcp(443, 443), "10.0.0.0/16"),
            nacl_in(110, ALLOW, tcp(1024, 65535), "0.0.0.0/0"),
            nacl_out(100, ALLOW, tcp(443, 443), "0.0.0.0/0"),
            nacl_out(110, ALLOW, tcp(1024, 65535), "10.0.0.0/16"),
            // SSH denied before it is allowed: no request ever gets through.
            nacl_in(50, DENY, tcp(22, 22), "0.0.0.0/0"),
            nacl_in(60, ALLOW, tcp(22, 22), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    let f = run_one("nacl-return-traffic-blocked", &kit.inv);
    assert!(f.is_empty(), "{f:#?}");
    let unused = Kit::new().vpc("vpc-1").nacl(
        acl("acl-1", vec![nacl_in(100, ALLOW, tcp(22, 22), "0.0.0.0/0")]),
        "vpc-1",
        false,
        &[],
    );
    assert!(run_one("nacl-return-traffic-blocked", &unused.inv).is_empty());
}

#[test]
fn nacl_return_traffic_blocked_is_low_when_an_allow_all_rule_only_loses_udp() {
    // Everything out, TCP replies back in: UDP (NTP, outside DNS) never returns.
    let kit = nacl_account(
        vec![
            nacl_out(100, ALLOW, ALL, "0.0.0.0/0"),
            nacl_in(100, ALLOW, tcp(1024, 65535), "0.0.0.0/0"),
        ],
        private_routes(),
    );
    let f = run_one("nacl-return-traffic-blocked", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Low);
    assert!(f[0].message.contains("udp 32768-60999"), "{}", f[0].message);
    assert!(!f[0].message.contains("icmp"), "{}", f[0].message);
}

// -- nacl-shadowed-rule --

#[test]
fn nacl_shadowed_rule_reports_a_deny_after_a_broad_allow_as_medium() {
    let kit = nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(0, 65535), "0.0.0.0/0"),
            nacl_in(200, DENY, tcp(22, 22), "0.0.0.0/0"),
            // Redundant allow: low.
            nacl_in(300, ALLOW, tcp(443, 443), "10.0.0.0/16"),
        ],
        public_routes(),
    );
    let f = run_one("nacl-shadowed-rule", &kit.inv);
    assert_eq!(f.len(), 2, "{f:#?}");
    let deny = f
        .iter()
        .find(|f| f.message.contains("rule 200"))
        .expect("200");
    assert_eq!(deny.severity, Severity::Medium);
    assert!(
        deny.message.contains("tcp 22 from 0.0.0.0/0"),
        "{}",
        deny.message
    );
    assert!(evidence(deny).contains("decided first by rule 100: allow tcp all from 0.0.0.0/0"));
    let redundant = f
        .iter()
        .find(|f| f.message.contains("rule 300"))
        .expect("300");
    assert_eq!(redundant.severity, Severity::Low);
}

#[test]
fn nacl_shadowed_rule_spares_denies_in_front_and_other_families() {
    let kit = nacl_account(
        vec![
            nacl_in(90, DENY, tcp(22, 22), "0.0.0.0/0"),
            nacl_in(100, ALLOW, ALL, "0.0.0.0/0"),
            // IPv6 is never matched by an IPv4 entry.
            nacl_in(110, DENY, tcp(22, 22), "::/0"),
            nacl_out(100, ALLOW, ALL, "0.0.0.0/0"),
        ],
        public_routes(),
    );
    let f = run_one("nacl-shadowed-rule", &kit.inv);
    assert!(f.is_empty(), "{f:#?}");
}

// -- vpcaudit.toml: [network] ephemeral_ports and trusted_cidrs --

const WIDE_EPHEMERAL: &str = "[network]\nephemeral_ports = \"1024-65535\"\n";

/// HTTPS in from anywhere, replies out on 32768-65535 only: enough for Linux
/// clients (32768-60999), not for clients on 1024-65535.
fn https_with_linux_replies() -> Kit {
    nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(443, 443), "0.0.0.0/0"),
            nacl_out(100, ALLOW, tcp(32768, 65535), "0.0.0.0/0"),
        ],
        public_routes(),
    )
}

#[test]
fn nacl_return_traffic_blocked_judges_replies_on_the_configured_ephemeral_range() {
    let kit = https_with_linux_replies();
    assert!(run_one("nacl-return-traffic-blocked", &kit.inv).is_empty());
    let f = run_one_with("nacl-return-traffic-blocked", &kit.inv, WIDE_EPHEMERAL);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("inbound rule 100")
            && f[0].message.contains("replies tcp 1024-32767 to 0.0.0.0/0"),
        "{}",
        f[0].message
    );
    // A reply rule covering the whole configured range passes.
    let wide = nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(443, 443), "0.0.0.0/0"),
            nacl_out(100, ALLOW, tcp(1024, 65535), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    assert!(run_one_with("nacl-return-traffic-blocked", &wide.inv, WIDE_EPHEMERAL).is_empty());
    // Windows' old range, 1025-5000: the rule 1025-5000 in is a reply rule (not a
    // request whose replies are missing), and 32768-65535 out is not enough.
    let windows = nacl_account(
        vec![
            nacl_in(100, ALLOW, tcp(443, 443), "0.0.0.0/0"),
            nacl_in(110, ALLOW, tcp(1025, 5000), "0.0.0.0/0"),
            nacl_out(100, ALLOW, tcp(32768, 65535), "0.0.0.0/0"),
        ],
        public_routes(),
    );
    let old = "[network]\nephemeral_ports = \"1025-5000\"\n";
    let f = run_one_with("nacl-return-traffic-blocked", &windows.inv, old);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("inbound rule 100") && f[0].message.contains("tcp 1025-5000"),
        "{}",
        f[0].message
    );
}

/// eni-web (public 198.51.100.10) in the public subnet behind an open NACL, its
/// group opening `rules`.
fn public_web(rules: Vec<SecurityGroupRule>) -> Kit {
    let mut open = open_acl("acl-1");
    open.entries.retain(|e| e.rule_number < 32767);
    nacl_account(open.entries, public_routes())
        .group("sg-web", "web", rules)
        .eni("eni-web", &["10.0.1.10"], &["sg-web"])
        .public_ip("198.51.100.10")
}

#[test]
fn internet_exposure_undecided_only_for_icmp_replies_is_info() {
    // Every ICMP message allowed in: only echo requests are modelled, so replies to
    // the rest are undecided, with little at stake.
    let all_icmp = vec![ingress(
        "sgr-icmp",
        Protocol::Icmp,
        icmp(None),
        cidr("0.0.0.0/0"),
    )];
    let unknown = |kit: &Kit| -> Vec<Finding> {
        run_one("internet-exposed-port", &kit.inv)
            .into_iter()
            .filter(|f| f.status == Status::Unknown)
            .collect()
    };
    let f = unknown(&public_web(all_icmp.clone()));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("are not modelled"),
        "{}",
        f[0].message
    );
    // Replies to part of the internet going through an endpoint are undecided too,
    // for more than ICMP: no longer only a little at stake.
    let mut kit = public_web(all_icmp);
    let through_endpoint = route("8.8.8.0/24", RouteTarget::VpcEndpoint("vpce-fw".into()));
    kit = kit.routes("rtb-1", vec![through_endpoint]);
    let f = unknown(&kit);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_ne!(f[0].severity, Severity::Info, "{f:#?}");
    assert!(f[0].message.contains("vpce-fw"), "{}", f[0].message);
}

#[test]
fn internet_exposure_needs_replies_on_the_configured_ephemeral_range() {
    let mut kit = https_with_linux_replies()
        .group(
            "sg-web",
            "web",
            vec![ingress(
                "sgr-https",
                Protocol::Tcp,
                ports(443, 443),
                cidr("0.0.0.0/0"),
            )],
        )
        .eni("eni-web", &["10.0.1.10"], &["sg-web"])
        .public_ip("198.51.100.10");
    kit.region().subnets[0].ipv4_cidr = Some("10.0.1.0/24".parse().unwrap());
    let f = run_one("internet-exposed-port", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("tcp 443"), "{}", f[0].message);
    // Clients on 1024-65535 never get their replies: nothing completes.
    let f = run_one_with("internet-exposed-port", &kit.inv, WIDE_EPHEMERAL);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn trusted_cidrs_are_not_internet_exposure_but_the_world_still_is() {
    let office = "[network]\ntrusted_cidrs = [\"81.2.69.0/24\"]\n";
    let ssh = |peer: &str| {
        public_web(vec![ingress(
            "sgr-ssh",
            Protocol::Tcp,
            ports(22, 22),
            cidr(peer),
        )])
    };
    // Open to the office only: part of the internet by default, nothing trusted.
    let kit = ssh("81.2.69.0/24");
    let f = run_one("internet-exposed-port", &kit.inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::High);
    assert!(run_one_with("internet-exposed-port", &kit.inv, office).is_empty());
    // A wider trusted block covers it too; a narrower one leaves the rest exposed.
    let wider = "[network]\ntrusted_cidrs = [\"81.2.68.0/23\"]\n";
    assert!(run_one_with("internet-exposed-port", &kit.inv, wider).is_empty());
    let narrower = "[network]\ntrusted_cidrs = [\"81.2.69.0/25\"]\n";
    let f = run_one_with("internet-exposed-port", &kit.inv, narrower);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        evidence(&f[0]).contains("81.2.69.0/25"),
        "{}",
        evidence(&f[0])
    );
    // Open to everyone: still the whole internet, still critical.
    let kit = ssh("0.0.0.0/0");
    let plain = run_one("internet-exposed-port", &kit.inv);
    let f = run_one_with("internet-exposed-port", &kit.inv, office);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].severity, plain[0].severity);
    assert_eq!(f[0].fingerprint, plain[0].fingerprint);
    assert!(
        f[0].message.contains("tcp 22 from the whole internet"),
        "{}",
        f[0].message
    );
    assert!(
        evidence(&f[0])
            .contains("[network] trusted_cidrs :: not internet exposure: tcp 22 from 81.2.69.0/24"),
        "{}",
        evidence(&f[0])
    );
}

#[test]
fn trusted_cidrs_are_not_lateral_footholds() {
    let mut kit = public_web(vec![
        ingress(
            "sgr-ssh",
            Protocol::Tcp,
            ports(22, 22),
            cidr("81.2.69.0/24"),
        ),
        egress("sgr-out", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
    ])
    .group(
        "sg-db",
        "db",
        vec![ingress(
            "sgr-pg",
            Protocol::Tcp,
            ports(5432, 5432),
            cidr("10.0.0.0/16"),
        )],
    )
    .eni("eni-db", &["10.0.1.20"], &["sg-db"]);
    kit.region()
        .network_interfaces
        .last_mut()
        .unwrap()
        .tags
        .insert("vpcaudit:crown-jewel".into(), "true".into());
    let f = run_one("lateral-movement-path", &kit.inv);
    assert!(
        f.iter()
            .any(|f| f.resource.id == "eni-db" && f.message.contains("eni-web")),
        "{f:#?}"
    );
    let office = "[network]\ntrusted_cidrs = [\"81.2.69.0/24\"]\n";
    let f = run_one_with("lateral-movement-path", &kit.inv, office);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn sg_internal_cidr_trust_spares_trusted_ranges() {
    let kit = trusting(
        vec![ingress(
            "sgr-ssh",
            Protocol::Tcp,
            ports(22, 22),
            cidr("10.0.0.0/8"),
        )],
        true,
    );
    assert_eq!(run_one("sg-internal-cidr-trust", &kit.inv).len(), 1);
    // The whole block trusted: nothing left to narrow.
    let all = "[network]\ntrusted_cidrs = [\"10.0.0.0/8\"]\n";
    assert!(run_one_with("sg-internal-cidr-trust", &kit.inv, all).is_empty());
    // A VPN pool inside it: the rest of the block still covers vpc-1.
    let vpn = "[network]\ntrusted_cidrs = [\"10.200.0.0/16\"]\n";
    let f = run_one_with("sg-internal-cidr-trust", &kit.inv, vpn);
    assert_eq!(f.len(), 1, "{f:#?}");
    let ev = evidence(&f[0]);
    assert!(ev.contains("10.200.0.0/16 trusted"), "{ev}");
    assert!(ev.contains("tcp 22 from 10.0.0.0/9"), "{ev}");
    assert!(!f[0].message.contains("10.200.0.0/16"), "{}", f[0].message);
    // The VPC itself trusted: the pieces covering it are gone, and with them the
    // finding (the rest of 10.0.0.0/8 holds no VPC a reference could name).
    let own = "[network]\ntrusted_cidrs = [\"10.0.0.0/16\"]\n";
    assert!(run_one_with("sg-internal-cidr-trust", &kit.inv, own).is_empty());
    // A rule naming the VPC's own CIDR with a /24 of it trusted: the rest of the VPC
    // is still open to the whole range.
    let kit = trusting(
        vec![ingress(
            "sgr-vpc",
            Protocol::Tcp,
            ports(22, 22),
            cidr("10.0.0.0/16"),
        )],
        true,
    );
    assert_eq!(run_one("sg-internal-cidr-trust", &kit.inv).len(), 1);
    let part = "[network]\ntrusted_cidrs = [\"10.0.0.0/24\"]\n";
    let f = run_one_with("sg-internal-cidr-trust", &kit.inv, part);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(evidence(&f[0]).contains("10.0.0.0/24 trusted"), "{f:#?}");
    assert!(run_one_with("sg-internal-cidr-trust", &kit.inv, own).is_empty());
}

// -- peering-route-too-broad --

/// vpc-1 (10.0.0.0/16) peered over pcx-1 with vpc-2 (10.1.0.0/16, 2600:1f18::/56);
/// rtb-1 of vpc-1 holds `routes`.
fn peered(routes: Vec<Route>) -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .peering("pcx-1", "active", "vpc-1", "vpc-2")
        .peering_cidrs(
            "pcx-1",
            &["10.0.0.0/16"],
            &["10.1.0.0/16", "2600:1f18::/56"],
        )
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", routes)
        .prefix_list("pl-wide", &["10.1.0.0/16", "10.9.0.0/16"])
}

fn to_pcx(dest: &str) -> Route {
    route(dest, RouteTarget::VpcPeeringConnection("pcx-1".into()))
}

#[test]
fn peering_route_too_broad_flags_routes_wider_than_the_peer() {
    let kit = peered(vec![
        to_pcx("10.0.0.0/8"),
        to_pcx("pl-wide"),
        to_pcx("::/0"),
    ]);
    let f = run_one("peering-route-too-broad", &kit.inv);
    assert_eq!(f.len(), 3, "{f:#?}");
    for f in &f {
        assert_eq!((f.severity, f.status), (Severity::Medium, Status::Fail));
        assert_eq!(f.resource.id, "rtb-1");
        assert!(f.related.iter().any(|r| r.id == "pcx-1"));
    }
    let pl = f
        .iter()
        .find(|f| f.message.contains("pl-wide"))
        .expect("pl");
    assert!(
        pl.message.contains("10.9.0.0/16 lies outside it"),
        "{}",
        pl.message
    );
}

#[test]
fn peering_route_too_broad_spares_routes_within_the_peer() {
    let kit = peered(vec![
        route("10.0.0.0/16", RouteTarget::Local),
        to_pcx("10.1.0.0/16"),
        to_pcx("10.1.5.0/24"),
        to_pcx("2600:1f18::/56"),
    ]);
    assert!(run_one("peering-route-too-broad", &kit.inv).is_empty());
    // A peering that was not collected is unknown, never a pass.
    let missing = Kit::new()
        .vpc("vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", vec![to_pcx("10.0.0.0/8")]);
    let f = run_one("peering-route-too-broad", &missing.inv);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Unknown);
}

// -- the demo inventory (mocks/scenarios/leaky-three-tier.yaml) --

/// (check, resource name, severity) of what the six checks report on the demo.
fn demo_findings() -> Vec<(String, String, Severity)> {
    let inv = crate::demo::inventory().expect("the built-in demo loads");
    [
        "sg-internal-cidr-trust",
        "sg-unused-open",
        "nacl-admin-ports-open",
        "nacl-return-traffic-blocked",
        "nacl-shadowed-rule",
        "peering-route-too-broad",
    ]
    .iter()
    .flat_map(|id| run_one(id, &inv))
    .map(|f| {
        let name = f.resource.name.clone().unwrap_or(f.resource.id.clone());
        (f.check, name, f.severity)
    })
    .collect()
}

#[test]
fn demo_scenario_risks_are_reported() {
    let found = demo_findings();
    let has = |check: &str, name: &str, sev: Severity| {
        found
            .iter()
            .any(|(c, n, s)| c == check && n == name && *s == sev)
    };
    // risk: redis and ops SSH open to all of 10/8; memcached TCP to the whole VPC.
    for g in ["lk-redis-sg", "lk-shared-tools-sg", "lk-eu-cache-sg"] {
        assert!(
            has("sg-internal-cidr-trust", g, Severity::Medium),
            "{g}: {found:#?}"
        );
    }
    // risk: shadowed denies (web 200 behind the TCP allow, app 120 behind 1024-65535).
    for n in ["lk-prod-web-nacl", "lk-prod-app-nacl"] {
        assert!(
            has("nacl-shadowed-rule", n, Severity::Medium),
            "{n}: {found:#?}"
        );
    }
    // TCP 0-65535 from anywhere on public web subnets; SSH over IPv6 on the v6 subnet.
    for n in ["lk-prod-web-nacl", "lk-v6-nacl"] {
        assert!(
            has("nacl-admin-ports-open", n, Severity::High),
            "{n}: {found:#?}"
        );
    }
    // The 1024-65535 "reply" rule lets RDP in from anywhere: info (every stateless
    // NACL in front of internet traffic needs such a rule).
    assert!(has(
        "nacl-admin-ports-open",
        "lk-prod-app-nacl",
        Severity::Info
    ));
    // The v6 NACL allows no IPv4 replies at all: IPv4 egress from it is broken.
    assert!(has(
        "nacl-return-traffic-blocked",
        "lk-v6-nacl",
        Severity::Medium
    ));
}

#[test]
fn demo_scenario_reports_no_false_positives() {
    let found = demo_findings();
    // The split-world bastion and the prefix list holding 0.0.0.0/0 are exposure,
    // the group references are scoped: none of them is internal trust.
    for g in [
        "lk-split-world-sg",
        "lk-partner-access-sg",
        "lk-app-sg",
        "lk-db-sg",
    ] {
        assert!(
            !found
                .iter()
                .any(|(c, n, _)| c == "sg-internal-cidr-trust" && n == g),
            "{g}: {found:#?}"
        );
    }
    // Every peering route of the demo but one is exactly the peer VPC's CIDR.
    let broad: Vec<_> = found
        .iter()
        .filter(|(c, _, _)| c == "peering-route-too-broad")
        .collect();
    assert_eq!(broad.len(), 1, "{broad:#?}");
    assert_eq!(broad[0].1, "lk-shared-priv-rt-b");
    assert_eq!(broad[0].2, Severity::Medium);
    // The only unused group open to the world is the spare SSH group.
    let unused: Vec<_> = found
        .iter()
        .filter(|(c, _, _)| c == "sg-unused-open")
        .map(|(_, n, s)| (n.as_str(), *s))
        .collect();
    assert_eq!(unused, [("lk-spare-ssh-sg", Severity::Low)]);
    // The legacy default NACL denies TCP 3389 before its allow-all: only SSH and
    // UDP remain, and its subnets route through the firewall, not a gateway.
    assert!(!found.iter().any(|(c, n, s)| {
        c == "nacl-admin-ports-open" && n == "lk-legacy-default-nacl" && *s != Severity::Low
    }));
}
