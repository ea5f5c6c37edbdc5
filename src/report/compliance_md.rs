//! `vpcaudit compliance --format md`: GitHub-flavoured Markdown for a pull request or
//! a wiki. Every piece of text from the inventory is escaped
//! ([`text::markdown`](super::text::markdown)), so a tag value cannot make a link.

use std::fmt::Write;

use crate::answer::compliance::{ComplianceReport, ControlStatus};

use super::compliance_table::score_line;
use super::text::markdown as md;

pub fn render(report: &ComplianceReport) -> String {
    let mut out = String::from("# vpcaudit compliance report\n\n");
    let _ = writeln!(
        out,
        "Accounts: {}. Regions: {}. {} checks ran.\n",
        md(&join_or_none(&report.accounts)),
        md(&join_or_none(&report.regions)),
        report.checks.len()
    );
    for f in &report.frameworks {
        let _ = writeln!(out, "## {} {}\n", md(&f.name), md(&f.version));
        let _ = writeln!(
            out,
            "{}. Covers: {}\n",
            md(&score_line(&f.score)),
            md(&f.scope)
        );
        out.push_str("| Section | Pass | Fail | Unknown | Manual | N/A | Score |\n");
        out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for s in &f.sections {
            let sc = &s.score;
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} | {} | {} |",
                md(&s.id),
                md(&s.title),
                sc.pass,
                sc.fail,
                sc.unknown,
                sc.manual,
                sc.not_applicable,
                sc.percent.map_or("-".to_string(), |p| format!("{p}%"))
            );
        }
        out.push('\n');
        for s in &f.sections {
            let _ = writeln!(out, "### {} {}\n", md(&s.id), md(&s.title));
            out.push_str(
                "| Control | Status | Resources (pass/fail/unknown/muted) | Title | Why |\n",
            );
            out.push_str("| --- | --- | --- | --- | --- |\n");
            for c in &s.controls {
                let n = &c.resources;
                let counts = if c.status == ControlStatus::Manual {
                    "-".to_string()
                } else {
                    format!("{}/{}/{}/{}", n.passed, n.failed, n.unknown, n.excepted)
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md(&c.id),
                    badge(c.status),
                    counts,
                    md(&c.title),
                    match &c.note {
                        Some(note) => format!("{}<br>Not covered: {}", md(&c.reason), md(note)),
                        None => md(&c.reason),
                    }
                );
            }
            out.push('\n');
            for c in s.controls.iter().filter(|c| !c.findings.is_empty()) {
                let _ = writeln!(
                    out,
                    "<details><summary>{}: {} finding(s)</summary>\n",
                    md(&c.id),
                    c.findings.len()
                );
                for x in &c.findings {
                    let _ = writeln!(
                        out,
                        "- {} {} `{}` {}: {}",
                        x.severity,
                        x.status,
                        x.check,
                        md(&x.resource),
                        md(&x.message)
                    );
                }
                out.push_str("\n</details>\n\n");
            }
        }
    }
    out
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn badge(s: ControlStatus) -> &'static str {
    match s {
        ControlStatus::Pass => "✅ pass",
        ControlStatus::Fail => "❌ fail",
        ControlStatus::Unknown => "❔ unknown",
        ControlStatus::Manual => "📝 manual",
        ControlStatus::NotApplicable => "➖ n/a",
    }
}
