//! `lateral-blast-radius`: how many crown jewels each foothold reaches.

use super::context::{Context, Draft, Scoped};
use super::Check;

pub struct LateralBlastRadius;

impl Check for LateralBlastRadius {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        ctx.lateral().blast_findings()
    }

    /// Every foothold (its findings name the foothold), from the same analysis.
    fn reads_lateral(&self) -> bool {
        true
    }

    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        Some(ctx.lateral().blast_scope())
    }
}
