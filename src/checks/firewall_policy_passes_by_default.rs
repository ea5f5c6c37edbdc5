//! `firewall-policy-passes-by-default`: a firewall policy that lets outbound traffic
//! no rule singles out through (the engine's `filters_egress`), or that sends
//! unmatched UDP fragments past the stateful engine. High when a firewall uses the
//! policy, low when none does.

use crate::finding::{Resource, Severity};
use crate::inventory::{Firewall, FirewallPolicy, Inventory, Operation, RegionInventory};
use crate::reach::firewall::filters_egress;
use crate::reach::Verdict;

use super::context::{Context, Draft};
use super::resources;
use super::Check;

pub struct FirewallPolicyPassesByDefault;

/// The firewalls that use `policy`.
pub(super) fn users<'a>(ri: &'a RegionInventory, policy: &FirewallPolicy) -> Vec<&'a Firewall> {
    ri.firewalls
        .iter()
        .filter(|f| f.policy_arn == policy.arn)
        .collect()
}

pub(super) fn firewall_resource(fw: &Firewall) -> Resource {
    resources::network_firewall("Firewall", &fw.name, &fw.arn)
}

/// The failures of `operation` in the region, each with the ARN of the firewall it
/// is about (the gap's resource) and the reason; a failure naming no firewall
/// (`None`) is about every firewall.
pub(super) fn firewall_gaps<'i>(
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
pub(super) fn firewall_gap(
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

pub(super) fn policy_resource(p: &FirewallPolicy) -> Resource {
    resources::network_firewall("FirewallPolicy", &p.name, &p.arn)
}

/// Whether unmatched fragments skip the stateful engine.
fn fragments_pass(p: &FirewallPolicy) -> bool {
    p.stateless_fragment_default_actions
        .iter()
        .any(|a| a == "aws:pass")
}

const FRAGMENTS: &str =
    "stateless fragment default aws:pass: UDP fragments no stateless rule matches skip the stateful engine";

impl Check for FirewallPolicyPassesByDefault {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
            for p in &ri.firewall_policies {
                let fws = users(ri, p);
                let related = fws.iter().map(|f| firewall_resource(f));
                // An unused policy lets nothing through today.
                let unused = |s: Severity| if fws.is_empty() { Severity::Low } else { s };
                let used_by = if fws.is_empty() {
                    "no firewall uses it".to_string()
                } else {
                    let names: Vec<&str> = fws.iter().map(|f| f.name.as_str()).collect();
                    format!("used by {}", names.join(", "))
                };
                let e = filters_egress(p, &lookup);
                let d = match &e.verdict {
                    Verdict::Allowed => {
                        let why = e.steps.last().map_or("", |s| s.decision.as_str());
                        let mut d = Draft::fail(
                            account,
                            &ri.region,
                            policy_resource(p),
                            format!(
                                "{} does not drop unmatched traffic ({why}); {used_by}",
                                p.name
                            ),
                        )
                        .severity(unused(Severity::High))
                        .identity("unmatched");
                        for s in &e.steps {
                            d = d.evidence(&s.component, &s.decision);
                        }
                        if fragments_pass(p) {
                            d = d.evidence(format!("firewall policy {}", p.name), FRAGMENTS);
                        }
                        d
                    }
                    Verdict::Unknown { reason } => {
                        let mut d = Draft::unknown(
                            account,
                            &ri.region,
                            policy_resource(p),
                            format!(
                                "whether {} drops unmatched traffic could not be decided: {reason}",
                                p.name
                            ),
                        )
                        .severity(unused(Severity::High))
                        .identity("unmatched");
                        for s in &e.steps {
                            d = d.evidence(&s.component, &s.decision);
                        }
                        d
                    }
                    Verdict::Blocked if fragments_pass(p) => Draft::fail(
                        account,
                        &ri.region,
                        policy_resource(p),
                        format!(
                            "{} drops unmatched traffic but passes unmatched UDP fragments uninspected; {used_by}",
                            p.name
                        ),
                    )
                    .severity(unused(Severity::Medium))
                    .identity("fragments")
                    .evidence(format!("firewall policy {}", p.name), FRAGMENTS),
                    Verdict::Blocked => continue,
                };
                out.push(d.related(related));
            }
        }
        out
    }
}
