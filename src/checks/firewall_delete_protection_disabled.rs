//! `firewall-delete-protection-disabled`: a Network Firewall that one
//! `DeleteFirewall` call removes, because delete protection is off. The finding also
//! says whether subnet-change and policy-change protection are on: they guard the
//! same firewall against the other two changes that silently take inspection away
//! (moving it out of a subnet, swapping its policy). Unknown for a firewall that was
//! listed but could not be described, and per VPC when the firewalls could not be
//! listed or a describe failure names no firewall.

use std::collections::BTreeSet;

use crate::finding::Resource;
use crate::inventory::{Firewall, Operation, RegionInventory};

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_gaps, firewall_resource};
use super::{resources, Check};

pub struct FirewallDeleteProtectionDisabled;

/// What the region-wide unknowns say could not be judged.
const WHAT: &str = "Network Firewall delete protection";

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// A firewall known only by its ARN (`arn:...:firewall/NAME`).
fn resource_from_arn(arn: &str) -> Resource {
    let name = arn.rsplit_once("firewall/").map_or(arn, |(_, n)| n);
    resources::network_firewall("Firewall", name, arn)
}

fn draft(account: &str, region: &str, fw: &Firewall) -> Draft {
    let others: Vec<&str> = [
        (!fw.subnet_change_protection).then_some("subnet-change"),
        (!fw.policy_change_protection).then_some("policy-change"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let also = if others.is_empty() {
        String::new()
    } else {
        format!(
            "; {} protection {} off too",
            others.join(" and "),
            if others.len() == 1 { "is" } else { "are" }
        )
    };
    let component = format!("firewall {}", fw.name);
    Draft::fail(
        account,
        region,
        firewall_resource(fw),
        format!(
            "{} has no delete protection: one DeleteFirewall call removes it{also}",
            fw.name
        ),
    )
    .evidence(&component, "delete protection: off")
    .evidence(
        &component,
        format!(
            "subnet change protection: {}",
            on_off(fw.subnet_change_protection)
        ),
    )
    .evidence(
        &component,
        format!(
            "policy change protection: {}",
            on_off(fw.policy_change_protection)
        ),
    )
}

/// The unknowns of a region whose firewalls were listed: one per firewall that
/// could not be described and is not in the list, and one per VPC when a failure
/// names no firewall (it may hide any of them).
fn described_gaps(ctx: &Context, account: &str, ri: &RegionInventory) -> Vec<Draft> {
    let mut out = Vec::new();
    let mut region_wide = None;
    let described = firewall_gaps(
        ctx.inventory,
        account,
        &ri.region,
        Operation::DescribeFirewall,
    );
    for (about, reason) in described {
        let Some(arn) = about else {
            region_wide.get_or_insert(reason);
            continue;
        };
        if ri.firewalls.iter().any(|f| f.arn == arn) {
            continue;
        }
        out.push(Draft::unknown(
            account,
            &ri.region,
            resource_from_arn(arn),
            format!("the protection settings of {arn} could not be read: {reason}"),
        ));
    }
    if let Some(reason) = region_wide {
        out.extend(Context::unknown_per_vpc(account, ri, WHAT, &reason));
    }
    out
}

impl Check for FirewallDeleteProtectionDisabled {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            // Unlisted firewalls are unseen ones.
            if let Some(u) = ctx.unknown_if_missing(account, ri, &[Operation::ListFirewalls], WHAT)
            {
                out.extend(u);
                continue;
            }
            for fw in ri.firewalls.iter().filter(|f| !f.delete_protection) {
                out.push(draft(account, &ri.region, fw));
            }
            out.extend(described_gaps(ctx, account, ri));
        }
        out
    }

    /// Every firewall: it passes with delete protection on. The resources the run
    /// reports unknown (VPCs, firewalls known only by ARN) are in the scope too.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        // Each unknown is a finding, whose message is its reason; a firewall two
        // failures name is listed once.
        let mut unknown = |out: &mut Vec<Scoped>, drafts: Vec<Draft>| {
            for d in drafts {
                let key = (
                    d.account.clone(),
                    d.region.clone(),
                    d.resource.resource_type.clone(),
                );
                if seen.insert((key, d.resource.id.clone())) {
                    out.push(Scoped::pass(&d.account, &d.region, d.resource, d.message));
                }
            }
        };
        for (account, ri) in ctx.regions() {
            if let Some(u) = ctx.unknown_if_missing(account, ri, &[Operation::ListFirewalls], WHAT)
            {
                unknown(&mut out, u);
                continue;
            }
            for fw in &ri.firewalls {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    firewall_resource(fw),
                    "delete protection on",
                ));
            }
            unknown(&mut out, described_gaps(ctx, account, ri));
        }
        Some(out)
    }
}
