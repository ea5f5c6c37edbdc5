//! The class graph agrees with the per-ENI path query, pair by pair and point by point.

use crate::inventory::{
    Direction, Inventory, L4Match, NaclAction, Operation, Protocol, RouteTarget,
};
use crate::reach::lateral::{lateral_classes, pair_points, Catalogue, Graph};
use crate::reach::path::{eni_to_eni, DEFAULT_EPHEMERAL};
use crate::reach::sets::ServicePoint;
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

fn catalogue() -> Catalogue {
    Catalogue::new([
        ServicePoint::Tcp(22),
        ServicePoint::Tcp(443),
        ServicePoint::Tcp(5432),
        ServicePoint::Tcp(8080),
        ServicePoint::Udp(53),
    ])
}

fn graph(inv: &Inventory) -> (Model<'_>, Graph) {
    let model = Model::build(inv);
    let g = Graph::build(&model, inv, catalogue(), DEFAULT_EPHEMERAL, u64::MAX).expect("fits");
    (model, g)
}

fn enis(inv: &Inventory) -> Vec<String> {
    inv.regions()
        .flat_map(|(_, ri)| ri.network_interfaces.iter().map(|e| e.id.clone()))
        .collect()
}

/// `pair_points` answers each point exactly as `eni_to_eni`, and the graph has an
/// edge between two ENIs' classes exactly when `pair_points` finds a point.
fn agrees_everywhere(inv: &Inventory) -> usize {
    let (model, g) = graph(inv);
    let cat = catalogue();
    let ids = enis(inv);
    let mut edges = 0;
    for a in &ids {
        for b in &ids {
            if a == b {
                continue;
            }
            let (proven, maybe) =
                pair_points(&model, inv, a, b, &cat, DEFAULT_EPHEMERAL).expect("both known");
            for (i, p) in cat.points().iter().enumerate() {
                let e = eni_to_eni(&model, inv, a, b, *p);
                let bit = 1u64 << i;
                assert_eq!(
                    e.is_allowed(),
                    proven & bit != 0,
                    "{a} -> {b} {p:?}: {e:#?}"
                );
                assert_eq!(e.is_unknown(), maybe & bit != 0, "{a} -> {b} {p:?}: {e:#?}");
            }
            let (ca, cb) = (g.class_of(a).unwrap(), g.class_of(b).unwrap());
            assert_eq!(g.proven(ca, cb), proven != 0, "{a} -> {b}");
            assert_eq!(g.maybe(ca, cb), proven == 0 && maybe != 0, "{a} -> {b}");
            edges += usize::from(proven != 0);
        }
    }
    edges
}

#[test]
fn every_pair_agrees_with_the_path_query() {
    let kit = account();
    let edges = agrees_everywhere(&kit.inv);
    // Not vacuous: web->app 8080, the /32 on 22, web->web 443, db 5432 from all...
    assert!(edges >= 10, "{edges}");
    let (_, g) = graph(&kit.inv);
    assert!(g.unknown_classes.is_empty());
}

#[test]
fn a_synthetic_estate_agrees_with_the_path_query() {
    // Peering, a transit gateway, a firewall, custom NACLs, IPv6, group references.
    let inv = crate::synth::generate(&crate::synth::Spec::with_enis(400).seeded(7));
    let (model, g) = graph(&inv);
    let cat = catalogue();
    // Every class pair through its representatives (or two members of one class).
    let mut edges = 0;
    for (a, ca) in g.classes.iter().enumerate() {
        for (b, cb) in g.classes.iter().enumerate() {
            let dst = if a == b {
                match cb.enis.get(1) {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                &cb.enis[0]
            };
            let Ok((proven, maybe)) =
                pair_points(&model, &inv, &ca.enis[0], dst, &cat, DEFAULT_EPHEMERAL)
            else {
                assert!(g.unknown_classes.iter().any(|(u, _)| *u == a || *u == b));
                continue;
            };
            assert_eq!(g.proven(a, b), proven != 0, "{} -> {dst}", ca.enis[0]);
            assert_eq!(
                g.maybe(a, b),
                proven == 0 && maybe != 0,
                "{} -> {dst}",
                ca.enis[0]
            );
            edges += usize::from(proven != 0);
        }
    }
    assert!(edges > 100, "{edges}");
    // And point by point against the path query, on a sample of ENI pairs.
    let ids = enis(&inv);
    for (k, a) in ids.iter().enumerate().step_by(7) {
        for b in ids.iter().skip(k % 5).step_by(11) {
            if a == b {
                continue;
            }
            let Ok((proven, _)) = pair_points(&model, &inv, a, b, &cat, DEFAULT_EPHEMERAL) else {
                continue;
            };
            for (i, p) in cat.points().iter().enumerate() {
                let e = eni_to_eni(&model, &inv, a, b, *p);
                assert_eq!(
                    e.is_allowed(),
                    proven & (1 << i) != 0,
                    "{a} -> {b} {p:?}: {e:#?}"
                );
            }
        }
    }
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
    let (_, g) = graph(&kit.inv);
    let c = |e: &str| g.class_of(e).unwrap();
    // w1 reaches a1 on 22 (the /32) and w2 on 8080 (sg-web): both edges exist...
    assert!(g.proven(c("eni-w1"), c("eni-a1")));
    assert!(g.proven(c("eni-w2"), c("eni-a1")));
    // ...and members of one class reach each other when their group allows it.
    assert!(g.proven(c("eni-w2"), c("eni-w2")));
    // a1 and a2 share a class; sg-app lets nothing in from sg-app.
    assert!(!g.proven(c("eni-a1"), c("eni-a1")));
}

#[test]
fn nacl_deny_and_reply_rules_shape_the_edges() {
    let kit = account();
    let model = Model::build(&kit.inv);
    let cat = catalogue();
    let (p, _) = pair_points(
        &model,
        &kit.inv,
        "eni-a1",
        "eni-d1",
        &cat,
        DEFAULT_EPHEMERAL,
    )
    .unwrap();
    // sg-db lets 22 in, the db NACL denies it first; 5432 passes.
    assert_eq!(cat.decode(p), [ServicePoint::Tcp(5432)]);
}

#[test]
fn unknown_route_makes_the_edge_possible_only() {
    let mut kit = account();
    // A more specific route to an appliance for the db subnet: not modelled.
    kit.region().route_tables[0].routes.push(route(
        "10.0.3.0/24",
        RouteTarget::NetworkInterface("eni-fw".into()),
    ));
    agrees_everywhere(&kit.inv);
    let (_, g) = graph(&kit.inv);
    let (a1, d1) = (g.class_of("eni-a1").unwrap(), g.class_of("eni-d1").unwrap());
    assert!(!g.proven(a1, d1));
    assert!(g.maybe(a1, d1));
}

#[test]
fn missing_groups_make_a_class_unknown() {
    let kit = account().gap(Operation::DescribeSecurityGroupRules, "denied");
    let (_, g) = graph(&kit.inv);
    assert_eq!(g.edge_count(), 0);
    assert_eq!(g.unknown_classes.len(), g.classes.len());
}

#[test]
fn paths_go_through_pivots_only() {
    let kit = account();
    let (_, g) = graph(&kit.inv);
    let c = |e: &str| g.class_of(e).unwrap();
    let all = vec![u64::MAX; g.words()];
    let none = vec![0u64; g.words()];
    let from_w2 = g.reach(c("eni-w2"), 4, &all, &all, false);
    // w2 -> a1 (8080) -> d1 (5432), or w2 -> d1 directly (5432 from the VPC)...
    assert_eq!(from_w2.distance(c("eni-d1")), Some(1));
    // ...and w1 -> a1 in one hop.
    assert_eq!(from_w2.distance(c("eni-a1")), Some(1));
    let path = from_w2.path(&g, &all, c("eni-d1")).unwrap();
    assert_eq!(path, [c("eni-w2"), c("eni-d1")]);
    // Without pivots, nothing beyond the first hop.
    let r = g.reach(c("eni-w2"), 4, &none, &all, false);
    assert!(r.reached().all(|(_, d)| d == 1));
}

#[test]
fn a_graph_over_its_budget_is_refused_before_it_is_allocated() {
    let inv = account().inv;
    let model = Model::build(&inv);
    let fits = Graph::build(&model, &inv, catalogue(), DEFAULT_EPHEMERAL, u64::MAX)
        .expect("fits without a budget");
    let err = Graph::build(&model, &inv, catalogue(), DEFAULT_EPHEMERAL, 8)
        .err()
        .expect("8 bytes is too little");
    assert_eq!(err.classes, fits.len());
    assert!(err.bytes > 8, "{err:?}");
    assert!(
        err.to_string().contains("more than the 0 MiB it may use"),
        "{err}"
    );
}
