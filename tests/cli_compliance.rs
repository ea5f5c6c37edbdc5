//! `vpcaudit compliance`: the real binary on the demo inventory (offline) and on the
//! emulator's leaky and zero-egress accounts collected live; every format, mutes as
//! accepted exceptions, exit codes and bad input.

mod common;

use std::process::Output;

use common::{one_stderr_line, stderr_without_panic, vpcaudit_offline, Emulator};
use serde_json::Value;

const FRAMEWORKS: [&str; 4] = ["cis-aws-5.0", "fsbp", "nist-800-53-r5", "pci-dss-4.0"];

fn demo(args: &[&str]) -> Output {
    vpcaudit_offline()
        .args(["compliance", "--demo"])
        .args(args)
        .output()
        .expect("run vpcaudit")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[track_caller]
fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", stderr_without_panic(out)))
}

/// Every control of the report, with its framework id.
fn controls(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for f in doc["frameworks"].as_array().expect("frameworks") {
        for s in f["sections"].as_array().expect("sections") {
            for c in s["controls"].as_array().expect("controls") {
                out.push((f["id"].as_str().expect("id").to_string(), c.clone()));
            }
        }
    }
    out
}

/// One line per control: `id status pass/fail/unknown/muted/n-a`, the report's
/// shape without the ids an emulator picks at random.
fn summary(doc: &Value, framework: &str) -> String {
    controls(doc)
        .into_iter()
        .filter(|(f, _)| f == framework)
        .map(|(_, c)| {
            let n = &c["resources"];
            format!(
                "{} {} {}/{}/{}/{}/{}",
                c["id"].as_str().unwrap_or_default(),
                c["status"].as_str().unwrap_or_default(),
                n["passed"],
                n["failed"],
                n["unknown"],
                n["excepted"],
                n["not_applicable"]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_framework_on_the_demo() {
    for id in FRAMEWORKS {
        let out = demo(&["--framework", id, "--fail-on", "never"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
        insta::assert_snapshot!(format!("demo_{id}"), stdout(&out));
    }
}

#[test]
fn the_json_report_is_consistent() {
    let out = demo(&["--format", "json", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(doc["schema"], "vpcaudit/compliance/v1");
    let ids: Vec<&str> = doc["frameworks"]
        .as_array()
        .expect("frameworks")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(ids, FRAMEWORKS);
    for (f, c) in controls(&doc) {
        let status = c["status"].as_str().expect("status");
        let n = &c["resources"];
        let count = |k: &str| n[k].as_u64().expect("count");
        let failing = c["findings"].as_array().expect("findings");
        match status {
            "fail" => {
                assert!(count("failed") > 0, "{f} {c}");
                assert!(failing.iter().any(|x| x["status"] == "fail"), "{f} {c}");
            }
            "pass" => {
                assert!(count("passed") + count("excepted") > 0, "{f} {c}");
                assert_eq!(count("failed") + count("unknown"), 0, "{f} {c}");
                assert!(failing.is_empty(), "{f} {c}");
            }
            "manual" => assert!(c["checks"].as_array().is_some_and(Vec::is_empty), "{f} {c}"),
            "unknown" | "not_applicable" => assert_eq!(count("failed"), 0, "{f} {c}"),
            other => panic!("{f}: unknown status {other}"),
        }
        // Every check a control names ran, and said what it judged.
        for r in c["checks"].as_array().expect("checks") {
            assert_eq!(r["ran"], true, "{f} {c}");
        }
        assert!(
            !c["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("cannot list"),
            "{f}: {c}"
        );
    }
}

#[test]
fn every_format_renders_the_same_controls() {
    let cis = ["--framework", "cis-aws-5.0", "--fail-on", "never"];
    let run = |format: &str| {
        let mut args = cis.to_vec();
        args.extend(["--format", format]);
        let out = demo(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
        stdout(&out)
    };
    let doc: Value = serde_json::from_str(&run("json")).expect("JSON");
    let ids: Vec<String> = controls(&doc)
        .into_iter()
        .map(|(_, c)| c["id"].as_str().expect("id").to_string())
        .collect();
    let csv = run("csv");
    assert_eq!(csv.lines().count(), ids.len() + 1, "{csv}");
    let md = run("md");
    let html = run("html");
    for id in &ids {
        assert!(csv.contains(&format!(",{id},")), "{id} not in the CSV");
        assert!(
            html.contains(&format!("data-control=\"{id}\"")),
            "{id} not in the HTML"
        );
    }
    assert!(!html.contains("<script"), "the page must not run anything");
    insta::assert_snapshot!("demo_cis_md", md);
    insta::assert_snapshot!("demo_cis_csv", csv);
}

#[test]
fn a_muted_finding_is_an_accepted_exception_never_a_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = json(&demo(&["--format", "json", "--fail-on", "never"]));
    // The first failing finding of the first failing control, muted by its resource.
    let (framework, control) = controls(&before)
        .into_iter()
        .find(|(_, c)| c["status"] == "fail")
        .expect("the demo fails a control");
    let finding = control["findings"][0].clone();
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes,
        format!(
            "[[mute]]\ncheck = {}\nresource = {}\nreason = \"accepted by the network team\"\n",
            finding["check"], finding["resource"]
        ),
    )
    .expect("write mutes");
    let after = json(&demo(&[
        "--format",
        "json",
        "--fail-on",
        "never",
        "--mutes",
        mutes.to_str().expect("utf-8 path"),
    ]));
    let (_, muted) = controls(&after)
        .into_iter()
        .find(|(f, c)| *f == framework && c["id"] == control["id"])
        .expect("the same control");
    let exceptions = muted["exceptions"].as_array().expect("exceptions");
    assert!(
        exceptions
            .iter()
            .any(|x| x["fingerprint"] == finding["fingerprint"]
                && x["muted"]
                    .as_str()
                    .is_some_and(|m| m.contains("accepted by the network team"))),
        "{muted:#}"
    );
    let count = |c: &Value, k: &str| c["resources"][k].as_u64().expect("count");
    assert!(count(&muted, "excepted") >= 1);
    assert_eq!(
        count(&muted, "passed"),
        count(&control, "passed"),
        "a mute is never a pass"
    );
    assert!(!muted["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|x| x["fingerprint"] == finding["fingerprint"]));
}

#[test]
fn exit_codes_follow_fail_on_and_strict() {
    assert_eq!(
        demo(&[]).status.code(),
        Some(1),
        "the demo fails controls at high"
    );
    assert_eq!(demo(&["--fail-on", "never"]).status.code(), Some(0));
    let out = demo(&["--fail-on", "never", "--strict", "--framework", "fsbp"]);
    let doc = json(&demo(&[
        "--fail-on",
        "never",
        "--framework",
        "fsbp",
        "--format",
        "json",
    ]));
    let unknown = controls(&doc).iter().any(|(_, c)| c["status"] == "unknown");
    assert_eq!(out.status.code(), Some(if unknown { 3 } else { 0 }));
}

#[test]
fn an_unknown_framework_is_a_one_line_error_listing_the_known_ones() {
    let out = demo(&["--framework", "cis-aws-9"]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(line.contains("\"cis-aws-9\""), "{line}");
    for id in FRAMEWORKS {
        assert!(line.contains(id), "{line}");
    }
    assert!(out.stdout.is_empty());
}

/// `vpcaudit compliance` collected live on a seeded account, as JSON.
fn live(scenario: &str, regions: &str) -> Value {
    let emu = Emulator::start();
    emu.seed(scenario);
    let out = emu
        .vpcaudit()
        .args([
            "compliance",
            "--regions",
            regions,
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run vpcaudit");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
    json(&out)
}

#[test]
fn the_zero_egress_account_passes_every_automated_control_it_has_resources_for() {
    let doc = live("zero-egress", "us-east-1");
    let mut decided = 0;
    for (f, c) in controls(&doc) {
        let status = c["status"].as_str().unwrap_or_default();
        if matches!(status, "manual" | "not_applicable") {
            continue;
        }
        decided += 1;
        assert_eq!(status, "pass", "{f} {}: {}", c["id"], c["reason"]);
    }
    assert!(decided > 0);
    for id in FRAMEWORKS {
        insta::assert_snapshot!(format!("zero_egress_{id}"), summary(&doc, id));
    }
}

#[test]
fn the_leaky_account_per_framework() {
    let doc = live("leaky-three-tier", "us-east-1,eu-west-1");
    for id in FRAMEWORKS {
        insta::assert_snapshot!(format!("leaky_{id}"), summary(&doc, id));
    }
}
