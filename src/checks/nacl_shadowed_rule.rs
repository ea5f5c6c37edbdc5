//! `nacl-shadowed-rule`: NACL entries that can never take effect because lower-numbered
//! entries of the same direction decide every packet they match (the engine's
//! `shadowed_entries`). A shadowed deny that an earlier allow overrides is medium: the
//! deny someone wrote is not enforced. Anything else shadowed is low (dead config).
//! Also holds the small NACL-entry helpers the other NACL checks share.

use crate::finding::Severity;
use crate::inventory::{
    Direction, L4Match, NaclAction, NaclEntry, NetworkAcl, Operation, PortRange,
};
use crate::reach::nacl::{allowed_flows, entries, entry_flows, shadowed_entries};
use crate::reach::path::DEFAULT_EPHEMERAL;
use crate::reach::sets::{FlowSet, IpSet, ServiceSet};
use crate::reach::RegionModel;

use super::context::{Context, Draft};
use super::resources;
use super::Check;

pub struct NaclShadowedRule;

impl Check for NaclShadowedRule {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(
                account,
                ri,
                &[Operation::DescribeNetworkAcls],
                "network ACLs",
            ) {
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

/// `rule 100: allow tcp 22 from 0.0.0.0/0`.
pub(super) fn describe_entry(e: &NaclEntry) -> String {
    let number = if e.rule_number >= 32767 {
        "*".to_string()
    } else {
        e.rule_number.to_string()
    };
    let action = match e.action {
        NaclAction::Allow => "allow",
        NaclAction::Deny => "deny",
    };
    let peer = match e.direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!(
        "rule {number}: {action} {} {peer} {}",
        ServiceSet::from_rule(e.protocol, e.l4),
        e.cidr
    )
}

/// A port range starting above the well-known ports and reaching the top of the
/// Linux ephemeral range (1024-65535, 32768-65535, 49152-65535, 32768-60999), or of
/// the configured client range `ephemeral` (`[network] ephemeral_ports`) when that
/// ends lower, is there for replies, not for a service.
pub(super) fn is_reply_rule(e: &NaclEntry, ephemeral: PortRange) -> bool {
    match e.l4 {
        L4Match::Ports(r) if e.protocol.has_ports() => {
            r.from >= 1024 && r.to >= DEFAULT_EPHEMERAL.to.min(ephemeral.to)
        }
        _ => false,
    }
}

/// `tcp 22 from 0.0.0.0/0; udp 53 from 10.0.0.0/8`, addresses shortened.
pub(super) fn flows_text(flows: &FlowSet, direction: Direction) -> String {
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

/// At most four CIDRs, then how many more: the rest of a carved-up internet is long.
pub(super) fn addrs_text(addrs: &IpSet) -> String {
    const SHOWN: usize = 4;
    let cidrs = addrs.to_cidrs();
    let mut text: Vec<String> = cidrs.iter().take(SHOWN).map(|c| c.to_string()).collect();
    if cidrs.len() > SHOWN {
        text.push(format!("and {} more", cidrs.len() - SHOWN));
    }
    if text.is_empty() {
        return "none".to_string();
    }
    text.join(", ")
}

pub(super) fn direction_text(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "inbound",
        Direction::Egress => "outbound",
    }
}

/// The subnets whose traffic crosses `acl`: explicitly associated or, for a VPC's
/// default NACL, every subnet without an association (as the model resolves them).
/// Ordered by Name tag, then id, so two collections of one account read alike.
pub(super) fn governed_subnets<'a>(
    rm: &RegionModel<'_>,
    subnets: &'a [crate::inventory::Subnet],
    acl: &NetworkAcl,
) -> Vec<&'a str> {
    let mut found: Vec<&crate::inventory::Subnet> = subnets
        .iter()
        .filter(|s| rm.subnet(&s.id).and_then(|i| i.network_acl_id) == Some(acl.id.as_str()))
        .collect();
    found.sort_by_key(|s| (s.tags.get("Name"), &s.id));
    found.into_iter().map(|s| s.id.as_str()).collect()
}
