//! The summary of an inventory: resource counts per account and region, and every
//! coverage gap, so a user sees at once what was and was not read. Ids and error
//! messages from the inventory go through [`visible`]: nothing in them reaches the
//! terminal raw.

use comfy_table::{presets, Cell, CellAlignment, Table};

use crate::inventory::{CoverageGap, Inventory, KubeCluster, KubeSource};

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
        let mut out = "The inventory holds no AWS account.\n".to_string();
        out.push_str(&kubernetes(inventory));
        return out;
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
    out.push_str(&kubernetes(inventory));
    out
}

/// What was read of each Kubernetes cluster, and what could not be.
fn kubernetes(inventory: &Inventory) -> String {
    let mut out = String::new();
    for c in &inventory.kubernetes {
        out.push_str(&format!(
            "Kubernetes cluster {} ({}): {} namespaces, {} pods, {} NetworkPolicies, {} Services, \
             {} DaemonSets, {} SecurityGroupPolicies, {} cluster network policies\n",
            visible(&c.name),
            source(c),
            c.namespaces.len(),
            c.pods.len(),
            c.network_policies.len(),
            c.services.len(),
            c.daemon_sets.len(),
            c.security_group_policies.len(),
            c.cluster_network_policies.len(),
        ));
        if !c.not_served.is_empty() {
            let kinds: Vec<String> = c.not_served.iter().map(|k| k.to_string()).collect();
            out.push_str(&format!(
                "  not served (none exist): {}\n",
                kinds.join(", ")
            ));
        }
        if c.gaps.is_empty() {
            out.push_str("  coverage: complete\n");
        }
        for g in &c.gaps {
            let kind = g
                .kind
                .map_or("the whole cluster".to_string(), |k| k.to_string());
            let status = g.status.map(|s| format!(" ({s})")).unwrap_or_default();
            out.push_str(&format!(
                "  - {kind}: {}{status}: {}\n",
                g.reason,
                visible(&g.message)
            ));
        }
    }
    out
}

fn source(c: &KubeCluster) -> String {
    match &c.source {
        KubeSource::Kubeconfig { context } => format!("kubeconfig context {}", visible(context)),
        KubeSource::Eks => "EKS API".to_string(),
        KubeSource::Objects { files } => format!("objects from {}", visible(&files.join(", "))),
    }
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
