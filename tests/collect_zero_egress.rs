//! The clean zero-egress reference account, seeded through the AWS APIs and collected
//! by the real binary: every resource kind must arrive in the inventory as seeded.

mod common;

use common::{named, Emulator};
use vpcaudit::inventory::*;

#[test]
fn zero_egress_account_is_collected_faithfully() {
    let emu = Emulator::start();
    let seeded = emu.seed("zero-egress");
    let inv = emu.collect(&["--regions", "us-east-1"]);

    assert!(
        inv.coverage.is_empty(),
        "unexpected gaps: {:?}",
        inv.coverage
    );
    assert_eq!(inv.accounts.len(), 1);
    assert_eq!(inv.accounts[0].account_id, seeded.account);
    let r = &inv.accounts[0].regions[0];
    assert_eq!(r.region, "us-east-1");

    // VPC and subnets.
    let vpc = named(&r.vpcs, |v| &v.tags, "ze-vpc");
    assert_eq!(vpc.id, seeded.id("ze-vpc"));
    assert_eq!(vpc.ipv4_cidrs, vec!["10.20.0.0/16".parse().unwrap()]);
    assert_eq!(
        vpc.tags.get("posture").map(String::as_str),
        Some("zero-egress")
    );
    let app_a = named(&r.subnets, |s| &s.tags, "ze-app-a");
    assert_eq!(app_a.vpc_id, vpc.id);
    assert_eq!(app_a.availability_zone, "us-east-1a");
    assert_eq!(app_a.ipv4_cidr, Some("10.20.16.0/20".parse().unwrap()));
    assert!(!app_a.map_public_ip_on_launch);
    assert_eq!(r.subnets.iter().filter(|s| s.vpc_id == vpc.id).count(), 9);

    // Security groups: rules normalised to one peer each, references resolved to ids.
    let app_sg = named(&r.security_groups, |g| &g.tags, "ze-app-sg");
    let endpoints_sg = seeded.id("ze-endpoints-sg");
    let rule = |dir: Direction, peer: &RulePeer| {
        app_sg
            .rules
            .iter()
            .find(|x| x.direction == dir && &x.peer == peer)
            .unwrap_or_else(|| panic!("no {dir:?} rule to {peer:?} in {:#?}", app_sg.rules))
    };
    let self_ref = rule(
        Direction::Ingress,
        &RulePeer::Group {
            group_id: app_sg.id.clone(),
            account_id: Some(seeded.account.clone()),
            vpc_id: None,
            vpc_peering_connection_id: None,
        },
    );
    assert_eq!(self_ref.protocol, Protocol::Tcp);
    assert_eq!(
        self_ref.l4,
        L4Match::Ports(PortRange {
            from: 8443,
            to: 8443
        })
    );
    assert!(self_ref
        .id
        .as_deref()
        .is_some_and(|id| id.starts_with("sgr-")));
    let to_endpoints = rule(
        Direction::Egress,
        &RulePeer::Group {
            group_id: endpoints_sg.to_string(),
            account_id: Some(seeded.account.clone()),
            vpc_id: None,
            vpc_peering_connection_id: None,
        },
    );
    assert_eq!(
        to_endpoints.l4,
        L4Match::Ports(PortRange { from: 443, to: 443 })
    );
    assert_eq!(to_endpoints.description.as_deref(), Some("aws apis"));
    rule(
        Direction::Egress,
        &RulePeer::Ipv4 {
            cidr: "10.20.0.0/16".parse().unwrap(),
        },
    );
    // The default allow-all egress was revoked.
    assert_eq!(
        app_sg
            .rules
            .iter()
            .filter(|x| x.direction == Direction::Egress)
            .count(),
        2
    );

    let quarantine = named(&r.security_groups, |g| &g.tags, "ze-quarantine-sg");
    assert!(quarantine.rules.is_empty());

    // Prefix lists and a rule that names one.
    let github = named(&r.managed_prefix_lists, |p| &p.tags, "ze-github");
    let cidrs: Vec<String> = github.entries.iter().map(|e| e.cidr.to_string()).collect();
    assert_eq!(cidrs.len(), 2);
    assert!(cidrs.contains(&"140.82.112.0/20".to_string()), "{cidrs:?}");
    let ci_sg = named(&r.security_groups, |g| &g.tags, "ze-ci-sg");
    assert!(ci_sg.rules.iter().any(|x| x.peer
        == RulePeer::PrefixList {
            id: github.id.clone()
        }));

    // Network Firewall: per-AZ endpoints, logging, policy and rule group.
    assert_eq!(r.firewalls.len(), 1);
    let fw = &r.firewalls[0];
    assert_eq!(fw.name, "ze-fw");
    assert_eq!(fw.vpc_id, vpc.id);
    assert!(fw.delete_protection && fw.subnet_change_protection && fw.policy_change_protection);
    assert_eq!(fw.subnet_mappings.len(), 3);
    let azs: Vec<&str> = fw
        .endpoints
        .iter()
        .map(|e| e.availability_zone.as_str())
        .collect();
    assert_eq!(azs, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    let endpoint_a = fw.endpoints[0]
        .endpoint_id
        .clone()
        .expect("endpoint id in us-east-1a");
    assert_eq!(
        fw.endpoints[0].subnet_id.as_deref(),
        Some(seeded.id("ze-fw-a"))
    );
    let log_types: Vec<&str> = fw.logging.iter().map(|l| l.log_type.as_str()).collect();
    assert_eq!(log_types, ["ALERT", "FLOW"]);
    assert_eq!(
        fw.logging[0]
            .destination
            .get("logGroup")
            .map(String::as_str),
        Some("/aws/network-firewall/ze-fw/alert")
    );

    let policy = r
        .firewall_policies
        .iter()
        .find(|p| p.arn == fw.policy_arn)
        .expect("policy");
    assert_eq!(policy.name, "ze-policy");
    assert_eq!(policy.stateless_default_actions, ["aws:forward_to_sfe"]);
    assert_eq!(
        policy.stateless_fragment_default_actions,
        ["aws:forward_to_sfe"]
    );
    assert_eq!(policy.stateful_rule_order, RuleOrder::StrictOrder);
    assert_eq!(policy.stream_exception_policy.as_deref(), Some("DROP"));
    assert_eq!(
        policy.stateful_default_actions,
        ["aws:drop_established", "aws:alert_established"]
    );
    assert_eq!(
        policy.variables.get("HOME_NET"),
        Some(&vec!["10.20.0.0/16".to_string()])
    );
    assert_eq!(policy.stateful_rule_groups.len(), 1);
    assert_eq!(policy.stateful_rule_groups[0].priority, Some(100));

    let group = r
        .firewall_rule_groups
        .iter()
        .find(|g| g.arn == policy.stateful_rule_groups[0].arn)
        .expect("referenced rule group collected");
    assert_eq!(group.name, "ze-allow-domains");
    assert_eq!(group.rule_group_type, RuleGroupType::Stateful);
    assert_eq!(group.rule_order, Some(RuleOrder::StrictOrder));
    assert_eq!(
        group.ip_sets.get("HOME_NET"),
        Some(&vec!["10.20.0.0/16".to_string()])
    );
    match &group.source {
        RuleSource::DomainList(d) => {
            assert_eq!(d.targets, [".github.com", "api.stripe.com"]);
            assert_eq!(d.target_types, ["TLS_SNI", "HTTP_HOST"]);
            assert_eq!(d.generated_rules_type, "ALLOWLIST");
        }
        other => panic!("expected a domain list, got {other:?}"),
    }

    // The firewall endpoint is a Gateway Load Balancer endpoint, and routes point at it.
    let gwlbe = r
        .vpc_endpoints
        .iter()
        .find(|e| e.id == endpoint_a)
        .expect("endpoint listed");
    assert_eq!(gwlbe.endpoint_type, "GatewayLoadBalancer");
    let app_rt = named(&r.route_tables, |t| &t.tags, "ze-app-rt-a");
    assert!(app_rt
        .associations
        .iter()
        .any(|a| a.target == AssociationTarget::Subnet(app_a.id.clone())));
    let default_route = app_rt
        .routes
        .iter()
        .find(|x| x.destination == RouteDestination::Ipv4("0.0.0.0/0".parse().unwrap()))
        .expect("default route");
    assert_eq!(
        default_route.target,
        RouteTarget::VpcEndpoint(endpoint_a.clone())
    );
    assert_eq!(default_route.state, RouteState::Active);
    assert!(app_rt.routes.iter().any(|x| x.target == RouteTarget::Local));
    // The association rule lives in the engine's model; check it on collected data.
    let model = vpcaudit::reach::Model::build(&inv);
    let rm = model
        .region(&inv.accounts[0].account_id, &r.region)
        .unwrap();
    assert_eq!(
        rm.subnet(&app_a.id).and_then(|s| s.route_table_id),
        Some(app_rt.id.as_str())
    );

    // The internet gateway's edge route table.
    let igw = named(&r.internet_gateways, |g| &g.tags, "ze-igw");
    assert_eq!(igw.attachments[0].vpc_id, vpc.id);
    let edge = named(&r.route_tables, |t| &t.tags, "ze-igw-edge-rt");
    assert!(edge
        .associations
        .iter()
        .any(|a| a.target == AssociationTarget::Gateway(igw.id.clone())));
    assert_eq!(
        edge.routes
            .iter()
            .filter(|x| matches!(x.target, RouteTarget::VpcEndpoint(_)))
            .count(),
        3
    );
    let fw_rt = named(&r.route_tables, |t| &t.tags, "ze-fw-rt-a");
    let nat_a = named(&r.nat_gateways, |n| &n.tags, "ze-nat-a");
    assert!(fw_rt
        .routes
        .iter()
        .any(|x| x.target == RouteTarget::NatGateway(nat_a.id.clone())));
    assert_eq!(nat_a.connectivity, NatConnectivity::Public);
    assert_eq!(nat_a.subnet_id, seeded.id("ze-public-a"));
    assert!(nat_a.addresses.iter().any(|a| a.public_ip.is_some()));

    // NACLs in evaluation order, with AWS's implicit deny, and their subnets.
    let nacl = named(&r.network_acls, |n| &n.tags, "ze-app-nacl");
    assert!(!nacl.is_default);
    assert_eq!(nacl.associations.len(), 3);
    assert_eq!(
        rm.subnet(&app_a.id).and_then(|s| s.network_acl_id),
        Some(nacl.id.as_str())
    );
    let ingress: Vec<i32> = nacl
        .entries
        .iter()
        .filter(|e| e.direction == Direction::Ingress)
        .map(|e| e.rule_number)
        .collect();
    assert_eq!(ingress, [100, 105, 110, 120, 32767]);
    let e110 = nacl
        .entries
        .iter()
        .find(|e| e.direction == Direction::Ingress && e.rule_number == 110)
        .unwrap();
    assert_eq!(
        e110.l4,
        L4Match::Ports(PortRange {
            from: 1024,
            to: 65535
        })
    );
    assert_eq!(e110.action, NaclAction::Allow);
    let icmp = nacl
        .entries
        .iter()
        .find(|e| e.direction == Direction::Egress && e.rule_number == 120)
        .unwrap();
    assert_eq!(icmp.protocol, Protocol::Icmp);
    let star = nacl
        .entries
        .iter()
        .find(|e| e.rule_number == 32767)
        .unwrap();
    assert_eq!(star.action, NaclAction::Deny);

    // Endpoints: interface endpoints in every app AZ, the S3 gateway with its policy.
    let ecr = named(&r.vpc_endpoints, |e| &e.tags, "ze-ecr-api");
    assert_eq!(ecr.endpoint_type, "Interface");
    assert_eq!(ecr.service_name, "com.amazonaws.us-east-1.ecr.api");
    assert_eq!(ecr.subnet_ids.len(), 3);
    assert_eq!(ecr.security_group_ids, [endpoints_sg]);
    assert!(ecr.private_dns_enabled);
    let s3 = named(&r.vpc_endpoints, |e| &e.tags, "ze-s3");
    assert_eq!(s3.endpoint_type, "Gateway");
    assert_eq!(s3.route_table_ids.len(), 3);
    assert!(s3
        .policy_document
        .as_deref()
        .is_some_and(|p| p.contains("OwnAccountBucketsOnly")));

    // Flow logs, ENIs and instances.
    assert!(r
        .flow_logs
        .iter()
        .any(|f| f.resource_id.as_deref() == Some(vpc.id.as_str())
            && f.traffic_type.as_deref() == Some("ALL")));
    let worker = named(&r.network_interfaces, |e| &e.tags, "ze-worker-1");
    assert_eq!(worker.subnet_id, seeded.id("ze-app-b"));
    assert_eq!(worker.security_group_ids, std::slice::from_ref(&app_sg.id));
    assert!(worker.public_ipv4s.is_empty());
    assert_eq!(worker.private_ipv4s.len(), 1);
    assert!(r.instances.iter().any(|i| i
        .tags
        .get("kubernetes.io/cluster/prod")
        .map(String::as_str)
        == Some("owned")));

    engine_on_the_collected_account(&inv, r);
}

/// The engine on what was collected: the CI runner reaches GitHub only through the
/// firewall (then NAT, then the internet gateway, replies back through the same
/// endpoint), the firewall's allow-list decides, and app workers cannot leave at all.
fn engine_on_the_collected_account(inv: &Inventory, r: &RegionInventory) {
    use vpcaudit::reach::path::{egress_trace, internet_to_eni, EgressPath, DEFAULT_EPHEMERAL};
    use vpcaudit::reach::sets::ServicePoint;
    use vpcaudit::reach::Model;

    let model = Model::build(inv);
    let ci = named(&r.instances, |i| &i.tags, "ze-ci");
    let ci_eni = r
        .network_interfaces
        .iter()
        .find(|e| e.instance_id.as_deref() == Some(ci.id.as_str()))
        .expect("the CI runner's ENI");
    let github: std::net::IpAddr = "140.82.112.3".parse().unwrap();
    let https = ServicePoint::Tcp(443);
    let trace = |eni: &str, dst, sni: &str| {
        egress_trace(
            &model,
            inv,
            eni,
            dst,
            https,
            Some(sni.to_string()),
            DEFAULT_EPHEMERAL,
        )
    };

    let (path, e) = trace(&ci_eni.id, github, "api.github.com");
    assert!(e.is_allowed(), "{e:#?}");
    let EgressPath::Firewall { firewall, then, .. } = &path else {
        panic!("expected the firewall first, got {path:?}");
    };
    assert_eq!(firewall, "ze-fw");
    assert!(
        matches!(&**then, EgressPath::Nat { then, .. } if matches!(&**then, EgressPath::Direct(_))),
        "{path:?}"
    );
    let text = format!("{e:?}");
    assert!(text.contains("symmetric: traffic to"), "{text}");

    // Not on the allow-list: the firewall drops it.
    let (_, e) = trace(&ci_eni.id, github, "exfil.example.net");
    assert!(e.is_blocked(), "{e:#?}");
    // Outside the prefix list: the CI group does not let it out.
    let (_, e) = trace(&ci_eni.id, "1.1.1.1".parse().unwrap(), "api.github.com");
    assert!(e.is_blocked(), "{e:#?}");

    // App workers have no internet egress rule and no public address.
    let worker = named(&r.network_interfaces, |e| &e.tags, "ze-worker-0");
    assert!(trace(&worker.id, github, "api.github.com").1.is_blocked());
    let e = internet_to_eni(
        &model,
        inv,
        &worker.id,
        "198.51.100.7".parse().unwrap(),
        https,
    );
    assert!(e.is_blocked(), "{e:#?}");
}
