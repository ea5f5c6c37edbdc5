//! `sg-unused-open`: a security group no ENI carries whose ingress is open to the whole
//! IPv4 or IPv6 internet (by set coverage: two /1 halves or a prefix list holding
//! 0.0.0.0/0 count). Nothing is exposed today, so low; attaching it to anything makes
//! that exposure real at once.

use crate::inventory::{
    Direction, Operation, RegionInventory, RulePeer, SecurityGroup, SecurityGroupRule,
};
use crate::reach::security_group::{describe_rule, group_allowed_flows};
use crate::reach::sets::{world_open_services, FlowSet};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::scope;
use super::Check;

pub struct SgUnusedOpen;

const WHAT: &str = "security groups";

impl Check for SgUnusedOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let used = ctx.groups_in_use();
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) =
                ctx.unknown_if_missing(account, ri, &crate::reach::model::SECURITY_GROUP_OPS, WHAT)
            {
                out.extend(unknown);
                continue;
            }
            let eni_gap = eni_gap(ctx, account, ri);
            for g in ri
                .security_groups
                .iter()
                .filter(|g| !used.contains(g.id.as_str()))
            {
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                let flows = match group_allowed_flows(
                    ctx.model,
                    account,
                    &ri.region,
                    &g.id,
                    Direction::Ingress,
                ) {
                    Ok(f) => f,
                    Err(reason) => {
                        out.push(Draft::unknown(
                            account,
                            &ri.region,
                            resource,
                            format!(
                                "ingress of unused group {} could not be evaluated: {reason}",
                                g.id
                            ),
                        ));
                        continue;
                    }
                };
                let open = world_open(&flows);
                if open.is_empty() {
                    continue;
                }
                let what = open.join(" and ");
                let mut d = match &eni_gap {
                    // Without the ENI list "unused" is a guess: report it as such.
                    Some(reason) => Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} ({}) is open to {what}, and whether any ENI uses it is unknown: {reason}",
                            g.id, g.name
                        ),
                    ),
                    None => Draft::fail(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} ({}) is attached to no ENI but open to {what}: attaching it exposes that at once",
                            g.id, g.name
                        ),
                    ),
                };
                for r in open_rules(g) {
                    d = d.evidence(format!("{} ingress", g.id), r);
                }
                out.push(d);
            }
        }
        out
    }

    /// Every group no ENI carries; the groups in use are the exposure checks'.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let used = ctx.groups_in_use();
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = scope::unknown_if_missing(
                ctx,
                account,
                ri,
                &crate::reach::model::SECURITY_GROUP_OPS,
                WHAT,
            ) {
                out.extend(unknown);
                continue;
            }
            // Without the ENI list, "unused" is not verified: the reason says only
            // what was.
            let pass = match eni_gap(ctx, account, ri) {
                Some(_) => "its ingress opens nothing to the whole IPv4 or IPv6 internet",
                None => {
                    "attached to no ENI, and its ingress opens nothing to the whole IPv4 or IPv6 internet"
                }
            };
            for g in &ri.security_groups {
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                out.push(if used.contains(g.id.as_str()) {
                    Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "in use: an ENI carries it, so what it opens is judged as exposure",
                    )
                } else {
                    Scoped::pass(account, &ri.region, resource, pass)
                });
            }
        }
        Some(out)
    }
}

/// Why the region's ENIs could not be listed, if they could not.
fn eni_gap(ctx: &Context, account: &str, ri: &RegionInventory) -> Option<String> {
    ctx.model
        .region(account, &ri.region)
        .and_then(|rm| rm.gap(&[Operation::DescribeNetworkInterfaces]))
}

/// `tcp 22 from the whole IPv4 internet`, per family whose whole internet some
/// service is open to.
fn world_open(flows: &FlowSet) -> Vec<String> {
    let (v4, v6) = world_open_services(flows);
    [(v4, "IPv4"), (v6, "IPv6")]
        .into_iter()
        .filter(|(s, _)| !s.is_empty())
        .map(|(s, family)| format!("{s} from the whole {family} internet"))
        .collect()
}

/// The ingress rules naming addresses (CIDRs, prefix lists), which are what opens it,
/// ordered by what they say (rule ids are random).
fn open_rules(g: &SecurityGroup) -> Vec<String> {
    let mut rules: Vec<&SecurityGroupRule> = g
        .rules
        .iter()
        .filter(|r| r.direction == Direction::Ingress && !matches!(r.peer, RulePeer::Group { .. }))
        .collect();
    rules.sort_by_key(|r| (r.protocol, r.l4, format!("{:?}", r.peer)));
    rules.into_iter().map(describe_rule).collect()
}
