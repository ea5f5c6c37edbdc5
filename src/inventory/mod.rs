//! The typed network inventory of one or more accounts: plain data, no AWS SDK types,
//! no logic beyond lookups. It serialises to JSON and loads back identically.

mod common;
mod connectivity;
mod coverage;
mod dns;
mod eks;
mod eni;
mod firewall;
mod io;
mod kubernetes;
mod load_balancer;
mod nacl;
mod operation;
mod routing;
mod security_group;
mod vpc;

pub use common::*;
pub use connectivity::*;
pub use coverage::*;
pub use dns::*;
pub use eks::*;
pub use eni::*;
pub use firewall::*;
pub use io::*;
pub use kubernetes::*;
pub use load_balancer::*;
pub use nacl::*;
pub use operation::*;
pub use routing::*;
pub use security_group::*;
pub use vpc::*;

use serde::{Deserialize, Serialize};

/// Identifies the inventory format; bumped on incompatible changes.
/// v2 added EKS clusters and Kubernetes objects; v3 load balancers, Route 53 Resolver
/// and VPC DNS attributes. Older files are read as v3 ones without what they lack
/// (see `io.rs`), and a v3 file is refused by an older vpcaudit rather than read with
/// its load balancers silently dropped.
pub const INVENTORY_SCHEMA: &str = "vpcaudit/inventory/v3";

/// The schema before load balancers and Route 53 Resolver; files of it still load.
pub const INVENTORY_SCHEMA_V2: &str = "vpcaudit/inventory/v2";

/// The schema before Kubernetes; files of it still load.
pub const INVENTORY_SCHEMA_V1: &str = "vpcaudit/inventory/v1";

/// The region of a coverage gap that concerns a whole account.
pub const ACCOUNT_WIDE: &str = "*";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema: String,
    /// The vpcaudit version that collected it.
    pub tool_version: String,
    /// Seconds since the Unix epoch when collection started.
    pub collected_at: u64,
    pub accounts: Vec<AccountInventory>,
    /// Every (account, region, API) whose data could not be collected. Checks that
    /// depend on it must report "unknown" rather than pass.
    pub coverage: Vec<CoverageGap>,
    /// Kubernetes clusters read live or from `--kube-objects` files.
    #[serde(default)]
    pub kubernetes: Vec<KubeCluster>,
}

impl Inventory {
    pub fn new(collected_at: u64) -> Inventory {
        Inventory {
            schema: INVENTORY_SCHEMA.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at,
            accounts: Vec::new(),
            coverage: Vec::new(),
            kubernetes: Vec::new(),
        }
    }

    /// Every region of every account, with its account id.
    pub fn regions(&self) -> impl Iterator<Item = (&str, &RegionInventory)> {
        self.accounts
            .iter()
            .flat_map(|a| a.regions.iter().map(move |r| (a.account_id.as_str(), r)))
    }

    /// The gaps recorded for one account and region, account-wide ones (region `*`,
    /// e.g. an AssumeRole that failed) included.
    pub fn gaps_for<'a>(
        &'a self,
        account_id: &'a str,
        region: &'a str,
    ) -> impl Iterator<Item = &'a CoverageGap> {
        self.coverage.iter().filter(move |g| {
            g.account_id == account_id && (g.region == region || g.region == ACCOUNT_WIDE)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInventory {
    pub account_id: String,
    pub regions: Vec<RegionInventory>,
}

/// Everything collected in one region of one account. Every list is sorted by id so
/// that two collections of the same account compare and diff cleanly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegionInventory {
    pub region: String,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub internet_gateways: Vec<InternetGateway>,
    pub egress_only_internet_gateways: Vec<EgressOnlyInternetGateway>,
    pub nat_gateways: Vec<NatGateway>,
    pub network_interfaces: Vec<NetworkInterface>,
    pub instances: Vec<Instance>,
    pub security_groups: Vec<SecurityGroup>,
    pub managed_prefix_lists: Vec<ManagedPrefixList>,
    pub network_acls: Vec<NetworkAcl>,
    pub vpc_endpoints: Vec<VpcEndpoint>,
    pub vpc_peering_connections: Vec<VpcPeeringConnection>,
    pub transit_gateways: Vec<TransitGateway>,
    pub transit_gateway_attachments: Vec<TransitGatewayAttachment>,
    pub transit_gateway_route_tables: Vec<TransitGatewayRouteTable>,
    pub flow_logs: Vec<FlowLog>,
    pub firewalls: Vec<Firewall>,
    pub firewall_policies: Vec<FirewallPolicy>,
    pub firewall_rule_groups: Vec<RuleGroup>,
    pub eks_clusters: Vec<EksCluster>,
    /// Application, Network, Gateway and Classic Load Balancers.
    pub load_balancers: Vec<LoadBalancer>,
    pub target_groups: Vec<TargetGroup>,
    /// `None` when Route 53 Resolver was not collected at all (an inventory from
    /// before vpcaudit read it): DNS checks are then unknown, not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route53_resolver: Option<Route53Resolver>,
}

impl RegionInventory {
    pub fn new(region: impl Into<String>) -> RegionInventory {
        RegionInventory {
            region: region.into(),
            ..RegionInventory::default()
        }
    }

    pub fn prefix_list(&self, id: &str) -> Option<&ManagedPrefixList> {
        self.managed_prefix_lists.iter().find(|p| p.id == id)
    }

    /// Counts of each resource kind, in a fixed order, for summaries.
    pub fn resource_counts(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("vpcs", self.vpcs.len()),
            ("subnets", self.subnets.len()),
            ("route_tables", self.route_tables.len()),
            ("internet_gateways", self.internet_gateways.len()),
            (
                "egress_only_internet_gateways",
                self.egress_only_internet_gateways.len(),
            ),
            ("nat_gateways", self.nat_gateways.len()),
            ("network_interfaces", self.network_interfaces.len()),
            ("instances", self.instances.len()),
            ("security_groups", self.security_groups.len()),
            ("managed_prefix_lists", self.managed_prefix_lists.len()),
            ("network_acls", self.network_acls.len()),
            ("vpc_endpoints", self.vpc_endpoints.len()),
            (
                "vpc_peering_connections",
                self.vpc_peering_connections.len(),
            ),
            ("transit_gateways", self.transit_gateways.len()),
            (
                "transit_gateway_attachments",
                self.transit_gateway_attachments.len(),
            ),
            (
                "transit_gateway_route_tables",
                self.transit_gateway_route_tables.len(),
            ),
            ("flow_logs", self.flow_logs.len()),
            ("firewalls", self.firewalls.len()),
            ("firewall_policies", self.firewall_policies.len()),
            ("firewall_rule_groups", self.firewall_rule_groups.len()),
            ("eks_clusters", self.eks_clusters.len()),
            ("load_balancers", self.load_balancers.len()),
            ("target_groups", self.target_groups.len()),
        ]
    }
}
