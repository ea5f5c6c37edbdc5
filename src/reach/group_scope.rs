//! Where a security-group reference reaches: which VPCs' groups a rule may name and
//! still match.
//!
//! A rule naming a group matches that group's members only when the two VPCs are
//! the same, joined by an *active* same-region peering connection, or attached to one
//! transit gateway with security-group referencing enabled on the gateway and on both
//! VPC attachments. Over a transit gateway only inbound rules work: AWS does not
//! support outbound rules referencing groups across it. A reference that fits none of
//! these (the peering was deleted, referencing was turned off) is stale and matches
//! nothing.

use std::collections::{HashMap, HashSet};

use crate::inventory::{Direction, Inventory, Operation};

/// The operations whose failure leaves the scope of group references unknown.
pub const SCOPE_OPS: [Operation; 4] = [
    Operation::DescribeVpcPeeringConnections,
    Operation::DescribeTransitGateways,
    Operation::DescribeTransitGatewayAttachments,
    Operation::DescribeTransitGatewayVpcAttachments,
];

/// Whether a rule in one VPC can match the members of a group in another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Reaches,
    /// Stale: matches nothing, with why.
    Stale(String),
    Unknown(String),
}

/// The VPC pairs group references may cross, built once per inventory.
#[derive(Debug, Default)]
pub struct GroupScope {
    /// Unordered VPC pairs with an active same-region peering, keyed smaller id first.
    peered: HashSet<(String, String)>,
    /// VPC → transit gateways it is attached to with referencing enabled on the
    /// attachment.
    tgw_referencing: HashMap<String, HashSet<String>>,
    /// Transit gateways by id → whether the gateway enables referencing.
    tgw_enabled: HashMap<String, bool>,
    /// Some peering or TGW data could not be collected: a reference that would need
    /// it is unknown, not stale.
    missing: Vec<String>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl GroupScope {
    pub fn build(inv: &Inventory) -> GroupScope {
        let mut scope = GroupScope::default();
        for (_, ri) in inv.regions() {
            for p in &ri.vpc_peering_connections {
                let (Some(a), Some(b)) = (&p.requester.vpc_id, &p.accepter.vpc_id) else {
                    continue;
                };
                let same_region = match (&p.requester.region, &p.accepter.region) {
                    (Some(x), Some(y)) => x == y,
                    // Without regions, the region that lists it is the best evidence.
                    _ => true,
                };
                if p.status.as_deref() == Some("active") && same_region {
                    scope.peered.insert(pair(a, b));
                }
            }
            for t in &ri.transit_gateways {
                let enabled = scope.tgw_enabled.entry(t.id.clone()).or_insert(false);
                *enabled |= t.security_group_referencing_support;
            }
            for a in &ri.transit_gateway_attachments {
                let usable = a.resource_type == "vpc"
                    && a.security_group_referencing_support
                    && a.state.as_deref().is_none_or(|s| s == "available");
                if let (true, Some(vpc)) = (usable, &a.resource_id) {
                    scope
                        .tgw_referencing
                        .entry(vpc.clone())
                        .or_default()
                        .insert(a.transit_gateway_id.clone());
                }
            }
        }
        for gap in &inv.coverage {
            if SCOPE_OPS.contains(&gap.operation) {
                scope.missing.push(super::model::describe_gap(gap));
            }
        }
        scope
    }

    /// Whether a rule of a group in `rule_vpc`, in `direction`, matches members of a
    /// group in `group_vpc`.
    pub fn reaches(&self, rule_vpc: &str, group_vpc: &str, direction: Direction) -> Scope {
        if rule_vpc == group_vpc || self.peered.contains(&pair(rule_vpc, group_vpc)) {
            return Scope::Reaches;
        }
        let mut shared: Vec<&String> = match (
            self.tgw_referencing.get(rule_vpc),
            self.tgw_referencing.get(group_vpc),
        ) {
            (Some(a), Some(b)) => a.intersection(b).collect(),
            _ => Vec::new(),
        };
        // Decided on the whole set, in a fixed order, so the answer never depends on
        // hashing order when several gateways join the two VPCs.
        shared.sort();
        let enabled = shared
            .iter()
            .find(|t| self.tgw_enabled.get(t.as_str()) == Some(&true));
        let uncollected = shared
            .iter()
            .find(|t| !self.tgw_enabled.contains_key(t.as_str()));
        match (enabled, uncollected) {
            (Some(_), _) if direction == Direction::Ingress => return Scope::Reaches,
            (_, Some(tgw)) => {
                return Scope::Unknown(format!(
                    "transit gateway {tgw} joining {rule_vpc} and {group_vpc} was not collected"
                ))
            }
            (Some(tgw), None) => {
                return Scope::Stale(format!(
                    "outbound rules cannot reference groups across transit gateway {tgw}"
                ))
            }
            (None, None) => {}
        }
        if let Some(reason) = self.missing.first() {
            return Scope::Unknown(reason.clone());
        }
        Scope::Stale(format!(
            "{rule_vpc} and {group_vpc} are neither peered (active, same region) nor joined by a transit gateway with group referencing"
        ))
    }
}
