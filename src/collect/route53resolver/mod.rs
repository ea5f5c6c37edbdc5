//! Route 53 Resolver in one region: DNS Firewall, query logging, resolver endpoints
//! and rules. Every list is paged; a list that fails is empty with a gap, a per-item
//! call that fails leaves that item's part `None` with a gap naming the item.

mod firewall;
mod resolver;

use aws_sdk_route53resolver::Client;

use super::error::ApiFailure;
use crate::collect::Paging;
use crate::inventory::Route53Resolver;

/// AWS's largest page for most Route 53 Resolver lists.
const MAX_RESULTS: i32 = 100;

pub struct Route53ResolverInventory {
    pub resolver: Route53Resolver,
    pub failures: Vec<ApiFailure>,
}

pub async fn collect(client: &Client, pg: Paging, concurrency: usize) -> Route53ResolverInventory {
    let (
        rule_groups,
        associations,
        domain_lists,
        configs,
        query_log_configs,
        query_log_associations,
        endpoints,
        rules,
        rule_associations,
    ) = tokio::join!(
        firewall::rule_groups(client, pg, concurrency),
        firewall::rule_group_associations(client, pg),
        firewall::domain_lists(client, pg, concurrency),
        firewall::configs(client, pg),
        resolver::query_log_configs(client, pg),
        resolver::query_log_config_associations(client, pg),
        resolver::endpoints(client, pg, concurrency),
        resolver::rules(client, pg),
        resolver::rule_associations(client, pg),
    );
    let mut failures = Vec::new();
    // Sorted so that two collections of the same account compare equal.
    let resolver = Route53Resolver {
        firewall_rule_groups: sorted(rule_groups, &mut failures, |i| i.id.clone()),
        firewall_rule_group_associations: sorted(associations, &mut failures, |i| i.id.clone()),
        firewall_domain_lists: sorted(domain_lists, &mut failures, |i| i.id.clone()),
        firewall_configs: sorted(configs, &mut failures, |i| i.resource_id.clone()),
        query_log_configs: sorted(query_log_configs, &mut failures, |i| i.id.clone()),
        query_log_config_associations: sorted(query_log_associations, &mut failures, |i| {
            i.id.clone()
        }),
        resolver_endpoints: sorted(endpoints, &mut failures, |i| i.id.clone()),
        resolver_rules: sorted(rules, &mut failures, |i| i.id.clone()),
        resolver_rule_associations: sorted(rule_associations, &mut failures, |i| i.id.clone()),
    };
    Route53ResolverInventory { resolver, failures }
}

fn sorted<T>(
    outcome: super::convert::Outcome<T>,
    failures: &mut Vec<ApiFailure>,
    key: impl Fn(&T) -> String,
) -> Vec<T> {
    failures.extend(outcome.failures);
    let mut items = outcome.items;
    items.sort_by_cached_key(|i| key(i));
    items
}

/// An SDK enum as AWS spells it.
fn aws_name<T: AsRef<str>>(value: Option<&T>) -> Option<String> {
    value.map(|v| v.as_ref().to_string())
}
