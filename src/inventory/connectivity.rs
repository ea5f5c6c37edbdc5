//! VPC endpoints, peering connections, transit gateways and flow logs.

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use super::{RouteDestination, Tags};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub id: String,
    pub vpc_id: String,
    pub owner_id: Option<String>,
    /// `Interface`, `Gateway`, `GatewayLoadBalancer`, `Resource`, `ServiceNetwork`.
    pub endpoint_type: String,
    pub service_name: String,
    pub state: Option<String>,
    pub subnet_ids: Vec<String>,
    pub route_table_ids: Vec<String>,
    pub network_interface_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    /// The endpoint policy (IAM policy JSON), as [`decode_policy_document`] leaves it.
    /// AWS attaches its default full-access policy to interface and gateway
    /// endpoints created without one. Absent from inventories that predate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_document: Option<String>,
    pub private_dns_enabled: bool,
    #[serde(default)]
    pub tags: Tags,
}

/// A policy document as JSON text. EC2 answers with JSON, but some answers (IAM's,
/// and tools that copy them around) URL-encode it. Text that does not start with `{`
/// but does once its `%XX` escapes (and form-encoded `+` spaces) are decoded, as
/// UTF-8, is returned decoded; anything else is returned as it is, for the reader
/// to judge.
pub fn decode_policy_document(raw: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('{') || !trimmed.contains('%') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        // Form encoding writes spaces as `+` (a literal plus is `%2B` either way).
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) if s.trim_start().starts_with('{') => std::borrow::Cow::Owned(s),
        _ => std::borrow::Cow::Borrowed(raw),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcPeeringConnection {
    pub id: String,
    /// `active`, `pending-acceptance`, `deleted`, ...
    pub status: Option<String>,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringSide {
    pub vpc_id: Option<String>,
    pub owner_id: Option<String>,
    pub region: Option<String>,
    pub ipv4_cidrs: Vec<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGateway {
    pub id: String,
    pub arn: Option<String>,
    pub owner_id: Option<String>,
    pub state: Option<String>,
    pub default_route_table_association: bool,
    pub default_route_table_propagation: bool,
    pub association_default_route_table_id: Option<String>,
    pub propagation_default_route_table_id: Option<String>,
    pub security_group_referencing_support: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayAttachment {
    pub id: String,
    pub transit_gateway_id: String,
    pub transit_gateway_owner_id: Option<String>,
    /// `vpc`, `vpn`, `direct-connect-gateway`, `connect`, `peering`, `tgw-peering`, ...
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_owner_id: Option<String>,
    pub state: Option<String>,
    /// The TGW route table this attachment is associated with.
    pub association_route_table_id: Option<String>,
    /// For VPC attachments: the subnets (one per AZ) the attachment lives in.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_referencing_support: bool,
    #[serde(default)]
    pub appliance_mode_support: bool,
    #[serde(default)]
    pub ipv6_support: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayRouteTable {
    pub id: String,
    pub transit_gateway_id: String,
    pub state: Option<String>,
    pub default_association_route_table: bool,
    pub default_propagation_route_table: bool,
    pub routes: Vec<TransitGatewayRoute>,
    pub associations: Vec<TransitGatewayRouteTableLink>,
    pub propagations: Vec<TransitGatewayRouteTableLink>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayRoute {
    pub destination: RouteDestination,
    /// `active` or `blackhole` (plus transient states).
    pub state: Option<String>,
    /// `static` or `propagated`.
    pub route_type: Option<String>,
    pub attachments: Vec<TransitGatewayRouteAttachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayRouteAttachment {
    pub attachment_id: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
}

/// An association or propagation between a TGW route table and an attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayRouteTableLink {
    pub attachment_id: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    /// The VPC, subnet or ENI (or TGW) the flow log is attached to.
    pub resource_id: Option<String>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// `SUCCESS` or `FAILED`.
    pub deliver_status: Option<String>,
    pub log_status: Option<String>,
    pub log_destination_type: Option<String>,
    pub log_destination: Option<String>,
    pub log_group_name: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}
