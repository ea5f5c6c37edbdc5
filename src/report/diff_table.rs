//! `vpcaudit diff` for people: the changes first, then what they did, each effect
//! with the changes that caused it.

use std::fmt::Write;

use crate::answer::diff::{Attribution, Change, Compared, DiffReport, Effect, Op};

pub fn render(report: &DiffReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "vpcaudit diff: {}; {} appeared, {} disappeared, {} changed",
        match report.compared {
            Compared::Inventories => plural(s.changes, "resource change", "resource changes"),
            Compared::FindingsReports => "two findings reports".to_string(),
        },
        plural(s.appeared, "finding", "findings"),
        s.disappeared,
        s.changed,
    );
    if report.compared == Compared::Inventories {
        out.push_str("\nChanges\n");
        if report.changes.is_empty() {
            out.push_str("  none: the inventories hold the same network\n");
        }
        for c in &report.changes {
            change(&mut out, c);
        }
    }
    out.push_str("\nEffects\n");
    if report.effects.is_empty() {
        out.push_str("  none: the checks find the same\n");
    }
    for e in &report.effects {
        effect(&mut out, e, &report.changes);
    }
    if !report.warnings.is_empty() {
        out.push('\n');
        for w in &report.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
    }
    out
}

/// `sg-0abc (web)`.
fn named(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) if n != id => format!("{id} ({n})"),
        _ => id.to_string(),
    }
}

fn place(account: &str, region: &str) -> String {
    match (account.is_empty(), region.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!(" [{region}]"),
        (false, true) => format!(" [{account}]"),
        (false, false) => format!(" [{account} {region}]"),
    }
}

fn change(out: &mut String, c: &Change) {
    let _ = writeln!(
        out,
        "  {:<4} {:<8} {} {}{}",
        c.id,
        c.op.as_str(),
        c.kind.as_str(),
        named(&c.resource, c.name.as_deref()),
        place(&c.account, &c.region),
    );
    if let Some(b) = &c.before {
        let _ = writeln!(out, "         - {b}");
    }
    if let Some(a) = &c.after {
        let _ = writeln!(out, "         + {a}");
    }
}

fn effect(out: &mut String, e: &Effect, changes: &[Change]) {
    let (marker, what) = match e.op {
        Op::Added => ('+', "appeared".to_string()),
        Op::Removed => ('-', "gone".to_string()),
        Op::Changed => {
            let mut parts = Vec::new();
            if let Some(b) = &e.severity_before {
                parts.push(format!("{b} -> {}", e.severity));
            }
            if let Some(b) = &e.status_before {
                parts.push(format!("{b} -> {}", e.status));
            }
            if e.message_before.is_some() {
                parts.push("details".to_string());
            }
            ('~', format!("changed: {}", parts.join(", ")))
        }
    };
    let muted = if e.muted { ", muted" } else { "" };
    let _ = writeln!(
        out,
        "  {marker} {:<8} {} [{}] {what}{muted}",
        e.severity.to_uppercase(),
        e.check,
        e.category.as_str(),
    );
    let _ = writeln!(
        out,
        "             {}{}",
        named(&e.resource.id, e.resource.name.as_deref()),
        place(&e.account, &e.region)
    );
    let _ = writeln!(out, "             {}", e.title);
    if let Some(b) = &e.message_before {
        let _ = writeln!(out, "             was: {b}");
        let _ = writeln!(out, "             now: {}", e.message);
    } else if !e.message.is_empty() && e.message != e.title {
        let _ = writeln!(out, "             {}", e.message);
    }
    match e.attribution {
        Attribution::Matched | Attribution::OnlyChange => {
            let only = if e.attribution == Attribution::OnlyChange {
                " (the only change)"
            } else {
                ""
            };
            for id in &e.caused_by {
                let why = changes.iter().find(|c| &c.id == id).map(|c| {
                    format!(
                        "{} {} on {}",
                        c.kind.as_str(),
                        c.op.as_str(),
                        named(&c.resource, c.name.as_deref())
                    )
                });
                let _ = writeln!(
                    out,
                    "             caused by {id}{only}{}",
                    why.map(|w| format!(": {w}")).unwrap_or_default()
                );
            }
        }
        Attribution::NoneIdentified => {
            out.push_str("             caused by: no single change identified\n");
        }
        Attribution::NotApplicable => {}
    }
}
