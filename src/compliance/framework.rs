//! A compliance framework's controls and which checks decide them, from
//! `compliance/<framework>.toml` (compiled in, like `checks/`).

use serde::Deserialize;

use crate::finding::Severity;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// What `--framework` takes: `cis-aws-5.0`.
    pub id: String,
    /// `CIS Amazon Web Services Foundations Benchmark`.
    pub name: String,
    /// The framework's own version string: `5.0.0`.
    pub version: String,
    /// Where the framework is published.
    pub url: String,
    /// What part of the framework the file covers (e.g. "the networking section").
    pub scope: String,
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    #[serde(rename = "control")]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The framework's id for it: `5.2`, `EC2.2`, `SC-7(5)`, `1.2.1`.
    pub id: String,
    /// The section it belongs to (a [`Section::id`]).
    pub section: String,
    pub title: String,
    /// The checks that decide it. Empty: vpcaudit cannot decide it (`manual`, with
    /// `manual` saying why).
    #[serde(default)]
    pub checks: Vec<ControlCheck>,
    /// How the checks' results combine.
    #[serde(default)]
    pub combine: Combine,
    /// For a control no check decides: why, and what an auditor should look at.
    #[serde(default)]
    pub manual: Option<String>,
    /// For a control its checks decide only in part: what they do not look at, left
    /// to the auditor (a pass then says less than the control asks).
    #[serde(default)]
    pub note: Option<String>,
}

/// One check's part in a control.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlCheck {
    /// A check id (`egress-world-open`).
    pub id: String,
    /// Only findings of these severities fail the control; empty: every severity.
    /// A resource whose findings are all of other severities passes the control.
    #[serde(default)]
    pub severities: Vec<Severity>,
}

/// How a control's checks combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// Every check must pass on every resource it judged: one failing resource
    /// fails the control.
    #[default]
    All,
    /// The control passes when one of its checks passes on everything it judged
    /// (alternative ways of meeting it, e.g. an egress firewall or no route out).
    Any,
}

impl Combine {
    pub fn as_str(self) -> &'static str {
        match self {
            Combine::All => "all",
            Combine::Any => "any",
        }
    }
}

impl Framework {
    /// Name and version as people cite it:
    /// `CIS Amazon Web Services Foundations Benchmark 5.0.0`.
    pub fn title(&self) -> String {
        format!("{} {}", self.name, self.version)
    }

    pub fn parse(source: &str) -> Result<Framework, String> {
        toml::from_str(source).map_err(|e| e.to_string())
    }
}
