//! `vpcaudit reach`: can A reach B, what can A reach, who can reach B.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{AwsArgs, UsageError};
use crate::collect::Progress;
use crate::exit::Exit;

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
    let _ = (args, progress);
    Err(UsageError("vpcaudit reach is not implemented yet".into()).into())
}
