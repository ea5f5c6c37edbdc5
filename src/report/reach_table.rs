//! `vpcaudit reach` for people: the verdict, each path drawn as numbered hops, where
//! it is blocked and what would have to change; or, with one end omitted, what is
//! reached grouped by VPC.

use comfy_table::{presets, Table};

use super::text::visible;
use crate::answer::reach::{Endpoint, Hop, Mode, Path, ReachReport, Reached};

pub fn render(report: &ReachReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("vpcaudit reach: {}\n", question(report)));
    out.push_str(&format!("verdict: {}\n", report.verdict));
    if report.mode == Mode::Pair {
        out.push_str(&format!(
            "services allowed: {}\n",
            services(&report.services)
        ));
    }
    match report.mode {
        Mode::Pair => paths(&mut out, &report.paths),
        Mode::From | Mode::To => reached(&mut out, report),
    }
    if let Some(b) = &report.blocked_at {
        out.push_str(&format!(
            "\nblocked at: {} {}{}\n  why: {}\n  to change: {}\n",
            b.code,
            visible(&b.resource),
            b.rule
                .as_deref()
                .map(|r| format!(" ({})", visible(r)))
                .unwrap_or_default(),
            visible(&b.detail),
            visible(&b.change),
        ));
    }
    if !report.unknown.is_empty() {
        out.push_str("\nundecided:\n");
        for u in &report.unknown {
            out.push_str(&format!(
                "  - {} {}: {}\n",
                u.code,
                visible(&u.resource),
                visible(&u.reason)
            ));
        }
    }
    out
}

/// `A -> B, tcp 5432`, `what A reaches, all services`, `who reaches B, ...`.
fn question(report: &ReachReport) -> String {
    let end = |e: &Option<Endpoint>| e.as_ref().map(endpoint).unwrap_or_else(|| "?".into());
    match report.mode {
        Mode::Pair => format!(
            "{} -> {}, {}",
            end(&report.from),
            end(&report.to),
            report.asked
        ),
        Mode::From => format!("what {} reaches, {}", end(&report.from), report.asked),
        Mode::To => format!("who reaches {}, {}", end(&report.to), report.asked),
    }
}

/// The selector, with what it stands for when that is not obvious from it.
fn endpoint(e: &Endpoint) -> String {
    let selector = visible(&e.selector).into_owned();
    match e.resources.as_slice() {
        [one] if one == &e.selector => selector,
        [one] => format!("{selector} ({})", visible(one)),
        many => format!("{selector} ({} ENIs)", many.len()),
    }
}

fn services(s: &[String]) -> String {
    if s.is_empty() {
        "none".into()
    } else {
        s.iter().map(|x| visible(x)).collect::<Vec<_>>().join("; ")
    }
}

fn paths(out: &mut String, paths: &[Path]) {
    for (i, p) in paths.iter().enumerate() {
        out.push_str(&format!(
            "\npath {}: {} -> {} ({}; {})\n",
            i + 1,
            visible(&p.from),
            visible(&p.to),
            p.verdict,
            services(&p.services)
        ));
        for h in &p.hops {
            out.push_str(&hop(h));
        }
    }
}

fn hop(h: &Hop) -> String {
    let mark = match h.code.as_deref() {
        Some(code) => format!("  [{} {code}]", h.verdict),
        None => String::new(),
    };
    format!(
        "  {:>2}. {}: {}{mark}\n",
        h.number,
        visible(&h.resource),
        visible(&h.decision)
    )
}

fn reached(out: &mut String, report: &ReachReport) {
    let noun = if report.mode == Mode::From {
        "destination"
    } else {
        "source"
    };
    out.push_str(&format!("{} {noun}(s)\n", report.reached.len()));
    let mut groups: Vec<(String, Vec<&Reached>)> = Vec::new();
    for r in &report.reached {
        let key = format!("{} / {} / {}", r.account_id, r.region, r.vpc);
        match groups.last_mut() {
            Some((k, items)) if *k == key => items.push(r),
            _ => groups.push((key, vec![r])),
        }
    }
    for (key, items) in groups {
        out.push_str(&format!("\n{}\n", visible(&key)));
        let mut table = Table::new();
        table
            .load_preset(presets::ASCII_FULL_CONDENSED)
            .set_header(vec![
                "resource", "kind", "name", "verdict", "hops", "services", "via",
            ]);
        for r in items {
            let verdict = match &r.reason {
                Some(reason) => format!("{} ({})", r.verdict, visible(reason)),
                None => r.verdict.to_string(),
            };
            table.add_row(vec![
                visible(&r.resource).into_owned(),
                visible(&r.kind).into_owned(),
                r.name
                    .as_deref()
                    .map(|n| visible(n).into_owned())
                    .unwrap_or_default(),
                verdict,
                r.hops.to_string(),
                services(&r.services),
                r.via
                    .iter()
                    .map(|v| visible(v).into_owned())
                    .collect::<Vec<_>>()
                    .join(" -> "),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
}
