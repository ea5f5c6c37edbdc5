//! The internet through a load balancer to its targets, clause by clause.

use crate::inventory::{LoadBalancerType, Protocol, RouteTarget};
use crate::reach::load_balancer::{node_description, preserves_client_ip};
use crate::reach::path::{internet_paths, LbPath, DEFAULT_EPHEMERAL};
use crate::reach::sets::{public_internet, ServicePoint};
use crate::reach::testkit::*;
use crate::reach::Model;

const ALB: &str = "app/web/50dc6c495c0c9188";
const TG_APP: &str = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/app/1";

fn says(p: &LbPath, needle: &str) -> bool {
    let reason = match &p.evaluation.verdict {
        crate::reach::Verdict::Unknown { reason } => reason.clone(),
        _ => String::new(),
    };
    reason.contains(needle)
        || p.evaluation
            .steps
            .iter()
            .any(|s| s.decision.contains(needle) || s.component.contains(needle))
}

fn igw() -> RouteTarget {
    RouteTarget::InternetGateway("igw-1".into())
}

fn all_out() -> crate::inventory::SecurityGroupRule {
    egress(
        "sgr-out",
        Protocol::All,
        crate::inventory::L4Match::Any,
        cidr("0.0.0.0/0"),
    )
}

/// vpc-1: subnet-pub (route to igw-1) holds the load balancer's node, subnet-app
/// (local only) the app instance; NACLs open. The ALB takes HTTPS from anywhere and
/// forwards to the app on 8080, which admits only the ALB's group.
fn alb_kit(alb_from: &str, app_rule: crate::inventory::RulePeer) -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-pub", "vpc-1")
        .subnet("subnet-app", "vpc-1")
        .route_table("rtb-pub", "vpc-1", false, &["subnet-pub"])
        .routes(
            "rtb-pub",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", igw()),
            ],
        )
        .route_table("rtb-app", "vpc-1", true, &[])
        .routes("rtb-app", vec![route("10.0.0.0/16", RouteTarget::Local)])
        .igw("igw-1", "vpc-1")
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .group(
            "sg-alb",
            "alb",
            vec![
                ingress("sgr-443", Protocol::Tcp, ports(443, 443), cidr(alb_from)),
                all_out(),
            ],
        )
        .group(
            "sg-app",
            "app",
            vec![
                ingress("sgr-8080", Protocol::Tcp, ports(8080, 8080), app_rule),
                all_out(),
            ],
        )
        .eni("eni-node", &["10.0.1.5"], &["sg-alb"])
        .placed("vpc-1", "subnet-pub")
        .public_ip("203.0.113.5")
        .described(&format!("ELB {ALB}"))
        .eni("eni-app", &["10.0.2.10"], &["sg-app"])
        .placed("vpc-1", "subnet-app")
        .instance_of_last("i-app")
        .load_balancer(
            ALB,
            LoadBalancerType::Application,
            &["sg-alb"],
            &[("HTTPS", 443, &[TG_APP])],
        )
        .target_group(TG_APP, "instance", "HTTP", 8080, Some(&[("i-app", None)]))
}

fn paths(kit: &Kit) -> Vec<LbPath<'_>> {
    let model = Model::build(&kit.inv);
    // The paths borrow the inventory only; the model is rebuilt per call.
    let out: Vec<LbPath<'_>> = internet_paths(&model, &kit.inv, DEFAULT_EPHEMERAL);
    out
}

fn only(kit: &Kit) -> LbPath<'_> {
    let mut all = paths(kit);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

#[test]
fn node_enis_are_named_by_the_arn_tail_or_the_classic_name() {
    let kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    let lb = &kit.inv.accounts[0].regions[0].load_balancers[0];
    assert_eq!(node_description(lb), "ELB app/web/50dc6c495c0c9188");
    let mut classic = lb.clone();
    classic.lb_type = LoadBalancerType::Classic;
    classic.name = "legacy".into();
    assert_eq!(node_description(&classic), "ELB legacy");
}

#[test]
fn alb_reaches_a_target_that_admits_its_group() {
    let kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    let p = only(&kit);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert_eq!(p.target_eni.map(|e| e.id.as_str()), Some("eni-app"));
    assert_eq!(p.point, Some(ServicePoint::Tcp(443)));
    assert_eq!(p.target_point, Some(ServicePoint::Tcp(8080)));
    assert!(!p.client_ip_preserved);
    assert_eq!(p.sources.v4, public_internet().v4);
    assert!(says(&p, "sgr-8080"), "{:#?}", p.evaluation);
}

#[test]
fn alb_group_closed_to_the_internet_reaches_nothing() {
    let kit = alb_kit("10.0.0.0/8", group_peer("sg-alb"));
    let p = only(&kit);
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
    assert!(p.sources.is_empty());
}

#[test]
fn alb_group_open_to_part_of_the_internet_reaches_from_that_part() {
    let kit = alb_kit("52.0.0.0/8", group_peer("sg-alb"));
    let p = only(&kit);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert!(p.sources.contains(ip("52.1.2.3")));
    assert!(!p.sources.contains(ip("8.8.8.8")));
}

#[test]
fn target_that_does_not_admit_the_node_is_not_reached() {
    let kit = alb_kit("0.0.0.0/0", cidr("192.168.0.0/16"));
    let p = only(&kit);
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
}

#[test]
fn node_without_an_internet_route_is_not_reached() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().route_tables[0].routes.pop();
    let p = only(&kit);
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
}

#[test]
fn internal_and_gateway_load_balancers_take_no_internet_clients() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().load_balancers[0].scheme = crate::inventory::LoadBalancerScheme::Internal;
    assert!(paths(&kit).is_empty());
    kit.region().load_balancers[0].scheme = crate::inventory::LoadBalancerScheme::InternetFacing;
    kit.region().load_balancers[0].lb_type = LoadBalancerType::Gateway;
    assert!(paths(&kit).is_empty());
}

#[test]
fn load_balancer_without_node_enis_is_unknown() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region()
        .network_interfaces
        .retain(|e| e.id != "eni-node");
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "no node ENI of web"));
}

#[test]
fn listeners_not_read_are_unknown() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().load_balancers[0].listeners = None;
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "listeners of web could not be read"));
}

#[test]
fn targets_not_read_are_a_coverage_gap_never_absent() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().target_groups[0].targets = None;
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "coverage gap"));
    assert_eq!(p.target_group.map(|t| t.name.as_str()), Some("1"));
}

#[test]
fn lambda_and_alb_targets_are_unsupported() {
    for kind in ["lambda", "alb"] {
        let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
        kit.region().target_groups[0].target_type = kind.into();
        let p = only(&kit);
        assert!(p.evaluation.is_unknown(), "{kind}: {:#?}", p.evaluation);
        assert!(says(&p, "unsupported"), "{kind}");
    }
}

#[test]
fn unreadable_targets_behind_a_closed_listener_are_not_reached() {
    let mut kit = alb_kit("10.0.0.0/8", group_peer("sg-alb"));
    kit.region().target_groups[0].targets = None;
    let p = only(&kit);
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
}

#[test]
fn target_group_not_collected_is_unknown() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().target_groups.clear();
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "was not collected"));
}

#[test]
fn unknown_instance_target_is_unknown() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().target_groups[0].targets = Some(vec![crate::inventory::Target {
        id: "i-gone".into(),
        port: None,
        availability_zone: None,
        health: None,
    }]);
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "no ENI of instance i-gone"));
}

#[test]
fn ip_target_is_the_eni_holding_the_address_on_the_target_port() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    let tg = &mut kit.region().target_groups[0];
    tg.target_type = "ip".into();
    tg.targets = Some(vec![crate::inventory::Target {
        id: "10.0.2.10".into(),
        port: Some(9090),
        availability_zone: Some("eu-west-1a".into()),
        health: None,
    }]);
    let p = only(&kit);
    assert_eq!(p.target_eni.map(|e| e.id.as_str()), Some("eni-app"));
    assert_eq!(p.target_point, Some(ServicePoint::Tcp(9090)));
    // The app admits the ALB on 8080 only.
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
}

#[test]
fn gateway_load_balancer_endpoint_on_the_way_in_is_unknown() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().route_tables[0].routes[1].target = RouteTarget::VpcEndpoint("vpce-gwlb".into());
    kit.region()
        .vpc_endpoints
        .push(crate::inventory::VpcEndpoint {
            id: "vpce-gwlb".into(),
            vpc_id: "vpc-1".into(),
            owner_id: None,
            endpoint_type: "GatewayLoadBalancer".into(),
            service_name: "com.amazonaws.vpce.eu-west-1.vpce-svc-1".into(),
            state: Some("available".into()),
            subnet_ids: vec![],
            route_table_ids: vec![],
            network_interface_ids: vec![],
            security_group_ids: vec![],
            policy_document: None,
            private_dns_enabled: false,
            tags: Default::default(),
        });
    let p = only(&kit);
    assert!(p.evaluation.is_unknown(), "{:#?}", p.evaluation);
    assert!(says(&p, "third-party appliance rules not visible"));
}

const NLB: &str = "net/ssh/73e2d6bc24d8a067";
const TG_SSH: &str = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/ssh/2";

/// An NLB without groups forwarding TCP 22 to a private host whose group admits SSH
/// from `host_from`.
fn nlb_kit(host_from: crate::inventory::RulePeer, lb_groups: &[&str]) -> Kit {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().load_balancers.clear();
    kit.region().target_groups.clear();
    kit.region()
        .network_interfaces
        .retain(|e| e.id != "eni-node");
    kit.eni("eni-nlb", &["10.0.1.6"], lb_groups)
        .placed("vpc-1", "subnet-pub")
        .public_ip("203.0.113.6")
        .described(&format!("ELB {NLB}"))
        .group(
            "sg-host",
            "host",
            vec![
                ingress("sgr-22", Protocol::Tcp, ports(22, 22), host_from),
                all_out(),
            ],
        )
        .eni("eni-host", &["10.0.2.20"], &["sg-host"])
        .placed("vpc-1", "subnet-app")
        .instance_of_last("i-host")
        .load_balancer(
            NLB,
            LoadBalancerType::Network,
            lb_groups,
            &[("TCP", 22, &[TG_SSH])],
        )
        .target_group(TG_SSH, "instance", "TCP", 22, Some(&[("i-host", None)]))
}

#[test]
fn client_ip_preservation_follows_aws_defaults() {
    let kit = nlb_kit(cidr("0.0.0.0/0"), &[]);
    let r = &kit.inv.accounts[0].regions[0];
    let (lb, mut tg) = (&r.load_balancers[0], r.target_groups[0].clone());
    assert!(preserves_client_ip(lb, &tg), "instance targets: on");
    tg.target_type = "ip".into();
    assert!(!preserves_client_ip(lb, &tg), "ip over TCP: off");
    tg.protocol = Some("UDP".into());
    assert!(preserves_client_ip(lb, &tg), "ip over UDP: always on");
    tg.protocol = Some("TCP".into());
    tg.preserve_client_ip = Some(true);
    assert!(preserves_client_ip(lb, &tg), "the attribute decides");
    let mut alb = lb.clone();
    alb.lb_type = LoadBalancerType::Application;
    assert!(!preserves_client_ip(&alb, &tg), "only an NLB preserves");
}

#[test]
fn nlb_preserving_clients_needs_the_target_to_admit_them() {
    // Only the VPC: the node's address would pass, the clients' do not.
    let kit = nlb_kit(cidr("10.0.0.0/16"), &[]);
    let p = only(&kit);
    assert!(p.client_ip_preserved);
    assert!(p.evaluation.is_blocked(), "{:#?}", p.evaluation);
    // The whole internet: every client reaches SSH through a group-less NLB.
    let kit = nlb_kit(cidr("0.0.0.0/0"), &[]);
    let p = only(&kit);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert_eq!(p.sources.v4, public_internet().v4);
    assert_eq!(p.target_point, Some(ServicePoint::Tcp(22)));
}

#[test]
fn nlb_preserving_clients_is_narrowed_by_the_target_nacl() {
    let mut kit = nlb_kit(cidr("0.0.0.0/0"), &[]);
    // subnet-app's own ACL lets in SSH from 52.0.0.0/8 only.
    let mut entries = vec![
        entry(
            100,
            crate::inventory::Direction::Ingress,
            crate::inventory::NaclAction::Allow,
            Protocol::Tcp,
            ports(22, 22),
            "52.0.0.0/8",
        ),
        entry(
            100,
            crate::inventory::Direction::Egress,
            crate::inventory::NaclAction::Allow,
            Protocol::All,
            crate::inventory::L4Match::Any,
            "0.0.0.0/0",
        ),
    ];
    entries.push(entry(
        200,
        crate::inventory::Direction::Ingress,
        crate::inventory::NaclAction::Allow,
        Protocol::All,
        crate::inventory::L4Match::Any,
        "10.0.0.0/16",
    ));
    kit = kit.nacl(acl("acl-app", entries), "vpc-1", false, &["subnet-app"]);
    let p = only(&kit);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert!(p.sources.contains(ip("52.1.2.3")));
    assert!(!p.sources.contains(ip("8.8.8.8")));
}

#[test]
fn nlb_group_referenced_by_the_target_admits_preserved_clients() {
    let mut kit = nlb_kit(group_peer("sg-nlb"), &["sg-nlb"]);
    kit = kit.group(
        "sg-nlb",
        "nlb",
        vec![
            ingress(
                "sgr-nlb-22",
                Protocol::Tcp,
                ports(22, 22),
                cidr("0.0.0.0/0"),
            ),
            all_out(),
        ],
    );
    let p = only(&kit);
    assert!(p.client_ip_preserved);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert!(says(&p, "the load balancer's group admits its clients"));
}

#[test]
fn nlb_without_preservation_is_judged_from_the_node() {
    let mut kit = nlb_kit(cidr("10.0.0.0/16"), &[]);
    kit.region().target_groups[0].preserve_client_ip = Some(false);
    let p = only(&kit);
    assert!(!p.client_ip_preserved);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
}

#[test]
fn classic_load_balancer_forwards_to_its_instances_on_the_instance_port() {
    let mut kit = alb_kit("0.0.0.0/0", group_peer("sg-alb"));
    kit.region().target_groups.clear();
    let lb = &mut kit.region().load_balancers[0];
    lb.lb_type = LoadBalancerType::Classic;
    lb.name = "legacy".into();
    lb.instance_ids = vec!["i-app".into()];
    if let Some(ls) = lb.listeners.as_mut() {
        ls[0].protocol = "TCP".into();
        ls[0].instance_port = Some(8080);
        ls[0].target_group_arns.clear();
    }
    kit.region().network_interfaces[0].description = Some("ELB legacy".into());
    let p = only(&kit);
    assert!(p.evaluation.is_allowed(), "{:#?}", p.evaluation);
    assert_eq!(p.target_point, Some(ServicePoint::Tcp(8080)));
    assert!(p.target_group.is_none());
}
