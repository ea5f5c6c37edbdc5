//! Elastic Load Balancing: Application, Network and Gateway Load Balancers with their
//! listeners and target groups (the v2 API), and Classic Load Balancers (the original
//! API). Both APIs answer under the one `elasticloadbalancing` IAM prefix.

mod classic;
mod tags;
mod v2;

use super::convert::Outcome;
use super::error::ApiFailure;
use super::Paging;
use crate::inventory::{LoadBalancer, LoadBalancerType, TargetGroup};

/// The most items a page of the Describe calls of either API may hold.
const PAGE_MAX: i32 = 400;

pub struct LoadBalancingInventory {
    pub load_balancers: Vec<LoadBalancer>,
    pub target_groups: Vec<TargetGroup>,
    pub failures: Vec<ApiFailure>,
}

/// Who owns the load balancers read: a classic load balancer's ARN is built from it.
pub struct Owner<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
}

pub async fn collect(
    v2_client: &aws_sdk_elasticloadbalancingv2::Client,
    classic_client: &aws_sdk_elasticloadbalancing::Client,
    owner: &Owner<'_>,
    pg: Paging,
    concurrency: usize,
) -> LoadBalancingInventory {
    let (v2_lbs, target_groups, classic_lbs) = tokio::join!(
        v2::load_balancers(v2_client, pg, concurrency),
        v2::target_groups(v2_client, pg, concurrency),
        classic::load_balancers(classic_client, owner, pg),
    );
    let mut failures = Vec::new();
    let mut load_balancers = Vec::new();
    for Outcome { items, failures: f } in [v2_lbs, classic_lbs] {
        load_balancers.extend(items);
        failures.extend(f);
    }
    failures.extend(target_groups.failures);
    let mut target_groups = target_groups.items;

    // Tags: the ELBv2 load balancers and target groups together, in as few calls as
    // their batches allow; classic load balancers by name.
    let (v2_arns, classic_names): (Vec<_>, Vec<_>) = load_balancers
        .iter()
        .partition(|lb| lb.lb_type != LoadBalancerType::Classic);
    let v2_arns: Vec<String> = v2_arns
        .iter()
        .map(|lb| lb.arn.clone())
        .chain(target_groups.iter().map(|g| g.arn.clone()))
        .collect();
    let classic_names: Vec<String> = classic_names.iter().map(|lb| lb.name.clone()).collect();
    let (mut v2_tags, mut classic_tags) = tokio::join!(
        tags::v2(v2_client, v2_arns, concurrency),
        tags::classic(classic_client, classic_names, concurrency),
    );
    for lb in &mut load_balancers {
        let found = match lb.lb_type {
            LoadBalancerType::Classic => classic_tags.tags.remove(&lb.name),
            _ => v2_tags.tags.remove(&lb.arn),
        };
        lb.tags = found.unwrap_or_default();
    }
    for g in &mut target_groups {
        g.tags = v2_tags.tags.remove(&g.arn).unwrap_or_default();
    }
    failures.extend(v2_tags.failures);
    failures.extend(classic_tags.failures);
    LoadBalancingInventory {
        load_balancers,
        target_groups,
        failures,
    }
}
