//! Test harness: the moto-based AWS emulator from `mocks/` on a free loopback port,
//! the scenario seeder, and the real `vpcaudit` binary pointed at them.
#![allow(dead_code)]

pub mod chromium;
pub mod kube;
pub mod lab;
pub mod sarif;
pub mod symbolic;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn python() -> String {
    std::env::var("VPCAUDIT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

pub struct Emulator {
    child: Child,
    // Held so the server sees EOF and exits if this process dies.
    _stdin: ChildStdin,
    pub port: u16,
    pub url: String,
}

#[derive(Debug, Deserialize)]
pub struct Seeded {
    pub account: String,
    pub ids: BTreeMap<String, String>,
    /// Scenarios with extra accounts: alias → account id (`main` included).
    #[serde(default)]
    pub accounts: BTreeMap<String, String>,
}

impl Seeded {
    /// The id of a scenario account alias (`main` is the caller's account).
    pub fn account_id(&self, alias: &str) -> &str {
        if alias == "main" {
            return &self.account;
        }
        self.accounts
            .get(alias)
            .unwrap_or_else(|| panic!("scenario has no account aliased {alias:?}"))
    }

    /// The real id of a named scenario resource.
    pub fn id(&self, name: &str) -> &str {
        self.ids
            .get(name)
            .unwrap_or_else(|| panic!("scenario has no resource named {name:?}"))
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RequestRecord {
    pub service: Option<String>,
    pub action: Option<String>,
    pub region: Option<String>,
    pub status: Option<u16>,
}

/// Starts a mock server of `mocks/` that prints `{marker}<port>` once it listens:
/// the child, its stdin (the server exits when it closes) and the port. Its stdout is
/// drained from then on so that it never blocks on a full pipe.
pub fn spawn_ready(
    mut cmd: Command,
    marker: &str,
    what: &str,
) -> (std::process::Child, std::process::ChildStdin, u16) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdin = child.stdin.take().expect("stdin piped");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.strip_prefix(marker) {
                    break rest.trim().parse::<u16>().expect("port number");
                }
            }
            _ => {
                let _ = child.kill();
                panic!("{what} exited before it was ready");
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, stdin, port)
}

impl Emulator {
    pub fn start() -> Emulator {
        let mut cmd = Command::new(python());
        cmd.arg(repo().join("mocks/server.py"))
            .args(["--port", "0", "--host", "127.0.0.1"]);
        let (child, stdin, port) = spawn_ready(
            cmd,
            "VPCAUDIT_MOTO_READY port=",
            "the emulator (is python3 with mocks/requirements.txt installed?)",
        );
        Emulator {
            child,
            _stdin: stdin,
            port,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn seed(&self, scenario: &str) -> Seeded {
        self.seed_with(scenario, &[])
    }

    pub fn seed_with(&self, scenario: &str, sets: &[(&str, &str)]) -> Seeded {
        let mut cmd = Command::new(python());
        cmd.arg(repo().join("mocks/seed.py"))
            .args(["--endpoint", &self.url])
            .arg(
                repo()
                    .join("mocks/scenarios")
                    .join(format!("{scenario}.yaml")),
            );
        for (k, v) in sets {
            cmd.args(["--set", &format!("{k}={v}")]);
        }
        let out = cmd
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stderr(Stdio::inherit())
            .output()
            .expect("run mocks/seed.py");
        assert!(out.status.success(), "seeding {scenario} failed");
        serde_json::from_slice(&out.stdout).expect("seeder output is JSON")
    }

    /// Every AWS request the emulator has answered since the last clear.
    pub fn requests(&self) -> Vec<RequestRecord> {
        let body = self.control("GET", "/_vpcaudit/requests", None);
        serde_json::from_str(&body).expect("request log is JSON")
    }

    pub fn clear_requests(&self) {
        self.control("DELETE", "/_vpcaudit/requests", None);
    }

    pub fn set_faults(&self, rules: serde_json::Value) {
        self.control("POST", "/_vpcaudit/faults", Some(&rules.to_string()));
    }

    /// A minimal HTTP/1.0 client for the emulator's control API (loopback only).
    fn control(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to emulator");
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let body = body.unwrap_or("");
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send control request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read control response");
        let (head, payload) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.0 2") || head.starts_with("HTTP/1.1 2"),
            "control call {method} {path} failed: {head}"
        );
        payload.to_string()
    }

    /// The vpcaudit binary with dummy credentials, isolated from the developer's own
    /// AWS configuration, and pointed at nothing but loopback.
    pub fn vpcaudit(&self) -> assert_cmd::Command {
        let mut cmd = vpcaudit_offline();
        cmd.env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &self.url);
        cmd
    }

    /// `vpcaudit collect` into a temporary file, returning the inventory.
    pub fn collect(&self, extra: &[&str]) -> vpcaudit::inventory::Inventory {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.json");
        let out = self
            .vpcaudit()
            .arg("collect")
            .args(extra)
            .arg("--output")
            .arg(&path)
            .output()
            .expect("run vpcaudit");
        assert!(
            out.status.success(),
            "vpcaudit collect failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        vpcaudit::inventory::Inventory::load(&path).expect("load collected inventory")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with no AWS configuration at all: no credentials, no profile files, no
/// instance metadata (which would send traffic off the machine).
pub fn vpcaudit_offline() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("vpcaudit").expect("vpcaudit binary");
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    let empty = empty_aws_config();
    cmd.env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("NO_COLOR", "1");
    cmd
}

/// An empty file standing in for ~/.aws/config and ~/.aws/credentials.
fn empty_aws_config() -> PathBuf {
    let path = std::env::temp_dir().join(format!("vpcaudit-test-empty-aws-{}", std::process::id()));
    if !path.exists() {
        std::fs::write(&path, "").expect("write empty AWS config");
    }
    path
}

/// Finds the one item whose `Name` tag is `name`.
pub fn named<'a, T>(
    items: &'a [T],
    tags: impl Fn(&T) -> &BTreeMap<String, String>,
    name: &str,
) -> &'a T {
    let found: Vec<&T> = items
        .iter()
        .filter(|i| tags(i).get("Name").map(String::as_str) == Some(name))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one resource named {name:?}, found {}",
        found.len()
    );
    found[0]
}

/// Replaces AWS resource ids (a known prefix and 8+ hex digits, at a word start)
/// with `<id>`: the emulator makes new ones on every seeding.
pub fn redact_ids(text: &str) -> String {
    const PREFIXES: &[&str] = &[
        "tgw-attach-",
        "eipalloc-",
        "rtbassoc-",
        "aclassoc-",
        "tgw-rtb-",
        "subnet-",
        "eigw-",
        "vpce-",
        "sgr-",
        "eni-",
        "vpc-",
        "rtb-",
        "acl-",
        "igw-",
        "nat-",
        "pcx-",
        "tgw-",
        "sg-",
        "pl-",
        "fl-",
        "i-",
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        let boundary = out
            .chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-');
        if boundary {
            for p in PREFIXES {
                if let Some(after) = rest.strip_prefix(p) {
                    let hex = after.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
                    if hex >= 8 {
                        out.push_str("<id>");
                        rest = &after[hex..];
                        continue 'outer;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The table's summary line ends with the scan's wall time; snapshots replace it.
pub fn redact_elapsed(text: &str) -> String {
    text.lines()
        .map(|line| match line.rfind("; ") {
            Some(i)
                if line.ends_with(" s") && line[i + 2..line.len() - 2].parse::<f64>().is_ok() =>
            {
                format!("{}; <elapsed> s", &line[..i])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// Stderr of a run, asserting it did not end in a panic. vpcaudit turns a panic into
/// one "internal error" line and exit 70 (a check's own panic becomes an `unknown`
/// finding instead), so "panicked" alone would no longer show one.
pub fn stderr_without_panic(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !matches!(out.status.code(), Some(70) | Some(101))
            && !stderr.contains("vpcaudit: internal error")
            && !stderr.contains("panicked"),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    stderr
}

/// The one non-blank line on stderr of a run that did not panic (see
/// `stderr_without_panic`).
pub fn one_stderr_line(out: &std::process::Output) -> String {
    let stderr = stderr_without_panic(out);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr}");
    lines[0].to_string()
}

/// The `findings` array of a JSON findings document.
pub fn findings(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["findings"].as_array().expect("findings array")
}

/// The actions of the role's read-only policy (examples/iam-policy.json).
pub fn policy_actions() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("examples/iam-policy.json"))
        .expect("read examples/iam-policy.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("policy JSON");
    doc["Statement"][0]["Action"]
        .as_array()
        .expect("Statement[0].Action is an array")
        .iter()
        .map(|a| a.as_str().expect("actions are strings").to_string())
        .collect()
}

/// A `--format json` run: (exit code, findings document, stderr).
pub fn json_report(out: &std::process::Output) -> (i32, serde_json::Value, String) {
    let stderr = stderr_without_panic(out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("findings JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap_or(-1), doc, stderr)
}

/// Runs `cmd`, a `vpcaudit scan ... --format json` that must exit 0, and returns its
/// findings document.
#[track_caller]
pub fn scan_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let out = cmd.output().expect("run vpcaudit");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "findings JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
