//! Egress through a transit gateway, clause by clause: the spoke's TGW route table
//! (static over propagated, longest prefix, blackhole), the attachment subnet in the
//! flow's AZ, the inspection VPC's firewall, back to the TGW, the egress VPC's NAT,
//! Gateway Load Balancer appliances, appliance mode, another account, loops.

use std::collections::BTreeMap;

use crate::inventory::{
    FirewallPolicy, L4Match, NatConnectivity, Protocol, RouteTarget, RuleOrder,
};
use crate::reach::path::{egress_trace, EgressPath, DEFAULT_EPHEMERAL};
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::*;
use crate::reach::{Evaluation, Model};

const DST: &str = "93.184.216.34";

fn says(e: &Evaluation, needle: &str) -> bool {
    e.steps
        .iter()
        .any(|s| s.component.contains(needle) || s.decision.contains(needle))
}

fn local() -> RouteTarget {
    RouteTarget::Local
}

fn tgw() -> RouteTarget {
    RouteTarget::TransitGateway("tgw-1".into())
}

fn trace(kit: &Kit) -> (EgressPath, Evaluation) {
    let model = Model::build(&kit.inv);
    egress_trace(
        &model,
        &kit.inv,
        "eni-a",
        ip(DST),
        ServicePoint::Tcp(443),
        None,
        DEFAULT_EPHEMERAL,
    )
}

fn pass_all() -> FirewallPolicy {
    FirewallPolicy {
        name: "pass".into(),
        arn: "arn:policy/pass".into(),
        stateless_default_actions: vec!["aws:pass".into()],
        stateless_fragment_default_actions: vec!["aws:pass".into()],
        stateless_custom_actions: vec![],
        stateless_rule_groups: vec![],
        stateful_rule_groups: vec![],
        stateful_rule_order: RuleOrder::DefaultActionOrder,
        stream_exception_policy: None,
        stateful_default_actions: vec![],
        variables: BTreeMap::new(),
        tags: Default::default(),
    }
}

/// The egress VPC (vpc-e, NAT nat-e in subnet-e-pub, attachment subnet subnet-e-tgw)
/// and its attachment att-e, added to the kit's current account.
fn egress_vpc(kit: Kit) -> Kit {
    kit.vpc("vpc-e")
        .subnet("subnet-e-tgw", "vpc-e")
        .subnet("subnet-e-pub", "vpc-e")
        .route_table("rtb-e-tgw", "vpc-e", false, &["subnet-e-tgw"])
        .route_table("rtb-e-pub", "vpc-e", false, &["subnet-e-pub"])
        .routes(
            "rtb-e-tgw",
            vec![
                route("10.9.0.0/16", local()),
                route("0.0.0.0/0", RouteTarget::NatGateway("nat-e".into())),
            ],
        )
        .routes(
            "rtb-e-pub",
            vec![
                route("10.9.0.0/16", local()),
                route("10.0.0.0/8", tgw()),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-e".into())),
            ],
        )
        .igw("igw-e", "vpc-e")
        .nat_gateway("nat-e", "subnet-e-pub", NatConnectivity::Public, "10.9.2.5")
        .nacl(open_acl("acl-e"), "vpc-e", true, &[])
}

/// Spoke vpc-s (eni-a in subnet-s) whose 0.0.0.0/0 goes to tgw-1; its attachment
/// att-s is associated with tgw-rtb-spoke, which sends 0.0.0.0/0 to `spoke_target`.
/// The inspection VPC vpc-i (att-i, tgw-rtb-insp: 0.0.0.0/0 -> att-e) sends
/// everything from the TGW through firewall endpoint vpce-fw and back to the TGW.
fn hub(spoke_target: &str) -> Kit {
    let kit = Kit::new()
        .vpc("vpc-s")
        .subnet("subnet-s", "vpc-s")
        .route_table("rtb-s", "vpc-s", false, &["subnet-s"])
        .routes(
            "rtb-s",
            vec![route("10.1.0.0/16", local()), route("0.0.0.0/0", tgw())],
        )
        .nacl(open_acl("acl-s"), "vpc-s", true, &[])
        .group(
            "sg-client",
            "client",
            vec![egress(
                "sgr-out",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .group_in("vpc-s")
        .eni("eni-a", &["10.1.1.10"], &["sg-client"])
        .placed("vpc-s", "subnet-s")
        .vpc("vpc-i")
        .subnet("subnet-i-tgw", "vpc-i")
        .subnet("subnet-i-fw", "vpc-i")
        .route_table("rtb-i-tgw", "vpc-i", false, &["subnet-i-tgw"])
        .route_table("rtb-i-fw", "vpc-i", false, &["subnet-i-fw"])
        .routes(
            "rtb-i-tgw",
            vec![
                route("10.8.0.0/16", local()),
                route("0.0.0.0/0", RouteTarget::VpcEndpoint("vpce-fw".into())),
            ],
        )
        .routes(
            "rtb-i-fw",
            vec![route("10.8.0.0/16", local()), route("0.0.0.0/0", tgw())],
        )
        .nacl(open_acl("acl-i"), "vpc-i", true, &[])
        .network_firewall("fw", "vpc-i", "subnet-i-fw", "vpce-fw", "arn:policy/pass")
        .firewall_policy(pass_all());
    egress_vpc(kit)
        .transit_gateway("tgw-1", false)
        .tgw_attachment("att-s", "tgw-1", "vpc-s", "tgw-rtb-spoke")
        .tgw_attachment("att-i", "tgw-1", "vpc-i", "tgw-rtb-insp")
        .attachment_owner(ACCOUNT, true)
        .tgw_attachment("att-e", "tgw-1", "vpc-e", "tgw-rtb-egress")
        .tgw_route_table(
            "tgw-rtb-spoke",
            "tgw-1",
            &[("0.0.0.0/0", "active", spoke_target)],
        )
        .tgw_route_table("tgw-rtb-insp", "tgw-1", &[("0.0.0.0/0", "active", "att-e")])
        .tgw_route_table(
            "tgw-rtb-egress",
            "tgw-1",
            &[("10.1.0.0/16", "active", "att-s")],
        )
}

fn hops(path: &EgressPath) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = Some(path);
    while let Some(step) = p {
        out.push(match step {
            EgressPath::TransitGateway {
                next_attachment, ..
            } => format!("tgw:{next_attachment}"),
            EgressPath::Firewall { firewall, .. } => format!("fw:{firewall}"),
            EgressPath::Appliance { endpoint, .. } => format!("appliance:{endpoint}"),
            EgressPath::Nat { nat, .. } => format!("nat:{nat}"),
            EgressPath::Direct(igw) => format!("igw:{igw}"),
            other => format!("{other:?}"),
        });
        p = step.next();
    }
    out
}

#[test]
fn spoke_through_inspection_then_egress_nat() {
    let (path, e) = trace(&hub("att-i"));
    assert_eq!(
        hops(&path),
        ["tgw:att-i", "fw:fw", "tgw:att-e", "nat:nat-e", "igw:igw-e"]
    );
    assert!(e.is_allowed(), "{e:#?}");
    assert!(says(
        &e,
        "tgw-rtb-spoke (associated with att-s): 0.0.0.0/0 -> att-i"
    ));
    assert!(says(&e, "delivers into vpc-i through subnet-i-tgw"));
    assert!(says(&e, "inspected by firewall fw"));
    assert!(says(&e, "translates 10.1.1.10 to 10.9.2.5"));
    // att-i has appliance mode on: nothing to say about it.
    assert!(!says(&e, "appliance mode is off"));
}

#[test]
fn spoke_route_table_skipping_inspection_goes_straight_to_nat() {
    let (path, e) = trace(&hub("att-e"));
    assert_eq!(hops(&path), ["tgw:att-e", "nat:nat-e", "igw:igw-e"]);
    assert!(e.is_allowed(), "{e:#?}");
}

#[test]
fn inspection_attachment_without_appliance_mode_is_evidence() {
    let mut kit = hub("att-i");
    kit.region()
        .transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-i")
        .for_each(|a| a.appliance_mode_support = false);
    let (path, e) = trace(&kit);
    assert!(e.is_allowed(), "{e:#?}");
    assert!(says(&e, "appliance mode is off"), "{e:#?}");
    let EgressPath::TransitGateway { appliance_mode, .. } = path else {
        panic!("{path:?}");
    };
    assert!(!appliance_mode);
}

#[test]
fn blackhole_and_missing_route_in_tgw_table_block() {
    let mut kit = hub("att-i");
    kit.region().transit_gateway_route_tables[0].routes[0].state = Some("blackhole".into());
    let (_, e) = trace(&kit);
    assert!(e.is_blocked() && says(&e, "is a blackhole"), "{e:#?}");
    kit.region().transit_gateway_route_tables[0].routes.clear();
    let (_, e) = trace(&kit);
    assert!(e.is_blocked() && says(&e, "no route"), "{e:#?}");
}

#[test]
fn longest_prefix_and_static_over_propagated() {
    let mut kit = hub("att-i");
    // A more specific propagated route to the egress VPC wins over 0.0.0.0/0.
    let mut specific = kit.region().transit_gateway_route_tables[0].routes[0].clone();
    specific.destination =
        crate::inventory::RouteDestination::Ipv4("93.184.0.0/16".parse().expect("net"));
    specific.route_type = Some("propagated".into());
    specific.attachments[0].attachment_id = Some("att-e".into());
    kit.region().transit_gateway_route_tables[0]
        .routes
        .push(specific.clone());
    assert_eq!(hops(&trace(&kit).0)[0], "tgw:att-e");
    // At equal length, a static route beats the propagated one.
    let mut same = specific;
    same.route_type = Some("static".into());
    same.attachments[0].attachment_id = Some("att-i".into());
    kit.region().transit_gateway_route_tables[0]
        .routes
        .push(same);
    assert_eq!(hops(&trace(&kit).0)[0], "tgw:att-i");
}

#[test]
fn association_found_from_the_route_table_side() {
    let mut kit = hub("att-e");
    kit.region()
        .transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-s")
        .for_each(|a| a.association_route_table_id = None);
    // No association anywhere: no route.
    let (_, e) = trace(&kit);
    assert!(
        e.is_blocked() && says(&e, "no associated route table"),
        "{e:#?}"
    );
    kit.region().transit_gateway_route_tables[0]
        .associations
        .push(crate::inventory::TransitGatewayRouteTableLink {
            attachment_id: Some("att-s".into()),
            resource_id: Some("vpc-s".into()),
            resource_type: Some("vpc".into()),
            state: Some("associated".into()),
        });
    assert!(trace(&kit).1.is_allowed());
}

#[test]
fn gateway_load_balancer_appliance_is_unknown_never_pass_or_fail() {
    let mut kit = hub("att-i").gwlb_endpoint("vpce-gwlb", "vpc-i", "subnet-i-fw");
    kit.region()
        .route_tables
        .iter_mut()
        .filter(|t| t.id == "rtb-i-tgw")
        .for_each(|t| t.routes[1].target = RouteTarget::VpcEndpoint("vpce-gwlb".into()));
    let (path, e) = trace(&kit);
    assert_eq!(
        hops(&path),
        [
            "tgw:att-i",
            "appliance:vpce-gwlb",
            "tgw:att-e",
            "nat:nat-e",
            "igw:igw-e"
        ]
    );
    assert!(e.is_unknown(), "{e:#?}");
    assert!(says(&e, "third-party appliance rules are not visible"));
}

#[test]
fn egress_vpc_in_an_account_not_scanned_is_unknown() {
    let mut kit = hub("att-e");
    kit.region()
        .transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-e")
        .for_each(|a| a.resource_owner_id = Some("999999999999".into()));
    let (path, e) = trace(&kit);
    assert!(e.is_unknown(), "{e:#?}");
    assert!(
        says(&e, "account 999999999999, which is not in the scan"),
        "{e:#?}"
    );
    assert_eq!(hops(&path), ["tgw:att-e", "None"]);
}

#[test]
fn egress_vpc_in_another_scanned_account_is_judged() {
    // vpc-e moves to account 222222222222; the attachment names its owner.
    let mut kit = hub("att-e");
    let r = kit.region();
    r.vpcs.retain(|v| v.id != "vpc-e");
    r.subnets.retain(|s| s.vpc_id != "vpc-e");
    r.route_tables.retain(|t| t.vpc_id != "vpc-e");
    r.nat_gateways.clear();
    r.internet_gateways.clear();
    r.network_acls.retain(|a| a.vpc_id != "vpc-e");
    r.transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-e")
        .for_each(|a| a.resource_owner_id = Some("222222222222".into()));
    let kit = egress_vpc(kit.account("222222222222"));
    let (path, e) = trace(&kit);
    assert_eq!(hops(&path), ["tgw:att-e", "nat:nat-e", "igw:igw-e"]);
    assert!(e.is_allowed(), "{e:#?}");
}

#[test]
fn internet_gateway_of_another_vpc_needs_translation() {
    let mut kit = hub("att-e");
    kit.region()
        .route_tables
        .iter_mut()
        .filter(|t| t.id == "rtb-e-tgw")
        .for_each(|t| t.routes[1].target = RouteTarget::InternetGateway("igw-e".into()));
    let (path, e) = trace(&kit);
    assert!(e.is_blocked() && says(&e, "arrives untranslated"), "{e:#?}");
    assert_eq!(hops(&path), ["tgw:att-e", "None"]);
}

#[test]
fn tgw_routing_loop_is_detected() {
    // The inspection attachment shares the spoke table: 0.0.0.0/0 -> att-i again.
    let mut kit = hub("att-i");
    kit.region()
        .transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-i")
        .for_each(|a| a.association_route_table_id = Some("tgw-rtb-spoke".into()));
    let (_, e) = trace(&kit);
    assert!(e.is_blocked() && says(&e, "routing loop"), "{e:#?}");
}

#[test]
fn attachment_without_a_subnet_in_the_flows_az_blocks() {
    // subnet-s (and att-s) move to eu-west-1b; att-i has no subnet there, and its
    // subnets use different tables: which one the TGW picks is not known.
    let kit = hub("att-i").subnet_az("subnet-s", "eu-west-1b");
    let (_, e) = trace(&kit);
    assert!(
        e.is_unknown() && says(&e, "which of the subnets of att-i"),
        "{e:#?}"
    );
    let mut kit = kit.subnet("subnet-s2", "vpc-s");
    kit.region()
        .transit_gateway_attachments
        .iter_mut()
        .filter(|a| a.id == "att-s")
        .for_each(|a| a.subnet_ids = vec!["subnet-s2".into()]);
    let (_, e) = trace(&kit);
    assert!(
        e.is_blocked() && says(&e, "no subnet in eu-west-1b"),
        "{e:#?}"
    );
}
