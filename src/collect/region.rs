//! Collects one region: every resource type concurrently, under the global limit
//! and the region's time limit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::{watch, Semaphore};

use super::convert::Outcome;
use super::error::ApiFailure;
use super::network_firewall::NetworkFirewallInventory;
use super::{aws, ec2, network_firewall, Paging, Progress};
use crate::inventory::{GapKind, RegionInventory};

/// Number of collectors per region, for the progress bar.
pub const COLLECTORS: usize = 18;

/// What a collector leaves when it is abandoned: nothing collected, a gap per
/// operation it would have called.
trait Abandon {
    fn abandoned(failures: Vec<ApiFailure>) -> Self;
}

impl<T> Abandon for Outcome<T> {
    fn abandoned(failures: Vec<ApiFailure>) -> Self {
        Outcome {
            items: Vec::new(),
            failures,
        }
    }
}

impl Abandon for NetworkFirewallInventory {
    fn abandoned(failures: Vec<ApiFailure>) -> Self {
        NetworkFirewallInventory {
            firewalls: Vec::new(),
            policies: Vec::new(),
            rule_groups: Vec::new(),
            failures,
        }
    }
}

/// One region's run: the shared call limit, the progress bar, and the region's
/// time limit with the signal that abandons the region once it has run out.
struct RegionRun<'a> {
    region: &'a str,
    limit: &'a Semaphore,
    progress: &'a Progress,
    timeout: Duration,
    abandon: watch::Sender<bool>,
}

impl RegionRun<'_> {
    /// Runs one collector under the call limit. A collector may run for the region
    /// timeout, counted from when it gets its turn, so that waiting behind other
    /// regions' calls never counts against a region. When one collector runs out, the
    /// region does not answer: it is abandoned, which cancels its collectors still
    /// running and skips those not yet started. Each operation an abandoned collector
    /// stands for becomes a timeout gap, so the checks that read them say unknown.
    async fn guarded<T: Abandon>(
        &self,
        what: &str,
        service: &'static str,
        operations: &[&str],
        work: impl Future<Output = T>,
    ) -> T {
        let mut abandoned = self.abandon.subscribe();
        let run = async {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = self.limit.acquire().await.ok();
            if *abandoned.borrow() {
                return None;
            }
            tokio::select! {
                out = work => Some(out),
                _ = tokio::time::sleep(self.timeout) => {
                    tracing::warn!(
                        region = %self.region,
                        collector = what,
                        "region abandoned: no answer within {} s",
                        self.timeout.as_secs()
                    );
                    self.abandon.send_replace(true);
                    None
                }
                // Only a send of `true` ends the wait; the sender outlives the join.
                _ = abandoned.wait_for(|gone| *gone) => None,
            }
        };
        let out = match run.await {
            Some(out) => out,
            None => {
                let message = format!(
                    "abandoned: {} did not answer within the region timeout of {} s \
                     (--region-timeout)",
                    self.region,
                    self.timeout.as_secs()
                );
                T::abandoned(
                    operations
                        .iter()
                        .map(|op| ApiFailure {
                            service,
                            operation: (*op).to_string(),
                            kind: GapKind::Timeout,
                            error_code: None,
                            message: message.clone(),
                        })
                        .collect(),
                )
            }
        };
        self.progress.done(self.region, what);
        out
    }
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

pub struct RegionSettings {
    pub concurrency: usize,
    pub paging: Paging,
    /// How long one collector may run before the region counts as not answering.
    pub timeout: Duration,
}

pub async fn collect_region(
    config: &SdkConfig,
    region: &str,
    limit: Arc<Semaphore>,
    settings: &RegionSettings,
    progress: &Progress,
) -> (RegionInventory, Vec<ApiFailure>) {
    let c = aws::ec2_client(config, region);
    let nfw = aws::network_firewall_client(config, region);
    let (pg, concurrency) = (settings.paging, settings.concurrency);
    let run = RegionRun {
        region,
        limit: limit.as_ref(),
        progress,
        timeout: settings.timeout,
        abandon: watch::Sender::new(false),
    };
    const EC2: &str = "ec2";
    let (vpcs, subnets, route_tables, igws, eigws, nats, enis, instances, groups) = tokio::join!(
        run.guarded("VPCs", EC2, &["DescribeVpcs"], ec2::vpcs(&c, pg)),
        run.guarded("subnets", EC2, &["DescribeSubnets"], ec2::subnets(&c, pg)),
        run.guarded(
            "route tables",
            EC2,
            &["DescribeRouteTables"],
            ec2::route_tables(&c, pg)
        ),
        run.guarded(
            "internet gateways",
            EC2,
            &["DescribeInternetGateways"],
            ec2::internet_gateways(&c, pg)
        ),
        run.guarded(
            "egress-only gateways",
            EC2,
            &["DescribeEgressOnlyInternetGateways"],
            ec2::egress_only_internet_gateways(&c, pg)
        ),
        run.guarded(
            "NAT gateways",
            EC2,
            &["DescribeNatGateways"],
            ec2::nat_gateways(&c, pg)
        ),
        run.guarded(
            "network interfaces",
            EC2,
            &["DescribeNetworkInterfaces"],
            ec2::network_interfaces(&c, pg)
        ),
        run.guarded(
            "instances",
            EC2,
            &["DescribeInstances"],
            ec2::instances(&c, pg)
        ),
        run.guarded(
            "security groups",
            EC2,
            &["DescribeSecurityGroups", "DescribeSecurityGroupRules"],
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
        run.guarded(
            "prefix lists",
            EC2,
            &["DescribeManagedPrefixLists", "GetManagedPrefixListEntries"],
            ec2::managed_prefix_lists(&c, pg, concurrency)
        ),
        run.guarded(
            "network ACLs",
            EC2,
            &["DescribeNetworkAcls"],
            ec2::network_acls(&c, pg)
        ),
        run.guarded(
            "VPC endpoints",
            EC2,
            &["DescribeVpcEndpoints"],
            ec2::vpc_endpoints(&c, pg)
        ),
        run.guarded(
            "peering connections",
            EC2,
            &["DescribeVpcPeeringConnections"],
            ec2::vpc_peering_connections(&c, pg)
        ),
        run.guarded(
            "transit gateways",
            EC2,
            &["DescribeTransitGateways"],
            ec2::transit_gateways(&c, pg)
        ),
        run.guarded(
            "TGW attachments",
            EC2,
            &[
                "DescribeTransitGatewayAttachments",
                "DescribeTransitGatewayVpcAttachments"
            ],
            ec2::transit_gateway_attachments(&c, pg)
        ),
        run.guarded(
            "TGW route tables",
            EC2,
            &[
                "DescribeTransitGatewayRouteTables",
                "GetTransitGatewayRouteTableAssociations",
                "GetTransitGatewayRouteTablePropagations",
                "SearchTransitGatewayRoutes"
            ],
            ec2::transit_gateway_route_tables(&c, pg, concurrency)
        ),
        run.guarded(
            "flow logs",
            EC2,
            &["DescribeFlowLogs"],
            ec2::flow_logs(&c, pg)
        ),
        run.guarded(
            "network firewall",
            "network-firewall",
            &[
                "ListFirewalls",
                "DescribeFirewall",
                "DescribeLoggingConfiguration",
                "ListFirewallPolicies",
                "DescribeFirewallPolicy",
                "ListRuleGroups",
                "DescribeRuleGroup"
            ],
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
