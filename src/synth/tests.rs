use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;

use crate::inventory::{AssociationTarget, Inventory, RegionInventory, RulePeer};
use crate::reach::classes::classes;
use crate::reach::model::Model;
use crate::reach::path::{eni_to_eni, eni_to_internet, internet_to_eni};
use crate::reach::sets::ServicePoint;

use super::{generate, samples, Spec};

fn region(inv: &Inventory) -> &RegionInventory {
    &inv.accounts[0].regions[0]
}

#[test]
fn defaults_scale_with_enis() {
    let s = Spec::with_enis(10_000);
    assert_eq!(
        (s.vpcs, s.subnets_per_vpc, s.security_groups),
        (20, 10, 1_000)
    );
    let s = Spec::with_enis(100_000);
    assert_eq!(
        (s.vpcs, s.subnets_per_vpc, s.security_groups),
        (200, 5, 10_000)
    );
}

#[test]
fn deterministic_for_a_seed() {
    let spec = Spec::with_enis(1_500);
    let a = generate(&spec);
    assert_eq!(a, generate(&spec));
    assert_ne!(a, generate(&spec.clone().seeded(2)));
}

#[test]
fn counts_follow_the_spec() {
    let spec = Spec::with_enis(2_000);
    let inv = generate(&spec);
    let ri = region(&inv);
    assert_eq!(ri.network_interfaces.len(), spec.enis);
    assert_eq!(ri.vpcs.len(), spec.vpcs);
    assert_eq!(ri.subnets.len(), spec.vpcs * spec.subnets_per_vpc);
    assert_eq!(ri.security_groups.len(), spec.security_groups);
    assert_eq!(ri.vpc_peering_connections.len(), spec.peerings);
    let public = ri
        .network_interfaces
        .iter()
        .filter(|e| !e.public_ipv4s.is_empty())
        .count();
    assert!(
        public * 100 > spec.enis * 4 && public * 100 < spec.enis * 20,
        "{public} public ENIs of {}",
        spec.enis
    );
    assert!(ri.network_interfaces.iter().any(|e| !e.ipv6s.is_empty()));
    assert!(ri
        .network_interfaces
        .iter()
        .any(|e| e.description.as_deref() == Some("RDSNetworkInterface") && e.requester_managed));
    assert!(ri
        .network_interfaces
        .iter()
        .all(|e| e.security_group_ids.len() <= 3));
}

/// Every id of every resource kind (ENIs, rules, associations...).
pub(super) fn all_ids(ri: &RegionInventory) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    ids.extend(ri.vpcs.iter().map(|x| x.id.clone()));
    ids.extend(ri.subnets.iter().map(|x| x.id.clone()));
    for t in &ri.route_tables {
        ids.push(t.id.clone());
        ids.extend(t.associations.iter().filter_map(|a| a.id.clone()));
    }
    ids.extend(ri.internet_gateways.iter().map(|x| x.id.clone()));
    ids.extend(
        ri.egress_only_internet_gateways
            .iter()
            .map(|x| x.id.clone()),
    );
    ids.extend(ri.nat_gateways.iter().map(|x| x.id.clone()));
    for e in &ri.network_interfaces {
        ids.push(e.id.clone());
        ids.extend(
            e.public_ipv4s
                .iter()
                .filter_map(|p| p.allocation_id.clone()),
        );
    }
    ids.extend(ri.instances.iter().map(|x| x.id.clone()));
    for g in &ri.security_groups {
        ids.push(g.id.clone());
        ids.extend(g.rules.iter().filter_map(|r| r.id.clone()));
    }
    ids.extend(ri.managed_prefix_lists.iter().map(|x| x.id.clone()));
    for a in &ri.network_acls {
        ids.push(a.id.clone());
        ids.extend(a.associations.iter().filter_map(|x| x.id.clone()));
    }
    ids.extend(ri.vpc_endpoints.iter().map(|x| x.id.clone()));
    ids.extend(ri.vpc_peering_connections.iter().map(|x| x.id.clone()));
    ids.extend(ri.transit_gateways.iter().map(|x| x.id.clone()));
    ids.extend(ri.transit_gateway_attachments.iter().map(|x| x.id.clone()));
    ids.extend(ri.transit_gateway_route_tables.iter().map(|x| x.id.clone()));
    ids.extend(ri.flow_logs.iter().map(|x| x.id.clone()));
    ids
}

#[test]
fn ids_are_unique_and_aws_shaped() {
    let inv = generate(&Spec::with_enis(3_000));
    let ids = all_ids(region(&inv));
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    let prefixes = [
        "vpc-",
        "subnet-",
        "rtb-",
        "rtbassoc-",
        "igw-",
        "eigw-",
        "nat-",
        "eni-",
        "eipalloc-",
        "i-",
        "sg-",
        "sgr-",
        "pl-",
        "acl-",
        "aclassoc-",
        "vpce-",
        "pcx-",
        "tgw-",
        "tgw-attach-",
        "tgw-rtb-",
        "fl-",
    ];
    for id in &ids {
        let (prefix, hex) = id.rsplit_once('-').expect("prefix-hex");
        assert!(prefixes.contains(&format!("{prefix}-").as_str()), "{id}");
        assert!(
            hex.len() >= 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    // Every reference resolves inside the inventory.
    let ri = region(&inv);
    let subnets: BTreeSet<&str> = ri.subnets.iter().map(|s| s.id.as_str()).collect();
    let groups: BTreeSet<&str> = ri.security_groups.iter().map(|g| g.id.as_str()).collect();
    for e in &ri.network_interfaces {
        assert!(subnets.contains(e.subnet_id.as_str()));
        assert!(e
            .security_group_ids
            .iter()
            .all(|g| groups.contains(g.as_str())));
    }
    for g in &ri.security_groups {
        for r in &g.rules {
            if let RulePeer::Group { group_id, .. } = &r.peer {
                assert!(groups.contains(group_id.as_str()), "{group_id}");
            }
        }
    }
    // Every subnet has exactly one explicit route table and one NACL.
    for s in &subnets {
        let tables = ri
            .route_tables
            .iter()
            .flat_map(|t| &t.associations)
            .filter(|a| a.target == AssociationTarget::Subnet(s.to_string()))
            .count();
        let acls = ri
            .network_acls
            .iter()
            .flat_map(|a| &a.associations)
            .filter(|a| a.subnet_id == *s)
            .count();
        assert_eq!((tables, acls), (1, 1), "{s}");
    }
}

#[test]
fn survives_a_json_round_trip() {
    let inv = generate(&Spec::with_enis(1_000));
    let text = inv.to_json_pretty().unwrap();
    let back = Inventory::from_json_str(&text, Path::new("synthetic.json")).unwrap();
    assert_eq!(back, inv);
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn engine_answers_the_sample_queries() {
    let inv = generate(&Spec::with_enis(2_000));
    let model = Model::build(&inv);
    let s = samples(&inv).expect("samples exist");
    let web = internet_to_eni(
        &model,
        &inv,
        &s.public_web,
        ip("8.8.8.8"),
        ServicePoint::Tcp(443),
    );
    assert!(!web.is_unknown(), "{web:?}");
    let db = eni_to_eni(&model, &inv, &s.db_client, &s.db, ServicePoint::Tcp(5432));
    assert!(!db.is_unknown(), "{db:?}");
    let allowed = eni_to_internet(
        &model,
        &inv,
        &s.firewalled,
        ip("140.82.112.3"),
        ServicePoint::Tcp(443),
        Some("api.github.com".into()),
    );
    assert!(allowed.is_allowed(), "{allowed:#?}");
    let denied = eni_to_internet(
        &model,
        &inv,
        &s.firewalled,
        ip("93.184.215.14"),
        ServicePoint::Tcp(443),
        Some("example.com".into()),
    );
    assert!(denied.is_blocked(), "{denied:#?}");
}

#[test]
fn ten_thousand_enis_fall_into_far_fewer_classes() {
    let spec = Spec::with_enis(10_000);
    let inv = generate(&spec);
    let model = Model::build(&inv);
    let all = classes(&model, &inv);
    let members: usize = all.iter().map(|c| c.enis.len()).sum();
    assert_eq!(members, spec.enis);
    println!("10k ENIs: {} classes", all.len());
    assert!(all.len() * 3 < spec.enis, "{} classes", all.len());
}

#[test]
fn load_balancers_have_nodes_groups_and_registered_targets() {
    let spec = Spec::with_enis(2_000).with_load_balancers(8, 5);
    let inv = generate(&spec);
    assert_eq!(inv, generate(&spec));
    let ri = region(&inv);
    assert_eq!(ri.load_balancers.len(), 8);
    assert_eq!(ri.target_groups.len(), 8);
    let without = generate(&Spec::with_enis(2_000));
    let nodes = ri.network_interfaces.len() - region(&without).network_interfaces.len();
    let mut seen = 0;
    for lb in &ri.load_balancers {
        // The node ENIs are the ones AWS would describe after the load balancer.
        let kind = if lb.arn.contains("/net/") {
            "net"
        } else {
            "app"
        };
        let prefix = format!("ELB {kind}/{}/", lb.name);
        let lb_nodes: Vec<_> = ri
            .network_interfaces
            .iter()
            .filter(|e| {
                e.description
                    .as_deref()
                    .is_some_and(|d| d.starts_with(&prefix))
            })
            .collect();
        assert_eq!(lb_nodes.len(), lb.subnet_ids.len(), "{}", lb.name);
        for node in &lb_nodes {
            assert!(lb.subnet_ids.contains(&node.subnet_id));
            assert_eq!(node.security_group_ids, lb.security_group_ids);
        }
        seen += lb_nodes.len();
        let tg = &ri.target_groups[ri
            .target_groups
            .iter()
            .position(|t| t.load_balancer_arns.contains(&lb.arn))
            .expect("a target group")];
        for t in tg.targets.as_ref().expect("targets") {
            let known = if tg.target_type == "ip" {
                let ip: std::net::Ipv4Addr = t.id.parse().expect("an address");
                ri.network_interfaces
                    .iter()
                    .any(|e| e.private_ipv4s.contains(&ip))
            } else {
                ri.instances.iter().any(|i| i.id == t.id)
            };
            assert!(known, "{} in {}", t.id, tg.name);
        }
        assert_eq!(
            lb.listeners.as_ref().expect("listeners")[0].target_group_arns,
            vec![tg.arn.clone()]
        );
    }
    assert_eq!(seen, nodes);
}
