//! Route 53 Resolver in one region: DNS Firewall (rule groups, rules, domain lists,
//! VPC associations, fail-open configuration), query logging, and outbound resolver
//! endpoints with their forwarding rules. Security groups and NACLs do not apply to
//! queries sent to the VPC resolver (AmazonProvidedDNS, VPC base + 2), so this is the
//! only control on DNS as an egress channel.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::Tags;

/// Everything Route 53 Resolver holds for one region. The region's
/// `route53_resolver` is `None` when none of it was collected (an inventory from
/// before vpcaudit read it); a list whose API failed is empty and a coverage gap
/// names the operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Route53Resolver {
    pub firewall_rule_groups: Vec<DnsFirewallRuleGroup>,
    pub firewall_rule_group_associations: Vec<DnsFirewallRuleGroupAssociation>,
    pub firewall_domain_lists: Vec<DnsFirewallDomainList>,
    /// One per VPC that has a configuration (`ListFirewallConfigs`); a VPC without
    /// one has the default, fail-closed.
    pub firewall_configs: Vec<DnsFirewallConfig>,
    pub query_log_configs: Vec<ResolverQueryLogConfig>,
    pub query_log_config_associations: Vec<ResolverQueryLogConfigAssociation>,
    pub resolver_endpoints: Vec<ResolverEndpoint>,
    pub resolver_rules: Vec<ResolverRule>,
    pub resolver_rule_associations: Vec<ResolverRuleAssociation>,
}

/// A DNS Firewall rule group (`ListFirewallRuleGroups`) with its rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRuleGroup {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub owner_id: Option<String>,
    /// `NOT_SHARED`, `SHARED_WITH_ME`, `SHARED_BY_ME`.
    pub share_status: Option<String>,
    /// `None` when `ListFirewallRules` could not be read for the group.
    pub rules: Option<Vec<DnsFirewallRule>>,
}

/// One rule: a domain list (or a DNS threat protection) and what to do on a match.
/// Rules are evaluated by ascending `priority`; the first match decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRule {
    pub name: Option<String>,
    pub priority: i32,
    /// `ALLOW`, `BLOCK` or `ALERT`.
    pub action: String,
    /// `NODATA`, `NXDOMAIN` or `OVERRIDE` for `BLOCK`.
    pub block_response: Option<String>,
    pub firewall_domain_list_id: Option<String>,
    /// Set for a DNS Firewall Advanced rule: its threat protection id.
    pub firewall_threat_protection_id: Option<String>,
    /// `DGA` or `DNS_TUNNELING` for a DNS Firewall Advanced rule.
    pub dns_threat_protection: Option<String>,
    /// `LOW`, `MEDIUM` or `HIGH` for a DNS Firewall Advanced rule.
    pub confidence_threshold: Option<String>,
    /// The query type the rule is limited to (`A`, `TXT`, ...), if any.
    pub qtype: Option<String>,
}

/// A domain list: the caller's own, or an AWS managed one (whose domains cannot be
/// listed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallDomainList {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    /// Set for an AWS managed list, e.g. `Route 53 Resolver DNS Firewall`.
    pub managed_owner_name: Option<String>,
    /// The domains (`ListFirewallDomains`): `None` for a managed list or when it
    /// could not be read.
    pub domains: Option<Vec<String>>,
}

/// A rule group associated with a VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRuleGroupAssociation {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub firewall_rule_group_id: String,
    pub vpc_id: String,
    /// Associations are evaluated by ascending priority.
    pub priority: i32,
    /// `ENABLED` or `DISABLED`.
    pub mutation_protection: Option<String>,
    /// `COMPLETE`, `CREATING`, `UPDATING`, `DELETING`.
    pub status: Option<String>,
}

/// A VPC's DNS Firewall configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallConfig {
    pub id: Option<String>,
    /// The VPC.
    pub resource_id: String,
    pub owner_id: Option<String>,
    /// `ENABLED` (queries are answered when DNS Firewall cannot evaluate them),
    /// `DISABLED` (fail closed) or `USE_LOCAL_RESOURCE_SETTING`.
    pub firewall_fail_open: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverQueryLogConfig {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub owner_id: Option<String>,
    pub destination_arn: Option<String>,
    /// `CREATING`, `CREATED`, `DELETING`, `FAILED`.
    pub status: Option<String>,
    pub share_status: Option<String>,
}

/// A query log configuration associated with a VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverQueryLogConfigAssociation {
    pub id: String,
    pub resolver_query_log_config_id: String,
    /// The VPC.
    pub resource_id: String,
    /// `CREATING`, `ACTIVE`, `ACTION_NEEDED`, `DELETING`, `FAILED`.
    pub status: Option<String>,
}

/// An inbound or outbound resolver endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverEndpoint {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: String,
    pub vpc_id: String,
    pub security_group_ids: Vec<String>,
    /// `None` when `ListResolverEndpointIpAddresses` could not be read.
    pub ip_addresses: Option<Vec<ResolverEndpointIp>>,
    pub status: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverEndpointIp {
    pub subnet_id: String,
    pub ip: Option<IpAddr>,
    /// The ENI Route 53 Resolver created for the address, when reported.
    #[serde(default)]
    pub network_interface_id: Option<String>,
}

/// A resolver rule: `FORWARD` sends queries for `domain_name` (and its subdomains)
/// to `target_ips` through an outbound endpoint; `SYSTEM` answers them with the VPC
/// resolver; `RECURSIVE` is the built-in `.` rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverRule {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    /// As AWS returns it, with the trailing dot (`example.com.`, or `.` for all).
    pub domain_name: String,
    pub rule_type: String,
    pub resolver_endpoint_id: Option<String>,
    pub target_ips: Vec<ResolverTargetAddress>,
    pub owner_id: Option<String>,
    pub share_status: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverTargetAddress {
    pub ip: IpAddr,
    /// 53 unless set.
    pub port: Option<u16>,
    /// `Do53`, `DoH`, `DoH-FIPS`.
    #[serde(default)]
    pub protocol: Option<String>,
}

/// A resolver rule associated with a VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverRuleAssociation {
    pub id: String,
    pub resolver_rule_id: String,
    pub vpc_id: String,
    pub status: Option<String>,
}
