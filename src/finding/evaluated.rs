//! What a check judged, resource by resource: the pass evidence that a list of
//! failures cannot give ("which controls pass, on how many resources").

use serde::{Deserialize, Serialize};

use super::{fingerprint, Finding, Resource, Severity, Status};

/// How one resource came out of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    Pass,
    Fail,
    Unknown,
    /// In the check's view of the account, but nothing the check asks applies to it
    /// (e.g. a security group no ENI carries, for a check about what ENIs expose).
    NotApplicable,
}

impl Judgement {
    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Pass => "pass",
            Judgement::Fail => "fail",
            Judgement::Unknown => "unknown",
            Judgement::NotApplicable => "not_applicable",
        }
    }
}

/// One resource one check judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluated {
    pub check: String,
    pub account: String,
    pub region: String,
    pub resource: Resource,
    pub judgement: Judgement,
    /// Pass and not applicable: the check's one-line reason. Fail and unknown: the
    /// first finding's message.
    pub reason: String,
    /// Fingerprints of the check's findings about this resource (fail and unknown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Every finding about the resource is muted: an accepted exception, never a pass.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub muted: bool,
}

impl Evaluated {
    /// The stable id of a pass result (distinct from every finding's fingerprint).
    pub fn pass_fingerprint(&self) -> String {
        fingerprint(&[
            self.check.as_str(),
            "pass",
            self.account.as_str(),
            self.region.as_str(),
            self.resource.resource_type.as_str(),
            self.resource.id.as_str(),
        ])
    }

    /// A pass result as a finding with `status: pass`, for the reports that list
    /// passes with `--include-passed`. `None` unless the judgement is a pass.
    pub fn as_pass_finding(&self, title: &str, severity: Severity) -> Option<Finding> {
        (self.judgement == Judgement::Pass).then(|| Finding {
            check: self.check.clone(),
            severity,
            status: Status::Pass,
            title: title.to_string(),
            message: self.reason.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
            resource: self.resource.clone(),
            related: Vec::new(),
            evidence: Vec::new(),
            remediation: String::new(),
            fingerprint: self.pass_fingerprint(),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        })
    }
}
