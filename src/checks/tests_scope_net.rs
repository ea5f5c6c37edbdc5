//! Pass evidence of the security-group, NACL, subnet, exposure and peering checks:
//! each judges the resources its findings could name, says why one with no finding
//! passes, and marks what its question does not apply to.

use std::collections::BTreeSet;

use crate::checks::judge::{judge, Judged};
use crate::checks::registry;
use crate::finding::Judgement;
use crate::inventory::{
    Direction, Inventory, L4Match, LoadBalancerType, NaclAction, NaclEntry, Operation, Protocol,
    RouteState, RouteTarget,
};
use crate::reach::testkit::*;

/// `judge_one` with a config (`toml`), asserting as the registry's guard does that
/// the scope lists each resource once and holds every finding's resource.
fn judged_with(id: &str, inv: &Inventory, toml: &str) -> Judged {
    let all = registry::all().expect("metadata parses");
    let selected: Vec<&registry::Registered> = all.iter().filter(|r| r.meta.id == id).collect();
    assert_eq!(selected.len(), 1, "no check {id}");
    let config = crate::config::Config::parse(toml).expect("test config parses");
    let model = crate::reach::Model::build(inv);
    let ctx = crate::checks::Context::with_config(inv, &model, config);
    let findings = registry::run(&selected, &ctx);
    let scopes = registry::scopes(&selected, &ctx);
    let scope = scopes[0].scope.as_ref().expect("the check lists its scope");
    let keys: BTreeSet<(&str, &str)> = scope
        .iter()
        .map(|s| (s.resource.resource_type.as_str(), s.resource.id.as_str()))
        .collect();
    assert_eq!(keys.len(), scope.len(), "{id}: a resource listed twice");
    for f in &findings {
        let k = (f.resource.resource_type.as_str(), f.resource.id.as_str());
        assert!(keys.contains(&k), "{id}: {k:?} is outside the scope");
    }
    judge(&scopes, &findings)
}

/// The default config, through the registry's own test entry point, checked by
/// [`judged_with`] as well.
fn judged(id: &str, inv: &Inventory) -> Judged {
    let j = registry::judge_one(id, inv);
    let again = judged_with(id, inv, "");
    assert_eq!(j.evaluated, again.evaluated);
    j
}

/// The judgement and reason of the resource `id`.
fn of<'j>(j: &'j Judged, id: &str) -> (Judgement, &'j str) {
    let found: Vec<_> = j.evaluated.iter().filter(|e| e.resource.id == id).collect();
    assert_eq!(found.len(), 1, "{id} in {:#?}", j.evaluated);
    (found[0].judgement, found[0].reason.as_str())
}

fn pass<'j>(j: &'j Judged, id: &str) -> &'j str {
    let (judgement, reason) = of(j, id);
    assert_eq!(judgement, Judgement::Pass, "{id}: {reason}");
    reason
}

fn ids(j: &Judged) -> Vec<&str> {
    j.evaluated.iter().map(|e| e.resource.id.as_str()).collect()
}

fn nacl_in(n: i32, action: NaclAction, protocol: Protocol, l4: L4Match, c: &str) -> NaclEntry {
    entry(n, Direction::Ingress, action, protocol, l4, c)
}

fn nacl_out(n: i32, action: NaclAction, protocol: Protocol, l4: L4Match, c: &str) -> NaclEntry {
    entry(n, Direction::Egress, action, protocol, l4, c)
}

fn pl(id: &str) -> crate::inventory::RulePeer {
    crate::inventory::RulePeer::PrefixList { id: id.into() }
}

const ALLOW: NaclAction = NaclAction::Allow;
const DENY: NaclAction = NaclAction::Deny;

fn igw() -> RouteTarget {
    RouteTarget::InternetGateway("igw-1".into())
}

/// vpc-1 (10.0.0.0/16): subnet-1 routed to igw-1 by rtb-1, subnet-2 with a local
/// route only (rtb-2); every NACL open.
fn network() -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .vpc_cidrs("vpc-1", &["10.0.0.0/16"])
        .subnet("subnet-1", "vpc-1")
        .subnet("subnet-2", "vpc-1")
        .igw("igw-1", "vpc-1")
        .nacl(open_acl("acl-open"), "vpc-1", true, &[])
        .route_table("rtb-1", "vpc-1", false, &["subnet-1"])
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", igw()),
            ],
        )
        .route_table("rtb-2", "vpc-1", true, &[])
        .routes("rtb-2", vec![route("10.0.0.0/16", RouteTarget::Local)])
}

// -- egress-world-open --

#[test]
fn egress_world_open_names_the_destinations_of_a_group_that_passes() {
    let kit = network()
        .prefix_list("pl-s3", &["52.218.0.0/17"])
        .group(
            "sg-open",
            "open",
            vec![egress(
                "sgr-all",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .group(
            "sg-narrow",
            "narrow",
            vec![
                egress("sgr-a", Protocol::Tcp, ports(443, 443), cidr("10.0.0.0/8")),
                egress("sgr-b", Protocol::Tcp, ports(443, 443), pl("pl-s3")),
                // SSH to the whole internet is not what this check asks about.
                egress("sgr-c", Protocol::Tcp, ports(22, 22), cidr("0.0.0.0/0")),
                egress("sgr-d", Protocol::Tcp, ports(80, 80), cidr("10.0.0.0/8")),
            ],
        )
        .group("sg-closed", "closed", vec![])
        .group(
            "sg-spare",
            "spare",
            vec![egress(
                "sgr-s",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .group(
            "sg-lb",
            "lb",
            vec![egress(
                "sgr-l",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .eni(
            "eni-a",
            &["10.0.1.10"],
            &["sg-open", "sg-narrow", "sg-closed"],
        )
        .placed("vpc-1", "subnet-1")
        .eni("eni-node", &["10.0.1.20"], &["sg-lb"])
        .placed("vpc-1", "subnet-1")
        .described("ELB net/edge/1234");
    let j = judged("egress-world-open", &kit.inv);
    assert_eq!(of(&j, "sg-open").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "sg-narrow"),
        "egress to 10.0.0.0/8, pl-s3, 0.0.0.0/0; none lets all traffic, tcp 80 or tcp 443 out to the whole internet"
    );
    assert_eq!(pass(&j, "sg-closed"), "no egress rule: it lets nothing out");
    assert_eq!(
        of(&j, "sg-spare"),
        (
            Judgement::NotApplicable,
            "no ENI carries it: its egress rules let nothing out today"
        )
    );
    assert_eq!(
        of(&j, "sg-lb"),
        (
            Judgement::NotApplicable,
            "carried only by load balancer nodes, which open no connection of their own choosing"
        )
    );
}

#[test]
fn egress_world_open_passes_nothing_when_groups_were_not_collected() {
    let kit = network()
        .group("sg-closed", "closed", vec![])
        .eni("eni-a", &["10.0.1.10"], &["sg-closed"])
        .gap(Operation::DescribeSecurityGroupRules, "not authorized");
    let j = judged("egress-world-open", &kit.inv);
    assert_eq!(ids(&j), ["vpc-1"]);
    assert_eq!(j.evaluated[0].judgement, Judgement::Unknown);
}

// -- internet-exposed-port --

const ALB: &str = "app/web/50dc6c495c0c9188";
const TG_APP: &str = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/app/1";

/// [`network`] plus: eni-node of the ALB `web` in subnet-1 (its group admits
/// `alb_from` on 443) forwarding to eni-app (private, subnet-2) on 8080; eni-ssh
/// (public, subnet-1) opening 22 to the world; eni-shut (public, subnet-1) whose
/// group admits nothing; eni-dark (public, subnet-2, no route to the gateway).
fn exposed(alb_from: &str) -> Kit {
    let out = || egress("sgr-out", Protocol::All, L4Match::Any, cidr("0.0.0.0/0"));
    network()
        .group(
            "sg-alb",
            "alb",
            vec![
                ingress("sgr-443", Protocol::Tcp, ports(443, 443), cidr(alb_from)),
                out(),
            ],
        )
        .group(
            "sg-app",
            "app",
            vec![
                ingress(
                    "sgr-8080",
                    Protocol::Tcp,
                    ports(8080, 8080),
                    group_peer("sg-alb"),
                ),
                out(),
            ],
        )
        .group(
            "sg-ssh",
            "ssh",
            vec![
                ingress("sgr-22", Protocol::Tcp, ports(22, 22), cidr("0.0.0.0/0")),
                out(),
            ],
        )
        .group("sg-shut", "shut", vec![out()])
        .eni("eni-node", &["10.0.1.5"], &["sg-alb"])
        .placed("vpc-1", "subnet-1")
        .public_ip("203.0.113.5")
        .described(&format!("ELB {ALB}"))
        .eni("eni-app", &["10.0.2.10"], &["sg-app"])
        .placed("vpc-1", "subnet-2")
        .instance_of_last("i-app")
        .eni("eni-ssh", &["10.0.1.30"], &["sg-ssh"])
        .placed("vpc-1", "subnet-1")
        .public_ip("203.0.113.30")
        .eni("eni-shut", &["10.0.1.40"], &["sg-shut"])
        .placed("vpc-1", "subnet-1")
        .public_ip("203.0.113.40")
        .eni("eni-dark", &["10.0.2.50"], &["sg-ssh"])
        .placed("vpc-1", "subnet-2")
        .public_ip("203.0.113.50")
        .load_balancer(
            ALB,
            LoadBalancerType::Application,
            &["sg-alb"],
            &[("HTTPS", 443, &[TG_APP])],
        )
        .target_group(TG_APP, "instance", "HTTP", 8080, Some(&[("i-app", None)]))
}

#[test]
fn internet_exposed_port_says_what_keeps_the_internet_out() {
    // The ALB takes nothing from the internet: its target group is judged there.
    let j = judged("internet-exposed-port", &exposed("10.0.0.0/8").inv);
    assert_eq!(of(&j, "eni-ssh").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "eni-shut"),
        "public address, but its security groups (sg-shut) and its subnet's network ACL let no connection in from the internet"
    );
    assert_eq!(
        pass(&j, "eni-dark"),
        "public address, but no reply route to an internet gateway"
    );
    assert_eq!(pass(&j, "eni-app"), "no public IPv4 or IPv6 address");
    assert_eq!(
        pass(&j, TG_APP),
        "no node of load balancer web lets the internet in on the listeners forwarding to it"
    );
    assert_eq!(
        of(&j, "eni-node"),
        (
            Judgement::NotApplicable,
            "load balancer node: it answers only on its listeners, and what gets through is judged on its targets"
        )
    );
}

#[test]
fn internet_exposed_port_judges_load_balancer_targets_on_the_target() {
    // Open to the world: the target fails, and the target group is no longer judged
    // (its path reaches a target ENI).
    let j = judged("internet-exposed-port", &exposed("0.0.0.0/0").inv);
    assert_eq!(of(&j, "eni-app").0, Judgement::Fail);
    assert!(!ids(&j).contains(&TG_APP), "{:#?}", j.evaluated);
    // Open to trusted sources only: a pass that says so.
    let office = "[network]\ntrusted_cidrs = [\"81.2.69.0/24\"]\n";
    let j = judged_with(
        "internet-exposed-port",
        &exposed("81.2.69.0/24").inv,
        office,
    );
    assert_eq!(
        pass(&j, "eni-app"),
        "no public IPv4 or IPv6 address; load balancers forward to it from [network] trusted_cidrs only"
    );
}

// -- sg-default-allows-traffic --

#[test]
fn sg_default_allows_traffic_judges_default_groups_only() {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .group("sg-d1", "default", vec![])
        .group(
            "sg-d2",
            "default",
            vec![ingress(
                "sgr-self",
                Protocol::All,
                L4Match::Any,
                group_peer("sg-d2"),
            )],
        )
        .group("sg-app", "app", vec![]);
    kit.region().security_groups[1].vpc_id = Some("vpc-2".into());
    let j = judged("sg-default-allows-traffic", &kit.inv);
    assert_eq!(
        pass(&j, "sg-d1"),
        "the default group of vpc-1 has no inbound or outbound rule"
    );
    assert_eq!(of(&j, "sg-d2").0, Judgement::Fail);
    assert_eq!(ids(&j), ["sg-d1", "sg-d2"]);
    // Groups not collected: the VPCs are unknown, nothing passes.
    let kit = kit.gap(Operation::DescribeSecurityGroups, "not authorized");
    let j = judged("sg-default-allows-traffic", &kit.inv);
    assert_eq!(ids(&j), ["vpc-1", "vpc-2"]);
    assert!(j
        .evaluated
        .iter()
        .all(|e| e.judgement == Judgement::Unknown));
}

// -- subnet-auto-public-ip --

#[test]
fn subnet_auto_public_ip_judges_every_subnet() {
    let mut kit = network();
    kit.region().subnets[1].map_public_ip_on_launch = true;
    let j = judged("subnet-auto-public-ip", &kit.inv);
    assert_eq!(
        pass(&j, "subnet-1"),
        "MapPublicIpOnLaunch is off: a new ENI gets a public IPv4 address only when asked for one"
    );
    assert_eq!(of(&j, "subnet-2").0, Judgement::Fail);
}

// -- sg-internal-cidr-trust --

#[test]
fn sg_internal_cidr_trust_reasons_follow_the_ingress_rules() {
    let mut kit = network()
        .group(
            "sg-db",
            "db",
            vec![ingress(
                "sgr-ssh",
                Protocol::Tcp,
                ports(22, 22),
                cidr("10.0.0.0/8"),
            )],
        )
        .group(
            "sg-web",
            "web",
            vec![
                ingress(
                    "sgr-443",
                    Protocol::Tcp,
                    ports(443, 443),
                    cidr("10.0.0.0/8"),
                ),
                ingress("sgr-22", Protocol::Tcp, ports(22, 22), cidr("10.0.1.0/24")),
            ],
        )
        .group(
            "sg-ref",
            "ref",
            vec![ingress(
                "sgr-ref",
                Protocol::Tcp,
                ports(5432, 5432),
                group_peer("sg-web"),
            )],
        )
        .group("sg-none", "none", vec![])
        .group("sg-classic", "classic", vec![]);
    kit.region().security_groups[4].vpc_id = None;
    let j = judged("sg-internal-cidr-trust", &kit.inv);
    assert_eq!(of(&j, "sg-db").0, Judgement::Fail);
    let wide = "its 2 ingress rule(s) naming addresses open no administration or data-store port to a broad internal range a group reference could name, except as part of the whole internet";
    assert_eq!(pass(&j, "sg-web"), wide);
    assert_eq!(pass(&j, "sg-ref"), "ingress only from group references");
    assert_eq!(pass(&j, "sg-none"), "no ingress rule");
    assert_eq!(
        of(&j, "sg-classic"),
        (
            Judgement::NotApplicable,
            "in no VPC: no group reference could name its sources"
        )
    );
    // Trusted ranges are taken out before judging: the reason says so.
    let j = judged_with(
        "sg-internal-cidr-trust",
        &kit.inv,
        "[network]\ntrusted_cidrs = [\"10.0.0.0/8\"]\n",
    );
    assert_eq!(
        pass(&j, "sg-db"),
        "its 1 ingress rule(s) naming addresses open no administration or data-store port to a broad internal range a group reference could name, except as part of the whole internet ([network] trusted_cidrs aside)"
    );
}

// -- sg-unused-open --

#[test]
fn sg_unused_open_judges_unused_groups_and_says_what_was_verified() {
    let kit = network()
        .group(
            "sg-spare",
            "spare",
            vec![ingress(
                "sgr-w",
                Protocol::Tcp,
                ports(22, 22),
                cidr("0.0.0.0/0"),
            )],
        )
        .group(
            "sg-private",
            "private",
            vec![ingress(
                "sgr-p",
                Protocol::All,
                L4Match::Any,
                cidr("10.0.0.0/8"),
            )],
        )
        .group(
            "sg-used",
            "used",
            vec![ingress(
                "sgr-u",
                Protocol::Tcp,
                ports(22, 22),
                cidr("0.0.0.0/0"),
            )],
        )
        .eni("eni-1", &["10.0.1.10"], &["sg-used"]);
    let j = judged("sg-unused-open", &kit.inv);
    assert_eq!(of(&j, "sg-spare").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "sg-private"),
        "attached to no ENI, and its ingress opens nothing to the whole IPv4 or IPv6 internet"
    );
    assert_eq!(
        of(&j, "sg-used"),
        (
            Judgement::NotApplicable,
            "in use: an ENI carries it, so what it opens is judged as exposure"
        )
    );
    // ENIs not listed: "unused" is not claimed, and the open group is unknown.
    let kit = kit.gap(Operation::DescribeNetworkInterfaces, "not authorized");
    let j = judged("sg-unused-open", &kit.inv);
    assert_eq!(
        pass(&j, "sg-private"),
        "its ingress opens nothing to the whole IPv4 or IPv6 internet"
    );
    assert_eq!(of(&j, "sg-spare").0, Judgement::Unknown);
}

// -- nacl-admin-ports-open --

#[test]
fn nacl_admin_ports_open_passes_a_nacl_that_denies_first() {
    let kit = network()
        .nacl(
            acl(
                "acl-1",
                vec![nacl_in(
                    100,
                    ALLOW,
                    Protocol::Tcp,
                    ports(0, 65535),
                    "0.0.0.0/0",
                )],
            ),
            "vpc-1",
            false,
            &["subnet-1"],
        )
        .nacl(
            acl(
                "acl-2",
                vec![
                    nacl_in(90, DENY, Protocol::Tcp, ports(22, 22), "0.0.0.0/0"),
                    nacl_in(91, DENY, Protocol::Tcp, ports(3389, 3389), "0.0.0.0/0"),
                    nacl_in(100, ALLOW, Protocol::Tcp, ports(0, 65535), "0.0.0.0/0"),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-2"],
        )
        .nacl(open_acl("acl-spare"), "vpc-1", false, &[]);
    let j = judged("nacl-admin-ports-open", &kit.inv);
    assert_eq!(of(&j, "acl-1").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "acl-2"),
        "no inbound rule lets tcp or udp 22 or 3389 in from the whole IPv4 or IPv6 internet before a deny (it governs subnet-2)"
    );
    assert_eq!(
        of(&j, "acl-spare"),
        (
            Judgement::NotApplicable,
            "associated with no subnet: it filters nothing"
        )
    );
    // The default NACL governs no subnet here either (each has its own).
    assert_eq!(of(&j, "acl-open").0, Judgement::NotApplicable);
    let gap = Kit::new()
        .vpc("vpc-1")
        .gap(Operation::DescribeNetworkAcls, "not authorized");
    let j = judged("nacl-admin-ports-open", &gap.inv);
    assert_eq!(ids(&j), ["vpc-1"]);
    assert_eq!(j.evaluated[0].judgement, Judgement::Unknown);
}

// -- nacl-return-traffic-blocked --

#[test]
fn nacl_return_traffic_blocked_counts_the_request_rules_that_get_replies() {
    let kit = network()
        .nacl(
            acl(
                "acl-1",
                vec![
                    nacl_in(100, ALLOW, Protocol::Tcp, ports(22, 22), "0.0.0.0/0"),
                    nacl_out(100, ALLOW, Protocol::Tcp, ports(443, 443), "0.0.0.0/0"),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-1"],
        )
        .nacl(
            acl(
                "acl-2",
                vec![
                    nacl_in(100, ALLOW, Protocol::Tcp, ports(443, 443), "0.0.0.0/0"),
                    nacl_out(110, ALLOW, Protocol::Tcp, ports(1024, 65535), "0.0.0.0/0"),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-2"],
        );
    let j = judged("nacl-return-traffic-blocked", &kit.inv);
    assert_eq!(of(&j, "acl-1").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "acl-2"),
        "the replies to what its 1 request rule(s) let through are allowed back (client ports 32768-60999)"
    );
    assert_eq!(
        of(&j, "acl-open"),
        (
            Judgement::NotApplicable,
            "associated with no subnet: it carries no connection"
        )
    );
    // The configured client range is the one named.
    let wide = "[network]\nephemeral_ports = \"1024-65535\"\n";
    let j = judged_with("nacl-return-traffic-blocked", &kit.inv, wide);
    assert_eq!(
        pass(&j, "acl-2"),
        "the replies to what its 1 request rule(s) let through are allowed back (client ports 1024-65535)"
    );
}

// -- nacl-shadowed-rule --

#[test]
fn nacl_shadowed_rule_judges_every_nacl() {
    let kit = network()
        .nacl(
            acl(
                "acl-1",
                vec![
                    nacl_in(100, ALLOW, Protocol::Tcp, ports(0, 65535), "0.0.0.0/0"),
                    nacl_in(200, DENY, Protocol::Tcp, ports(22, 22), "0.0.0.0/0"),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-1"],
        )
        .nacl(
            acl(
                "acl-2",
                vec![
                    nacl_in(90, DENY, Protocol::Tcp, ports(22, 22), "0.0.0.0/0"),
                    nacl_in(100, ALLOW, Protocol::All, L4Match::Any, "0.0.0.0/0"),
                ],
            ),
            "vpc-1",
            false,
            &[],
        )
        .nacl(acl("acl-3", vec![]), "vpc-1", false, &["subnet-2"]);
    let j = judged("nacl-shadowed-rule", &kit.inv);
    assert_eq!(of(&j, "acl-1").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "acl-2"),
        "each of its 2 numbered rule(s) decides some packet no lower-numbered rule does"
    );
    assert_eq!(pass(&j, "acl-3"), "it has only the default * rules");
}

// -- peering-route-too-broad --

fn to_pcx(dest: &str) -> crate::inventory::Route {
    route(dest, RouteTarget::VpcPeeringConnection("pcx-1".into()))
}

#[test]
fn peering_route_too_broad_names_the_routes_that_stay_within_the_peer() {
    let kit = Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .peering("pcx-1", "active", "vpc-1", "vpc-2")
        .peering_cidrs(
            "pcx-1",
            &["10.0.0.0/16"],
            &["10.1.0.0/16", "2600:1f18::/56"],
        )
        .route_table("rtb-wide", "vpc-1", true, &[])
        .routes("rtb-wide", vec![to_pcx("10.0.0.0/8")])
        .route_table("rtb-fit", "vpc-1", false, &[])
        .routes(
            "rtb-fit",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                to_pcx("10.1.0.0/16"),
                to_pcx("2600:1f18::/56"),
            ],
        )
        .route_table("rtb-local", "vpc-1", false, &[])
        .routes("rtb-local", vec![route("10.0.0.0/16", RouteTarget::Local)])
        .route_table("rtb-gone", "vpc-1", false, &[])
        .routes(
            "rtb-gone",
            vec![route_in(
                RouteState::Blackhole,
                "10.0.0.0/8",
                RouteTarget::VpcPeeringConnection("pcx-9".into()),
            )],
        );
    let j = judged("peering-route-too-broad", &kit.inv);
    assert_eq!(of(&j, "rtb-wide").0, Judgement::Fail);
    assert_eq!(
        pass(&j, "rtb-fit"),
        "its peering routes stay within the peer VPC's CIDRs: 10.1.0.0/16 via pcx-1, 2600:1f18::/56 via pcx-1"
    );
    assert_eq!(
        of(&j, "rtb-local"),
        (
            Judgement::NotApplicable,
            "no route targets a VPC peering connection"
        )
    );
    assert_eq!(
        of(&j, "rtb-gone"),
        (
            Judgement::NotApplicable,
            "its only peering routes are blackholes: they carry nothing"
        )
    );
}

/// On the demo inventory every check here lists its scope, with every finding in
/// it (see [`judged_with`]) and a reason for whatever passes or does not apply.
#[test]
fn demo_scopes_hold_the_findings_and_give_reasons() {
    let inv = crate::demo::inventory().expect("the demo inventory");
    for id in [
        "egress-world-open",
        "internet-exposed-port",
        "sg-default-allows-traffic",
        "subnet-auto-public-ip",
        "sg-internal-cidr-trust",
        "sg-unused-open",
        "nacl-admin-ports-open",
        "nacl-return-traffic-blocked",
        "nacl-shadowed-rule",
        "peering-route-too-broad",
    ] {
        let j = judged_with(id, &inv, "");
        assert!(j.unscoped.is_empty(), "{id}");
        assert!(!j.evaluated.is_empty(), "{id} judged nothing");
        for e in &j.evaluated {
            assert!(
                !e.reason.is_empty(),
                "{id}: {} has no reason",
                e.resource.id
            );
        }
    }
}
