//! The rules, entries and routes of a resource as one line of text each: what the
//! resource diff compares as sets, and what a change shows as `before` / `after`.

use crate::answer::diff::ChangeKind;
use crate::inventory::{
    AssociationTarget, Direction, FirewallPolicy, L4Match, LoadBalancer, ManagedPrefixList,
    NaclAction, NetworkAcl, Protocol, Route, RouteDestination, RouteState, RouteTable, RouteTarget,
    RuleGroup, RulePeer, RuleSource, SecurityGroup, SecurityGroupRule, TargetGroup,
    TransitGatewayRouteTable,
};

/// One rule, entry or route of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub kind: ChangeKind,
    pub text: String,
    /// Other resources it names (a route's target, a rule's peer group): a finding
    /// about them may be this member's doing.
    pub refs: Vec<String>,
}

fn member(kind: ChangeKind, text: String, refs: Vec<String>) -> Member {
    Member { kind, text, refs }
}

/// `tcp/22`, `tcp/1024-65535`, `udp` (every port), `icmp type 8`, `all`.
pub fn service(protocol: Protocol, l4: &L4Match) -> String {
    match l4 {
        L4Match::Any => protocol.to_string(),
        L4Match::Ports(p) if p.from == 0 && p.to == 65535 => protocol.to_string(),
        L4Match::Ports(p) if p.from == p.to => format!("{protocol}/{}", p.from),
        L4Match::Ports(p) => format!("{protocol}/{}-{}", p.from, p.to),
        L4Match::Icmp {
            icmp_type,
            icmp_code,
        } => match (icmp_type, icmp_code) {
            (None, _) => protocol.to_string(),
            (Some(t), None) => format!("{protocol} type {t}"),
            (Some(t), Some(c)) => format!("{protocol} type {t} code {c}"),
        },
    }
}

fn direction_word(d: Direction) -> (&'static str, &'static str) {
    match d {
        Direction::Ingress => ("ingress", "from"),
        Direction::Egress => ("egress", "to"),
    }
}

fn peer(p: &RulePeer) -> (String, Vec<String>) {
    match p {
        RulePeer::Ipv4 { cidr } => (cidr.to_string(), Vec::new()),
        RulePeer::Ipv6 { cidr } => (cidr.to_string(), Vec::new()),
        RulePeer::PrefixList { id } => (id.clone(), vec![id.clone()]),
        RulePeer::Group {
            group_id,
            account_id,
            ..
        } => match account_id {
            Some(a) => (format!("{a}/{group_id}"), vec![group_id.clone()]),
            None => (group_id.clone(), vec![group_id.clone()]),
        },
    }
}

/// `ingress tcp/22 from 0.0.0.0/0 "ssh"`. The rule id is left out: AWS gives a new
/// one to a rule deleted and re-created, which is the same rule.
pub fn security_group_rule(r: &SecurityGroupRule) -> (String, Vec<String>) {
    let (dir, word) = direction_word(r.direction);
    let (who, refs) = peer(&r.peer);
    let mut text = format!("{dir} {} {word} {who}", service(r.protocol, &r.l4));
    if let Some(d) = r.description.as_deref().filter(|d| !d.is_empty()) {
        text.push_str(&format!(" {d:?}"));
    }
    (text, refs)
}

pub fn security_group(g: &SecurityGroup) -> Vec<Member> {
    g.rules
        .iter()
        .map(|r| {
            let (text, refs) = security_group_rule(r);
            member(ChangeKind::SecurityGroupRule, text, refs)
        })
        .collect()
}

pub fn network_acl(n: &NetworkAcl) -> Vec<Member> {
    let entries = n.entries.iter().map(|e| {
        let (dir, word) = direction_word(e.direction);
        let action = match e.action {
            NaclAction::Allow => "allow",
            NaclAction::Deny => "deny",
        };
        let text = format!(
            "{dir} #{} {action} {} {word} {}",
            e.rule_number,
            service(e.protocol, &e.l4),
            e.cidr
        );
        member(ChangeKind::NetworkAclEntry, text, Vec::new())
    });
    let associations = n.associations.iter().map(|a| {
        member(
            ChangeKind::NetworkAclAssociation,
            format!("subnet {}", a.subnet_id),
            vec![a.subnet_id.clone()],
        )
    });
    entries.chain(associations).collect()
}

fn destination(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Ipv4(n) => n.to_string(),
        RouteDestination::Ipv6(n) => n.to_string(),
        RouteDestination::PrefixList(p) => p.clone(),
    }
}

fn target(t: &RouteTarget) -> Option<&str> {
    t.id()
}

/// `0.0.0.0/0 -> nat-0abc`, with ` (blackhole)` when it goes nowhere.
pub fn route(r: &Route) -> (String, Vec<String>) {
    let to = target(&r.target);
    let mut text = format!(
        "{} -> {}",
        destination(&r.destination),
        to.unwrap_or("local")
    );
    match r.state {
        RouteState::Active => {}
        RouteState::Blackhole => text.push_str(" (blackhole)"),
        RouteState::Unknown => text.push_str(" (state unknown)"),
    }
    let mut refs: Vec<String> = to.map(str::to_string).into_iter().collect();
    if let RouteDestination::PrefixList(p) = &r.destination {
        refs.push(p.clone());
    }
    (text, refs)
}

pub fn route_table(t: &RouteTable) -> Vec<Member> {
    let routes = t.routes.iter().map(|r| {
        let (text, refs) = route(r);
        member(ChangeKind::Route, text, refs)
    });
    let associations = t.associations.iter().map(|a| {
        let (text, refs) = match &a.target {
            AssociationTarget::Main => ("main".to_string(), Vec::new()),
            AssociationTarget::Subnet(s) => (format!("subnet {s}"), vec![s.clone()]),
            AssociationTarget::Gateway(g) => (format!("gateway {g}"), vec![g.clone()]),
        };
        member(ChangeKind::RouteTableAssociation, text, refs)
    });
    let vgws = t.propagating_vgws.iter().map(|v| {
        member(
            ChangeKind::RouteTableAssociation,
            format!("propagating {v}"),
            vec![v.clone()],
        )
    });
    routes.chain(associations).chain(vgws).collect()
}

pub fn prefix_list(p: &ManagedPrefixList) -> Vec<Member> {
    p.entries
        .iter()
        .map(|e| {
            let text = match e.description.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => format!("{} {d:?}", e.cidr),
                None => e.cidr.to_string(),
            };
            member(ChangeKind::PrefixListEntry, text, Vec::new())
        })
        .collect()
}

pub fn transit_gateway_route_table(t: &TransitGatewayRouteTable) -> Vec<Member> {
    t.routes
        .iter()
        .map(|r| {
            let to: Vec<String> = r
                .attachments
                .iter()
                .filter_map(|a| a.attachment_id.clone().or_else(|| a.resource_id.clone()))
                .collect();
            let shown = if to.is_empty() {
                "nothing".to_string()
            } else {
                to.join(", ")
            };
            let mut text = format!("{} -> {shown}", destination(&r.destination));
            let notes: Vec<&str> = [r.route_type.as_deref(), r.state.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !notes.is_empty() {
                text.push_str(&format!(" ({})", notes.join(", ")));
            }
            member(ChangeKind::TransitGatewayRoute, text, to)
        })
        .collect()
}

pub fn firewall_policy(p: &FirewallPolicy) -> Vec<Member> {
    let group = |engine: &str, g: &crate::inventory::RuleGroupReference| {
        let mut text = format!("{engine} {}", g.arn);
        if let Some(n) = g.priority {
            text.push_str(&format!(" priority {n}"));
        }
        if let Some(o) = &g.override_action {
            text.push_str(&format!(" override {o}"));
        }
        member(
            ChangeKind::FirewallPolicyRuleGroup,
            text,
            vec![g.arn.clone()],
        )
    };
    p.stateless_rule_groups
        .iter()
        .map(|g| group("stateless", g))
        .chain(p.stateful_rule_groups.iter().map(|g| group("stateful", g)))
        .collect()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn rule_group(g: &RuleGroup) -> Vec<Member> {
    let rule = |text: String| member(ChangeKind::FirewallRule, text, Vec::new());
    match &g.source {
        RuleSource::RulesString { rules } => rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| rule(l.to_string()))
            .collect(),
        RuleSource::DomainList(d) => d
            .targets
            .iter()
            .map(|t| {
                rule(format!(
                    "{} {} {t}",
                    d.generated_rules_type,
                    d.target_types.join(",")
                ))
            })
            .collect(),
        RuleSource::StatefulRules { rules } => rules
            .iter()
            .map(|r| {
                let options: Vec<String> = r
                    .options
                    .iter()
                    .map(|o| {
                        if o.settings.is_empty() {
                            o.keyword.clone()
                        } else {
                            format!("{}:{}", o.keyword, o.settings.join(","))
                        }
                    })
                    .collect();
                let arrow = if r.direction == "ANY" { "<>" } else { "->" };
                rule(format!(
                    "{} {} {} {} {arrow} {} {} ({})",
                    r.action,
                    r.protocol,
                    r.source,
                    r.source_port,
                    r.destination,
                    r.destination_port,
                    options.join("; ")
                ))
            })
            .collect(),
        RuleSource::Stateless {
            rules,
            custom_actions,
        } => rules
            .iter()
            .map(|r| {
                rule(format!(
                    "priority {} {} {}",
                    r.priority,
                    r.actions.join(","),
                    json(&(
                        &r.protocols,
                        &r.sources,
                        &r.source_ports,
                        &r.destinations,
                        &r.destination_ports,
                        &r.tcp_flags
                    ))
                ))
            })
            .chain(
                custom_actions
                    .iter()
                    .map(|a| rule(format!("custom action {a}"))),
            )
            .collect(),
        RuleSource::Empty => Vec::new(),
    }
}

pub fn load_balancer(lb: &LoadBalancer) -> Vec<Member> {
    let Some(listeners) = &lb.listeners else {
        return Vec::new();
    };
    listeners
        .iter()
        .map(|l| {
            let mut text = format!("{}:{}", l.protocol, l.port);
            if let Some(p) = l.instance_port {
                let proto = l.instance_protocol.as_deref().unwrap_or("");
                text.push_str(&format!(" -> instance {proto}:{p}"));
            }
            if !l.target_group_arns.is_empty() {
                text.push_str(&format!(" -> {}", l.target_group_arns.join(", ")));
            }
            member(
                ChangeKind::LoadBalancerListener,
                text,
                l.target_group_arns.clone(),
            )
        })
        .collect()
}

pub fn target_group(tg: &TargetGroup) -> Vec<Member> {
    let Some(targets) = &tg.targets else {
        return Vec::new();
    };
    targets
        .iter()
        .map(|t| {
            let text = match t.port {
                Some(p) => format!("{} port {p}", t.id),
                None => t.id.clone(),
            };
            member(ChangeKind::TargetGroupTarget, text, vec![t.id.clone()])
        })
        .collect()
}

pub fn dns_rule_group(g: &crate::inventory::DnsFirewallRuleGroup) -> Vec<Member> {
    g.rules
        .iter()
        .flatten()
        .map(|r| {
            let what = r
                .firewall_domain_list_id
                .clone()
                .or_else(|| r.dns_threat_protection.clone())
                .unwrap_or_default();
            let mut text = format!("priority {} {} {what}", r.priority, r.action);
            if let Some(b) = &r.block_response {
                text.push_str(&format!(" ({b})"));
            }
            let refs = r.firewall_domain_list_id.iter().cloned().collect();
            member(ChangeKind::DnsFirewallRule, text, refs)
        })
        .collect()
}

pub fn dns_domain_list(l: &crate::inventory::DnsFirewallDomainList) -> Vec<Member> {
    l.domains
        .iter()
        .flatten()
        .map(|d| member(ChangeKind::DnsFirewallDomain, d.clone(), Vec::new()))
        .collect()
}
