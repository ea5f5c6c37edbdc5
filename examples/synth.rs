//! Writes a synthetic inventory (see `vpcaudit::synth`) as JSON, for
//! `vpcaudit scan --inventory` and the scale benchmark.
//!
//! `cargo run --release --example synth -- ENIS FILE [SEED] [PODS] [LBS]`
//!
//! With PODS, the inventory also holds a synthetic Kubernetes cluster of that many
//! pods (`vpcaudit::synth::kubernetes`: PODS / 100 namespaces, PODS / 10 policies).
//! With LBS, it holds that many load balancers with ten targets each.

use std::process::ExitCode;

use vpcaudit::synth::kubernetes::{generate_cluster, KubeSpec};
use vpcaudit::synth::{generate, Spec};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(enis), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: synth ENIS FILE [SEED] [PODS] [LBS]");
        return ExitCode::from(2);
    };
    let Ok(enis) = enis.parse::<usize>() else {
        eprintln!("synth: ENIS must be a number, not {enis:?}");
        return ExitCode::from(2);
    };
    let seed = match args.get(2).map(|s| s.parse::<u64>()) {
        None => 1,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("synth: SEED must be a number");
            return ExitCode::from(2);
        }
    };
    let pods = match args.get(3).map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("synth: PODS must be a number");
            return ExitCode::from(2);
        }
    };
    let lbs = match args.get(4).map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("synth: LBS must be a number");
            return ExitCode::from(2);
        }
    };
    let spec = Spec::with_enis(enis)
        .seeded(seed)
        .with_load_balancers(lbs, 10);
    let mut inv = generate(&spec);
    if pods > 0 {
        inv.kubernetes.push(generate_cluster(&KubeSpec {
            pods,
            namespaces: (pods / 100).max(1),
            policies: (pods / 10).max(1),
            seed,
        }));
    }
    let json = match serde_json::to_vec(&inv) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("synth: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(path, json) {
        eprintln!("synth: writing {path}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
