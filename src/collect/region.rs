//! Collects one region: every resource type concurrently, under the global limit
//! and the region's time limit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::{watch, Semaphore};

use super::convert::Outcome;
use super::error::ApiFailure;
use super::load_balancer::{LoadBalancingInventory, Owner};
use super::network_firewall::NetworkFirewallInventory;
use super::route53resolver::Route53ResolverInventory;
use super::{aws, ec2, eks, load_balancer, network_firewall, route53resolver, Paging, Progress};
use crate::inventory::{GapKind, Operation, RegionInventory};

/// Number of collectors per region, for the progress bar.
pub const COLLECTORS: usize = 22;

/// The operations each collector calls: what an abandoned collector reports as
/// timeout gaps. Checks match gaps on these operations (see `reach`), so the unit
/// test below holds them to the operations the collectors themselves report.
mod ops {
    use crate::inventory::Operation::{self, *};

    pub const VPCS: &[Operation] = &[DescribeVpcs];
    pub const VPC_ATTRIBUTES: &[Operation] = &[DescribeVpcAttribute];
    pub const SUBNETS: &[Operation] = &[DescribeSubnets];
    pub const ROUTE_TABLES: &[Operation] = &[DescribeRouteTables];
    pub const INTERNET_GATEWAYS: &[Operation] = &[DescribeInternetGateways];
    pub const EGRESS_ONLY_GATEWAYS: &[Operation] = &[DescribeEgressOnlyInternetGateways];
    pub const NAT_GATEWAYS: &[Operation] = &[DescribeNatGateways];
    pub const NETWORK_INTERFACES: &[Operation] = &[DescribeNetworkInterfaces];
    pub const INSTANCES: &[Operation] = &[DescribeInstances];
    pub const SECURITY_GROUPS: &[Operation] = &[DescribeSecurityGroups, DescribeSecurityGroupRules];
    pub const PREFIX_LISTS: &[Operation] =
        &[DescribeManagedPrefixLists, GetManagedPrefixListEntries];
    pub const NETWORK_ACLS: &[Operation] = &[DescribeNetworkAcls];
    pub const VPC_ENDPOINTS: &[Operation] = &[DescribeVpcEndpoints];
    pub const PEERING_CONNECTIONS: &[Operation] = &[DescribeVpcPeeringConnections];
    pub const TRANSIT_GATEWAYS: &[Operation] = &[DescribeTransitGateways];
    pub const TGW_ATTACHMENTS: &[Operation] = &[
        DescribeTransitGatewayAttachments,
        DescribeTransitGatewayVpcAttachments,
    ];
    pub const TGW_ROUTE_TABLES: &[Operation] = &[
        DescribeTransitGatewayRouteTables,
        GetTransitGatewayRouteTableAssociations,
        GetTransitGatewayRouteTablePropagations,
        SearchTransitGatewayRoutes,
    ];
    pub const FLOW_LOGS: &[Operation] = &[DescribeFlowLogs];
    pub const NETWORK_FIREWALL: &[Operation] = &[
        ListFirewalls,
        DescribeFirewall,
        DescribeLoggingConfiguration,
        ListFirewallPolicies,
        DescribeFirewallPolicy,
        ListRuleGroups,
        DescribeRuleGroup,
    ];
    pub const EKS: &[Operation] = &[
        ListClusters,
        DescribeCluster,
        ListAddons,
        DescribeAddon,
        ListNodegroups,
        DescribeNodegroup,
    ];
    pub const LOAD_BALANCING: &[Operation] = &[
        DescribeLoadBalancers,
        DescribeListeners,
        DescribeRules,
        DescribeTargetGroups,
        DescribeTargetGroupAttributes,
        DescribeTargetHealth,
        DescribeTags,
    ];
    pub const ROUTE53_RESOLVER: &[Operation] = &[
        ListFirewallRuleGroups,
        ListFirewallRules,
        ListFirewallRuleGroupAssociations,
        ListFirewallDomainLists,
        ListFirewallDomains,
        ListFirewallConfigs,
        ListResolverQueryLogConfigs,
        ListResolverQueryLogConfigAssociations,
        ListResolverEndpoints,
        ListResolverEndpointIpAddresses,
        ListResolverRules,
        ListResolverRuleAssociations,
    ];
}

/// Every collector's operations, one entry per collector.
#[cfg(test)]
const ALL_OPS: [&[Operation]; COLLECTORS] = [
    ops::VPCS,
    ops::VPC_ATTRIBUTES,
    ops::SUBNETS,
    ops::ROUTE_TABLES,
    ops::INTERNET_GATEWAYS,
    ops::EGRESS_ONLY_GATEWAYS,
    ops::NAT_GATEWAYS,
    ops::NETWORK_INTERFACES,
    ops::INSTANCES,
    ops::SECURITY_GROUPS,
    ops::PREFIX_LISTS,
    ops::NETWORK_ACLS,
    ops::VPC_ENDPOINTS,
    ops::PEERING_CONNECTIONS,
    ops::TRANSIT_GATEWAYS,
    ops::TGW_ATTACHMENTS,
    ops::TGW_ROUTE_TABLES,
    ops::FLOW_LOGS,
    ops::NETWORK_FIREWALL,
    ops::EKS,
    ops::LOAD_BALANCING,
    ops::ROUTE53_RESOLVER,
];

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

impl Abandon for LoadBalancingInventory {
    fn abandoned(failures: Vec<ApiFailure>) -> Self {
        LoadBalancingInventory {
            load_balancers: Vec::new(),
            target_groups: Vec::new(),
            failures,
        }
    }
}

impl Abandon for Route53ResolverInventory {
    fn abandoned(failures: Vec<ApiFailure>) -> Self {
        Route53ResolverInventory {
            resolver: Default::default(),
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
        operations: &[Operation],
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
                        .map(|&operation| ApiFailure {
                            operation,
                            kind: GapKind::Timeout,
                            error_code: None,
                            message: message.clone(),
                            resource: None,
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
    /// The account collected (a classic load balancer's ARN names it).
    pub account_id: String,
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
    let eks_client = aws::eks_client(config, region);
    let (elbv2_client, elb_client) = (
        aws::elbv2_client(config, region),
        aws::elb_client(config, region),
    );
    let owner = Owner {
        account_id: &settings.account_id,
        region,
    };
    let resolver = aws::route53resolver_client(config, region);
    let (pg, concurrency) = (settings.paging, settings.concurrency);
    let run = RegionRun {
        region,
        limit: limit.as_ref(),
        progress,
        timeout: settings.timeout,
        abandon: watch::Sender::new(false),
    };
    let (vpcs, subnets, route_tables, igws, eigws, nats, enis, instances, groups) = tokio::join!(
        run.guarded("VPCs", ops::VPCS, ec2::vpcs(&c, pg)),
        run.guarded("subnets", ops::SUBNETS, ec2::subnets(&c, pg)),
        run.guarded("route tables", ops::ROUTE_TABLES, ec2::route_tables(&c, pg)),
        run.guarded(
            "internet gateways",
            ops::INTERNET_GATEWAYS,
            ec2::internet_gateways(&c, pg)
        ),
        run.guarded(
            "egress-only gateways",
            ops::EGRESS_ONLY_GATEWAYS,
            ec2::egress_only_internet_gateways(&c, pg)
        ),
        run.guarded("NAT gateways", ops::NAT_GATEWAYS, ec2::nat_gateways(&c, pg)),
        run.guarded(
            "network interfaces",
            ops::NETWORK_INTERFACES,
            ec2::network_interfaces(&c, pg)
        ),
        run.guarded("instances", ops::INSTANCES, ec2::instances(&c, pg)),
        run.guarded(
            "security groups",
            ops::SECURITY_GROUPS,
            ec2::security_groups(&c, pg)
        ),
    );
    // Its own collector, so that VPCs listed in time are kept when their attributes
    // are not read in time.
    let vpc_ids: Vec<String> = vpcs.items.iter().map(|v| v.id.clone()).collect();
    let (
        dns_support,
        prefix_lists,
        nacls,
        endpoints,
        peerings,
        tgws,
        tgw_attachments,
        tgw_tables,
        flow_logs,
        firewall,
        eks_clusters,
        load_balancing,
        dns,
    ) = tokio::join!(
        run.guarded(
            "VPC attributes",
            ops::VPC_ATTRIBUTES,
            ec2::dns_support(&c, vpc_ids, concurrency)
        ),
        run.guarded(
            "prefix lists",
            ops::PREFIX_LISTS,
            ec2::managed_prefix_lists(&c, pg, concurrency)
        ),
        run.guarded("network ACLs", ops::NETWORK_ACLS, ec2::network_acls(&c, pg)),
        run.guarded(
            "VPC endpoints",
            ops::VPC_ENDPOINTS,
            ec2::vpc_endpoints(&c, pg)
        ),
        run.guarded(
            "peering connections",
            ops::PEERING_CONNECTIONS,
            ec2::vpc_peering_connections(&c, pg)
        ),
        run.guarded(
            "transit gateways",
            ops::TRANSIT_GATEWAYS,
            ec2::transit_gateways(&c, pg)
        ),
        run.guarded(
            "TGW attachments",
            ops::TGW_ATTACHMENTS,
            ec2::transit_gateway_attachments(&c, pg)
        ),
        run.guarded(
            "TGW route tables",
            ops::TGW_ROUTE_TABLES,
            ec2::transit_gateway_route_tables(&c, pg, concurrency)
        ),
        run.guarded("flow logs", ops::FLOW_LOGS, ec2::flow_logs(&c, pg)),
        run.guarded(
            "network firewall",
            ops::NETWORK_FIREWALL,
            network_firewall::collect(&nfw, pg, concurrency)
        ),
        run.guarded(
            "EKS clusters",
            ops::EKS,
            eks::clusters(&eks_client, pg, concurrency)
        ),
        run.guarded(
            "load balancers",
            ops::LOAD_BALANCING,
            load_balancer::collect(&elbv2_client, &elb_client, &owner, pg, concurrency)
        ),
        run.guarded(
            "Route 53 Resolver",
            ops::ROUTE53_RESOLVER,
            route53resolver::collect(&resolver, pg, concurrency)
        ),
    );

    let mut f = Vec::new();
    let mut inv = RegionInventory::new(region);
    inv.vpcs = take(vpcs, &mut f, |i| i.id.clone());
    let dns_support: std::collections::HashMap<String, bool> =
        take(dns_support, &mut f, |(id, _)| id.clone())
            .into_iter()
            .collect();
    for vpc in &mut inv.vpcs {
        vpc.enable_dns_support = dns_support.get(&vpc.id).copied();
    }
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
    inv.eks_clusters = take(eks_clusters, &mut f, |i| i.name.clone());
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
    let LoadBalancingInventory {
        load_balancers,
        target_groups,
        failures: lb_failures,
    } = load_balancing;
    inv.load_balancers = take(Outcome::ok(load_balancers), &mut f, |i| i.arn.clone());
    inv.target_groups = take(Outcome::ok(target_groups), &mut f, |i| i.arn.clone());
    f.extend(lb_failures);
    // Already sorted by the collector.
    inv.route53_resolver = Some(dns.resolver);
    f.extend(dns.failures);
    // By the names, as the gaps read.
    let key = |f: &ApiFailure| (f.operation.service().as_str(), f.operation.as_str());
    f.sort_by(|a, b| (key(a), &a.message).cmp(&(key(b), &b.message)));
    (inv, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The collectors' sources: every operation name they report failures under.
    const SOURCES: &[(&str, &str)] = &[
        ("ec2/connectivity.rs", include_str!("ec2/connectivity.rs")),
        ("ec2/eni.rs", include_str!("ec2/eni.rs")),
        ("ec2/mod.rs", include_str!("ec2/mod.rs")),
        ("ec2/nacl.rs", include_str!("ec2/nacl.rs")),
        ("ec2/routing.rs", include_str!("ec2/routing.rs")),
        (
            "ec2/security_group.rs",
            include_str!("ec2/security_group.rs"),
        ),
        ("ec2/transit.rs", include_str!("ec2/transit.rs")),
        ("ec2/vpc.rs", include_str!("ec2/vpc.rs")),
        ("ec2/vpc_attribute.rs", include_str!("ec2/vpc_attribute.rs")),
        ("network_firewall.rs", include_str!("network_firewall.rs")),
        ("eks.rs", include_str!("eks.rs")),
        ("load_balancer/mod.rs", include_str!("load_balancer/mod.rs")),
        ("load_balancer/v2.rs", include_str!("load_balancer/v2.rs")),
        (
            "load_balancer/classic.rs",
            include_str!("load_balancer/classic.rs"),
        ),
        (
            "load_balancer/tags.rs",
            include_str!("load_balancer/tags.rs"),
        ),
        (
            "route53resolver/firewall.rs",
            include_str!("route53resolver/firewall.rs"),
        ),
        (
            "route53resolver/resolver.rs",
            include_str!("route53resolver/resolver.rs"),
        ),
    ];

    /// The operations a source names, as `Operation::DescribeVpcs`.
    fn operations_named(text: &str) -> Vec<Operation> {
        text.split("Operation::")
            .skip(1)
            .filter_map(|rest| {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                name.parse().ok()
            })
            .collect()
    }

    #[test]
    fn abandoned_collectors_report_every_operation_they_call() {
        let known: Vec<Operation> = ALL_OPS.iter().flat_map(|o| o.iter().copied()).collect();
        let mut seen = Vec::new();
        for (file, text) in SOURCES {
            for op in operations_named(text) {
                seen.push(op);
                assert!(
                    known.contains(&op),
                    "{file} calls {op}, which no collector's list in region.rs names"
                );
            }
        }
        for op in known {
            assert!(
                seen.contains(&op),
                "region.rs lists {op}, which no collector calls"
            );
        }
    }

    #[test]
    fn operation_names_are_listed_once() {
        let mut all: Vec<&str> = ALL_OPS
            .iter()
            .flat_map(|o| o.iter().map(|op| op.as_str()))
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an operation is listed under two collectors");
    }
}
