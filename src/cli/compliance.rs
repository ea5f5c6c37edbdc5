//! `vpcaudit compliance`: each framework's controls, with pass evidence.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use super::{emit, inventory_for, AwsArgs, Destination, FailOn, UsageError};
use crate::answer::compliance::{ComplianceReport, ControlStatus};
use crate::collect::Progress;
use crate::compliance::evaluate::{evaluate, Evidence, Scanned};
use crate::config::mute::Date;
use crate::exit::Exit;
use crate::finding::Severity;
use crate::report::{
    compliance_csv, compliance_html, compliance_json, compliance_md, compliance_table,
};
use crate::scan::{Compare, Plan, ScanError, Settings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ComplianceFormat {
    /// Controls by framework and section, for people.
    Table,
    /// `vpcaudit/compliance/v1` JSON.
    Json,
    /// One row per control.
    Csv,
    /// One self-contained page, a part per framework, with a score per section.
    Html,
    /// Markdown, for a pull request or a wiki.
    Md,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Read a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub inventory: Option<PathBuf>,
    /// Judge the sample inventory built into vpcaudit (no AWS account needed).
    #[arg(long, conflicts_with_all = ["profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub demo: bool,
    /// The framework: cis-aws-5.0, fsbp, nist-800-53-r5 or pci-dss-4.0 (repeatable,
    /// or comma-separated). Default: every framework.
    #[arg(long = "framework", value_delimiter = ',', value_name = "ID")]
    pub frameworks: Vec<String>,
    /// Settings and mutes (`vpcaudit.toml`); muted findings are accepted exceptions.
    /// Default: `vpcaudit.toml` in the current directory, when there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A file of `[[mute]]` rules, in addition to the config file's.
    #[arg(long, value_name = "FILE")]
    pub mutes: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ComplianceFormat::Table)]
    pub format: ComplianceFormat,
    /// Write the report here instead of standard output (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an unmuted finding that fails a control is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Exit 3 when a control is unknown (or the inventory has coverage gaps) and
    /// nothing reached --fail-on.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: ComplianceArgs, progress: &Progress) -> Result<Exit> {
    let started = Instant::now();
    // Frameworks, settings and mutes first: a typo should not cost a collection.
    let all = crate::compliance::all().map_err(anyhow::Error::msg)?;
    let mut chosen = Vec::new();
    for id in &args.frameworks {
        match all.iter().find(|f| f.id == *id) {
            Some(f) if !chosen.contains(f) => chosen.push(f.clone()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|f| f.id.as_str()).collect();
                return Err(UsageError(format!(
                    "unknown framework {id:?}; known: {}",
                    known.join(", ")
                ))
                .into());
            }
        }
    }
    if chosen.is_empty() {
        chosen = all;
    }
    let mut settings = Settings::load(args.config.as_deref(), args.mutes.as_deref())?;
    // `[severity]` re-prioritises findings for people; a control counts a check's
    // findings at the severities the check itself gives, so an override cannot
    // turn a failing control into a pass.
    settings.config.severity = Default::default();
    let plan = Plan::new(settings, &[], &[]).map_err(|e| match e {
        ScanError::UnknownCheck(e) => anyhow::Error::new(UsageError(e.to_string())),
        other => anyhow::Error::new(other),
    })?;
    let inventory = inventory_for(args.demo, args.inventory.as_deref(), &args.aws, progress)?;
    let compare = Compare {
        evaluate: true,
        ..Compare::default()
    };
    let outcome = plan.run(&inventory, compare, Date::today(), started);
    for e in &outcome.expired {
        eprintln!(
            "vpcaudit: warning: {} expired on {} ({}); the findings it matched are reported again",
            e.rule, e.expired, e.reason
        );
    }
    let judged = outcome.judged.unwrap_or_default();
    let mut gaps: Vec<String> = inventory
        .coverage
        .iter()
        .map(|g| format!("{} {}: {}", g.account_id, g.region, g.operation))
        .collect();
    for c in &inventory.kubernetes {
        gaps.extend(
            c.gaps
                .iter()
                .map(|g| format!("cluster {}: {}", c.name, g.message)),
        );
    }
    gaps.dedup();
    let ran = outcome.report.check_ids();
    let report = evaluate(
        &chosen,
        &Evidence {
            ran: &ran,
            evaluated: &judged.evaluated,
            unscoped: &judged.unscoped,
            findings: &outcome.report.findings,
            gaps: &gaps,
        },
        Scanned {
            collected_at: inventory.collected_at,
            accounts: outcome
                .report
                .accounts()
                .into_iter()
                .map(str::to_string)
                .collect(),
            regions: outcome
                .report
                .regions()
                .into_iter()
                .map(str::to_string)
                .collect(),
        },
    );
    let text = match args.format {
        ComplianceFormat::Table => compliance_table::render(&report),
        ComplianceFormat::Json => {
            compliance_json::render(&report).context("serialising the compliance report")?
        }
        ComplianceFormat::Csv => compliance_csv::render(&report),
        ComplianceFormat::Html => compliance_html::render(&report),
        ComplianceFormat::Md => compliance_md::render(&report),
    };
    let to = match &args.output {
        Some(path) if path.as_os_str() != "-" => Destination::File(path.clone()),
        _ => Destination::Stdout,
    };
    emit(&to, &text)?;
    let gaps =
        !inventory.coverage.is_empty() || inventory.kubernetes.iter().any(|c| !c.gaps.is_empty());
    Ok(exit_for(
        &report,
        args.fail_on.threshold(),
        args.strict,
        gaps,
    ))
}

/// Exit 1 when a failing control has an unmuted failing finding at or above the
/// threshold; 3 under `strict` when nothing did but a control is unknown or the
/// inventory has gaps.
fn exit_for(
    report: &ComplianceReport,
    threshold: Option<Severity>,
    strict: bool,
    gaps: bool,
) -> Exit {
    let controls = || {
        report
            .frameworks
            .iter()
            .flat_map(|f| &f.sections)
            .flat_map(|s| &s.controls)
    };
    let failing = threshold.is_some_and(|t| {
        controls()
            .filter(|c| c.status == ControlStatus::Fail)
            .flat_map(|c| &c.findings)
            .any(|f| {
                f.status == "fail"
                    && Severity::ALL
                        .iter()
                        .find(|s| s.as_str() == f.severity)
                        .is_some_and(|s| *s <= t)
            })
    });
    if failing {
        Exit::Findings
    } else if strict && (gaps || controls().any(|c| c.status == ControlStatus::Unknown)) {
        Exit::Incomplete
    } else {
        Exit::Ok
    }
}
