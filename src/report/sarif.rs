//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! One run; one rule per check that ran; one result per finding. Muted findings
//! carry an accepted external suppression; with `--baseline`, every result has a
//! `baselineState` and the baseline's findings that are gone come as `absent`
//! results. AWS resources are not files, so a result points at a synthetic relative
//! path, `aws/<account>/<region>/<resource-type>/<id>`, line 1, and names the
//! resource by id and ARN in its logical location. The same report always gives
//! the same document: no timestamps, no durations.
//!
//! GitHub's documented limits (docs.github.com, "SARIF results exceed limit" and
//! "SARIF support for code scanning") and what is done about them:
//! - runs per file: 20. One run.
//! - rules per run: 25,000. One per check, a few dozen.
//! - results per run: 25,000 accepted (only the top 5,000 by severity shown).
//!   Capped at [`MAX_RESULTS`], least severe dropped first, with a notification.
//! - locations per result: 1,000 accepted, 100 shown, only the first used. One.
//! - related locations: capped at [`MAX_RELATED_LOCATIONS`] (the 100 shown).
//! - tags per rule: 20 accepted, 10 shown. Capped at [`MAX_TAGS`].
//!
//! Text GitHub and SARIF viewers show (`message.text` of results and related
//! locations, and the texts of a rule made up from a baseline file) goes through
//! [`text::sarif`] (or [`text::markdown`]): no control, bidi or invisible character
//! raw, and no embedded link made of data. Machine-read fields (ids, properties,
//! fingerprints) keep the data exactly, as JSON does.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::finding::Meta;
use crate::inventory::CoverageGap;

use super::scan_report::ScanReport;
use super::text;
use super::Items;
use crate::finding::{BaselineState, Evidence, Finding, Resource, Severity, Status};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SARIF_VERSION: &str = "2.1.0";
/// The project has no public URL yet: this is a placeholder for its future
/// repository. It is also the `helpUri` of a check without references.
const INFORMATION_URI: &str = "https://github.com/vpcaudit/vpcaudit";
/// `partialFingerprints` key for the finding fingerprint (the one `--baseline`
/// compares); the version is bumped if the fingerprint's inputs ever change.
const FINGERPRINT_KEY: &str = "vpcaudit/v1";
/// GitHub rejects a run with more results; findings are sorted most severe first.
const MAX_RESULTS: usize = 25_000;
/// GitHub shows at most 100 locations of a result.
const MAX_RELATED_LOCATIONS: usize = 100;
/// GitHub keeps at most 10 tags of a rule.
const MAX_TAGS: usize = 10;

pub fn render(report: &ScanReport) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write(report, &mut out)?;
    super::json_text(out)
}

/// The log, serialised into `out` result by result as it is written.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> Result<(), serde_json::Error> {
    write_capped(report, MAX_RESULTS, out)
}

/// [`render`] with at most `max_results` results.
#[cfg(test)]
fn render_capped(report: &ScanReport, max_results: usize) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write_capped(report, max_results, &mut out)?;
    super::json_text(out)
}

/// [`write`] with at most `max_results` results.
fn write_capped(
    report: &ScanReport,
    max_results: usize,
    out: &mut dyn std::io::Write,
) -> Result<(), serde_json::Error> {
    let mut rules: Vec<Rule> = report.checks.iter().map(rule).collect();
    let mut index: Vec<&str> = report.checks.iter().map(|m| m.id.as_str()).collect();
    // Current findings first, then the baseline's gone ones, then the passes
    // (`--include-passed`): a cap drops passes first.
    let total = report.findings.len() + report.absent.len() + report.passed.len();
    let kept = total.min(max_results);
    // Each kept finding with its rule's index; the results themselves are made
    // as they are written. The rules come first in the log, so a finding whose
    // rule is made up has to be met here.
    let mut results = Vec::with_capacity(kept);
    for f in report
        .findings
        .iter()
        .chain(&report.absent)
        .chain(&report.passed)
        .take(kept)
    {
        // Every check a finding names ran, so this only guards the invariant that
        // each result has a rule.
        let rule_index = match index.iter().position(|id| *id == f.check) {
            Some(i) => i,
            None => {
                index.push(&f.check);
                rules.push(fallback_rule(f));
                index.len() - 1
            }
        };
        results.push((f, rule_index));
    }
    let mut notifications: Vec<Notification> = report
        .inventory
        .coverage
        .iter()
        .map(gap_notification)
        .collect();
    if kept < total {
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{} of {} results were left out: GitHub code scanning rejects a run \
                     with more than {}. The least severe were dropped.",
                    total - kept,
                    total,
                    max_results
                ),
            },
            properties: None,
        });
    }
    // A check that failed (panicked) did not run to completion: the run says so,
    // whatever else it reports.
    let check_failed = report.findings.iter().any(Finding::is_check_failure);
    let invocations = if notifications.is_empty() && !check_failed {
        Vec::new()
    } else {
        vec![Invocation {
            execution_successful: !check_failed,
            tool_execution_notifications: notifications,
        }]
    };
    let baselined = report.baselined;
    let log = Log {
        schema: SCHEMA,
        version: SARIF_VERSION,
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "vpcaudit",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations,
            results: Items(|| {
                results
                    .iter()
                    .map(move |&(f, rule_index)| result(f, rule_index, baselined))
            }),
        }],
    };
    super::write_json(&log, out)
}

// ---------------------------------------------------------------------------
// The document

#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    tool: Tool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    /// The [`SarifResult`]s, made as they are written.
    results: R,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// The property bag GitHub reads.
#[derive(Serialize)]
struct RuleProperties {
    /// A number as a string; makes results security alerts, ranked by it.
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    /// `security` first: GitHub needs it to read `security-severity`.
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<GapProperties>,
}

/// A coverage gap's fields, for importers that want more than the message.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GapProperties {
    account: String,
    region: String,
    service: String,
    operation: String,
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
}

/// A part of the account that could not be read: the scan ran, but what depends on
/// it is undecided (those results say `Undecided:`), so it is a warning of the run.
fn gap_notification(g: &CoverageGap) -> Notification {
    Notification {
        level: "warning",
        message: Text {
            text: text::sarif(&format!(
                "Coverage gap: {g}. Findings that depend on it are reported as undecided."
            )),
        },
        properties: Some(GapProperties {
            account: g.account_id.clone(),
            region: g.region.clone(),
            service: g.service.to_string(),
            operation: g.operation.to_string(),
            kind: g.kind.to_string(),
            error_code: g.error_code.clone(),
        }),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    /// `pass` for a pass result; SARIF's default `fail` is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fully_qualified_name: Option<&'a str>,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    /// Where the mute rule is, e.g. `vpcaudit.toml, mute #2`.
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    status: Status,
    severity: Severity,
    account: &'a str,
    region: &'a str,
    evidence: &'a [Evidence],
}

// ---------------------------------------------------------------------------
// Rules

fn rule(m: &Meta) -> Rule {
    let mut tags = vec!["security".to_string(), m.service.clone()];
    tags.extend(
        m.compliance
            .iter()
            .map(|c| format!("{}-{}", tag_prefix(&c.framework), c.control)),
    );
    tags.dedup();
    tags.truncate(MAX_TAGS);
    Rule {
        id: m.id.clone(),
        name: pascal_case(&m.id),
        short_description: Text {
            text: m.title.trim().to_string(),
        },
        full_description: Text {
            text: m.description.trim().to_string(),
        },
        help: Help {
            text: m.explain(),
            markdown: help_markdown(m),
        },
        help_uri: m
            .references
            .first()
            .cloned()
            .unwrap_or_else(|| INFORMATION_URI.to_string()),
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(m.severity),
            tags,
            // The checks evaluate the configuration itself, not patterns in it.
            precision: "high",
            problem_severity: problem_severity(m.severity),
        },
    }
}

/// A rule for a finding whose check is not among those that ran: its texts come
/// from a baseline file, so they are data.
fn fallback_rule(f: &Finding) -> Rule {
    Rule {
        id: f.check.clone(),
        name: pascal_case(&f.check),
        short_description: Text {
            text: text::sarif(&f.title),
        },
        full_description: Text {
            text: text::sarif(&f.title),
        },
        help: Help {
            text: text::sarif(&f.remediation),
            markdown: text::markdown(&f.remediation),
        },
        help_uri: INFORMATION_URI.to_string(),
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(f.severity),
            tags: vec!["security".to_string()],
            precision: "high",
            problem_severity: problem_severity(f.severity),
        },
    }
}

fn help_markdown(m: &Meta) -> String {
    let mut s = format!(
        "## Why it matters\n\n{}\n\n## Remediation\n\n{}\n",
        m.rationale.trim(),
        m.remediation.text.trim()
    );
    if let Some(cli) = &m.remediation.cli {
        s.push_str(&format!("\n### AWS CLI\n\n{}", fenced("sh", cli)));
    }
    if let Some(tf) = &m.remediation.terraform {
        s.push_str(&format!("\n### Terraform\n\n{}", fenced("hcl", tf)));
    }
    let controls = compliance(m);
    if !controls.is_empty() {
        s.push_str("\n## Compliance\n\n");
        for c in controls {
            s.push_str(&format!("- {c}\n"));
        }
    }
    if !m.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &m.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

/// The controls a check decides, one line per framework.
fn compliance(m: &Meta) -> Vec<String> {
    m.compliance_by_framework()
        .into_iter()
        .map(|(title, controls)| format!("{title}: {}", controls.join(", ")))
        .collect()
}

/// The short name a rule tag gives a framework's controls (`CIS-5.2`, `FSBP-EC2.2`,
/// `NIST-SC-7(5)`, `PCI-1.3.1`); a framework without one is named by its id.
fn tag_prefix(framework: &str) -> &str {
    match framework {
        "cis-aws-5.0" => "CIS",
        "fsbp" => "FSBP",
        "nist-800-53-r5" => "NIST",
        "pci-dss-4.0" => "PCI",
        other => other,
    }
}

/// A Markdown code block whose fence is longer than any backtick run inside it.
fn fenced(lang: &str, code: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", code.trim_end())
}

/// `egress-world-open` → `EgressWorldOpen`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low; 0.0 (or
/// anything out of range) means no security severity at all, so info is a low 1.0.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

// ---------------------------------------------------------------------------
// Results

fn result<'a>(f: &'a Finding, rule_index: usize, baselined: bool) -> SarifResult<'a> {
    let message = match f.status {
        Status::Fail => f.message.clone(),
        Status::Unknown => format!("Undecided: {}", f.message),
        Status::Pass => format!("Passed: {}", f.message),
    };
    let pass = f.status == Status::Pass;
    let mut seen = HashSet::new();
    let related = f
        .related
        .iter()
        .filter(|r| seen.insert((r.resource_type.as_str(), r.id.as_str())))
        .take(MAX_RELATED_LOCATIONS)
        .enumerate()
        .map(|(i, r)| {
            let (account, region) = arn_scope(r).unwrap_or((&f.account, &f.region));
            let mut label = format!("{} {}", r.resource_type, r.id);
            if let Some(name) = r.name.as_deref().filter(|n| *n != r.id) {
                label.push_str(&format!(" ({name})"));
            }
            let mut loc = location(account, region, r);
            loc.id = Some(i + 1);
            loc.message = Some(Text {
                text: text::sarif(&label),
            });
            loc
        })
        .collect();
    let suppressions = f
        .muted
        .iter()
        .map(|m| Suppression {
            kind: "external",
            status: "accepted",
            justification: &m.reason,
            properties: SuppressionProperties {
                rule: &m.rule,
                expires: m.expires.as_deref(),
            },
        })
        .collect();
    SarifResult {
        rule_id: &f.check,
        rule_index,
        kind: pass.then_some("pass"),
        // SARIF: a result whose kind is not `fail` has level `none`.
        level: if pass { "none" } else { level(f.severity) },
        message: Text {
            text: text::sarif(&message),
        },
        locations: [location(&f.account, &f.region, &f.resource)],
        // GitHub matches alerts across uploads by `primaryLocationLineHash` alone;
        // left out, its upload action would try to hash line 1 of the (synthetic,
        // absent) file. Both keys carry the fingerprint, stable across runs.
        partial_fingerprints: BTreeMap::from([
            (FINGERPRINT_KEY, f.fingerprint.clone()),
            ("primaryLocationLineHash", format!("{}:1", f.fingerprint)),
        ]),
        related_locations: related,
        suppressions,
        baseline_state: baselined.then(|| f.baseline.unwrap_or(BaselineState::New).as_str()),
        properties: ResultProperties {
            status: f.status,
            severity: f.severity,
            account: &f.account,
            region: &f.region,
            evidence: &f.evidence,
        },
    }
}

fn location<'a>(account: &str, region: &str, r: &'a Resource) -> Location<'a> {
    Location {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: resource_path(account, region, &r.resource_type, &r.id),
            },
            region: Region { start_line: 1 },
        },
        logical_locations: [LogicalLocation {
            name: &r.id,
            fully_qualified_name: r.arn.as_deref(),
            kind: "resource",
        }],
        message: None,
    }
}

/// The account and region in a resource's ARN (`arn:partition:service:region:account:…`),
/// when it names both: a related resource may be across a peering or transit gateway.
fn arn_scope(r: &Resource) -> Option<(&str, &str)> {
    let mut parts = r.arn.as_deref()?.splitn(6, ':');
    let (_arn, _partition, _service) = (parts.next()?, parts.next()?, parts.next()?);
    let (region, account) = (parts.next()?, parts.next()?);
    parts.next()?;
    (!region.is_empty() && !account.is_empty()).then_some((account, region))
}

/// `aws/<account>/<region>/<resource-type>/<id>`: a relative path with no scheme,
/// made only of safe segments whatever AWS (or a baseline file) put in the parts.
fn resource_path(account: &str, region: &str, resource_type: &str, id: &str) -> String {
    format!(
        "aws/{}/{}/{}/{}",
        segment(account),
        segment(region),
        type_slug(resource_type),
        segment(id)
    )
}

/// `AWS::EC2::SecurityGroup` → `ec2-security-group`; only `a-z`, `0-9` and `-`.
fn type_slug(resource_type: &str) -> String {
    let mut parts: Vec<&str> = resource_type.split("::").collect();
    if parts.len() > 1 && parts[0].eq_ignore_ascii_case("aws") {
        parts.remove(0);
    }
    let mut out = String::new();
    let mut dash = false;
    for part in parts {
        let chars: Vec<char> = part.chars().collect();
        dash |= !out.is_empty();
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_ascii_alphanumeric() {
                dash |= !out.is_empty();
                continue;
            }
            if c.is_ascii_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                // A word starts after a lowercase letter or digit (`SecurityGroup`,
                // `Ec2Instance`), or at the last capital of an acronym (`VPCEndpoint`).
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    dash |= !out.is_empty();
                }
            }
            if dash {
                out.push('-');
                dash = false;
            }
            out.push(c.to_ascii_lowercase());
        }
    }
    if out.is_empty() {
        out.push_str("resource");
    }
    out
}

/// One path segment: ASCII letters, digits, `-`, `_` and `.` kept; `/` and `\`
/// replaced by `_` (percent-encoded, they would become path levels again for a
/// consumer that decodes first, and with them `..`); everything else
/// percent-encoded as UTF-8. An empty or all-dot segment (`.`, `..`) gets a leading
/// `_`, so the path can never climb out of `aws/`.
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b'/' | b'\\' => out.push('_'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.bytes().all(|b| b == b'.') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real check's metadata, read as the registry reads it (the report knows no
    /// checks).
    fn egress_world_open() -> Meta {
        Meta::parse(include_str!("../../checks/egress-world-open.toml")).expect("metadata")
    }

    #[test]
    fn hostile_ids_make_safe_relative_paths() {
        let cases = [
            ("..", "_.."),
            (".", "_."),
            ("", "_"),
            ("../../etc/passwd", ".._.._etc_passwd"),
            ("..\\..\\win", ".._.._win"),
            ("%2e%2e%2f", "%252e%252e%252f"),
            ("a b:c?d#e", "a%20b%3Ac%3Fd%23e"),
            ("sg-0123456789abcdef0", "sg-0123456789abcdef0"),
            ("naïve\n", "na%C3%AFve%0A"),
            ("file:///etc/passwd", "file%3A___etc_passwd"),
            ("https://evil.example/x", "https%3A__evil.example_x"),
            ("[x](1)", "%5Bx%5D%281%29"),
        ];
        for (id, want) in cases {
            assert_eq!(segment(id), want, "segment of {id:?}");
        }
        let path = resource_path("../..", "", "AWS::EC2::Security Group/..", "../x");
        assert_eq!(path, "aws/.._../_/ec2-security-group/.._x");
        for (id, _) in cases {
            let p = resource_path(id, id, id, id);
            assert!(p.starts_with("aws/"), "{p}");
            assert!(!p.contains(':') && !p.contains('\\'), "{p}");
            let segs: Vec<&str> = p.split('/').collect();
            assert_eq!(segs.len(), 5, "{p}");
            for s in segs {
                assert!(!s.is_empty() && s != "." && s != "..", "{p}");
                assert!(
                    s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.%".contains(&b)),
                    "{p}"
                );
            }
        }
    }

    #[test]
    fn resource_types_become_slugs() {
        for (t, want) in [
            ("AWS::EC2::SecurityGroup", "ec2-security-group"),
            ("AWS::EC2::VPCEndpoint", "ec2-vpc-endpoint"),
            ("AWS::EC2::NetworkAcl", "ec2-network-acl"),
            (
                "AWS::NetworkFirewall::FirewallPolicy",
                "network-firewall-firewall-policy",
            ),
            (
                "AWS::EC2::VPCPeeringConnection",
                "ec2-vpc-peering-connection",
            ),
            ("vpcaudit::Check", "vpcaudit-check"),
            ("Ec2Instance", "ec2-instance"),
            ("", "resource"),
            ("::../::", "resource"),
            ("AWS::Évil Type/../x", "vil-type-x"),
        ] {
            assert_eq!(type_slug(t), want, "slug of {t:?}");
        }
    }

    #[test]
    fn rule_names_and_fences() {
        assert_eq!(pascal_case("egress-world-open"), "EgressWorldOpen");
        assert_eq!(pascal_case("nacl-admin-ports-open"), "NaclAdminPortsOpen");
        assert_eq!(fenced("sh", "a ``` b\n"), "````sh\na ``` b\n````\n");
        assert_eq!(fenced("sh", "ls"), "```sh\nls\n```\n");
    }

    fn finding(check: &str, severity: Severity, id: &str) -> Finding {
        Finding {
            check: check.into(),
            severity,
            status: Status::Fail,
            title: "A title".into(),
            message: format!("{id} is open to [everyone](https://evil.example)"),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            resource: Resource {
                resource_type: "AWS::EC2::SecurityGroup".into(),
                id: id.into(),
                arn: None,
                name: None,
            },
            related: Vec::new(),
            evidence: Vec::new(),
            remediation: "Close it.".into(),
            fingerprint: crate::finding::fingerprint(&[check, id]),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        }
    }

    #[test]
    fn results_are_capped_and_every_result_has_a_rule() {
        let inventory = crate::inventory::Inventory {
            tool_version: String::new(),
            ..crate::inventory::Inventory::new(0)
        };
        let meta = egress_world_open();
        let mut muted = finding("egress-world-open", Severity::High, "sg-2");
        muted.baseline = Some(BaselineState::Unchanged);
        muted.muted = Some(crate::finding::Muted {
            reason: "accepted by security".into(),
            expires: Some("2099-01-31".into()),
            rule: "mutes.toml, mute #1".into(),
        });
        let mut gone = finding("not-a-check", Severity::Low, "sg-3");
        gone.baseline = Some(BaselineState::Absent);
        let report = ScanReport {
            inventory: &inventory,
            checks: vec![meta.clone()],
            findings: vec![
                {
                    let mut f = finding("egress-world-open", Severity::Critical, "sg-1");
                    f.baseline = Some(BaselineState::New);
                    f
                },
                muted,
            ],
            passed: Vec::new(),
            include_passed: false,
            absent: vec![gone],
            baselined: true,
            elapsed: std::time::Duration::from_secs(1),
        };
        let doc: serde_json::Value =
            serde_json::from_str(&render(&report).expect("render")).expect("JSON");
        let run = &doc["runs"][0];
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        assert!(run.get("invocations").is_none());
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for r in results {
            let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        assert_eq!(results[2]["ruleId"], "not-a-check");
        assert_eq!(
            results
                .iter()
                .map(|r| r["baselineState"].clone())
                .collect::<Vec<_>>(),
            ["new", "unchanged", "absent"]
        );
        assert_eq!(
            results[1]["suppressions"][0]["justification"],
            "accepted by security"
        );
        assert!(results[0].get("suppressions").is_none());
        // Plain-text messages turn `[text](target)` into links (SARIF §3.11.6), which
        // GitHub renders: data cannot make one.
        assert_eq!(
            results[0]["message"]["text"],
            "sg-1 is open to \\[everyone\\](https://evil.example)"
        );
        let fallback = &rules[results[2]["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(fallback["help"]["markdown"], "Close it\\.");

        let capped: serde_json::Value =
            serde_json::from_str(&render_capped(&report, 2).expect("render")).expect("JSON");
        let run = &capped["runs"][0];
        assert_eq!(run["results"].as_array().map(Vec::len), Some(2));
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "warning");
        assert!(
            note["message"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("1 of 3 results were left out")),
            "{note}"
        );
    }

    #[test]
    fn a_failed_check_makes_the_execution_unsuccessful() {
        let inventory = crate::inventory::Inventory {
            tool_version: String::new(),
            ..crate::inventory::Inventory::new(0)
        };
        let meta = egress_world_open();
        let id = meta.id.clone();
        let mut failed = finding(&id, Severity::High, &id);
        failed.status = Status::Unknown;
        failed.resource.resource_type = crate::finding::CHECK_FAILED_TYPE.into();
        let mut report = ScanReport {
            inventory: &inventory,
            checks: vec![meta.clone()],
            findings: vec![failed],
            passed: Vec::new(),
            include_passed: false,
            absent: Vec::new(),
            baselined: false,
            elapsed: std::time::Duration::from_secs(1),
        };
        let doc: serde_json::Value =
            serde_json::from_str(&render(&report).expect("render")).expect("JSON");
        let invocation = &doc["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );

        report.findings[0].resource.resource_type = "AWS::EC2::SecurityGroup".into();
        let doc: serde_json::Value =
            serde_json::from_str(&render(&report).expect("render")).expect("JSON");
        assert!(doc["runs"][0].get("invocations").is_none());
    }

    #[test]
    fn related_resources_use_their_arns_scope() {
        let r = |arn: Option<&str>| Resource {
            resource_type: "AWS::EC2::VPC".into(),
            id: "vpc-1".into(),
            arn: arn.map(String::from),
            name: None,
        };
        assert_eq!(
            arn_scope(&r(Some("arn:aws:ec2:eu-west-1:210987654321:vpc/vpc-1"))),
            Some(("210987654321", "eu-west-1"))
        );
        assert_eq!(arn_scope(&r(Some("arn:aws:s3:::bucket"))), None);
        assert_eq!(arn_scope(&r(Some("not an arn"))), None);
        assert_eq!(arn_scope(&r(None)), None);
    }
}
