//! `vpcaudit diff --format json`: the [`DiffReport`] as `vpcaudit/diff/v1`, pretty
//! printed. Its order is the report's, so equal inputs give equal bytes.

use crate::answer::diff::DiffReport;

pub fn render(report: &DiffReport) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
