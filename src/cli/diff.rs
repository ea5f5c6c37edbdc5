//! `vpcaudit diff OLD NEW`: what changed between two inventories (or two findings
//! reports), and what the change did.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{FailOn, UsageError};
use crate::exit::Exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory (or JSON findings report).
    pub old: PathBuf,
    /// The later inventory (or JSON findings report), of the same kind as OLD.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the diff here instead of standard output (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a new effect is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
}

pub fn run(args: DiffArgs) -> Result<Exit> {
    let _ = args;
    Err(UsageError("vpcaudit diff is not implemented yet".into()).into())
}
