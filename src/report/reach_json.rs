//! `vpcaudit reach --format json`: the answer as `vpcaudit/reach/v1` (and, with
//! `--intents`, `vpcaudit/intents/v1`).

/// Pretty JSON with a final newline; field order is the struct's, so the output is
/// deterministic.
pub fn render<T: serde::Serialize>(report: &T) -> Result<String, serde_json::Error> {
    let mut out = serde_json::to_string_pretty(report)?;
    out.push('\n');
    Ok(out)
}
