//! The findings as terminal tables, one per severity, most severe first, then one
//! summary line. Colour only when writing to a terminal.
//!
//! Every string from the inventory or a baseline file goes through
//! [`text::visible`]: escape sequences, line breaks, bidi and invisible characters in
//! a tag value are shown escaped, never interpreted by the terminal, and cannot break
//! a table row.

use comfy_table::{presets, Cell, ContentArrangement, Table};

use super::scan_report::ScanReport;
use super::text::visible;
use crate::finding::{BaselineState, Finding, Severity, Status};

/// Coverage gaps listed under the table; the rest are counted.
const GAP_LINES: usize = 20;

pub fn render(report: &ScanReport, colour: bool) -> String {
    let paint = |s: Severity, text: &str| -> String {
        if !colour {
            return text.to_string();
        }
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let active: Vec<&Finding> = report.active().collect();
    let mut out = String::new();
    if active.is_empty() {
        out.push_str("No findings.\n");
    }
    for severity in Severity::ALL {
        let group: Vec<&&Finding> = active.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        out.push_str(&paint(severity, &heading));
        out.push('\n');
        let mut table = Table::new();
        let mut header = vec!["status", "check", "account/region", "resource", "message"];
        if report.baselined {
            header.insert(0, "baseline");
        }
        table
            .load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(160)
            .set_header(header);
        for f in group {
            let mut row = vec![
                Cell::new(f.status),
                Cell::new(visible(&f.check)),
                Cell::new(format!("{}\n{}", visible(&f.account), visible(&f.region))),
                Cell::new(match &f.resource.name {
                    Some(n) => format!("{}\n({})", visible(&f.resource.id), visible(n)),
                    None => visible(&f.resource.id).into_owned(),
                }),
                Cell::new(visible(&f.message)),
            ];
            if report.baselined {
                row.insert(0, Cell::new(f.baseline.map_or("", |b| b.as_str())));
            }
            table.add_row(row);
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
    }
    if !report.absent.is_empty() {
        out.push_str(&format!(
            "Gone since the baseline ({}):\n",
            report.absent.len()
        ));
        for f in &report.absent {
            out.push_str(&format!(
                "  {} {} {} ({}/{})\n",
                f.severity,
                visible(&f.check),
                visible(&f.resource.id),
                visible(&f.account),
                visible(&f.region)
            ));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report, &active));
    // What could not be read, right under the counts: the unknowns above come from it.
    let gaps = &report.inventory.coverage;
    if !gaps.is_empty() {
        out.push_str(&super::inventory_summary::coverage_gaps(gaps, GAP_LINES));
    }
    // Like the rows: a muted (accepted) foothold is not listed.
    let blast = super::findings_json::blast_radius(active.iter().copied());
    if !blast.is_empty() {
        out.push_str(&format!(
            "Blast radius: {} foothold(s) reach crown jewels; the largest:\n",
            blast.len()
        ));
        for e in blast.iter().take(BLAST_LINES) {
            let max = e.within.len();
            out.push_str(&format!(
                "  {} ({}/{}): {} within {max} hop(s), {} in one\n",
                visible(e.foothold),
                visible(e.account),
                visible(e.region),
                e.within.last().copied().unwrap_or(0),
                e.within.first().copied().unwrap_or(0),
            ));
        }
    }
    out
}

/// `12 findings: 1 critical, 3 high, ... (2 unknown); 4 muted; 812 resources in 1
/// account, 2 regions; 0 coverage gaps; 0.4 s`.
fn summary_line(report: &ScanReport, active: &[&Finding]) -> String {
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {s}", active.iter().filter(|f| f.severity == *s).count()))
        .collect();
    let unknown = active
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    let inv = report.inventory;
    let accounts = report.accounts();
    let regions = inv.regions().count();
    let mut line = format!(
        "{} finding(s): {} ({unknown} unknown)",
        active.len(),
        counts.join(", ")
    );
    if report.baselined {
        let new = active
            .iter()
            .filter(|f| f.baseline == Some(BaselineState::New))
            .count();
        line.push_str(&format!("; {new} new, {} gone", report.absent.len()));
    }
    line.push_str(&format!(
        "; {} muted; {} resources in {} account(s), {} region(s); {} coverage gap(s); {:.1} s\n",
        report.muted_count(),
        report.resources(),
        accounts.len(),
        regions,
        inv.coverage.len(),
        report.elapsed.as_secs_f64()
    ));
    line
}

/// Footholds listed under the summary line.
const BLAST_LINES: usize = 5;
