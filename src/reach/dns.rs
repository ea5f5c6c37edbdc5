//! Route 53 Resolver DNS Firewall: what the rule groups associated with a VPC do with
//! a query to the VPC resolver.
//!
//! - The VPC's associations apply in ascending association priority; only those whose
//!   status is `COMPLETE` apply (one being created or updated does not yet).
//! - Within a rule group, rules apply in ascending rule priority.
//! - The first `ALLOW` or `BLOCK` rule that matches decides; `ALERT` logs and goes on.
//! - A query no rule decides is resolved.
//! - A domain entry `*` matches every name; `*.example.com` matches the subdomains of
//!   example.com; `example.com` matches that name only (case and trailing dot aside).
//! - A DNS Firewall Advanced rule matches the queries its threat protection (`DGA`,
//!   `DNS_TUNNELING`) detects.
//! - A rule limited to a query type matches only queries of that type.
//!
//! When what a rule matches is not known (a domain list whose domains could not be
//! read, a rule group whose rules are missing) the answer is unknown unless the rest
//! of the chain decides the same way whether the rule matches or not.

use crate::inventory::{
    DnsFirewallDomainList, DnsFirewallRule, DnsFirewallRuleGroup, DnsFirewallRuleGroupAssociation,
    Route53Resolver,
};

use super::explain::Code;
use super::verdict::{Evaluation, Step, Verdict};

/// The name asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryName<'q> {
    /// A given name (`api.example.com`, with or without the trailing dot).
    Name(&'q str),
    /// A name freshly registered by whoever exfiltrates: no entry but `*` names it, and
    /// no AWS managed list (which holds known-bad domains) is taken to hold it.
    Fresh,
}

/// A query a workload sends to the VPC resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'q> {
    pub name: QueryName<'q>,
    /// The query type (`A`, `TXT`, ...); `None` for a type no rule is limited to.
    pub qtype: Option<&'q str>,
    /// Whether DNS Firewall Advanced would take the query for tunnelling.
    pub tunnelling: bool,
}

impl std::fmt::Display for Query<'_> {
    /// `a freshly registered name, type TXT (taken for tunnelling)`.
    /// `api.example.com of a type no rule is limited to`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            QueryName::Name(n) => write!(f, "{n}")?,
            QueryName::Fresh => f.write_str("a freshly registered name")?,
        }
        match self.qtype {
            Some(t) => write!(f, ", type {t}")?,
            None => f.write_str(" of a type no rule is limited to")?,
        }
        if self.tunnelling {
            f.write_str(" (taken for tunnelling)")?;
        }
        Ok(())
    }
}

/// A rule group association that applies to the VPC, with its group when collected.
#[derive(Debug, Clone, Copy)]
pub struct Applied<'a> {
    pub association: &'a DnsFirewallRuleGroupAssociation,
    pub group: Option<&'a DnsFirewallRuleGroup>,
}

/// The DNS Firewall of one VPC: the associations that apply, in order, and those
/// that do not (yet).
#[derive(Debug, Clone)]
pub struct VpcFirewall<'a> {
    resolver: &'a Route53Resolver,
    pub applied: Vec<Applied<'a>>,
    /// Associations whose status is not `COMPLETE`.
    pub pending: Vec<&'a DnsFirewallRuleGroupAssociation>,
}

/// Whether an association applies: `COMPLETE` (or no status reported).
pub fn association_applies(a: &DnsFirewallRuleGroupAssociation) -> bool {
    a.status
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case("COMPLETE"))
}

/// A rule and the group it belongs to, as finding text: `rule block-all (priority 200)
/// of rule group rslvr-frg-1`.
pub fn describe_rule(group: &DnsFirewallRuleGroup, rule: &DnsFirewallRule) -> String {
    let name = rule.name.as_deref().unwrap_or("(unnamed)");
    format!(
        "rule {name} (priority {}) of rule group {}",
        rule.priority,
        group_name(group)
    )
}

/// `name (id)`, or the id alone.
pub fn group_name(group: &DnsFirewallRuleGroup) -> String {
    match &group.name {
        Some(n) if n != &group.id => format!("{n} ({})", group.id),
        _ => group.id.clone(),
    }
}

impl<'a> VpcFirewall<'a> {
    /// The DNS Firewall associations of `vpc_id` in `resolver`.
    pub fn of(resolver: &'a Route53Resolver, vpc_id: &str) -> VpcFirewall<'a> {
        let mut applied = Vec::new();
        let mut pending = Vec::new();
        for a in resolver
            .firewall_rule_group_associations
            .iter()
            .filter(|a| a.vpc_id == vpc_id)
        {
            if association_applies(a) {
                let group = resolver
                    .firewall_rule_groups
                    .iter()
                    .find(|g| g.id == a.firewall_rule_group_id);
                applied.push(Applied {
                    association: a,
                    group,
                });
            } else {
                pending.push(a);
            }
        }
        applied.sort_by_key(|a| a.association.priority);
        VpcFirewall {
            resolver,
            applied,
            pending,
        }
    }

    /// Whether any association applies.
    pub fn is_associated(&self) -> bool {
        !self.applied.is_empty()
    }

    /// The domain list `id`, when collected.
    pub fn domain_list(&self, id: &str) -> Option<&'a DnsFirewallDomainList> {
        self.resolver
            .firewall_domain_lists
            .iter()
            .find(|l| l.id == id)
    }

    /// Every rule that applies, in evaluation order, with its group; `Err` names a
    /// group whose rules are not known.
    pub fn rules(&self) -> Vec<Result<(&'a DnsFirewallRuleGroup, &'a DnsFirewallRule), String>> {
        let mut out = Vec::new();
        for a in &self.applied {
            match a.group {
                None => out.push(Err(format!(
                    "rule group {} (association {}) was not collected",
                    a.association.firewall_rule_group_id, a.association.id
                ))),
                Some(g) => match &g.rules {
                    None => out.push(Err(format!(
                        "the rules of rule group {} could not be read",
                        group_name(g)
                    ))),
                    Some(rules) => {
                        let mut sorted: Vec<&DnsFirewallRule> = rules.iter().collect();
                        sorted.sort_by_key(|r| r.priority);
                        out.extend(sorted.into_iter().map(|r| Ok((g, r))));
                    }
                },
            }
        }
        out
    }

    /// What DNS Firewall does with `query`: allowed (resolved), blocked, or unknown,
    /// with the rules that decided it or left it open.
    pub fn evaluate(&self, query: Query) -> Evaluation {
        let mut steps = vec![Step::new("query", query.to_string())];
        // Rules that may or may not match, by the action they would take.
        // With the index of the step saying so.
        let mut maybe: Vec<(Action, String, usize)> = Vec::new();
        for entry in self.rules() {
            let (group, rule) = match entry {
                Ok(r) => r,
                Err(reason) => {
                    steps.push(Step::coded(
                        Code::DataNotCollected,
                        "DNS Firewall",
                        reason.clone(),
                    ));
                    return Evaluation::unknown(reason, steps);
                }
            };
            let Some(action) = Action::of(rule) else {
                let reason = format!(
                    "{} has action {}, which is not modelled",
                    describe_rule(group, rule),
                    rule.action
                );
                steps.push(Step::coded(
                    Code::NotModelled,
                    "DNS Firewall",
                    reason.clone(),
                ));
                return Evaluation::unknown(reason, steps);
            };
            let component = describe_rule(group, rule);
            match self.matches(rule, &query) {
                Match::No => {}
                Match::Yes(why) => match action {
                    Action::Alert => steps.push(Step::new(component, format!("alerts: {why}"))),
                    Action::Allow | Action::Block => {
                        let decision = format!("{}: {why}", action.as_str().to_lowercase());
                        let decided = if action == Action::Allow {
                            steps.push(Step::new(component, decision));
                            Verdict::Allowed
                        } else {
                            steps.push(Step::coded(
                                Code::DnsFirewallRulesRestriction,
                                component,
                                decision,
                            ));
                            Verdict::Blocked
                        };
                        return settle(decided, maybe, steps);
                    }
                },
                Match::Unknown(why) => {
                    if action != Action::Alert {
                        steps.push(Step::new(
                            component.clone(),
                            format!("may {}: {why}", action.as_str().to_lowercase()),
                        ));
                        maybe.push((action, format!("{component}: {why}"), steps.len() - 1));
                    }
                }
            }
        }
        steps.push(Step::new(
            "DNS Firewall",
            "no rule allows or blocks the query: it is resolved",
        ));
        settle(Verdict::Allowed, maybe, steps)
    }

    /// Whether `rule` matches `query`.
    fn matches(&self, rule: &DnsFirewallRule, query: &Query) -> Match {
        if let (Some(limit), Some(asked)) = (rule.qtype.as_deref(), query.qtype) {
            if !limit.eq_ignore_ascii_case(asked) {
                return Match::No;
            }
        } else if rule.qtype.is_some() {
            // The query is of a type no rule is limited to.
            return Match::No;
        }
        if let Some(threat) = rule.dns_threat_protection.as_deref() {
            return if threat.eq_ignore_ascii_case("DNS_TUNNELING") && query.tunnelling {
                Match::Yes("DNS tunnelling detected".to_string())
            } else {
                Match::No
            };
        }
        let Some(list_id) = rule.firewall_domain_list_id.as_deref() else {
            return Match::No;
        };
        let Some(list) = self.domain_list(list_id) else {
            return Match::Unknown(format!("domain list {list_id} was not collected"));
        };
        list_matches(list, query.name)
    }
}

/// Whether `list` holds `name`.
fn list_matches(list: &DnsFirewallDomainList, name: QueryName) -> Match {
    let label = list.name.as_deref().unwrap_or(&list.id);
    let Some(domains) = &list.domains else {
        if list.managed_owner_name.is_some() {
            // AWS lists known-bad domains without showing them.
            return match name {
                QueryName::Fresh => Match::No,
                QueryName::Name(_) => Match::Unknown(format!(
                    "{label} is an AWS managed list whose domains cannot be listed"
                )),
            };
        }
        return Match::Unknown(format!("the domains of {label} could not be read"));
    };
    domains
        .iter()
        .find(|d| entry_matches(d, name))
        .map_or(Match::No, |d| Match::Yes(format!("{label} holds {d}")))
}

/// Whether one domain entry matches `name`.
pub fn entry_matches(entry: &str, name: QueryName) -> bool {
    let entry = normalise(entry);
    if entry == "*" {
        return true;
    }
    let QueryName::Name(name) = name else {
        return false;
    };
    let name = normalise(name);
    match entry.strip_prefix("*.") {
        Some(parent) => name
            .strip_suffix(parent)
            .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
        None => name == entry,
    }
}

/// Lower case without the trailing dot (`*.` is `*`).
fn normalise(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let trimmed = lower.strip_suffix('.').unwrap_or(&lower);
    if trimmed.is_empty() && !lower.is_empty() {
        return ".".to_string();
    }
    trimmed.to_string()
}

/// The decision `decided`, unless a rule before it that may match would decide
/// otherwise (then unknown, that rule's step coded and no other).
fn settle(decided: Verdict, maybe: Vec<(Action, String, usize)>, steps: Vec<Step>) -> Evaluation {
    let differs = maybe.into_iter().find(|(action, _, _)| match action {
        Action::Allow => decided != Verdict::Allowed,
        Action::Block => decided != Verdict::Blocked,
        Action::Alert => false,
    });
    match differs {
        Some((_, why, at)) => {
            let mut steps: Vec<Step> = steps.into_iter().map(Step::uncoded).collect();
            steps[at].code = Some(Code::DnsFirewallRulesUndecided);
            Evaluation::unknown(why, steps)
        }
        None => Evaluation {
            verdict: decided,
            steps,
        },
    }
}

enum Match {
    No,
    Yes(String),
    Unknown(String),
}

/// A rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Block,
    Alert,
}

impl Action {
    pub fn of(rule: &DnsFirewallRule) -> Option<Action> {
        match rule.action.to_ascii_uppercase().as_str() {
            "ALLOW" => Some(Action::Allow),
            "BLOCK" => Some(Action::Block),
            "ALERT" => Some(Action::Alert),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "ALLOW",
            Action::Block => "BLOCK",
            Action::Alert => "ALERT",
        }
    }
}

/// How a VPC's DNS Firewall stands against exfiltration over DNS.
#[derive(Debug, Clone)]
pub struct Exfiltration {
    /// A fresh name, over every query type: blocked when everything not allowlisted
    /// is blocked.
    pub fresh: Evaluation,
    /// A fresh name in a query DNS Firewall Advanced takes for tunnelling.
    pub tunnelling: Evaluation,
}

impl VpcFirewall<'_> {
    /// The query types some applied rule is limited to, and `None` for the others.
    fn qtypes(&self) -> Vec<Option<&str>> {
        let mut out: Vec<Option<&str>> = vec![None];
        for (_, rule) in self.rules().into_iter().flatten() {
            if let Some(q) = rule.qtype.as_deref() {
                if !out.iter().flatten().any(|k| k.eq_ignore_ascii_case(q)) {
                    out.push(Some(q));
                }
            }
        }
        out
    }

    /// Whether `name` is resolved whatever the query type: blocked if one type is,
    /// unknown if one is and none is blocked.
    pub fn evaluate_all_types(&self, name: QueryName, tunnelling: bool) -> Evaluation {
        let mut worst: Option<Evaluation> = None;
        for qtype in self.qtypes() {
            let e = self.evaluate(Query {
                name,
                qtype,
                tunnelling,
            });
            let rank = |e: &Evaluation| match e.verdict {
                Verdict::Allowed => 2,
                Verdict::Unknown { .. } => 1,
                Verdict::Blocked => 0,
            };
            // The exfiltrating side picks the type that gets through.
            if worst.as_ref().is_none_or(|w| rank(&e) > rank(w)) {
                worst = Some(e);
            }
        }
        worst.unwrap_or_else(|| Evaluation::allowed(Vec::new()))
    }

    /// What happens to a fresh name, as a plain query and as tunnelling.
    pub fn exfiltration(&self) -> Exfiltration {
        Exfiltration {
            fresh: self.evaluate_all_types(QueryName::Fresh, false),
            tunnelling: self.evaluate_all_types(QueryName::Fresh, true),
        }
    }

    /// Whether some applied `ALLOW` rule comes before the rule that blocks a fresh
    /// name: an allowlist then block-all.
    pub fn allowlists(&self) -> bool {
        let e = self.evaluate_all_types(QueryName::Fresh, false);
        if !e.is_blocked() {
            return false;
        }
        self.rules()
            .into_iter()
            .flatten()
            .take_while(|(_, r)| !self.blocks_fresh(r))
            .any(|(_, r)| Action::of(r) == Some(Action::Allow))
    }

    fn blocks_fresh(&self, rule: &DnsFirewallRule) -> bool {
        Action::of(rule) == Some(Action::Block)
            && rule.qtype.is_none()
            && rule.dns_threat_protection.is_none()
            && rule
                .firewall_domain_list_id
                .as_deref()
                .and_then(|id| self.domain_list(id))
                .is_some_and(|l| matches!(list_matches(l, QueryName::Fresh), Match::Yes(_)))
    }
}

/// Whether instances in `vpc` can query the VPC resolver (AmazonProvidedDNS):
/// not when `enableDnsSupport` is false, which turns it off for the VPC. Unknown
/// (not collected) counts as on, the default.
pub fn uses_vpc_resolver(vpc: &crate::inventory::Vpc) -> bool {
    vpc.enable_dns_support != Some(false)
}

/// How much of the DNS name space a resolver rule's domain covers (a rule matches
/// its domain and every subdomain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breadth {
    /// `.`: every name.
    Everything,
    /// One label (`com.`): a whole top-level domain.
    TopLevel,
    /// Anything narrower.
    Narrow,
}

/// The breadth of a resolver rule's `domain_name`.
pub fn breadth(domain_name: &str) -> Breadth {
    let d = normalise(domain_name);
    if d == "." || d.is_empty() || d == "*" {
        Breadth::Everything
    } else if !d.contains('.') {
        Breadth::TopLevel
    } else {
        Breadth::Narrow
    }
}
