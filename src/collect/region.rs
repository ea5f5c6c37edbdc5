//! Collects one region: every resource type concurrently, under the global limit.

use std::future::Future;
use std::sync::Arc;

use aws_config::SdkConfig;
use tokio::sync::Semaphore;

use super::convert::Outcome;
use super::error::ApiFailure;
use super::{aws, ec2, network_firewall, Paging, Progress};
use crate::inventory::RegionInventory;

/// Number of collectors per region, for the progress bar.
pub const COLLECTORS: usize = 18;

async fn guarded<T>(
    limit: &Semaphore,
    progress: &Progress,
    region: &str,
    what: &str,
    work: impl Future<Output = T>,
) -> T {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = limit.acquire().await.ok();
    let out = work.await;
    progress.done(region, what);
    out
}

fn take<T>(
    outcome: Outcome<T>,
    failures: &mut Vec<ApiFailure>,
    key: impl Fn(&T) -> String,
) -> Vec<T> {
    failures.extend(outcome.failures);
    let mut items = outcome.items;
    // Sorted so that two collections of the same account compare equal.
    items.sort_by_cached_key(|i| key(i));
    items
}

pub async fn collect_region(
    config: &SdkConfig,
    region: &str,
    limit: Arc<Semaphore>,
    concurrency: usize,
    pg: Paging,
    progress: &Progress,
) -> (RegionInventory, Vec<ApiFailure>) {
    let c = aws::ec2_client(config, region);
    let nfw = aws::network_firewall_client(config, region);
    let l = limit.as_ref();
    let (vpcs, subnets, route_tables, igws, eigws, nats, enis, instances, groups) = tokio::join!(
        guarded(l, progress, region, "VPCs", ec2::vpcs(&c, pg)),
        guarded(l, progress, region, "subnets", ec2::subnets(&c, pg)),
        guarded(
            l,
            progress,
            region,
            "route tables",
            ec2::route_tables(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "internet gateways",
            ec2::internet_gateways(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "egress-only gateways",
            ec2::egress_only_internet_gateways(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "NAT gateways",
            ec2::nat_gateways(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "network interfaces",
            ec2::network_interfaces(&c, pg)
        ),
        guarded(l, progress, region, "instances", ec2::instances(&c, pg)),
        guarded(
            l,
            progress,
            region,
            "security groups",
            ec2::security_groups(&c, pg)
        ),
    );
    let (
        prefix_lists,
        nacls,
        endpoints,
        peerings,
        tgws,
        tgw_attachments,
        tgw_tables,
        flow_logs,
        firewall,
    ) = tokio::join!(
        guarded(
            l,
            progress,
            region,
            "prefix lists",
            ec2::managed_prefix_lists(&c, pg, concurrency)
        ),
        guarded(
            l,
            progress,
            region,
            "network ACLs",
            ec2::network_acls(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "VPC endpoints",
            ec2::vpc_endpoints(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "peering connections",
            ec2::vpc_peering_connections(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "transit gateways",
            ec2::transit_gateways(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "TGW attachments",
            ec2::transit_gateway_attachments(&c, pg)
        ),
        guarded(
            l,
            progress,
            region,
            "TGW route tables",
            ec2::transit_gateway_route_tables(&c, pg, concurrency)
        ),
        guarded(l, progress, region, "flow logs", ec2::flow_logs(&c, pg)),
        guarded(
            l,
            progress,
            region,
            "network firewall",
            network_firewall::collect(&nfw, pg, concurrency)
        ),
    );

    let mut f = Vec::new();
    let mut inv = RegionInventory::new(region);
    inv.vpcs = take(vpcs, &mut f, |i| i.id.clone());
    inv.subnets = take(subnets, &mut f, |i| i.id.clone());
    inv.route_tables = take(route_tables, &mut f, |i| i.id.clone());
    inv.internet_gateways = take(igws, &mut f, |i| i.id.clone());
    inv.egress_only_internet_gateways = take(eigws, &mut f, |i| i.id.clone());
    inv.nat_gateways = take(nats, &mut f, |i| i.id.clone());
    inv.network_interfaces = take(enis, &mut f, |i| i.id.clone());
    inv.instances = take(instances, &mut f, |i| i.id.clone());
    inv.security_groups = take(groups, &mut f, |i| i.id.clone());
    inv.managed_prefix_lists = take(prefix_lists, &mut f, |i| i.id.clone());
    inv.network_acls = take(nacls, &mut f, |i| i.id.clone());
    inv.vpc_endpoints = take(endpoints, &mut f, |i| i.id.clone());
    inv.vpc_peering_connections = take(peerings, &mut f, |i| i.id.clone());
    inv.transit_gateways = take(tgws, &mut f, |i| i.id.clone());
    inv.transit_gateway_attachments = take(tgw_attachments, &mut f, |i| i.id.clone());
    inv.transit_gateway_route_tables = take(tgw_tables, &mut f, |i| i.id.clone());
    inv.flow_logs = take(flow_logs, &mut f, |i| i.id.clone());
    let firewall_failures = firewall.failures;
    inv.firewalls = take(
        Outcome {
            items: firewall.firewalls,
            failures: Vec::new(),
        },
        &mut f,
        |i| i.arn.clone(),
    );
    inv.firewall_policies = take(
        Outcome {
            items: firewall.policies,
            failures: Vec::new(),
        },
        &mut f,
        |i| i.arn.clone(),
    );
    inv.firewall_rule_groups = take(
        Outcome {
            items: firewall.rule_groups,
            failures: Vec::new(),
        },
        &mut f,
        |i| i.arn.clone(),
    );
    f.extend(firewall_failures);
    f.sort_by(|a, b| {
        (&a.service, &a.operation, &a.message).cmp(&(&b.service, &b.operation, &b.message))
    });
    (inv, f)
}
