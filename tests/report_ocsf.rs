//! `vpcaudit scan --format ocsf` against OCSF as `py-ocsf-models` (pinned in
//! mocks/requirements.txt; the models Prowler writes its OCSF output with) reads it:
//! every object of the real binary's output is parsed into its `DetectionFinding`
//! strictly (no unknown field at any depth, no coercion of a mistyped value, and
//! the model's dump must give the object back), and the rules the models leave to
//! the producer are checked too (class and category, `type_uid`, captions that
//! follow their ids, the schema version, both forms of the time).

mod common;

use std::path::Path;
use std::process::Command;

use common::{findings, python, vpcaudit_offline};
use serde_json::{json, Value};

/// Validates every object of the JSON array in argv[1]; prints every error as JSON,
/// `[{index, loc, msg}]`. Exit 0 whenever validation ran.
const VALIDATE_PY: &str = r#"
import json, sys
from datetime import datetime
from pydantic import ValidationError
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import TypeID

with open(sys.argv[1], encoding="utf-8") as f:
    objects = json.load(f)
errors = []
def fail(i, loc, msg):
    errors.append({"index": i, "loc": loc, "msg": msg})
if not isinstance(objects, list):
    fail(-1, "", "not a JSON array")
    objects = []
def caption(enum, value):
    try:
        return enum(value).name.replace("_", " ")
    except ValueError:
        return None
for i, obj in enumerate(objects):
    try:
        model = DetectionFinding.model_validate_json(
            json.dumps(obj), strict=True, extra="forbid")
    except ValidationError as e:
        for err in e.errors():
            fail(i, ".".join(str(p) for p in err["loc"]), err["msg"])
        continue
    back = model.model_dump(mode="json", exclude_none=True)
    if back != obj:
        fail(i, "", "the model's dump differs from the object (a null, or a value read differently)")
    rules = [
        ("class_uid", obj.get("class_uid") == 2004, "not a Detection Finding (2004)"),
        ("class_name", obj.get("class_name") == "Detection Finding", "not the class caption"),
        ("category_uid", obj.get("category_uid") == 2, "not the Findings category (2)"),
        ("category_name", obj.get("category_name") == "Findings", "not the category caption"),
        ("type_uid", obj.get("type_uid") == 2004 * 100 + obj.get("activity_id", -1),
         "not class_uid * 100 + activity_id"),
        ("activity_name", obj.get("activity_name") == caption(ActivityID, obj.get("activity_id")),
         "not the activity_id caption"),
        ("severity", obj.get("severity") == caption(SeverityID, obj.get("severity_id")),
         "not the severity_id caption"),
        ("status", obj.get("status") == caption(StatusID, obj.get("status_id")),
         "not the status_id caption"),
        ("metadata.version", obj["metadata"].get("version") == OCSF_VERSION,
         "not the OCSF version the models follow"),
        ("time_dt", model.time_dt is not None
         and int(model.time_dt.timestamp() * 1000) == obj.get("time"),
         "not the same instant as time (milliseconds)"),
    ]
    account = obj.get("cloud", {}).get("account")
    if account is not None:
        rules.append(("cloud.account.type", account.get("type") == caption(TypeID, account.get("type_id")),
                      "not the type_id caption"))
    for loc, ok, msg in rules:
        if not ok:
            fail(i, loc, msg)
json.dump(errors, sys.stdout)
"#;

/// Every OCSF error in `objects`, one line each: `[3] severity_id: Input should be...`.
fn ocsf_errors(objects: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ocsf.json");
    std::fs::write(&path, serde_json::to_vec(objects).expect("serialise")).expect("write");
    let out = Command::new(python())
        .arg("-c")
        .arg(VALIDATE_PY)
        .arg(&path)
        .output()
        .expect("cannot run python3: `pip install -r mocks/requirements.txt` (scripts/test does)");
    assert!(
        out.status.success(),
        "python failed (is py-ocsf-models from mocks/requirements.txt installed? \
         scripts/test installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let errors: Value = serde_json::from_slice(&out.stdout).expect("the helper prints JSON");
    errors
        .as_array()
        .expect("a list of errors")
        .iter()
        .map(|e| format!("[{}] {}: {}", e["index"], text(&e["loc"]), text(&e["msg"])))
        .collect()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

fn assert_valid(what: &str, objects: &Value) {
    let errors = ocsf_errors(objects);
    assert!(
        errors.is_empty(),
        "{what}: not valid OCSF Detection Findings ({} error(s)):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// `vpcaudit scan --demo` with `args`, run in `dir` (so relative paths in `args`,
/// which mutes name, are the same every run), writing JSON and OCSF to `dir/out`;
/// returns (findings JSON, OCSF array).
fn demo_scan(dir: &Path, args: &[&str]) -> (Value, Vec<Value>) {
    std::fs::create_dir_all(dir).expect("create the run's directory");
    let out = dir.join("out");
    let run = vpcaudit_offline()
        .current_dir(dir)
        .args(["scan", "--demo", "--format", "json", "--format", "ocsf"])
        .args(["--fail-on", "never", "--output-dir"])
        .arg(&out)
        .args(args)
        .output()
        .expect("run vpcaudit");
    assert_eq!(
        run.status.code(),
        Some(0),
        "vpcaudit scan {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |name: &str| -> Value {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let ocsf = match read("vpcaudit.ocsf.json") {
        Value::Array(objects) => objects,
        other => panic!("vpcaudit.ocsf.json is not an array: {other}"),
    };
    (read("vpcaudit.json"), ocsf)
}

/// The JSON report's findings, then its passes: the OCSF objects' order.
fn expected_order(doc: &Value) -> Vec<&Value> {
    let passed = doc.get("passed").and_then(Value::as_array);
    findings(doc)
        .iter()
        .chain(passed.into_iter().flatten())
        .collect()
}

/// Each object says what the JSON finding at the same place says.
fn assert_mirrors_json(objects: &[Value], doc: &Value) {
    let want = expected_order(doc);
    assert_eq!(objects.len(), want.len(), "one object per finding and pass");
    for (o, f) in objects.iter().zip(want) {
        let uid = &o["finding_info"]["uid"];
        assert_eq!(
            uid, &f["fingerprint"],
            "finding_info.uid is the fingerprint"
        );
        assert_eq!(o["metadata"]["event_code"], f["check"], "{uid}");
        assert_eq!(o["finding_info"]["title"], f["title"], "{uid}");
        assert_eq!(o["message"], f["message"], "{uid}");
        let code = match f["status"].as_str() {
            Some("fail") => "FAIL",
            Some("unknown") => "MANUAL",
            Some("pass") => "PASS",
            other => panic!("status {other:?}"),
        };
        assert_eq!(o["status_code"], code, "{uid}");
        let severity_id = match f["severity"].as_str() {
            Some("critical") => 5,
            Some("high") => 4,
            Some("medium") => 3,
            Some("low") => 2,
            Some("info") => 1,
            other => panic!("severity {other:?}"),
        };
        assert_eq!(o["severity_id"], severity_id, "{uid}");
        let muted = f.get("muted").is_some();
        assert_eq!(o["status_id"], if muted { 3 } else { 1 }, "{uid}");
        assert_eq!(o["cloud"]["account"]["uid"], f["account"], "{uid}");
        assert_eq!(o["cloud"]["region"], f["region"], "{uid}");
        let r = &o["resources"][0];
        let resource_uid = if f["resource"]["arn"].is_null() {
            &f["resource"]["id"]
        } else {
            &f["resource"]["arn"]
        };
        assert_eq!(&r["uid"], resource_uid, "{uid}");
        assert_eq!(r["type"], f["resource"]["type"], "{uid}");
        assert_eq!(
            o["time"],
            doc["scanned"]["collected_at"]
                .as_u64()
                .expect("collected_at")
                * 1000
        );
    }
}

#[test]
fn demo_findings_are_valid_detection_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (doc, objects) = demo_scan(dir.path(), &[]);
    assert!(!objects.is_empty());
    let codes: Vec<&str> = objects
        .iter()
        .filter_map(|o| o["status_code"].as_str())
        .collect();
    assert!(
        codes.contains(&"FAIL") && codes.contains(&"MANUAL"),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"PASS"),
        "passes only with --include-passed"
    );
    // Evidence, related resources, attack paths and blast radius all reach `data`.
    let data: Vec<&Value> = objects
        .iter()
        .filter_map(|o| o["resources"][0].get("data"))
        .collect();
    for key in ["evidence", "related", "path", "blast_radius"] {
        assert!(
            data.iter().any(|d| d.get(key).is_some()),
            "no {key} in any data"
        );
    }
    assert_mirrors_json(&objects, &doc);
    assert_valid("scan --demo --format ocsf", &Value::Array(objects));
}

#[test]
fn passes_and_muted_findings_are_valid_and_gone_findings_left_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A baseline with a finding whose resource has since gone: absent now.
    let (mut baseline, _) = demo_scan(&dir.path().join("first"), &[]);
    let mut gone = findings(&baseline)[0].clone();
    gone["resource"]["id"] = json!("eni-00000000000000000");
    gone["resource"]["arn"] = Value::Null;
    gone["fingerprint"] = json!("0123456789abcdef0123456789abcdef");
    baseline["findings"]
        .as_array_mut()
        .expect("findings")
        .push(gone);
    let baseline_path = dir.path().join("baseline.json");
    std::fs::write(&baseline_path, serde_json::to_vec(&baseline).expect("JSON")).expect("write");
    let mutes_path = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes_path,
        r#"
[[mute]]
resource = "subnet-20597e064b7b6b3eb"
reason = "public by design, see RISK-7"
expires = 2099-12-31

[[mute]]
check = "egress-world-open"
reason = "egress reviewed"
"#,
    )
    .expect("write mutes");

    let (doc, objects) = demo_scan(
        dir.path(),
        &[
            "--include-passed",
            "--baseline",
            baseline_path.to_str().expect("UTF-8 path"),
            "--mutes",
            "mutes.toml",
        ],
    );
    assert_eq!(
        doc["absent"].as_array().map(Vec::len),
        Some(1),
        "the baseline has a gone finding"
    );
    assert!(
        objects
            .iter()
            .all(|o| o["finding_info"]["uid"] != "0123456789abcdef0123456789abcdef"),
        "a gone finding is not current"
    );
    let passes: Vec<&Value> = objects
        .iter()
        .filter(|o| o["status_code"] == "PASS")
        .collect();
    assert!(!passes.is_empty(), "flow-logs-disabled judges passes");
    let suppressed: Vec<&Value> = objects.iter().filter(|o| o["status_id"] == 3).collect();
    assert!(suppressed
        .iter()
        .any(|o| o["status_detail"].as_str().is_some_and(
            |d| d == "muted by mutes.toml, mute #1, until 2099-12-31: public by design, see RISK-7"
        )));
    assert!(suppressed.iter().any(|o| o["status_detail"]
        .as_str()
        .is_some_and(|d| d.ends_with(": egress reviewed") && !d.contains("until"))));
    assert_mirrors_json(&objects, &doc);
    assert_valid(
        "scan --demo --include-passed --baseline --mutes",
        &Value::Array(objects.clone()),
    );

    // One muted failure with evidence and one pass, as a consumer receives them.
    let pick = |code: &str, check: &str, resource: &str| -> Value {
        let mut o = objects
            .iter()
            .find(|o| {
                o["status_code"] == code
                    && o["metadata"]["event_code"] == check
                    && o["resources"][0]["uid"]
                        .as_str()
                        .is_some_and(|u| u.ends_with(resource))
            })
            .unwrap_or_else(|| panic!("no {code} {check} on {resource}"))
            .clone();
        // The crate version changes with every release, the document does not.
        o["metadata"]["product"]["version"] = json!("[version]");
        o
    };
    insta::assert_json_snapshot!(
        "ocsf_muted_fail_and_pass",
        [
            pick("FAIL", "subnet-auto-public-ip", "subnet-20597e064b7b6b3eb"),
            pick("PASS", "flow-logs-disabled", "vpc-dea7e69b209b22aba"),
        ]
    );
}

/// The validation can fail: each broken copy of a valid object is rejected, at the
/// place it was broken.
#[test]
fn the_validator_rejects_broken_objects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, objects) = demo_scan(dir.path(), &[]);
    let good = objects
        .iter()
        .find(|o| o["resources"][0].get("data").is_some())
        .expect("an object with data")
        .clone();
    assert_valid("the untouched object", &json!([good]));

    type Break = fn(&mut Value);
    let cases: [(&str, Break, &str); 14] = [
        (
            "unknown top-level field",
            |o| o["vpcaudit_extra"] = json!(1),
            "vpcaudit_extra:",
        ),
        (
            "unknown nested field",
            |o| o["resources"][0]["arn"] = json!("x"),
            "resources.0.arn:",
        ),
        (
            "unknown metadata field",
            |o| o["metadata"]["product"]["vendor"] = json!("x"),
            "metadata.product.vendor:",
        ),
        (
            "time as a string",
            |o| o["time"] = json!("1795246892000"),
            "time:",
        ),
        (
            "severity_id out of range",
            |o| o["severity_id"] = json!(7),
            "severity_id:",
        ),
        (
            "missing finding uid",
            |o| {
                o["finding_info"]
                    .as_object_mut()
                    .expect("object")
                    .remove("uid");
            },
            "finding_info.uid:",
        ),
        (
            "title as a number",
            |o| o["finding_info"]["title"] = json!(5),
            "finding_info.title:",
        ),
        (
            "types as a string",
            |o| o["finding_info"]["types"] = json!("x"),
            "finding_info.types:",
        ),
        (
            "wrong class",
            |o| o["class_uid"] = json!(2003),
            "class_uid:",
        ),
        (
            "type_uid of another activity",
            |o| o["type_uid"] = json!(200_402),
            "type_uid:",
        ),
        (
            "severity caption of another id",
            |o| o["severity"] = json!("Low"),
            "severity:",
        ),
        (
            "time_dt another instant",
            |o| o["time_dt"] = json!("2020-01-01T00:00:00Z"),
            "time_dt:",
        ),
        ("a null", |o| o["risk_details"] = Value::Null, ":"),
        (
            "another OCSF version",
            |o| o["metadata"]["version"] = json!("1.1.0"),
            "metadata.version:",
        ),
    ];
    for (what, break_it, at) in cases {
        let mut bad = good.clone();
        break_it(&mut bad);
        let errors = ocsf_errors(&json!([good, bad]));
        assert!(!errors.is_empty(), "{what}: accepted");
        assert!(
            errors.iter().all(|e| e.starts_with("[1] ")),
            "{what}: the good object was blamed: {errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("[1] {at}"))),
            "{what}: expected an error at {at:?}, got {errors:?}"
        );
    }
    let errors = ocsf_errors(&json!({"not": "an array"}));
    assert_eq!(errors, ["[-1] : not a JSON array"]);
}
