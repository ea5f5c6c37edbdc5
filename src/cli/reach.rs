//! `vpcaudit reach`: can A reach B, what can A reach, who can reach B.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::{emit, inventory_for, AwsArgs, Destination, UsageError};
use crate::answer::reach::{IntentResult, IntentStatus, IntentsReport, ReachReport, Verdict};
use crate::collect::Progress;
use crate::config::intents::{self, Expected};
use crate::exit::Exit;
use crate::reach::query::{Index, Question};
use crate::reach::Model;
use crate::report::{intents as intents_report, reach_dot, reach_json, reach_table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReachFormat {
    Table,
    Json,
    Dot,
}

/// `--expect`: the answer a CI job asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Expect {
    Allowed,
    Blocked,
}

#[derive(Debug, Args)]
pub struct ReachArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Read a saved inventory instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub inventory: Option<PathBuf>,
    /// Ask the sample inventory built into vpcaudit (no AWS account needed).
    #[arg(long, conflicts_with_all = ["profile", "regions", "endpoint_url", "role_arn", "kubeconfig", "contexts", "eks"])]
    pub demo: bool,
    /// The source: an ENI, instance, IP address, subnet, security group,
    /// `tag:KEY=VALUE`, `internet`, VPC endpoint, NAT gateway or load balancer.
    /// Omitted: who can reach --to.
    #[arg(long, value_name = "ENDPOINT")]
    pub from: Option<String>,
    /// The destination, as --from. Omitted: what --from can reach.
    #[arg(long, value_name = "ENDPOINT")]
    pub to: Option<String>,
    /// The service: `tcp/5432`, `udp/53`, `tcp/8000-8080`, `icmp`, `icmpv6`, `all`.
    /// Omitted: every service (the answer lists the ones allowed).
    #[arg(long, value_name = "SERVICE")]
    pub port: Option<String>,
    /// With one end omitted: follow up to this many hops through reached ENIs.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub max_hops: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReachFormat::Table)]
    pub format: ReachFormat,
    /// Write the answer here instead of standard output (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the answer is not this one (to assert connectivity intent in CI).
    #[arg(long, value_enum, value_name = "ANSWER")]
    pub expect: Option<Expect>,
    /// Exit 3 when the answer is unknown.
    #[arg(long)]
    pub strict: bool,
    /// Run the assertions of an intents file and report each as pass or fail.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["from", "to", "port", "expect"])]
    pub intents: Option<PathBuf>,
}

pub fn run(args: ReachArgs, progress: &Progress) -> Result<Exit> {
    // The question is checked before anything is collected: a typo should not cost
    // a whole collection.
    let intents = match &args.intents {
        Some(path) => Some(intents::load(path)?),
        None => None,
    };
    if intents.is_none() && args.from.is_none() && args.to.is_none() {
        return Err(
            UsageError("reach needs --from, --to, or both (or --intents FILE)".into()).into(),
        );
    }
    if let Some(port) = &args.port {
        crate::reach::query::parse_service(port).map_err(|e| UsageError(e.to_string()))?;
    }
    for intent in intents.iter().flatten() {
        if let Some(port) = &intent.port {
            crate::reach::query::parse_service(port)
                .map_err(|e| UsageError(format!("intent {:?}: {e}", intent.name)))?;
        }
    }
    if intents.is_some() && args.format == ReachFormat::Dot {
        return Err(UsageError("--intents writes table or json, not dot".into()).into());
    }
    let inventory = inventory_for(args.demo, args.inventory.as_deref(), &args.aws, progress)?;
    let gaps = inventory.coverage.len();
    if gaps > 0 {
        eprintln!(
            "vpcaudit: warning: {gaps} coverage gap(s) in the inventory; answers that depend on them are unknown"
        );
    }
    let model = Model::build(&inventory);
    let index = Index::build(&model, &inventory);
    let to = match &args.output {
        Some(path) if path.as_os_str() != "-" => Destination::File(path.clone()),
        _ => Destination::Stdout,
    };
    if let Some(intents) = intents {
        return run_intents(&args, &index, intents, &to);
    }
    let question = Question {
        from: args.from.clone(),
        to: args.to.clone(),
        service: args.port.clone(),
        max_hops: args.max_hops,
    };
    let report = index
        .ask(&question)
        .map_err(|e| UsageError(e.to_string()))?;
    emit(&to, &render(&report, args.format)?)?;
    Ok(exit_for(&report, args.expect, args.strict))
}

fn render(report: &ReachReport, format: ReachFormat) -> Result<String> {
    Ok(match format {
        ReachFormat::Table => reach_table::render(report),
        ReachFormat::Json => reach_json::render(report).context("serialising the answer")?,
        ReachFormat::Dot => reach_dot::render(report),
    })
}

/// 3 for an unknown answer under --strict (it neither proves nor breaks anything),
/// 1 when --expect names another answer, else 0.
fn exit_for(report: &ReachReport, expect: Option<Expect>, strict: bool) -> Exit {
    if strict && report.verdict == Verdict::Unknown {
        return Exit::Incomplete;
    }
    let expected = expect.map(|e| match e {
        Expect::Allowed => Verdict::Allowed,
        Expect::Blocked => Verdict::Blocked,
    });
    match expected {
        Some(v) if v != report.verdict => Exit::Findings,
        _ => Exit::Ok,
    }
}

/// Every intent judged; exit 1 when one fails, 3 under --strict when none fails
/// and one is unknown. An intent naming something the inventory does not have is a
/// usage error naming the intent: a renamed resource must not pass silently.
fn run_intents(
    args: &ReachArgs,
    index: &Index,
    intents: Vec<intents::Intent>,
    to: &Destination,
) -> Result<Exit> {
    let mut results = Vec::with_capacity(intents.len());
    for intent in intents {
        let question = Question {
            from: Some(intent.from.clone()),
            to: Some(intent.to.clone()),
            service: intent.port.clone(),
            max_hops: 1,
        };
        let answer = index
            .ask(&question)
            .map_err(|e| UsageError(format!("intent {:?}: {e}", intent.name)))?;
        let expect = match intent.expect {
            Expected::Allowed => Verdict::Allowed,
            Expected::Blocked => Verdict::Blocked,
        };
        results.push(IntentResult::judge(intent.name, expect, answer));
    }
    let report = IntentsReport::new(results);
    let text = match args.format {
        ReachFormat::Json => intents_report::json(&report).context("serialising the intents")?,
        _ => intents_report::table(&report),
    };
    emit(to, &text)?;
    let any = |s: IntentStatus| report.intents.iter().any(|i| i.status == s);
    Ok(if any(IntentStatus::Fail) {
        Exit::Findings
    } else if args.strict && any(IntentStatus::Unknown) {
        Exit::Incomplete
    } else {
        Exit::Ok
    })
}
