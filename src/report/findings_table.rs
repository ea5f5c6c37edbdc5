//! The findings as a terminal table, most severe first, with one summary line.

use comfy_table::{presets, Cell, ContentArrangement, Table};

use crate::inventory::Inventory;

use super::finding::{Finding, Severity, Status};

pub fn render(inv: &Inventory, findings: &[Finding]) -> String {
    let mut out = String::new();
    if findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let mut table = Table::new();
        table
            .load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(160)
            .set_header(vec![
                "severity",
                "status",
                "check",
                "account/region",
                "resource",
                "message",
            ]);
        for f in findings {
            table.add_row(vec![
                Cell::new(f.severity),
                Cell::new(f.status),
                Cell::new(&f.check),
                Cell::new(format!("{}\n{}", f.account, f.region)),
                Cell::new(match &f.resource.name {
                    Some(n) => format!("{}\n({})", f.resource.id, neutral(n)),
                    None => f.resource.id.clone(),
                }),
                Cell::new(neutral(&f.message)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {s}",
                findings.iter().filter(|f| f.severity == *s).count()
            )
        })
        .collect();
    let unknown = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    out.push_str(&format!(
        "{} finding(s): {} ({unknown} unknown); {} coverage gap(s).\n",
        findings.len(),
        counts.join(", "),
        inv.coverage.len()
    ));
    let blast = super::findings_json::blast_radius(findings);
    if !blast.is_empty() {
        out.push_str(&format!(
            "Blast radius: {} foothold(s) reach crown jewels; the largest:\n",
            blast.len()
        ));
        for e in blast.iter().take(BLAST_LINES) {
            let max = e.within.len();
            out.push_str(&format!(
                "  {} ({}/{}): {} within {max} hop(s), {} in one\n",
                neutral(e.foothold),
                e.account,
                e.region,
                e.within.last().copied().unwrap_or(0),
                e.within.first().copied().unwrap_or(0),
            ));
        }
    }
    out
}

/// Footholds listed under the summary line.
const BLAST_LINES: usize = 5;

/// Control characters (ANSI escapes, newlines) from tags and descriptions are shown
/// escaped, never interpreted by the terminal.
fn neutral(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
