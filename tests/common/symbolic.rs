//! Output of runs against the emulator made stable for snapshots: the ids it hands
//! out at random become the scenario's names.

use serde_json::Value;

use super::redact_ids;

/// `text` with each real value of `pairs` (real, symbol) replaced by its symbol,
/// longest value first so that none is replaced inside a longer one, then every AWS
/// id left over replaced by `<id>` (see [`redact_ids`]).
pub fn symbolic(text: &str, pairs: impl IntoIterator<Item = (String, String)>) -> String {
    let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
    // Stable: values of one length keep the caller's order.
    pairs.sort_by_key(|(real, _)| std::cmp::Reverse(real.len()));
    let mut out = text.to_string();
    for (real, symbol) in pairs {
        out = out.replace(&real, &symbol);
    }
    redact_ids(&out)
}

/// A findings array in JSON `text` (made symbolic), with fingerprints (hashes of the
/// real ids) replaced by `<fingerprint>`, sorted by check, resource and message so
/// the order does not depend on the ids the emulator picked.
pub fn stable_findings(text: &str) -> Vec<Value> {
    let mut findings: Vec<Value> = serde_json::from_str(text).expect("a findings array");
    for f in &mut findings {
        f["fingerprint"] = Value::String("<fingerprint>".into());
    }
    findings.sort_by_key(|f| {
        (
            f["check"].as_str().unwrap_or_default().to_string(),
            f["resource"]["id"].as_str().unwrap_or_default().to_string(),
            f["message"].as_str().unwrap_or_default().to_string(),
        )
    });
    findings
}
