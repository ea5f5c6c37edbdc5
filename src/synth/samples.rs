//! ENIs worth querying in a generated inventory, found from what it holds (not from
//! the generator's internals), so benchmarks and tests ask realistic questions.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::inventory::{
    AssociationTarget, Inventory, L4Match, NetworkInterface, Protocol, RegionInventory,
    RouteDestination, RouteTarget, RulePeer, SecurityGroup,
};

/// ENIs for the standard queries; every field is an ENI id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Samples {
    /// An ENI whose group an RDS ENI's group admits on TCP 5432, in another subnet
    /// (across a peering when the generator made such a reference).
    pub db_client: String,
    /// That RDS ENI.
    pub db: String,
    /// An ENI with a public IPv4 address whose groups allow TCP 443 from 0.0.0.0/0.
    pub public_web: String,
    /// An instance ENI whose subnet sends 0.0.0.0/0 to a Network Firewall endpoint.
    pub firewalled: String,
}

/// The samples of the first region, or `None` when it lacks one of them.
pub fn samples(inv: &Inventory) -> Option<Samples> {
    let (_, ri) = inv.regions().next()?;
    let (db_client, db) = db_pair(ri)?;
    Some(Samples {
        db_client,
        db,
        public_web: public_web(ri)?,
        firewalled: firewalled(ri)?,
    })
}

fn groups(ri: &RegionInventory) -> BTreeMap<&str, &SecurityGroup> {
    ri.security_groups
        .iter()
        .map(|g| (g.id.as_str(), g))
        .collect()
}

fn tcp_covers(protocol: Protocol, l4: L4Match, port: u16) -> bool {
    match (protocol, l4) {
        (Protocol::All, _) => true,
        (Protocol::Tcp, L4Match::Ports(r)) => r.contains(port),
        _ => false,
    }
}

fn db_pair(ri: &RegionInventory) -> Option<(String, String)> {
    let groups = groups(ri);
    let mut members: BTreeMap<&str, Vec<&NetworkInterface>> = BTreeMap::new();
    for eni in &ri.network_interfaces {
        for g in &eni.security_group_ids {
            members.entry(g.as_str()).or_default().push(eni);
        }
    }
    let mut same_vpc = None;
    for db in ri
        .network_interfaces
        .iter()
        .filter(|e| e.description.as_deref() == Some("RDSNetworkInterface"))
    {
        let rules = db
            .security_group_ids
            .iter()
            .filter_map(|g| groups.get(g.as_str()))
            .flat_map(|g| g.rules.iter());
        for rule in rules {
            let RulePeer::Group {
                group_id,
                vpc_peering_connection_id,
                ..
            } = &rule.peer
            else {
                continue;
            };
            if rule.direction != crate::inventory::Direction::Ingress
                || !tcp_covers(rule.protocol, rule.l4, 5432)
            {
                continue;
            }
            let client = members
                .get(group_id.as_str())
                .and_then(|m| m.iter().find(|c| c.subnet_id != db.subnet_id));
            if let Some(client) = client {
                let pair = (client.id.clone(), db.id.clone());
                if vpc_peering_connection_id.is_some() {
                    return Some(pair);
                }
                same_vpc.get_or_insert(pair);
            }
        }
    }
    same_vpc
}

fn public_web(ri: &RegionInventory) -> Option<String> {
    let groups = groups(ri);
    let world: Ipv4Net = "0.0.0.0/0".parse().expect("valid CIDR");
    ri.network_interfaces
        .iter()
        .filter(|e| !e.public_ipv4s.is_empty())
        .find(|e| {
            e.security_group_ids
                .iter()
                .filter_map(|g| groups.get(g.as_str()))
                .flat_map(|g| g.rules.iter())
                .any(|r| {
                    r.direction == crate::inventory::Direction::Ingress
                        && tcp_covers(r.protocol, r.l4, 443)
                        && r.peer == RulePeer::Ipv4 { cidr: world }
                })
        })
        .map(|e| e.id.clone())
}

fn firewalled(ri: &RegionInventory) -> Option<String> {
    let endpoints: Vec<&str> = ri
        .firewalls
        .iter()
        .flat_map(|f| f.endpoints.iter().filter_map(|e| e.endpoint_id.as_deref()))
        .collect();
    let world: Ipv4Net = "0.0.0.0/0".parse().expect("valid CIDR");
    let subnets: Vec<&str> = ri
        .route_tables
        .iter()
        .filter(|t| {
            t.routes.iter().any(|r| {
                r.destination == RouteDestination::Ipv4(world)
                    && matches!(&r.target, RouteTarget::VpcEndpoint(id) if endpoints.contains(&id.as_str()))
            })
        })
        .flat_map(|t| t.associations.iter())
        .filter_map(|a| match &a.target {
            AssociationTarget::Subnet(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    ri.network_interfaces
        .iter()
        .find(|e| e.instance_id.is_some() && subnets.contains(&e.subnet_id.as_str()))
        .map(|e| e.id.clone())
}
