//! `vpcaudit compliance --format csv`: one row per control, for spreadsheets and
//! audit trackers (RFC 4180, cells defused as the findings CSV's are).

use crate::answer::compliance::ComplianceReport;

use super::findings_csv::push_record;

const COLUMNS: [&str; 14] = [
    "framework",
    "framework_version",
    "section",
    "control",
    "title",
    "status",
    "reason",
    "checks",
    "passed",
    "failed",
    "unknown",
    "excepted",
    "not_applicable",
    "failing_findings",
];

pub fn render(report: &ComplianceReport) -> String {
    let mut out = String::new();
    push_record(&mut out, COLUMNS.iter().copied());
    for f in &report.frameworks {
        for s in &f.sections {
            for c in &s.controls {
                let checks: Vec<&str> = c.checks.iter().map(|r| r.id.as_str()).collect();
                let failing: Vec<&str> =
                    c.findings.iter().map(|x| x.fingerprint.as_str()).collect();
                let n = &c.resources;
                let cells = [
                    f.id.clone(),
                    f.version.clone(),
                    format!("{} {}", s.id, s.title),
                    c.id.clone(),
                    c.title.clone(),
                    c.status.as_str().to_string(),
                    c.reason.clone(),
                    checks.join(" "),
                    n.passed.to_string(),
                    n.failed.to_string(),
                    n.unknown.to_string(),
                    n.excepted.to_string(),
                    n.not_applicable.to_string(),
                    failing.join(" "),
                ];
                push_record(&mut out, cells.iter().map(String::as_str));
            }
        }
    }
    out
}
