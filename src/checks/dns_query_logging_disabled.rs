//! `dns-query-logging-disabled`: a VPC with workloads and no active Route 53
//! Resolver query log configuration association.

use crate::finding::Status;
use crate::inventory::{Operation, ResolverQueryLogConfigAssociation, Route53Resolver};

use super::context::{Context, Draft, Scoped};
use super::shared::dns;
use super::{resources, Check};

pub struct DnsQueryLoggingDisabled;

const OPS: &[Operation] = &[Operation::ListResolverQueryLogConfigAssociations];

impl Check for DnsQueryLoggingDisabled {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let (_, judged) = dns::judged_vpcs(ctx, ri);
            let resolver =
                match dns::resolver_or_unknown(ctx, account, ri, &judged, OPS, "DNS query logging")
                {
                    Ok(r) => r,
                    Err(drafts) => {
                        out.extend(drafts);
                        continue;
                    }
                };
            for vpc in judged {
                if logging(resolver, &vpc.id).is_some() {
                    continue;
                }
                let inactive: Vec<String> = resolver
                    .query_log_config_associations
                    .iter()
                    .filter(|a| a.resource_id == vpc.id)
                    .map(|a| {
                        format!(
                            "{} ({}): {}",
                            a.id,
                            a.resolver_query_log_config_id,
                            a.status.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
                let detail = if inactive.is_empty() {
                    "no query log configuration is associated".to_string()
                } else {
                    format!("associations not active: {}", inactive.join(", "))
                };
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    format!(
                        "{} runs workloads but logs no DNS queries to the VPC resolver",
                        vpc.id
                    ),
                )
                .evidence(vpc.id.clone(), detail);
                if let Some(reason) = dns::dns_support_unknown(ctx, account, ri, vpc) {
                    d.status = Status::Unknown;
                    d.message = format!("{}; but {reason}", d.message);
                }
                out.push(d);
            }
        }
        out
    }

    /// Every VPC; those that turned the VPC resolver off or run no workload do not
    /// apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let (workloads, judged) = dns::judged_vpcs(ctx, ri);
            out.extend(dns::vpcs_not_judged(account, ri, &workloads));
            let resolver = match dns::resolver_or_scope(ctx, account, ri, &judged, OPS) {
                Ok(r) => r,
                Err(scoped) => {
                    out.extend(scoped);
                    continue;
                }
            };
            for vpc in judged {
                let reason = match logging(resolver, &vpc.id) {
                    Some(a) => format!(
                        "query log config {} is associated ({})",
                        a.resolver_query_log_config_id, a.id
                    ),
                    // A finding names it: the reason is never shown.
                    None => "no query log configuration is associated".to_string(),
                };
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    reason,
                ));
            }
        }
        Some(out)
    }
}

/// The ACTIVE association (no status: taken as active) of a configuration that
/// works that logs `vpc`'s queries, if any.
fn logging<'r>(
    resolver: &'r Route53Resolver,
    vpc: &str,
) -> Option<&'r ResolverQueryLogConfigAssociation> {
    resolver.query_log_config_associations.iter().find(|a| {
        a.resource_id == vpc
            && a.status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"))
            && !resolver
                .query_log_configs
                .iter()
                .find(|c| c.id == a.resolver_query_log_config_id)
                .and_then(|c| c.status.as_deref())
                .is_some_and(|s| {
                    s.eq_ignore_ascii_case("FAILED") || s.eq_ignore_ascii_case("DELETING")
                })
    })
}
