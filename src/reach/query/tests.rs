//! The query engine on hand-built inventories and on the demo (leaky) inventory.

use crate::answer::reach::{Layer, Mode, ReachReport, Verdict};
use crate::inventory::{Direction, Inventory, L4Match, NaclAction, Protocol, RouteTarget};
use crate::reach::lateral::{pair_points, Catalogue};
use crate::reach::path::{eni_to_eni, DEFAULT_EPHEMERAL};
use crate::reach::sets::{ServicePoint, ServiceSet};
use crate::reach::testkit::*;
use crate::reach::Model;

use super::evaluate::Conn;
use super::{parse_service, Index, QueryError, Question};

const IN: Direction = Direction::Ingress;
const OUT: Direction = Direction::Egress;

/// vpc-1: web (subnet-1, open NACL), app (subnet-2, open NACL), db (subnet-3, NACL
/// denying tcp 22 in (rule 90), replies out only on 1024-65535).
/// - sg-web: egress all; ingress 443 from anywhere.
/// - sg-app: egress all; ingress 8080 from sg-web, 22 from 10.0.1.10/32.
/// - sg-db: no egress; ingress 5432 and 22 from 10.0.0.0/16.
fn account() -> Kit {
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .subnet("subnet-2", "vpc-1")
        .subnet("subnet-3", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", vec![route("10.0.0.0/16", RouteTarget::Local)])
        .nacl(open_acl("acl-open"), "vpc-1", true, &[])
        .nacl(
            acl(
                "acl-db",
                vec![
                    entry(
                        90,
                        IN,
                        NaclAction::Deny,
                        Protocol::Tcp,
                        ports(22, 22),
                        "0.0.0.0/0",
                    ),
                    entry(
                        100,
                        IN,
                        NaclAction::Allow,
                        Protocol::All,
                        L4Match::Any,
                        "10.0.0.0/16",
                    ),
                    entry(
                        100,
                        OUT,
                        NaclAction::Allow,
                        Protocol::Tcp,
                        ports(1024, 65535),
                        "10.0.0.0/16",
                    ),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-3"],
        )
        .group(
            "sg-web",
            "web",
            vec![
                egress("sgr-w1", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress("sgr-w2", Protocol::Tcp, ports(443, 443), cidr("0.0.0.0/0")),
            ],
        )
        .group(
            "sg-app",
            "app",
            vec![
                egress("sgr-a1", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress(
                    "sgr-a2",
                    Protocol::Tcp,
                    ports(8080, 8080),
                    group_peer("sg-web"),
                ),
                ingress("sgr-a3", Protocol::Tcp, ports(22, 22), cidr("10.0.1.10/32")),
            ],
        )
        .group(
            "sg-db",
            "db",
            vec![
                ingress(
                    "sgr-d1",
                    Protocol::Tcp,
                    ports(5432, 5432),
                    cidr("10.0.0.0/16"),
                ),
                ingress("sgr-d2", Protocol::Tcp, ports(22, 22), cidr("10.0.0.0/16")),
            ],
        );
    for (id, addr, subnet, group) in [
        ("eni-w1", "10.0.1.10", "subnet-1", "sg-web"),
        ("eni-w2", "10.0.1.11", "subnet-1", "sg-web"),
        ("eni-a1", "10.0.2.10", "subnet-2", "sg-app"),
        ("eni-a2", "10.0.2.11", "subnet-2", "sg-app"),
        ("eni-d1", "10.0.3.10", "subnet-3", "sg-db"),
    ] {
        kit = kit.eni(id, &[addr], &[group]).placed("vpc-1", subnet);
    }
    kit
}

fn ask(
    inv: &Inventory,
    from: Option<&str>,
    to: Option<&str>,
    port: Option<&str>,
    hops: u8,
) -> ReachReport {
    let model = Model::build(inv);
    let index = Index::build(&model, inv);
    index
        .ask(&Question {
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            service: port.map(str::to_string),
            max_hops: hops,
        })
        .expect("answers")
}

fn pair(inv: &Inventory, from: &str, to: &str, port: Option<&str>) -> ReachReport {
    ask(inv, Some(from), Some(to), port, 1)
}

#[test]
fn parse_service_reads_each_form_case_insensitively() {
    let set = |p, l4| ServiceSet::from_rule(p, l4);
    assert_eq!(
        parse_service("tcp/5432").unwrap(),
        set(Protocol::Tcp, ports(5432, 5432))
    );
    assert_eq!(
        parse_service("UDP/53").unwrap(),
        set(Protocol::Udp, ports(53, 53))
    );
    assert_eq!(
        parse_service("tcp/8000-8080").unwrap(),
        set(Protocol::Tcp, ports(8000, 8080))
    );
    assert_eq!(
        parse_service("icmp").unwrap(),
        set(Protocol::Icmp, L4Match::Any)
    );
    assert_eq!(
        parse_service("ICMPv6").unwrap(),
        set(Protocol::Icmpv6, L4Match::Any)
    );
    assert_eq!(parse_service("all").unwrap(), ServiceSet::all());
    assert_eq!(
        parse_service("tcp").unwrap(),
        set(Protocol::Tcp, L4Match::Any)
    );
    for bad in ["tcp:22", "tcp/70000", "tcp/90-80", "icmp/8", "gre/1", ""] {
        assert!(
            matches!(parse_service(bad), Err(QueryError::BadService { .. })),
            "{bad} should be refused"
        );
    }
}

#[test]
fn every_selector_kind_resolves_to_its_enis() {
    let mut kit = account()
        .eni("eni-i1", &["10.0.1.20"], &["sg-web"])
        .placed("vpc-1", "subnet-1")
        .instance_of_last("i-0abc")
        .public_ip("54.1.2.3")
        .eni("eni-nat", &["10.0.1.30"], &[])
        .placed("vpc-1", "subnet-1")
        .nat_gateway(
            "nat-1",
            "subnet-1",
            crate::inventory::NatConnectivity::Public,
            "10.0.1.30",
        )
        .nat_eni("nat-1", "eni-nat")
        .eni("eni-lb1", &["10.0.1.40"], &["sg-web"])
        .placed("vpc-1", "subnet-1")
        .described("ELB app/web/1")
        .load_balancer(
            "app/web/1",
            crate::inventory::LoadBalancerType::Application,
            &["sg-web"],
            &[],
        );
    kit.region().network_interfaces[0]
        .tags
        .insert("Name".into(), "web-one".into());
    kit.region().instances[0]
        .tags
        .insert("team".into(), "pay".into());
    kit.region()
        .vpc_endpoints
        .push(crate::inventory::VpcEndpoint {
            id: "vpce-1".into(),
            vpc_id: "vpc-1".into(),
            owner_id: None,
            endpoint_type: "Interface".into(),
            service_name: "com.amazonaws.eu-west-1.s3".into(),
            state: Some("available".into()),
            subnet_ids: vec!["subnet-2".into()],
            route_table_ids: vec![],
            network_interface_ids: vec!["eni-a2".into()],
            security_group_ids: vec![],
            policy_document: None,
            private_dns_enabled: false,
            tags: Default::default(),
        });
    let inv = kit.inv;
    let model = Model::build(&inv);
    let index = Index::build(&model, &inv);
    let resolved = |s: &str| {
        let r = index.resolve(s).expect(s);
        (r.endpoint.kind, r.endpoint.resources)
    };
    let v = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        resolved("eni-d1"),
        ("network_interface".into(), v(&["eni-d1"]))
    );
    assert_eq!(resolved("i-0abc"), ("instance".into(), v(&["eni-i1"])));
    assert_eq!(resolved("10.0.2.11"), ("ip_address".into(), v(&["eni-a2"])));
    assert_eq!(resolved("54.1.2.3"), ("ip_address".into(), v(&["eni-i1"])));
    assert_eq!(resolved("8.8.8.8"), ("ip_address".into(), v(&["internet"])));
    assert_eq!(
        resolved("subnet-2"),
        ("subnet".into(), v(&["eni-a1", "eni-a2"]))
    );
    assert_eq!(
        resolved("sg-web"),
        (
            "security_group".into(),
            v(&["eni-i1", "eni-lb1", "eni-w1", "eni-w2"])
        )
    );
    assert_eq!(resolved("tag:Name=web-one"), ("tag".into(), v(&["eni-w1"])));
    assert_eq!(resolved("tag:team=pay"), ("tag".into(), v(&["eni-i1"])));
    assert_eq!(resolved("internet"), ("internet".into(), v(&["internet"])));
    assert_eq!(resolved("vpce-1"), ("vpc_endpoint".into(), v(&["eni-a2"])));
    assert_eq!(resolved("nat-1"), ("nat_gateway".into(), v(&["eni-nat"])));
    assert_eq!(resolved("web"), ("load_balancer".into(), v(&["eni-lb1"])));
    let arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/1";
    assert_eq!(resolved(arn).1, v(&["eni-lb1"]));
    // A private address nobody holds is not the internet.
    assert!(index.resolve("10.9.9.9").is_err());
    // What each ENI is, for the `reached` list.
    let kind = |id: &str| {
        let e = index.enis.iter().find(|e| e.eni.id == id).expect(id);
        index.kinds.of(e.eni)
    };
    assert_eq!(kind("eni-i1"), "instance i-0abc");
    assert_eq!(kind("eni-nat"), "nat_gateway nat-1");
    assert_eq!(kind("eni-a2"), "vpc_endpoint vpce-1");
    assert_eq!(kind("eni-lb1"), "load_balancer app/web/1");
    assert_eq!(kind("eni-d1"), "network_interface");
}

#[test]
fn an_unknown_selector_names_the_closest_matches_in_one_line() {
    let inv = account().inv;
    let model = Model::build(&inv);
    let index = Index::build(&model, &inv);
    let Err(e) = index.resolve("eni-w3") else {
        panic!("eni-w3 does not exist");
    };
    let QueryError::UnknownEndpoint { suggestions, .. } = &e else {
        panic!("{e}");
    };
    assert!(suggestions.len() <= 5);
    assert_eq!(&suggestions[..2], ["eni-w1", "eni-w2"]);
    let line = e.to_string();
    assert!(!line.contains('\n'));
    assert!(
        line.contains("\"eni-w3\"") && line.contains("closest: eni-w1, eni-w2"),
        "{line}"
    );
}

#[test]
fn pair_services_are_exact_groups_minus_what_the_nacl_denies() {
    let inv = account().inv;
    // sg-db opens tcp 22 and 5432; the db NACL denies 22 in.
    let r = pair(&inv, "eni-w1", "eni-d1", None);
    assert_eq!(r.mode, Mode::Pair);
    assert_eq!(r.verdict, Verdict::Allowed);
    assert_eq!(r.services, vec!["tcp 5432".to_string()]);
    assert_eq!(r.paths.len(), 1);
    let hops = &r.paths[0].hops;
    assert_eq!(hops[0].layer, Layer::Connection);
    let sg = hops
        .iter()
        .find(|h| h.resource.starts_with("sg-db"))
        .expect("db group hop");
    assert_eq!(
        (sg.layer, sg.rule.as_deref()),
        (Layer::SecurityGroup, Some("sgr-d1"))
    );
    assert!(hops
        .iter()
        .any(|h| h.layer == Layer::NetworkAcl && h.rule.as_deref() == Some("rule 100")));
    assert!(hops
        .iter()
        .all(|h| h.verdict == Verdict::Allowed && h.code.is_none()));
    // The same subnet crosses no NACL: every service the groups open.
    let r = pair(&inv, "eni-w1", "eni-w2", None);
    assert_eq!(r.services, vec!["tcp 443".to_string()]);
}

#[test]
fn a_nacl_block_names_the_entry_and_what_would_have_to_change() {
    let inv = account().inv;
    let r = pair(&inv, "eni-w1", "eni-d1", Some("tcp/22"));
    assert_eq!(r.verdict, Verdict::Blocked);
    assert!(r.services.is_empty());
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(b.code, "SUBNET_ACL_RESTRICTION");
    assert_eq!(b.layer, Layer::NetworkAcl);
    assert_eq!(b.rule.as_deref(), Some("rule 90"));
    assert!(
        b.change.contains("acl-db") && b.change.contains("inbound"),
        "{}",
        b.change
    );
    let hop = r.paths[0]
        .hops
        .iter()
        .find(|h| h.verdict == Verdict::Blocked)
        .expect("blocked hop");
    assert_eq!(hop.code.as_deref(), Some("SUBNET_ACL_RESTRICTION"));
}

#[test]
fn a_group_block_says_which_rule_is_missing() {
    let inv = account().inv;
    // sg-db has no egress rule at all.
    let r = pair(&inv, "eni-d1", "eni-w1", None);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    assert_eq!(
        b.change,
        "sg-db (db) would need an outbound rule allowing tcp 443 to 10.0.1.10"
    );
    // Ingress: app opens 22 to 10.0.1.10 only.
    let r = pair(&inv, "eni-w2", "eni-a1", Some("tcp/22"));
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(
        b.change,
        "sg-app (app) would need an inbound rule allowing tcp 22 from 10.0.1.11"
    );
}

#[test]
fn a_middlebox_route_is_unknown_with_its_reason() {
    let inv = account()
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route(
                    "10.0.3.0/24",
                    RouteTarget::NetworkInterface("eni-w2".into()),
                ),
            ],
        )
        .inv;
    let r = pair(&inv, "eni-w1", "eni-d1", Some("tcp/5432"));
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(r.services.is_empty());
    assert!(!r.unknown.is_empty());
    assert!(
        r.unknown.iter().any(|u| u.reason.contains("middlebox")),
        "{:?}",
        r.unknown
    );
    assert_eq!(r.paths[0].verdict, Verdict::Unknown);
    assert_eq!(r.paths[0].services, vec!["tcp 5432".to_string()]);
}

#[test]
fn a_subnet_question_is_answered_per_class() {
    let inv = account().inv;
    let r = pair(&inv, "subnet-1", "subnet-2", None);
    assert_eq!(r.verdict, Verdict::Allowed);
    // w1 opens 22 and 8080 on the app ENIs; w2 only 8080.
    assert_eq!(r.services, vec!["tcp 22, 8080".to_string()]);
    assert!(r
        .paths
        .iter()
        .all(|p| p.from.starts_with("eni-w") && p.to.starts_with("eni-a")));
}

/// e1 -> e2 (ssh from sg-1), e2 -> e3 (5432 from sg-2); nothing else.
fn chain() -> Inventory {
    Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", vec![route("10.0.0.0/16", RouteTarget::Local)])
        .nacl(open_acl("acl-open"), "vpc-1", true, &[])
        .group(
            "sg-1",
            "one",
            vec![egress(
                "sgr-1",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .group(
            "sg-2",
            "two",
            vec![
                egress("sgr-2", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                ingress("sgr-3", Protocol::Tcp, ports(22, 22), group_peer("sg-1")),
            ],
        )
        .group(
            "sg-3",
            "three",
            vec![ingress(
                "sgr-4",
                Protocol::Tcp,
                ports(5432, 5432),
                group_peer("sg-2"),
            )],
        )
        .eni("eni-e1", &["10.0.1.1"], &["sg-1"])
        .eni("eni-e2", &["10.0.1.2"], &["sg-2"])
        .eni("eni-e3", &["10.0.1.3"], &["sg-3"])
        .inv
}

fn reached(r: &ReachReport) -> Vec<(String, usize, Vec<String>, Vec<String>)> {
    r.reached
        .iter()
        .map(|x| {
            (
                x.resource.clone(),
                x.hops,
                x.via.clone(),
                x.services.clone(),
            )
        })
        .collect()
}

#[test]
fn from_only_follows_compromised_enis_up_to_max_hops() {
    let inv = chain();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let r = ask(&inv, Some("eni-e1"), None, None, 1);
    assert_eq!(r.mode, Mode::From);
    assert_eq!(
        reached(&r),
        vec![("eni-e2".into(), 1, vec![], s(&["tcp 22"]))]
    );
    let r = ask(&inv, Some("eni-e1"), None, None, 2);
    assert_eq!(
        reached(&r),
        vec![
            ("eni-e2".into(), 1, vec![], s(&["tcp 22"])),
            ("eni-e3".into(), 2, s(&["eni-e2"]), s(&["tcp 5432"])),
        ]
    );
    assert_eq!(r.verdict, Verdict::Allowed);
    // Nothing reaches e1.
    let r = ask(&inv, None, Some("eni-e1"), None, 3);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert!(r.reached.is_empty());
}

#[test]
fn to_only_lists_who_reaches_the_destination_up_to_max_hops() {
    let inv = chain();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let r = ask(&inv, None, Some("eni-e3"), Some("tcp/5432"), 1);
    assert_eq!(r.mode, Mode::To);
    assert_eq!(
        reached(&r),
        vec![("eni-e2".into(), 1, vec![], s(&["tcp 5432"]))]
    );
    let r = ask(&inv, None, Some("eni-e3"), None, 2);
    assert_eq!(
        reached(&r),
        vec![
            ("eni-e1".into(), 2, s(&["eni-e2"]), s(&["tcp 22"])),
            ("eni-e2".into(), 1, vec![], s(&["tcp 5432"])),
        ]
    );
}

#[test]
fn the_internet_reaches_a_public_web_server_on_its_open_port() {
    let inv = account()
        .igw("igw-1", "vpc-1")
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .eni("eni-pub", &["10.0.1.50"], &["sg-web"])
        .placed("vpc-1", "subnet-1")
        .public_ip("54.1.2.3")
        .inv;
    let r = pair(&inv, "internet", "eni-pub", None);
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    assert_eq!(r.services, vec!["tcp 443".to_string()]);
    assert!(r.paths[0].hops.iter().any(|h| h.layer == Layer::RouteTable));
    // From the server out: sg-web allows all out, the open NACL too, and the route
    // goes to an attached internet gateway.
    let r = pair(&inv, "eni-pub", "8.8.8.8", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    // Without a public address, the internet cannot reach w1.
    let r = pair(&inv, "internet", "eni-w1", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Blocked);
}

fn demo() -> Inventory {
    crate::demo::inventory().expect("the demo loads")
}

#[test]
fn demo_bastion_to_database_agrees_with_the_path_engine() {
    let inv = demo();
    let model = Model::build(&inv);
    let r = pair(
        &inv,
        "tag:Name=lk-bastion-eni",
        "tag:Name=lk-db-eni",
        Some("tcp/5432"),
    );
    let e = eni_to_eni(
        &model,
        &inv,
        "eni-5f08a3a2dd0471a44",
        "eni-ba7dcf1797ce35a3a",
        ServicePoint::Tcp(5432),
    );
    let expected = if e.is_allowed() {
        Verdict::Allowed
    } else if e.is_blocked() {
        Verdict::Blocked
    } else {
        Verdict::Unknown
    };
    assert_eq!(r.verdict, expected, "{r:#?}");
    assert_eq!(r.paths.len(), 1);
    if expected == Verdict::Blocked {
        assert!(r.blocked_at.is_some());
    }
}

#[test]
fn demo_from_the_bastion_lists_what_it_reaches() {
    let inv = demo();
    let model = Model::build(&inv);
    let r = ask(&inv, Some("eni-5f08a3a2dd0471a44"), None, Some("tcp/22"), 1);
    // Every ENI listed as allowed is allowed by the path engine; every ENI the path
    // engine allows is listed.
    for (_, ri) in inv.regions() {
        for eni in &ri.network_interfaces {
            if eni.id == "eni-5f08a3a2dd0471a44" {
                continue;
            }
            let e = eni_to_eni(
                &model,
                &inv,
                "eni-5f08a3a2dd0471a44",
                &eni.id,
                ServicePoint::Tcp(22),
            );
            let row = r.reached.iter().find(|x| x.resource == eni.id);
            assert_eq!(
                e.is_allowed(),
                row.is_some_and(|x| x.verdict == Verdict::Allowed),
                "{}: {e:?}",
                eni.id
            );
        }
    }
    let mut sorted = r.reached.clone();
    sorted.sort_by(|a, b| {
        (&a.account_id, &a.region, &a.vpc, &a.resource).cmp(&(
            &b.account_id,
            &b.region,
            &b.vpc,
            &b.resource,
        ))
    });
    assert_eq!(sorted, r.reached);
    assert!(r.reached.iter().all(|x| !x.kind.is_empty()));
}

fn catalogue() -> Catalogue {
    let tcp = [
        22, 80, 443, 3306, 3389, 5432, 6379, 8080, 9200, 11211, 27017,
    ];
    Catalogue::new(
        tcp.into_iter()
            .map(ServicePoint::Tcp)
            .chain([ServicePoint::Udp(53), ServicePoint::Udp(161)])
            .chain([
                ServicePoint::Icmp {
                    icmp_type: 8,
                    code: 0,
                },
                ServicePoint::Other(50),
            ]),
    )
}

/// The agreement test: for every ordered pair of ENIs of the leaky demo,
/// `reach` allows exactly the catalogue points the lateral engine proves, and is
/// unknown on those it says may pass.
#[test]
fn demo_reach_agrees_with_the_lateral_engine_on_every_pair() {
    let inv = demo();
    let model = Model::build(&inv);
    let index = Index::build(&model, &inv);
    let cat = catalogue();
    let all = ServiceSet::all();
    let (mut pairs, mut allowed) = (0, 0);
    for a in 0..index.enis.len() {
        for b in 0..index.enis.len() {
            if a == b {
                continue;
            }
            let (ia, ib) = (&index.enis[a].eni.id, &index.enis[b].eni.id);
            let shown = index.shown(Conn::Private(a, b), &all);
            let Ok((proven, maybe)) = pair_points(&model, &inv, ia, ib, &cat, DEFAULT_EPHEMERAL)
            else {
                // The lateral engine cannot evaluate the pair at all: neither proves.
                assert!(shown.exact.proven.is_empty(), "{ia} -> {ib}");
                continue;
            };
            pairs += 1;
            for (bit, &p) in cat.points().iter().enumerate() {
                let (lp, lm) = (proven >> bit & 1 == 1, maybe >> bit & 1 == 1);
                assert_eq!(shown.exact.proven.contains(p), lp, "{ia} -> {ib} {p:?}");
                assert_eq!(
                    shown.exact.maybe.contains(p),
                    lm,
                    "{ia} -> {ib} {p:?} maybe"
                );
                allowed += usize::from(lp);
            }
            // What `ask` reports is that same set.
            let r = index
                .ask(&Question {
                    from: Some(ia.clone()),
                    to: Some(ib.clone()),
                    service: None,
                    max_hops: 1,
                })
                .expect("answers");
            assert_eq!(
                r.services,
                super::service_items(&shown.exact.proven),
                "{ia} -> {ib}"
            );
        }
    }
    assert!(
        pairs > 500 && allowed > 0,
        "{pairs} pairs, {allowed} allowed points"
    );
}

/// Timings on a synthetic inventory (`VPCAUDIT_QUERY_ENIS`, default 10,000), in a
/// debug build: `cargo test --lib query_timings -- --ignored --nocapture`.
#[test]
#[ignore]
fn query_timings() {
    let n = std::env::var("VPCAUDIT_QUERY_ENIS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let inv = crate::synth::generate(&crate::synth::Spec::with_enis(n));
    let t = std::time::Instant::now();
    let model = Model::build(&inv);
    println!("model: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let index = Index::build(&model, &inv);
    println!(
        "index: {:?} ({} ENIs, {} classes)",
        t.elapsed(),
        index.enis.len(),
        index.classes.len()
    );
    let ids: Vec<String> = index.enis.iter().map(|e| e.eni.id.clone()).collect();
    let q = |from: Option<&str>, to: Option<&str>, hops: u8| Question {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        service: None,
        max_hops: hops,
    };
    for (a, b) in [(0, ids.len() - 1), (1, ids.len() / 2), (ids.len() / 3, 7)] {
        let t = std::time::Instant::now();
        let r = index
            .ask(&q(Some(&ids[a]), Some(&ids[b]), 1))
            .expect("answers");
        println!(
            "pair {} -> {}: {:?} {:?} {:?}",
            ids[a],
            ids[b],
            t.elapsed(),
            r.verdict,
            r.services
        );
    }
    let t = std::time::Instant::now();
    let r = index.ask(&q(None, Some(&ids[5]), 1)).expect("answers");
    println!("to (1 hop): {:?}, {} reached", t.elapsed(), r.reached.len());
    // A source that reaches something: one that reaches ids[5].
    let source = r
        .reached
        .iter()
        .find(|x| x.resource != "internet")
        .map_or(ids[0].clone(), |x| x.resource.clone());
    let t = std::time::Instant::now();
    let r = index.ask(&q(Some(&source), None, 1)).expect("answers");
    println!(
        "from {source} (1 hop): {:?}, {} reached",
        t.elapsed(),
        r.reached.len()
    );
    let t = std::time::Instant::now();
    let r = index.ask(&q(Some(&source), None, 2)).expect("answers");
    println!(
        "from (2 hops): {:?}, {} reached",
        t.elapsed(),
        r.reached.len()
    );
    let t = std::time::Instant::now();
    let r = index.ask(&q(Some("internet"), None, 2)).expect("answers");
    println!(
        "from internet (2 hops): {:?}, {} reached",
        t.elapsed(),
        r.reached.len()
    );
    let t = std::time::Instant::now();
    let r = index.ask(&q(None, Some("internet"), 1)).expect("answers");
    println!(
        "to internet (1 hop): {:?}, {} reached",
        t.elapsed(),
        r.reached.len()
    );
}

#[test]
fn questions_without_an_answer_are_errors() {
    let inv = account().inv;
    let model = Model::build(&inv);
    let index = Index::build(&model, &inv);
    let q = |from: Option<&str>, to: Option<&str>, port: Option<&str>| Question {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        service: port.map(str::to_string),
        max_hops: 1,
    };
    assert!(matches!(
        index.ask(&q(None, None, None)),
        Err(QueryError::NoEndpoint)
    ));
    assert!(matches!(
        index.ask(&q(Some("eni-w1"), Some("eni-w1"), None)),
        Err(QueryError::Unsupported(_))
    ));
    assert!(matches!(
        index.ask(&q(Some("internet"), Some("8.8.8.8"), None)),
        Err(QueryError::Unsupported(_))
    ));
    assert!(matches!(
        index.ask(&q(Some("eni-w1"), None, Some("tcp:22"))),
        Err(QueryError::BadService { .. })
    ));
}

#[test]
fn from_the_internet_lists_only_what_is_exposed() {
    let inv = account()
        .igw("igw-1", "vpc-1")
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .eni("eni-pub", &["10.0.1.50"], &["sg-web"])
        .placed("vpc-1", "subnet-1")
        .public_ip("54.1.2.3")
        .inv;
    let r = ask(&inv, Some("internet"), None, None, 1);
    assert_eq!(r.mode, Mode::From);
    assert_eq!(
        reached(&r),
        vec![("eni-pub".into(), 1, vec![], vec!["tcp 443".to_string()])]
    );
    assert_eq!(r.reached[0].kind, "network_interface");
}

#[test]
fn a_missing_route_between_vpcs_is_no_route_to_destination() {
    let inv = account()
        .vpc("vpc-2")
        .subnet("subnet-9", "vpc-2")
        .route_table("rtb-2", "vpc-2", true, &[])
        .routes("rtb-2", vec![route("10.1.0.0/16", RouteTarget::Local)])
        .nacl(open_acl("acl-2"), "vpc-2", true, &[])
        .eni("eni-x", &["10.1.0.5"], &["sg-web"])
        .placed("vpc-2", "subnet-9")
        .inv;
    let r = pair(&inv, "eni-w1", "eni-x", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(
        (b.code.as_str(), b.layer),
        ("NO_ROUTE_TO_DESTINATION", Layer::RouteTable)
    );
    assert!(
        b.change.starts_with("rtb-1 would need a route to 10.1.0.5"),
        "{}",
        b.change
    );
}

#[test]
fn hop_layers_and_rules_come_from_the_engine_wording() {
    use super::hops::{layer_of, rule_of};
    use crate::reach::Step;
    let cases = [
        (
            "sg-1 (web)",
            "rule sgr-9 \"x\" allows tcp 22 from 0.0.0.0/0",
            Layer::SecurityGroup,
            Some("sgr-9"),
        ),
        (
            "acl-1 inbound",
            "rule 100 allows tcp 22 from 10.0.0.1",
            Layer::NetworkAcl,
            Some("rule 100"),
        ),
        (
            "acl-1 inbound",
            "rule * denies tcp 22 from 10.0.0.1 (implicit deny)",
            Layer::NetworkAcl,
            Some("rule *"),
        ),
        (
            "rtb-1 (route table)",
            "10.1.0.0/16 -> pcx-1",
            Layer::RouteTable,
            Some("10.1.0.0/16 -> pcx-1"),
        ),
        (
            "pcx-1 (peering)",
            "active, joins vpc-1 and vpc-2",
            Layer::VpcPeeringConnection,
            None,
        ),
        (
            "tgw-1 (transit gateway)",
            "routes to tgw-attach-2",
            Layer::TransitGateway,
            None,
        ),
        (
            "igw-1 (internet gateway)",
            "attached to vpc-1",
            Layer::InternetGateway,
            None,
        ),
        (
            "eigw-1 (egress-only internet gateway)",
            "attached",
            Layer::EgressOnlyInternetGateway,
            None,
        ),
        ("nat-1 (NAT gateway)", "translates", Layer::NatGateway, None),
        ("firewall fw-1", "pass", Layer::NetworkFirewall, None),
        (
            "connection",
            "eni-1 -> eni-2 tcp 22",
            Layer::Connection,
            None,
        ),
    ];
    for (component, decision, layer, rule) in cases {
        let step = Step::new(component, decision);
        assert_eq!(layer_of(&step), layer, "{component}");
        assert_eq!(rule_of(layer, decision).as_deref(), rule, "{decision}");
    }
}

#[test]
fn to_an_internet_address_lists_exactly_the_enis_the_egress_engine_allows() {
    let inv = account()
        .igw("igw-1", "vpc-1")
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .eni("eni-pub", &["10.0.1.50"], &["sg-web"])
        .placed("vpc-1", "subnet-1")
        .public_ip("54.1.2.3")
        .inv;
    let model = Model::build(&inv);
    let r = ask(&inv, None, Some("8.8.8.8"), Some("tcp/443"), 1);
    assert_eq!(r.mode, Mode::To);
    let mut allowed = 0;
    for (_, ri) in inv.regions() {
        for eni in &ri.network_interfaces {
            let e = crate::reach::path::eni_to_internet(
                &model,
                &inv,
                &eni.id,
                ip("8.8.8.8"),
                ServicePoint::Tcp(443),
                None,
            );
            let row = r.reached.iter().find(|x| x.resource == eni.id);
            assert_eq!(
                e.is_allowed(),
                row.is_some_and(|x| x.verdict == Verdict::Allowed),
                "{}",
                eni.id
            );
            allowed += usize::from(e.is_allowed());
        }
    }
    // Only the ENI with a public address goes straight out of the internet gateway.
    assert_eq!(allowed, 1);
}

/// (layer, first word of the resource) of each hop, after checking the numbering.
fn hop_order(r: &ReachReport) -> Vec<(Layer, String)> {
    let hops = &r.paths[0].hops;
    let numbers: Vec<usize> = hops.iter().map(|h| h.number).collect();
    assert_eq!(numbers, (1..=hops.len()).collect::<Vec<_>>());
    hops.iter()
        .map(|h| {
            let word = h.resource.split_whitespace().next().unwrap_or_default();
            (h.layer, word.to_string())
        })
        .collect()
}

fn order(expected: &[(Layer, &str)]) -> Vec<(Layer, String)> {
    expected.iter().map(|(l, r)| (*l, r.to_string())).collect()
}

#[test]
fn hops_follow_the_packet_within_one_vpc() {
    let inv = account().inv;
    // Both subnets use acl-open: the direction and the replies tell its legs apart.
    let r = pair(&inv, "eni-w1", "eni-a1", Some("tcp/8080"));
    assert_eq!(r.verdict, Verdict::Allowed);
    assert_eq!(
        hop_order(&r),
        order(&[
            (Layer::Connection, "connection"),
            (Layer::SecurityGroup, "sg-web"),
            (Layer::NetworkAcl, "acl-open"),
            (Layer::RouteTable, "rtb-1"),
            (Layer::NetworkAcl, "acl-open"),
            (Layer::SecurityGroup, "sg-app"),
            (Layer::NetworkAcl, "acl-open"),
            (Layer::RouteTable, "rtb-1"),
            (Layer::NetworkAcl, "acl-open"),
        ])
    );
    let hops = &r.paths[0].hops;
    let acl: Vec<(bool, bool)> = hops
        .iter()
        .filter(|h| h.layer == Layer::NetworkAcl)
        .map(|h| {
            (
                h.resource.ends_with("outbound"),
                h.decision.starts_with("replies"),
            )
        })
        .collect();
    // Request out, request in, replies out, replies in.
    assert_eq!(
        acl,
        vec![(true, false), (false, false), (true, true), (false, true)]
    );
    // A blocked pair keeps the order: the destination's NACL denies tcp 22 inbound,
    // after the source's group, NACL and route.
    let r = pair(&inv, "eni-w1", "eni-d1", Some("tcp/22"));
    let layers: Vec<Layer> = hop_order(&r).into_iter().map(|(l, _)| l).collect();
    let blocked = r.paths[0]
        .hops
        .iter()
        .position(|h| h.verdict == Verdict::Blocked)
        .expect("blocked hop");
    assert_eq!(
        &layers[..=blocked],
        &[
            Layer::Connection,
            Layer::SecurityGroup,
            Layer::NetworkAcl,
            Layer::RouteTable,
            Layer::NetworkAcl
        ]
    );
}

#[test]
fn hops_follow_the_packet_across_a_peering_connection() {
    let pcx = || RouteTarget::VpcPeeringConnection("pcx-1".into());
    let inv = account()
        .vpc("vpc-2")
        .subnet("subnet-9", "vpc-2")
        .route_table("rtb-2", "vpc-2", true, &[])
        .routes(
            "rtb-2",
            vec![
                route("10.1.0.0/16", RouteTarget::Local),
                route("10.0.0.0/16", pcx()),
            ],
        )
        .routes("rtb-1", vec![route("10.1.0.0/16", pcx())])
        .nacl(open_acl("acl-2"), "vpc-2", true, &[])
        .peering("pcx-1", "active", "vpc-1", "vpc-2")
        .eni("eni-x", &["10.1.0.5"], &["sg-web"])
        .placed("vpc-2", "subnet-9")
        .inv;
    let r = pair(&inv, "eni-w1", "eni-x", Some("tcp/443"));
    assert_eq!(r.verdict, Verdict::Allowed, "{r:#?}");
    assert_eq!(
        hop_order(&r),
        order(&[
            (Layer::Connection, "connection"),
            (Layer::SecurityGroup, "sg-web"),
            (Layer::NetworkAcl, "acl-open"),
            (Layer::RouteTable, "rtb-1"),
            (Layer::VpcPeeringConnection, "pcx-1"),
            (Layer::NetworkAcl, "acl-2"),
            (Layer::SecurityGroup, "sg-web"),
            (Layer::NetworkAcl, "acl-2"),
            (Layer::RouteTable, "rtb-2"),
            (Layer::NetworkAcl, "acl-open"),
        ])
    );
}

#[test]
fn a_blocked_group_is_named_as_the_resource_to_change() {
    let inv = account().inv;
    let r = pair(&inv, "eni-d1", "eni-w1", None);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    assert_eq!((b.resource.as_str(), b.rule), ("sg-db (db)", None));
    // The hop still names the ENI the engine evaluated.
    let hop = r.paths[0]
        .hops
        .iter()
        .find(|h| h.verdict == Verdict::Blocked)
        .expect("blocked hop");
    assert_eq!(hop.resource, "eni-d1");
}

#[test]
fn demo_bastion_to_database_is_explained_at_the_port_the_database_admits() {
    let inv = demo();
    let r = pair(&inv, "tag:Name=lk-bastion-eni", "tag:Name=lk-db-eni", None);
    assert_eq!(r.verdict, Verdict::Blocked);
    let b = r.blocked_at.expect("blocked_at");
    assert_eq!(b.code, "ENI_SG_RULES_MISMATCH");
    assert!(
        b.resource.starts_with("sg-") && b.resource.ends_with("(lk-db-sg)"),
        "{}",
        b.resource
    );
    assert!(
        b.change.contains("inbound rule allowing tcp 5432 from"),
        "{}",
        b.change
    );
    assert!(r.paths[0].hops[0].decision.ends_with("tcp 5432"));
}
