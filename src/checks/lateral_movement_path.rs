//! `lateral-movement-path`: a crown jewel reachable from a foothold, hop by hop.

use super::context::{Context, Draft};
use super::Check;

pub struct LateralMovementPath;

impl Check for LateralMovementPath {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        ctx.lateral().path_findings()
    }
}
