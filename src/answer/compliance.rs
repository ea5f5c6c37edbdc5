//! `vpcaudit compliance`: each framework's controls with their status and the
//! evidence behind it, schema `vpcaudit/compliance/v1`.

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "vpcaudit/compliance/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub schema: String,
    /// When the inventory was collected (Unix seconds): the same inventory always
    /// gives the same report.
    pub collected_at: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// The checks that ran.
    pub checks: Vec<String>,
    pub frameworks: Vec<FrameworkResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    pub id: String,
    pub name: String,
    pub version: String,
    pub url: String,
    /// What part of the framework vpcaudit covers.
    pub scope: String,
    pub score: Score,
    pub sections: Vec<SectionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub score: Score,
    pub controls: Vec<ControlResult>,
}

/// Controls by status, and the share of decided controls that pass.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub manual: usize,
    pub not_applicable: usize,
    /// `pass / (pass + fail + unknown)` as a whole percentage; `None` when no
    /// control was decided (all manual or not applicable).
    pub percent: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Pass,
    Fail,
    Unknown,
    /// No vpcaudit check decides it: an auditor must.
    Manual,
    /// Its checks ran but found nothing they judge in the scanned estate.
    NotApplicable,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::Unknown => "unknown",
            ControlStatus::Manual => "manual",
            ControlStatus::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    /// Why, in one line: "12 resources pass", "2 of 14 security groups fail",
    /// "check egress-world-open was not run", or the manual note.
    pub reason: String,
    /// What its checks do not look at: a pass covers the control only this far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The checks that decide it, with the severities that count (empty: all).
    pub checks: Vec<ControlCheckRef>,
    /// `all` or `any`.
    pub combine: String,
    /// Resources judged, by how they came out (a resource counts once).
    pub resources: ResourceCounts,
    /// Unmuted failing and unknown findings that decide the control.
    pub findings: Vec<ControlFinding>,
    /// Muted findings: accepted exceptions, never counted as passes.
    pub exceptions: Vec<ControlFinding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlCheckRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<String>,
    /// Whether the check ran in this scan.
    pub ran: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCounts {
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Failing only through muted findings.
    pub excepted: usize,
    pub not_applicable: usize,
}

/// A finding as a control shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlFinding {
    pub check: String,
    pub severity: String,
    /// `fail` or `unknown`.
    pub status: String,
    pub account: String,
    pub region: String,
    pub resource_type: String,
    pub resource: String,
    pub message: String,
    pub fingerprint: String,
    /// For an exception: the mute's reason, rule and expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<String>,
}
