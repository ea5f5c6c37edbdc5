//! What changed between two inventories (or two findings reports), and what it did:
//! schema `vpcaudit/diff/v1`.
//!
//! - `changes`: the resource changes that matter to the network (rules, entries,
//!   routes, endpoints, firewall rules...), each with a stable id (`c1`, `c2`, ...)
//!   within the document. Empty when two findings reports are compared.
//! - `effects`: every finding that appeared, disappeared or changed severity, each with
//!   the ids of the changes that caused it (`caused_by`) and how that was decided
//!   (`attribution`).
//!
//! Severities, statuses and kinds are stable lowercase strings, so that scripts can
//! match on them.

use serde::{Deserialize, Serialize};

pub const DIFF_SCHEMA: &str = "vpcaudit/diff/v1";

/// What was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compared {
    /// Two inventories: the resource changes, and the checks run on both.
    Inventories,
    /// Two `vpcaudit/findings/v1` reports: their findings only.
    FindingsReports,
}

/// What happened to a resource, a rule or a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Added,
    Removed,
    Changed,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Added => "added",
            Op::Removed => "removed",
            Op::Changed => "changed",
        }
    }
}

/// What a change is about, named after the AWS (or Kubernetes) resource or part of
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Vpc,
    Subnet,
    RouteTable,
    Route,
    RouteTableAssociation,
    InternetGateway,
    EgressOnlyInternetGateway,
    NatGateway,
    NetworkInterface,
    Instance,
    SecurityGroup,
    SecurityGroupRule,
    ManagedPrefixList,
    PrefixListEntry,
    NetworkAcl,
    NetworkAclEntry,
    NetworkAclAssociation,
    VpcEndpoint,
    VpcPeeringConnection,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRouteTable,
    TransitGatewayRoute,
    FlowLog,
    Firewall,
    FirewallPolicy,
    /// A rule group referenced by a firewall policy.
    FirewallPolicyRuleGroup,
    FirewallRuleGroup,
    /// One rule (or domain, or Suricata line) of a firewall rule group.
    FirewallRule,
    EksCluster,
    LoadBalancer,
    LoadBalancerListener,
    TargetGroup,
    TargetGroupTarget,
    DnsFirewallRuleGroup,
    DnsFirewallRule,
    DnsFirewallRuleGroupAssociation,
    DnsFirewallDomainList,
    DnsFirewallDomain,
    DnsFirewallConfig,
    ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation,
    ResolverEndpoint,
    ResolverRule,
    ResolverRuleAssociation,
    KubernetesNamespace,
    KubernetesNetworkPolicy,
    KubernetesClusterNetworkPolicy,
    KubernetesSecurityGroupPolicy,
}

impl ChangeKind {
    /// The serde name (`security_group_rule`), for tables.
    pub fn as_str(self) -> &'static str {
        use ChangeKind::*;
        match self {
            Vpc => "vpc",
            Subnet => "subnet",
            RouteTable => "route_table",
            Route => "route",
            RouteTableAssociation => "route_table_association",
            InternetGateway => "internet_gateway",
            EgressOnlyInternetGateway => "egress_only_internet_gateway",
            NatGateway => "nat_gateway",
            NetworkInterface => "network_interface",
            Instance => "instance",
            SecurityGroup => "security_group",
            SecurityGroupRule => "security_group_rule",
            ManagedPrefixList => "managed_prefix_list",
            PrefixListEntry => "prefix_list_entry",
            NetworkAcl => "network_acl",
            NetworkAclEntry => "network_acl_entry",
            NetworkAclAssociation => "network_acl_association",
            VpcEndpoint => "vpc_endpoint",
            VpcPeeringConnection => "vpc_peering_connection",
            TransitGateway => "transit_gateway",
            TransitGatewayAttachment => "transit_gateway_attachment",
            TransitGatewayRouteTable => "transit_gateway_route_table",
            TransitGatewayRoute => "transit_gateway_route",
            FlowLog => "flow_log",
            Firewall => "firewall",
            FirewallPolicy => "firewall_policy",
            FirewallPolicyRuleGroup => "firewall_policy_rule_group",
            FirewallRuleGroup => "firewall_rule_group",
            FirewallRule => "firewall_rule",
            EksCluster => "eks_cluster",
            LoadBalancer => "load_balancer",
            LoadBalancerListener => "load_balancer_listener",
            TargetGroup => "target_group",
            TargetGroupTarget => "target_group_target",
            DnsFirewallRuleGroup => "dns_firewall_rule_group",
            DnsFirewallRule => "dns_firewall_rule",
            DnsFirewallRuleGroupAssociation => "dns_firewall_rule_group_association",
            DnsFirewallDomainList => "dns_firewall_domain_list",
            DnsFirewallDomain => "dns_firewall_domain",
            DnsFirewallConfig => "dns_firewall_config",
            ResolverQueryLogConfig => "resolver_query_log_config",
            ResolverQueryLogConfigAssociation => "resolver_query_log_config_association",
            ResolverEndpoint => "resolver_endpoint",
            ResolverRule => "resolver_rule",
            ResolverRuleAssociation => "resolver_rule_association",
            KubernetesNamespace => "kubernetes_namespace",
            KubernetesNetworkPolicy => "kubernetes_network_policy",
            KubernetesClusterNetworkPolicy => "kubernetes_cluster_network_policy",
            KubernetesSecurityGroupPolicy => "kubernetes_security_group_policy",
        }
    }
}

/// One resource change: a resource added or removed, one of its attributes changed,
/// or one of its rules, entries or routes added or removed (rules are compared as
/// sets: a rule edited in place is one removed and one added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `c1`, `c2`, ... in document order; what `Effect::caused_by` names.
    pub id: String,
    pub kind: ChangeKind,
    pub op: Op,
    /// The resource that holds it: `sg-0abc` for a security group rule, `rtb-0abc`
    /// for a route, an ARN (or name) for a Network Firewall or load balancer resource,
    /// `namespace/name` for a Kubernetes object.
    pub resource: String,
    /// The resource's `Name` tag or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Empty for a Kubernetes cluster that is not known to be in an AWS account.
    pub account: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// The rule, attribute or resource before (`None` when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// And after (`None` when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// What an effect is, for people skimming a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Something reachable from the internet.
    InternetExposure,
    /// A path (or trust) from one workload to another.
    LateralPath,
    /// Egress to the internet (or DNS) that nothing inspects.
    UnfilteredEgress,
    /// Any other finding.
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::InternetExposure => "internet_exposure",
            Category::LateralPath => "lateral_path",
            Category::UnfilteredEgress => "unfiltered_egress",
            Category::Other => "other",
        }
    }
}

/// How `caused_by` was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The changes whose resources the finding names (as its resource, a related
    /// resource or in its evidence).
    Matched,
    /// The finding names none of the changed resources, but the two inventories
    /// differ by this one change only: it is the cause, somewhere on the path.
    OnlyChange,
    /// No change touches a resource the finding names: no single change identified
    /// (the cause is elsewhere on the path, or in several changes together).
    NoneIdentified,
    /// Two findings reports were compared: there are no changes to name.
    NotApplicable,
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectResource {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One finding that appeared, disappeared or changed (severity, status or message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    /// `added`: in NEW only (appeared); `removed`: in OLD only (disappeared);
    /// `changed`: in both, with another severity, status or message.
    pub op: Op,
    pub category: Category,
    pub check: String,
    /// `critical`, `high`, `medium`, `low`, `info`: NEW's, or OLD's when removed.
    pub severity: String,
    /// `changed`: OLD's severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_before: Option<String>,
    /// `fail` or `unknown`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_before: Option<String>,
    pub title: String,
    pub message: String,
    /// `changed`: OLD's message, when it differs (what the finding covers changed,
    /// e.g. one more port exposed, under the same fingerprint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_before: Option<String>,
    pub account: String,
    pub region: String,
    pub resource: EffectResource,
    /// The finding's fingerprint, the same in both runs.
    pub fingerprint: String,
    /// Matched by a mute rule: shown, but not counted for the exit code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub muted: bool,
    /// Ids of the changes that caused it (see `attribution`).
    pub caused_by: Vec<String>,
    pub attribution: Attribution,
}

/// Counts, for a glance and for scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSummary {
    pub changes: usize,
    pub appeared: usize,
    pub disappeared: usize,
    pub changed: usize,
}

/// A whole `vpcaudit diff` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffReport {
    /// [`DIFF_SCHEMA`].
    pub schema: String,
    pub compared: Compared,
    pub summary: DiffSummary,
    /// Ordered by account, region, kind of resource, resource name and id.
    pub changes: Vec<Change>,
    /// Appeared, then changed, then disappeared; each by severity (most severe
    /// first), check, account, region and resource.
    pub effects: Vec<Effect>,
    /// What limits the comparison, e.g. coverage gaps that make a finding look gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
