//! VPCs and subnets.

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub owner_id: Option<String>,
    pub is_default: bool,
    /// Every associated IPv4 block, the primary first.
    pub ipv4_cidrs: Vec<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
    pub state: Option<String>,
    /// The `enableDnsSupport` attribute (`DescribeVpcAttribute`): whether the VPC
    /// resolver (AmazonProvidedDNS) answers. `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_dns_support: Option<bool>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: String,
    pub arn: Option<String>,
    pub vpc_id: String,
    pub owner_id: Option<String>,
    pub availability_zone: String,
    pub availability_zone_id: Option<String>,
    pub ipv4_cidr: Option<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
    pub map_public_ip_on_launch: bool,
    pub assign_ipv6_address_on_creation: bool,
    pub state: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}
