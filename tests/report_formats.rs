//! The machine formats against their contracts: the JSON report against
//! `src/report/findings_v1.schema.json` (checked by Python's `jsonschema`, pinned in
//! mocks/requirements.txt, so the schema is read by an implementation that is not
//! ours), and the CSV against Python's `csv` module and the JSON it mirrors.
//!
//! The schema closes every object (`additionalProperties: false`), so a field the
//! code adds or renames without the schema fails the positive tests below; those
//! runs make every optional field appear (paths, blast radius, baseline states,
//! mutes with and without expiry, absent findings, coverage gaps, null ARNs).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{findings, python, repo, scan_json, vpcaudit_offline};
use serde_json::{json, Value};

/// Validates a document (argv[2]) against a schema (argv[1]) with
/// `Draft202012Validator`, and prints every error as JSON: `[{path, keyword,
/// schema_path, message}]`, sorted by path. Exit 0 whenever validation ran.
const VALIDATE_PY: &str = r#"
import json, sys
from jsonschema import Draft202012Validator

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
with open(sys.argv[2], encoding="utf-8") as f:
    doc = json.load(f)
errors = []
for e in Draft202012Validator(schema).iter_errors(doc):
    message = e.message if len(e.message) <= 300 else e.message[:300] + "..."
    errors.append({
        "path": e.json_path,
        "keyword": e.validator,
        "schema_path": "/".join(str(p) for p in e.absolute_schema_path),
        "message": message,
    })
errors.sort(key=lambda e: (e["path"], e["schema_path"]))
json.dump(errors, sys.stdout)
"#;

/// Reads a CSV file (argv[1]) with Python's `csv` module in strict mode and prints
/// its records as a JSON array of arrays of strings.
const PARSE_CSV_PY: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
json.dump(rows, sys.stdout)
"#;

const COLUMNS: [&str; 16] = [
    "check",
    "severity",
    "status",
    "account",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "title",
    "message",
    "related",
    "baseline",
    "muted",
    "mute_expires",
    "fingerprint",
];

fn schema_path() -> PathBuf {
    repo().join("src/report/findings_v1.schema.json")
}

/// Runs a Python snippet with one file argument and parses its JSON output.
fn run_python(script: &str, args: &[&Path]) -> Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect(
            "cannot run python3: install it and `pip install -r mocks/requirements.txt` \
             (scripts/test does)",
        );
    assert!(
        out.status.success(),
        "python failed (is jsonschema from mocks/requirements.txt installed? scripts/test \
         installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the python helper prints JSON")
}

/// Every schema violation of `doc`, one line each: `$.findings[3].severity [enum]:
/// 'urgent' is not one of [...]`.
fn schema_errors(doc: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("findings.json");
    std::fs::write(&path, serde_json::to_vec(doc).expect("serialise")).expect("write doc");
    let errors = run_python(VALIDATE_PY, &[&schema_path(), &path]);
    errors
        .as_array()
        .expect("a list of errors")
        .iter()
        .map(|e| {
            format!(
                "{} [{} at {}]: {}",
                e["path"].as_str().unwrap_or("?"),
                e["keyword"].as_str().unwrap_or("?"),
                e["schema_path"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn assert_valid(what: &str, doc: &Value) {
    let errors = schema_errors(doc);
    assert!(
        errors.is_empty(),
        "{what}: the findings JSON does not match src/report/findings_v1.schema.json \
         ({} error(s)):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// `vpcaudit scan` with `args`, expecting exit 0; returns standard output.
fn scan(args: &[&str]) -> Vec<u8> {
    let out = vpcaudit_offline()
        .arg("scan")
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

fn demo_json(extra: &[&str]) -> Value {
    scan_json(
        vpcaudit_offline()
            .args(["scan", "--demo", "--format", "json", "--fail-on", "never"])
            .args(extra),
    )
}

fn demo_inventory() -> Value {
    serde_json::from_str(include_str!("../src/demo/inventory.json")).expect("demo inventory")
}

/// Runs `vpcaudit scan --inventory` on `inventory` and returns (JSON, CSV).
fn scan_inventory(inventory: &Value) -> (Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("inventory.json");
    std::fs::write(
        &inv,
        serde_json::to_vec_pretty(inventory).expect("serialise"),
    )
    .expect("write inventory");
    let out = dir.path().join("out");
    scan(&[
        "--inventory",
        path_str(&inv),
        "--format",
        "json",
        "--format",
        "csv",
        "--output-dir",
        path_str(&out),
        "--fail-on",
        "never",
    ]);
    read_outputs(&out)
}

fn read_outputs(dir: &Path) -> (Value, String) {
    let json = std::fs::read(dir.join("vpcaudit.json")).expect("vpcaudit.json written");
    let csv = std::fs::read_to_string(dir.join("vpcaudit.csv")).expect("vpcaudit.csv written");
    (serde_json::from_slice(&json).expect("JSON"), csv)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Every finding, then every absent one: the CSV's row order.
fn rows_of(doc: &Value) -> Vec<&Value> {
    let absent = doc.get("absent").and_then(Value::as_array);
    findings(doc)
        .iter()
        .chain(absent.into_iter().flatten())
        .collect()
}

fn parse_csv(csv: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("findings.csv");
    std::fs::write(&path, csv).expect("write csv");
    serde_json::from_value(run_python(PARSE_CSV_PY, &[&path])).expect("rows of strings")
}

/// What a cell must hold for a text: OWASP's defence against formula injection.
fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => panic!("expected a string or null, got {other}"),
    }
}

/// The CSV, parsed by Python, holds exactly the JSON's findings (then absent
/// findings) in the same order, each column derived from the JSON field.
fn assert_csv_mirrors_json(csv: &str, doc: &Value) -> Vec<Vec<String>> {
    let rows = parse_csv(csv);
    assert_eq!(rows[0], COLUMNS, "header row");
    let expected = rows_of(doc);
    assert_eq!(
        rows.len() - 1,
        expected.len(),
        "one CSV row per finding and absent finding"
    );
    for (i, (row, f)) in rows[1..].iter().zip(&expected).enumerate() {
        let related: Vec<String> = f["related"]
            .as_array()
            .expect("related")
            .iter()
            .map(|r| text(&r["id"]))
            .collect();
        let muted = f.get("muted");
        let want: Vec<String> = [
            text(&f["check"]),
            text(&f["severity"]),
            text(&f["status"]),
            text(&f["account"]),
            text(&f["region"]),
            text(&f["resource"]["type"]),
            text(&f["resource"]["id"]),
            text(&f["resource"]["arn"]),
            f["resource"].get("name").map(text).unwrap_or_default(),
            text(&f["title"]),
            text(&f["message"]),
            related.join(" "),
            f.get("baseline").map(text).unwrap_or_default(),
            muted.map(|m| text(&m["reason"])).unwrap_or_default(),
            muted
                .and_then(|m| m.get("expires"))
                .map(text)
                .unwrap_or_default(),
            text(&f["fingerprint"]),
        ]
        .iter()
        .map(|s| defused(s))
        .collect();
        assert_eq!(row, &want, "CSV row {} (finding {i})", i + 1);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "row {r} column {} starts like a formula: {cell:?}",
                COLUMNS[c]
            );
        }
    }
    rows
}

/// Record ends are CRLF; a bare CR or LF appears only inside a quoted field.
fn assert_crlf_records(csv: &str, records: usize) {
    assert!(csv.ends_with("\r\n"), "the last record ends with CRLF");
    let mut quoted = false;
    let mut ends = 0;
    let bytes = csv.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\r' if !quoted => {
                assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at byte {i}");
                ends += 1;
            }
            b'\n' if !quoted => {
                assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at byte {i}")
            }
            _ => {}
        }
    }
    assert!(!quoted, "unbalanced quotes");
    assert_eq!(ends, records, "one CRLF per record");
}

#[test]
fn demo_json_matches_the_schema() {
    let doc = demo_json(&[]);
    // The demo holds the lateral-movement findings, so the schema's path and
    // blast-radius parts are exercised here, optional node fields both ways.
    let with_path: Vec<&Value> = findings(&doc)
        .iter()
        .filter(|f| f.get("path").is_some())
        .collect();
    assert!(!with_path.is_empty(), "the demo has lateral-movement paths");
    let nodes: Vec<&Value> = with_path
        .iter()
        .flat_map(|f| f["path"]["nodes"].as_array().expect("nodes"))
        .collect();
    assert!(nodes.iter().any(|n| n.get("why").is_some()));
    assert!(nodes.iter().any(|n| n.get("why").is_none()));
    assert!(findings(&doc)
        .iter()
        .any(|f| f.get("blast_radius").is_some()));
    assert!(!doc["blast_radius"].as_array().expect("list").is_empty());
    assert!(findings(&doc)
        .iter()
        .any(|f| f["resource"].get("name").is_none()));
    let statuses: Vec<&str> = findings(&doc)
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    assert!(statuses.contains(&"fail") && statuses.contains(&"unknown"));
    assert_valid("scan --demo", &doc);
}

#[test]
fn baseline_and_mutes_json_matches_the_schema_and_the_csv_follows() {
    let dir = tempfile::tempdir().expect("tempdir");

    // A baseline without two checks' findings (so they are new now), and with one
    // finding whose resource has since gone (so it is absent now).
    let mut baseline = demo_json(&["--skip", "lateral-blast-radius,flow-logs-disabled"]);
    let first = findings(&baseline)
        .iter()
        .find(|f| f["check"] == "internet-exposed-port")
        .expect("an internet-exposed-port finding")
        .clone();
    let mut gone = first;
    gone["resource"]["id"] = json!("eni-00000000000000000");
    gone["resource"]["arn"] = Value::Null;
    gone["fingerprint"] = json!("0123456789abcdef0123456789abcdef");
    baseline["findings"]
        .as_array_mut()
        .expect("findings")
        .push(gone);
    let baseline_path = dir.path().join("baseline.json");
    std::fs::write(&baseline_path, serde_json::to_vec(&baseline).expect("JSON"))
        .expect("write baseline");

    let mutes_path = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes_path,
        r#"
[[mute]]
check = "egress-world-open"
reason = "=HYPERLINK(\"http://example.invalid\",\"egress reviewed, see RISK-1\")"
expires = 2099-12-31

[[mute]]
resource = "eni-5f08a3a2dd0471a44"
reason = "the bastion, by design"
"#,
    )
    .expect("write mutes");

    let out = dir.path().join("out");
    scan(&[
        "--demo",
        "--baseline",
        path_str(&baseline_path),
        "--mutes",
        path_str(&mutes_path),
        "--format",
        "json",
        "--format",
        "csv",
        "--output-dir",
        path_str(&out),
        "--fail-on",
        "never",
    ]);
    let (doc, csv) = read_outputs(&out);

    let states: Vec<&str> = findings(&doc)
        .iter()
        .filter_map(|f| f["baseline"].as_str())
        .collect();
    assert_eq!(
        states.len(),
        findings(&doc).len(),
        "every finding has a state"
    );
    assert!(states.contains(&"new") && states.contains(&"unchanged"));
    let absent = doc["absent"].as_array().expect("absent is there");
    assert_eq!(absent.len(), 1, "{absent:?}");
    assert_eq!(absent[0]["baseline"], "absent");
    assert_eq!(absent[0]["fingerprint"], "0123456789abcdef0123456789abcdef");
    let muted: Vec<&Value> = findings(&doc)
        .iter()
        .filter_map(|f| f.get("muted"))
        .collect();
    assert!(muted.iter().any(|m| m["expires"] == "2099-12-31"));
    assert!(muted
        .iter()
        .any(|m| m.get("expires").is_none() && m["reason"] == "the bastion, by design"));
    assert_valid("scan --demo --baseline --mutes", &doc);

    let rows = assert_csv_mirrors_json(&csv, &doc);
    let last = rows.last().expect("rows");
    assert_eq!(last[12], "absent");
    assert!(
        rows.iter().any(|r| r[13]
            == "'=HYPERLINK(\"http://example.invalid\",\"egress reviewed, see RISK-1\")"
            && r[14] == "2099-12-31"),
        "the hostile mute reason is defused in the CSV"
    );
}

#[test]
fn hand_made_inventory_with_gaps_and_nameless_enis_matches_the_schema() {
    let mut inv = demo_inventory();
    // An extra region that could not be read at all, and a gap in a scanned one:
    // coverage entries, unknown findings, and a resource with no ARN.
    let account = inv["accounts"][0]["account_id"]
        .as_str()
        .expect("account id")
        .to_string();
    let mut empty = inv["accounts"][0]["regions"][0].clone();
    for (k, v) in empty.as_object_mut().expect("region object") {
        if v.is_array() {
            *v = json!([]);
        } else if k == "region" {
            *v = json!("ap-south-1");
        }
    }
    inv["accounts"][0]["regions"]
        .as_array_mut()
        .expect("regions")
        .push(empty);
    let gap = |region: &str, service: &str, op: &str, kind: &str, code: Value| {
        json!({
            "account_id": account, "region": region, "service": service,
            "operation": op, "kind": kind, "error_code": code,
            "message": format!("{op} failed"),
        })
    };
    inv["coverage"] = json!([
        gap(
            "ap-south-1",
            "ec2",
            "DescribeVpcs",
            "access_denied",
            json!("UnauthorizedOperation")
        ),
        gap(
            "ap-south-1",
            "ec2",
            "DescribeSecurityGroupRules",
            "throttled",
            json!("Throttling")
        ),
        gap(
            "ap-south-1",
            "ec2",
            "DescribeNetworkAcls",
            "access_denied",
            json!("UnauthorizedOperation")
        ),
        gap(
            "us-east-1",
            "network-firewall",
            "DescribeLoggingConfiguration",
            "timeout",
            Value::Null
        ),
    ]);
    // No Name tags on ENIs or instances: path nodes and resources without names.
    for region in inv["accounts"][0]["regions"]
        .as_array_mut()
        .expect("regions")
    {
        for kind in ["network_interfaces", "instances"] {
            for item in region[kind].as_array_mut().expect("list") {
                item["tags"].as_object_mut().expect("tags").remove("Name");
            }
        }
    }

    let (doc, csv) = scan_inventory(&inv);
    assert_eq!(doc["coverage"].as_array().expect("coverage").len(), 4);
    assert!(findings(&doc)
        .iter()
        .any(|f| f["resource"]["arn"].is_null() && f["region"] == "ap-south-1"));
    // Pods on Kubernetes paths are named by their workload, not by tags.
    let nodes: Vec<&Value> = findings(&doc)
        .iter()
        .filter(|f| f["check"] != "k8s-lateral-movement-path")
        .filter_map(|f| f.get("path"))
        .flat_map(|p| p["nodes"].as_array().expect("nodes"))
        .collect();
    assert!(!nodes.is_empty(), "the lateral paths are still found");
    assert!(nodes.iter().all(|n| n.get("name").is_none()));
    assert_valid("hand-made inventory with coverage gaps", &doc);
    assert_csv_mirrors_json(&csv, &doc);
}

/// The validation can fail: each broken copy of a valid report is rejected, at the
/// place it was broken.
#[test]
fn the_schema_rejects_broken_documents() {
    let valid = demo_json(&[]);
    assert_valid("scan --demo", &valid);
    let path_at = findings(&valid)
        .iter()
        .position(|f| f.get("path").is_some())
        .expect("a finding with a path");

    type Break = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, &str, Break)> = vec![
        (
            "unknown severity",
            "$.findings[0].severity",
            Box::new(|d| d["findings"][0]["severity"] = json!("urgent")),
        ),
        (
            "unknown field in a finding",
            "$.findings[1]",
            Box::new(|d| d["findings"][1]["cvss"] = json!(9.8)),
        ),
        (
            "missing fingerprint",
            "$.findings[2]",
            Box::new(|d| {
                d["findings"][2]
                    .as_object_mut()
                    .expect("finding")
                    .remove("fingerprint");
            }),
        ),
        (
            "fingerprint not 32 lowercase hex digits",
            "$.findings[3].fingerprint",
            Box::new(|d| {
                d["findings"][3]["fingerprint"] = json!("C808494F8B931510F864F9B8EF268FBF")
            }),
        ),
        (
            "another schema",
            "$.schema",
            Box::new(|d| d["schema"] = json!("vpcaudit/findings/v2")),
        ),
        (
            "unknown top-level field",
            "$",
            Box::new(|d| d["generated_at"] = json!(0)),
        ),
        (
            "a baseline state without --baseline",
            "$.findings[4]",
            Box::new(|d| d["findings"][4]["baseline"] = json!("new")),
        ),
        (
            "an absent state among current findings",
            "$.findings[4].baseline",
            Box::new(|d| {
                d["absent"] = json!([]);
                for f in d["findings"].as_array_mut().expect("findings") {
                    f["baseline"] = json!("unchanged");
                }
                d["findings"][4]["baseline"] = json!("absent");
            }),
        ),
        (
            "unknown node role",
            "role",
            Box::new(move |d| {
                d["findings"][path_at]["path"]["nodes"][0]["role"] = json!("attacker")
            }),
        ),
        (
            "unknown field in a path hop",
            "hops[0]",
            Box::new(move |d| d["findings"][path_at]["path"]["hops"][0]["cost"] = json!(1)),
        ),
        (
            "a mute without a reason",
            "$.findings[5].muted",
            Box::new(|d| d["findings"][5]["muted"] = json!({"rule": "x, mute #1"})),
        ),
        (
            "a mute expiry that is not a date",
            "$.findings[5].muted.expires",
            Box::new(|d| {
                d["findings"][5]["muted"] =
                    json!({"reason": "r", "rule": "x, mute #1", "expires": "next year"})
            }),
        ),
        (
            "unknown coverage gap kind",
            "$.coverage[0].kind",
            Box::new(|d| {
                d["coverage"] = json!([{
                    "account_id": "1", "region": "r", "service": "ec2",
                    "operation": "DescribeVpcs", "kind": "forbidden",
                    "error_code": null, "message": "m"
                }])
            }),
        ),
        (
            "negative resource count",
            "$.scanned.resources",
            Box::new(|d| d["scanned"]["resources"] = json!(-1)),
        ),
    ];
    for (what, at, break_it) in cases {
        let mut doc = valid.clone();
        break_it(&mut doc);
        let errors = schema_errors(&doc);
        assert!(
            !errors.is_empty(),
            "{what}: the validator accepted a broken document"
        );
        assert!(
            errors.iter().any(|e| e.contains(at)),
            "{what}: no error at {at}:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn demo_csv_has_one_row_per_finding_in_json_order() {
    let args = ["--demo", "--format", "csv", "--fail-on", "never"];
    let csv = String::from_utf8(scan(&args)).expect("CSV is UTF-8");
    let again = String::from_utf8(scan(&args)).expect("CSV is UTF-8");
    assert_eq!(csv, again, "the CSV is deterministic");

    let doc = demo_json(&[]);
    let rows = assert_csv_mirrors_json(&csv, &doc);
    let fingerprints: Vec<&str> = rows[1..].iter().map(|r| r[15].as_str()).collect();
    let want: Vec<&str> = findings(&doc)
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    assert_eq!(fingerprints, want);
    // The demo has no line break inside a field, so every CRLF ends a record.
    assert_crlf_records(&csv, rows.len());
    // The snapshot is stored with LF (insta and git both treat line ends as text);
    // the CRLFs were checked above.
    insta::assert_snapshot!("demo_csv", csv.replace("\r\n", "\n"));
}

#[test]
fn hostile_names_are_neutralised_in_csv() {
    const ENI: &str = "eni-188ec32f29817c948";
    const SG: &str = "sg-335031e69ea9452a3";
    const ENI_NAME: &str = "=cmd|' /C calc'!A0";
    const SG_NAME: &str = "-2+3+cmd|' /C calc'!A0, \"edge\"\r\n@SUM(A1)";
    let mut inv = demo_inventory();
    let region = &mut inv["accounts"][0]["regions"][0];
    let mut hits = 0;
    for (kind, id, name) in [
        ("network_interfaces", ENI, ENI_NAME),
        ("security_groups", SG, SG_NAME),
    ] {
        for item in region[kind].as_array_mut().expect("list") {
            if item["id"] == id {
                item["tags"]["Name"] = json!(name);
                hits += 1;
            }
        }
    }
    assert_eq!(hits, 2, "the demo has {ENI} and {SG}");

    let (doc, csv) = scan_inventory(&inv);
    assert_valid("hostile names", &doc);
    let names: Vec<&str> = findings(&doc)
        .iter()
        .filter_map(|f| f["resource"]["name"].as_str())
        .collect();
    assert!(
        names.contains(&ENI_NAME) && names.contains(&SG_NAME),
        "{names:?}"
    );

    let rows = assert_csv_mirrors_json(&csv, &doc);
    let name_of = |id: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r[6] == id)
            .map(|r| r[8].as_str())
            .collect()
    };
    let eni_names = name_of(ENI);
    assert!(!eni_names.is_empty(), "a finding names {ENI}");
    assert!(eni_names.iter().all(|n| *n == format!("'{ENI_NAME}")));
    let sg_names = name_of(SG);
    assert!(!sg_names.is_empty(), "a finding names {SG}");
    assert!(sg_names.iter().all(|n| *n == format!("'{SG_NAME}")));
    // In the raw text: the defused cells, the SG's name quoted with its quotes
    // doubled and its line break inside the quotes.
    assert!(csv.contains(",'=cmd|' /C calc'!A0,"));
    assert!(csv.contains(",\"'-2+3+cmd|' /C calc'!A0, \"\"edge\"\"\r\n@SUM(A1)\","));
    assert!(!csv.contains(",=cmd") && !csv.contains(",\"-2"));
}

#[test]
fn include_passed_adds_the_passes_and_matches_the_schema() {
    let plain = demo_json(&[]);
    assert!(plain.get("passed").is_none(), "passes only when asked for");
    let doc = demo_json(&["--include-passed"]);
    assert_valid("--include-passed", &doc);
    assert_eq!(
        doc["findings"], plain["findings"],
        "the findings stay as they are"
    );
    let passed = doc["passed"].as_array().expect("passed");
    assert!(!passed.is_empty(), "the demo has resources that pass");
    let failing: std::collections::HashSet<&str> = findings(&doc)
        .iter()
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    for p in passed {
        assert_eq!(p["status"], "pass");
        assert!(!p["message"].as_str().unwrap_or_default().is_empty(), "{p}");
        assert!(!failing.contains(p["fingerprint"].as_str().expect("fingerprint")));
        // A resource that passes a check has no finding of that check.
        assert!(
            !findings(&doc)
                .iter()
                .any(|f| f["check"] == p["check"] && f["resource"]["id"] == p["resource"]["id"]),
            "{p}"
        );
    }
    // A pass where the schema wants a finding is refused.
    let mut broken = doc.clone();
    let first = broken["passed"][0].clone();
    broken["findings"]
        .as_array_mut()
        .expect("findings")
        .push(first);
    assert!(!schema_errors(&broken).is_empty());
}
