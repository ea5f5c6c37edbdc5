//! `firewall-delete-protection-disabled`: a Network Firewall that one
//! `DeleteFirewall` call removes, because delete protection is off. The finding also
//! says whether subnet-change and policy-change protection are on: they guard the
//! same firewall against the other two changes that silently take inspection away
//! (moving it out of a subnet, swapping its policy). Unknown for a firewall that was
//! listed but could not be described.

use crate::inventory::{Firewall, Inventory};
use crate::report::finding::Resource;

use super::context::{Context, Draft};
use super::firewall_policy_passes_by_default::firewall_resource;
use super::{resources, Check};

pub struct FirewallDeleteProtectionDisabled;

pub const DESCRIBE_OP: &str = "DescribeFirewall";

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The firewalls listed but not described: (ARN, why). The collector starts the
/// message with the firewall's ARN; a failure naming none is about the whole
/// region, which the coverage gaps already report.
fn undescribed<'i>(
    inv: &'i Inventory,
    account: &'i str,
    region: &'i str,
) -> impl Iterator<Item = (String, String)> + 'i {
    inv.gaps_for(account, region)
        .filter(|g| g.operation == DESCRIBE_OP)
        .filter_map(|g| {
            let (arn, _) = g.message.split_once(": ")?;
            arn.starts_with("arn:")
                .then(|| (arn.to_string(), crate::reach::model::describe_gap(g)))
        })
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

impl Check for FirewallDeleteProtectionDisabled {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for fw in ri.firewalls.iter().filter(|f| !f.delete_protection) {
                out.push(draft(account, &ri.region, fw));
            }
            for (arn, reason) in undescribed(ctx.inventory, account, &ri.region) {
                if ri.firewalls.iter().any(|f| f.arn == arn) {
                    continue;
                }
                out.push(Draft::unknown(
                    account,
                    &ri.region,
                    resource_from_arn(&arn),
                    format!("the protection settings of {arn} could not be read: {reason}"),
                ));
            }
        }
        out
    }
}
