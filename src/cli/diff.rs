//! `vpcaudit diff OLD NEW`: what changed between two inventories (or two findings
//! reports), and what the change did.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::{FailOn, UsageError};
use crate::exit::Exit;
use crate::files::write_output;
use crate::scan::{Plan, ScanError, Settings};

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
    // The checks run as `scan` runs them: every check, with ./vpcaudit.toml's
    // settings and mutes when there is one.
    let settings = Settings::load(None, None)?;
    let plan = Plan::new(settings, &[], &[]).map_err(|e| match e {
        ScanError::UnknownCheck(e) => anyhow::Error::new(UsageError(e.to_string())),
        other => anyhow::Error::new(other),
    })?;
    let report = crate::diff::compare_files(&args.old, &args.new, &plan)?;
    let text = match args.format {
        DiffFormat::Table => crate::report::diff_table::render(&report),
        DiffFormat::Json => {
            crate::report::diff_json::render(&report).context("serialising the diff")?
        }
    };
    match &args.output {
        Some(path) if path.as_os_str() != "-" => write_output(path, text.as_bytes())?,
        _ => super::print_out(&text)?,
    }
    let failing = args
        .fail_on
        .threshold()
        .map_or(0, |t| crate::diff::failing(&report, t));
    Ok(if failing > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
