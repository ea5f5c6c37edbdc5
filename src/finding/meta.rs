//! A check's metadata and documentation, from `checks/<id>.toml`.

use serde::Deserialize;

use super::Severity;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// `ec2`, `vpc`, `network-firewall`.
    pub service: String,
    /// AWS type name of the resource findings are about, e.g. `AWS::EC2::SecurityGroup`.
    pub resource_type: String,
    /// What the check looks at.
    pub description: String,
    /// Why it matters.
    pub rationale: String,
    pub remediation: Remediation,
    #[serde(default)]
    pub references: Vec<String>,
    /// The framework controls the check decides, in framework order. Not in
    /// `checks/<id>.toml`: filled from `compliance/<framework>.toml`, the one source.
    #[serde(skip)]
    pub compliance: Vec<ControlRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub text: String,
    #[serde(default)]
    pub cli: Option<String>,
    #[serde(default)]
    pub terraform: Option<String>,
}

/// One control a check decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRef {
    /// The framework's id: `cis-aws-5.0`.
    pub framework: String,
    /// Its name and version as people cite it:
    /// `CIS Amazon Web Services Foundations Benchmark 5.0.0`.
    pub framework_title: String,
    /// The control's id in the framework: `5.2`, `EC2.2`, `SC-7(5)`.
    pub control: String,
}

impl Meta {
    pub fn parse(source: &str) -> Result<Meta, String> {
        toml::from_str(source).map_err(|e| e.to_string())
    }

    /// The documentation `vpcaudit explain` prints.
    pub fn explain(&self) -> String {
        let mut out = format!(
            "{} ({})\n{}\n\nSeverity: {}   Service: {}   Resource: {}\n\nWhat it checks\n  {}\n\nWhy it matters\n  {}\n\nRemediation\n  {}\n",
            self.id,
            self.title,
            "=".repeat(self.id.len() + self.title.len() + 3),
            self.severity,
            self.service,
            self.resource_type,
            wrap(&self.description),
            wrap(&self.rationale),
            wrap(&self.remediation.text),
        );
        if let Some(cli) = &self.remediation.cli {
            out.push_str(&format!("\n  AWS CLI:\n{}\n", indent(cli)));
        }
        if let Some(tf) = &self.remediation.terraform {
            out.push_str(&format!("\n  Terraform:\n{}\n", indent(tf)));
        }
        let frameworks = self.compliance_by_framework();
        if !frameworks.is_empty() {
            out.push_str("\nCompliance\n");
            for (title, controls) in frameworks {
                out.push_str(&format!("  {title}: {}\n", controls.join(", ")));
            }
        }
        if !self.references.is_empty() {
            out.push_str("\nReferences\n");
            for r in &self.references {
                out.push_str(&format!("  - {r}\n"));
            }
        }
        out
    }

    /// The controls the check decides, one entry per framework in framework order:
    /// (framework title, control ids).
    pub fn compliance_by_framework(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in &self.compliance {
            match out.last_mut() {
                Some((title, ids)) if *title == c.framework_title => ids.push(&c.control),
                _ => out.push((&c.framework_title, vec![&c.control])),
            }
        }
        out
    }
}

fn wrap(text: &str) -> String {
    text.trim().replace('\n', "\n  ")
}

fn indent(block: &str) -> String {
    block
        .trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
