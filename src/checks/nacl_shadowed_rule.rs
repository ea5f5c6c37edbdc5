//! `nacl-shadowed-rule`: NACL entries that can never take effect because lower-numbered
//! entries of the same direction decide every packet they match (the engine's
//! `shadowed_entries`). A shadowed deny that an earlier allow overrides is medium: the
//! deny someone wrote is not enforced. Anything else shadowed is low (dead config).

use crate::finding::Severity;
use crate::inventory::{Direction, NaclAction, NaclEntry, NetworkAcl, Operation};
use crate::reach::nacl::{allowed_flows, entries, entry_flows, shadowed_entries};
use crate::reach::sets::FlowSet;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::cidrs::addrs_text;
use super::shared::nacl::{describe_entry, direction_text, governed_subnets};
use super::shared::scope;
use super::Check;

pub struct NaclShadowedRule;

const WHAT: &str = "network ACLs";

impl Check for NaclShadowedRule {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) =
                ctx.unknown_if_missing(account, ri, &[Operation::DescribeNetworkAcls], WHAT)
            {
                out.extend(unknown);
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            for acl in &ri.network_acls {
                let in_use = !governed_subnets(rm, &ri.subnets, acl).is_empty();
                for (direction, number) in shadowed_entries(acl) {
                    let Some(e) = entries(acl, direction)
                        .into_iter()
                        .find(|e| e.rule_number == number)
                    else {
                        continue;
                    };
                    out.push(finding(account, &ri.region, acl, e, in_use));
                }
            }
        }
        out
    }

    /// Every NACL, in use or not (an unused one's dead rules are still dead).
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) =
                scope::unknown_if_missing(ctx, account, ri, &[Operation::DescribeNetworkAcls], WHAT)
            {
                out.extend(unknown);
                continue;
            }
            if ctx.model.region(account, &ri.region).is_none() {
                continue;
            }
            for acl in &ri.network_acls {
                // The `*` entries AWS adds are never shadowed (`shadowed_entries`).
                let written = acl.entries.iter().filter(|e| e.rule_number < 32767).count();
                let reason = if written == 0 {
                    "it has only the default * rules".to_string()
                } else {
                    format!(
                        "each of its {written} numbered rule(s) decides some packet no lower-numbered rule does"
                    )
                };
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::network_acl(account, &ri.region, &acl.id, Some(&acl.tags)),
                    reason,
                ));
            }
        }
        Some(out)
    }
}

fn finding(account: &str, region: &str, acl: &NetworkAcl, e: &NaclEntry, in_use: bool) -> Draft {
    let flows = entry_flows(e);
    // The packets the entry matches that the NACL lets through anyway.
    let overridden = flows.intersection(&allowed_flows(acl, e.direction));
    let defeated_deny = e.action == NaclAction::Deny && !overridden.is_empty();
    let severity = if defeated_deny && in_use {
        Severity::Medium
    } else {
        Severity::Low
    };
    let effect = if defeated_deny {
        format!(
            "the {} it is meant to deny is allowed",
            flows_text(&overridden, e.direction)
        )
    } else {
        "it changes nothing".to_string()
    };
    let mut d = Draft::fail(
        account,
        region,
        resources::network_acl(account, region, &acl.id, Some(&acl.tags)),
        format!(
            "{} {} rule {} can never take effect: lower-numbered rules decide every packet it matches, so {effect}",
            acl.id,
            direction_text(e.direction),
            e.rule_number
        ),
    )
    .severity(severity)
    .identity(direction_text(e.direction))
    .identity(e.rule_number.to_string());
    let component = format!("{} {}", acl.id, direction_text(e.direction));
    d = d.evidence(&component, format!("shadowed: {}", describe_entry(e)));
    for decider in deciders(acl, e) {
        d = d.evidence(
            &component,
            format!("decided first by {}", describe_entry(decider)),
        );
    }
    d
}

/// The lower-numbered entries that take the packets `e` matches, in rule order.
fn deciders<'a>(acl: &'a NetworkAcl, e: &NaclEntry) -> Vec<&'a NaclEntry> {
    let mut remaining = entry_flows(e);
    let mut out = Vec::new();
    for earlier in entries(acl, e.direction) {
        if earlier.rule_number >= e.rule_number || remaining.is_empty() {
            break;
        }
        let hit = entry_flows(earlier).intersection(&remaining);
        if !hit.is_empty() {
            remaining = remaining.difference(&hit);
            out.push(earlier);
        }
    }
    out
}

/// `tcp 22 from 0.0.0.0/0; udp 53 from 10.0.0.0/8`, addresses shortened.
fn flows_text(flows: &FlowSet, direction: Direction) -> String {
    let peer = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    flows
        .boxes()
        .iter()
        .map(|b| format!("{} {peer} {}", b.services, addrs_text(&b.addrs)))
        .collect::<Vec<_>>()
        .join("; ")
}
