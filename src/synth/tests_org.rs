//! The organisation estate: shape, ids, addressing, and paths the engine follows
//! across accounts. Everything is found from the inventory, not from the generator's
//! internals.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use crate::inventory::{
    AssociationTarget, Direction, Inventory, L4Match, NetworkInterface, Protocol, RegionInventory,
    RouteDestination, RouteTarget, RulePeer,
};
use crate::reach::explain::Code;
use crate::reach::model::Model;
use crate::reach::path::eni_to_eni;
use crate::reach::sets::ServicePoint;

use super::tests::all_ids;
use super::{account_ids, generate_organization, OrgSpec};

/// Four accounts of 2,500 ENIs: five VPCs each, so one is off the transit gateway.
fn small() -> OrgSpec {
    OrgSpec::with_enis(10_000, 4)
}

/// (account, region) of every account.
fn regions(inv: &Inventory) -> Vec<(&str, &RegionInventory)> {
    inv.regions().collect()
}

#[test]
fn deterministic_for_a_seed() {
    let spec = small();
    let a = generate_organization(&spec);
    assert_eq!(a, generate_organization(&spec));
    assert_ne!(a, generate_organization(&spec.clone().seeded(2)));
}

#[test]
fn accounts_are_distinct_and_share_the_enis() {
    let spec = small();
    let inv = generate_organization(&spec);
    let ids: Vec<&str> = inv.accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, account_ids(&spec));
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), spec.accounts);
    for id in &ids {
        assert!(
            id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()),
            "{id}"
        );
    }
    let enis: usize = regions(&inv)
        .iter()
        .map(|(_, r)| r.network_interfaces.len())
        .sum();
    assert_eq!(enis, spec.enis);
    for (account, r) in regions(&inv) {
        // Each account holds about its share, all of it its own.
        assert!(r.network_interfaces.len() >= spec.enis / spec.accounts);
        assert!(r
            .network_interfaces
            .iter()
            .all(|e| e.owner_id.as_deref() == Some(account)));
        assert!(r
            .vpcs
            .iter()
            .all(|v| v.owner_id.as_deref() == Some(account)));
        assert!(r
            .security_groups
            .iter()
            .all(|g| g.owner_id.as_deref() == Some(account)));
    }
}

#[test]
fn ids_and_addresses_are_unique_across_accounts() {
    let inv = generate_organization(&small());
    let mut owned: Vec<String> = Vec::new();
    let mut shared: BTreeMap<String, usize> = BTreeMap::new();
    let mut public = Vec::new();
    let mut private = Vec::new();
    for (_, r) in regions(&inv) {
        let aws_owned: BTreeSet<&str> = r
            .managed_prefix_lists
            .iter()
            .filter(|p| p.owner_id.as_deref() == Some("AWS"))
            .map(|p| p.id.as_str())
            .collect();
        for id in all_ids(r) {
            if aws_owned.contains(id.as_str()) {
                continue;
            }
            // Peerings and TGW attachments are described to both accounts.
            if id.starts_with("pcx-") || id.starts_with("tgw-attach-") {
                *shared.entry(id).or_default() += 1;
            } else {
                owned.push(id);
            }
        }
        for e in &r.network_interfaces {
            public.extend(e.public_ipv4s.iter().map(|p| p.public_ip));
            private.extend(e.private_ipv4s.iter().copied());
        }
    }
    let unique: BTreeSet<&String> = owned.iter().collect();
    assert_eq!(unique.len(), owned.len());
    assert!(owned.iter().all(|id| !shared.contains_key(id)));
    assert!(shared.values().all(|&n| n <= 2), "{shared:?}");
    assert_eq!(public.iter().collect::<BTreeSet<_>>().len(), public.len());
    assert_eq!(private.iter().collect::<BTreeSet<_>>().len(), private.len());
}

#[test]
fn no_two_vpcs_overlap() {
    let inv = generate_organization(&small());
    let mut blocks: Vec<Ipv4Net> = regions(&inv)
        .iter()
        .flat_map(|(_, r)| r.vpcs.iter().flat_map(|v| v.ipv4_cidrs.iter().copied()))
        .collect();
    blocks.sort();
    assert_eq!(blocks.len(), 20);
    for pair in blocks.windows(2) {
        assert!(
            !pair[0].contains(&pair[1].network()),
            "{} overlaps {}",
            pair[0],
            pair[1]
        );
    }
    let ten: Ipv4Net = "10.0.0.0/8".parse().unwrap();
    assert!(blocks.iter().all(|b| ten.contains(b)));
    // Every subnet lies in its VPC's block.
    for (_, r) in regions(&inv) {
        let vpcs: BTreeMap<&str, Ipv4Net> = r
            .vpcs
            .iter()
            .map(|v| (v.id.as_str(), v.ipv4_cidrs[0]))
            .collect();
        for s in &r.subnets {
            assert!(vpcs[s.vpc_id.as_str()].contains(&s.ipv4_cidr.unwrap()));
        }
    }
}

#[test]
fn the_network_account_shares_its_transit_gateway() {
    let inv = generate_organization(&small());
    let hub = inv.accounts[0].account_id.as_str();
    let hub_region = &inv.accounts[0].regions[0];
    let gateways: Vec<_> = regions(&inv)
        .iter()
        .flat_map(|(_, r)| r.transit_gateways.iter())
        .collect();
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0].owner_id.as_deref(), Some(hub));
    assert_eq!(hub_region.transit_gateways.len(), 1);
    let table = &hub_region.transit_gateway_route_tables[0];
    let hub_view: BTreeSet<&str> = hub_region
        .transit_gateway_attachments
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    let mut members = 0;
    for (account, r) in regions(&inv) {
        assert!(account == hub || r.transit_gateway_route_tables.is_empty());
        let vpcs: BTreeMap<&str, Ipv4Net> = r
            .vpcs
            .iter()
            .map(|v| (v.id.as_str(), v.ipv4_cidrs[0]))
            .collect();
        // An account's own view lists only its VPCs' attachments.
        for a in r
            .transit_gateway_attachments
            .iter()
            .filter(|a| account == hub || a.resource_owner_id.as_deref() == Some(account))
        {
            assert_eq!(a.transit_gateway_id, gateways[0].id);
            assert_eq!(a.transit_gateway_owner_id.as_deref(), Some(hub));
            if a.resource_owner_id.as_deref() != Some(account) {
                continue;
            }
            let vpc = a.resource_id.as_deref().unwrap();
            assert!(
                hub_view.contains(a.id.as_str()),
                "{} not seen by the hub",
                a.id
            );
            // The owner's table routes the VPC's block to its attachment.
            assert!(table.routes.iter().any(|route| {
                route.destination == RouteDestination::Ipv4(vpcs[vpc])
                    && route.attachments[0].attachment_id.as_deref() == Some(a.id.as_str())
            }));
            if account != hub {
                members += 1;
            }
        }
        assert_eq!(
            r.transit_gateway_attachments.len(),
            if account == hub {
                hub_view.len()
            } else {
                r.transit_gateway_attachments
                    .iter()
                    .filter(|a| a.resource_owner_id.as_deref() == Some(account))
                    .count()
            }
        );
    }
    assert!(members > 0);
    assert_eq!(table.associations.len(), hub_view.len());
}

#[test]
fn peerings_join_accounts_with_routes_on_both_sides() {
    let spec = small();
    let inv = generate_organization(&spec);
    let owner_of_vpc: BTreeMap<&str, &str> = regions(&inv)
        .iter()
        .flat_map(|(a, r)| r.vpcs.iter().map(move |v| (v.id.as_str(), *a)))
        .collect();
    let mut seen: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (account, r) in regions(&inv) {
        for p in &r.vpc_peering_connections {
            seen.entry(p.id.as_str()).or_default().push(account);
        }
    }
    // Each is listed twice, once per account; both copies are equal.
    let mut cross = BTreeMap::new();
    for p in regions(&inv)
        .iter()
        .flat_map(|(_, r)| r.vpc_peering_connections.iter())
        .filter(|p| p.requester.owner_id != p.accepter.owner_id)
    {
        assert_eq!(*cross.entry(p.id.as_str()).or_insert(p), p);
    }
    assert_eq!(cross.len(), spec.peerings);
    let mut one_sided = 0;
    for p in cross.into_values() {
        for side in [&p.requester, &p.accepter] {
            let vpc = side.vpc_id.as_deref().unwrap();
            assert_eq!(side.owner_id.as_deref(), Some(owner_of_vpc[vpc]));
        }
        let mut holders = seen[p.id.as_str()].clone();
        holders.sort();
        let mut owners = vec![
            p.requester.owner_id.as_deref().unwrap(),
            p.accepter.owner_id.as_deref().unwrap(),
        ];
        owners.sort();
        assert_eq!(holders, owners, "{} is described to both accounts", p.id);
        let routes_to = |from: &crate::inventory::PeeringSide,
                         to: &crate::inventory::PeeringSide| {
            let r = &inv
                .accounts
                .iter()
                .find(|a| Some(a.account_id.as_str()) == from.owner_id.as_deref())
                .unwrap()
                .regions[0];
            r.route_tables
                .iter()
                .filter(|t| Some(t.vpc_id.as_str()) == from.vpc_id.as_deref())
                .any(|t| {
                    t.routes.iter().any(|route| {
                        route.destination == RouteDestination::Ipv4(to.ipv4_cidrs[0])
                            && route.target == RouteTarget::VpcPeeringConnection(p.id.clone())
                    })
                })
        };
        assert!(routes_to(&p.requester, &p.accepter), "{}", p.id);
        if !routes_to(&p.accepter, &p.requester) {
            one_sided += 1;
        }
    }
    // Every fifth misses the route back.
    assert_eq!(one_sided, spec.peerings / 5);
}

/// The ENIs of one account carrying `group`.
fn carrying<'i>(r: &'i RegionInventory, group: &str) -> Vec<&'i NetworkInterface> {
    r.network_interfaces
        .iter()
        .filter(|e| e.security_group_ids.iter().any(|g| g == group))
        .collect()
}

/// (pcx, client ENI, database ENI, port) for each cross-account group reference
/// whose two groups both have ENIs: the database group admits the client's group
/// over the peering, so only routing can stop the connection.
fn referenced_pairs(inv: &Inventory) -> Vec<(String, String, String, u16)> {
    let mut out = Vec::new();
    for (account, r) in regions(inv) {
        for g in &r.security_groups {
            for rule in &g.rules {
                let RulePeer::Group {
                    group_id,
                    account_id: Some(other),
                    vpc_peering_connection_id: Some(pcx),
                    ..
                } = &rule.peer
                else {
                    continue;
                };
                let L4Match::Ports(ports) = rule.l4 else {
                    continue;
                };
                if other == account || rule.direction != Direction::Ingress {
                    continue;
                }
                let there = &inv
                    .accounts
                    .iter()
                    .find(|a| &a.account_id == other)
                    .unwrap()
                    .regions[0];
                let (clients, dbs) = (carrying(there, group_id), carrying(r, &g.id));
                if let (Some(c), Some(d)) = (clients.first(), dbs.first()) {
                    out.push((pcx.clone(), c.id.clone(), d.id.clone(), ports.from));
                }
            }
        }
    }
    out
}

/// Whether the VPC of `eni` routes `to` over `pcx`, in the table of the ENI's subnet.
fn routes_over(r: &RegionInventory, eni: &NetworkInterface, to: Ipv4Net, pcx: &str) -> bool {
    r.route_tables
        .iter()
        .find(|t| {
            t.associations
                .iter()
                .any(|a| a.target == AssociationTarget::Subnet(eni.subnet_id.clone()))
        })
        .is_some_and(|t| {
            t.routes.iter().any(|route| {
                route.destination == RouteDestination::Ipv4(to)
                    && route.target == RouteTarget::VpcPeeringConnection(pcx.into())
            })
        })
}

fn find<'i>(inv: &'i Inventory, eni: &str) -> (&'i RegionInventory, &'i NetworkInterface) {
    regions(inv)
        .into_iter()
        .find_map(|(_, r)| {
            r.network_interfaces
                .iter()
                .find(|e| e.id == eni)
                .map(|e| (r, e))
        })
        .unwrap()
}

fn vpc_block(r: &RegionInventory, vpc: &str) -> Ipv4Net {
    r.vpcs.iter().find(|v| v.id == vpc).unwrap().ipv4_cidrs[0]
}

#[test]
fn the_engine_follows_cross_account_peerings_and_stops_where_the_route_back_is_missing() {
    let inv = generate_organization(&small().seeded(3));
    let model = Model::build(&inv);
    let (mut allowed, mut blocked) = (0, 0);
    for (pcx, client, db, port) in referenced_pairs(&inv) {
        let (cr, c) = find(&inv, &client);
        let (dr, d) = find(&inv, &db);
        assert_ne!(c.owner_id, d.owner_id);
        let there = routes_over(cr, c, vpc_block(dr, &d.vpc_id), &pcx);
        let back = routes_over(dr, d, vpc_block(cr, &c.vpc_id), &pcx);
        let e = eni_to_eni(&model, &inv, &client, &db, ServicePoint::Tcp(port));
        if there && back {
            assert!(e.is_allowed(), "{client} -> {db} over {pcx}: {e:#?}");
            assert!(e.steps.iter().any(|s| s.component.contains(&pcx)), "{e:#?}");
            allowed += 1;
        } else if there {
            assert!(e.is_blocked(), "{client} -> {db}: {e:#?}");
            assert_eq!(e.code(), Some(Code::PcxRequiresReturnRoute), "{e:#?}");
            blocked += 1;
        }
    }
    assert!(
        allowed > 0 && blocked > 0,
        "{allowed} allowed, {blocked} blocked"
    );
}

/// An ENI in a `tier` subnet of `r` (outside the inspection VPC), in a VPC attached
/// (or not) to the transit gateway, whose groups admit TCP `port` from all of
/// 10.0.0.0/8 when asked.
fn eni_in<'i>(
    r: &'i RegionInventory,
    tier: &str,
    attached: bool,
    admits: Option<u16>,
) -> Option<&'i NetworkInterface> {
    let ten: Ipv4Net = "10.0.0.0/8".parse().unwrap();
    let in_tier: BTreeSet<&str> = r
        .subnets
        .iter()
        .filter(|s| s.tags.get("tier").map(String::as_str) == Some(tier))
        .map(|s| s.id.as_str())
        .collect();
    let on_tgw: BTreeSet<&str> = r
        .transit_gateway_attachments
        .iter()
        .filter_map(|a| a.resource_id.as_deref())
        .collect();
    let groups: BTreeMap<&str, _> = r
        .security_groups
        .iter()
        .map(|g| (g.id.as_str(), g))
        .collect();
    let inspection = r
        .vpcs
        .iter()
        .find(|v| v.tags.get("Name").map(String::as_str) == Some("inspection"));
    r.network_interfaces.iter().find(|e| {
        in_tier.contains(e.subnet_id.as_str())
            && on_tgw.contains(e.vpc_id.as_str()) == attached
            && inspection.is_none_or(|v| v.id != e.vpc_id)
            && admits.is_none_or(|port| {
                e.security_group_ids.iter().any(|g| {
                    groups[g.as_str()].rules.iter().any(|rule| {
                        rule.direction == Direction::Ingress
                            && rule.protocol == Protocol::Tcp
                            && matches!(rule.l4, L4Match::Ports(p) if p.contains(port))
                            && rule.peer == RulePeer::Ipv4 { cidr: ten }
                    })
                })
            })
    })
}

#[test]
fn the_engine_crosses_accounts_through_the_shared_transit_gateway() {
    let inv = generate_organization(&small().seeded(3));
    let model = Model::build(&inv);
    let hub = &inv.accounts[0].regions[0];
    let tgw = hub.transit_gateways[0].id.clone();
    let port = 8443;
    // From a member account to the network account, and the other way.
    let member = &inv.accounts[1].regions[0];
    let server = eni_in(hub, "private", true, Some(port)).expect("an attached hub server");
    let other = &inv.accounts[2].regions[0];
    // Members' copies of their attachments do not name the route table, as AWS
    // reports them: the engine reads the owner's.
    assert!(member
        .transit_gateway_attachments
        .iter()
        .all(|a| a.association_route_table_id.is_none()));
    let pairs = [
        (eni_in(member, "private", true, None), Some(server)),
        (
            eni_in(hub, "private", true, None),
            eni_in(member, "private", true, Some(port)),
        ),
        // Member to member, both through the network account's gateway.
        (
            eni_in(other, "private", true, None),
            eni_in(member, "private", true, Some(port)),
        ),
    ];
    for (from, to) in pairs {
        let (from, to) = (from.expect("a client"), to.expect("a server"));
        let e = eni_to_eni(&model, &inv, &from.id, &to.id, ServicePoint::Tcp(port));
        assert!(e.is_allowed(), "{} -> {}: {e:#?}", from.id, to.id);
        assert!(e.steps.iter().any(|s| s.component.contains(&tgw)), "{e:#?}");
    }
    // A data subnet (no internet route) of a VPC left off the gateway has no route
    // to the other account.
    let isolated = eni_in(member, "data", false, None).expect("an unattached member VPC");
    assert_ne!(isolated.vpc_id, server.vpc_id);
    let e = eni_to_eni(
        &model,
        &inv,
        &isolated.id,
        &server.id,
        ServicePoint::Tcp(port),
    );
    assert!(e.is_blocked(), "{e:#?}");
    assert_eq!(e.code(), Some(Code::NoRouteToDestination), "{e:#?}");
}

#[test]
fn enis_take_addresses_of_their_own_subnet() {
    let inv = generate_organization(&small());
    for (_, r) in regions(&inv) {
        let subnets: BTreeMap<&str, Ipv4Net> = r
            .subnets
            .iter()
            .map(|s| (s.id.as_str(), s.ipv4_cidr.unwrap()))
            .collect();
        for e in &r.network_interfaces {
            let net = subnets[e.subnet_id.as_str()];
            assert!(
                e.private_ipv4s.iter().all(|ip| net.contains(ip)),
                "{} in {net}",
                e.id
            );
        }
    }
}

#[test]
fn a_million_enis_over_a_hundred_accounts_fit_in_ten_slash_eight() {
    let spec = OrgSpec::with_enis(1_000_000, 100);
    let vpcs: usize = (0..spec.accounts).map(|i| spec.account_spec(i).vpcs).sum();
    assert_eq!(vpcs, 2_000);
    let a = super::organization::addressing_for(vpcs);
    assert_eq!((a.vpc_prefix, a.subnet_prefix), (19, 22));
    assert!((0..spec.accounts).all(|i| spec.account_spec(i).subnets_per_vpc <= 8));
    // Small organisations get blocks as large as one account's.
    let a = super::organization::addressing_for(20);
    assert_eq!((a.vpc_prefix, a.subnet_prefix), (16, 19));
}
