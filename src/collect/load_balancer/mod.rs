//! Elastic Load Balancing: Application, Network and Gateway Load Balancers with their
//! listeners and target groups (the v2 API), and Classic Load Balancers (the original
//! API). Both APIs answer under the one `elasticloadbalancing` IAM prefix.

mod classic;
mod v2;

use super::convert::Outcome;
use super::error::ApiFailure;
use super::Paging;
use crate::inventory::{LoadBalancer, TargetGroup};

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
    LoadBalancingInventory {
        load_balancers,
        target_groups: target_groups.items,
        failures,
    }
}
