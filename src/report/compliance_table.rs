//! `vpcaudit compliance` for people: per framework, its score, then each section's
//! controls with status, resource counts and why; the failing findings follow.

use std::fmt::Write;

use crate::answer::compliance::{
    ComplianceReport, ControlResult, ControlStatus, FrameworkResult, Score,
};

use super::text::visible;

/// Columns the control tables are wrapped to.
const TABLE_WIDTH: u16 = 150;

/// Failing findings listed per control; the rest are counted.
const SHOWN_FINDINGS: usize = 5;

pub fn render(report: &ComplianceReport) -> String {
    let mut out = String::new();
    for (i, f) in report.frameworks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        framework(&mut out, f);
    }
    out
}

/// `12 pass, 2 fail, 1 unknown, 5 manual, 1 not applicable; score 80%`.
pub fn score_line(s: &Score) -> String {
    let mut line = format!(
        "{} pass, {} fail, {} unknown, {} manual, {} not applicable",
        s.pass, s.fail, s.unknown, s.manual, s.not_applicable
    );
    match s.percent {
        Some(p) => {
            let _ = write!(line, "; score {p}%");
        }
        None => line.push_str("; no control decided"),
    }
    line
}

fn framework(out: &mut String, f: &FrameworkResult) {
    let _ = writeln!(out, "{} {} ({})", f.name, f.version, f.id);
    let _ = writeln!(out, "  {}", score_line(&f.score));
    let _ = writeln!(out, "  Covers: {}", f.scope);
    for s in &f.sections {
        let _ = writeln!(out, "\n  {} {}: {}", s.id, s.title, score_line(&s.score));
        let mut table = comfy_table::Table::new();
        // Manual notes are long: wrap them to a width that fits a wide terminal and
        // does not depend on the one running the command.
        table
            .load_preset(comfy_table::presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(TABLE_WIDTH)
            .set_header(vec![
                "control",
                "status",
                "pass/fail/unknown/muted",
                "title",
                "why",
            ]);
        for c in &s.controls {
            let n = &c.resources;
            let counts = if matches!(c.status, ControlStatus::Manual) {
                "-".to_string()
            } else {
                format!("{}/{}/{}/{}", n.passed, n.failed, n.unknown, n.excepted)
            };
            table.add_row(vec![
                c.id.clone(),
                status(c.status).to_string(),
                counts,
                visible(&c.title).into_owned(),
                match (&c.note, c.status) {
                    (Some(note), ControlStatus::Pass) => {
                        visible(&format!("{}; not covered: {note}", c.reason)).into_owned()
                    }
                    _ => visible(&c.reason).into_owned(),
                },
            ]);
        }
        for line in table.to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let failing: Vec<&ControlResult> = f
        .sections
        .iter()
        .flat_map(|s| &s.controls)
        .filter(|c| !c.findings.is_empty() || !c.exceptions.is_empty())
        .collect();
    if failing.is_empty() {
        return;
    }
    out.push_str("\n  Findings behind the controls\n");
    for c in failing {
        let _ = writeln!(out, "  {} ({})", c.id, status(c.status));
        for x in c.findings.iter().take(SHOWN_FINDINGS) {
            let _ = writeln!(
                out,
                "    {} {} {} {}: {}",
                x.severity,
                x.status,
                x.check,
                visible(&x.resource),
                visible(&x.message)
            );
        }
        if c.findings.len() > SHOWN_FINDINGS {
            let _ = writeln!(
                out,
                "    ... and {} more (see --format json)",
                c.findings.len() - SHOWN_FINDINGS
            );
        }
        for x in &c.exceptions {
            let _ = writeln!(
                out,
                "    accepted: {} {}: {}",
                x.check,
                visible(&x.resource),
                visible(x.muted.as_deref().unwrap_or_default())
            );
        }
    }
}

fn status(s: ControlStatus) -> &'static str {
    match s {
        ControlStatus::Pass => "PASS",
        ControlStatus::Fail => "FAIL",
        ControlStatus::Unknown => "unknown",
        ControlStatus::Manual => "manual",
        ControlStatus::NotApplicable => "n/a",
    }
}
