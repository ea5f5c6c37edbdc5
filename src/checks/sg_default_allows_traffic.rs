//! `sg-default-allows-traffic`: a VPC's default security group with any rule (CIS:
//! the default group should restrict all traffic, so nothing lands in it by
//! accident and gets its self-referencing access).

use crate::reach::security_group::describe_rule;

use super::context::{Context, Draft};
use super::resources;
use super::Check;

pub struct SgDefaultAllowsTraffic;

impl Check for SgDefaultAllowsTraffic {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(
                account,
                ri,
                &crate::reach::model::SECURITY_GROUP_OPS,
                "default security groups",
            ) {
                out.extend(unknown);
                continue;
            }
            for g in ri.security_groups.iter().filter(|g| g.name == "default") {
                if g.rules.is_empty() {
                    continue;
                }
                let users: Vec<_> = ri
                    .network_interfaces
                    .iter()
                    .filter(|e| e.security_group_ids.contains(&g.id))
                    .map(|e| resources::network_interface(account, &ri.region, &e.id, None))
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
}
