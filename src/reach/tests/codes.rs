//! Explanation codes, one test per code at least: a small inventory whose answer is
//! blocked (the first coded step is the code) or unknown (some step carries it).
//! Then the guard that no producing site was missed: every blocked or unknown answer
//! over the demo inventory carries a code, and no allowed one does.
//! (`NETWORK_POLICY_RESTRICTION` is tested with the Kubernetes tests, whose cluster
//! builders live there.)

use std::collections::BTreeMap;

use crate::inventory::{
    Direction, DnsFirewallDomainList, DnsFirewallRule, DnsFirewallRuleGroup,
    DnsFirewallRuleGroupAssociation, FirewallPolicy, L4Match, LoadBalancerType, NaclAction,
    NatConnectivity, Protocol, Route53Resolver, RouteState, RouteTarget, RuleGroupReference,
    RuleOrder,
};
use crate::reach::dns::{Query, QueryName, VpcFirewall};
use crate::reach::explain::Code;
use crate::reach::path::{
    eni_to_eni, eni_to_internet, internet_paths, internet_to_eni, DEFAULT_EPHEMERAL,
};
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::*;
use crate::reach::{Evaluation, Model};

const HTTPS: ServicePoint = ServicePoint::Tcp(443);
const DST: &str = "93.184.216.34";
const CLIENT: &str = "203.0.113.5";

/// Blocked, and decided by `code`: the first coded step.
#[track_caller]
fn blocked_by(e: &Evaluation, code: Code) {
    assert!(e.is_blocked(), "{code}: {e:#?}");
    assert_eq!(e.code(), Some(code), "{e:#?}");
}

/// Unknown, with `code` on some step.
#[track_caller]
fn unknown_for(e: &Evaluation, code: Code) {
    assert!(e.is_unknown(), "{code}: {e:#?}");
    assert!(
        e.steps.iter().any(|s| s.code == Some(code)),
        "{code}: {e:#?}"
    );
}

fn local() -> RouteTarget {
    RouteTarget::Local
}

fn igw() -> RouteTarget {
    RouteTarget::InternetGateway("igw-1".into())
}

fn vpce(id: &str) -> RouteTarget {
    RouteTarget::VpcEndpoint(id.into())
}

/// Everything out and in, both families.
fn open_group() -> Vec<crate::inventory::SecurityGroupRule> {
    vec![
        egress("sgr-out4", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
        egress("sgr-out6", Protocol::All, L4Match::Any, cidr("::/0")),
        ingress("sgr-in4", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
        ingress("sgr-in6", Protocol::All, L4Match::Any, cidr("::/0")),
    ]
}

mod private {
    use super::*;

    /// vpc-1: eni-a (10.0.1.10, subnet-1) and eni-b (10.0.2.20, subnet-2); eni-b
    /// takes https only; open NACL, local routes.
    fn same_vpc() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("10.0.0.0/16", local())])
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-open", "open", open_group())
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
            .eni("eni-a", &["10.0.1.10"], &["sg-open"])
            .eni("eni-b", &["10.0.2.20"], &["sg-server"])
            .placed("vpc-1", "subnet-2")
    }

    fn run(kit: &Kit, src: &str, dst: &str, service: ServicePoint) -> Evaluation {
        let model = Model::build(&kit.inv);
        eni_to_eni(&model, &kit.inv, src, dst, service)
    }

    #[test]
    fn security_group_without_a_rule() {
        blocked_by(
            &run(&same_vpc(), "eni-a", "eni-b", ServicePoint::Tcp(22)),
            Code::EniSgRulesMismatch,
        );
    }

    #[test]
    fn network_acl_deny() {
        let deny = acl(
            "acl-2",
            vec![
                entry(
                    10,
                    Direction::Ingress,
                    NaclAction::Deny,
                    Protocol::Tcp,
                    ports(443, 443),
                    "0.0.0.0/0",
                ),
                entry(
                    20,
                    Direction::Ingress,
                    NaclAction::Allow,
                    Protocol::All,
                    L4Match::Any,
                    "0.0.0.0/0",
                ),
                entry(
                    20,
                    Direction::Egress,
                    NaclAction::Allow,
                    Protocol::All,
                    L4Match::Any,
                    "0.0.0.0/0",
                ),
            ],
        );
        let kit = same_vpc().nacl(deny, "vpc-1", false, &["subnet-2"]);
        blocked_by(
            &run(&kit, "eni-a", "eni-b", HTTPS),
            Code::SubnetAclRestriction,
        );
    }

    #[test]
    fn no_address_of_a_common_family() {
        let kit = same_vpc().eni("eni-6", &["2001:db8::6"], &["sg-open"]);
        blocked_by(
            &run(&kit, "eni-6", "eni-b", HTTPS),
            Code::NoCommonAddressFamily,
        );
    }

    #[test]
    fn an_eni_not_in_the_inventory() {
        unknown_for(
            &run(&same_vpc(), "eni-a", "eni-gone", HTTPS),
            Code::DataNotCollected,
        );
    }

    #[test]
    fn replies_to_icmp_other_than_echo() {
        let kit = same_vpc()
            .eni("eni-c", &["10.0.2.30"], &["sg-open"])
            .placed("vpc-1", "subnet-2");
        let unreachable = ServicePoint::Icmp {
            icmp_type: 3,
            code: 4,
        };
        unknown_for(&run(&kit, "eni-a", "eni-c", unreachable), Code::NotModelled);
    }

    #[test]
    fn a_middlebox_route_more_specific_than_local() {
        let kit = same_vpc().routes(
            "rtb-1",
            vec![route(
                "10.0.2.0/24",
                RouteTarget::NetworkInterface("eni-fw".into()),
            )],
        );
        unknown_for(
            &run(&kit, "eni-a", "eni-b", HTTPS),
            Code::RouteTargetNotModelled,
        );
    }

    /// vpc-1 (eni-a, subnet-1, rtb-1) and vpc-2 (eni-c 10.1.1.10, subnet-3, rtb-2)
    /// over active pcx-1, routes both ways.
    fn peered() -> Kit {
        let pcx = || RouteTarget::VpcPeeringConnection("pcx-1".into());
        Kit::new()
            .vpc("vpc-1")
            .vpc("vpc-2")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-3", "vpc-2")
            .route_table("rtb-1", "vpc-1", true, &["subnet-1"])
            .routes(
                "rtb-1",
                vec![route("10.0.0.0/16", local()), route("10.1.0.0/16", pcx())],
            )
            .route_table("rtb-2", "vpc-2", true, &["subnet-3"])
            .routes(
                "rtb-2",
                vec![route("10.1.0.0/16", local()), route("10.0.0.0/16", pcx())],
            )
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .nacl(open_acl("acl-2"), "vpc-2", true, &[])
            .peering("pcx-1", "active", "vpc-1", "vpc-2")
            .group("sg-open", "open", open_group())
            .eni("eni-a", &["10.0.1.10"], &["sg-open"])
            .eni("eni-c", &["10.1.1.10"], &["sg-open"])
            .placed("vpc-2", "subnet-3")
    }

    #[test]
    fn peering_fixture_is_allowed() {
        let e = run(&peered(), "eni-a", "eni-c", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(e.code(), None);
    }

    #[test]
    fn peering_without_the_return_route() {
        let mut kit = peered();
        kit.region().route_tables[1].routes.pop();
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::PcxRequiresReturnRoute,
        );
    }

    #[test]
    fn peering_not_active() {
        let mut kit = peered();
        kit.region().vpc_peering_connections[0].status = Some("pending-acceptance".into());
        blocked_by(&run(&kit, "eni-a", "eni-c", HTTPS), Code::PcxNotActive);
    }

    #[test]
    fn peering_of_other_vpcs() {
        let mut kit = peered();
        kit.region().vpc_peering_connections[0].accepter.vpc_id = Some("vpc-3".into());
        blocked_by(&run(&kit, "eni-a", "eni-c", HTTPS), Code::PcxNotTransitive);
    }

    #[test]
    fn no_route_to_the_peer() {
        let mut kit = peered();
        kit.region().route_tables[0].routes.pop();
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::NoRouteToDestination,
        );
    }

    #[test]
    fn blackhole_route() {
        let mut kit = peered();
        kit.region().route_tables[0].routes[1].state = RouteState::Blackhole;
        blocked_by(&run(&kit, "eni-a", "eni-c", HTTPS), Code::RouteBlackhole);
    }

    #[test]
    fn route_in_an_unknown_state() {
        let mut kit = peered();
        kit.region().route_tables[0].routes[1].state = RouteState::Unknown;
        unknown_for(&run(&kit, "eni-a", "eni-c", HTTPS), Code::RouteStateUnknown);
    }

    #[test]
    fn route_through_a_prefix_list_not_collected() {
        let kit = peered().routes(
            "rtb-1",
            vec![route(
                "pl-missing",
                RouteTarget::VpcPeeringConnection("pcx-1".into()),
            )],
        );
        unknown_for(&run(&kit, "eni-a", "eni-c", HTTPS), Code::RouteUndecided);
    }

    /// vpc-1 and vpc-2 attached to tgw-1 (att-1, att-2), both associated with
    /// tgw-rtb-1 routing each VPC to its attachment.
    fn transit() -> Kit {
        let tgw = || RouteTarget::TransitGateway("tgw-1".into());
        Kit::new()
            .vpc("vpc-1")
            .vpc("vpc-2")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-3", "vpc-2")
            .route_table("rtb-1", "vpc-1", true, &["subnet-1"])
            .routes(
                "rtb-1",
                vec![route("10.0.0.0/16", local()), route("10.1.0.0/16", tgw())],
            )
            .route_table("rtb-2", "vpc-2", true, &["subnet-3"])
            .routes(
                "rtb-2",
                vec![route("10.1.0.0/16", local()), route("10.0.0.0/16", tgw())],
            )
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .nacl(open_acl("acl-2"), "vpc-2", true, &[])
            .transit_gateway("tgw-1", false)
            .tgw_attachment("att-1", "tgw-1", "vpc-1", "tgw-rtb-1")
            .tgw_attachment("att-2", "tgw-1", "vpc-2", "tgw-rtb-1")
            .tgw_route_table(
                "tgw-rtb-1",
                "tgw-1",
                &[
                    ("10.0.0.0/16", "active", "att-1"),
                    ("10.1.0.0/16", "active", "att-2"),
                ],
            )
            .group("sg-open", "open", open_group())
            .eni("eni-a", &["10.0.1.10"], &["sg-open"])
            .eni("eni-c", &["10.1.1.10"], &["sg-open"])
            .placed("vpc-2", "subnet-3")
    }

    #[test]
    fn transit_fixture_is_allowed() {
        let e = run(&transit(), "eni-a", "eni-c", HTTPS);
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(e.code(), None);
    }

    fn tgw_route(kit: &mut Kit, state: &str, attachment: &str) {
        let r = &mut kit.region().transit_gateway_route_tables[0].routes[1];
        r.state = Some(state.into());
        r.attachments[0].attachment_id = Some(attachment.into());
    }

    #[test]
    fn transit_gateway_table_without_the_route() {
        let mut kit = transit();
        kit.region().transit_gateway_route_tables[0].routes.pop();
        blocked_by(&run(&kit, "eni-a", "eni-c", HTTPS), Code::TgwRtbCannotRoute);
    }

    #[test]
    fn transit_gateway_route_to_another_attachment() {
        let mut kit = transit();
        tgw_route(&mut kit, "active", "att-1");
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::TgwRtbNoRouteToTgwAttachment,
        );
    }

    #[test]
    fn transit_gateway_blackhole() {
        let mut kit = transit();
        tgw_route(&mut kit, "blackhole", "att-2");
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::TgwRtbBadStateRoute,
        );
    }

    #[test]
    fn transit_gateway_table_not_collected() {
        let mut kit = transit();
        kit.region().transit_gateway_attachments[0].association_route_table_id =
            Some("tgw-rtb-gone".into());
        unknown_for(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::TgwRtbRoutesAreUnknown,
        );
    }

    #[test]
    fn transit_gateway_attachment_without_a_table() {
        let mut kit = transit();
        kit.region().transit_gateway_attachments[0].association_route_table_id = None;
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::TgwAttachMissingTgwRtbAssociation,
        );
    }

    #[test]
    fn transit_gateway_attachment_not_in_the_source_az() {
        let kit = transit()
            .subnet("subnet-1b", "vpc-1")
            .subnet_az("subnet-1b", "eu-west-1b")
            .route_table("rtb-1b", "vpc-1", false, &["subnet-1b"])
            .routes(
                "rtb-1b",
                vec![
                    route("10.0.0.0/16", local()),
                    route("10.1.0.0/16", RouteTarget::TransitGateway("tgw-1".into())),
                ],
            )
            .eni("eni-b1", &["10.0.9.10"], &["sg-open"])
            .placed("vpc-1", "subnet-1b");
        blocked_by(
            &run(&kit, "eni-b1", "eni-c", HTTPS),
            Code::TgwRouteAzRestriction,
        );
    }

    #[test]
    fn transit_gateway_attachment_not_available() {
        let mut kit = transit();
        kit.region().transit_gateway_attachments[0].state = Some("pendingAcceptance".into());
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::BadStateAttachment,
        );
    }

    #[test]
    fn transit_gateway_without_the_return_route() {
        let mut kit = transit();
        kit.region().route_tables[1].routes.pop();
        blocked_by(
            &run(&kit, "eni-a", "eni-c", HTTPS),
            Code::TgwRequiresReturnRoute,
        );
    }
}

mod internet {
    use super::*;

    /// eni-a (10.0.1.10, public 198.51.100.10) in subnet-1, routed to igw-1.
    fn base() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes(
                "rtb-1",
                vec![route("10.0.0.0/16", local()), route("0.0.0.0/0", igw())],
            )
            .igw("igw-1", "vpc-1")
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-open", "open", open_group())
            .eni("eni-a", &["10.0.1.10"], &["sg-open"])
            .public_ip("198.51.100.10")
    }

    fn run(kit: &Kit) -> Evaluation {
        let model = Model::build(&kit.inv);
        internet_to_eni(&model, &kit.inv, "eni-a", ip(CLIENT), HTTPS)
    }

    #[test]
    fn fixture_is_allowed() {
        let e = run(&base());
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(e.code(), None);
    }

    #[test]
    fn no_public_address() {
        let mut kit = base();
        kit.region().network_interfaces[0].public_ipv4s.clear();
        blocked_by(&run(&kit), Code::IgwPrivateIpAssociationForIngress);
    }

    #[test]
    fn internet_gateway_not_attached() {
        let mut kit = base();
        kit.region().internet_gateways[0].attachments[0].vpc_id = "vpc-9".into();
        blocked_by(&run(&kit), Code::IgwNotAttached);
    }

    #[test]
    fn replies_routed_to_a_nat_gateway() {
        let mut kit = base().nat_gateway("nat-1", "subnet-1", NatConnectivity::Public, "10.0.1.5");
        kit.region().route_tables[0].routes[1] =
            route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into()));
        blocked_by(&run(&kit), Code::NgwNoInbound);
    }

    #[test]
    fn replies_routed_to_an_egress_only_gateway() {
        let mut kit = base().eigw("eigw-1", "vpc-1");
        kit.region().route_tables[0].routes[1] = route(
            "0.0.0.0/0",
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
        );
        blocked_by(&run(&kit), Code::EigwNoInbound);
    }
}

mod egress {
    use super::*;

    /// eni-a (10.0.1.10, 2001:db8::10) in private subnet-1 routed to nat-1 in
    /// public subnet-2, whose table routes to igw-1.
    fn base() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .subnet("subnet-2", "vpc-1")
            .route_table("rtb-priv", "vpc-1", false, &["subnet-1"])
            .route_table("rtb-pub", "vpc-1", false, &["subnet-2"])
            .routes(
                "rtb-priv",
                vec![
                    route("10.0.0.0/16", local()),
                    route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into())),
                ],
            )
            .routes(
                "rtb-pub",
                vec![route("10.0.0.0/16", local()), route("0.0.0.0/0", igw())],
            )
            .igw("igw-1", "vpc-1")
            .nat_gateway("nat-1", "subnet-2", NatConnectivity::Public, "10.0.2.5")
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-open", "open", open_group())
            .eni("eni-a", &["10.0.1.10", "2001:db8::10"], &["sg-open"])
    }

    fn run(kit: &Kit, dst: &str) -> Evaluation {
        let model = Model::build(&kit.inv);
        eni_to_internet(&model, &kit.inv, "eni-a", ip(dst), HTTPS, None)
    }

    /// The private table's default route goes to `target` instead.
    fn out_by(kit: &mut Kit, target: RouteTarget) {
        kit.region().route_tables[0].routes[1] = route("0.0.0.0/0", target);
    }

    #[test]
    fn fixture_is_allowed() {
        let e = run(&base(), DST);
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(e.code(), None);
    }

    #[test]
    fn straight_to_the_gateway_without_a_public_address() {
        let mut kit = base();
        out_by(&mut kit, igw());
        blocked_by(&run(&kit, DST), Code::IgwPublicIpAssociationForEgress);
    }

    #[test]
    fn egress_only_gateway_not_attached() {
        let kit = base().eigw("eigw-1", "vpc-9").routes(
            "rtb-priv",
            vec![route(
                "::/0",
                RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
            )],
        );
        blocked_by(&run(&kit, "2606:2800::1"), Code::EigwNotAttached);
    }

    #[test]
    fn nat_gateway_not_available() {
        let mut kit = base();
        kit.region().nat_gateways[0].state = Some("failed".into());
        blocked_by(&run(&kit, DST), Code::NgwNotAvailable);
    }

    #[test]
    fn private_nat_gateway() {
        let mut kit = base();
        kit.region().nat_gateways[0].connectivity = NatConnectivity::Private;
        blocked_by(&run(&kit, DST), Code::NgwPrivateConnectivity);
    }

    #[test]
    fn nat_gateway_routed_back_to_itself() {
        let mut kit = base();
        kit.region().route_tables[1].routes[1] =
            route("0.0.0.0/0", RouteTarget::NatGateway("nat-1".into()));
        blocked_by(&run(&kit, DST), Code::RoutingLoop);
    }

    #[test]
    fn gateway_endpoint_not_available() {
        let mut kit = base().gwlb_endpoint("vpce-s3", "vpc-1", "subnet-2");
        let e = kit.region().vpc_endpoints.last_mut().expect("endpoint");
        e.endpoint_type = "Gateway".into();
        e.state = Some("deleted".into());
        out_by(&mut kit, vpce("vpce-s3"));
        blocked_by(&run(&kit, DST), Code::VpceNotAvailable);
    }

    #[test]
    fn gateway_load_balancer_endpoint() {
        let mut kit =
            base()
                .public_ip("198.51.100.10")
                .gwlb_endpoint("vpce-gwlb", "vpc-1", "subnet-2");
        out_by(&mut kit, vpce("vpce-gwlb"));
        unknown_for(&run(&kit, DST), Code::GwlbApplianceNotVisible);
    }

    #[test]
    fn replies_steered_to_a_firewall_the_request_skipped() {
        let mut kit = base()
            .public_ip("198.51.100.10")
            .edge_route_table("rtb-edge", "vpc-1", "igw-1")
            .routes("rtb-edge", vec![route("10.0.1.0/24", vpce("vpce-fw"))]);
        out_by(&mut kit, igw());
        unknown_for(&run(&kit, DST), Code::FirewallAsymmetricRouting);
    }

    fn policy(defaults: &[&str], groups: &[&str]) -> FirewallPolicy {
        FirewallPolicy {
            name: "egress".into(),
            arn: "arn:policy/egress".into(),
            stateless_default_actions: vec!["aws:forward_to_sfe".into()],
            stateless_fragment_default_actions: vec!["aws:forward_to_sfe".into()],
            stateless_custom_actions: vec![],
            stateless_rule_groups: vec![],
            stateful_rule_groups: groups
                .iter()
                .map(|g| RuleGroupReference {
                    arn: g.to_string(),
                    priority: Some(1),
                    override_action: None,
                })
                .collect(),
            stateful_rule_order: RuleOrder::StrictOrder,
            stream_exception_policy: None,
            stateful_default_actions: defaults.iter().map(|s| s.to_string()).collect(),
            variables: BTreeMap::new(),
            tags: Default::default(),
        }
    }

    /// The private subnet goes out through firewall endpoint vpce-fw in subnet-2,
    /// and the replies come back through it.
    fn through_firewall(p: FirewallPolicy) -> Kit {
        let mut kit = base()
            .public_ip("198.51.100.10")
            .edge_route_table("rtb-edge", "vpc-1", "igw-1")
            .routes("rtb-edge", vec![route("10.0.1.0/24", vpce("vpce-fw"))])
            .network_firewall("fw", "vpc-1", "subnet-2", "vpce-fw", "arn:policy/egress")
            .firewall_policy(p);
        out_by(&mut kit, vpce("vpce-fw"));
        kit
    }

    #[test]
    fn firewall_passing_is_allowed() {
        let e = run(&through_firewall(policy(&[], &[])), DST);
        assert!(e.is_allowed(), "{e:#?}");
        assert_eq!(e.code(), None);
    }

    #[test]
    fn firewall_default_drops() {
        let kit = through_firewall(policy(&["aws:drop_strict"], &[]));
        blocked_by(&run(&kit, DST), Code::FirewallRulesRestriction);
    }

    #[test]
    fn firewall_group_not_collected() {
        let kit = through_firewall(policy(&["aws:drop_strict"], &["arn:group/gone"]));
        unknown_for(&run(&kit, DST), Code::FirewallRulesUndecided);
    }
}

mod load_balancer {
    use super::*;

    const ALB: &str = "app/web/50dc6c495c0c9188";
    const TG: &str = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/app/1";

    /// An ALB open to the internet on its node eni-node, forwarding to a target
    /// group of `kind`.
    fn alb(kind: &str) -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes(
                "rtb-1",
                vec![route("10.0.0.0/16", local()), route("0.0.0.0/0", igw())],
            )
            .igw("igw-1", "vpc-1")
            .nacl(open_acl("acl-1"), "vpc-1", true, &[])
            .group("sg-open", "open", open_group())
            .eni("eni-node", &["10.0.1.5"], &["sg-open"])
            .public_ip("198.51.100.5")
            .described(&format!("ELB {ALB}"))
            .load_balancer(
                ALB,
                LoadBalancerType::Application,
                &["sg-open"],
                &[("HTTPS", 443, &[TG])],
            )
            .target_group(TG, kind, "HTTP", 8080, Some(&[("fn-1", None)]))
    }

    #[test]
    fn lambda_targets() {
        let kit = alb("lambda");
        let model = Model::build(&kit.inv);
        let paths = internet_paths(&model, &kit.inv, DEFAULT_EPHEMERAL);
        assert_eq!(paths.len(), 1);
        unknown_for(&paths[0].evaluation, Code::LbTargetNotSupported);
    }

    #[test]
    fn a_node_closed_to_the_internet() {
        let mut kit = alb("instance");
        kit.region().security_groups[0]
            .rules
            .retain(|r| r.direction == Direction::Egress);
        let model = Model::build(&kit.inv);
        let paths = internet_paths(&model, &kit.inv, DEFAULT_EPHEMERAL);
        assert_eq!(paths.len(), 1);
        blocked_by(&paths[0].evaluation, Code::EniSgRulesMismatch);
    }
}

mod dns {
    use super::*;

    fn resolver(action: &str, list: DnsFirewallDomainList) -> Route53Resolver {
        Route53Resolver {
            firewall_rule_groups: vec![DnsFirewallRuleGroup {
                id: "g".into(),
                arn: None,
                name: None,
                owner_id: None,
                share_status: None,
                rules: Some(vec![DnsFirewallRule {
                    name: Some("r1".into()),
                    priority: 1,
                    action: action.into(),
                    block_response: None,
                    firewall_domain_list_id: Some(list.id.clone()),
                    firewall_threat_protection_id: None,
                    dns_threat_protection: None,
                    confidence_threshold: None,
                    qtype: None,
                }]),
            }],
            firewall_rule_group_associations: vec![DnsFirewallRuleGroupAssociation {
                id: "assoc-g".into(),
                arn: None,
                name: None,
                firewall_rule_group_id: "g".into(),
                vpc_id: "vpc-1".into(),
                priority: 100,
                mutation_protection: None,
                status: Some("COMPLETE".into()),
            }],
            firewall_domain_lists: vec![list],
            ..Route53Resolver::default()
        }
    }

    fn list(domains: Option<&[&str]>, managed: bool) -> DnsFirewallDomainList {
        DnsFirewallDomainList {
            id: "l".into(),
            arn: None,
            name: Some("l".into()),
            managed_owner_name: managed.then(|| "Route 53 Resolver DNS Firewall".into()),
            domains: domains.map(|d| d.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn query(name: &str) -> Query<'_> {
        Query {
            name: QueryName::Name(name),
            qtype: None,
            tunnelling: false,
        }
    }

    #[test]
    fn blocked_by_a_rule() {
        let r = resolver("BLOCK", list(Some(&["evil.test"]), false));
        let e = VpcFirewall::of(&r, "vpc-1").evaluate(query("evil.test"));
        blocked_by(&e, Code::DnsFirewallRulesRestriction);
        let fine = VpcFirewall::of(&r, "vpc-1").evaluate(query("good.test"));
        assert!(fine.is_allowed() && fine.code().is_none(), "{fine:#?}");
    }

    #[test]
    fn a_managed_list_that_cannot_be_listed() {
        let r = resolver("BLOCK", list(None, true));
        let e = VpcFirewall::of(&r, "vpc-1").evaluate(query("maybe.test"));
        unknown_for(&e, Code::DnsFirewallRulesUndecided);
    }
}

/// Every ENI pair of the demo inventory on ssh, https and postgres, and every ENI
/// to and from the internet: a blocked answer's first coded step is one that
/// blocks, an unknown answer has a coded step, an allowed one has none.
#[test]
fn every_answer_over_the_demo_inventory_is_coded() {
    let inv = crate::demo::inventory().expect("the demo inventory");
    let model = Model::build(&inv);
    let enis: Vec<&str> = inv
        .regions()
        .flat_map(|(_, r)| r.network_interfaces.iter().map(|e| e.id.as_str()))
        .collect();
    assert!(enis.len() > 5, "the demo has ENIs");
    let mut seen = (0, 0, 0);
    let mut check = |what: String, e: Evaluation| match (&e.verdict, e.code()) {
        (crate::reach::Verdict::Allowed, None) => seen.0 += 1,
        (crate::reach::Verdict::Blocked, Some(_)) => seen.1 += 1,
        (crate::reach::Verdict::Unknown { .. }, Some(_)) => seen.2 += 1,
        _ => panic!("{what}: {e:#?}"),
    };
    for service in [
        ServicePoint::Tcp(22),
        ServicePoint::Tcp(443),
        ServicePoint::Tcp(5432),
    ] {
        for a in &enis {
            for b in &enis {
                if a != b {
                    check(
                        format!("{a} -> {b} {service:?}"),
                        eni_to_eni(&model, &inv, a, b, service),
                    );
                }
            }
            check(
                format!("{a} -> internet {service:?}"),
                eni_to_internet(&model, &inv, a, ip(DST), service, None),
            );
            check(
                format!("internet -> {a} {service:?}"),
                internet_to_eni(&model, &inv, a, ip(CLIENT), service),
            );
        }
    }
    for p in internet_paths(&model, &inv, DEFAULT_EPHEMERAL) {
        check(format!("through {}", p.load_balancer.name), p.evaluation);
    }
    // The sweep must meet each kind of answer, or it proves little.
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
}
