//! `vpcaudit compliance --format json`: the [`ComplianceReport`] as
//! `vpcaudit/compliance/v1`, pretty printed, in the report's order.

use crate::answer::compliance::ComplianceReport;

pub fn render(report: &ComplianceReport) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
