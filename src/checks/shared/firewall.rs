//! Network Firewall: firewalls and policies as finding resources, which firewalls
//! use a policy, the collector's per-firewall failures, and the subnets holding
//! workloads a firewall should inspect.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::Resource;
use crate::inventory::{
    Firewall, FirewallPolicy, Inventory, NetworkInterface, Operation, RegionInventory,
};

use crate::checks::context::Context;
use crate::checks::resources;

/// The firewalls that use `policy`.
pub fn users<'a>(ri: &'a RegionInventory, policy: &FirewallPolicy) -> Vec<&'a Firewall> {
    ri.firewalls
        .iter()
        .filter(|f| f.policy_arn == policy.arn)
        .collect()
}

pub fn firewall_resource(fw: &Firewall) -> Resource {
    resources::network_firewall("Firewall", &fw.name, &fw.arn)
}

/// The failures of `operation` in the region, each with the ARN of the firewall it
/// is about (the gap's resource) and the reason; a failure naming no firewall
/// (`None`) is about every firewall.
pub fn firewall_gaps<'i>(
    inv: &'i Inventory,
    account: &'i str,
    region: &'i str,
    operation: Operation,
) -> impl Iterator<Item = (Option<&'i str>, String)> + 'i {
    inv.gaps_for(account, region)
        .filter(move |g| g.operation == operation)
        .map(|g| (g.resource.as_deref(), crate::reach::model::describe_gap(g)))
}

/// The failure of `operation` for the firewall `arn`: one naming it, or one naming
/// no firewall at all.
pub fn firewall_gap(
    inv: &Inventory,
    account: &str,
    region: &str,
    operation: Operation,
    arn: &str,
) -> Option<String> {
    firewall_gaps(inv, account, region, operation)
        .find(|(about, _)| about.is_none_or(|a| a == arn))
        .map(|(_, reason)| reason)
}

pub fn policy_resource(p: &FirewallPolicy) -> Resource {
    resources::network_firewall("FirewallPolicy", &p.name, &p.arn)
}

/// Subnets a firewall sits in (its mappings and endpoints).
fn firewall_subnets(ri: &RegionInventory) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for fw in &ri.firewalls {
        out.extend(fw.subnet_mappings.iter().map(|m| m.subnet_id.as_str()));
        out.extend(fw.endpoints.iter().filter_map(|e| e.subnet_id.as_deref()));
    }
    out
}

/// One workload ENI per subnet (the first by id), outside the firewalls' subnets.
pub fn workload_subnets<'a>(
    ctx: &Context,
    ri: &'a RegionInventory,
) -> BTreeMap<&'a str, &'a NetworkInterface> {
    let skip = firewall_subnets(ri);
    let mut out: BTreeMap<&str, &NetworkInterface> = BTreeMap::new();
    for eni in &ri.network_interfaces {
        if skip.contains(eni.subnet_id.as_str()) || ctx.is_infrastructure(eni) {
            continue;
        }
        out.entry(eni.subnet_id.as_str())
            .and_modify(|e| {
                if eni.id < e.id {
                    *e = eni;
                }
            })
            .or_insert(eni);
    }
    out
}
