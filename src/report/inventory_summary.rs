//! The summary of an inventory: resource counts per account and region, and every
//! coverage gap, so a user sees at once what was and was not read. Ids and error
//! messages from the inventory go through [`visible`]: nothing in them reaches the
//! terminal raw.

use comfy_table::{presets, Cell, CellAlignment, Table};

use crate::inventory::{CoverageGap, Inventory};

use super::text::visible;

pub fn render(inventory: &Inventory) -> String {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_FULL_CONDENSED);
    let regions: Vec<_> = inventory.regions().collect();
    let mut header = vec![Cell::new("resource")];
    header.extend(
        regions
            .iter()
            .map(|(account, r)| Cell::new(format!("{}\n{}", visible(account), visible(&r.region)))),
    );
    table.set_header(header);
    let Some((_, first)) = regions.first() else {
        return "The inventory holds no account.\n".to_string();
    };
    let kinds: Vec<&str> = first.resource_counts().iter().map(|(k, _)| *k).collect();
    for (row, kind) in kinds.iter().enumerate() {
        let mut cells = vec![Cell::new(kind.replace('_', " "))];
        cells.extend(regions.iter().map(|(_, r)| {
            Cell::new(r.resource_counts()[row].1).set_alignment(CellAlignment::Right)
        }));
        table.add_row(cells);
    }
    let mut gaps_row = vec![Cell::new("coverage gaps")];
    gaps_row.extend(regions.iter().map(|(account, r)| {
        Cell::new(inventory.gaps_for(account, &r.region).count())
            .set_alignment(CellAlignment::Right)
    }));
    table.add_row(gaps_row);

    let mut out = table.to_string();
    out.push('\n');
    if inventory.coverage.is_empty() {
        out.push_str("Coverage: complete, every API answered in every region.\n");
    } else {
        out.push_str(&coverage_gaps(&inventory.coverage, usize::MAX));
    }
    out
}

/// The coverage gaps, one line each (at most `max`, then a count of the rest), under a
/// heading that says what they mean for the findings.
pub fn coverage_gaps(gaps: &[CoverageGap], max: usize) -> String {
    let mut out = format!(
        "Coverage: {} gap(s); findings that depend on them are reported as unknown.\n",
        gaps.len()
    );
    for g in gaps.iter().take(max) {
        out.push_str(&format!("  - {}\n", visible(&g.to_string())));
    }
    if gaps.len() > max {
        out.push_str(&format!(
            "  ... and {} more (all of them: --format summary, or \"coverage\" in the JSON)\n",
            gaps.len() - max
        ));
    }
    out
}
