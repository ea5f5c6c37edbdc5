//! Command-line interface.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::checks::registry;
use crate::collect::{self, AwsOptions, CollectOptions, Progress, RegionSelection};
use crate::config::Config;
use crate::exit::Exit;
use crate::files::write_output;
use crate::inventory::Inventory;
use crate::reach::Model;
use crate::scan::baseline::{Baseline, Scope};
use crate::finding::{BaselineState, Severity, Status};
use crate::scan::mutes::{Date, Mutes};
use crate::report::scan_report::ScanReport;
use crate::report::{findings_csv, findings_json, findings_table, inventory_summary, sarif};

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
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// One row per finding, for spreadsheets.
    Csv,
}

impl Format {
    /// The file a format is written to under `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "vpcaudit.txt",
            Format::Json => "vpcaudit.json",
            Format::Summary => "vpcaudit-summary.txt",
            Format::Html => "vpcaudit.html",
            Format::Dot => "vpcaudit.dot",
            Format::Sarif => "vpcaudit.sarif",
            Format::Csv => "vpcaudit.csv",
        }
    }

    /// Formats for people, which go to standard output even with `--output-dir`.
    fn for_people(self) -> bool {
        matches!(self, Format::Table | Format::Summary)
    }
}

/// `--fail-on`: the least severe finding that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never exit 1 for findings.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
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
    /// Attempts per API call, retries on throttling and server errors included.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one resource type of a region may take to collect; a region that
    /// exceeds it is abandoned, what it still owes is reported as coverage gaps, and
    /// the rest of the scan goes on.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub region_timeout: u64,
    /// Items per page of list calls (default: each API's maximum).
    #[arg(long, value_parser = clap::value_parser!(u16).range(5..=1000))]
    pub page_size: Option<u16>,
    /// Scan several accounts by assuming this role in each; `{account}` is replaced by
    /// the account id, e.g. `arn:aws:iam::{account}:role/Audit`.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// With --role-arn: `all` (every active account of the organization, the
    /// default), a comma-separated list of account ids, or a file with one id per line.
    #[arg(long, value_name = "all|IDS|FILE", requires = "role_arn")]
    pub accounts: Option<String>,
    /// External id to pass when assuming --role-arn.
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
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
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "profile", "regions", "endpoint_url", "role_arn"])]
    pub inventory: Option<PathBuf>,
    /// Run on the sample inventory built into vpcaudit (no AWS account needed).
    #[arg(long, conflicts_with_all = ["profile", "regions", "endpoint_url", "role_arn"])]
    pub demo: bool,
    /// Run only these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
    /// Skip these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Settings and mutes (`vpcaudit.toml`). Default: `vpcaudit.toml` in the current
    /// directory, when there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A file of `[[mute]]` rules, in addition to the config file's.
    #[arg(long, value_name = "FILE")]
    pub mutes: Option<PathBuf>,
    /// A previous run's JSON report: each finding is marked new, unchanged or absent.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings not in the baseline.
    #[arg(long, requires = "baseline")]
    pub only_new: bool,
    /// Output format; repeat for several (with --output-dir).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,
    /// Write the report here instead of standard output (`-` for standard output).
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write each machine format to DIR/vpcaudit.<ext>; table and summary still go
    /// to standard output.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when an unmuted finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Exit 3 when the scan is incomplete (coverage gaps or undecided findings) and
    /// nothing reached --fail-on.
    #[arg(long)]
    pub strict: bool,
}

pub fn init_logging(verbose: u8) {
    crate::logging::init(verbose);
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
            let started = Instant::now();
            let outputs = outputs(&args)?;
            // Settings, mutes and baseline first: a typo in them should not cost a
            // whole collection.
            let (config, mutes) = settings(&args)?;
            let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
            let inventory = if args.demo {
                crate::demo::inventory()?
            } else if let Some(path) = &args.inventory {
                Inventory::load(path)?
            } else {
                collect_inventory(&args.aws, &progress)?
            };
            scan(
                &args,
                &outputs,
                &inventory,
                config,
                &mutes,
                baseline.as_ref(),
                started,
            )
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

/// Where each requested format goes.
enum Destination {
    Stdout,
    File(PathBuf),
}

/// The formats asked for, each with where it is written. Several formats need
/// `--output-dir`, so that two documents never share standard output.
fn outputs(args: &ScanArgs) -> Result<Vec<(Format, Destination)>> {
    let mut formats: Vec<Format> = Vec::new();
    for f in &args.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    if formats.is_empty() {
        formats.push(Format::Table);
    }
    if let Some(dir) = &args.output_dir {
        let people = formats.iter().filter(|f| f.for_people()).count();
        if people > 1 {
            return Err(UsageError(
                "table and summary both go to standard output; choose one".into(),
            )
            .into());
        }
        return Ok(formats
            .into_iter()
            .map(|f| {
                let to = if f.for_people() {
                    Destination::Stdout
                } else {
                    Destination::File(dir.join(f.file_name()))
                };
                (f, to)
            })
            .collect());
    }
    if formats.len() > 1 {
        return Err(UsageError(
            "several --format values need --output-dir DIR (one file per format)".into(),
        )
        .into());
    }
    let to = match &args.output {
        Some(path) if path.as_os_str() != "-" => Destination::File(path.clone()),
        _ => Destination::Stdout,
    };
    Ok(vec![(formats[0], to)])
}

/// The config file (given, or `./vpcaudit.toml` when present) and every mute rule.
fn settings(args: &ScanArgs) -> Result<(Config, Mutes)> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => {
            let local = PathBuf::from(DEFAULT_CONFIG);
            local.is_file().then_some(local)
        }
    };
    let mut config = match &path {
        Some(p) => {
            tracing::info!(path = %p.display(), "reading the config");
            Config::load(p)?
        }
        None => Config::default(),
    };
    let mut sources = Vec::new();
    if let Some(p) = &path {
        sources.push((p.display().to_string(), std::mem::take(&mut config.mute)));
    }
    if let Some(p) = &args.mutes {
        sources.push((p.display().to_string(), crate::scan::mutes::load_file(p)?));
    }
    Ok((config, Mutes::from_sources(sources)))
}

/// Read from the current directory when `--config` is not given.
const DEFAULT_CONFIG: &str = "vpcaudit.toml";

fn scan(
    args: &ScanArgs,
    outputs: &[(Format, Destination)],
    inventory: &Inventory,
    config: Config,
    mutes: &Mutes,
    baseline: Option<&Baseline>,
    started: Instant,
) -> Result<Exit> {
    if outputs.iter().all(|(f, _)| *f == Format::Summary) {
        for (_, to) in outputs {
            emit(to, &inventory_summary::render(inventory))?;
        }
        // No checks ran: only coverage gaps can make the scan incomplete.
        return Ok(if args.strict && !inventory.coverage.is_empty() {
            Exit::Incomplete
        } else {
            Exit::Ok
        });
    }
    let all = registry::all().map_err(anyhow::Error::msg)?;
    let selected = crate::checks::select::select(&all, &args.checks, &args.skip)
        .map_err(|e| UsageError(e.to_string()))?;
    // Every renderer (the SARIF rule's level and security-severity included) sees a
    // check's `[severity]` override, as its findings do.
    let metas: Vec<crate::finding::Meta> = selected
        .iter()
        .map(|r| with_severity_override(&r.meta, &config))
        .collect();
    let model = Model::build(inventory);
    let ctx = crate::checks::Context::with_config(inventory, &model, config);
    let mut findings = registry::run(&selected, &ctx);
    drop(ctx);

    let today = Date::today();
    for e in mutes.expired(today) {
        eprintln!(
            "vpcaudit: warning: {} expired on {} ({}); the findings it matched are reported again",
            e.rule, e.expired, e.reason
        );
    }
    mutes.apply(&mut findings, inventory, today);

    let checks: Vec<&crate::finding::Meta> = metas.iter().collect();
    // A check that failed (panicked) decided nothing: its baseline findings are not
    // gone, so it is left out of the scope the baseline is compared over.
    let check_ids = baseline_scope_checks(&checks, &findings);
    // Before --only-new drops unchanged findings: an undecided finding seen every
    // night still makes the scan incomplete.
    let incomplete = !inventory.coverage.is_empty()
        || findings
            .iter()
            .any(|f| f.status == Status::Unknown && f.muted.is_none());
    let mut absent = Vec::new();
    if let Some(b) = baseline {
        // A region with a coverage gap cannot prove a finding gone: what was not
        // collected would look fixed.
        let regions: Vec<(String, String)> = inventory
            .regions()
            .filter(|(a, r)| inventory.gaps_for(a, &r.region).next().is_none())
            .map(|(a, r)| (a.to_string(), r.region.clone()))
            .collect();
        absent = b.compare(
            &mut findings,
            &Scope {
                checks: &check_ids,
                regions: &regions,
            },
        );
        if args.only_new {
            findings.retain(|f| f.baseline == Some(BaselineState::New));
            absent.clear();
        }
    }
    let report = ScanReport {
        inventory,
        checks,
        findings,
        absent,
        baselined: baseline.is_some(),
        elapsed: started.elapsed(),
    };
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir).map_err(|source| crate::files::WriteError {
            path: dir.clone(),
            source,
        })?;
    }
    // Everything is rendered before anything is written: a format that cannot be
    // rendered leaves every output file as it was.
    let mut rendered = Vec::with_capacity(outputs.len());
    for (format, to) in outputs {
        let text = match format {
            Format::Table => {
                let colour = matches!(to, Destination::Stdout)
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none();
                findings_table::render(&report, colour)
            }
            Format::Summary => inventory_summary::render(inventory),
            Format::Json => findings_json::render(&report).context("serialising the findings")?,
            Format::Sarif => sarif::render(&report).context("serialising the SARIF log")?,
            Format::Csv => findings_csv::render(&report),
            // Pictures of what is open now: muted (accepted) findings are left out.
            Format::Html => {
                let active: Vec<_> = report.active().cloned().collect();
                crate::report::html::render(inventory, &report.check_ids(), &active)
            }
            Format::Dot => {
                let active: Vec<_> = report.active().cloned().collect();
                crate::report::dot::render(&active)
            }
        };
        rendered.push((to, text));
    }
    for (to, text) in &rendered {
        emit(to, text)?;
    }
    let failing = args.fail_on.threshold().map_or(0, |t| report.failing(t));
    Ok(if failing > 0 {
        Exit::Findings
    } else if args.strict && incomplete {
        Exit::Incomplete
    } else {
        Exit::Ok
    })
}

/// `meta` with the config's `[severity]` override for its check, if any.
fn with_severity_override(
    meta: &crate::finding::Meta,
    config: &Config,
) -> crate::finding::Meta {
    let mut m = meta.clone();
    if let Some(s) = config.severity.get(&m.id) {
        m.severity = s;
    }
    m
}

/// The ids of the checks that ran and did not fail: a failed check reports one
/// finding on a `vpcaudit::Check` resource whose id is the check id.
fn baseline_scope_checks(
    checks: &[&crate::finding::Meta],
    findings: &[crate::finding::Finding],
) -> Vec<String> {
    let failed: Vec<&str> = findings
        .iter()
        .filter(|f| f.is_check_failure())
        .map(|f| f.resource.id.as_str())
        .collect();
    checks
        .iter()
        .map(|m| m.id.clone())
        .filter(|id| !failed.contains(&id.as_str()))
        .collect()
}

/// Standard output, or a file written atomically.
fn emit(to: &Destination, text: &str) -> Result<()> {
    match to {
        Destination::File(path) => Ok(write_output(path, text.as_bytes())?),
        Destination::Stdout => print_out(text),
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
            max_attempts: args.max_attempts,
        },
        regions,
        concurrency: usize::from(args.concurrency),
        region_timeout: Duration::from_secs(args.region_timeout),
        paging: collect::Paging {
            limit: args.page_size.map(i32::from),
        },
        org: collect::OrgOptions::from_args(
            args.role_arn.as_deref(),
            args.accounts.as_deref(),
            args.external_id.as_deref(),
        )?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(collect::collect(&opts, progress))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Resource, CHECK_FAILED_TYPE};

    fn finding(check: &str, resource_type: &str, id: &str) -> Finding {
        Finding {
            check: check.into(),
            severity: Severity::High,
            status: Status::Unknown,
            title: String::new(),
            message: String::new(),
            account: String::new(),
            region: String::new(),
            resource: Resource {
                resource_type: resource_type.into(),
                id: id.into(),
                arn: None,
                name: None,
            },
            related: Vec::new(),
            evidence: Vec::new(),
            remediation: String::new(),
            fingerprint: String::new(),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        }
    }

    #[test]
    fn failed_checks_are_left_out_of_the_baseline_scope() {
        let all = registry::all().expect("registry");
        let (a, b) = (&all[0].meta, &all[1].meta);
        let checks = vec![a, b];
        let findings = vec![
            finding(&a.id, "AWS::EC2::SecurityGroup", "sg-1"),
            finding(&b.id, CHECK_FAILED_TYPE, &b.id),
        ];
        assert_eq!(
            baseline_scope_checks(&checks, &findings),
            vec![a.id.clone()]
        );
        // A resource that happens to be named like a check does not count.
        let findings = vec![finding(&a.id, "AWS::EC2::SecurityGroup", &b.id)];
        assert_eq!(
            baseline_scope_checks(&checks, &findings),
            [a.id.clone(), b.id.clone()]
        );
    }

    #[test]
    fn severity_overrides_reach_the_check_metadata() {
        let all = registry::all().expect("registry");
        let meta = all
            .iter()
            .map(|r| &r.meta)
            .find(|m| m.severity != Severity::Info)
            .expect("a check above info");
        let config =
            Config::parse(&format!("[severity]\n{} = \"info\"\n", meta.id)).expect("config");
        assert_eq!(
            with_severity_override(meta, &config).severity,
            Severity::Info
        );
        let other = all
            .iter()
            .map(|r| &r.meta)
            .find(|m| m.id != meta.id)
            .unwrap();
        assert_eq!(with_severity_override(other, &config), *other);
        assert_eq!(
            with_severity_override(meta, &Config::default()).severity,
            meta.severity
        );
    }
}
