//! `vpcaudit reach --intents FILE`: each intent with pass, fail or unknown, and why.

use comfy_table::{presets, Table};

use super::text::visible;
use crate::answer::reach::{IntentResult, IntentStatus, IntentsReport, Verdict};

pub fn table(report: &IntentsReport) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::ASCII_FULL_CONDENSED)
        .set_header(vec!["status", "intent", "expect", "answer", "why"]);
    for i in &report.intents {
        table.add_row(vec![
            status(i.status).to_string(),
            visible(&i.name).into_owned(),
            i.expect.to_string(),
            i.answer.verdict.to_string(),
            why(i),
        ]);
    }
    format!(
        "{table}\n{} intent(s): {} passed, {} failed, {} unknown\n",
        report.intents.len(),
        report.passed,
        report.failed,
        report.unknown
    )
}

pub fn json(report: &IntentsReport) -> Result<String, serde_json::Error> {
    super::reach_json::render(report)
}

fn status(s: IntentStatus) -> &'static str {
    match s {
        IntentStatus::Pass => "pass",
        IntentStatus::Fail => "FAIL",
        IntentStatus::Unknown => "unknown",
    }
}

/// The services when allowed, the blocking code and component when blocked, the
/// undecided layers when unknown.
fn why(i: &IntentResult) -> String {
    let a = &i.answer;
    let text = match a.verdict {
        Verdict::Allowed => format!(
            "{} via {} path(s)",
            if a.services.is_empty() {
                "none".to_string()
            } else {
                a.services.join("; ")
            },
            a.paths
                .iter()
                .filter(|p| p.verdict == Verdict::Allowed)
                .count()
        ),
        Verdict::Blocked => match &a.blocked_at {
            Some(b) => format!("{} at {}", b.code, b.resource),
            None => "nothing reaches".into(),
        },
        Verdict::Unknown => a
            .unknown
            .iter()
            .map(|u| format!("{} at {}", u.code, u.resource))
            .collect::<Vec<_>>()
            .join("; "),
    };
    visible(&text).into_owned()
}
