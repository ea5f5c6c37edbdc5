//! ENI classes and internet exposure as sets.

use std::sync::Arc;

use crate::inventory::{Direction, NaclAction, Protocol, RouteTarget};
use crate::reach::classes::classes;
use crate::reach::exposure::{exposure_for_all, internet_exposure, Exposure, ExposureCache};
use crate::reach::sets::{
    public_internet, public_ipv4, public_ipv6, FlowSet, InternetCoverage, IpSet, ServicePoint,
    ServiceSet,
};
use crate::reach::testkit::*;
use crate::reach::Model;

fn igw() -> RouteTarget {
    RouteTarget::InternetGateway("igw-1".into())
}

fn tcp(port: u16) -> ServiceSet {
    ServiceSet::from_rule(Protocol::Tcp, ports(port, port))
}

/// vpc-1 / subnet-1 with an attached igw-1, routes to it for both families, an open
/// NACL and no ENIs yet.
fn public_subnet() -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .igw("igw-1", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", igw()),
                route("::/0", igw()),
            ],
        )
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
}

/// `sg-web` allowing tcp `port` in from each of `cidrs`.
fn web_group(kit: Kit, port: u16, cidrs: &[&str]) -> Kit {
    let rules = cidrs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            ingress(
                &format!("sgr-{i}"),
                Protocol::Tcp,
                ports(port, port),
                cidr(c),
            )
        })
        .collect();
    kit.group("sg-web", "web", rules)
}

fn exposure(kit: &Kit, eni: &str) -> Exposure {
    let model = Model::build(&kit.inv);
    internet_exposure(&model, &kit.inv, eni).unwrap()
}

fn class_members(kit: &Kit) -> Vec<Vec<String>> {
    let model = Model::build(&kit.inv);
    classes(&model, &kit.inv)
        .into_iter()
        .map(|c| c.enis)
        .collect()
}

#[test]
fn enis_with_same_subnet_and_groups_share_a_class() {
    let kit = public_subnet()
        .eni("eni-1", &["10.0.0.1"], &["sg-a", "sg-b"])
        .eni("eni-2", &["10.0.0.2"], &["sg-a", "sg-b"])
        .eni("eni-3", &["10.0.0.3"], &["sg-a"])
        .eni("eni-4", &["10.0.1.4"], &["sg-a", "sg-b"])
        .placed("vpc-1", "subnet-2");
    let mut members = class_members(&kit);
    members.sort();
    assert_eq!(
        members,
        vec![
            vec!["eni-1".to_string(), "eni-2".to_string()],
            vec!["eni-3".to_string()],
            vec!["eni-4".to_string()],
        ]
    );
    let model = Model::build(&kit.inv);
    let shared = classes(&model, &kit.inv)
        .into_iter()
        .find(|c| c.enis.len() == 2)
        .unwrap();
    assert_eq!(shared.representative(), "eni-1");
    assert_eq!(shared.key.security_groups, vec!["sg-a", "sg-b"]);
}

#[test]
fn public_ip_splits_classes() {
    let kit = public_subnet()
        .eni("eni-1", &["10.0.0.1"], &["sg-a"])
        .public_ip("54.1.1.1")
        .eni("eni-2", &["10.0.0.2"], &["sg-a"])
        .eni("eni-3", &["10.0.0.3", "2600::3"], &["sg-a"]);
    assert_eq!(class_members(&kit).len(), 3);
}

#[test]
fn group_order_does_not_split_classes() {
    let kit = public_subnet()
        .eni("eni-1", &["10.0.0.1"], &["sg-a", "sg-b"])
        .eni("eni-2", &["10.0.0.2"], &["sg-b", "sg-a"])
        .eni("eni-3", &["10.0.0.3"], &["sg-b", "sg-a", "sg-b"]);
    assert_eq!(
        class_members(&kit),
        vec![vec![
            "eni-1".to_string(),
            "eni-2".to_string(),
            "eni-3".to_string()
        ]]
    );
}

#[test]
fn exposure_empty_without_public_address() {
    let kit = web_group(public_subnet(), 443, &["0.0.0.0/0", "::/0"]).eni(
        "eni-1",
        &["10.0.0.1"],
        &["sg-web"],
    );
    let e = exposure(&kit, "eni-1");
    assert!(e.flows.is_empty());
    assert!(e.unknown.is_empty());
}

#[test]
fn exposure_is_sg_and_nacl_intersection() {
    let acl = |eph_to: u16| {
        acl(
            "acl-1",
            vec![
                entry(
                    100,
                    Direction::Ingress,
                    NaclAction::Allow,
                    Protocol::Tcp,
                    ports(443, 443),
                    "0.0.0.0/0",
                ),
                entry(
                    110,
                    Direction::Ingress,
                    NaclAction::Allow,
                    Protocol::Tcp,
                    ports(22, 22),
                    "1.0.0.0/8",
                ),
                entry(
                    100,
                    Direction::Egress,
                    NaclAction::Allow,
                    Protocol::Tcp,
                    ports(32768, eph_to),
                    "0.0.0.0/0",
                ),
            ],
        )
    };
    let build = |eph_to: u16| {
        let mut kit = Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .igw("igw-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("0.0.0.0/0", igw())])
            .nacl(acl(eph_to), "vpc-1", true, &[])
            .group(
                "sg-web",
                "web",
                vec![
                    ingress("sgr-1", Protocol::Tcp, ports(22, 22), cidr("0.0.0.0/0")),
                    ingress("sgr-2", Protocol::Tcp, ports(443, 443), cidr("0.0.0.0/0")),
                    ingress("sgr-3", Protocol::Udp, ports(53, 53), cidr("0.0.0.0/0")),
                ],
            );
        kit = kit
            .eni("eni-1", &["10.0.0.1"], &["sg-web"])
            .public_ip("54.1.1.1");
        kit
    };
    let e = exposure(&build(60999), "eni-1");
    let v4 = |s: &str| IpSet::from_net(net(s));
    let expected = FlowSet::from_boxes([
        (IpSet::from(public_ipv4().clone()), tcp(443)),
        (v4("1.0.0.0/8"), tcp(22)),
    ]);
    assert_eq!(e.flows, expected);
    assert_eq!(e.gateway.as_deref(), Some("igw-1"));
    // Replies must be allowed on every ephemeral port, not just some.
    assert!(exposure(&build(40000), "eni-1").flows.is_empty());
}

#[test]
fn split_world_halves_expose_to_whole_ipv4_internet() {
    let kit = web_group(public_subnet(), 22, &["0.0.0.0/1", "128.0.0.0/1"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1");
    let e = exposure(&kit, "eni-1");
    let open = e.flows.addresses_for(ServicePoint::Tcp(22));
    assert!(InternetCoverage::of(&open).covers_all_ipv4());
    assert!(!e.flows.contains(ip("8.8.8.8"), ServicePoint::Tcp(23)));
}

#[test]
fn private_ranges_never_counted_as_internet_exposure() {
    let kit = web_group(
        public_subnet(),
        22,
        &[
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
        ],
    )
    .eni("eni-1", &["10.0.0.1"], &["sg-web"])
    .public_ip("54.1.1.1");
    assert!(exposure(&kit, "eni-1").flows.is_empty());

    let kit = web_group(public_subnet(), 22, &["0.0.0.0/0"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1");
    let e = exposure(&kit, "eni-1");
    assert!(e.flows.addresses().is_subset(public_internet()));
    assert!(!e.flows.contains(ip("10.1.2.3"), ServicePoint::Tcp(22)));
    assert!(!e.flows.contains(ip("192.168.1.1"), ServicePoint::Tcp(22)));
}

#[test]
fn exposure_needs_igw_reply_route() {
    let base = || {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .igw("igw-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
    };
    let with = |kit: Kit| {
        web_group(kit, 22, &["0.0.0.0/0"])
            .eni("eni-1", &["10.0.0.1"], &["sg-web"])
            .public_ip("54.1.1.1")
    };
    let nat = RouteTarget::NatGateway("nat-1".into());

    let kit = with(base().routes("rtb-1", vec![route("0.0.0.0/0", nat.clone())]));
    let e = exposure(&kit, "eni-1");
    assert!(e.flows.is_empty());
    assert_eq!(e.gateway, None);

    // Half the internet's replies go out by the NAT gateway: only the other half.
    let kit = with(base().routes(
        "rtb-1",
        vec![route("0.0.0.0/1", igw()), route("128.0.0.0/1", nat)],
    ));
    let e = exposure(&kit, "eni-1");
    let expected = IpSet::from_net(net("0.0.0.0/1")).intersection(public_internet());
    assert_eq!(e.flows.addresses_for(ServicePoint::Tcp(22)), expected);
    assert_eq!(e.gateway.as_deref(), Some("igw-1"));

    // An internet gateway of another VPC carries nothing.
    let kit = with(
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .igw("igw-1", "vpc-2")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("0.0.0.0/0", igw())])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[]),
    );
    assert!(exposure(&kit, "eni-1").flows.is_empty());
}

#[test]
fn ipv6_exposure_needs_ipv6_address() {
    let kit = web_group(public_subnet(), 443, &["0.0.0.0/0", "::/0"])
        .eni("eni-4", &["10.0.0.4"], &["sg-web"])
        .public_ip("54.1.1.4")
        .eni("eni-6", &["10.0.0.6", "2600::6"], &["sg-web"]);
    let only_v4 = exposure(&kit, "eni-4").flows.addresses();
    assert!(only_v4.v6.is_empty());
    assert_eq!(&only_v4.v4, public_ipv4());
    let only_v6 = exposure(&kit, "eni-6").flows.addresses();
    assert!(only_v6.v4.is_empty());
    assert_eq!(&only_v6.v6, public_ipv6());
}

#[test]
fn class_results_shared_by_members() {
    let kit = web_group(public_subnet(), 443, &["0.0.0.0/0"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1")
        .eni("eni-2", &["10.0.0.2"], &["sg-web"])
        .public_ip("54.1.1.2")
        .eni("eni-3", &["10.0.0.3"], &["sg-web"]);
    let model = Model::build(&kit.inv);
    let mut cache = ExposureCache::new(&model, &kit.inv);
    let a = cache.get("eni-1");
    let b = cache.get("eni-2");
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(cache.len(), 1);
    let c = cache.get("eni-3");
    assert!(!Arc::ptr_eq(&a, &c));
    assert_eq!(cache.len(), 2);

    let all = exposure_for_all(&model, &kit.inv);
    assert_eq!(all.len(), 2);
    let public = all.iter().find(|(c, _)| c.key.public_ipv4).unwrap();
    assert_eq!(public.0.enis, vec!["eni-1", "eni-2"]);
    assert_eq!(public.1.as_ref().unwrap(), a.as_ref().as_ref().unwrap());
    assert!(public
        .1
        .as_ref()
        .unwrap()
        .flows
        .contains(ip("8.8.8.8"), ServicePoint::Tcp(443)));
}

/// Checks ask on several threads: a class's steps name its smallest ENI id whichever
/// ENI of it was asked for first.
#[test]
fn a_class_is_explained_from_its_smallest_eni_whoever_asks_first() {
    let kit = web_group(public_subnet(), 443, &["0.0.0.0/0"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1")
        .eni("eni-2", &["10.0.0.2"], &["sg-web"])
        .public_ip("54.1.1.2");
    let model = Model::build(&kit.inv);
    let named = |first: &str| {
        let mut cache = ExposureCache::new(&model, &kit.inv);
        let e = cache.get(first);
        let e = e.as_ref().as_ref().expect("evaluated");
        e.steps
            .iter()
            .map(|s| format!("{}: {}", s.component, s.decision))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (from_1, from_2) = (named("eni-1"), named("eni-2"));
    assert_eq!(from_1, from_2);
    assert!(from_1.contains("eni-1"), "{from_1}");
    assert!(!from_2.contains("eni-2"), "{from_2}");
}

/// Manual timing: `cargo test --release --lib scale_10k_enis_classes -- --ignored --nocapture`.
#[test]
#[ignore]
fn scale_10k_enis_classes() {
    let mut kit = public_subnet();
    for g in 0..200 {
        let rules = vec![
            ingress("sgr-a", Protocol::Tcp, ports(443, 443), cidr("0.0.0.0/0")),
            ingress(
                "sgr-b",
                Protocol::Tcp,
                ports(1000 + g, 1000 + g),
                cidr(&format!("{}.0.0.0/8", 1 + g % 200)),
            ),
            ingress("sgr-c", Protocol::Tcp, ports(22, 22), group_peer("sg-0")),
        ];
        kit = kit.group(&format!("sg-{g}"), "synthetic", rules);
    }
    for s in 0..100 {
        kit = kit.subnet(&format!("subnet-s{s}"), "vpc-1");
    }
    for i in 0..10_000u32 {
        let subnet = format!("subnet-s{}", i % 100);
        let groups = [format!("sg-{}", i % 200), format!("sg-{}", (i / 7) % 200)];
        let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
        let addr = format!("10.0.{}.{}", i / 250, i % 250 + 1);
        kit = kit
            .eni(&format!("eni-{i}"), &[&addr], &groups)
            .placed("vpc-1", &subnet);
        if i % 3 == 0 {
            kit = kit.public_ip(&format!("54.0.{}.{}", i / 250, i % 250 + 1));
        }
    }
    let start = std::time::Instant::now();
    let model = Model::build(&kit.inv);
    let built = start.elapsed();
    let all = exposure_for_all(&model, &kit.inv);
    let total = start.elapsed();
    let exposed = all
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|e| !e.flows.is_empty()))
        .count();
    println!(
        "10k ENIs: {} classes ({exposed} exposed), model {built:?}, total {total:?}",
        all.len()
    );
    assert_eq!(all.iter().map(|(c, _)| c.enis.len()).sum::<usize>(), 10_000);
}

#[test]
fn exposure_agrees_with_per_client_path() {
    let acl = acl(
        "acl-1",
        vec![
            entry(
                100,
                Direction::Ingress,
                NaclAction::Allow,
                Protocol::All,
                crate::inventory::L4Match::Any,
                "0.0.0.0/0",
            ),
            entry(
                90,
                Direction::Egress,
                NaclAction::Deny,
                Protocol::Tcp,
                ports(0, 65535),
                "9.0.0.0/8",
            ),
            entry(
                100,
                Direction::Egress,
                NaclAction::Allow,
                Protocol::All,
                crate::inventory::L4Match::Any,
                "0.0.0.0/0",
            ),
        ],
    );
    let kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .igw("igw-1", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes(
            "rtb-1",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", igw()),
                route("5.0.0.0/8", RouteTarget::NatGateway("nat-1".into())),
            ],
        )
        .nacl(acl, "vpc-1", true, &[])
        .group(
            "sg-web",
            "web",
            vec![
                ingress("sgr-1", Protocol::Tcp, ports(22, 22), cidr("8.0.0.0/6")),
                ingress("sgr-2", Protocol::Tcp, ports(443, 443), cidr("0.0.0.0/0")),
                ingress("sgr-3", Protocol::Udp, ports(53, 53), cidr("0.0.0.0/0")),
            ],
        )
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1");
    let model = Model::build(&kit.inv);
    let e = internet_exposure(&model, &kit.inv, "eni-1").unwrap();
    assert!(e.unknown.is_empty(), "{:?}", e.unknown);
    for client in ["8.8.8.8", "9.9.9.9", "5.5.5.5", "1.2.3.4", "10.0.0.9"] {
        for service in [
            ServicePoint::Tcp(22),
            ServicePoint::Tcp(443),
            ServicePoint::Udp(53),
        ] {
            let path =
                crate::reach::path::internet_to_eni(&model, &kit.inv, "eni-1", ip(client), service);
            assert_eq!(
                path.is_allowed(),
                e.flows.contains(ip(client), service),
                "{client} {service:?}: {:?}",
                path
            );
        }
    }
}

#[test]
fn edge_table_delivering_locally_keeps_exposure_exact() {
    let mut kit = web_group(public_subnet(), 22, &["0.0.0.0/0"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1")
        .edge_route_table("rtb-edge", "vpc-1", "igw-1")
        .routes("rtb-edge", vec![route("10.0.0.0/16", RouteTarget::Local)]);
    kit.region().subnets[0].ipv4_cidr = Some("10.0.0.0/24".parse().unwrap());
    let e = exposure(&kit, "eni-1");
    assert!(e.unknown.is_empty(), "{:?}", e.unknown);
    assert_eq!(
        &e.flows.addresses_for(ServicePoint::Tcp(22)).v4,
        public_ipv4()
    );
    assert!(e.steps.iter().any(|s| s.decision.contains("locally")));
}

#[test]
fn edge_table_steering_to_an_endpoint_makes_exposure_unproven() {
    let mut kit = web_group(public_subnet(), 22, &["0.0.0.0/0"])
        .eni("eni-1", &["10.0.0.1"], &["sg-web"])
        .public_ip("54.1.1.1")
        .edge_route_table("rtb-edge", "vpc-1", "igw-1")
        .routes(
            "rtb-edge",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("10.0.0.0/24", RouteTarget::VpcEndpoint("vpce-fw".into())),
            ],
        );
    kit.region().subnets[0].ipv4_cidr = Some("10.0.0.0/24".parse().unwrap());
    let e = exposure(&kit, "eni-1");
    assert!(e.flows.is_empty(), "{}", e.flows);
    assert!(
        e.unknown
            .iter()
            .map(ToString::to_string)
            .any(|u| u.contains("may be exposed") && u.contains("vpce-fw")),
        "{:?}",
        e.unknown
    );

    // A route splitting the subnet decides per address: not one answer per class.
    let edge = kit.region().route_tables.last_mut().unwrap();
    edge.routes[1] = route("10.0.0.1/32", RouteTarget::VpcEndpoint("vpce-fw".into()));
    let e = exposure(&kit, "eni-1");
    assert!(e.flows.is_empty());
    assert!(
        e.unknown.iter().any(|u| u.to_string().contains("splits")),
        "{:?}",
        e.unknown
    );
}
