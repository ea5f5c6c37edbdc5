//! `sg-default-allows-traffic`: a VPC's default security group with any rule (CIS:
//! the default group should restrict all traffic, so nothing lands in it by
//! accident and gets its self-referencing access).

use std::collections::HashMap;

use crate::reach::security_group::describe_rule;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::scope;
use super::Check;

pub struct SgDefaultAllowsTraffic;

const WHAT: &str = "default security groups";

impl Check for SgDefaultAllowsTraffic {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) =
                ctx.unknown_if_missing(account, ri, &crate::reach::model::SECURITY_GROUP_OPS, WHAT)
            {
                out.extend(unknown);
                continue;
            }
            // Default group -> the ENIs carrying it, in inventory order, in one pass.
            let mut carried: HashMap<&str, Vec<&str>> = ri
                .security_groups
                .iter()
                .filter(|g| g.name == "default" && !g.rules.is_empty())
                .map(|g| (g.id.as_str(), Vec::new()))
                .collect();
            for e in &ri.network_interfaces {
                let mut groups: Vec<&str> =
                    e.security_group_ids.iter().map(String::as_str).collect();
                groups.sort_unstable();
                groups.dedup();
                for g in groups {
                    if let Some(users) = carried.get_mut(g) {
                        users.push(&e.id);
                    }
                }
            }
            for g in ri.security_groups.iter().filter(|g| g.name == "default") {
                let Some(enis) = carried.get(g.id.as_str()) else {
                    continue;
                };
                let users: Vec<_> = enis
                    .iter()
                    .map(|e| resources::network_interface(account, &ri.region, e, None))
                    .collect();
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::security_group(account, &ri.region, &g.id, Some(&g.tags)),
                    format!(
                        "the default group {} of {} has {} rule(s); {} ENI(s) use it",
                        g.id,
                        g.vpc_id.as_deref().unwrap_or("its VPC"),
                        g.rules.len(),
                        users.len()
                    ),
                )
                .related(users);
                for r in &g.rules {
                    d = d.evidence(&g.id, describe_rule(r));
                }
                out.push(d);
            }
        }
        out
    }

    /// Every VPC's default group; other groups are not its question.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
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
            for g in ri.security_groups.iter().filter(|g| g.name == "default") {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::security_group(account, &ri.region, &g.id, Some(&g.tags)),
                    format!(
                        "the default group of {} has no inbound or outbound rule",
                        g.vpc_id.as_deref().unwrap_or("its VPC")
                    ),
                ));
            }
        }
        Some(out)
    }
}
