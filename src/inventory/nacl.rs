//! Network ACLs.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{Direction, L4Match, Protocol, Tags};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc_id: String,
    pub owner_id: Option<String>,
    pub is_default: bool,
    /// Entries sorted by direction then rule number, the order AWS evaluates them in;
    /// the implicit `*` deny appears as rule 32767.
    pub entries: Vec<NaclEntry>,
    pub associations: Vec<NaclAssociation>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaclEntry {
    pub rule_number: i32,
    pub direction: Direction,
    pub action: NaclAction,
    pub protocol: Protocol,
    #[serde(rename = "match")]
    pub l4: L4Match,
    pub cidr: IpNet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NaclAction {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaclAssociation {
    pub id: Option<String>,
    pub subnet_id: String,
}
