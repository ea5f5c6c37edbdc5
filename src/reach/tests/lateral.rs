//! All-pairs private reachability by class agrees with the per-ENI path query.

use std::collections::HashMap;

use crate::inventory::{Direction, L4Match, NaclAction, Protocol, RouteTarget};
use crate::reach::lateral::{lateral, lateral_classes, Lateral};
use crate::reach::path::eni_to_eni;
use crate::reach::sets::{ServicePoint, ServiceSet};
use crate::reach::testkit::*;
use crate::reach::Model;

const IN: Direction = Direction::Ingress;
const OUT: Direction = Direction::Egress;

/// Three subnets of vpc-1: web (subnet-1, open NACL), app (subnet-2, open NACL),
/// db (subnet-3, NACL denying 22 and replies only on 1024-65535).
/// - sg-web: egress all; ingress 443 from anywhere.
/// - sg-app: egress all; ingress 8080 from sg-web, 22 from 10.0.1.10/32 only.
/// - sg-db: ingress 5432 from 10.0.0.0/16, 22 from 10.0.0.0/16.
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
        ("eni-w3", "10.0.1.12", "subnet-1", "sg-web"),
        ("eni-a1", "10.0.2.10", "subnet-2", "sg-app"),
        ("eni-a2", "10.0.2.11", "subnet-2", "sg-app"),
        ("eni-d1", "10.0.3.10", "subnet-3", "sg-db"),
    ] {
        kit = kit.eni(id, &[addr], &[group]).placed("vpc-1", subnet);
    }
    kit
}

fn points() -> Vec<ServicePoint> {
    vec![
        ServicePoint::Tcp(22),
        ServicePoint::Tcp(443),
        ServicePoint::Tcp(5432),
        ServicePoint::Tcp(8080),
        ServicePoint::Udp(53),
        ServicePoint::Icmp {
            icmp_type: 8,
            code: 0,
        },
    ]
}

fn class_of(l: &Lateral) -> HashMap<&str, usize> {
    l.classes
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.enis.iter().map(move |e| (e.as_str(), i)))
        .collect()
}

fn open(l: &Lateral, from: usize, to: usize, p: ServicePoint) -> bool {
    l.edges
        .iter()
        .any(|e| e.from == from && e.to == to && e.services.contains(p))
}

#[test]
fn every_pair_agrees_with_the_path_query() {
    let kit = account();
    let model = Model::build(&kit.inv);
    let l = lateral(&model, &kit.inv, &ServiceSet::all());
    let class = class_of(&l);
    let enis: Vec<&str> = class.keys().copied().collect();
    let mut allowed = 0;
    for &a in &enis {
        for &b in &enis {
            if a == b {
                continue;
            }
            for p in points() {
                let e = eni_to_eni(&model, &kit.inv, a, b, p);
                assert!(!e.is_unknown(), "{a} -> {b} {p:?}: {e:#?}");
                let by_class = open(&l, class[a], class[b], p);
                assert_eq!(e.is_allowed(), by_class, "{a} -> {b} {p:?}: {e:#?}");
                allowed += usize::from(by_class);
            }
        }
    }
    // Not vacuous: web->app 8080, the /32 on 22, web->web 443, db 5432 from all...
    assert!(allowed >= 10, "{allowed}");
    assert!(l.unknown_classes.is_empty());
}

#[test]
fn a_narrow_cidr_rule_splits_a_class() {
    let kit = account();
    let model = Model::build(&kit.inv);
    let classes = lateral_classes(&model, &kit.inv);
    let of = |eni: &str| classes.iter().position(|c| c.enis.iter().any(|e| e == eni));
    // eni-w1 is named by the /32 on sg-app; eni-w2 and eni-w3 are not.
    assert_ne!(of("eni-w1"), of("eni-w2"));
    assert_eq!(of("eni-w2"), of("eni-w3"));
    let l = lateral(&model, &kit.inv, &ServiceSet::all());
    let (w1, w2, a1) = (
        of("eni-w1").unwrap(),
        of("eni-w2").unwrap(),
        of("eni-a1").unwrap(),
    );
    assert!(open(&l, w1, a1, ServicePoint::Tcp(22)));
    assert!(!open(&l, w2, a1, ServicePoint::Tcp(22)));
    // Members of one class reach each other when their group allows it.
    assert!(open(&l, w2, w2, ServicePoint::Tcp(443)));
}

#[test]
fn nacl_deny_and_reply_rules_shape_the_edges() {
    let kit = account();
    let model = Model::build(&kit.inv);
    let l = lateral(&model, &kit.inv, &ServiceSet::all());
    let class = class_of(&l);
    let (a1, d1) = (class["eni-a1"], class["eni-d1"]);
    // sg-db lets 22 in, the db NACL denies it first.
    assert!(!open(&l, a1, d1, ServicePoint::Tcp(22)));
    assert!(open(&l, a1, d1, ServicePoint::Tcp(5432)));
}

#[test]
fn interest_limits_the_services() {
    let kit = account();
    let model = Model::build(&kit.inv);
    let only = ServiceSet::from_rule(Protocol::Tcp, ports(5432, 5432));
    let l = lateral(&model, &kit.inv, &only);
    assert!(!l.edges.is_empty());
    assert!(l.edges.iter().all(|e| e.services.is_subset(&only)));
}

#[test]
fn unknown_route_makes_the_edge_unknown() {
    let mut kit = account();
    // A more specific route to an appliance for the db subnet: not modelled.
    kit.region().route_tables[0].routes.push(route(
        "10.0.3.0/24",
        RouteTarget::NetworkInterface("eni-fw".into()),
    ));
    let model = Model::build(&kit.inv);
    let l = lateral(&model, &kit.inv, &ServiceSet::all());
    let class = class_of(&l);
    let edge = l
        .edges
        .iter()
        .find(|e| e.from == class["eni-a1"] && e.to == class["eni-d1"])
        .expect("an edge, unknown");
    assert!(edge.services.is_empty());
    let (set, why) = edge.unknown.as_ref().unwrap();
    assert!(set.contains(ServicePoint::Tcp(5432)), "{set}");
    assert!(why.contains("middlebox"), "{why}");
}

#[test]
fn missing_groups_make_a_class_unknown() {
    let kit = account().gap("DescribeSecurityGroupRules", "denied");
    let model = Model::build(&kit.inv);
    let l = lateral(&model, &kit.inv, &ServiceSet::all());
    assert!(l.edges.is_empty());
    assert_eq!(l.unknown_classes.len(), l.classes.len());
}
