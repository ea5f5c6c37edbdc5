//! DNS Firewall: rule groups with their rules, domain lists with their domains, VPC
//! associations and fail-open configurations.

use aws_sdk_route53resolver::Client;

use super::{aws_name, MAX_RESULTS};
use crate::collect::convert::{for_each_item, opt, string, Outcome, Problems};
use crate::collect::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    DnsFirewallConfig, DnsFirewallDomainList, DnsFirewallRule, DnsFirewallRuleGroup,
    DnsFirewallRuleGroupAssociation, Operation,
};

/// AWS's largest page of ListFirewallDomains.
const DOMAINS_MAX_RESULTS: i32 = 5000;
/// AWS's largest page of ListFirewallConfigs (its smallest is 5).
const CONFIGS_MAX_RESULTS: i32 = 10;

pub async fn rule_groups(
    client: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<DnsFirewallRuleGroup> {
    let listed = match fetch_all!(
        Operation::ListFirewallRuleGroups,
        client
            .list_firewall_rule_groups()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let ids = listed.iter().map(|g| string(g.id()));
    let answers = for_each_item(ids, concurrency, |id| async move {
        fetch_all!(
            Operation::ListFirewallRules,
            client
                .list_firewall_rules()
                .firewall_rule_group_id(&id)
                .max_results(pg.size(MAX_RESULTS))
        )
    })
    .await;
    let mut p = Problems::default();
    let out = listed
        .iter()
        .zip(answers)
        .map(|(g, (id, rules))| DnsFirewallRuleGroup {
            arn: opt(g.arn()),
            name: opt(g.name()),
            owner_id: opt(g.owner_id()),
            share_status: aws_name(g.share_status()),
            rules: listed_or_gap(rules, &id, &mut p).map(|rules| {
                let mut rules: Vec<DnsFirewallRule> = rules.iter().map(rule).collect();
                // Evaluation order.
                rules.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
                rules
            }),
            id,
        })
        .collect();
    Outcome::new(out, p)
}

fn rule(r: &aws_sdk_route53resolver::types::FirewallRule) -> DnsFirewallRule {
    DnsFirewallRule {
        name: opt(r.name()),
        priority: r.priority().unwrap_or_default(),
        action: aws_name(r.action()).unwrap_or_default(),
        block_response: aws_name(r.block_response()),
        firewall_domain_list_id: opt(r.firewall_domain_list_id()),
        firewall_threat_protection_id: opt(r.firewall_threat_protection_id()),
        dns_threat_protection: aws_name(r.dns_threat_protection()),
        confidence_threshold: aws_name(r.confidence_threshold()),
        qtype: opt(r.qtype()),
    }
}

/// A per-item list: its items, or `None` with the failure kept, about the item.
fn listed_or_gap<T>(
    answer: Result<Vec<T>, ApiFailure>,
    id: &str,
    p: &mut Problems,
) -> Option<Vec<T>> {
    match answer {
        Ok(items) => Some(items),
        Err(f) => {
            p.failures.push(f.about(id));
            None
        }
    }
}

pub async fn rule_group_associations(
    client: &Client,
    pg: Paging,
) -> Outcome<DnsFirewallRuleGroupAssociation> {
    let listed = match fetch_all!(
        Operation::ListFirewallRuleGroupAssociations,
        client
            .list_firewall_rule_group_associations()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let out = listed
        .iter()
        .map(|a| DnsFirewallRuleGroupAssociation {
            id: string(a.id()),
            arn: opt(a.arn()),
            name: opt(a.name()),
            firewall_rule_group_id: string(a.firewall_rule_group_id()),
            vpc_id: string(a.vpc_id()),
            priority: a.priority().unwrap_or_default(),
            mutation_protection: aws_name(a.mutation_protection()),
            status: aws_name(a.status()),
        })
        .collect();
    Outcome::new(out, Problems::default())
}

pub async fn domain_lists(
    client: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<DnsFirewallDomainList> {
    let listed = match fetch_all!(
        Operation::ListFirewallDomainLists,
        client
            .list_firewall_domain_lists()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    // AWS managed lists do not reveal their domains: not asked.
    let own = listed
        .iter()
        .filter(|l| l.managed_owner_name().is_none())
        .map(|l| string(l.id()));
    let mut answers: std::collections::HashMap<String, _> =
        for_each_item(own, concurrency, |id| async move {
            fetch_all!(
                Operation::ListFirewallDomains,
                client
                    .list_firewall_domains()
                    .firewall_domain_list_id(&id)
                    .max_results(pg.size(DOMAINS_MAX_RESULTS))
            )
        })
        .await
        .into_iter()
        .collect();
    let mut p = Problems::default();
    let out = listed
        .iter()
        .map(|l| {
            let id = string(l.id());
            let domains = answers
                .remove(&id)
                .and_then(|answer| listed_or_gap(answer, &id, &mut p))
                .map(|mut domains: Vec<String>| {
                    domains.sort();
                    domains
                });
            DnsFirewallDomainList {
                arn: opt(l.arn()),
                name: opt(l.name()),
                managed_owner_name: opt(l.managed_owner_name()),
                domains,
                id,
            }
        })
        .collect();
    Outcome::new(out, p)
}

pub async fn configs(client: &Client, pg: Paging) -> Outcome<DnsFirewallConfig> {
    let listed = match fetch_all!(
        Operation::ListFirewallConfigs,
        client
            .list_firewall_configs()
            .max_results(pg.size(CONFIGS_MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(listed.len());
    for c in &listed {
        let resource_id = string(c.resource_id());
        // The setting is the point of the item: without it the VPC's behaviour is
        // unknown, which a gap says rather than a guessed default.
        let Some(fail_open) = aws_name(c.firewall_fail_open()) else {
            p.invalid_about(
                Operation::ListFirewallConfigs,
                &resource_id,
                "no FirewallFailOpen in the answer",
            );
            continue;
        };
        out.push(DnsFirewallConfig {
            id: opt(c.id()),
            owner_id: opt(c.owner_id()),
            firewall_fail_open: fail_open,
            resource_id,
        });
    }
    Outcome::new(out, p)
}
