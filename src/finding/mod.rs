//! Findings: what a check reports, typed, with a stable fingerprint.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod evaluated;
pub mod meta;
pub use evaluated::{Evaluated, Judgement};
pub use meta::{ControlRef, Meta};

/// How bad a finding is, most severe first when sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// One step less severe (info stays info).
    pub fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `fail`: the risk is there. `unknown`: missing data or an unmodelled rule kept the
/// engine from deciding, so the risk may be there. `pass`: the check judged the
/// resource and found nothing (reported only with `--include-passed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Unknown,
    Pass,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An AWS resource a finding is about or mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// AWS's type name, e.g. `AWS::EC2::SecurityGroup`.
    #[serde(rename = "type")]
    pub resource_type: String,
    pub id: String,
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One component's part in a finding: a rule, a route, a firewall verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub component: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: String,
    pub severity: Severity,
    pub status: Status,
    pub title: String,
    pub message: String,
    pub account: String,
    pub region: String,
    pub resource: Resource,
    pub related: Vec<Resource>,
    pub evidence: Vec<Evidence>,
    pub remediation: String,
    /// Stable across runs for the same check, resource and evidence identity.
    pub fingerprint: String,
    /// `lateral-movement-path`: the path, hop by hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<AttackPath>,
    /// `lateral-blast-radius`: how many crown jewels the foothold reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blast_radius: Option<BlastRadius>,
    /// Compared with `--baseline`: new, unchanged, or absent (only in the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// Matched by a mute rule: still reported, but not counted for the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Muted>,
}

/// The resource type of the one finding a check reports when it failed to run
/// (panicked): its resource id is the check id.
pub const CHECK_FAILED_TYPE: &str = "vpcaudit::Check";

impl Finding {
    /// A high `unknown` finding of `check` about `id` (of `resource_type`), every
    /// other field empty: for tests that set only what they look at.
    #[cfg(test)]
    pub(crate) fn sample(check: &str, resource_type: &str, id: &str) -> Finding {
        Finding {
            check: check.into(),
            severity: Severity::High,
            status: Status::Unknown,
            title: String::new(),
            message: String::new(),
            account: String::new(),
            region: String::new(),
            resource: Resource {
                resource_type: resource_type.into(),
                id: id.into(),
                arn: None,
                name: None,
            },
            related: Vec::new(),
            evidence: Vec::new(),
            remediation: String::new(),
            fingerprint: String::new(),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        }
    }

    /// Whether this is the "the check failed" finding, not a finding about AWS.
    pub fn is_check_failure(&self) -> bool {
        self.resource.resource_type == CHECK_FAILED_TYPE
    }
}

/// A finding compared with a previous run's (SARIF `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline too (same fingerprint).
    Unchanged,
    /// In the baseline, no longer found.
    Absent,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Absent => "absent",
        }
    }
}

/// Why a finding is muted: the matching rule's reason and expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Muted {
    pub reason: String,
    /// `YYYY-MM-DD`: the mute holds through this day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the rule is: `vpcaudit.toml, mute #2`.
    pub rule: String,
}

/// What an ENI is on an attack path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    /// Reachable from the internet, or matched by an "untrusted" selector.
    Foothold,
    /// A host on the way that an attacker can take over and pivot from.
    Pivot,
    /// A crown jewel: a data store or an ENI marked as one.
    Jewel,
}

/// One ENI on an attack path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathNode {
    pub eni: String,
    /// The ENI's (or its instance's) `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub role: NodeRole,
    pub account: String,
    pub region: String,
    pub vpc: String,
    pub subnet: String,
    /// Primary private address.
    pub address: String,
    /// Why the ENI is a foothold or a jewel (e.g. "internet: tcp/22", "RDS/Aurora").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// One step of an attack path: `nodes[from]` opens `services` on `nodes[to]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathHop {
    pub from: usize,
    pub to: usize,
    /// Services a full connection (request and reply) is allowed on, e.g. `tcp/22`;
    /// the first is the one the evidence traces.
    pub services: Vec<String>,
}

/// From a foothold (`nodes[0]`) to a crown jewel (the last node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackPath {
    pub nodes: Vec<PathNode>,
    pub hops: Vec<PathHop>,
}

/// How many crown jewels a foothold reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastRadius {
    /// `within[i]`: crown-jewel ENIs reachable in at most `i + 1` hops.
    pub within: Vec<usize>,
    /// The hop limit of the analysis (`within.len()`).
    pub max_hops: usize,
}

/// 128-bit FNV-1a over length-prefixed parts, as 32 hex digits. Not cryptographic:
/// fingerprints only need to be stable and collision-free in practice, and this keeps
/// them independent of any crate's output format.
pub fn fingerprint<S: AsRef<str>>(parts: &[S]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for part in parts {
        let bytes = part.as_ref().as_bytes();
        for b in (bytes.len() as u64)
            .to_le_bytes()
            .iter()
            .chain(bytes.iter())
        {
            h ^= u128::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("{h:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(fingerprint(&["a", "bc"]), fingerprint(&["a", "bc"]));
        assert_ne!(fingerprint(&["a", "bc"]), fingerprint(&["ab", "c"]));
        // Pinned: a change here changes every user's baseline.
        assert_eq!(
            fingerprint(&["egress-world-open", "sg-1"]),
            fingerprint(&[String::from("egress-world-open"), String::from("sg-1")])
        );
        assert_eq!(fingerprint::<&str>(&[]).len(), 32);
    }

    #[test]
    fn severities_sort_most_severe_first() {
        let mut s = vec![
            Severity::Low,
            Severity::Critical,
            Severity::Info,
            Severity::High,
        ];
        s.sort();
        assert_eq!(
            s,
            [
                Severity::Critical,
                Severity::High,
                Severity::Low,
                Severity::Info
            ]
        );
    }
}
