//! `firewall-policy-passes-by-default`: a firewall policy that lets outbound traffic
//! no rule singles out through (the engine's `filters_egress`), or that sends
//! unmatched UDP fragments past the stateful engine. High when a firewall uses the
//! policy, low when none does.

use crate::finding::Severity;
use crate::inventory::FirewallPolicy;
use crate::reach::firewall::filters_egress;
use crate::reach::Verdict;

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_resource, policy_resource, users};
use super::Check;

pub struct FirewallPolicyPassesByDefault;

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

    /// Every firewall policy: it passes when it drops unmatched traffic (the step
    /// that decides it) and does not pass unmatched fragments.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
            for p in &ri.firewall_policies {
                let e = filters_egress(p, &lookup);
                // Only read when it is blocked (the last step drops): otherwise a
                // finding names the policy.
                let drop = e.steps.last().map_or(String::new(), |s| {
                    if s.component == format!("firewall policy {}", p.name) {
                        s.decision.clone()
                    } else {
                        format!("{}: {}", s.component, s.decision)
                    }
                });
                let fragments = match p.stateless_fragment_default_actions.as_slice() {
                    [] => "none".to_string(),
                    actions => actions.join(", "),
                };
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    policy_resource(p),
                    format!("{drop}; stateless fragment default {fragments}"),
                ));
            }
        }
        Some(out)
    }
}
