//! `dns-egress-unfiltered`: a VPC whose workloads can send any query to the VPC
//! resolver, which resolves any public name: no DNS Firewall rule group applies, or
//! those that apply neither block every name not allowlisted nor block DNS
//! tunnelling. High when the VPC has no other way to the internet (DNS is then its
//! open door), medium otherwise.

use crate::finding::{Resource, Severity, Status};
use crate::inventory::{Operation, RegionInventory, Vpc};
use crate::reach::dns::{describe_rule, group_name, Action, VpcFirewall};
use crate::reach::Evaluation;

use super::context::{Context, Draft, Scoped};
use super::shared::dns::{self, Egress, EgressOf};
use super::{resources, Check};

pub struct DnsEgressUnfiltered;

/// Without these nothing can be said of any VPC of the region.
const REGION_OPS: &[Operation] = &[Operation::ListFirewallRuleGroupAssociations];

/// These leave rule groups, rules or domain lists unknown, which the engine reports
/// for the VPCs that use them.
const DETAIL_OPS: &[Operation] = &[
    Operation::ListFirewallRuleGroups,
    Operation::ListFirewallRules,
    Operation::ListFirewallDomainLists,
    Operation::ListFirewallDomains,
];

const WHAT: &str = "DNS egress";

impl Check for DnsEgressUnfiltered {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut egress = EgressOf::new(ctx);
        for (account, ri) in ctx.regions() {
            let (workloads, judged) = dns::judged_vpcs(ctx, ri);
            let resolver =
                match dns::resolver_or_unknown(ctx, account, ri, &judged, REGION_OPS, WHAT) {
                    Ok(r) => r,
                    Err(drafts) => {
                        out.extend(drafts);
                        continue;
                    }
                };
            for vpc in judged {
                let fw = VpcFirewall::of(resolver, &vpc.id);
                let enis = workloads.get(vpc.id.as_str()).map_or(&[][..], |v| &v[..]);
                if let Some(mut d) = judge(ctx, account, ri, vpc, &fw) {
                    if let Some(reason) = dns::dns_support_unknown(ctx, account, ri, vpc) {
                        d.status = Status::Unknown;
                        d.message = format!("{}; but {reason}", d.message);
                    }
                    let way_out = egress.of(account, ri, enis);
                    out.push(with_severity(d, &way_out));
                }
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
            let resolver = match dns::resolver_or_scope(ctx, account, ri, &judged, REGION_OPS) {
                Ok(r) => r,
                Err(scoped) => {
                    out.extend(scoped);
                    continue;
                }
            };
            for vpc in judged {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    closed_by(&VpcFirewall::of(resolver, &vpc.id)),
                ));
            }
        }
        Some(out)
    }
}

/// What closes DNS egress through `fw`, as the pass reason of a VPC no finding
/// names (the allowlist first: it stops tunnelling too).
fn closed_by(fw: &VpcFirewall) -> String {
    let names: Vec<String> = fw
        .applied
        .iter()
        .map(|a| match a.group {
            Some(g) => group_name(g),
            None => a.association.firewall_rule_group_id.clone(),
        })
        .collect();
    let x = fw.exfiltration();
    let what = if x.fresh.is_blocked() {
        "block every name not allowlisted"
    } else if x.tunnelling.is_blocked() {
        "block DNS tunnelling"
    } else {
        // A finding names it: the reason is never shown.
        "apply"
    };
    format!("DNS Firewall rule group(s) {} {what}", names.join(", "))
}

/// The finding for `vpc` before its severity, if DNS egress is not closed.
fn judge(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    vpc: &Vpc,
    fw: &VpcFirewall,
) -> Option<Draft> {
    let region = &ri.region;
    let resource = resources::vpc(account, region, &vpc.id, Some(&vpc.tags));
    let pending = pending_evidence(fw);
    if !fw.is_associated() {
        let mut d = Draft::fail(
            account,
            region,
            resource,
            format!(
                "{} runs workloads whose DNS queries are not filtered: no DNS Firewall \
                 rule group is associated with it, so the VPC resolver answers any name",
                vpc.id
            ),
        )
        .evidence(vpc.id.clone(), "no DNS Firewall rule group association");
        for (c, e) in pending {
            d = d.evidence(c, e);
        }
        return Some(d);
    }
    let x = fw.exfiltration();
    if x.fresh.is_blocked() || x.tunnelling.is_blocked() {
        return None;
    }
    let groups: Vec<Resource> = fw
        .applied
        .iter()
        .filter_map(|a| a.group)
        .map(dns::rule_group)
        .collect();
    if let Some(reason) = unknown_reason(&x.fresh).or_else(|| unknown_reason(&x.tunnelling)) {
        let reason = match dns::gap(ctx, account, ri, DETAIL_OPS) {
            Some(gap) => format!("{reason} ({gap})"),
            None => reason,
        };
        return Some(
            Draft::unknown(
                account,
                region,
                resource,
                format!(
                    "whether DNS Firewall closes DNS egress from {} could not be judged: {reason}",
                    vpc.id
                ),
            )
            .related(groups),
        );
    }
    let mut d = Draft::fail(
        account,
        region,
        resource,
        format!(
            "{} runs workloads whose DNS queries are not filtered: its DNS Firewall rule \
             groups neither block every name not allowlisted nor block DNS tunnelling",
            vpc.id
        ),
    )
    .related(groups);
    let names: Vec<String> = fw
        .applied
        .iter()
        .map(|a| match a.group {
            Some(g) => format!("{} (priority {})", group_name(g), a.association.priority),
            None => a.association.firewall_rule_group_id.clone(),
        })
        .collect();
    d = d
        .evidence(
            "DNS Firewall",
            format!("rule groups applied, in order: {}", names.join(", ")),
        )
        .evidence(
            "DNS Firewall",
            format!(
                "no allowlist then block-all: {} gets through ({})",
                query_of(&x.fresh),
                last_decision(&x.fresh)
            ),
        )
        .evidence(
            "DNS Firewall",
            "no tunnelling protection: no DNS_TUNNELING rule blocks the query before it is resolved",
        );
    for (group, rule) in fw.rules().into_iter().flatten() {
        let managed = rule
            .firewall_domain_list_id
            .as_deref()
            .and_then(|id| fw.domain_list(id))
            .filter(|l| l.managed_owner_name.is_some());
        if let (Some(list), Some(Action::Block)) = (managed, Action::of(rule)) {
            d = d.evidence(
                describe_rule(group, rule),
                format!(
                    "blocks AWS managed list {}, whose domains cannot be listed: taken to \
                     hold known-bad domains, not one registered for the purpose",
                    list.name.as_deref().unwrap_or(&list.id)
                ),
            );
        }
    }
    for (c, e) in pending {
        d = d.evidence(c, e);
    }
    Some(d)
}

/// High when DNS is the only way out, medium otherwise, with the reason.
fn with_severity(d: Draft, way_out: &Egress) -> Draft {
    match way_out {
        Egress::None => d.severity(Severity::High).evidence(
            "routes",
            "no workload subnet routes to the internet: DNS is the VPC's way out",
        ),
        Egress::Out(how) => d
            .severity(Severity::Medium)
            .evidence("routes", format!("also reaches the internet: {how}")),
        Egress::Maybe(why) => d.severity(Severity::Medium).evidence("routes", why.clone()),
    }
}

fn unknown_reason(e: &Evaluation) -> Option<String> {
    match &e.verdict {
        crate::reach::Verdict::Unknown { reason } => Some(reason.clone()),
        _ => None,
    }
}

/// The query an evaluation is about (its first step).
fn query_of(e: &Evaluation) -> String {
    e.steps
        .first()
        .map(|s| s.decision.clone())
        .unwrap_or_default()
}

fn last_decision(e: &Evaluation) -> String {
    e.steps
        .last()
        .map(|s| s.decision.clone())
        .unwrap_or_default()
}

/// Associations that exist but do not apply yet (or any more).
fn pending_evidence(fw: &VpcFirewall) -> Vec<(String, String)> {
    fw.pending
        .iter()
        .map(|a| {
            (
                format!("association {}", a.id),
                format!(
                    "rule group {} is {}: it does not apply until COMPLETE",
                    a.firewall_rule_group_id,
                    a.status.as_deref().unwrap_or("?")
                ),
            )
        })
        .collect()
}
