//! Route tables and the gateways routes point at.

use std::net::IpAddr;

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    pub owner_id: Option<String>,
    pub routes: Vec<Route>,
    pub associations: Vec<RouteTableAssociation>,
    /// Virtual private gateways propagating routes into this table.
    #[serde(default)]
    pub propagating_vgws: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub destination: RouteDestination,
    pub target: RouteTarget,
    pub state: RouteState,
    /// `CreateRouteTable` (the local route), `CreateRoute`, `EnableVgwRoutePropagation`.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum RouteDestination {
    Ipv4(Ipv4Net),
    Ipv6(Ipv6Net),
    PrefixList(String),
}

/// Where a route sends traffic. Named after the AWS field that carries the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RouteTarget {
    Local,
    InternetGateway(String),
    EgressOnlyInternetGateway(String),
    NatGateway(String),
    VpcPeeringConnection(String),
    TransitGateway(String),
    VirtualPrivateGateway(String),
    /// A gateway endpoint (S3, DynamoDB) or a Gateway Load Balancer endpoint, which is
    /// what AWS Network Firewall endpoints are.
    VpcEndpoint(String),
    NetworkInterface(String),
    Instance(String),
    CarrierGateway(String),
    LocalGateway(String),
    CoreNetwork(String),
    /// A target this version does not recognise; kept so it is never silently dropped.
    Unknown(String),
}

impl RouteTarget {
    /// The target's id; `None` for `local`.
    pub fn id(&self) -> Option<&str> {
        match self {
            RouteTarget::Local => None,
            RouteTarget::InternetGateway(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::VpcPeeringConnection(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::VirtualPrivateGateway(id)
            | RouteTarget::VpcEndpoint(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance(id)
            | RouteTarget::CarrierGateway(id)
            | RouteTarget::LocalGateway(id)
            | RouteTarget::CoreNetwork(id)
            | RouteTarget::Unknown(id) => Some(id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteState {
    Active,
    Blackhole,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    pub id: Option<String>,
    pub target: AssociationTarget,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum AssociationTarget {
    /// The VPC's main route table, used by every subnet without an explicit association.
    Main,
    Subnet(String),
    /// An edge association with an internet or virtual private gateway.
    Gateway(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayAttachment {
    pub vpc_id: String,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub id: String,
    pub owner_id: Option<String>,
    pub attachments: Vec<GatewayAttachment>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    pub id: String,
    pub attachments: Vec<GatewayAttachment>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatConnectivity {
    Public,
    Private,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    pub id: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub connectivity: NatConnectivity,
    pub state: Option<String>,
    pub addresses: Vec<NatGatewayAddress>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGatewayAddress {
    pub network_interface_id: Option<String>,
    pub private_ip: Option<IpAddr>,
    pub public_ip: Option<IpAddr>,
    pub allocation_id: Option<String>,
}
