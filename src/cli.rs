//! Command-line interface.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::collect::{self, AwsOptions, CollectOptions, Progress, RegionSelection};
use crate::exit::Exit;
use crate::files::write_output;
use crate::inventory::Inventory;
use crate::report::inventory_summary;

#[derive(Debug, Parser)]
#[command(
    name = "vpcaudit",
    version,
    about = "Audit the network security of live AWS accounts"
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Never draw a progress bar, even on a terminal.
    #[arg(long, global = true)]
    pub no_progress: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect an account's network inventory and save it as JSON.
    Collect(CollectArgs),
    /// Collect (or load) an inventory and report on it.
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
pub struct AwsArgs {
    /// AWS profile from the shared config files (SSO and assume-role profiles included).
    #[arg(long)]
    pub profile: Option<String>,
    /// Regions to scan: a comma-separated list, or `all` for every enabled region.
    /// Defaults to the configured region (AWS_REGION or the profile's).
    #[arg(long)]
    pub regions: Option<String>,
    /// Send every AWS call to this endpoint (AWS_ENDPOINT_URL is also honoured).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// How many API call series may run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Seconds one API call attempt may take before it is retried.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub call_timeout: u64,
    /// Items per page of list calls (default: each API's maximum).
    #[arg(long, value_parser = clap::value_parser!(u16).range(5..=1000))]
    pub page_size: Option<u16>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the inventory (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Read a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "profile", "regions", "endpoint_url"])]
    pub inventory: Option<PathBuf>,
    /// Run on the sample inventory built into vpcaudit (no AWS account needed).
    #[arg(long, conflicts_with_all = ["profile", "regions", "endpoint_url"])]
    pub demo: bool,
}

pub fn init_logging(verbose: u8) {
    // The SDK's own logs stay quiet unless asked for, so an error is one line; they
    // never go below debug, where request details would appear.
    let directives = match verbose {
        0 => "error,vpcaudit=warn",
        1 => "warn,vpcaudit=info",
        2 => "info,vpcaudit=debug",
        _ => "debug,vpcaudit=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .init();
}

pub fn run(cli: Cli) -> Result<Exit> {
    let progress = Progress::for_stderr(!cli.no_progress);
    match cli.command {
        Command::Collect(args) => {
            let inventory = collect_inventory(&args.aws, &progress)?;
            let json = inventory
                .to_json_pretty()
                .context("serialising the inventory")?;
            write_output(&args.output, json.as_bytes())?;
            let gaps = inventory.coverage.len();
            if gaps > 0 {
                eprintln!(
                    "vpcaudit: warning: {gaps} coverage gap(s); see \"coverage\" in the inventory"
                );
            }
            Ok(Exit::Ok)
        }
        Command::Scan(args) => {
            let inventory = if args.demo {
                crate::demo::inventory()?
            } else if let Some(path) = &args.inventory {
                Inventory::load(path)?
            } else {
                collect_inventory(&args.aws, &progress)?
            };
            print!("{}", inventory_summary::render(&inventory));
            Ok(Exit::Ok)
        }
    }
}

fn collect_inventory(args: &AwsArgs, progress: &Progress) -> Result<Inventory> {
    let regions = match &args.regions {
        Some(r) => r.parse::<RegionSelection>()?,
        None => RegionSelection::Default,
    };
    let opts = CollectOptions {
        aws: AwsOptions {
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            call_timeout: Duration::from_secs(args.call_timeout),
            ..AwsOptions::default()
        },
        regions,
        concurrency: usize::from(args.concurrency),
        paging: collect::Paging {
            limit: args.page_size.map(i32::from),
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(collect::collect(&opts, progress))?)
}
