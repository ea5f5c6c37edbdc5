//! Scope entries for what a check could not judge: when data it needs was not
//! collected, its unknown findings name each VPC (or the region) instead of the
//! resources it would judge, and its scope must list those same resources so that
//! nothing in that region is counted as a pass.

use crate::inventory::{Operation, RegionInventory};

use crate::checks::context::{Context, Draft, Scoped};

/// The resources `unknowns` (a check's unknown drafts) name, each once: a finding
/// names every one, so they are judged unknown, whatever the reason says (their
/// message, should one ever show).
pub fn unknowns(unknowns: Vec<Draft>) -> Vec<Scoped> {
    unknowns
        .into_iter()
        .map(|d| Scoped::pass(&d.account, &d.region, d.resource, d.message))
        .collect()
}

/// When one of `operations` failed in the region: the resources
/// [`Context::unknown_if_missing`] reports unknown (same `what`). `None` when the
/// data is there.
pub fn unknown_if_missing(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    operations: &[Operation],
    what: &str,
) -> Option<Vec<Scoped>> {
    ctx.unknown_if_missing(account, ri, operations, what)
        .map(unknowns)
}
