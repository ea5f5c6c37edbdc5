//! `vpcaudit diff`: two inventories compared, resource by resource, and the effect
//! of the changes on what the checks find.
//!
//! ```text
//! load OLD | load NEW (two threads) -> same kind?
//!   inventories: resources::diff -> changes (sorted, c1..cN)
//!                Plan::run OLD | Plan::run NEW (two threads) -> effects::compare
//!                -> each effect attributed to the changes it names
//!   findings reports: effects::compare only
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::answer::diff::{
    Attribution, Compared, DiffReport, DiffSummary, Effect, Op, DIFF_SCHEMA,
};
use crate::config::mute::Date;
use crate::finding::{Finding, Severity, Status};
use crate::inventory::{Inventory, InventoryFileError};
use crate::scan::{Compare, Plan};

pub mod effects;
mod links;
mod load;
mod members;
mod resources;
#[cfg(test)]
mod tests;

pub use load::{load, Document, FINDINGS_SCHEMA};

/// Why two files could not be compared (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// Unreadable, not JSON, or neither an inventory nor a findings report.
    #[error(transparent)]
    Inventory(#[from] InventoryFileError),
    #[error("invalid findings report {path}: {message}")]
    InvalidReport { path: PathBuf, message: String },
    #[error(
        "{old} is {old_kind} but {new} is {new_kind}; compare two inventories or two findings reports"
    )]
    MixedKinds {
        old: PathBuf,
        old_kind: &'static str,
        new: PathBuf,
        new_kind: &'static str,
    },
}

/// Reads both files (at once) and compares them; `plan` runs the checks on
/// inventories.
pub fn compare_files(old: &Path, new: &Path, plan: &Plan) -> Result<DiffReport, DiffError> {
    let (a, b) = both(|| load(old), || load(new));
    match (a?, b?) {
        (Document::Inventory(a), Document::Inventory(b)) => Ok(inventories(&a, &b, plan)),
        (Document::Findings(a), Document::Findings(b)) => Ok(reports(&a, &b)),
        (a, b) => Err(DiffError::MixedKinds {
            old: old.to_path_buf(),
            old_kind: a.kind(),
            new: new.to_path_buf(),
            new_kind: b.kind(),
        }),
    }
}

/// Runs `f` on another thread and `g` on this one: the machine's two cores each take
/// one side. A panic on the other thread goes on here, as if it had been this one's.
fn both<A: Send, B>(f: impl FnOnce() -> A + Send, g: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let other = s.spawn(f);
        let b = g();
        match other.join() {
            Ok(a) => (a, b),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The findings of every check in `plan` on `inventory`, mutes applied.
fn findings(plan: &Plan, inventory: &Inventory) -> Vec<Finding> {
    plan.run(inventory, Compare::default(), Date::today(), Instant::now())
        .report
        .findings
}

/// Two inventories: their resource changes, and the findings each change made
/// appear or disappear.
pub fn inventories(old: &Inventory, new: &Inventory, plan: &Plan) -> DiffReport {
    let ((before, after), mut found) = (
        both(|| findings(plan, old), || findings(plan, new)),
        resources::diff(old, new),
    );
    links::firewalls(&mut found, old, new);
    found.sort_by(|a, b| {
        let key = |f: &resources::Found| {
            let c = &f.change;
            (
                c.account.clone(),
                c.region.clone(),
                c.name.clone(),
                c.resource.clone(),
                c.kind,
                c.op,
                c.before.clone(),
                c.after.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let ids: Vec<String> = (1..=found.len()).map(|i| format!("c{i}")).collect();
    let causes = effects::Causes::new(&found, ids.clone());
    let mut list: Vec<Effect> = effects::compare(&before, &after)
        .into_iter()
        .map(|(op, f, was)| {
            let (caused_by, attribution) = causes.of(&f);
            effects::effect(op, &f, was, caused_by, attribution)
        })
        .collect();
    effects::sort(&mut list);
    let changes = found
        .into_iter()
        .zip(ids)
        .map(|(f, id)| {
            let mut c = f.change;
            c.id = id;
            c
        })
        .collect();
    let mut warnings = Vec::new();
    for (side, inv) in [("OLD", old), ("NEW", new)] {
        let gaps = inv.coverage.len() + inv.kubernetes.iter().map(|c| c.gaps.len()).sum::<usize>();
        if gaps > 0 {
            warnings.push(format!(
                "{side} has {gaps} coverage gap(s): what was not collected there can make \
                 findings look gone (or new) that are not"
            ));
        }
    }
    report(Compared::Inventories, changes, list, warnings)
}

/// Two findings reports: which findings appeared, disappeared or changed.
pub fn reports(old: &[Finding], new: &[Finding]) -> DiffReport {
    let mut list: Vec<Effect> = effects::compare(old, new)
        .into_iter()
        .map(|(op, f, was)| effects::effect(op, &f, was, Vec::new(), Attribution::NotApplicable))
        .collect();
    effects::sort(&mut list);
    report(Compared::FindingsReports, Vec::new(), list, Vec::new())
}

fn report(
    compared: Compared,
    changes: Vec<crate::answer::diff::Change>,
    effects: Vec<Effect>,
    warnings: Vec<String>,
) -> DiffReport {
    let count = |op| effects.iter().filter(|e| e.op == op).count();
    DiffReport {
        schema: DIFF_SCHEMA.to_string(),
        compared,
        summary: DiffSummary {
            changes: changes.len(),
            appeared: count(Op::Added),
            disappeared: count(Op::Removed),
            changed: count(Op::Changed),
        },
        changes,
        effects,
        warnings,
    }
}

/// The new effects at or above `threshold`: unmuted failing findings that appeared,
/// or that were there but became more severe, or became `fail`, and are now at or
/// above it.
pub fn failing(report: &DiffReport, threshold: Severity) -> usize {
    let status = |s: &str| {
        if s == "fail" {
            Status::Fail
        } else {
            Status::Unknown
        }
    };
    report
        .effects
        .iter()
        .filter(|e| !e.muted && status(&e.status) == Status::Fail)
        .filter(|e| effects::severity(&e.severity).is_some_and(|s| s <= threshold))
        .filter(|e| match e.op {
            Op::Added => true,
            Op::Removed => false,
            Op::Changed => {
                let raised = match (
                    e.severity_before.as_deref().and_then(effects::severity),
                    effects::severity(&e.severity),
                ) {
                    (Some(before), Some(now)) => now < before,
                    _ => false,
                };
                raised || e.status_before.is_some()
            }
        })
        .count()
}
