//! `lateral-blast-radius`: how many crown jewels each foothold reaches.

use super::context::{Context, Draft};
use super::Check;

pub struct LateralBlastRadius;

impl Check for LateralBlastRadius {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        ctx.lateral().blast_findings()
    }
}
