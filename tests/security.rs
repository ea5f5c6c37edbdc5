//! The tool's own security: credentials never reach a log, an output or an error, even
//! at trace level; only read calls reach AWS; and the only network destination is the
//! AWS endpoint it was given.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Emulator;

const CANARY_KEY_ID: &str = "AKIACANARY7Q3XV5ZP2W";
const CANARY_SECRET: &str = "canary/Secret+Kq8vN3rT6yW9zB2dF5hJ7mL0pS4xC1e";
const CANARY_TOKEN: &str = "CanarySessionToken//IQoJb3JpZ2luX2VjEJr0c2VjcmV0";
const ROLE: &str = "arn:aws:iam::{account}:role/Audit";

/// `vpcaudit <args>` with the canary credentials: (exit code, stdout + stderr).
fn run_with_canaries(emu: &Emulator, args: &[&str], rust_log: Option<&str>) -> (i32, String) {
    let mut cmd = emu.vpcaudit();
    cmd.env("AWS_ACCESS_KEY_ID", CANARY_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
        .env("AWS_SESSION_TOKEN", CANARY_TOKEN)
        .args(args);
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    let out = cmd.output().expect("run vpcaudit");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Temporary credentials look like `ASIA` and 16 more upper-case letters or digits
/// (the emulator's assumed-role keys do too).
fn temporary_key_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (i, _) in text.match_indices("ASIA") {
        let rest = &bytes[i + 4..];
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            .count();
        if n == 16 {
            found.push(text[i..i + 20].to_string());
        }
    }
    found
}

fn assert_no_credentials(what: &str, text: &str) {
    for canary in [CANARY_KEY_ID, CANARY_SECRET, CANARY_TOKEN] {
        assert!(!text.contains(canary), "{what}: a credential was printed");
    }
    // The secret without its slash and plus (as a URL-decoded or re-encoded form
    // would carry it) is not there either.
    assert!(!text.contains("Kq8vN3rT6yW9zB2dF5hJ7mL0pS4xC1e"), "{what}");
    let keys = temporary_key_ids(text);
    assert!(
        keys.is_empty(),
        "{what}: assumed-role key ids printed: {keys:?}"
    );
}

#[test]
fn credentials_never_reach_the_logs_even_at_trace_level() {
    let emu = Emulator::start();
    emu.seed("leaky-three-tier");
    let scan = [
        "scan",
        "--regions",
        "us-east-1,eu-west-1",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];

    for (label, extra, filter) in [
        ("-vvv", vec!["-vvv"], None),
        ("RUST_LOG=trace", vec![], Some("trace")),
    ] {
        let mut args = scan.to_vec();
        args.extend(extra);
        let (code, text) = run_with_canaries(&emu, &args, filter);
        assert_eq!(
            code,
            0,
            "{label}: {}",
            &text[text.len().saturating_sub(2000)..]
        );
        assert_no_credentials(label, &text);
        // The test can fail: the logs are really that verbose, and the SDK's own
        // lines carry the masked credentials.
        assert!(
            text.lines().count() > 500,
            "{label}: only {} lines",
            text.lines().count()
        );
        assert!(
            text.contains("** redacted **"),
            "{label}: nothing was masked"
        );
        if filter.is_some() {
            assert!(text.contains(" TRACE "), "{label}: no trace lines");
        }
    }
}

#[test]
fn assumed_role_credentials_never_reach_the_logs() {
    let emu = Emulator::start();
    emu.seed("org-two-accounts");
    let (code, text) = run_with_canaries(
        &emu,
        &[
            "scan",
            "--endpoint-url",
            &emu.url,
            "--role-arn",
            ROLE,
            "--regions",
            "us-east-1",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        Some("trace"),
    );
    assert_eq!(code, 0, "{}", &text[text.len().saturating_sub(2000)..]);
    assert!(text.contains("AssumeRole"), "the role was assumed");
    assert_no_credentials("org scan at trace", &text);
}

/// Every address in `connect`/`sendto`/`sendmsg` calls of an `strace -f` log:
/// (family, address, port).
fn destinations(trace: &str) -> BTreeSet<(String, String, u16)> {
    let mut out = BTreeSet::new();
    for line in trace.lines() {
        if !["connect(", "sendto(", "sendmsg("]
            .iter()
            .any(|c| line.contains(c))
        {
            continue;
        }
        let field = |start: &str, end: char| -> Option<String> {
            let from = line.find(start)? + start.len();
            let len = line[from..].find(end)?;
            Some(line[from..from + len].to_string())
        };
        let port = field("htons(", ')')
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if line.contains("AF_INET6") {
            let addr = field("inet_pton(AF_INET6, \"", '"').unwrap_or_default();
            out.insert(("inet6".into(), addr, port));
        } else if line.contains("AF_INET") {
            let addr = field("inet_addr(\"", '"').unwrap_or_default();
            out.insert(("inet".into(), addr, port));
        } else if line.contains("AF_NETLINK") {
            // Interface enumeration by the resolver: local to the kernel.
            continue;
        } else if line.contains("AF_UNIX") {
            let path = field("sun_path=\"", '"').unwrap_or_default();
            out.insert(("unix".into(), path, 0));
        }
    }
    out
}

#[test]
fn the_only_network_destination_is_the_configured_endpoint() {
    let strace = ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect(
            "strace is needed for this test; scripts/test installs it (apt-get install strace)",
        );
    let emu = Emulator::start();
    emu.seed("org-two-accounts");
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("strace.txt");
    let config = dir.path().join("aws-config");
    std::fs::write(&config, "").unwrap();
    // A clean environment: no proxy variables, no AWS configuration but the dummy
    // keys, and instance metadata NOT disabled, so an attempt to reach it would show.
    let out = Command::new(strace)
        .args(["-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o"])
        .arg(&trace)
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("vpcaudit"))
        .args(["scan", "--endpoint-url", &emu.url, "--role-arn", ROLE])
        .args(["--regions", "us-east-1,eu-west-1", "--format", "json"])
        .args(["--fail-on", "never", "--no-progress"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &config)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null())
        .output()
        .expect("run vpcaudit under strace");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(&trace).unwrap();
    let seen = destinations(&log);
    let endpoint = ("inet".to_string(), "127.0.0.1".to_string(), emu.port);
    assert!(
        seen.contains(&endpoint),
        "no connection to the emulator seen: {seen:?}"
    );
    let others: Vec<_> = seen.iter().filter(|d| **d != endpoint).collect();
    assert!(
        others.is_empty(),
        "contacted something else too: {others:?}"
    );
}
