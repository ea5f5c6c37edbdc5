//! The answer to a reachability question: schema `vpcaudit/reach/v1`.
//!
//! One document answers one question in one of three modes:
//! - `pair` (`--from` and `--to`): a verdict, the services allowed end to end, the
//!   paths hop by hop, and where it is blocked or what is unknown;
//! - `from` (`--to` omitted): everything the source reaches, grouped by VPC;
//! - `to` (`--from` omitted): everything that reaches the destination.
//!
//! Codes are stable strings (see `reach::explain::Code`), so that scripts can match on
//! them; so is `layer`.

use serde::{Deserialize, Serialize};

pub const REACH_SCHEMA: &str = "vpcaudit/reach/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Pair,
    From,
    To,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Blocked,
    Unknown,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::Unknown => "unknown",
        })
    }
}

/// The kind of component a hop passes, named as AWS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The connection itself (addresses, families, the endpoints' existence).
    Connection,
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    InternetGateway,
    EgressOnlyInternetGateway,
    NatGateway,
    VpcPeeringConnection,
    TransitGateway,
    NetworkFirewall,
    VpcEndpoint,
    GatewayLoadBalancer,
    LoadBalancer,
    /// A Kubernetes NetworkPolicy (or cluster policy tier) at a pod.
    NetworkPolicy,
    Other,
}

/// One side of the question as the user wrote it, and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// As given, e.g. `i-0abc`, `tag:Name=web`, `internet`.
    pub selector: String,
    /// What the selector named: `network_interface`, `instance`, `ip_address`,
    /// `subnet`, `security_group`, `tag`, `internet`, `vpc_endpoint`, `nat_gateway`,
    /// `load_balancer`, `pod`.
    pub kind: String,
    /// The ENI ids it stands for (`internet` for the internet, `cluster/ns/name`
    /// for a pod), sorted.
    pub resources: Vec<String>,
}

/// One component on a path and what it decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// 1-based position on the path.
    pub number: usize,
    pub layer: Layer,
    /// The component's id (and name when it has one), e.g. `sg-0abc (web)`.
    pub resource: String,
    /// What it did, e.g. `rule sgr-1 allows tcp 22 from 0.0.0.0/0`.
    pub decision: String,
    /// The deciding rule, entry or route when there is one (`sgr-1`, `rule 100`,
    /// `10.0.0.0/16 -> pcx-1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub verdict: Verdict,
    /// The explanation code of a blocked or unknown hop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// One way from a source to a destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Path {
    pub from: String,
    pub to: String,
    pub verdict: Verdict,
    /// The services this path allows end to end (`ServiceSet` text, one item per
    /// protocol: `tcp 22, 5432`, `icmp all`); empty when none.
    pub services: Vec<String>,
    pub hops: Vec<Hop>,
}

/// The first layer that blocks, and what would have to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub code: String,
    pub layer: Layer,
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Why, in the engine's words.
    pub detail: String,
    /// What would have to change for the traffic to pass.
    pub change: String,
}

/// Something that could not be decided, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undecided {
    pub code: String,
    pub layer: Layer,
    pub resource: String,
    pub reason: String,
}

/// One destination (mode `from`) or source (mode `to`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub account_id: String,
    pub region: String,
    /// The VPC, or `internet`.
    pub vpc: String,
    /// The ENI id (or `internet`).
    pub resource: String,
    /// What the ENI is: `instance i-0abc`, `nat_gateway nat-1`, `vpc_endpoint vpce-1`,
    /// `load_balancer app/web/1`, `lambda`, ... as its description tells.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub verdict: Verdict,
    /// Services allowed on the last hop (see `Path::services`).
    pub services: Vec<String>,
    /// 1 when reached directly; more when through compromised ENIs in between.
    pub hops: usize,
    /// The ENIs in between, in order (empty when direct).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    /// Why it is unknown, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A whole `vpcaudit reach` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachReport {
    /// [`REACH_SCHEMA`].
    pub schema: String,
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Endpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Endpoint>,
    /// The services asked about, e.g. `tcp 5432` or `all`.
    pub asked: String,
    /// `pair`: allowed when some source reaches some destination. `from`/`to`:
    /// allowed when anything is reached, unknown when nothing is but something is
    /// undecided, else blocked.
    pub verdict: Verdict,
    /// The services allowed end to end over every path (union), empty when none.
    pub services: Vec<String>,
    /// `pair`: every allowed path (one per distinct source and destination class);
    /// when none is allowed, the closest blocked or unknown one.
    pub paths: Vec<Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_at: Option<Blocked>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Undecided>,
    /// `from` / `to`: what is reached, ordered by account, region, VPC, resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<Reached>,
}

pub const INTENTS_SCHEMA: &str = "vpcaudit/intents/v1";

/// Whether an intent holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    Pass,
    Fail,
    /// The answer is unknown: the intent is neither proven nor broken.
    Unknown,
}

/// One intent and the answer it was judged by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentResult {
    pub name: String,
    /// `allowed` or `blocked`.
    pub expect: Verdict,
    pub status: IntentStatus,
    pub answer: ReachReport,
}

/// `vpcaudit reach --intents FILE`: every intent in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentsReport {
    /// [`INTENTS_SCHEMA`].
    pub schema: String,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    pub intents: Vec<IntentResult>,
}

impl IntentResult {
    /// Judges `answer` against `expect`.
    pub fn judge(name: String, expect: Verdict, answer: ReachReport) -> IntentResult {
        let status = match answer.verdict {
            Verdict::Unknown => IntentStatus::Unknown,
            v if v == expect => IntentStatus::Pass,
            _ => IntentStatus::Fail,
        };
        IntentResult {
            name,
            expect,
            status,
            answer,
        }
    }
}

impl IntentsReport {
    pub fn new(intents: Vec<IntentResult>) -> IntentsReport {
        let count = |s: IntentStatus| intents.iter().filter(|i| i.status == s).count();
        IntentsReport {
            schema: INTENTS_SCHEMA.into(),
            passed: count(IntentStatus::Pass),
            failed: count(IntentStatus::Fail),
            unknown: count(IntentStatus::Unknown),
            intents,
        }
    }
}
