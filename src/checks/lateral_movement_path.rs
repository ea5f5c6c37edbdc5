//! `lateral-movement-path`: a crown jewel reachable from a foothold, hop by hop.

use super::context::{Context, Draft, Scoped};
use super::Check;

pub struct LateralMovementPath;

impl Check for LateralMovementPath {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        ctx.lateral().path_findings()
    }

    /// Every crown jewel (its findings name the jewel), from the same analysis.
    fn reads_lateral(&self) -> bool {
        true
    }

    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        Some(ctx.lateral().path_scope())
    }
}
