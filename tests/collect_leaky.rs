//! The leaky three-tier account (two regions): the resource kinds and shapes the clean
//! account lacks (IPv6, peering, transit gateways, every rule-group source, Elastic
//! IPs, private NAT, main-table subnets) arrive in the inventory as seeded.

mod common;

use common::{named, Emulator};
use vpcaudit::inventory::*;

fn v4(s: &str) -> ipnet::Ipv4Net {
    s.parse().unwrap()
}

#[test]
fn leaky_account_is_collected_faithfully() {
    let emu = Emulator::start();
    let seeded = emu.seed("leaky-three-tier");
    let inv = emu.collect(&["--regions", "us-east-1,eu-west-1"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let regions = &inv.accounts[0].regions;
    let names: Vec<&str> = regions.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(names, ["us-east-1", "eu-west-1"]);
    let (r, eu) = (&regions[0], &regions[1]);

    // Several IPv4 blocks, and IPv6.
    let eks = named(&r.vpcs, |v| &v.tags, "lk-eks-vpc");
    assert_eq!(eks.ipv4_cidrs, [v4("10.4.0.0/16"), v4("100.64.0.0/16")]);
    let v6 = named(&r.vpcs, |v| &v.tags, "lk-v6-vpc");
    assert_eq!(v6.ipv6_cidrs.len(), 1);
    let v6_pub = named(&r.subnets, |s| &s.tags, "lk-v6-pub-a");
    assert_eq!(v6_pub.ipv6_cidrs.len(), 1);
    assert!(v6.ipv6_cidrs[0].contains(&v6_pub.ipv6_cidrs[0]));
    assert!(v6_pub.assign_ipv6_address_on_creation && v6_pub.map_public_ip_on_launch);
    let v6_eni = named(&r.network_interfaces, |e| &e.tags, "lk-v6-eni");
    assert_eq!(v6_eni.ipv6s.len(), 2);
    assert_eq!(v6_eni.private_ipv4s.len(), 2, "primary + one secondary");
    assert!(v6_eni
        .ipv6s
        .iter()
        .all(|ip| v6_pub.ipv6_cidrs[0].contains(ip)));

    let v6_sg = named(&r.security_groups, |g| &g.tags, "lk-v6-sg");
    assert!(v6_sg.rules.iter().any(|x| x.direction == Direction::Ingress
        && x.peer
            == RulePeer::Ipv6 {
                cidr: "::/0".parse().unwrap()
            }
        && x.l4 == L4Match::Ports(PortRange { from: 22, to: 22 })));
    // A new group's default egress in an IPv6 VPC: all protocols to 0.0.0.0/0 and ::/0.
    for peer in [
        RulePeer::Ipv4 {
            cidr: v4("0.0.0.0/0"),
        },
        RulePeer::Ipv6 {
            cidr: "::/0".parse().unwrap(),
        },
    ] {
        assert!(
            v6_sg.rules.iter().any(|x| x.direction == Direction::Egress
                && x.protocol == Protocol::All
                && x.peer == peer),
            "{peer:?} in {:#?}",
            v6_sg.rules
        );
    }

    let eigw = named(&r.egress_only_internet_gateways, |g| &g.tags, "lk-v6-eigw");
    assert_eq!(eigw.attachments[0].vpc_id, v6.id);
    let priv_rt = named(&r.route_tables, |t| &t.tags, "lk-v6-priv-rt");
    assert!(priv_rt.routes.iter().any(|x| x.destination
        == RouteDestination::Ipv6("::/0".parse().unwrap())
        && x.target == RouteTarget::EgressOnlyInternetGateway(eigw.id.clone())));

    let v6_nacl = named(&r.network_acls, |n| &n.tags, "lk-v6-nacl");
    let icmpv6 = v6_nacl
        .entries
        .iter()
        .find(|e| e.rule_number == 130)
        .unwrap();
    assert_eq!(icmpv6.protocol, Protocol::Icmpv6);
    assert_eq!(icmpv6.cidr.to_string(), "::/0");
    assert_eq!(
        icmpv6.l4,
        L4Match::Icmp {
            icmp_type: None,
            icmp_code: None
        }
    );

    // The whole internet split in two halves, and a prefix list that holds 0.0.0.0/0.
    let split = named(&r.security_groups, |g| &g.tags, "lk-split-world-sg");
    let halves: Vec<_> = split
        .rules
        .iter()
        .filter(|x| x.direction == Direction::Ingress)
        .map(|x| x.peer.clone())
        .collect();
    assert!(halves.contains(&RulePeer::Ipv4 {
        cidr: v4("0.0.0.0/1")
    }));
    assert!(halves.contains(&RulePeer::Ipv4 {
        cidr: v4("128.0.0.0/1")
    }));
    let partners = named(&r.managed_prefix_lists, |p| &p.tags, "lk-pl-partners");
    assert!(partners
        .entries
        .iter()
        .any(|e| e.cidr.to_string() == "0.0.0.0/0"));
    assert_eq!(partners.address_family.as_deref(), Some("IPv4"));
    assert_eq!(partners.max_entries, Some(10));
    let access = named(&r.security_groups, |g| &g.tags, "lk-partner-access-sg");
    assert!(access.rules.iter().any(|x| x.peer
        == RulePeer::PrefixList {
            id: partners.id.clone()
        }));
    let db_sg = named(&r.security_groups, |g| &g.tags, "lk-db-sg");
    let web_sg = named(&r.security_groups, |g| &g.tags, "lk-web-sg");
    assert!(db_sg
        .rules
        .iter()
        .any(|x| matches!(&x.peer, RulePeer::Group { group_id, .. } if *group_id == web_sg.id)));

    // Public addresses: an Elastic IP on the bastion; an appliance without src/dst check.
    let bastion = named(&r.network_interfaces, |e| &e.tags, "lk-bastion-eni");
    assert_eq!(bastion.public_ipv4s.len(), 1);
    assert!(bastion.public_ipv4s[0]
        .allocation_id
        .as_deref()
        .is_some_and(|a| a.starts_with("eipalloc-")));
    assert_eq!(
        bastion.public_ipv4s[0].private_ip,
        bastion.private_ipv4s.first().copied()
    );
    assert_eq!(bastion.description.as_deref(), Some("bastion"));
    assert!(!named(&r.network_interfaces, |e| &e.tags, "lk-appliance-eni").source_dest_check);

    // NAT: public and private.
    let private_nat = named(&r.nat_gateways, |n| &n.tags, "lk-shared-private-nat");
    assert_eq!(private_nat.connectivity, NatConnectivity::Private);
    assert!(private_nat.addresses.iter().all(|a| a.public_ip.is_none()));

    // A subnet without an explicit association uses its VPC's main table.
    let misc = named(&r.subnets, |s| &s.tags, "lk-prod-misc-a");
    let main = named(&r.route_tables, |t| &t.tags, "lk-prod-main-rt");
    assert!(main
        .associations
        .iter()
        .any(|a| a.target == AssociationTarget::Main));
    // The association rule lives in the engine's model; check it on collected data.
    let model = vpcaudit::reach::Model::build(&inv);
    let rm = model
        .region(&inv.accounts[0].account_id, &r.region)
        .unwrap();
    assert_eq!(
        rm.subnet(&misc.id).and_then(|s| s.route_table_id),
        Some(main.id.as_str())
    );

    // NACL entries in order, the shadowed deny kept where AWS put it; a default NACL.
    let web_nacl = named(&r.network_acls, |n| &n.tags, "lk-prod-web-nacl");
    let inbound: Vec<(i32, NaclAction)> = web_nacl
        .entries
        .iter()
        .filter(|e| e.direction == Direction::Ingress)
        .map(|e| (e.rule_number, e.action))
        .collect();
    assert_eq!(
        inbound,
        [
            (100, NaclAction::Allow),
            (200, NaclAction::Deny),
            (300, NaclAction::Allow),
            (32767, NaclAction::Deny)
        ]
    );
    let echo = web_nacl
        .entries
        .iter()
        .find(|e| e.rule_number == 300)
        .unwrap();
    assert_eq!(
        echo.l4,
        L4Match::Icmp {
            icmp_type: Some(8),
            icmp_code: Some(0)
        }
    );
    let legacy_vpc = named(&r.vpcs, |v| &v.tags, "lk-legacy-vpc");
    let legacy_default = r
        .network_acls
        .iter()
        .find(|n| n.vpc_id == legacy_vpc.id && n.is_default)
        .unwrap();
    assert!(legacy_default
        .entries
        .iter()
        .any(|e| e.rule_number == 50 && e.action == NaclAction::Deny));

    // Peering: same region, cross region, pending.
    let pcx = |name: &str| {
        r.vpc_peering_connections
            .iter()
            .find(|p| p.id == seeded.id(name))
            .unwrap_or_else(|| panic!("{name} collected"))
    };
    let prod = named(&r.vpcs, |v| &v.tags, "lk-prod-vpc");
    let shared = pcx("lk-pcx-prod-shared");
    assert_eq!(shared.status.as_deref(), Some("active"));
    assert_eq!(shared.requester.vpc_id.as_deref(), Some(prod.id.as_str()));
    assert_eq!(shared.requester.ipv4_cidrs, [v4("10.0.0.0/16")]);
    assert_eq!(shared.accepter.ipv4_cidrs, [v4("10.1.0.0/16")]);
    let to_eu = pcx("lk-pcx-prod-eu");
    assert_eq!(to_eu.accepter.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        to_eu.accepter.vpc_id.as_deref(),
        Some(seeded.id("lk-eu-vpc"))
    );
    assert_eq!(
        pcx("lk-pcx-pending").status.as_deref(),
        Some("pending-acceptance")
    );
    let public_rt = named(&r.route_tables, |t| &t.tags, "lk-prod-public-rt");
    let private_rt = named(&r.route_tables, |t| &t.tags, "lk-prod-private-rt");
    assert!(public_rt
        .routes
        .iter()
        .chain(&private_rt.routes)
        .chain(&main.routes)
        .any(|x| x.target == RouteTarget::VpcPeeringConnection(shared.id.clone())));
    // The accepter region sees the cross-region connection too.
    assert!(eu.vpc_peering_connections.iter().any(|p| p.id == to_eu.id));

    // Transit gateway: options, attachments with their subnets, routes incl. a blackhole.
    let tgw = named(&r.transit_gateways, |t| &t.tags, "lk-tgw");
    assert!(tgw.security_group_referencing_support);
    assert!(tgw.default_route_table_association && tgw.default_route_table_propagation);
    let att = named(
        &r.transit_gateway_attachments,
        |a| &a.tags,
        "lk-tgw-att-shared",
    );
    assert_eq!(att.resource_type, "vpc");
    assert_eq!(att.transit_gateway_id, tgw.id);
    assert_eq!(att.subnet_ids.len(), 2);
    assert!(att.security_group_referencing_support && att.appliance_mode_support);
    let legacy_att = named(
        &r.transit_gateway_attachments,
        |a| &a.tags,
        "lk-tgw-att-legacy",
    );
    assert!(!legacy_att.security_group_referencing_support);
    let tgw_rt = named(&r.transit_gateway_route_tables, |t| &t.tags, "lk-tgw-rt");
    let blackhole = tgw_rt
        .routes
        .iter()
        .find(|x| x.destination == RouteDestination::Ipv4(v4("10.50.0.0/16")))
        .expect("blackhole route");
    assert_eq!(blackhole.state.as_deref(), Some("blackhole"));
    let to_shared = tgw_rt
        .routes
        .iter()
        .find(|x| x.destination == RouteDestination::Ipv4(v4("10.1.0.0/16")))
        .unwrap();
    assert_eq!(to_shared.state.as_deref(), Some("active"));
    assert_eq!(
        to_shared.attachments[0].attachment_id.as_deref(),
        Some(att.id.as_str())
    );
    let associated: Vec<_> = tgw_rt
        .associations
        .iter()
        .filter_map(|a| a.attachment_id.clone())
        .collect();
    assert!(associated.contains(&att.id) && associated.contains(&legacy_att.id));
    assert_eq!(tgw_rt.propagations.len(), 2);

    // Every kind of rule-group source.
    let group = |name: &str| {
        r.firewall_rule_groups
            .iter()
            .find(|g| g.name == name)
            .unwrap()
    };
    match &group("lk-pass-all").source {
        RuleSource::RulesString { rules } => {
            assert!(rules.starts_with("pass tcp any any -> any any"))
        }
        other => panic!("{other:?}"),
    }
    match &group("lk-stateless-443").source {
        RuleSource::Stateless { rules, .. } => {
            assert_eq!(rules.len(), 2);
            let r10 = rules.iter().find(|x| x.priority == 10).unwrap();
            assert_eq!(r10.actions, ["aws:pass"]);
            assert_eq!(r10.protocols, [6]);
            assert_eq!(r10.sources, ["10.1.0.0/16"]);
            assert_eq!(
                r10.destination_ports,
                [StatelessPortRange { from: 443, to: 443 }]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        group("lk-stateless-443").rule_group_type,
        RuleGroupType::Stateless
    );
    match &group("lk-legacy-rules").source {
        RuleSource::StatefulRules { rules } => {
            assert_eq!(rules[0].action, "PASS");
            assert_eq!(rules[0].source, "$HOME_NET");
            assert_eq!(rules[0].destination_port, "22");
            assert!(rules[0]
                .options
                .iter()
                .any(|o| o.keyword == "sid" && o.settings == ["100"]));
            assert_eq!(rules[1].action, "DROP");
        }
        other => panic!("{other:?}"),
    }
    let weak = r
        .firewall_policies
        .iter()
        .find(|p| p.name == "lk-weak-policy")
        .unwrap();
    assert_eq!(weak.stateless_fragment_default_actions, ["aws:pass"]);
    assert_eq!(
        weak.stateless_rule_groups[0].arn,
        group("lk-stateless-443").arn
    );
    let order: Vec<_> = weak
        .stateful_rule_groups
        .iter()
        .map(|g| g.priority)
        .collect();
    assert_eq!(order, [Some(10), Some(20)]);
    let bypass = r
        .firewall_policies
        .iter()
        .find(|p| p.name == "lk-bypass-policy")
        .unwrap();
    assert_eq!(bypass.stateful_rule_order, RuleOrder::DefaultActionOrder);
    let egress_fw = r
        .firewalls
        .iter()
        .find(|f| f.name == "lk-egress-fw")
        .unwrap();
    assert!(egress_fw.logging.is_empty() && !egress_fw.delete_protection);
    assert_eq!(egress_fw.policy_arn, weak.arn);

    // Endpoint policies as JSON: the full-access one the scenario gives lk-eks-s3, and
    // the default one the emulator (like AWS) attaches to lk-prod-s3, created without.
    let policy = |name: &str| -> serde_json::Value {
        let e = named(&r.vpc_endpoints, |e| &e.tags, name);
        let doc = e.policy_document.as_deref().expect("a policy document");
        serde_json::from_str(doc).unwrap_or_else(|e| panic!("{name}: {e}: {doc}"))
    };
    let full_access = serde_json::json!([
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    ]);
    assert_eq!(policy("lk-eks-s3")["Version"], "2012-10-17");
    assert_eq!(policy("lk-eks-s3")["Statement"], full_access);
    assert_eq!(policy("lk-prod-s3")["Statement"], full_access);

    // Flow logs: REJECT-only, to S3, and on an ENI.
    let flow = |id: &str| {
        r.flow_logs
            .iter()
            .find(|f| f.resource_id.as_deref() == Some(id))
            .unwrap()
    };
    assert_eq!(
        flow(seeded.id("lk-shared-vpc")).traffic_type.as_deref(),
        Some("REJECT")
    );
    assert_eq!(flow(&v6.id).log_destination_type.as_deref(), Some("s3"));
    assert_eq!(
        flow(seeded.id("lk-db-eni")).traffic_type.as_deref(),
        Some("ALL")
    );
    assert!(!r
        .flow_logs
        .iter()
        .any(|f| f.resource_id.as_deref() == Some(legacy_vpc.id.as_str())));

    // The second region was collected as its own.
    let eu_vpc = named(&eu.vpcs, |v| &v.tags, "lk-eu-vpc");
    assert_eq!(eu_vpc.ipv4_cidrs, [v4("172.20.0.0/16")]);
    assert!(eu
        .subnets
        .iter()
        .all(|s| s.availability_zone.starts_with("eu-west-1")));
    assert!(!r.vpcs.iter().any(|v| v.id == eu_vpc.id));
}
