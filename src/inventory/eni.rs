//! Elastic network interfaces and the instances they attach to.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub availability_zone: Option<String>,
    pub owner_id: Option<String>,
    /// `interface`, `nat_gateway`, `vpc_endpoint`, `gateway_load_balancer_endpoint`,
    /// `network_load_balancer`, `lambda`, `efa`, ... as AWS reports it.
    pub interface_type: Option<String>,
    pub requester_managed: bool,
    pub requester_id: Option<String>,
    pub description: Option<String>,
    /// Private IPv4 addresses, the primary first.
    pub private_ipv4s: Vec<Ipv4Addr>,
    pub ipv6s: Vec<Ipv6Addr>,
    /// Public IPv4 addresses mapped to private ones (auto-assigned or Elastic IP).
    pub public_ipv4s: Vec<PublicIpv4>,
    pub security_group_ids: Vec<String>,
    pub instance_id: Option<String>,
    pub attachment_status: Option<String>,
    pub source_dest_check: bool,
    pub status: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicIpv4 {
    pub public_ip: Ipv4Addr,
    pub private_ip: Option<Ipv4Addr>,
    /// Set when the address is an Elastic IP.
    pub allocation_id: Option<String>,
    /// `amazon` for an auto-assigned address, the account id for an Elastic IP.
    pub ip_owner_id: Option<String>,
}

/// Only what the checks need of an instance: where it is and how it is tagged
/// (EKS cluster tags, crown-jewel tags).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub state: Option<String>,
    pub network_interface_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}
