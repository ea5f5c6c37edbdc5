//! Writes a synthetic inventory (see `vpcaudit::synth`) as JSON, for
//! `vpcaudit scan --inventory` and the scale benchmark.
//!
//! `cargo run --release --example synth -- [--accounts N] ENIS FILE [SEED] [PODS] [LBS]`
//!
//! With `--accounts N` (2 or more), the inventory is an organisation of N accounts
//! (`vpcaudit::synth::generate_organization`: ENIS spread evenly, a transit gateway
//! of the first account shared with the others, cross-account VPC peering); without
//! it, one account. With PODS, the inventory also holds a synthetic Kubernetes
//! cluster of that many pods (`vpcaudit::synth::kubernetes`: PODS / 100 namespaces,
//! PODS / 10 policies). With LBS, it holds that many load balancers with ten targets
//! each (spread over the accounts).
//!
//! Prints one JSON line of counts (accounts, ENIs, VPCs, subnets, security groups)
//! on stdout, so callers need not parse the inventory (1M ENIs is about 1 GB).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use vpcaudit::inventory::Inventory;
use vpcaudit::synth::kubernetes::{generate_cluster, KubeSpec};
use vpcaudit::synth::{generate, generate_organization, OrgSpec, Spec};

const USAGE: &str = "usage: synth [--accounts N] ENIS FILE [SEED] [PODS] [LBS]";

/// The optional numeric argument at `i`, `default` when absent.
fn number<T: std::str::FromStr>(
    args: &[String],
    i: usize,
    name: &str,
    default: T,
) -> Result<T, String> {
    match args.get(i) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| format!("synth: {name} must be a number, not {s:?}")),
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let accounts = if args.first().map(String::as_str) == Some("--accounts") {
        let n = args.get(1).and_then(|s| s.parse::<usize>().ok());
        match n {
            Some(n) if n >= 2 => {
                args.drain(..2);
                Some(n)
            }
            _ => {
                eprintln!("synth: --accounts needs a number of 2 or more\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let (Some(enis), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(enis) = enis.parse::<usize>() else {
        eprintln!("synth: ENIS must be a number, not {enis:?}");
        return ExitCode::from(2);
    };
    let parsed = (|| {
        Ok::<_, String>((
            number(&args, 2, "SEED", 1u64)?,
            number(&args, 3, "PODS", 0usize)?,
            number(&args, 4, "LBS", 0usize)?,
        ))
    })();
    let (seed, pods, lbs) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut inv = match accounts {
        Some(accounts) => generate_organization(
            &OrgSpec::with_enis(enis, accounts)
                .seeded(seed)
                .with_load_balancers(lbs),
        ),
        None => generate(
            &Spec::with_enis(enis)
                .seeded(seed)
                .with_load_balancers(lbs, 10),
        ),
    };
    if pods > 0 {
        inv.kubernetes.push(generate_cluster(&KubeSpec {
            pods,
            namespaces: (pods / 100).max(1),
            policies: (pods / 10).max(1),
            seed,
        }));
    }
    if let Err(e) = write(&inv, path) {
        eprintln!("synth: writing {path}: {e}");
        return ExitCode::FAILURE;
    }
    println!("{}", counts(&inv));
    ExitCode::SUCCESS
}

/// Streams the JSON to the file: a 1M-ENI inventory never exists as one string.
fn write(inv: &Inventory, path: &str) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    serde_json::to_writer(&mut out, inv)?;
    out.flush()
}

fn counts(inv: &Inventory) -> serde_json::Value {
    let mut n = [0usize; 4];
    for (_, r) in inv.regions() {
        n[0] += r.network_interfaces.len();
        n[1] += r.vpcs.len();
        n[2] += r.subnets.len();
        n[3] += r.security_groups.len();
    }
    serde_json::json!({
        "accounts": inv.accounts.len(),
        "enis": n[0],
        "vpcs": n[1],
        "subnets": n[2],
        "groups": n[3],
    })
}
