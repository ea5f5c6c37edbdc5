//! `dns-firewall-fail-open`: a VPC with DNS Firewall associations whose firewall
//! configuration answers queries unfiltered when DNS Firewall cannot evaluate them.

use crate::inventory::{Operation, Vpc};
use crate::reach::dns::{association_applies, uses_vpc_resolver};

use super::context::{Context, Draft, Scoped};
use super::shared::dns;
use super::{resources, Check};

pub struct DnsFirewallFailOpen;

const OPS: &[Operation] = &[
    Operation::ListFirewallRuleGroupAssociations,
    Operation::ListFirewallConfigs,
];

impl Check for DnsFirewallFailOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let judged: Vec<&Vpc> = ri.vpcs.iter().filter(|v| uses_vpc_resolver(v)).collect();
            let resolver = match dns::resolver_or_unknown(
                ctx,
                account,
                ri,
                &judged,
                OPS,
                "the DNS Firewall fail-open setting",
            ) {
                Ok(r) => r,
                Err(drafts) => {
                    out.extend(drafts);
                    continue;
                }
            };
            for vpc in judged {
                let associations: Vec<_> = resolver
                    .firewall_rule_group_associations
                    .iter()
                    .filter(|a| a.vpc_id == vpc.id)
                    .collect();
                if associations.is_empty() {
                    continue;
                }
                let Some(config) = resolver.firewall_configs.iter().find(|c| {
                    c.resource_id == vpc.id && c.firewall_fail_open.eq_ignore_ascii_case("ENABLED")
                }) else {
                    continue;
                };
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    format!(
                        "{}'s DNS Firewall fails open: queries it cannot evaluate are resolved unfiltered",
                        vpc.id
                    ),
                )
                .evidence(
                    format!(
                        "firewall config {}",
                        config.id.as_deref().unwrap_or(config.resource_id.as_str())
                    ),
                    "FirewallFailOpen is ENABLED",
                );
                for a in associations {
                    let applies = if association_applies(a) {
                        "applies".to_string()
                    } else {
                        format!(
                            "is {}: it does not apply until COMPLETE",
                            a.status.as_deref().unwrap_or("?")
                        )
                    };
                    d = d.evidence(
                        format!("association {}", a.id),
                        format!(
                            "rule group {} (priority {}) {applies}",
                            a.firewall_rule_group_id, a.priority
                        ),
                    );
                }
                out.push(d);
            }
        }
        out
    }

    /// Every VPC; those without DNS Firewall, or that turned the VPC resolver off,
    /// do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let (judged, off): (Vec<&Vpc>, Vec<&Vpc>) =
                ri.vpcs.iter().partition(|v| uses_vpc_resolver(v));
            out.extend(
                off.into_iter()
                    .map(|v| dns::vpc_not_judged(account, ri, v, dns::NO_DNS_SUPPORT)),
            );
            let resolver = match dns::resolver_or_scope(ctx, account, ri, &judged, OPS) {
                Ok(r) => r,
                Err(scoped) => {
                    out.extend(scoped);
                    continue;
                }
            };
            for vpc in judged {
                let resource = resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags));
                let associated = resolver
                    .firewall_rule_group_associations
                    .iter()
                    .any(|a| a.vpc_id == vpc.id);
                if !associated {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "no DNS Firewall rule group is associated with it",
                    ));
                    continue;
                }
                let reason = match resolver
                    .firewall_configs
                    .iter()
                    .find(|c| c.resource_id == vpc.id)
                {
                    Some(c) => format!(
                        "firewall config {}: FirewallFailOpen is {}",
                        c.id.as_deref().unwrap_or(c.resource_id.as_str()),
                        c.firewall_fail_open
                    ),
                    None => "no firewall config: DNS Firewall fails closed by default".to_string(),
                };
                out.push(Scoped::pass(account, &ri.region, resource, reason));
            }
        }
        Some(out)
    }
}
