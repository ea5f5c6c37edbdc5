//! Footholds, crown jewels and the shortest paths between them, shared by the
//! `lateral-*` checks and computed once per scan.

use super::context::{Context, Draft};

/// The lateral-movement analysis of one inventory.
#[derive(Debug, Default)]
pub struct Analysis {}

impl Analysis {
    pub fn run(_ctx: &Context) -> Analysis {
        Analysis {}
    }
}

impl Analysis {
    pub fn path_findings(&self, _ctx: &Context) -> Vec<Draft> {
        Vec::new()
    }

    pub fn blast_findings(&self, _ctx: &Context) -> Vec<Draft> {
        Vec::new()
    }
}
