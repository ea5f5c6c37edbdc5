//! Security groups, their rules normalised to one peer each, and managed prefix lists.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use super::{Direction, L4Match, Protocol, Tags};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub vpc_id: Option<String>,
    pub owner_id: Option<String>,
    pub rules: Vec<SecurityGroupRule>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// The `sgr-` id, when the rule came from DescribeSecurityGroupRules.
    pub id: Option<String>,
    pub direction: Direction,
    pub protocol: Protocol,
    #[serde(rename = "match")]
    pub l4: L4Match,
    pub peer: RulePeer,
    pub description: Option<String>,
}

/// The one source (ingress) or destination (egress) of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RulePeer {
    Ipv4 {
        cidr: Ipv4Net,
    },
    Ipv6 {
        cidr: Ipv6Net,
    },
    PrefixList {
        id: String,
    },
    /// A group reference; matches the private IPs of ENIs carrying that group.
    Group {
        group_id: String,
        /// Owner account, present for cross-account references over peering.
        account_id: Option<String>,
        vpc_id: Option<String>,
        vpc_peering_connection_id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    pub id: String,
    pub name: Option<String>,
    pub arn: Option<String>,
    /// `IPv4` or `IPv6`.
    pub address_family: Option<String>,
    /// `AWS` for AWS-managed lists (S3, DynamoDB, CloudFront...).
    pub owner_id: Option<String>,
    pub max_entries: Option<i32>,
    pub state: Option<String>,
    pub entries: Vec<PrefixListEntry>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrefixListEntry {
    pub cidr: IpNet,
    pub description: Option<String>,
}
