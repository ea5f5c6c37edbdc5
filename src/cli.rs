//! Command-line interface.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::checks::registry;
use crate::collect::kubernetes::objects;
use crate::collect::{self, AwsOptions, CollectOptions, Progress, RegionSelection};
use crate::config::mute::Date;
use crate::exit::Exit;
use crate::export::security_hub;
use crate::files::{write_output, Staged};
use crate::finding::Severity;
use crate::inventory::{Inventory, KubeCluster};
use crate::report::{inventory_summary, Format, RenderError};
use crate::scan::baseline::Baseline;
use crate::scan::{Compare, Plan, ScanError, Settings, Verdict};

pub mod compliance;
pub mod diff;
pub mod reach;

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
    /// Ask whether A can reach B (or what A reaches, or who reaches B), with the
    /// path hop by hop.
    Reach(reach::ReachArgs),
    /// Compare two inventories (or two findings reports): what changed, and what it
    /// opened or closed.
    Diff(diff::DiffArgs),
    /// Judge the controls of compliance frameworks (CIS AWS 5.0, FSBP, NIST 800-53
    /// r5, PCI DSS 4.0), with pass evidence, resource counts and failing findings.
    Compliance(compliance::ComplianceArgs),
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
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// Live Kubernetes API servers. None is read unless one of these is given.
#[derive(Debug, Args)]
pub struct KubeArgs {
    /// Read Kubernetes objects live through this kubeconfig (its exec plugins, such as
    /// `aws eks get-token`, included). With only --context: KUBECONFIG or ~/.kube/config.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context to read (repeatable); default: the current context.
    #[arg(long = "context", value_name = "NAME")]
    pub contexts: Vec<String>,
    /// Also read the Kubernetes API of every EKS cluster collected, with a token
    /// vpcaudit presigns from the AWS credentials (as `aws eks get-token` does); the
    /// role needs Kubernetes read access (an EKS access entry).
    #[arg(long)]
    pub eks: bool,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the inventory (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Kubernetes objects saved with
    /// `kubectl get namespaces,pods,networkpolicies,services,daemonsets -A -o json`
    /// (repeatable; the files describe one cluster). Nothing is then read from AWS:
    /// the inventory holds only this cluster.
    #[arg(long, value_name = "FILE", conflicts_with_all = AWS_SOURCES)]
    pub kube_objects: Vec<PathBuf>,
}

/// The options that only make sense when reading AWS.
const AWS_SOURCES: [&str; 4] = ["profile", "regions", "endpoint_url", "role_arn"];

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Read a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub inventory: Option<PathBuf>,
    /// Run on the sample inventory built into vpcaudit (no AWS account needed).
    #[arg(long, conflicts_with_all = ["profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub demo: bool,
    /// Kubernetes objects saved with `kubectl get ... -o json` (repeatable; the files
    /// describe one cluster), added to the inventory. Without --inventory or --demo,
    /// nothing is read from AWS: the scan sees only this cluster.
    #[arg(long, value_name = "FILE", conflicts_with_all = AWS_SOURCES)]
    pub kube_objects: Vec<PathBuf>,
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
    /// Also report every resource a check judged and found nothing on, with
    /// `status: pass` and the reason (JSON, SARIF `kind: pass`, OCSF and ASFF).
    #[arg(long)]
    pub include_passed: bool,
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
    /// After the report is written, import the findings (as `--format asff`) into
    /// AWS Security Hub, each in its own region, and archive the vpcaudit findings
    /// no longer found (only for checks that ran, in regions collected without
    /// gaps). The one write vpcaudit makes; it needs securityhub:GetFindings and
    /// securityhub:BatchImportFindings. A refused, throttled or partial import
    /// exits 6.
    #[arg(long, conflicts_with_all = ["demo", "only_new"])]
    pub security_hub: bool,
}

pub fn init_logging(verbose: u8) {
    crate::logging::init(verbose);
}

pub fn run(cli: Cli) -> Result<Exit> {
    let progress = Progress::for_stderr(!cli.no_progress);
    match cli.command {
        Command::Collect(args) => {
            let inventory = match load_kube_objects(&args.kube_objects)? {
                Some(cluster) => kube_only(cluster),
                None => collect_inventory(&args.aws, &progress)?,
            };
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
            // Settings, mutes, baseline and the checks asked for first: a typo in
            // them should not cost a whole collection.
            let settings = Settings::load(args.config.as_deref(), args.mutes.as_deref())?;
            let plan = Plan::new(settings, &args.checks, &args.skip).map_err(|e| match e {
                ScanError::UnknownCheck(e) => anyhow::Error::new(UsageError(e.to_string())),
                other => anyhow::Error::new(other),
            })?;
            let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
            let cluster = load_kube_objects(&args.kube_objects)?;
            // Kubernetes objects alone: nothing is read from AWS.
            let mut inventory = if cluster.is_some() && !args.demo && args.inventory.is_none() {
                Inventory::new(now())
            } else {
                inventory_for(args.demo, args.inventory.as_deref(), &args.aws, &progress)?
            };
            inventory.kubernetes.extend(cluster);
            let exit = scan(
                &args,
                &outputs,
                &inventory,
                &plan,
                baseline.as_ref(),
                started,
            );
            // The process ends with the scan: freeing the estate piece by piece would
            // cost a quarter of a second at 100k ENIs, for nothing.
            std::mem::forget(inventory);
            exit
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
        Command::Reach(args) => reach::run(args, &progress),
        Command::Diff(args) => diff::run(args),
        Command::Compliance(args) => compliance::run(args, &progress),
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

fn scan(
    args: &ScanArgs,
    outputs: &[(Format, Destination)],
    inventory: &Inventory,
    plan: &Plan,
    baseline: Option<&Baseline>,
    started: Instant,
) -> Result<Exit> {
    if !args.security_hub && outputs.iter().all(|(f, _)| *f == Format::Summary) {
        for (_, to) in outputs {
            emit(to, &inventory_summary::render(inventory))?;
        }
        return Ok(exit_for(Verdict::for_inventory(inventory, args.strict)));
    }
    let compare = Compare {
        baseline,
        only_new: args.only_new,
        evaluate: false,
        include_passed: args.include_passed,
    };
    let outcome = plan.run(inventory, compare, Date::today(), started);
    for e in &outcome.expired {
        eprintln!(
            "vpcaudit: warning: {} expired on {} ({}); the findings it matched are reported again",
            e.rule, e.expired, e.reason
        );
    }
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir).map_err(|source| crate::files::WriteError {
            path: dir.clone(),
            source,
        })?;
    }
    // Every file is rendered (streamed into a temporary file beside it) before any
    // file is replaced: a format that cannot be rendered leaves every output file as
    // it was. Standard output is written after the renames, in its place in order.
    let mut staged = Vec::with_capacity(outputs.len());
    for (format, to) in outputs {
        if let Destination::File(path) = to {
            staged.push(Some(render_file(&outcome.report, *format, path)?));
        } else {
            staged.push(None);
        }
    }
    for ((format, _), file) in outputs.iter().zip(staged) {
        match file {
            Some(file) => file.commit()?,
            None => {
                let colour =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                render_stdout(&outcome.report, *format, colour)?;
            }
        }
    }
    if args.security_hub {
        security_hub(&outcome.report, &args.aws)?;
    }
    let exit = exit_for(outcome.verdict(args.fail_on.threshold(), args.strict));
    // As the inventory (see the caller): the findings go with the process.
    std::mem::forget(outcome);
    Ok(exit)
}

/// `--security-hub`: the import, and its one-line summary on stderr.
fn security_hub(report: &crate::report::ScanReport, aws: &AwsArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let summary = runtime.block_on(security_hub::import(report, &aws_options(aws)))?;
    if summary.unplaced > 0 {
        eprintln!(
            "vpcaudit: warning: Security Hub: {} finding(s) have no AWS account or region \
             (a Kubernetes cluster outside EKS, a check that failed) and were not imported",
            summary.unplaced
        );
    }
    if summary.skipped > 0 {
        eprintln!(
            "vpcaudit: warning: Security Hub: skipped {} region(s) with no finding where \
             Security Hub is not enabled",
            summary.skipped
        );
    }
    eprintln!("vpcaudit: Security Hub: {summary}");
    Ok(())
}

fn exit_for(verdict: Verdict) -> Exit {
    match verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Findings => Exit::Findings,
        Verdict::Incomplete => Exit::Incomplete,
    }
}

/// `report` in `format`, streamed into a temporary file that [`Staged::commit`]
/// renames over `path`.
fn render_file(report: &crate::report::ScanReport, format: Format, path: &Path) -> Result<Staged> {
    let started = Instant::now();
    let mut file = Staged::create(path)?;
    crate::report::write(report, format, false, &mut file).map_err(|e| match e {
        RenderError::Io(source) => anyhow::Error::new(file.error(source)),
        other => anyhow::Error::new(other),
    })?;
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        format = ?format,
        "report rendered"
    );
    Ok(file)
}

/// `report` in `format`, streamed to standard output; a closed pipe (`| head`)
/// ends it quietly, as [`print_out`] does.
fn render_stdout(report: &crate::report::ScanReport, format: Format, colour: bool) -> Result<()> {
    let started = Instant::now();
    let mut out = std::io::stdout().lock();
    match crate::report::write(report, format, colour, &mut out) {
        Err(RenderError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(RenderError::Io(e)) => {
            return Err(anyhow::Error::new(e).context("writing to standard output"))
        }
        other => other?,
    }
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        format = ?format,
        "report rendered"
    );
    Ok(())
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

/// The inventory a command works on: the demo's, a saved file, or one collected live.
fn inventory_for(
    demo: bool,
    file: Option<&Path>,
    aws: &AwsArgs,
    progress: &Progress,
) -> Result<Inventory> {
    if demo {
        Ok(crate::demo::inventory()?)
    } else if let Some(path) = file {
        let started = Instant::now();
        let inventory = Inventory::load(path)?;
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            path = %path.display(),
            "inventory loaded"
        );
        Ok(inventory)
    } else {
        collect_inventory(aws, progress)
    }
}

fn collect_inventory(args: &AwsArgs, progress: &Progress) -> Result<Inventory> {
    let regions = match &args.regions {
        Some(r) => r.parse::<RegionSelection>()?,
        None => RegionSelection::Default,
    };
    // Kubernetes lists page as AWS lists do: --page-size, else kubectl's 500.
    let kube = collect::kubernetes::KubeOptions {
        kubeconfig: args.kube.kubeconfig.clone(),
        contexts: args.kube.contexts.clone(),
        eks: args.kube.eks,
        page_size: args
            .page_size
            .map_or(collect::kubernetes::DEFAULT_PAGE_SIZE, u32::from),
        request_timeout: Duration::from_secs(args.call_timeout),
    };
    let opts = CollectOptions {
        aws: aws_options(args),
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
        kube: kube.clone(),
        kubeconfig: collect::kubernetes::kubeconfig_targets(&kube)
            .map_err(|e| UsageError(e.to_string()))?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(collect::collect(&opts, progress))?)
}

/// The SDK settings of the AWS options: profile, endpoint, timeouts, retries.
fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        call_timeout: Duration::from_secs(args.call_timeout),
        max_attempts: args.max_attempts,
    }
}

/// The `--kube-objects` files as one cluster, `None` when none are given. What the
/// files cannot tell (a kind absent from them) is said on stderr.
fn load_kube_objects(paths: &[PathBuf]) -> Result<Option<KubeCluster>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let cluster = objects::load_files(&paths)?;
    for gap in &cluster.gaps {
        eprintln!("vpcaudit: warning: {}: {}", cluster.name, gap.message);
    }
    Ok(Some(cluster))
}

/// An inventory of one Kubernetes cluster and no AWS account.
fn kube_only(cluster: KubeCluster) -> Inventory {
    let mut inventory = Inventory::new(now());
    inventory.kubernetes.push(cluster);
    inventory
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
