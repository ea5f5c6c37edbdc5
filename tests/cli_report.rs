//! What a nightly job sees: several formats in one run, baselines, mutes and exit
//! codes, through the real binary on the demo inventory.

mod common;

use std::path::Path;

use common::{findings, vpcaudit_offline};
use serde_json::Value;

fn run(args: &[&str], cwd: Option<&Path>) -> std::process::Output {
    let mut cmd = vpcaudit_offline();
    cmd.args(["scan", "--demo"]).args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.output().expect("run vpcaudit")
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------------------
// Formats

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let outdir = dir.path().join("out");
    let out = run(
        &[
            "--format",
            "table",
            "--format",
            "json",
            "--format",
            "csv",
            "--format",
            "sarif",
            "--format",
            "html",
            "--format",
            "dot",
            "--fail-on",
            "never",
            "--output-dir",
        ],
        None,
    );
    // --output-dir is the last flag; give it its value.
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing value: {}",
        stderr(&out)
    );
    let mut cmd = vpcaudit_offline();
    let out = cmd
        .args(["scan", "--demo", "--fail-on", "never"])
        .args(["--format", "table", "--format", "json", "--format", "csv"])
        .args(["--format", "sarif", "--format", "html", "--format", "dot"])
        .arg("--output-dir")
        .arg(&outdir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The table for people on stdout, nothing else there; no logs on stderr.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("CRITICAL ("), "{table}");
    assert!(table.contains(" finding(s): "), "{table}");
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let mut files: Vec<String> = std::fs::read_dir(&outdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "vpcaudit.csv",
            "vpcaudit.dot",
            "vpcaudit.html",
            "vpcaudit.json",
            "vpcaudit.sarif"
        ]
    );
    // Each file is what the format alone writes to stdout.
    for (format, file) in [("json", "vpcaudit.json"), ("dot", "vpcaudit.dot")] {
        let alone = run(&["--format", format, "--fail-on", "never"], None);
        assert_eq!(
            std::fs::read(outdir.join(file)).unwrap(),
            alone.stdout,
            "{format}"
        );
    }
}

#[test]
fn several_formats_need_an_output_dir() {
    let out = run(&["--format", "json", "--format", "sarif"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--output-dir"), "{err}");
    // --output and --output-dir together are refused by the parser.
    let out = run(&["--output", "a.json", "--output-dir", "d"], None);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// Exit codes

#[test]
fn exit_codes_follow_fail_on() {
    let code = |args: &[&str]| {
        let out = run(&[&["--format", "json"], args].concat(), None);
        out.status.code()
    };
    // The demo has critical, high, medium, low and info findings.
    assert_eq!(code(&[]), Some(1), "default --fail-on high");
    assert_eq!(code(&["--fail-on", "critical"]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
    // Only the checks with low findings at most: passes at high, fails at low.
    let low_only = ["--checks", "subnet-auto-public-ip"];
    let severities: Vec<String> = findings(&json(&run(
        &[&["--format", "json", "--fail-on", "never"], &low_only[..]].concat(),
        None,
    )))
    .iter()
    .map(|f| f["severity"].as_str().unwrap().to_string())
    .collect();
    assert!(!severities.is_empty());
    assert!(
        severities.iter().all(|s| s == "low" || s == "info"),
        "{severities:?}"
    );
    assert_eq!(
        code(&[&low_only[..], &["--fail-on", "high"]].concat()),
        Some(0)
    );
    assert_eq!(
        code(&[&low_only[..], &["--fail-on", "low"]].concat()),
        Some(1)
    );
    // A bad severity is a usage error.
    assert_eq!(code(&["--fail-on", "urgent"]), Some(2));
}

#[test]
fn strict_makes_an_incomplete_scan_exit_3() {
    // The demo has one `unknown` finding (internet-exposed-port on lk-misc).
    let doc = json(&run(&["--format", "json", "--fail-on", "never"], None));
    let unknown: Vec<&Value> = findings(&doc)
        .iter()
        .filter(|f| f["status"] == "unknown")
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    let out = run(
        &["--format", "json", "--fail-on", "never", "--strict"],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    // Findings at the threshold win over incompleteness: 1.
    let out = run(&["--format", "json", "--strict"], None);
    assert_eq!(out.status.code(), Some(1));
    // Muting the undecided finding makes the scan complete again.
    let dir = tempfile::tempdir().unwrap();
    let mutes = dir.path().join("mutes.toml");
    let arn = unknown[0]["resource"]["arn"].as_str().unwrap();
    std::fs::write(
        &mutes,
        format!(
            "[[mute]]\ncheck = \"internet-exposed-port\"\nresource = \"{arn}\"\nreason = \"icmp replies reviewed\"\n"
        ),
    )
    .unwrap();
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--strict",
        ])
        .arg("--mutes")
        .arg(&mutes)
        .output()
        .unwrap();
    // The same resource also has a fail finding of that check: both muted.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// Baselines

#[test]
fn baseline_marks_new_unchanged_and_absent() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    // Yesterday: without flow-logs-disabled, with subnet-auto-public-ip.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
        .args(["--skip", "flow-logs-disabled", "--output"])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let before: Value = serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    // Pretend subnet-auto-public-ip had one more finding yesterday.
    let mut edited = before.clone();
    let mut gone = findings(&before)
        .iter()
        .find(|f| f["check"] == "subnet-auto-public-ip")
        .expect("a subnet-auto-public-ip finding")
        .clone();
    gone["fingerprint"] = Value::from("0123456789abcdef0123456789abcdef");
    gone["resource"]["id"] = Value::from("subnet-since-deleted");
    edited["findings"].as_array_mut().unwrap().push(gone);
    std::fs::write(&base, serde_json::to_vec(&edited).unwrap()).unwrap();

    let today = |extra: &[&str]| {
        let out = vpcaudit_offline()
            .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
            .arg("--baseline")
            .arg(&base)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)
    };
    let doc = today(&[]);
    for f in findings(&doc) {
        let expected = if f["check"] == "flow-logs-disabled" {
            "new"
        } else {
            "unchanged"
        };
        assert_eq!(f["baseline"], expected, "{f:#}");
    }
    let absent = doc["absent"].as_array().expect("absent list");
    assert_eq!(absent.len(), 1, "{absent:#?}");
    assert_eq!(absent[0]["resource"]["id"], "subnet-since-deleted");
    assert_eq!(absent[0]["baseline"], "absent");

    // --only-new: just the flow-logs findings, no absent ones.
    let doc = today(&["--only-new"]);
    assert!(!findings(&doc).is_empty());
    assert!(findings(&doc)
        .iter()
        .all(|f| f["check"] == "flow-logs-disabled" && f["baseline"] == "new"));
    assert_eq!(doc["absent"].as_array().map(Vec::len), Some(0));

    // A scan limited to other checks does not call the baseline's findings absent.
    let doc = today(&["--checks", "flow-logs-disabled"]);
    assert_eq!(doc["absent"].as_array().map(Vec::len), Some(0));

    // Exit code with --only-new counts only new findings: flow logs are medium.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--only-new"])
        .arg("--baseline")
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The table says how many are new and gone.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--fail-on", "never", "--baseline"])
        .arg(&base)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Gone since the baseline (1):"), "{text}");
    let new = findings(&doc).len();
    assert!(text.contains(&format!("; {new} new, 1 gone;")), "{text}");
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.json");
    std::fs::write(&inv, include_str!("../src/demo/inventory.json")).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        "{\"schema\": \"vpcaudit/findings/v1\", \"findings\": [",
    )
    .unwrap();
    for (file, needle) in [
        (inv.as_path(), "vpcaudit/inventory/v3"),
        (truncated.as_path(), "line 1"),
        (Path::new("/nonexistent/base.json"), "cannot read baseline"),
    ] {
        let out = vpcaudit_offline()
            .args(["scan", "--demo", "--baseline"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
    }
    // --only-new without a baseline means nothing: refused.
    let out = run(&["--only-new"], None);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------
// Mutes

#[test]
fn mutes_match_by_glob_tag_and_account_and_stay_in_the_json() {
    let dir = tempfile::tempdir().unwrap();
    // Auto-discovered from the current directory.
    std::fs::write(
        dir.path().join("vpcaudit.toml"),
        r#"
[[mute]]
check = "flow-logs-*"
region = "eu-*"
reason = "eu flow logs go to the SIEM directly"

[[mute]]
tag = "Name=lk-db-*"
reason = "the database team owns this; ticket SEC-12"
expires = 2999-12-31

[[mute]]
account = "999999999999"
reason = "matches nothing: another account"
"#,
    )
    .unwrap();
    let all = json(&run(&["--format", "json", "--fail-on", "never"], None));
    let doc = json(&run(
        &["--format", "json", "--fail-on", "never"],
        Some(dir.path()),
    ));
    assert_eq!(
        findings(&all).len(),
        findings(&doc).len(),
        "muted findings stay"
    );
    let mut muted = 0;
    for f in findings(&doc) {
        let flow_eu = f["check"] == "flow-logs-disabled" && f["region"] == "eu-west-1";
        let db = f["resource"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("lk-db-"));
        match (&f["muted"], flow_eu, db) {
            (Value::Null, false, false) => {}
            (m, true, _) => {
                assert_eq!(m["reason"], "eu flow logs go to the SIEM directly");
                assert_eq!(m["rule"], "vpcaudit.toml, mute #1");
                muted += 1;
            }
            (m, false, true) => {
                assert_eq!(m["expires"], "2999-12-31");
                assert_eq!(m["rule"], "vpcaudit.toml, mute #2");
                muted += 1;
            }
            (m, _, _) => panic!("unexpected mute {m:#} on {f:#}"),
        }
    }
    assert!(muted >= 2, "{muted}");
    // Unmuted findings only in the table; the summary counts the muted ones.
    let mut cmd = vpcaudit_offline();
    let out = cmd
        .args(["scan", "--demo", "--fail-on", "never"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("; {muted} muted;")), "{text}");
    assert!(!text.contains("(lk-db-eni)"), "{text}");
}

#[test]
fn muted_findings_do_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mutes = dir.path().join("accepted.toml");
    // Everything at high or above, muted by check glob.
    std::fs::write(
        &mutes,
        "[[mute]]\ncheck = \"*\"\nreason = \"accepted for the demo\"\n",
    )
    .unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--mutes"])
        .arg(&mutes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn expired_mutes_warn_and_stop_muting() {
    let dir = tempfile::tempdir().unwrap();
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes,
        "[[mute]]\ncheck = \"*\"\nreason = \"temporary exception\"\nexpires = 2020-01-31\n",
    )
    .unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--mutes"])
        .arg(&mutes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the findings count again");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("mute #1 expired on 2020-01-31 (temporary exception)"),
        "{err}"
    );
    assert!(findings(&json(&out)).iter().all(|f| f["muted"].is_null()));
}

#[test]
fn bad_mute_files_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[[mute]]\ncheck = \"x\"\n", "line 1", "needs a `reason`"),
        (
            "[[mute]]\nreason = \"r\"\nresorce = \"sg-1\"\n",
            "line 3",
            "resorce",
        ),
        ("[[mute]]\nreason = \"r\"\n", "line 1", "at least one of"),
        (
            "[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = \"31/01/2027\"\n",
            "line 4, column 11",
            "not a date",
        ),
        ("[[mutes]]\nreason = \"r\"\n", "line 1", "mutes"),
    ];
    for (i, (text, line, needle)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("m{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = vpcaudit_offline()
            .args(["scan", "--demo", "--mutes"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(line) && err.contains(needle), "{text}: {err}");
    }
}

#[test]
fn colour_only_on_a_terminal() {
    // `script` (util-linux, in Debian's essential bsdutils) gives the binary a
    // pseudo-terminal as stdout.
    let bin = assert_cmd::cargo::cargo_bin("vpcaudit");
    let command = format!("{} scan --demo --fail-on never", bin.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\x1b[1;31mCRITICAL ("), "{text}");
    // NO_COLOR turns it off even on a terminal.
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("CRITICAL (") && !text.contains('\x1b'),
        "{text}"
    );
}

#[test]
fn only_new_keeps_strict_honest_and_gaps_prove_nothing_gone() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--output",
        ])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Nothing is new, but the demo's undecided finding is still undecided: 3.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
        .args(["--strict", "--only-new", "--baseline"])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(findings(&json(&out)).is_empty());

    // The same inventory, but us-east-1's security groups could not be read: the
    // baseline's findings there are not "absent", they are unknown.
    let mut inv: Value = serde_json::from_str(include_str!("../src/demo/inventory.json")).unwrap();
    let account = inv["accounts"][0]["account_id"].clone();
    inv["coverage"] = serde_json::json!([{
        "account_id": account, "region": "us-east-1", "service": "ec2",
        "operation": "DescribeSecurityGroups", "kind": "access_denied",
        "error_code": "UnauthorizedOperation", "message": "denied"
    }]);
    let regions = inv["accounts"][0]["regions"].as_array_mut().unwrap();
    let east = regions
        .iter_mut()
        .find(|r| r["region"] == "us-east-1")
        .unwrap();
    east["security_groups"] = Value::Array(Vec::new());
    let path = dir.path().join("gappy.json");
    std::fs::write(&path, serde_json::to_vec(&inv).unwrap()).unwrap();
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--inventory",
        ])
        .arg(&path)
        .arg("--baseline")
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let absent = doc["absent"].as_array().unwrap();
    assert!(
        absent.iter().all(|f| f["region"] != "us-east-1"),
        "{absent:#?}"
    );
}
