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
    #[serde(default)]
    pub compliance: Compliance,
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// CIS AWS Foundations Benchmark control ids (networking section).
    #[serde(default)]
    pub cis: Vec<String>,
    /// AWS Foundational Security Best Practices control ids.
    #[serde(default)]
    pub fsbp: Vec<String>,
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
        if !self.compliance.cis.is_empty() || !self.compliance.fsbp.is_empty() {
            out.push_str("\nCompliance\n");
            if !self.compliance.cis.is_empty() {
                out.push_str(&format!(
                    "  CIS AWS Foundations: {}\n",
                    self.compliance.cis.join(", ")
                ));
            }
            if !self.compliance.fsbp.is_empty() {
                out.push_str(&format!(
                    "  AWS Foundational Security Best Practices: {}\n",
                    self.compliance.fsbp.join(", ")
                ));
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
