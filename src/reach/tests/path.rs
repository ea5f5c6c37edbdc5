//! End-to-end paths: ENI to ENI, internet to ENI, ENI to internet.

use crate::inventory::{L4Match, Operation, Protocol, RouteState, RouteTarget};
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::*;
use crate::reach::Evaluation;

const HTTPS: ServicePoint = ServicePoint::Tcp(443);

fn says(e: &Evaluation, needle: &str) -> bool {
    e.steps
        .iter()
        .any(|s| s.component.contains(needle) || s.decision.contains(needle))
        || matches!(&e.verdict, crate::reach::Verdict::Unknown { reason } if reason.contains(needle))
}

fn local() -> RouteTarget {
    RouteTarget::Local
}

/// Egress to everywhere, both families.
fn client_group() -> Vec<crate::inventory::SecurityGroupRule> {
    vec![
        egress("sgr-out4", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
        egress("sgr-out6", Protocol::All, L4Match::Any, cidr("::/0")),
    ]
}

mod private {
    use super::*;
    use crate::reach::path::eni_to_eni;
    use crate::reach::Model;

    /// vpc-1 with eni-a (10.0.1.10, subnet-1) and eni-b (10.0.2.20, subnet-2); eni-b
    /// accepts https from members of sg-client.
    fn same_vpc() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("10.0.0.0/16", local())])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-client", "client", client_group())
            .group(
                "sg-server",
                "server",
                vec![ingress(
                    "sgr-in",
                    Protocol::Tcp,
                    ports(443, 443),
                    group_peer("sg-client"),
                )],
            )
            .eni("eni-a", &["10.0.1.10"], &["sg-client"])
            .eni("eni-b", &["10.0.2.20"], &["sg-server"])
            .placed("vpc-1", "subnet-2")
    }

    fn run(kit: &Kit, src: &str, dst: &str, service: ServicePoint) -> Evaluation {
        let model = Model::build(&kit.inv);
        eni_to_eni(&model, &kit.inv, src, dst, service)
    }

    #[test]
    fn same_vpc_connection_allowed() {
        let kit = same_vpc();
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "10.0.0.0/16 -> local"));
        assert!(says(&e, "sgr-in"));
        assert!(says(&e, "sgr-out4"));
        assert!(says(&e, "acl-1 inbound"));
        assert!(says(&e, "replies"));
    }

    #[test]
    fn sg_blocks_connection() {
        let kit = same_vpc();
        let e = run(&kit, "eni-a", "eni-b", ServicePoint::Tcp(22));
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no rule in groups [sg-server (server)]"));
    }

    #[test]
    fn reply_blocked_by_nacl() {
        // subnet-2 lets the request in but only port 443 back out.
        let kit = same_vpc().nacl(
            acl(
                "acl-2",
                vec![
                    entry(
                        100,
                        crate::inventory::Direction::Ingress,
                        crate::inventory::NaclAction::Allow,
                        Protocol::Tcp,
                        ports(443, 443),
                        "10.0.0.0/8",
                    ),
                    entry(
                        100,
                        crate::inventory::Direction::Egress,
                        crate::inventory::NaclAction::Allow,
                        Protocol::Tcp,
                        ports(443, 443),
                        "10.0.0.0/8",
                    ),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-2"],
        );
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "acl-2 outbound"));
        assert!(says(&e, "not allowed"));
    }

    #[test]
    fn same_subnet_skips_nacl_in_path() {
        // A deny-all ACL on the shared subnet does not matter.
        let kit = same_vpc().placed("vpc-1", "subnet-1").nacl(
            acl("acl-deny", vec![]),
            "vpc-1",
            false,
            &["subnet-1"],
        );
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "not crossed"));
    }

    #[test]
    fn more_specific_middlebox_route_is_unknown() {
        let kit = same_vpc().routes(
            "rtb-1",
            vec![route(
                "10.0.2.0/24",
                RouteTarget::NetworkInterface("eni-appliance".into()),
            )],
        );
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "middlebox route"));
        // A blackhole, though, decides.
        let kit = same_vpc().routes(
            "rtb-1",
            vec![route_in(
                RouteState::Blackhole,
                "10.0.2.0/24",
                RouteTarget::NetworkInterface("eni-gone".into()),
            )],
        );
        assert!(run(&kit, "eni-a", "eni-b", HTTPS).is_blocked());
    }

    #[test]
    fn missing_route_tables_are_unknown() {
        let kit = same_vpc().gap(Operation::DescribeRouteTables, "denied");
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "DescribeRouteTables"));
    }

    /// vpc-1 (10.0/16, eni-a) and vpc-2 (10.1/16, eni-b), each with its own table.
    fn two_vpcs(to_vpc2: Option<RouteTarget>, to_vpc1: Option<RouteTarget>) -> Kit {
        let mut kit = Kit::new()
            .vpc("vpc-1")
            .vpc("vpc-2")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-2")
            .route_table("rtb-1", "vpc-1", true, &[])
            .route_table("rtb-2", "vpc-2", true, &[])
            .routes("rtb-1", vec![route("10.0.0.0/16", local())])
            .routes("rtb-2", vec![route("10.1.0.0/16", local())])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .nacl(open_acl("acl-2"), "vpc-2", true, &[])
            .group("sg-client", "client", client_group())
            .group(
                "sg-server",
                "server",
                vec![ingress(
                    "sgr-in",
                    Protocol::Tcp,
                    ports(443, 443),
                    cidr("10.0.0.0/16"),
                )],
            )
            .eni("eni-a", &["10.0.1.10"], &["sg-client"])
            .eni("eni-b", &["10.1.2.20"], &["sg-server"])
            .placed("vpc-2", "subnet-2");
        if let Some(t) = to_vpc2 {
            kit = kit.routes("rtb-1", vec![route("10.1.0.0/16", t)]);
        }
        if let Some(t) = to_vpc1 {
            kit = kit.routes("rtb-2", vec![route("10.0.0.0/16", t)]);
        }
        kit
    }

    fn pcx(id: &str) -> RouteTarget {
        RouteTarget::VpcPeeringConnection(id.into())
    }

    #[test]
    fn peering_with_routes_both_sides_allowed() {
        let kit = two_vpcs(Some(pcx("pcx-1")), Some(pcx("pcx-1")))
            .peering("pcx-1", "active", "vpc-1", "vpc-2");
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "10.1.0.0/16 -> pcx-1"));
        assert!(says(&e, "10.0.0.0/16 -> pcx-1"));
        assert!(says(&e, "active, joins vpc-1 and vpc-2"));
    }

    #[test]
    fn peering_without_return_route_blocked() {
        let kit = two_vpcs(Some(pcx("pcx-1")), None).peering("pcx-1", "active", "vpc-1", "vpc-2");
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "peering without the return route"));
    }

    #[test]
    fn inactive_peering_blocked() {
        let kit = two_vpcs(Some(pcx("pcx-1")), Some(pcx("pcx-1"))).peering(
            "pcx-1",
            "pending-acceptance",
            "vpc-1",
            "vpc-2",
        );
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "pending-acceptance, not active"));
    }

    #[test]
    fn peering_is_not_transitive() {
        // vpc-1 <-> vpc-2 <-> vpc-3: vpc-1 cannot reach vpc-3 through vpc-2.
        let kit = two_vpcs(Some(pcx("pcx-1")), Some(pcx("pcx-1")))
            .peering("pcx-1", "active", "vpc-1", "vpc-2")
            .peering("pcx-2", "active", "vpc-2", "vpc-3")
            .vpc("vpc-3")
            .subnet("subnet-3", "vpc-3")
            .route_table("rtb-3", "vpc-3", true, &[])
            .routes(
                "rtb-3",
                vec![
                    route("10.2.0.0/16", local()),
                    route("10.0.0.0/16", pcx("pcx-2")),
                ],
            )
            .routes("rtb-1", vec![route("10.2.0.0/16", pcx("pcx-1"))])
            .routes("rtb-2", vec![route("10.2.0.0/16", pcx("pcx-2"))])
            .nacl(open_acl("acl-3"), "vpc-3", true, &[])
            .eni("eni-c", &["10.2.3.30"], &["sg-server"])
            .placed("vpc-3", "subnet-3");
        let e = run(&kit, "eni-a", "eni-c", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "peering is not transitive"));
    }

    fn tgw_kit(blackhole: bool) -> Kit {
        let tgw = || RouteTarget::TransitGateway("tgw-1".into());
        let mut routes = vec![
            ("10.0.0.0/16", "active", "tgw-attach-1"),
            ("10.1.0.0/16", "active", "tgw-attach-2"),
        ];
        if blackhole {
            routes.push(("10.1.2.0/24", "blackhole", ""));
        }
        two_vpcs(Some(tgw()), Some(tgw()))
            .tgw_attachment("tgw-attach-1", "tgw-1", "vpc-1", "tgw-rtb-1")
            .tgw_attachment("tgw-attach-2", "tgw-1", "vpc-2", "tgw-rtb-1")
            .tgw_route_table("tgw-rtb-1", "tgw-1", &routes)
    }

    #[test]
    fn tgw_path_allowed() {
        let kit = tgw_kit(false);
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "10.1.0.0/16 -> tgw-attach-2"));
        assert!(says(&e, "10.0.0.0/16 -> tgw-attach-1"));
        assert!(says(&e, "tgw-1 (transit gateway)"));
    }

    #[test]
    fn tgw_attachment_carries_only_its_azs() {
        let mut kit = tgw_kit(false);
        // eni-a's subnet is in eu-west-1a; the attachment of vpc-1 moves to 1b only.
        let other_az = crate::inventory::Subnet {
            id: "subnet-tgw".into(),
            availability_zone: "eu-west-1b".into(),
            ..kit.region().subnets[0].clone()
        };
        kit.region().subnets.push(other_az);
        kit.region().transit_gateway_attachments[0].subnet_ids = vec!["subnet-tgw".into()];
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "has no subnet in eu-west-1a"));
        // Unknown when the attachment's subnets were not collected.
        kit.region().transit_gateway_attachments[0]
            .subnet_ids
            .clear();
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_unknown(), "{e:#?}");
        // A deleted attachment carries nothing.
        kit.region().transit_gateway_attachments[0].subnet_ids = vec!["subnet-1".into()];
        kit.region().transit_gateway_attachments[0].state = Some("deleted".into());
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "is deleted, not available"));
    }

    /// A gateway shared through RAM: its route table, and the attachments' copies
    /// that name it, are in the owner's account only.
    #[test]
    fn shared_tgw_route_table_is_read_in_the_owner_account() {
        let mut kit = tgw_kit(false);
        let table = kit.region().transit_gateway_route_tables.remove(0);
        let owner_copies = kit.region().transit_gateway_attachments.clone();
        let mut kit = kit.account("999999999999");
        kit.region().transit_gateway_route_tables.push(table);
        kit.region().transit_gateway_attachments = owner_copies;
        // The members' copies name the table: it is found in the owner's account.
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "10.1.0.0/16 -> tgw-attach-2"));
        // The members' copies do not name it: the owner's copies do.
        for a in &mut kit.inv.accounts[0].regions[0].transit_gateway_attachments {
            a.association_route_table_id = None;
        }
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        // Without the owner's account the association is unknown, not missing.
        kit.inv.accounts.pop();
        for a in &mut kit.inv.accounts[0].regions[0].transit_gateway_attachments {
            a.transit_gateway_owner_id = Some("999999999999".into());
        }
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "owner's account 999999999999"), "{e:#?}");
        // The gateway is the account's own: no association is no route.
        for a in &mut kit.inv.accounts[0].regions[0].transit_gateway_attachments {
            a.transit_gateway_owner_id = Some(ACCOUNT.into());
        }
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
    }

    #[test]
    fn tgw_blackhole_blocks() {
        let kit = tgw_kit(true);
        let e = run(&kit, "eni-a", "eni-b", HTTPS);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "10.1.2.0/24 is a blackhole"));
    }
}

mod internet {
    use super::*;
    use crate::reach::path::internet_to_eni;
    use crate::reach::Model;

    const CLIENT: &str = "203.0.113.5";

    /// eni-a (10.0.1.10) in subnet-1, whose table sends everything to igw-1.
    fn base(web_rules: Vec<crate::inventory::SecurityGroupRule>) -> Kit {
        let igw = || RouteTarget::InternetGateway("igw-1".into());
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes(
                "rtb-1",
                vec![
                    route("10.0.0.0/16", local()),
                    route("0.0.0.0/0", igw()),
                    route("::/0", igw()),
                ],
            )
            .igw("igw-1", "vpc-1")
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-web", "web", web_rules)
    }

    fn https_from_anywhere() -> Vec<crate::inventory::SecurityGroupRule> {
        vec![
            ingress(
                "sgr-web4",
                Protocol::Tcp,
                ports(443, 443),
                cidr("0.0.0.0/0"),
            ),
            ingress("sgr-web6", Protocol::Tcp, ports(443, 443), cidr("::/0")),
        ]
    }

    fn run(kit: &Kit, client: &str) -> Evaluation {
        let model = Model::build(&kit.inv);
        internet_to_eni(&model, &kit.inv, "eni-a", ip(client), HTTPS)
    }

    #[test]
    fn public_ip_needed_for_inbound() {
        let kit = base(https_from_anywhere()).eni("eni-a", &["10.0.1.10"], &["sg-web"]);
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no public address"));

        let kit = kit.public_ip("54.0.0.10");
        let e = run(&kit, CLIENT);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "0.0.0.0/0 -> igw-1"));
        assert!(says(&e, "attached to vpc-1"));
        assert!(says(&e, "sgr-web4"));
    }

    #[test]
    fn group_reference_does_not_match_internet_client() {
        let rules = vec![ingress(
            "sgr-self",
            Protocol::Tcp,
            ports(443, 443),
            group_peer("sg-web"),
        )];
        let kit = base(rules)
            .eni("eni-a", &["10.0.1.10"], &["sg-web"])
            .public_ip("54.0.0.10");
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no rule in groups"));
    }

    #[test]
    fn inbound_needs_igw_reply_route() {
        let mut kit = base(https_from_anywhere())
            .eni("eni-a", &["10.0.1.10"], &["sg-web"])
            .public_ip("54.0.0.10");
        kit.region().route_tables[0].routes = vec![
            route("10.0.0.0/16", local()),
            route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into())),
        ];
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "does not carry inbound"));

        kit.region().route_tables[0].routes = vec![route("10.0.0.0/16", local())];
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no route"));
    }

    #[test]
    fn ipv6_inbound_via_igw() {
        let kit =
            base(https_from_anywhere()).eni("eni-a", &["10.0.1.10", "2001:db8::10"], &["sg-web"]);
        let e = run(&kit, "2001:db8:ffff::1");
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "::/0 -> igw-1"));
        assert!(says(&e, "sgr-web6"));
    }

    #[test]
    fn reply_through_unknown_endpoint_is_unknown() {
        let mut kit = base(https_from_anywhere())
            .eni("eni-a", &["10.0.1.10"], &["sg-web"])
            .public_ip("54.0.0.10");
        kit.region().route_tables[0].routes = vec![
            route("10.0.0.0/16", local()),
            route("0.0.0.0/0", RouteTarget::VpcEndpoint("vpce-x".into())),
        ];
        let e = run(&kit, CLIENT);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "not an endpoint of a collected firewall"));
    }

    #[test]
    fn egress_only_gateway_blocks_inbound() {
        let mut kit = base(https_from_anywhere())
            .eni("eni-a", &["10.0.1.10", "2001:db8::10"], &["sg-web"])
            .eigw("eigw-1", "vpc-1");
        kit.region().route_tables[0].routes = vec![
            route("10.0.0.0/16", local()),
            route(
                "::/0",
                RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
            ),
        ];
        let e = run(&kit, "2001:db8:ffff::1");
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(
            &e,
            "egress-only internet gateway does not carry inbound"
        ));
    }

    use crate::inventory::{Direction, NaclAction};
    const IN: Direction = Direction::Ingress;
    const OUT: Direction = Direction::Egress;

    /// A policy whose stateless default passes everything.
    fn pass_policy() -> crate::inventory::FirewallPolicy {
        crate::inventory::FirewallPolicy {
            name: "pass".into(),
            arn: "arn:policy/pass".into(),
            stateless_default_actions: vec!["aws:pass".into()],
            stateless_fragment_default_actions: vec!["aws:pass".into()],
            stateless_custom_actions: vec![],
            stateless_rule_groups: vec![],
            stateful_rule_groups: vec![],
            stateful_rule_order: crate::inventory::RuleOrder::DefaultActionOrder,
            stream_exception_policy: None,
            stateful_default_actions: vec![],
            variables: Default::default(),
            tags: Default::default(),
        }
    }

    /// eni-a (public 54.0.0.10) in subnet-1, whose replies go through firewall
    /// endpoint vpce-fw in subnet-fw, which routes to igw-1. With `edge`, igw-1's
    /// edge table sends subnet-1's requests through vpce-fw too.
    fn inspected(edge: Option<RouteTarget>) -> Kit {
        let mut kit = base(https_from_anywhere())
            .subnet("subnet-fw", "vpc-1")
            .route_table("rtb-fw", "vpc-1", false, &["subnet-fw"])
            .routes(
                "rtb-fw",
                vec![
                    route("10.0.0.0/16", local()),
                    route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
                ],
            )
            .network_firewall("fw", "vpc-1", "subnet-fw", "vpce-fw", "arn:policy/pass")
            .firewall_policy(pass_policy())
            .eni("eni-a", &["10.0.1.10"], &["sg-web"])
            .public_ip("54.0.0.10");
        kit.region().route_tables[0].routes = vec![
            route("10.0.0.0/16", local()),
            route("0.0.0.0/0", RouteTarget::VpcEndpoint("vpce-fw".into())),
        ];
        if let Some(target) = edge {
            kit = kit.edge_route_table("rtb-edge", "vpc-1", "igw-1").routes(
                "rtb-edge",
                vec![route("10.0.0.0/16", local()), route("10.0.1.0/24", target)],
            );
        }
        kit
    }

    #[test]
    fn ingress_routing_through_the_same_endpoint_is_inspected() {
        let kit = inspected(Some(RouteTarget::VpcEndpoint("vpce-fw".into())));
        let e = run(&kit, CLIENT);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "inspected by firewall fw"));
        assert!(says(
            &e,
            "symmetric: traffic to 10.0.1.10 also passes vpce-fw"
        ));
    }

    #[test]
    fn reply_through_firewall_without_ingress_routing_is_asymmetric() {
        let e = run(&inspected(None), CLIENT);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "asymmetric routing"));
    }

    #[test]
    fn ingress_routing_to_a_firewall_the_reply_skips_is_asymmetric() {
        let mut kit = inspected(Some(RouteTarget::VpcEndpoint("vpce-fw".into())));
        kit.region().route_tables[0].routes[1] =
            route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into()));
        let e = run(&kit, CLIENT);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "other direction bypasses it"));
    }

    #[test]
    fn ingress_routing_through_an_appliance_is_unknown() {
        let kit = base(https_from_anywhere())
            .eni("eni-a", &["10.0.1.10"], &["sg-web"])
            .public_ip("54.0.0.10")
            .edge_route_table("rtb-edge", "vpc-1", "igw-1")
            .routes(
                "rtb-edge",
                vec![
                    route("10.0.0.0/16", local()),
                    route(
                        "10.0.1.0/24",
                        RouteTarget::NetworkInterface("eni-ids".into()),
                    ),
                ],
            );
        let e = run(&kit, CLIENT);
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "middlebox"));
    }

    #[test]
    fn edge_blackhole_blocks_inbound() {
        let mut kit = inspected(Some(RouteTarget::VpcEndpoint("vpce-fw".into())));
        let edge = kit.region().route_tables.last_mut().unwrap();
        edge.routes[1].state = RouteState::Blackhole;
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "blackhole"));
    }

    #[test]
    fn firewall_subnet_nacl_applies_on_the_way_in() {
        let kit = inspected(Some(RouteTarget::VpcEndpoint("vpce-fw".into()))).nacl(
            acl(
                "acl-fw",
                vec![
                    entry(
                        100,
                        IN,
                        NaclAction::Deny,
                        Protocol::Tcp,
                        ports(443, 443),
                        "0.0.0.0/0",
                    ),
                    entry(
                        110,
                        IN,
                        NaclAction::Allow,
                        Protocol::All,
                        L4Match::Any,
                        "0.0.0.0/0",
                    ),
                    entry(
                        100,
                        OUT,
                        NaclAction::Allow,
                        Protocol::All,
                        L4Match::Any,
                        "0.0.0.0/0",
                    ),
                ],
            ),
            "vpc-1",
            false,
            &["subnet-fw"],
        );
        let e = run(&kit, CLIENT);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "acl-fw"));
    }
}

mod egress {
    use std::collections::BTreeMap;

    use super::*;
    use crate::inventory::{
        DomainList, FirewallPolicy, NatConnectivity, RuleGroup, RuleGroupReference, RuleGroupType,
        RuleOrder, RuleSource,
    };
    use crate::reach::path::{egress_trace, eni_to_internet, EgressPath, DEFAULT_EPHEMERAL};
    use crate::reach::Model;

    const DST: &str = "93.184.216.34";

    fn nat() -> RouteTarget {
        RouteTarget::NatGateway("nat-1".into())
    }

    fn igw() -> RouteTarget {
        RouteTarget::InternetGateway("igw-1".into())
    }

    /// eni-a (no public address) in private subnet-1 routed to nat-1 in public
    /// subnet-2, whose table routes to igw-1 when `public_route`.
    fn base(connectivity: NatConnectivity, public_route: bool) -> Kit {
        let mut kit = Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-1")
            .route_table("rtb-priv", "vpc-1", false, &["subnet-1"])
            .route_table("rtb-pub", "vpc-1", false, &["subnet-2"])
            .routes(
                "rtb-priv",
                vec![route("10.0.0.0/16", local()), route("0.0.0.0/0", nat())],
            )
            .routes("rtb-pub", vec![route("10.0.0.0/16", local())])
            .igw("igw-1", "vpc-1")
            .nat_gateway("nat-1", "subnet-2", connectivity, "10.0.2.5")
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-client", "client", client_group())
            .eni("eni-a", &["10.0.1.10", "2001:db8::10"], &["sg-client"]);
        if public_route {
            kit = kit.routes("rtb-pub", vec![route("0.0.0.0/0", igw())]);
        }
        kit
    }

    fn trace(kit: &Kit, dst: &str, sni: Option<&str>) -> (EgressPath, Evaluation) {
        let model = Model::build(&kit.inv);
        egress_trace(
            &model,
            &kit.inv,
            "eni-a",
            ip(dst),
            HTTPS,
            sni.map(String::from),
            DEFAULT_EPHEMERAL,
        )
    }

    #[test]
    fn nat_carries_private_subnet_out() {
        let kit = base(NatConnectivity::Public, true);
        let model = Model::build(&kit.inv);
        let e = eni_to_internet(&model, &kit.inv, "eni-a", ip(DST), HTTPS, None);
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(&e, "0.0.0.0/0 -> nat-1"));
        assert!(says(&e, "filters nothing"));
        assert!(says(&e, "0.0.0.0/0 -> igw-1"));
        let (path, _) = trace(&kit, DST, None);
        assert_eq!(
            path,
            EgressPath::Nat {
                nat: "nat-1".into(),
                then: Box::new(EgressPath::Direct("igw-1".into())),
            }
        );
    }

    #[test]
    fn direct_igw_needs_public_address() {
        let mut kit = base(NatConnectivity::Public, true);
        kit.region().route_tables[0].routes[1] = route("0.0.0.0/0", igw());
        let (path, e) = trace(&kit, DST, None);
        assert_eq!(path, EgressPath::Direct("igw-1".into()));
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no public address"));
        let kit = kit.public_ip("54.0.0.10");
        assert!(trace(&kit, DST, None).1.is_allowed());
    }

    #[test]
    fn private_nat_cannot_reach_internet() {
        let kit = base(NatConnectivity::Private, true);
        let (_, e) = trace(&kit, DST, None);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "private NAT gateway"));
    }

    #[test]
    fn nat_without_igw_route_cannot_reach_internet() {
        let kit = base(NatConnectivity::Public, false);
        let (path, e) = trace(&kit, DST, None);
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "no route"));
        assert_eq!(
            path,
            EgressPath::Nat {
                nat: "nat-1".into(),
                then: Box::new(EgressPath::None),
            }
        );
    }

    fn allowlist_policy() -> (FirewallPolicy, RuleGroup) {
        let group = RuleGroup {
            name: "allow".into(),
            arn: "arn:group/allow".into(),
            rule_group_type: RuleGroupType::Stateful,
            capacity: None,
            rule_order: None,
            ip_sets: BTreeMap::new(),
            port_sets: BTreeMap::new(),
            source: RuleSource::DomainList(DomainList {
                targets: vec![".example.com".into()],
                target_types: vec!["TLS_SNI".into(), "HTTP_HOST".into()],
                generated_rules_type: "ALLOWLIST".into(),
            }),
            tags: Default::default(),
        };
        let policy = FirewallPolicy {
            name: "egress".into(),
            arn: "arn:policy/egress".into(),
            stateless_default_actions: vec!["aws:forward_to_sfe".into()],
            stateless_fragment_default_actions: vec!["aws:forward_to_sfe".into()],
            stateless_custom_actions: vec![],
            stateless_rule_groups: vec![],
            stateful_rule_groups: vec![RuleGroupReference {
                arn: group.arn.clone(),
                priority: Some(1),
                override_action: None,
            }],
            stateful_rule_order: RuleOrder::DefaultActionOrder,
            stream_exception_policy: None,
            stateful_default_actions: vec![],
            variables: BTreeMap::from([("HOME_NET".to_string(), vec!["10.0.0.0/16".to_string()])]),
            tags: Default::default(),
        };
        (policy, group)
    }

    #[test]
    fn firewall_endpoint_on_path_filters() {
        // subnet-1 -> nat-1 (subnet-2) -> vpce-fw (firewall in subnet-3) -> igw-1.
        let (policy, group) = allowlist_policy();
        let mut kit = base(NatConnectivity::Public, false)
            .subnet("subnet-3", "vpc-1")
            .route_table("rtb-fw", "vpc-1", false, &["subnet-3"])
            .routes(
                "rtb-fw",
                vec![route("10.0.0.0/16", local()), route("0.0.0.0/0", igw())],
            )
            .routes(
                "rtb-pub",
                vec![route(
                    "0.0.0.0/0",
                    RouteTarget::VpcEndpoint("vpce-fw".into()),
                )],
            )
            .network_firewall("fw", "vpc-1", "subnet-3", "vpce-fw", "arn:policy/egress")
            .rule_group(group);
        // Without the policy the firewall's decision is unknown, not guessed.
        let (_, e) = trace(&kit, DST, Some("www.example.com"));
        assert!(e.is_unknown(), "{e:#?}");
        kit = kit.firewall_policy(policy);
        // Replies to the NAT gateway come straight back from igw-1, bypassing the
        // firewall: asymmetric, so unknown.
        let (_, e) = trace(&kit, DST, Some("www.example.com"));
        assert!(e.is_unknown(), "{e:#?}");
        assert!(says(&e, "asymmetric routing"));
        // igw-1's edge route table sends the NAT subnet's replies through vpce-fw.
        kit = kit.edge_route_table("rtb-edge", "vpc-1", "igw-1").routes(
            "rtb-edge",
            vec![
                route("10.0.0.0/16", local()),
                route("10.0.2.0/24", RouteTarget::VpcEndpoint("vpce-fw".into())),
            ],
        );
        let (path, e) = trace(&kit, DST, Some("www.example.com"));
        assert!(e.is_allowed(), "{e:#?}");
        assert!(says(
            &e,
            "symmetric: traffic to 10.0.2.5 also passes vpce-fw"
        ));
        assert!(says(&e, "inspected by firewall fw"));
        assert!(says(&e, "firewall policy egress"));
        assert_eq!(
            path,
            EgressPath::Nat {
                nat: "nat-1".into(),
                then: Box::new(EgressPath::Firewall {
                    endpoint: "vpce-fw".into(),
                    firewall: "fw".into(),
                    then: Box::new(EgressPath::Direct("igw-1".into())),
                }),
            }
        );
        // The firewall filters what the NAT does not.
        let (_, e) = trace(&kit, DST, Some("evil.test"));
        assert!(e.is_blocked(), "{e:#?}");
        assert!(says(&e, "stateful group allow"));
    }

    #[test]
    fn egress_only_gateway_for_ipv6() {
        let kit = base(NatConnectivity::Public, true)
            .eigw("eigw-1", "vpc-1")
            .routes(
                "rtb-priv",
                vec![route(
                    "::/0",
                    RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
                )],
            );
        let (path, e) = trace(&kit, "2001:db8:ffff::1", None);
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(path, EgressPath::EgressOnly("eigw-1".into()));
        assert!(says(&e, "::/0 -> eigw-1"));
        // A blackholed IPv6 default blocks.
        let mut kit = kit;
        kit.region().route_tables[0].routes[2] = route_in(
            RouteState::Blackhole,
            "::/0",
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
        );
        assert!(trace(&kit, "2001:db8:ffff::1", None).1.is_blocked());
    }
}

mod endpoints {
    use super::*;
    use crate::inventory::{NatConnectivity, RouteDestination, VpcEndpoint};
    use crate::reach::path::{
        egress_trace, eni_to_interface_endpoint, EgressPath, DEFAULT_EPHEMERAL,
    };
    use crate::reach::Model;

    fn vpce(id: &str, kind: &str, service: &str, enis: &[&str]) -> VpcEndpoint {
        VpcEndpoint {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            owner_id: None,
            endpoint_type: kind.into(),
            service_name: service.into(),
            state: Some("available".into()),
            subnet_ids: vec![],
            route_table_ids: vec![],
            network_interface_ids: enis.iter().map(|e| e.to_string()).collect(),
            security_group_ids: vec![],
            policy_document: None,
            private_dns_enabled: true,
            tags: Default::default(),
        }
    }

    /// eni-a in subnet-1 (AZ a) with egress to everywhere; no internet route.
    fn private_vpc() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("10.0.0.0/16", local())])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-client", "client", client_group())
            .eni("eni-a", &["10.0.1.10"], &["sg-client"])
    }

    #[test]
    fn gateway_endpoint_route_reaches_the_service_not_the_internet() {
        let mut kit = private_vpc()
            .prefix_list("pl-s3", &["52.216.0.0/15"])
            .nat_gateway("nat-1", "subnet-2", NatConnectivity::Public, "10.0.2.5");
        kit.region().route_tables[0]
            .routes
            .push(crate::inventory::Route {
                destination: RouteDestination::PrefixList("pl-s3".into()),
                ..route("0.0.0.0/0", RouteTarget::VpcEndpoint("vpce-s3".into()))
            });
        kit.region().vpc_endpoints.push(vpce(
            "vpce-s3",
            "Gateway",
            "com.amazonaws.eu-west-1.s3",
            &[],
        ));
        let model = Model::build(&kit.inv);
        let (path, e) = egress_trace(
            &model,
            &kit.inv,
            "eni-a",
            ip("52.217.1.1"),
            HTTPS,
            None,
            DEFAULT_EPHEMERAL,
        );
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(
            path,
            EgressPath::GatewayEndpoint {
                endpoint: "vpce-s3".into(),
                service: "com.amazonaws.eu-west-1.s3".into()
            }
        );
        assert!(says(&e, "privately, not the internet"));
        // Other addresses have no way out.
        let (path, e) = egress_trace(
            &model,
            &kit.inv,
            "eni-a",
            ip("93.184.216.34"),
            HTTPS,
            None,
            DEFAULT_EPHEMERAL,
        );
        assert!(e.is_blocked(), "{e:#?}");
        assert_eq!(path, EgressPath::None);
    }

    #[test]
    fn interface_endpoint_is_one_connection_per_endpoint_eni() {
        let endpoint_rules = vec![ingress(
            "sgr-vpce",
            Protocol::Tcp,
            ports(443, 443),
            cidr("10.0.1.0/24"),
        )];
        let mut kit = private_vpc()
            .group("sg-vpce", "endpoints", endpoint_rules)
            .eni("eni-vpce-a", &["10.0.1.50"], &["sg-vpce"])
            .eni("eni-vpce-b", &["10.0.2.50"], &["sg-vpce"])
            .placed("vpc-1", "subnet-2");
        kit.region().subnets[1].availability_zone = "eu-west-1b".into();
        kit.region().vpc_endpoints.push(vpce(
            "vpce-sts",
            "Interface",
            "com.amazonaws.eu-west-1.sts",
            &["eni-vpce-a", "eni-vpce-b"],
        ));
        let model = Model::build(&kit.inv);
        let legs = eni_to_interface_endpoint(&model, &kit.inv, "eni-a", "vpce-sts", HTTPS).unwrap();
        assert_eq!(legs.len(), 2);
        assert!(legs.iter().all(|l| l.evaluation.is_allowed()), "{legs:#?}");
        assert!(legs[0].same_az && !legs[1].same_az, "{legs:#?}");
        assert_eq!(legs[1].availability_zone.as_deref(), Some("eu-west-1b"));

        // The endpoint's group decides: nothing but 443 gets in.
        let legs =
            eni_to_interface_endpoint(&model, &kit.inv, "eni-a", "vpce-sts", ServicePoint::Tcp(80))
                .unwrap();
        assert!(legs.iter().all(|l| l.evaluation.is_blocked()), "{legs:#?}");
        // A gateway endpoint is not an interface endpoint.
        kit.region().vpc_endpoints[0].endpoint_type = "Gateway".into();
        let model = Model::build(&kit.inv);
        assert!(eni_to_interface_endpoint(&model, &kit.inv, "eni-a", "vpce-sts", HTTPS).is_err());
    }
}
