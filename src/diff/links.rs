//! What a Network Firewall change reaches beyond its own resource: a policy acts
//! through the firewalls that use it, a rule group through the policies that list it.
//! Findings about traffic name the firewall or its endpoints, not the policy, so
//! these become the change's `refs`.

use super::resources::Found;
use crate::answer::diff::ChangeKind;
use crate::inventory::{Firewall, FirewallPolicy, Inventory};

pub fn firewalls(found: &mut [Found], old: &Inventory, new: &Inventory) {
    let sides = [old, new];
    for f in found.iter_mut() {
        let policies: Vec<String> = match f.change.kind {
            ChangeKind::FirewallPolicy | ChangeKind::FirewallPolicyRuleGroup => {
                vec![f.change.resource.clone()]
            }
            ChangeKind::FirewallRuleGroup | ChangeKind::FirewallRule => sides
                .iter()
                .flat_map(|inv| inv.regions())
                .flat_map(|(_, r)| &r.firewall_policies)
                .filter(|p| lists(p, &f.change.resource))
                .map(|p| p.arn.clone())
                .collect(),
            _ => continue,
        };
        for inv in sides {
            for (_, r) in inv.regions() {
                for p in r
                    .firewall_policies
                    .iter()
                    .filter(|p| policies.contains(&p.arn))
                {
                    push(&mut f.refs, &p.arn);
                    push(&mut f.refs, &p.name);
                }
                for fw in r
                    .firewalls
                    .iter()
                    .filter(|w| policies.contains(&w.policy_arn))
                {
                    for id in ids(fw) {
                        push(&mut f.refs, id);
                    }
                }
            }
        }
    }
}

/// Whether the policy lists the rule group.
fn lists(p: &FirewallPolicy, group: &str) -> bool {
    p.stateless_rule_groups
        .iter()
        .chain(&p.stateful_rule_groups)
        .any(|g| g.arn == group)
}

/// A firewall's own ids and its endpoints' (which routes, and findings, name).
fn ids(fw: &Firewall) -> impl Iterator<Item = &str> {
    [fw.arn.as_str(), fw.name.as_str()]
        .into_iter()
        .chain(fw.id.as_deref())
        .chain(fw.endpoints.iter().filter_map(|e| e.endpoint_id.as_deref()))
}

fn push(refs: &mut Vec<String>, id: &str) {
    if !refs.iter().any(|r| r == id) {
        refs.push(id.to_string());
    }
}
