//! `--format sarif`: every SARIF log the real binary writes is validated with
//! Microsoft's SARIF multitool (`validate --rule-kind "Gh;Sarif"`, GitHub's rules
//! switched on) and must have no error; then its structure is checked against the
//! JSON report of the same run.
//!
//! The multitool (run by `tests/common/sarif.rs`) is the npm package pinned in
//! `.ci/sarif` (`scripts/test` installs it with `npm ci`); `SARIF_MULTITOOL` overrides
//! the path to its binary. Without it these tests fail: a SARIF log nobody validated
//! is not one GitHub is known to take.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::sarif::{assert_valid, validate};
use common::{scan_json, vpcaudit_offline};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Structure

fn level_of(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

/// A synthetic location: relative, no scheme, `aws/<account>/<region>/<type>/<id>`,
/// each segment non-empty, never `.` or `..`, of URI-safe characters.
fn assert_safe_uri(uri: &str) {
    assert!(
        !uri.contains(':') && !uri.starts_with('/') && !uri.contains('\\'),
        "not a scheme-less relative path: {uri}"
    );
    let segments: Vec<&str> = uri.split('/').collect();
    assert_eq!(
        segments.len(),
        5,
        "not aws/<account>/<region>/<type>/<id>: {uri}"
    );
    assert_eq!(segments[0], "aws", "{uri}");
    for s in segments {
        assert!(
            !s.is_empty() && s != "." && s != "..",
            "unsafe segment in {uri}"
        );
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.%".contains(&b)),
            "unsafe character in {uri}"
        );
    }
    let bytes = uri.as_bytes();
    for (i, _) in uri.match_indices('%') {
        assert!(
            bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit(),
            "bad percent-encoding in {uri}"
        );
    }
}

fn locations(result: &Value) -> impl Iterator<Item = &Value> {
    let main = result["locations"].as_array().into_iter().flatten();
    let related = result["relatedLocations"].as_array().into_iter().flatten();
    main.chain(related)
}

/// The SARIF log against the JSON report of the same run.
fn assert_matches_report(sarif: &Value, report: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "vpcaudit");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));

    // One rule per check that ran, in order, each complete.
    let rules = driver["rules"].as_array().expect("rules");
    let rule_ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let checks: Vec<&str> = report["scanned"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(rule_ids, checks);
    for r in rules {
        for field in [
            "/name",
            "/shortDescription/text",
            "/fullDescription/text",
            "/help/text",
            "/help/markdown",
            "/helpUri",
        ] {
            assert!(
                r.pointer(field)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty()),
                "rule {} has no {field}",
                r["id"]
            );
        }
        let score: f64 = r["properties"]["security-severity"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("security-severity is a number in a string");
        assert!(score > 0.0 && score <= 10.0, "rule {}: {score}", r["id"]);
        let tags = r["properties"]["tags"].as_array().expect("tags");
        assert_eq!(tags[0], "security");
        assert!(tags.len() <= 10);
    }

    // One result per finding (and per absent baseline finding), by fingerprint.
    let results = run["results"].as_array().expect("results");
    let findings = report["findings"].as_array().expect("findings");
    let absent = report["absent"].as_array().cloned().unwrap_or_default();
    let baselined = report.get("absent").is_some();
    assert_eq!(results.len(), findings.len() + absent.len());
    let mut by_fingerprint: BTreeMap<&str, &Value> = BTreeMap::new();
    for r in results {
        let fp = r["partialFingerprints"]["vpcaudit/v1"]
            .as_str()
            .expect("every result has a vpcaudit/v1 fingerprint");
        assert_eq!(
            r["partialFingerprints"]["primaryLocationLineHash"],
            format!("{fp}:1")
        );
        by_fingerprint.insert(fp, r);
        // Every ruleId has its rule, at ruleIndex.
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules.get(index).map(|x| &x["id"]), Some(&r["ruleId"]));
        assert_eq!(r["locations"].as_array().map(Vec::len), Some(1));
        for loc in locations(r) {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("every location has a uri");
            assert_safe_uri(uri);
            assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
        }
        if !baselined {
            assert!(r.get("baselineState").is_none(), "{r}");
        }
    }
    for (f, state) in findings
        .iter()
        .map(|f| (f, f["baseline"].clone()))
        .chain(absent.iter().map(|f| (f, json!("absent"))))
    {
        let fp = f["fingerprint"].as_str().expect("fingerprint");
        let r = by_fingerprint
            .get(fp)
            .unwrap_or_else(|| panic!("no result with fingerprint {fp}: {f}"));
        assert_eq!(r["ruleId"], f["check"]);
        let severity = f["severity"].as_str().expect("severity");
        assert_eq!(r["level"], level_of(severity), "{fp}");
        assert_eq!(r["properties"]["severity"], f["severity"]);
        assert_eq!(r["properties"]["status"], f["status"]);
        assert_eq!(r["properties"]["account"], f["account"]);
        assert_eq!(r["properties"]["region"], f["region"]);
        assert_eq!(r["properties"]["evidence"], f["evidence"]);
        let text = r["message"]["text"].as_str().expect("message text");
        // SARIF plain-text escapes (§3.11.6): `\` `[` `]` backslash-escaped.
        let mut want = f["message"]
            .as_str()
            .expect("message")
            .replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]");
        if f["status"] == "unknown" {
            want = format!("Undecided: {want}");
        }
        assert_eq!(text, want);
        assert_eq!(
            r["locations"][0]["logicalLocations"][0]["name"],
            f["resource"]["id"]
        );
        match f.get("muted") {
            Some(m) => {
                let mut properties = json!({ "rule": m["rule"] });
                if let Some(expires) = m.get("expires") {
                    properties["expires"] = expires.clone();
                }
                assert_eq!(
                    r["suppressions"],
                    json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": m["reason"],
                        "properties": properties,
                    }]),
                    "{fp}"
                );
            }
            None => assert!(r.get("suppressions").is_none(), "{fp}"),
        }
        if baselined {
            assert_eq!(r["baselineState"], state, "{fp}");
        }
    }
}

// ---------------------------------------------------------------------------
// Running the binary

/// The demo scan every run of this file makes, before its own arguments.
const DEMO: [&str; 4] = ["scan", "--demo", "--fail-on", "never"];

fn scan(args: &[&str]) -> Vec<u8> {
    let out = vpcaudit_offline()
        .args(DEMO)
        .args(args)
        .output()
        .expect("run vpcaudit");
    assert_eq!(
        out.status.code(),
        Some(0),
        "vpcaudit scan {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn demo_sarif_is_valid_stable_and_matches_the_findings() {
    let first = scan(&["--format", "sarif"]);
    let second = scan(&["--format", "sarif"]);
    assert!(
        first == second,
        "two runs on the same inventory gave different SARIF"
    );
    let text = String::from_utf8(first).expect("UTF-8");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("demo.sarif");
    std::fs::write(&path, &text).expect("write SARIF");
    assert_valid(&path);

    let sarif: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let report = scan_json(vpcaudit_offline().args(DEMO).args(["--format", "json"]));
    assert!(!report["findings"].as_array().expect("findings").is_empty());
    assert_matches_report(&sarif, &report);
    // The demo has an undecided finding, and nothing muted without a mutes file.
    assert!(text.contains("\"Undecided: "));
    assert!(!text.contains("\"suppressions\""));

    insta::assert_snapshot!("demo_sarif", text);
}

#[test]
fn baseline_and_mutes_give_states_and_suppressions() {
    let dir = tempfile::tempdir().expect("tempdir");

    // The baseline: a run without one check, so that its findings are new now, plus
    // a finding of a resource that has since gone (so absent now), whose id, type,
    // name and related ARN are hostile.
    let mut baseline = scan_json(vpcaudit_offline().args(DEMO).args([
        "--format",
        "json",
        "--skip",
        "subnet-auto-public-ip",
    ]));
    let findings = baseline["findings"].as_array_mut().expect("findings");
    let mut gone = findings
        .iter()
        .find(|f| {
            f["check"] == "egress-world-open" && !f["related"].as_array().is_some_and(Vec::is_empty)
        })
        .expect("an egress-world-open finding with related resources")
        .clone();
    gone["fingerprint"] = json!("0123456789abcdef0123456789abcdef");
    gone["account"] = json!("123456789012");
    gone["region"] = json!("us-east-1");
    gone["message"] = json!("../../etc/passwd [click](https://evil.example) is [gone](1)");
    gone["resource"] = json!({
        "type": "AWS::EC2::Security Group/../..",
        "id": "../../etc/passwd [x](1) ü",
        "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/../../x",
        "name": "[click](https://evil.example)",
    });
    gone["related"][0]["type"] = json!("AWS::EC2::VPC");
    gone["related"][0]["arn"] = json!("arn:aws:ec2:..:..\\..:vpc/x");
    gone["related"][0]["id"] = json!("C:\\Windows\\..");
    findings.push(gone);
    let baseline_path = dir.path().join("baseline.json");
    std::fs::write(&baseline_path, baseline.to_string()).expect("write baseline");

    let mutes_path = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes_path,
        r#"
[[mute]]
check = "sg-default-allows-traffic"
reason = "Default groups are locked down by an SCP [see](1)"
expires = 2099-12-31

[[mute]]
check = "subnet-auto-public-ip"
region = "eu-west-1"
reason = "Public subnets by design in eu-west-1"
"#,
    )
    .expect("write mutes");

    let out_dir = dir.path().join("out");
    let base = baseline_path.to_str().expect("UTF-8 path");
    let mutes = mutes_path.to_str().expect("UTF-8 path");
    let out = out_dir.to_str().expect("UTF-8 path");
    scan(&[
        "--baseline",
        base,
        "--mutes",
        mutes,
        "--format",
        "json",
        "--format",
        "sarif",
        "--output-dir",
        out,
    ]);
    let sarif_path = out_dir.join("vpcaudit.sarif");
    assert_valid(&sarif_path);
    let sarif = read_json(&sarif_path);
    let report = read_json(&out_dir.join("vpcaudit.json"));
    assert_matches_report(&sarif, &report);

    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let count = |state: &str| {
        results
            .iter()
            .filter(|r| r["baselineState"] == state)
            .count()
    };
    assert!(count("new") > 0, "no new results");
    assert!(count("unchanged") > 0, "no unchanged results");
    assert_eq!(count("absent"), 1);
    assert_eq!(
        count("new") + count("unchanged") + count("absent"),
        results.len()
    );
    let muted: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert!(
        muted
            .iter()
            .any(|r| r["ruleId"] == "sg-default-allows-traffic")
            && muted
                .iter()
                .any(|r| r["ruleId"] == "subnet-auto-public-ip" && r["baselineState"] == "new"),
        "both mutes should have matched"
    );

    // The hostile absent finding: its paths stay inside aws/, no link gets in.
    let gone = results
        .iter()
        .find(|r| r["baselineState"] == "absent")
        .expect("the absent result");
    assert_eq!(
        gone["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/123456789012/us-east-1/ec2-security-group/.._.._etc_passwd%20%5Bx%5D%281%29%20%C3%BC"
    );
    assert_eq!(
        gone["message"]["text"],
        "../../etc/passwd \\[click\\](https://evil.example) is \\[gone\\](1)"
    );
    // A related resource is placed by its ARN's account and region, made safe too.
    assert_eq!(
        gone["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/.._../_../ec2-vpc/C%3A_Windows_.."
    );
}

/// The policy really switches GitHub's rules on: a log GitHub would reject fails.
#[test]
fn the_validator_catches_what_github_rejects() {
    let text = scan(&["--format", "sarif", "--checks", "egress-world-open"]);
    let mut sarif: Value = serde_json::from_slice(&text).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array_mut().expect("results");
    assert!(
        results.len() >= 2,
        "the demo has egress-world-open findings"
    );
    // No region (GH1003) and a location that is a web address, not a file (GH1005).
    let loc = &mut results[0]["locations"][0]["physicalLocation"];
    loc.as_object_mut().expect("object").remove("region");
    results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("https://console.aws.amazon.com/ec2/");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.sarif");
    std::fs::write(&path, sarif.to_string()).expect("write SARIF");
    let v = validate(&path);
    for rule in ["GH1003", "GH1005"] {
        assert!(
            v.error_rules.contains(rule),
            "the multitool did not report {rule}; errors: {:?}",
            v.errors
        );
    }
}

#[test]
fn include_passed_gives_pass_results_of_level_none() {
    let text = String::from_utf8(scan(&["--format", "sarif", "--include-passed"])).expect("UTF-8");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("passed.sarif");
    std::fs::write(&path, &text).expect("write SARIF");
    assert_valid(&path);
    let sarif: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let report =
        scan_json(
            vpcaudit_offline()
                .args(DEMO)
                .args(["--format", "json", "--include-passed"]),
        );
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let passes: Vec<&Value> = results.iter().filter(|r| r["kind"] == "pass").collect();
    let passed = report["passed"].as_array().expect("passed");
    assert_eq!(passes.len(), passed.len());
    assert!(!passes.is_empty());
    for r in &passes {
        assert_eq!(r["level"], "none", "{r}");
        assert!(r["message"]["text"]
            .as_str()
            .is_some_and(|m| m.starts_with("Passed: ")));
    }
    // Every other result is a finding, as without the flag.
    assert_eq!(
        results.len() - passes.len(),
        report["findings"].as_array().expect("findings").len()
    );
    let plain: Value = serde_json::from_slice(&scan(&["--format", "sarif"])).expect("SARIF");
    assert!(plain["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r.get("kind").is_none()));
}
