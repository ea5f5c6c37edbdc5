//! Findings: what a check reports, typed, with a stable fingerprint.

use std::fmt;

use serde::{Deserialize, Serialize};

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
/// engine from deciding, so the risk may be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        })
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
