use crate::inventory::{Operation, RegionInventory, RouteState, RouteTable, RouteTarget};
use crate::reach::explain::Code;
use crate::reach::route::{
    edge_table_for_gateway, evaluate, lookup, table_for_subnet, RouteDecision,
};
use crate::reach::testkit::*;
use crate::reach::{Model, Step, Verdict};

fn igw(id: &str) -> RouteTarget {
    RouteTarget::InternetGateway(id.into())
}

fn local() -> RouteTarget {
    RouteTarget::Local
}

fn vpce(id: &str) -> RouteTarget {
    RouteTarget::VpcEndpoint(id.into())
}

fn nat(id: &str) -> RouteTarget {
    RouteTarget::NatGateway(id.into())
}

/// vpc-1 with `subnet-1` on table `rtb-1` holding `routes`.
fn table_with(routes: Vec<crate::inventory::Route>) -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .route_table("rtb-1", "vpc-1", true, &[])
        .routes("rtb-1", routes)
}

fn inventory(kit: &Kit) -> &RegionInventory {
    &kit.inv.accounts[0].regions[0]
}

fn table<'k>(kit: &'k Kit, id: &str) -> &'k RouteTable {
    inventory(kit)
        .route_tables
        .iter()
        .find(|t| t.id == id)
        .unwrap()
}

/// The target `rtb-1` picks for `dst`, or the decision if it is not a route.
fn target_for(kit: &Kit, dst: &str) -> Result<RouteTarget, String> {
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    match lookup(r, inventory(kit), table(kit, "rtb-1"), ip(dst)) {
        RouteDecision::Route { route, .. } => Ok(route.target.clone()),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn longest_prefix_wins() {
    let kit = table_with(vec![
        route("0.0.0.0/0", igw("igw-123")),
        route(
            "10.50.0.0/16",
            RouteTarget::VpcPeeringConnection("pcx-1".into()),
        ),
        route("10.50.1.0/24", RouteTarget::TransitGateway("tgw-1".into())),
    ]);
    assert_eq!(
        target_for(&kit, "10.50.1.7"),
        Ok(RouteTarget::TransitGateway("tgw-1".into()))
    );
    assert_eq!(
        target_for(&kit, "10.50.2.7"),
        Ok(RouteTarget::VpcPeeringConnection("pcx-1".into()))
    );
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let e = evaluate(r, inventory(&kit), table(&kit, "rtb-1"), ip("8.8.8.8"));
    assert!(e.is_allowed());
    assert_eq!(e.steps, vec![Step::new("rtb-1", "0.0.0.0/0 -> igw-123")]);
}

#[test]
fn local_route_for_vpc_cidr() {
    let kit = table_with(vec![
        route("10.0.0.0/16", local()),
        route("0.0.0.0/0", igw("igw-1")),
    ]);
    assert_eq!(target_for(&kit, "10.0.3.4"), Ok(RouteTarget::Local));
    assert_eq!(target_for(&kit, "10.1.3.4"), Ok(igw("igw-1")));
}

#[test]
fn propagated_route_never_beats_local_even_if_more_specific() {
    let mut propagated = route(
        "10.0.1.0/24",
        RouteTarget::VirtualPrivateGateway("vgw-1".into()),
    );
    propagated.origin = Some("EnableVgwRoutePropagation".into());
    let kit = table_with(vec![route("10.0.0.0/16", local()), propagated]);
    assert_eq!(target_for(&kit, "10.0.1.4"), Ok(RouteTarget::Local));
}

#[test]
fn blackhole_route_drops() {
    let kit = table_with(vec![
        route("0.0.0.0/0", igw("igw-1")),
        route_in(
            RouteState::Blackhole,
            "10.50.0.0/16",
            RouteTarget::VpcPeeringConnection("pcx-deleted".into()),
        ),
    ]);
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let e = evaluate(r, inventory(&kit), table(&kit, "rtb-1"), ip("10.50.0.9"));
    assert!(e.is_blocked());
    assert_eq!(
        e.steps,
        vec![Step::coded(
            Code::RouteBlackhole,
            "rtb-1",
            "10.50.0.0/16 is a blackhole"
        )]
    );
}

#[test]
fn route_in_unknown_state_is_unknown() {
    let kit = table_with(vec![route_in(
        RouteState::Unknown,
        "0.0.0.0/0",
        igw("igw-1"),
    )]);
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let e = evaluate(r, inventory(&kit), table(&kit, "rtb-1"), ip("8.8.8.8"));
    assert!(e.is_unknown());
}

#[test]
fn no_route_is_blocked() {
    let kit = table_with(vec![route("10.0.0.0/16", local())]);
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let t = table(&kit, "rtb-1");
    assert_eq!(
        lookup(r, inventory(&kit), t, ip("8.8.8.8")),
        RouteDecision::NoRoute { table: t }
    );
    let e = evaluate(r, inventory(&kit), t, ip("8.8.8.8"));
    assert!(e.is_blocked());
    assert_eq!(
        e.steps,
        vec![Step::coded(
            Code::NoRouteToDestination,
            "rtb-1",
            "has no route to 8.8.8.8"
        )]
    );
}

#[test]
fn ipv6_destination_ignores_ipv4_routes() {
    let kit = table_with(vec![route("0.0.0.0/0", igw("igw-1"))]);
    assert!(target_for(&kit, "2001:db8::1")
        .unwrap_err()
        .contains("NoRoute"));
    let kit = kit.routes(
        "rtb-1",
        vec![route(
            "::/0",
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
        )],
    );
    assert_eq!(
        target_for(&kit, "2001:db8::1"),
        Ok(RouteTarget::EgressOnlyInternetGateway("eigw-1".into()))
    );
    assert_eq!(target_for(&kit, "8.8.8.8"), Ok(igw("igw-1")));
}

#[test]
fn prefix_list_destination_matches_its_entries() {
    let kit = table_with(vec![
        route("0.0.0.0/0", nat("nat-1")),
        route("pl-s3", vpce("vpce-1")),
    ])
    .prefix_list("pl-s3", &["52.218.0.0/17", "3.5.0.0/19"]);
    assert_eq!(target_for(&kit, "3.5.1.1"), Ok(vpce("vpce-1")));
    assert_eq!(target_for(&kit, "52.218.9.9"), Ok(vpce("vpce-1")));
    assert_eq!(target_for(&kit, "8.8.8.8"), Ok(nat("nat-1")));
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let e = evaluate(r, inventory(&kit), table(&kit, "rtb-1"), ip("3.5.1.1"));
    assert_eq!(e.steps, vec![Step::new("rtb-1", "pl-s3 -> vpce-1")]);
}

#[test]
fn prefix_list_entry_length_counts_for_longest_match() {
    let kit = table_with(vec![
        route("52.218.0.0/16", nat("nat-1")),
        route("pl-1", vpce("vpce-1")),
    ])
    .prefix_list("pl-1", &["52.0.0.0/8", "52.218.0.0/24"]);
    // The /24 entry beats the /16 route; where only the /8 entry matches, it loses.
    assert_eq!(target_for(&kit, "52.218.0.5"), Ok(vpce("vpce-1")));
    assert_eq!(target_for(&kit, "52.218.5.5"), Ok(nat("nat-1")));
    assert_eq!(target_for(&kit, "52.1.1.1"), Ok(vpce("vpce-1")));
}

#[test]
fn static_cidr_beats_prefix_list_of_equal_length() {
    let kit = table_with(vec![
        route("pl-1", vpce("vpce-1")),
        route("52.218.0.0/24", nat("nat-1")),
    ])
    .prefix_list("pl-1", &["52.218.0.0/24"]);
    assert_eq!(target_for(&kit, "52.218.0.5"), Ok(nat("nat-1")));
}

#[test]
fn prefix_lists_tied_with_different_targets_are_unknown() {
    let kit = table_with(vec![
        route("pl-1", vpce("vpce-1")),
        route("pl-2", vpce("vpce-2")),
    ])
    .prefix_list("pl-1", &["52.218.0.0/24"])
    .prefix_list("pl-2", &["52.218.0.0/24"]);
    assert!(target_for(&kit, "52.218.0.5")
        .unwrap_err()
        .contains("Unknown"));
}

#[test]
fn uncollected_prefix_list_makes_lookup_unknown() {
    let kit = table_with(vec![
        route("10.0.0.0/16", local()),
        route("0.0.0.0/0", igw("igw-1")),
        route("pl-missing", vpce("vpce-1")),
    ]);
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let t = table(&kit, "rtb-1");
    let e = evaluate(r, inventory(&kit), t, ip("8.8.8.8"));
    match &e.verdict {
        Verdict::Unknown { reason } => assert!(reason.contains("pl-missing"), "{reason}"),
        v => panic!("expected unknown, got {v}"),
    }
    // The local route cannot be overridden by a prefix-list route.
    assert_eq!(target_for(&kit, "10.0.0.5"), Ok(RouteTarget::Local));

    // A list whose entries failed to load is just as unknown.
    let kit = table_with(vec![
        route("0.0.0.0/0", igw("igw-1")),
        route("pl-1", vpce("vpce-1")),
    ])
    .prefix_list("pl-1", &["52.218.0.0/24"])
    .gap_about(
        Operation::GetManagedPrefixListEntries,
        "pl-1",
        "access denied",
    );
    assert!(target_for(&kit, "8.8.8.8").unwrap_err().contains("Unknown"));
}

#[test]
fn subnet_without_association_uses_own_vpc_main_table() {
    let kit = Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .subnet("subnet-1", "vpc-2")
        .subnet("subnet-2", "vpc-2")
        .route_table("rtb-main-1", "vpc-1", true, &[])
        .route_table("rtb-main-2", "vpc-2", true, &[])
        .route_table("rtb-custom", "vpc-2", false, &["subnet-2"]);
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    assert_eq!(table_for_subnet(r, "subnet-1").unwrap().id, "rtb-main-2");
    assert_eq!(table_for_subnet(r, "subnet-2").unwrap().id, "rtb-custom");
    assert!(table_for_subnet(r, "subnet-9").is_err());
}

#[test]
fn edge_table_found_by_gateway_association() {
    let kit = Kit::new()
        .vpc("vpc-1")
        .route_table("rtb-main", "vpc-1", true, &[])
        .edge_route_table("rtb-edge", "vpc-1", "igw-1");
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let ri = inventory(&kit);
    assert_eq!(
        edge_table_for_gateway(r, ri, "igw-1")
            .unwrap()
            .map(|t| t.id.as_str()),
        Some("rtb-edge")
    );
    assert_eq!(edge_table_for_gateway(r, ri, "igw-2"), Ok(None));
}

#[test]
fn missing_route_table_api_is_unknown() {
    let kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .gap(Operation::DescribeRouteTables, "not authorized");
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    let ri = inventory(&kit);
    let err = table_for_subnet(r, "subnet-1").unwrap_err();
    assert!(err.contains("DescribeRouteTables"), "{err}");
    assert!(edge_table_for_gateway(r, ri, "igw-1").is_err());
}
