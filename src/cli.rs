//! Command-line interface.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::checks::registry;
use crate::collect::{self, AwsOptions, CollectOptions, Progress, RegionSelection};
use crate::exit::Exit;
use crate::files::write_output;
use crate::inventory::Inventory;
use crate::reach::Model;
use crate::report::{findings_json, findings_table, inventory_summary};

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
    /// Collect (or load) an inventory, run the checks, and report the findings.
    Scan(ScanArgs),
    /// List the checks.
    Checks,
    /// Print a check's documentation.
    Explain {
        /// The check id, as `vpcaudit checks` lists it.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by severity, for people.
    Table,
    /// `vpcaudit/findings/v1` JSON, for machines.
    Json,
    /// The inventory's resource counts and coverage gaps, without running checks.
    Summary,
    /// One self-contained HTML page: counts, a drawing of the attack paths, blast
    /// radius and the findings (inline CSS and SVG; loads nothing).
    Html,
    /// The attack-path graph as Graphviz DOT (render with `dot -Tsvg`).
    Dot,
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
    /// Run only these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
    /// Skip these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Settings file (`vpcaudit.toml`): untrusted networks, crown jewels, hop limits.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report here instead of standard output (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
            // Read the config first: a typo in it should not cost a whole collection.
            let config = match &args.config {
                Some(path) => crate::config::Config::load(path)?,
                None => crate::config::Config::default(),
            };
            let inventory = if args.demo {
                crate::demo::inventory()?
            } else if let Some(path) = &args.inventory {
                Inventory::load(path)?
            } else {
                collect_inventory(&args.aws, &progress)?
            };
            scan(&args, &inventory, config)
        }
        Command::Checks => {
            let all = registry::all().map_err(anyhow::Error::msg)?;
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::ASCII_FULL_CONDENSED)
                .set_header(vec!["id", "severity", "title"]);
            for r in &all {
                table.add_row(vec![
                    r.meta.id.clone(),
                    r.meta.severity.to_string(),
                    r.meta.title.clone(),
                ]);
            }
            print_out(&format!("{table}\n"))?;
            Ok(Exit::Ok)
        }
        Command::Explain { id } => {
            let all = registry::all().map_err(anyhow::Error::msg)?;
            let found = crate::checks::select::select(&all, std::slice::from_ref(&id), &[])
                .map_err(|_| {
                    UsageError(format!(
                        "unknown check id {id:?} (run `vpcaudit checks` for the list)"
                    ))
                })?;
            print_out(&found[0].meta.explain())?;
            Ok(Exit::Ok)
        }
    }
}

/// A usage mistake found after argument parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn scan(args: &ScanArgs, inventory: &Inventory, config: crate::config::Config) -> Result<Exit> {
    if args.format == Format::Summary {
        emit(
            args.output.as_deref(),
            &inventory_summary::render(inventory),
        )?;
        return Ok(Exit::Ok);
    }
    let all = registry::all().map_err(anyhow::Error::msg)?;
    let selected = crate::checks::select::select(&all, &args.checks, &args.skip)
        .map_err(|e| UsageError(e.to_string()))?;
    let model = Model::build(inventory);
    let ctx = crate::checks::Context::with_config(inventory, &model, config);
    let findings = registry::run(&selected, &ctx);
    let text = match args.format {
        Format::Table | Format::Summary => findings_table::render(inventory, &findings),
        Format::Json => {
            let ids: Vec<String> = selected.iter().map(|r| r.meta.id.clone()).collect();
            findings_json::render(inventory, &ids, &findings).context("serialising the findings")?
        }
        Format::Html => {
            let ids: Vec<String> = selected.iter().map(|r| r.meta.id.clone()).collect();
            crate::report::html::render(inventory, &ids, &findings)
        }
        Format::Dot => crate::report::dot::render(&findings),
    };
    emit(args.output.as_deref(), &text)?;
    Ok(Exit::Ok)
}

/// Standard output, or a file written atomically.
fn emit(output: Option<&std::path::Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => Ok(write_output(path, text.as_bytes())?),
        None => print_out(text),
    }
}

/// Standard output without panicking: a closed pipe (`| head`) ends the output
/// quietly, as for any Unix filter.
fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
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
