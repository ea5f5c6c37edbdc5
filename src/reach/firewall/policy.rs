//! The firewall policy engine: the stateless stage, then the stateful stage in
//! STRICT_ORDER or DEFAULT_ACTION_ORDER, with the steps that explain the verdict.
//!
//! A TCP connection is matched in two phases, as Suricata sees it: first the
//! handshake (no application layer, not established: `tls`/`http` rules, SNI and
//! Host contents and `flow:established` cannot match yet), then the established
//! connection. A pass on the handshake passes the whole flow, which is why
//! `pass tcp any any -> any any` ahead of SNI rules lets everything out, and why
//! `aws:drop_strict` drops connections that only application-layer rules would pass.

use crate::inventory::{
    FirewallPolicy, RuleGroup, RuleGroupReference, RuleOrder, RuleSource, StatefulRule,
    StatelessRule,
};
use crate::reach::explain::Code;
use crate::reach::verdict::{describe_point, Evaluation, Step};

use super::domain::domain_rules;
use super::suricata::{self, Action, ParseError, Phase, SuricataRule, Vars};
use super::{Flow, Match};

const PASS: &str = "aws:pass";
const DROP: &str = "aws:drop";
const FORWARD: &str = "aws:forward_to_sfe";
const DROP_STRICT: &str = "aws:drop_strict";
const DROP_ESTABLISHED: &str = "aws:drop_established";
const ALERT_STRICT: &str = "aws:alert_strict";
const ALERT_ESTABLISHED: &str = "aws:alert_established";

enum Entry {
    Rule(Box<SuricataRule>),
    Broken(ParseError),
}

struct Loaded<'g> {
    group: &'g RuleGroup,
    entries: Vec<Entry>,
    drop_to_alert: bool,
}

/// The policy as AWS runs it: `HOME_NET`, when the policy does not set it, is the
/// CIDR blocks of the VPC(s) the firewall is deployed in.
pub fn as_deployed(policy: &FirewallPolicy, vpc_cidrs: &[ipnet::IpNet]) -> FirewallPolicy {
    let mut p = policy.clone();
    if !p.variables.contains_key("HOME_NET") && !vpc_cidrs.is_empty() {
        let cidrs = vpc_cidrs.iter().map(|c| c.to_string()).collect();
        p.variables.insert("HOME_NET".into(), cidrs);
    }
    p
}

/// The variables a group's rules see: the policy's, then the group's own IP sets
/// (which take precedence) and port sets.
pub fn vars_for(group: &RuleGroup, policy: &FirewallPolicy) -> Vars {
    let mut ip = policy.variables.clone();
    ip.extend(group.ip_sets.clone());
    Vars {
        ip,
        port: group.port_sets.clone(),
    }
}

fn sorted(refs: &[RuleGroupReference]) -> Vec<&RuleGroupReference> {
    let mut v: Vec<&RuleGroupReference> = refs.iter().collect();
    v.sort_by_key(|r| (r.priority.is_none(), r.priority));
    v
}

fn find<'g>(
    arn: &str,
    kind: &str,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Result<&'g RuleGroup, String> {
    lookup(arn).ok_or_else(|| format!("{kind} rule group {arn} is not in the inventory"))
}

fn describe(rule: &SuricataRule) -> String {
    match rule.sid {
        Some(sid) => format!("rule '{}' (sid {sid})", rule.header),
        None => format!("rule '{}'", rule.header),
    }
}

/// A 5-tuple stateful rule in the internal (Suricata) form.
pub fn from_stateful_rule(rule: &StatefulRule, vars: &Vars) -> Result<SuricataRule, String> {
    let dir = match rule.direction.to_ascii_uppercase().as_str() {
        "FORWARD" => "->",
        "ANY" => "<>",
        other => return Err(format!("unknown direction '{other}'")),
    };
    let action = rule.action.to_ascii_lowercase();
    let proto = rule.protocol.to_ascii_lowercase();
    let mut r = suricata::header(
        &action,
        &proto,
        &rule.source,
        &rule.source_port,
        dir,
        &rule.destination,
        &rule.destination_port,
        vars,
    )?;
    r.header = format!(
        "{action} {proto} {} {} {dir} {} {}",
        rule.source, rule.source_port, rule.destination, rule.destination_port
    );
    let options: Vec<(String, Option<String>)> = rule
        .options
        .iter()
        .map(|o| {
            let v = (!o.settings.is_empty()).then(|| o.settings.join(","));
            (o.keyword.clone(), v)
        })
        .collect();
    suricata::apply_options(&mut r, &options)?;
    Ok(r)
}

fn load_stateful<'g>(
    r: &RuleGroupReference,
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Result<Loaded<'g>, String> {
    let group = find(&r.arn, "stateful", lookup)?;
    let vars = vars_for(group, policy);
    let entries = match &group.source {
        RuleSource::RulesString { rules } => suricata::parse(rules, &vars)
            .into_iter()
            .map(|r| r.map_or_else(Entry::Broken, |r| Entry::Rule(Box::new(r))))
            .collect(),
        RuleSource::DomainList(list) => domain_rules(list, &vars)
            .map_err(|e| format!("stateful group {}: {e}", group.name))?
            .into_iter()
            .map(|r| Entry::Rule(Box::new(r)))
            .collect(),
        RuleSource::StatefulRules { rules } => rules
            .iter()
            .enumerate()
            .map(|(i, rule)| match from_stateful_rule(rule, &vars) {
                Ok(r) => Entry::Rule(Box::new(r)),
                Err(reason) => Entry::Broken(ParseError {
                    line: i + 1,
                    text: format!(
                        "{} {} {} {} {} {} {}",
                        rule.action,
                        rule.protocol,
                        rule.source,
                        rule.source_port,
                        rule.direction,
                        rule.destination,
                        rule.destination_port
                    ),
                    reason,
                }),
            })
            .collect(),
        RuleSource::Stateless { .. } => {
            return Err(format!(
                "stateful group {} holds stateless rules",
                group.name
            ))
        }
        RuleSource::Empty => {
            return Err(format!(
                "stateful group {} has no rules source this version reads",
                group.name
            ))
        }
    };
    Ok(Loaded {
        group,
        entries,
        drop_to_alert: r
            .override_action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("DROP_TO_ALERT")),
    })
}

fn load_all<'g>(
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Result<Vec<Loaded<'g>>, String> {
    let refs = match policy.stateful_rule_order {
        RuleOrder::StrictOrder => sorted(&policy.stateful_rule_groups),
        RuleOrder::DefaultActionOrder => policy.stateful_rule_groups.iter().collect(),
    };
    refs.into_iter()
        .map(|r| load_stateful(r, policy, lookup))
        .collect()
}

/// Rules of the policy's stateful groups that could not be read, by group name.
/// A missing or unreadable group is reported with line 0.
pub fn parse_errors<'g>(
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Vec<(String, ParseError)> {
    let mut out = Vec::new();
    for r in &policy.stateful_rule_groups {
        match load_stateful(r, policy, lookup) {
            Ok(l) => out.extend(l.entries.into_iter().filter_map(|e| match e {
                Entry::Broken(p) => Some((l.group.name.clone(), p)),
                Entry::Rule(_) => None,
            })),
            Err(reason) => out.push((
                r.arn.clone(),
                ParseError {
                    line: 0,
                    text: r.arn.clone(),
                    reason,
                },
            )),
        }
    }
    out
}

fn effective(action: Action, drop_to_alert: bool) -> Action {
    match action {
        Action::Drop | Action::Reject if drop_to_alert => Action::Alert,
        a => a,
    }
}

/// The standard action in a stateless action list; custom actions next to one are
/// taken as metrics-only and ignored.
fn standard_action(actions: &[String]) -> Result<&'static str, String> {
    for a in actions {
        for s in [PASS, DROP, FORWARD] {
            if a == s {
                return Ok(s);
            }
        }
    }
    if actions.is_empty() {
        Err("no action".into())
    } else {
        Err(format!(
            "custom action(s) {} without a standard action are not modelled",
            actions.join(", ")
        ))
    }
}

fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("cannot read address '{s}'"))
}

fn addr_match(cidrs: &[String], ip: std::net::IpAddr) -> Match {
    if cidrs.is_empty() {
        return Match::Yes;
    }
    let mut unknown = None;
    for c in cidrs {
        match parse_net(c) {
            Ok(n) if n.contains(&ip) => return Match::Yes,
            Ok(_) => {}
            Err(e) => unknown = Some(e),
        }
    }
    unknown.map_or(Match::No, Match::Maybe)
}

/// Whether a stateless rule matches the flow's outbound packets.
fn stateless_match(rule: &StatelessRule, flow: &Flow) -> Match {
    let proto = i32::from(flow.service.protocol());
    if !rule.protocols.is_empty() && !rule.protocols.contains(&proto) {
        return Match::No;
    }
    if !rule.tcp_flags.is_empty() && flow.tcp_port().is_none() {
        return Match::No;
    }
    let port = flow.dst_port();
    if !rule.destination_ports.is_empty() {
        match port {
            Some(p)
                if rule
                    .destination_ports
                    .iter()
                    .any(|r| (r.from..=r.to).contains(&i32::from(p))) => {}
            _ => return Match::No,
        }
    }
    let mut maybe: Option<String> = None;
    if !rule.source_ports.is_empty() {
        if port.is_none() {
            return Match::No;
        }
        let covered = |p: i32| {
            rule.source_ports
                .iter()
                .any(|r| (r.from..=r.to).contains(&p))
        };
        let all = (1024..=65535).all(covered);
        let none = !(1024..=65535).any(covered);
        if none {
            return Match::No;
        }
        if !all {
            maybe = Some(
                "the rule matches only some source ports; the flow's source port is not known"
                    .into(),
            );
        }
    }
    for m in [
        addr_match(&rule.sources, flow.src),
        addr_match(&rule.destinations, flow.dst),
    ] {
        match m {
            Match::No => return Match::No,
            Match::Maybe(r) => {
                maybe.get_or_insert(r);
            }
            Match::Yes => {}
        }
    }
    if !rule.tcp_flags.is_empty() {
        maybe.get_or_insert_with(|| {
            "the rule matches TCP flags; flows are modelled, not packets".into()
        });
    }
    maybe.map_or(Match::Yes, Match::Maybe)
}

enum StatelessOutcome {
    Pass,
    Drop,
    Forward,
}

fn outcome(action: &str) -> StatelessOutcome {
    match action {
        PASS => StatelessOutcome::Pass,
        DROP => StatelessOutcome::Drop,
        _ => StatelessOutcome::Forward,
    }
}

fn suffix(action: &str) -> &'static str {
    match action {
        PASS => " — stateful engine skipped",
        DROP => " — dropped",
        _ => " — to the stateful engine",
    }
}

fn stateless<'g>(
    flow: &Flow,
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
    steps: &mut Vec<Step>,
) -> Result<StatelessOutcome, String> {
    for r in sorted(&policy.stateless_rule_groups) {
        let group = find(&r.arn, "stateless", lookup)?;
        let component = format!("stateless group {}", group.name);
        let rules = match &group.source {
            RuleSource::Stateless { rules, .. } => rules,
            RuleSource::Empty => {
                return Err(format!(
                    "{component} has no rules source this version reads"
                ))
            }
            _ => return Err(format!("{component} holds no stateless rules")),
        };
        let mut rules: Vec<&StatelessRule> = rules.iter().collect();
        rules.sort_by_key(|r| r.priority);
        for rule in rules {
            match stateless_match(rule, flow) {
                Match::No => {}
                Match::Maybe(reason) => {
                    steps.push(Step::new(
                        &component,
                        format!("rule priority {} may match: {reason}", rule.priority),
                    ));
                    return Err(format!(
                        "{component} rule priority {}: {reason}",
                        rule.priority
                    ));
                }
                Match::Yes => {
                    let action = standard_action(&rule.actions)
                        .map_err(|e| format!("{component} rule priority {}: {e}", rule.priority))?;
                    steps.push(Step::new(
                        &component,
                        format!(
                            "rule priority {}: {action}{}",
                            rule.priority,
                            suffix(action)
                        ),
                    ));
                    return Ok(outcome(action));
                }
            }
        }
    }
    let (which, actions) = if flow.fragment {
        (
            "stateless fragment default",
            &policy.stateless_fragment_default_actions,
        )
    } else {
        ("stateless default", &policy.stateless_default_actions)
    };
    let action = standard_action(actions).map_err(|e| format!("{which}: {e}"))?;
    steps.push(Step::new(
        format!("firewall policy {}", policy.name),
        format!("{which} {action}{}", suffix(action)),
    ));
    Ok(outcome(action))
}

fn decided(action: Action, steps: Vec<Step>) -> Evaluation {
    match action {
        Action::Pass => Evaluation::allowed(steps),
        _ => Evaluation::blocked(steps),
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Pass => "passes",
        Action::Drop => "drops",
        Action::Reject => "rejects",
        Action::Alert => "alerts",
    }
}

fn phases(flow: &Flow) -> &'static [Phase] {
    if flow.tcp_port().is_some() {
        &[Phase::Handshake, Phase::Established]
    } else {
        &[Phase::Established]
    }
}

fn strict(
    flow: &Flow,
    policy: &FirewallPolicy,
    groups: &[Loaded<'_>],
    mut steps: Vec<Step>,
) -> Evaluation {
    let defaults = &policy.stateful_default_actions;
    let has = |a: &str| defaults.iter().any(|d| d == a);
    let mut alerted = std::collections::BTreeSet::new();
    for &phase in phases(flow) {
        for (gi, g) in groups.iter().enumerate() {
            let component = format!("stateful group {}", g.group.name);
            for (ri, entry) in g.entries.iter().enumerate() {
                let rule = match entry {
                    Entry::Broken(e) => {
                        steps.push(Step::new(&component, format!("cannot read {e}")));
                        return Evaluation::unknown(
                            format!("{component} has a rule that cannot be read: {e}"),
                            steps,
                        );
                    }
                    Entry::Rule(r) => r,
                };
                let action = effective(rule.action, g.drop_to_alert);
                match (rule.matches(flow, phase), action) {
                    (Match::No, _) | (Match::Maybe(_), Action::Alert) => {}
                    (Match::Yes, Action::Alert) => {
                        if alerted.insert((gi, ri)) {
                            steps.push(Step::new(
                                &component,
                                format!("{} alerts and continues", describe(rule)),
                            ));
                        }
                    }
                    (Match::Yes, a) => {
                        steps.push(Step::new(
                            &component,
                            format!("{} {}", describe(rule), verb(a)),
                        ));
                        return decided(a, steps);
                    }
                    (Match::Maybe(reason), a) => {
                        steps.push(Step::new(
                            &component,
                            format!(
                                "{} may {}: {reason}",
                                describe(rule),
                                &verb(a)[..verb(a).len() - 1]
                            ),
                        ));
                        return Evaluation::unknown(
                            format!("{component} {}: {reason}", describe(rule)),
                            steps,
                        );
                    }
                }
            }
        }
        if phase == Phase::Handshake && has(DROP_STRICT) {
            steps.push(Step::new(
                format!("firewall policy {}", policy.name),
                "stateful default aws:drop_strict drops (no rule passes the TCP handshake, before the application layer is known)",
            ));
            return Evaluation::blocked(steps);
        }
    }
    let component = format!("firewall policy {}", policy.name);
    for d in [DROP_STRICT, DROP_ESTABLISHED] {
        if has(d) {
            steps.push(Step::new(&component, format!("stateful default {d} drops")));
            return Evaluation::blocked(steps);
        }
    }
    if let Some(other) = defaults
        .iter()
        .find(|d| ![ALERT_STRICT, ALERT_ESTABLISHED].contains(&d.as_str()))
    {
        return coded_last(
            Code::NotModelled,
            Evaluation::unknown(
                format!("stateful default action {other} is not modelled"),
                steps,
            ),
        );
    }
    steps.push(Step::new(
        component,
        "no stateful rule matched and no stateful default drops: passes",
    ));
    Evaluation::allowed(steps)
}

fn default_order(
    flow: &Flow,
    policy: &FirewallPolicy,
    groups: &[Loaded<'_>],
    mut steps: Vec<Step>,
) -> Evaluation {
    let mut alerted = std::collections::BTreeSet::new();
    for &phase in phases(flow) {
        let mut pending: Option<(String, String)> = None;
        for class in [Action::Pass, Action::Drop, Action::Reject, Action::Alert] {
            let mut first_yes: Option<(String, String)> = None;
            for (gi, g) in groups.iter().enumerate() {
                let component = format!("stateful group {}", g.group.name);
                for (ri, entry) in g.entries.iter().enumerate() {
                    match entry {
                        Entry::Broken(e) if class == Action::Pass => {
                            pending.get_or_insert_with(|| {
                                (component.clone(), format!("a rule cannot be read: {e}"))
                            });
                        }
                        Entry::Broken(_) => {}
                        Entry::Rule(rule) => {
                            if effective(rule.action, g.drop_to_alert) != class {
                                continue;
                            }
                            match rule.matches(flow, phase) {
                                Match::No => {}
                                Match::Yes if class == Action::Alert => {
                                    if alerted.insert((gi, ri)) {
                                        steps.push(Step::new(
                                            &component,
                                            format!("{} alerts", describe(rule)),
                                        ));
                                    }
                                }
                                Match::Yes => {
                                    first_yes
                                        .get_or_insert_with(|| (component.clone(), describe(rule)));
                                }
                                Match::Maybe(_) if class == Action::Alert => {}
                                Match::Maybe(reason) => {
                                    pending.get_or_insert_with(|| {
                                        (component.clone(), format!("{}: {reason}", describe(rule)))
                                    });
                                }
                            }
                        }
                    }
                }
            }
            if let Some((component, rule)) = first_yes {
                if let Some((pc, why)) = pending {
                    steps.push(Step::new(&pc, format!("may match ahead of {rule}: {why}")));
                    return Evaluation::unknown(format!("{pc} {why}"), steps);
                }
                steps.push(Step::new(
                    component,
                    format!("{rule} {} (default action order)", verb(class)),
                ));
                return decided(class, steps);
            }
        }
        if let Some((pc, why)) = pending {
            steps.push(Step::new(&pc, format!("may match: {why}")));
            return Evaluation::unknown(format!("{pc} {why}"), steps);
        }
    }
    steps.push(Step::new(
        format!("firewall policy {}", policy.name),
        "no stateful rule matched: passes (default action order drops nothing by default)",
    ));
    Evaluation::allowed(steps)
}

/// `e` with its last step coded `code` (the step that decided, or the one that
/// could not), unless a step is coded already.
fn coded_last(code: Code, mut e: Evaluation) -> Evaluation {
    if e.code().is_none() {
        if let Some(last) = e.steps.last_mut() {
            last.code = Some(code);
        }
    }
    e
}

/// `e` coded as a firewall's decision: a drop by the step that decided it (always
/// the last one), an undecided answer by the rule that may match or cannot be read.
fn coded(e: Evaluation) -> Evaluation {
    if e.is_blocked() {
        coded_last(Code::FirewallRulesRestriction, e)
    } else if e.is_unknown() {
        coded_last(Code::FirewallRulesUndecided, e)
    } else {
        e
    }
}

/// What the policy does to one outbound flow.
pub fn evaluate<'g>(
    flow: &Flow,
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Evaluation {
    coded(evaluate_uncoded(flow, policy, lookup))
}

fn evaluate_uncoded<'g>(
    flow: &Flow,
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Evaluation {
    let mut steps = vec![Step::new(
        format!("firewall policy {}", policy.name),
        format!(
            "flow {} -> {} {}{}{}",
            flow.src,
            flow.dst,
            describe_point(flow.service),
            flow.sni
                .as_deref()
                .map(|s| format!(" name {s}"))
                .unwrap_or_default(),
            if flow.fragment { " (fragments)" } else { "" }
        ),
    )];
    match stateless(flow, policy, lookup, &mut steps) {
        Err(reason) => return Evaluation::unknown(reason, steps),
        Ok(StatelessOutcome::Pass) => return Evaluation::allowed(steps),
        Ok(StatelessOutcome::Drop) => return Evaluation::blocked(steps),
        Ok(StatelessOutcome::Forward) => {}
    }
    let groups = match load_all(policy, lookup) {
        Ok(g) => g,
        Err(reason) => return Evaluation::unknown(reason, steps),
    };
    match policy.stateful_rule_order {
        RuleOrder::StrictOrder => strict(flow, policy, &groups, steps),
        RuleOrder::DefaultActionOrder => default_order(flow, policy, &groups, steps),
    }
}

/// A rule matching every flow of its protocol, from anywhere (or `$HOME_NET`) to
/// anywhere, with nothing restricting it but the flow direction.
fn catch_all(rule: &SuricataRule, protos: &[suricata::Proto]) -> bool {
    let toks: Vec<&str> = rule.header.split_whitespace().collect();
    let tok = |i: usize| toks.get(i).copied().unwrap_or("");
    protos.contains(&rule.proto)
        && ["any", "$HOME_NET"].contains(&tok(2))
        && tok(3) == "any"
        && ["any", "$EXTERNAL_NET"].contains(&tok(5))
        && tok(6) == "any"
        && rule.contents.is_empty()
        && rule.unsupported.is_empty()
        && rule
            .flow
            .iter()
            .all(|f| ["to_server", "from_client", "established", "stateless"].contains(&f.as_str()))
}

fn is_allowlist(g: &RuleGroup) -> bool {
    matches!(&g.source, RuleSource::DomainList(d) if d.generated_rules_type.eq_ignore_ascii_case("ALLOWLIST"))
}

/// Whether the policy filters egress: the verdict is what happens to outbound
/// traffic no rule singles out. `Blocked` means unmatched traffic is dropped (the
/// policy filters egress); `Allowed` means it gets out.
pub fn filters_egress<'g>(
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Evaluation {
    coded(filters_egress_uncoded(policy, lookup))
}

fn filters_egress_uncoded<'g>(
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Evaluation {
    use suricata::Proto;
    let component = format!("firewall policy {}", policy.name);
    let mut steps = Vec::new();
    match standard_action(&policy.stateless_default_actions) {
        Err(e) => return Evaluation::unknown(format!("stateless default: {e}"), steps),
        Ok(PASS) => {
            steps.push(Step::new(
                &component,
                "stateless default aws:pass: unmatched traffic skips the stateful engine",
            ));
            return Evaluation::allowed(steps);
        }
        Ok(DROP) => {
            steps.push(Step::new(
                &component,
                "stateless default aws:drop drops unmatched traffic",
            ));
            return Evaluation::blocked(steps);
        }
        Ok(_) => steps.push(Step::new(
            &component,
            "stateless default aws:forward_to_sfe: unmatched traffic goes to the stateful engine",
        )),
    }
    let groups = match load_all(policy, lookup) {
        Ok(g) => g,
        Err(reason) => return Evaluation::unknown(reason, steps),
    };
    let strict_order = policy.stateful_rule_order == RuleOrder::StrictOrder;
    let mut unreadable: Option<String> = None;
    let mut drop_found: Option<Step> = None;
    for g in &groups {
        let gc = format!("stateful group {}", g.group.name);
        if !g.drop_to_alert && is_allowlist(g.group) && drop_found.is_none() {
            drop_found = Some(Step::new(
                &gc,
                "domain allowlist drops TLS/HTTP to every name it does not list",
            ));
            if strict_order {
                break;
            }
        }
        for entry in &g.entries {
            let rule = match entry {
                Entry::Broken(e) => {
                    unreadable
                        .get_or_insert_with(|| format!("{gc} has a rule that cannot be read: {e}"));
                    continue;
                }
                Entry::Rule(r) => r,
            };
            match effective(rule.action, g.drop_to_alert) {
                Action::Pass if catch_all(rule, &[Proto::Ip, Proto::Tcp, Proto::Udp]) => {
                    steps.push(Step::new(
                        &gc,
                        format!(
                            "{} passes all such traffic ahead of any drop",
                            describe(rule)
                        ),
                    ));
                    return Evaluation::allowed(steps);
                }
                Action::Drop | Action::Reject
                    if drop_found.is_none() && catch_all(rule, &[Proto::Ip]) =>
                {
                    drop_found = Some(Step::new(
                        &gc,
                        format!("{} {} the rest", describe(rule), verb(rule.action)),
                    ));
                    if strict_order {
                        break;
                    }
                }
                _ => {}
            }
        }
        if strict_order && drop_found.is_some() {
            break;
        }
    }
    if let Some(reason) = unreadable {
        return Evaluation::unknown(reason, steps);
    }
    if let Some(step) = drop_found {
        steps.push(step);
        return Evaluation::blocked(steps);
    }
    if strict_order {
        for d in [DROP_STRICT, DROP_ESTABLISHED] {
            if policy.stateful_default_actions.iter().any(|a| a == d) {
                steps.push(Step::new(
                    &component,
                    format!("stateful default {d} drops unmatched traffic"),
                ));
                return Evaluation::blocked(steps);
            }
        }
    }
    steps.push(Step::new(
        component,
        "the stateful side ends without a drop: unmatched traffic passes",
    ));
    Evaluation::allowed(steps)
}

/// Where a port expression's matching can change: the first port of each range it
/// names and the port after its last.
fn cuts_of(ports: &suricata::Ports, out: &mut Vec<u16>) -> Result<(), String> {
    match ports {
        suricata::Ports::Any => {}
        suricata::Ports::Range(a, b) => {
            out.push(*a);
            out.extend(b.checked_add(1));
        }
        suricata::Ports::List(l) => {
            for p in l {
                cuts_of(p, out)?;
            }
        }
        suricata::Ports::Not(p) => cuts_of(p, out)?,
        suricata::Ports::Undefined(v) => return Err(format!("port variable ${v} is undefined")),
    }
    Ok(())
}

/// Ports at which the policy's answer for TCP, UDP or SCTP may change: between two
/// consecutive cuts every port is matched by the same rules (domain rules and SNI
/// contents do not read the port). Includes the ports the engine detects an
/// application layer on (DNS 53, HTTP 80 and 8080). Sorted, deduplicated. `Err`
/// when a group is missing or a rule could not be read, so its ports are unknown.
pub fn port_cuts<'g>(
    policy: &FirewallPolicy,
    lookup: &dyn Fn(&str) -> Option<&'g RuleGroup>,
) -> Result<Vec<u16>, String> {
    let mut out = vec![53, 54, 80, 81, 8080, 8081];
    for r in &policy.stateless_rule_groups {
        let group = find(&r.arn, "stateless", lookup)?;
        let RuleSource::Stateless { rules, .. } = &group.source else {
            return Err(format!(
                "stateless group {} holds no stateless rules",
                group.name
            ));
        };
        for rule in rules {
            for range in rule.source_ports.iter().chain(&rule.destination_ports) {
                // Checked on load to lie within 0-65535.
                let (Ok(a), Ok(b)) = (u16::try_from(range.from), u16::try_from(range.to)) else {
                    return Err(format!("port range {}-{}", range.from, range.to));
                };
                out.push(a);
                out.extend(b.checked_add(1));
            }
        }
    }
    for loaded in load_all(policy, lookup)? {
        for entry in &loaded.entries {
            match entry {
                Entry::Rule(rule) => {
                    cuts_of(&rule.src_port, &mut out)?;
                    cuts_of(&rule.dst_port, &mut out)?;
                }
                Entry::Broken(e) => {
                    return Err(format!(
                        "stateful group {} line {}: {}",
                        loaded.group.name, e.line, e.reason
                    ))
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
