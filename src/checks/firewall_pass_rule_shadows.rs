//! `firewall-pass-rule-shadows`: a broad `pass` rule that decides flows a policy's
//! domain (SNI / HTTP Host) rules were meant to decide, so they never do.
//!
//! Asked of the policy engine, not read off rule order: for each domain rule the
//! policy holds, a probe flow it should decide (an unlisted name for an allowlist, a
//! listed name for a deny rule) from the firewall VPC's address range is evaluated.
//! If a stateful `pass` rule without domain content lets it through (at the TCP
//! handshake, or ahead of the domain rules in strict order), or a stateless `aws:pass`
//! rule skips the stateful engine for it, the domain rules are shadowed. Unknown when
//! the engine cannot decide a probe. Stateless *default* pass is left to
//! `firewall-policy-passes-by-default`.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};

use crate::finding::Resource;
use crate::inventory::{
    Firewall, FirewallPolicy, RegionInventory, RuleGroup, RuleGroupReference, RuleSource,
};
use crate::reach::firewall::policy::{from_stateful_rule, vars_for};
use crate::reach::firewall::suricata::{self, Action, Buffer, Phase, SuricataRule};
use crate::reach::firewall::{as_deployed, domain_rules, evaluate, Flow, Match};
use crate::reach::sets::ServicePoint;
use crate::reach::{Evaluation, Verdict};

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_resource, policy_resource, users};
use super::shared::internet_route::PROBE;
use super::{resources, Check};

pub struct FirewallPassRuleShadows;

/// A name no domain rule lists (`.invalid` is reserved), for what an allowlist drops.
const UNLISTED: &str = "vpcaudit-probe.invalid";

/// A flow some domain rule of `group` should decide.
struct Probe<'g> {
    group: &'g RuleGroup,
    flow: Flow,
}

/// A group's stateful rules as the engine reads them. Unreadable rules are left out:
/// the engine reports them itself when a probe reaches them.
fn rules_of(g: &RuleGroup, policy: &FirewallPolicy) -> Vec<SuricataRule> {
    let vars = vars_for(g, policy);
    match &g.source {
        RuleSource::RulesString { rules } => suricata::parse(rules, &vars)
            .into_iter()
            .filter_map(Result::ok)
            .collect(),
        RuleSource::DomainList(list) => domain_rules(list, &vars).unwrap_or_default(),
        RuleSource::StatefulRules { rules } => rules
            .iter()
            .filter_map(|r| from_stateful_rule(r, &vars).ok())
            .collect(),
        RuleSource::Stateless { .. } | RuleSource::Empty => Vec::new(),
    }
}

fn host(net: &Ipv4Net) -> IpAddr {
    let base = u32::from(net.network());
    let offset = u32::from(net.prefix_len() <= 30);
    IpAddr::V4(Ipv4Addr::from(base.saturating_add(offset)))
}

/// A source inside the group's HOME_NET, preferring the firewall VPCs' ranges (the
/// traffic the firewall actually sees).
fn source(home: Option<&Vec<String>>, vpc_cidrs: &[Ipv4Net]) -> IpAddr {
    let nets: Vec<IpNet> = home
        .into_iter()
        .flatten()
        .filter_map(|s| s.parse().ok())
        .collect();
    vpc_cidrs
        .iter()
        .map(host)
        .find(|a| nets.is_empty() || nets.iter().any(|n| n.contains(a)))
        .or_else(|| {
            nets.iter().find_map(|n| match n {
                IpNet::V4(n) => Some(host(n)),
                IpNet::V6(_) => None,
            })
        })
        .unwrap_or(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 10)))
}

/// Flows the domain rules of `g` should decide: for a pass rule (an allowlist), an
/// unlisted name; for a drop or reject rule, the name it targets.
fn probes<'g>(g: &'g RuleGroup, policy: &FirewallPolicy, vpc_cidrs: &[Ipv4Net]) -> Vec<Probe<'g>> {
    let src = source(vars_for(g, policy).ip.get("HOME_NET"), vpc_cidrs);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for r in rules_of(g, policy) {
        let Some(c) = r.contents.first() else {
            continue;
        };
        let port = match c.buffer {
            Buffer::TlsSni => 443,
            Buffer::HttpHost => 80,
        };
        let name = match r.action {
            Action::Pass => UNLISTED.to_string(),
            Action::Drop | Action::Reject => c.pattern.trim_start_matches('.').to_ascii_lowercase(),
            Action::Alert => continue,
        };
        if name.is_empty() || !seen.insert((port, name.clone())) {
            continue;
        }
        out.push(Probe {
            group: g,
            flow: Flow {
                src,
                dst: PROBE,
                service: ServicePoint::Tcp(port),
                sni: Some(name),
                fragment: false,
            },
        });
    }
    out
}

fn describe(r: &SuricataRule) -> String {
    match r.sid {
        Some(sid) => format!("rule '{}' (sid {sid})", r.header),
        None => format!("rule '{}'", r.header),
    }
}

fn describe_flow(f: &Flow) -> String {
    format!(
        "{} -> {} tcp {} name {}",
        f.src,
        f.dst,
        f.dst_port().unwrap_or_default(),
        f.sni.as_deref().unwrap_or_default()
    )
}

/// The group whose rule decided an allowed evaluation, if one did (not a default).
fn decider<'e>(e: &'e Evaluation, kind: &str) -> Option<(&'e str, &'e str)> {
    if e.verdict != Verdict::Allowed {
        return None;
    }
    let last = e.steps.last()?;
    let group = last.component.strip_prefix(kind)?;
    Some((group, last.decision.as_str()))
}

/// Pass rules without domain content in `g` that match the probe.
fn broad_passes(g: &RuleGroup, policy: &FirewallPolicy, flow: &Flow) -> Vec<String> {
    rules_of(g, policy)
        .iter()
        .filter(|r| r.action == Action::Pass && r.contents.is_empty())
        .filter(|r| {
            [Phase::Handshake, Phase::Established]
                .iter()
                .any(|&ph| r.matches(flow, ph) == Match::Yes)
        })
        .map(describe)
        .collect()
}

/// What a policy's probes found.
#[derive(Default)]
struct Found {
    /// (component, detail, group) per shadowing rule.
    shadows: Vec<(String, String, Resource)>,
    /// The domain groups shadowed.
    shadowed: Vec<Resource>,
    unknown: Option<String>,
    /// How many probe flows were evaluated, and the domain groups they stand for.
    probes: usize,
    domain_groups: Vec<String>,
}

fn group_resource(g: &RuleGroup) -> Resource {
    resources::network_firewall("RuleGroup", &g.name, &g.arn)
}

fn examine(ri: &RegionInventory, p: &FirewallPolicy, vpc_cidrs: &[Ipv4Net]) -> Found {
    let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
    let full = as_deployed(
        p,
        &vpc_cidrs
            .iter()
            .map(|&c| IpNet::from(c))
            .collect::<Vec<_>>(),
    );
    // The stateful stage alone, so a stateless pass does not hide a stateful one.
    let mut stateful = full.clone();
    stateful.stateless_rule_groups.clear();
    stateful.stateless_default_actions = vec!["aws:forward_to_sfe".into()];
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    let groups = p.stateful_rule_groups.iter().filter_map(|r| lookup(&r.arn));
    for probe in groups.flat_map(|g| probes(g, &full, vpc_cidrs)) {
        let flow = &probe.flow;
        found.probes += 1;
        if !found.domain_groups.contains(&probe.group.name) {
            found.domain_groups.push(probe.group.name.clone());
        }
        let e_full = evaluate(flow, &full, &lookup);
        let e_sf = evaluate(flow, &stateful, &lookup);
        for e in [&e_full, &e_sf] {
            if let Verdict::Unknown { reason } = &e.verdict {
                found.unknown.get_or_insert_with(|| reason.clone());
            }
        }
        // The group that decided, found among the policy's own references.
        let in_policy = |refs: &[RuleGroupReference], name: &str| {
            refs.iter()
                .filter_map(|r| lookup(&r.arn))
                .find(|g| g.name == name)
        };
        let mut hits = Vec::new();
        if let Some((name, decision)) = decider(&e_full, "stateless group ") {
            if let Some(g) = in_policy(&p.stateless_rule_groups, name) {
                hits.push((format!("stateless group {name}"), decision.to_string(), g));
            }
        }
        if let Some((name, _)) = decider(&e_sf, "stateful group ") {
            if let Some(g) = in_policy(&p.stateful_rule_groups, name) {
                for rule in broad_passes(g, &full, flow) {
                    hits.push((
                        format!("stateful group {name}"),
                        format!("{rule} passes"),
                        g,
                    ));
                }
            }
        }
        for (component, decision, g) in hits {
            let shadowed = group_resource(probe.group);
            if !found.shadowed.contains(&shadowed) {
                found.shadowed.push(shadowed);
            }
            if seen.insert((component.clone(), decision.clone())) {
                let detail = format!(
                    "{decision}, for {}: domain group {} never decides it",
                    describe_flow(flow),
                    probe.group.name
                );
                found.shadows.push((component, detail, group_resource(g)));
            }
        }
    }
    // A group that was not collected may hold the domain rules: with none probed,
    // that is not "no domain rules".
    if found.probes == 0 {
        if let Some(r) = p
            .stateful_rule_groups
            .iter()
            .find(|r| lookup(&r.arn).is_none())
        {
            found.unknown = Some(format!("stateful rule group {} was not collected", r.arn));
        }
    }
    found
}

/// The firewalls using `p`, and what its probes found (from those firewalls' VPC
/// ranges).
fn examine_policy<'a>(ri: &'a RegionInventory, p: &FirewallPolicy) -> (Vec<&'a Firewall>, Found) {
    let fws = users(ri, p);
    let vpc_cidrs: Vec<Ipv4Net> = fws
        .iter()
        .filter_map(|f| ri.vpcs.iter().find(|v| v.id == f.vpc_id))
        .flat_map(|v| v.ipv4_cidrs.iter().copied())
        .collect();
    let found = examine(ri, p, &vpc_cidrs);
    (fws, found)
}

impl Check for FirewallPassRuleShadows {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for p in &ri.firewall_policies {
                let (fws, found) = examine_policy(ri, p);
                let mut related: Vec<Resource> = fws.iter().map(|f| firewall_resource(f)).collect();
                let d = if !found.shadows.is_empty() {
                    let mut shadowing: Vec<Resource> = Vec::new();
                    for (_, _, g) in &found.shadows {
                        if !shadowing.contains(g) {
                            shadowing.push(g.clone());
                        }
                    }
                    let names = |rs: &[Resource]| {
                        rs.iter()
                            .map(|r| r.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mut d = Draft::fail(
                        account,
                        &ri.region,
                        policy_resource(p),
                        format!(
                            "in {}, pass rules of {} decide flows before the domain rules of {} can",
                            p.name,
                            names(&shadowing),
                            names(&found.shadowed)
                        ),
                    );
                    for (component, detail, _) in &found.shadows {
                        d = d.evidence(component, detail);
                    }
                    related.extend(shadowing);
                    related.extend(found.shadowed);
                    d
                } else if let Some(reason) = found.unknown {
                    Draft::unknown(
                        account,
                        &ri.region,
                        policy_resource(p),
                        format!(
                            "whether a pass rule of {} shadows its domain rules could not be decided: {reason}",
                            p.name
                        ),
                    )
                } else {
                    continue;
                };
                let mut seen = BTreeSet::new();
                related.retain(|r| seen.insert((r.resource_type.clone(), r.id.clone())));
                out.push(d.related(related));
            }
        }
        out
    }

    /// Every firewall policy: it passes when no pass rule decides a probe flow its
    /// domain rules should decide; one with no domain rules is not applicable.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for p in &ri.firewall_policies {
                let (_, found) = examine_policy(ri, p);
                out.push(if found.probes == 0 {
                    Scoped::not_applicable(
                        account,
                        &ri.region,
                        policy_resource(p),
                        format!(
                            "{} has no domain (TLS SNI or HTTP Host) rule that passes or drops a name",
                            p.name
                        ),
                    )
                } else {
                    Scoped::pass(
                        account,
                        &ri.region,
                        policy_resource(p),
                        format!(
                            "no pass rule of {} decides the {} probe flow(s) the domain rules of {} should decide",
                            p.name,
                            found.probes,
                            found.domain_groups.join(", ")
                        ),
                    )
                });
            }
        }
        Some(out)
    }
}
