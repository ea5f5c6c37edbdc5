//! AWS Network Firewall: firewalls, firewall policies and rule groups.
//!
//! Action strings (`aws:pass`, `aws:forward_to_sfe`, `aws:drop_strict`, custom action
//! names) are kept as AWS writes them: the set is open, and the engine must be able to
//! say "unknown" about one it does not model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    pub name: String,
    pub arn: String,
    pub id: Option<String>,
    pub vpc_id: String,
    pub subnet_mappings: Vec<FirewallSubnetMapping>,
    pub policy_arn: String,
    pub delete_protection: bool,
    pub subnet_change_protection: bool,
    pub policy_change_protection: bool,
    /// `PROVISIONING`, `READY`, `DELETING`.
    pub status: Option<String>,
    /// One per AZ, from the firewall status' sync states.
    pub endpoints: Vec<FirewallEndpoint>,
    pub logging: Vec<FirewallLogDestination>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallSubnetMapping {
    pub subnet_id: String,
    pub ip_address_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallEndpoint {
    pub availability_zone: String,
    pub subnet_id: Option<String>,
    /// The Gateway Load Balancer endpoint id (`vpce-...`) routes point at.
    pub endpoint_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallLogDestination {
    /// `ALERT`, `FLOW` or `TLS`.
    pub log_type: String,
    /// `S3`, `CloudWatchLogs` or `KinesisDataFirehose`.
    pub destination_type: String,
    pub destination: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallPolicy {
    pub name: String,
    pub arn: String,
    pub stateless_default_actions: Vec<String>,
    pub stateless_fragment_default_actions: Vec<String>,
    /// Names of custom actions defined on the policy.
    pub stateless_custom_actions: Vec<String>,
    pub stateless_rule_groups: Vec<RuleGroupReference>,
    pub stateful_rule_groups: Vec<RuleGroupReference>,
    pub stateful_rule_order: RuleOrder,
    /// `DROP`, `CONTINUE`, `REJECT`: what happens to a flow whose stream breaks.
    pub stream_exception_policy: Option<String>,
    /// `aws:drop_strict`, `aws:drop_established`, `aws:alert_strict`, `aws:alert_established`.
    pub stateful_default_actions: Vec<String>,
    /// Policy variables, e.g. `HOME_NET` -> its CIDRs.
    pub variables: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroupReference {
    pub arn: String,
    pub priority: Option<i32>,
    /// `DROP_TO_ALERT` when a managed group is overridden to alert only.
    pub override_action: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleOrder {
    DefaultActionOrder,
    StrictOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleGroupType {
    Stateless,
    Stateful,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroup {
    pub name: String,
    pub arn: String,
    pub rule_group_type: RuleGroupType,
    pub capacity: Option<i32>,
    /// Rule order declared on a stateful group (must match the policy's).
    pub rule_order: Option<RuleOrder>,
    /// IP set variables such as `HOME_NET`, name -> CIDRs.
    pub ip_sets: BTreeMap<String, Vec<String>>,
    /// Port set variables, name -> port ranges as written (`443`, `8000:8080`).
    pub port_sets: BTreeMap<String, Vec<String>>,
    pub source: RuleSource,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RuleSource {
    /// Suricata-compatible rules, one per line.
    RulesString {
        rules: String,
    },
    DomainList(DomainList),
    StatefulRules {
        rules: Vec<StatefulRule>,
    },
    Stateless {
        rules: Vec<StatelessRule>,
        custom_actions: Vec<String>,
    },
    /// The group carries no rules source, or one this version does not read.
    Empty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainList {
    pub targets: Vec<String>,
    /// `TLS_SNI`, `HTTP_HOST`.
    pub target_types: Vec<String>,
    /// `ALLOWLIST`, `DENYLIST` or `REJECTLIST`.
    pub generated_rules_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatefulRule {
    /// `PASS`, `DROP`, `ALERT`, `REJECT`.
    pub action: String,
    pub protocol: String,
    pub source: String,
    pub source_port: String,
    /// `FORWARD` or `ANY`.
    pub direction: String,
    pub destination: String,
    pub destination_port: String,
    pub options: Vec<StatefulRuleOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatefulRuleOption {
    pub keyword: String,
    pub settings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatelessRule {
    pub priority: i32,
    pub actions: Vec<String>,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    pub source_ports: Vec<StatelessPortRange>,
    pub destination_ports: Vec<StatelessPortRange>,
    /// IANA protocol numbers; empty means all.
    pub protocols: Vec<i32>,
    /// Present when the rule matches on TCP flags, which the engine treats specially.
    pub tcp_flags: Vec<TcpFlagMatch>,
}

/// Refused on load when not within 0-65535 or reversed, as AWS refuses it: the
/// engine would otherwise read it as matching no port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawStatelessPortRange")]
pub struct StatelessPortRange {
    pub from: i32,
    pub to: i32,
}

/// [`StatelessPortRange`] as written in a file, before its check.
#[derive(Deserialize)]
struct RawStatelessPortRange {
    from: i32,
    to: i32,
}

impl TryFrom<RawStatelessPortRange> for StatelessPortRange {
    type Error = String;
    fn try_from(r: RawStatelessPortRange) -> Result<Self, Self::Error> {
        let port = 0..=65535;
        if !port.contains(&r.from) || !port.contains(&r.to) || r.from > r.to {
            return Err(format!(
                "port range {}-{} is not within 0-65535 or is reversed",
                r.from, r.to
            ));
        }
        Ok(StatelessPortRange {
            from: r.from,
            to: r.to,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcpFlagMatch {
    pub flags: Vec<String>,
    pub masks: Vec<String>,
}
