//! `vpcaudit compliance --format html`: one self-contained page (the scan report's
//! style and rules: inline CSS, no script, nothing loaded, every text escaped), a
//! part per framework that starts on a new printed page, with a score per section.

use std::fmt::Write;

use crate::answer::compliance::{ComplianceReport, ControlResult, ControlStatus, Score};

use super::html::{esc, utc, CSS};

const EXTRA_CSS: &str = r#"
.framework { break-before: page; }
.framework:first-of-type { break-before: auto; }
.status-pass { background: #1e8449; } .status-manual { background: #7f8c8d; } .status-na { background: #aab7b8; }
.score { font-size: 20px; font-weight: 700; }
td.reason { color: var(--muted); }
"#;

pub fn render(report: &ComplianceReport) -> String {
    let mut out = String::with_capacity(32 * 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n<title>vpcaudit compliance report</title>\n<style>\n",
    );
    out.push_str(CSS);
    out.push_str(EXTRA_CSS);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>vpcaudit compliance report</h1>\n");
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", ")
        }
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">Accounts <b>{}</b> · regions <b>{}</b> · {} checks · inventory collected {}</p>",
        list(&report.accounts),
        list(&report.regions),
        report.checks.len(),
        utc(report.collected_at)
    );
    out.push_str("</header>\n<main>\n");
    for f in &report.frameworks {
        let _ = writeln!(
            out,
            "<section class=\"framework\" id=\"{}\">\n<h2>{} {}</h2>",
            esc(&f.id),
            esc(&f.name),
            esc(&f.version)
        );
        let _ = writeln!(
            out,
            "<p><span class=\"score\">{}</span> {}</p>\n<p class=\"meta\">Covers: {}</p>",
            percent(&f.score),
            counts(&f.score),
            esc(&f.scope)
        );
        out.push_str(
            "<table><thead><tr><th>section</th><th class=\"num\">pass</th><th class=\"num\">fail</th>\
             <th class=\"num\">unknown</th><th class=\"num\">manual</th><th class=\"num\">n/a</th>\
             <th class=\"num\">score</th></tr></thead>\n<tbody>\n",
        );
        for s in &f.sections {
            let sc = &s.score;
            let _ = writeln!(
                out,
                "<tr><td>{} {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                esc(&s.id),
                esc(&s.title),
                sc.pass,
                sc.fail,
                sc.unknown,
                sc.manual,
                sc.not_applicable,
                percent(sc)
            );
        }
        out.push_str("</tbody></table>\n");
        for s in &f.sections {
            let _ = writeln!(out, "<h3>{} {}</h3>", esc(&s.id), esc(&s.title));
            out.push_str(
                "<table><thead><tr><th>control</th><th>status</th><th>resources</th>\
                 <th>title</th><th>why</th></tr></thead>\n<tbody>\n",
            );
            for c in &s.controls {
                control(&mut out, c);
            }
            out.push_str("</tbody></table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn percent(s: &Score) -> String {
    s.percent.map_or("–".to_string(), |p| format!("{p}%"))
}

fn counts(s: &Score) -> String {
    format!(
        "{} pass · {} fail · {} unknown · {} manual · {} not applicable",
        s.pass, s.fail, s.unknown, s.manual, s.not_applicable
    )
}

fn control(out: &mut String, c: &ControlResult) {
    let (class, label) = match c.status {
        ControlStatus::Pass => ("pass", "pass"),
        ControlStatus::Fail => ("fail", "fail"),
        ControlStatus::Unknown => ("unknown", "unknown"),
        ControlStatus::Manual => ("manual", "manual"),
        ControlStatus::NotApplicable => ("na", "n/a"),
    };
    let n = &c.resources;
    let resources = if c.status == ControlStatus::Manual {
        "–".to_string()
    } else {
        format!(
            "{} pass · {} fail · {} unknown · {} muted",
            n.passed, n.failed, n.unknown, n.excepted
        )
    };
    let _ = write!(
        out,
        "<tr data-control=\"{}\"><td><code>{}</code></td>\
         <td><span class=\"pill status-{class}\">{label}</span></td><td class=\"small\">{resources}</td>\
         <td>{}</td><td class=\"reason\">{}",
        esc(&c.id),
        esc(&c.id),
        esc(&c.title),
        esc(&c.reason)
    );
    if let Some(note) = &c.note {
        let _ = write!(
            out,
            "<br><span class=\"small\">Not covered: {}</span>",
            esc(note)
        );
    }
    if !c.findings.is_empty() || !c.exceptions.is_empty() {
        let _ = write!(
            out,
            "<details><summary>{} finding(s), {} accepted</summary><ul>",
            c.findings.len(),
            c.exceptions.len()
        );
        for x in &c.findings {
            let _ = write!(
                out,
                "<li><span class=\"pill sev-{}\">{}</span> <code>{}</code> <span class=\"mono\">{}</span>: {}</li>",
                esc(&x.severity),
                esc(&x.severity),
                esc(&x.check),
                esc(&x.resource),
                esc(&x.message)
            );
        }
        for x in &c.exceptions {
            let _ = write!(
                out,
                "<li>accepted: <code>{}</code> <span class=\"mono\">{}</span>: {}</li>",
                esc(&x.check),
                esc(&x.resource),
                esc(x.muted.as_deref().unwrap_or_default())
            );
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</td></tr>\n");
}
