//! `--baseline previous.json`: findings compared by fingerprint with a previous
//! run's JSON report, so a nightly job can act on what changed.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::finding::{BaselineState, Finding};
use crate::report::findings_json::SCHEMA;

/// Why a baseline file was refused (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("baseline {path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug)]
pub struct Baseline {
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct Document {
    schema: String,
    findings: Vec<Finding>,
}

/// Only the schema, whatever its type, of a document that is not a report.
#[derive(Deserialize)]
struct Head {
    schema: Option<serde_json::Value>,
}

fn schema_error(schema: Option<&str>) -> String {
    match schema {
        Some(other) => format!(
            "schema is {other:?}; a baseline is a `vpcaudit scan --format json` report ({SCHEMA})"
        ),
        None => format!("not a `vpcaudit scan --format json` report (no \"schema\": {SCHEMA:?})"),
    }
}

/// What the current run covered: a baseline finding outside it is not "absent",
/// just not looked at this time.
pub struct Scope<'a> {
    pub checks: &'a [String],
    /// (account, region) pairs scanned.
    pub regions: &'a [(String, String)],
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let invalid = |message| BaselineError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|source| BaselineError::Read {
            path: path.display().to_string(),
            source,
        })?;
        // Read as bytes so that a byte that is not UTF-8 is named by its place.
        let text = crate::source_text::decode_utf8(bytes).map_err(|(line, column)| {
            invalid(format!("not UTF-8 text at line {line} column {column}"))
        })?;
        Baseline::parse(&text).map_err(invalid)
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        // Straight from the text (not through a `Value`), so that errors keep their
        // line and column.
        match serde_json::from_str::<Document>(text) {
            Ok(doc) if doc.schema == SCHEMA => Ok(Baseline {
                findings: doc.findings,
            }),
            Ok(doc) => Err(schema_error(Some(&doc.schema))),
            Err(e) => {
                // A wrong file is named as such rather than by the first field it
                // lacks.
                let head = serde_json::from_str::<Head>(text).map_err(|_| e.to_string())?;
                match head.schema.as_ref().and_then(|s| s.as_str()) {
                    Some(SCHEMA) => Err(e.to_string()),
                    other => Err(schema_error(other)),
                }
            }
        }
    }

    /// Marks each current finding new or unchanged, and returns the baseline's
    /// findings within `scope` that are gone, marked absent.
    pub fn compare(&self, current: &mut [Finding], scope: &Scope) -> Vec<Finding> {
        let before: HashSet<&str> = self
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        for f in current.iter_mut() {
            f.baseline = Some(if before.contains(f.fingerprint.as_str()) {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            });
        }
        let now: HashSet<&str> = current.iter().map(|f| f.fingerprint.as_str()).collect();
        let mut seen = HashSet::new();
        self.findings
            .iter()
            .filter(|f| !now.contains(f.fingerprint.as_str()))
            .filter(|f| seen.insert(f.fingerprint.as_str()))
            .filter(|f| scope.checks.contains(&f.check))
            .filter(|f| {
                scope
                    .regions
                    .iter()
                    .any(|(a, r)| *a == f.account && *r == f.region)
                    // Findings about no region (a failed check) follow their check.
                    || f.account.is_empty()
            })
            .map(|f| {
                let mut f = f.clone();
                f.baseline = Some(BaselineState::Absent);
                f.muted = None;
                f
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &str, fp: &str, account: &str) -> serde_json::Value {
        serde_json::json!({
            "check": check, "severity": "high", "status": "fail", "title": "t",
            "message": "m", "account": account, "region": "us-east-1",
            "resource": {"type": "AWS::EC2::VPC", "id": "vpc-1", "arn": null},
            "related": [], "evidence": [], "remediation": "r", "fingerprint": fp
        })
    }

    fn parsed(findings: Vec<serde_json::Value>) -> Baseline {
        let doc = serde_json::json!({"schema": SCHEMA, "findings": findings});
        Baseline::parse(&doc.to_string()).unwrap()
    }

    #[test]
    fn marks_new_unchanged_and_absent_within_scope() {
        let base = parsed(vec![
            finding("a", "f1", "1"),
            finding("a", "f2", "1"),
            finding("b", "f3", "1"),
            finding("a", "f4", "2"),
        ]);
        let mut now: Vec<Finding> = [finding("a", "f1", "1"), finding("a", "f5", "1")]
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect();
        let checks = vec!["a".to_string()];
        let regions = vec![("1".to_string(), "us-east-1".to_string())];
        let absent = base.compare(
            &mut now,
            &Scope {
                checks: &checks,
                regions: &regions,
            },
        );
        assert_eq!(now[0].baseline, Some(BaselineState::Unchanged));
        assert_eq!(now[1].baseline, Some(BaselineState::New));
        // f3: check b did not run; f4: account 2 was not scanned.
        let gone: Vec<&str> = absent.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(gone, ["f2"]);
        assert_eq!(absent[0].baseline, Some(BaselineState::Absent));
    }

    #[test]
    fn refuses_other_documents() {
        let e = Baseline::parse("{\"schema\": \"vpcaudit/inventory/v1\"}").unwrap_err();
        assert!(e.contains("vpcaudit/inventory/v1"), "{e}");
        let e = Baseline::parse("{}").unwrap_err();
        assert!(e.contains("no \"schema\""), "{e}");
        let e = Baseline::parse("{\"schema\": 1").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        // A report with a bad finding names its place.
        let e = Baseline::parse(&format!(
            "{{\"schema\": {SCHEMA:?},\n \"findings\": [{{\"check\": 1}}]}}"
        ))
        .unwrap_err();
        assert!(e.contains("at line 2 column"), "{e}");
    }
}
