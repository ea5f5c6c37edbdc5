//! `dns-forwarding-to-internet`: an outbound resolver rule that forwards every name
//! (`.`) or a whole top-level domain, for a VPC, to resolvers on the internet.

use std::net::IpAddr;

use crate::finding::{Resource, Severity};
use crate::inventory::{Operation, RegionInventory, ResolverRule, Route53Resolver, Vpc};
use crate::reach::dns::{breadth, uses_vpc_resolver, Breadth};
use crate::reach::sets::public_internet;

use super::context::{Context, Draft, Scoped};
use super::shared::dns;
use super::{resources, Check};

pub struct DnsForwardingToInternet;

const OPS: &[Operation] = &[
    Operation::ListResolverRules,
    Operation::ListResolverRuleAssociations,
];

impl Check for DnsForwardingToInternet {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let judged: Vec<&Vpc> = ri.vpcs.iter().filter(|v| uses_vpc_resolver(v)).collect();
            let resolver =
                match dns::resolver_or_unknown(ctx, account, ri, &judged, OPS, "DNS forwarding") {
                    Ok(r) => r,
                    Err(drafts) => {
                        out.extend(drafts);
                        continue;
                    }
                };
            for rule in &resolver.resolver_rules {
                if !rule.rule_type.eq_ignore_ascii_case("FORWARD") {
                    continue;
                }
                let (scope, severity) = match breadth(&rule.domain_name) {
                    Breadth::Everything => ("every name", Severity::High),
                    Breadth::TopLevel => ("a whole top-level domain", Severity::Medium),
                    Breadth::Narrow => continue,
                };
                let public = public_targets(ctx, rule);
                if public.is_empty() {
                    continue;
                }
                let vpcs = vpcs_using(ri, resolver, rule);
                if vpcs.is_empty() {
                    continue;
                }
                out.push(finding(
                    ctx, account, &ri.region, rule, scope, severity, &vpcs, &public,
                ));
            }
        }
        out
    }

    /// Every resolver rule of a region where some VPC uses the VPC resolver.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let judged: Vec<&Vpc> = ri.vpcs.iter().filter(|v| uses_vpc_resolver(v)).collect();
            let resolver = match dns::resolver_or_scope(ctx, account, ri, &judged, OPS) {
                Ok(r) => r,
                Err(scoped) => {
                    out.extend(scoped);
                    continue;
                }
            };
            for rule in &resolver.resolver_rules {
                let resource = dns::resolver_rule(rule);
                out.push(match Self::spared(ctx, ri, resolver, rule) {
                    Some(Err(why)) => Scoped::not_applicable(account, &ri.region, resource, why),
                    Some(Ok(why)) => Scoped::pass(account, &ri.region, resource, why),
                    // A finding names it: the reason is never shown.
                    None => Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        "forwards to resolvers on the internet",
                    ),
                });
            }
        }
        Some(out)
    }
}

impl DnsForwardingToInternet {
    /// Why `rule` is not reported: `Ok` when it is judged and passes, `Err` when
    /// the question does not apply to it; `None` when it is reported.
    fn spared(
        ctx: &Context,
        ri: &RegionInventory,
        resolver: &Route53Resolver,
        rule: &ResolverRule,
    ) -> Option<Result<String, String>> {
        if !rule.rule_type.eq_ignore_ascii_case("FORWARD") {
            return Some(Err(format!(
                "a {} rule forwards nothing",
                rule.rule_type.to_ascii_uppercase()
            )));
        }
        if breadth(&rule.domain_name) == Breadth::Narrow {
            return Some(Ok(format!(
                "forwards only {}, neither every name nor a whole top-level domain",
                rule.domain_name
            )));
        }
        if public_targets(ctx, rule).is_empty() {
            let targets: Vec<String> = rule.target_ips.iter().map(|t| t.ip.to_string()).collect();
            return Some(Ok(format!(
                "forwards {} only to private resolvers: {}",
                rule.domain_name,
                targets.join(", ")
            )));
        }
        if vpcs_using(ri, resolver, rule).is_empty() {
            return Some(Err(
                "no VPC that uses the VPC resolver is associated with it".to_string(),
            ));
        }
        None
    }
}

/// The targets of `rule` on the internet.
fn public_targets(ctx: &Context, rule: &ResolverRule) -> Vec<IpAddr> {
    rule.target_ips
        .iter()
        .map(|t| t.ip)
        .filter(|ip| on_internet(ctx, *ip))
        .collect()
}

/// The VPCs that use `rule` (and the VPC resolver).
fn vpcs_using<'r>(
    ri: &RegionInventory,
    resolver: &'r Route53Resolver,
    rule: &ResolverRule,
) -> Vec<&'r str> {
    resolver
        .resolver_rule_associations
        .iter()
        .filter(|a| a.resolver_rule_id == rule.id && in_force(a.status.as_deref()))
        .map(|a| a.vpc_id.as_str())
        .filter(|id| {
            ri.vpcs
                .iter()
                .find(|v| v.id == *id)
                .is_none_or(uses_vpc_resolver)
        })
        .collect()
}

/// Whether an association applies (or is about to): not failed or going away.
fn in_force(status: Option<&str>) -> bool {
    !status.is_some_and(|s| s.eq_ignore_ascii_case("FAILED") || s.eq_ignore_ascii_case("DELETING"))
}

/// A publicly routed address the organisation does not claim as its own.
fn on_internet(ctx: &Context, ip: IpAddr) -> bool {
    public_internet().contains(ip) && !ctx.trusted().contains(ip)
}

#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &Context,
    account: &str,
    region: &str,
    rule: &ResolverRule,
    scope: &str,
    severity: Severity,
    vpcs: &[&str],
    public: &[IpAddr],
) -> Draft {
    let targets: Vec<String> = rule
        .target_ips
        .iter()
        .map(|t| {
            let port = t.port.unwrap_or(53);
            let protocol = t.protocol.as_deref().unwrap_or("Do53");
            let place = if on_internet(ctx, t.ip) {
                "on the internet"
            } else {
                "private"
            };
            format!("{}:{port} ({protocol}, {place})", t.ip)
        })
        .collect();
    let shown: Vec<String> = public.iter().map(|ip| ip.to_string()).collect();
    let mut related: Vec<Resource> = vpcs
        .iter()
        .map(|v| resources::vpc(account, region, v, None))
        .collect();
    if let Some(ep) = &rule.resolver_endpoint_id {
        related.push(Resource {
            resource_type: "AWS::Route53Resolver::ResolverEndpoint".into(),
            id: ep.clone(),
            arn: None,
            name: None,
        });
    }
    let mut d = Draft::fail(
        account,
        region,
        dns::resolver_rule(rule),
        format!(
            "{} forwards {} ({scope}) from {} to resolvers on the internet: {}",
            rule.id,
            rule.domain_name,
            dns::list_text(vpcs),
            shown.join(", ")
        ),
    )
    .severity(severity)
    .related(related)
    .evidence(
        format!("resolver rule {}", rule.id),
        format!("FORWARD {} to {}", rule.domain_name, targets.join(", ")),
    );
    if let Some(ep) = &rule.resolver_endpoint_id {
        d = d.evidence(
            format!("outbound endpoint {ep}"),
            "queries leave through it for the targets",
        );
    }
    d
}
