//! The findings document: `{"schema": "vpcaudit/findings/v1", ...}`.

use serde::Serialize;

use crate::inventory::CoverageGap;

use super::scan_report::ScanReport;
use crate::finding::Finding;

pub const SCHEMA: &str = "vpcaudit/findings/v1";

#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub schema: &'static str,
    pub tool: Tool,
    pub scanned: Scanned,
    pub coverage: &'a [CoverageGap],
    pub findings: &'a [Finding],
    /// With `--include-passed`: every resource a check judged and found nothing on
    /// (`status: pass`, the check's reason as the message), in check order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<&'a [Finding]>,
    /// With `--baseline`: the baseline's findings no longer found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absent: Option<&'a [Finding]>,
    /// Footholds by how many crown jewels they reach, largest first (from the
    /// `lateral-blast-radius` findings).
    pub blast_radius: Vec<BlastEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct BlastEntry<'a> {
    pub foothold: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    /// `within[i]`: crown-jewel ENIs reachable in at most `i + 1` hops.
    pub within: &'a [usize],
}

/// Footholds with their blast radius, largest first: most jewels within the hop
/// limit, then most within one hop, then by id.
pub fn blast_radius<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<BlastEntry<'a>> {
    let mut out: Vec<BlastEntry> = findings
        .into_iter()
        .filter_map(|f| {
            let b = f.blast_radius.as_ref()?;
            Some(BlastEntry {
                foothold: &f.resource.id,
                account: &f.account,
                region: &f.region,
                within: &b.within,
            })
        })
        .collect();
    let key = |e: &BlastEntry| {
        (
            std::cmp::Reverse(e.within.last().copied().unwrap_or(0)),
            std::cmp::Reverse(e.within.first().copied().unwrap_or(0)),
        )
    };
    out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.foothold.cmp(b.foothold)));
    out
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Scanned {
    /// When the inventory was collected (Unix seconds), not when the checks ran, so
    /// the same inventory always gives the same document.
    pub collected_at: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub checks: Vec<String>,
    pub resources: usize,
}

/// The document, serialised into `out` as it is made: the findings are borrowed,
/// never copied.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> Result<(), serde_json::Error> {
    let inv = report.inventory;
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect();
    let (accounts, regions) = (owned(report.accounts()), owned(report.regions()));
    let doc = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "vpcaudit",
            version: env!("CARGO_PKG_VERSION"),
        },
        scanned: Scanned {
            collected_at: inv.collected_at,
            accounts,
            regions,
            checks: report.check_ids(),
            resources: report.resources(),
        },
        coverage: &inv.coverage,
        findings: &report.findings,
        passed: report.include_passed.then_some(report.passed.as_slice()),
        absent: report.baselined.then_some(report.absent.as_slice()),
        blast_radius: blast_radius(&report.findings),
    };
    super::write_json(&doc, out)
}
