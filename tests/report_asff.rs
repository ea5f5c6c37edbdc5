//! `scan --format asff` against its contract: the `Findings` of Security Hub's
//! `BatchImportFindings`, checked by botocore's own SecurityHub service model
//! (pinned in mocks/requirements.txt), so the shape is judged by an implementation
//! that is not ours: `ParamValidator` on `{"Findings": batch}` for every batch of
//! 100, plus what the model states but `ParamValidator` does not check (enums and
//! patterns) and ASFF's documented length limits.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{findings, python, scan_json, vpcaudit_offline};
use serde_json::{json, Value};

/// Validates a JSON array of ASFF findings (argv[1]) and prints every problem as a
/// JSON list of strings. Exit 0 whenever validation ran.
const VALIDATE_PY: &str = r#"
import json, re, sys
import botocore.session
from botocore.validate import ParamValidator

model = botocore.session.get_session().get_service_model("securityhub")
shape = model.operation_model("BatchImportFindings").input_shape
with open(sys.argv[1], encoding="utf-8") as f:
    findings = json.load(f)
errors = []

def walk(value, shape, path):
    # Smithy's @pattern is not anchored (a search), and enums are closed.
    kind = shape.type_name
    if kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.search(pattern, value):
            errors.append(f"{path}: {value!r} does not match {pattern}")
    elif kind == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                walk(v, shape.members[k], f"{path}.{k}")
    elif kind == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            walk(v, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            walk(k, shape.key, f"{path}<key {k}>")
            walk(v, shape.value, f"{path}.{k}")

if not isinstance(findings, list):
    errors.append("the document is not a JSON array")
    findings = []
for start in range(0, len(findings), 100):
    batch = {"Findings": findings[start:start + 100]}
    report = ParamValidator().validate(batch, shape)
    if report.has_errors():
        errors.append(f"batch from {start}: " + report.generate_report())
    walk(batch, shape, f"batch from {start}")

# ASFF's documented limits and formats, which the model does not carry.
NAMESPACES = {"Software and Configuration Checks", "TTPs", "Effects",
              "Unusual Behaviors", "Sensitive Data Identifications"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
def length(path, value, most):
    if isinstance(value, str) and len(value) > most:
        errors.append(f"{path}: {len(value)} characters, more than {most}")
for i, f in enumerate(findings):
    if not isinstance(f, dict):
        continue
    p = f"[{i}]"
    for key, most in (("Id", 512), ("GeneratorId", 512), ("Title", 256), ("Description", 1024)):
        length(f"{p}.{key}", f.get(key), most)
    length(f"{p}.Remediation.Recommendation.Text",
           f.get("Remediation", {}).get("Recommendation", {}).get("Text"), 512)
    if len(f.get("Resources") or []) > 32:
        errors.append(f"{p}.Resources: more than 32")
    fields = f.get("ProductFields") or {}
    if len(fields) > 50:
        errors.append(f"{p}.ProductFields: more than 50")
    for k, v in fields.items():
        length(f"{p}.ProductFields<key>", k, 128)
        length(f"{p}.ProductFields.{k}", v, 2048)
    for t in f.get("Types") or []:
        parts = t.split("/")
        if len(parts) > 3 or parts[0] not in NAMESPACES:
            errors.append(f"{p}.Types: {t!r} is not namespace/category/classifier")
    for key in ("CreatedAt", "UpdatedAt"):
        if not DATE.match(str(f.get(key))):
            errors.append(f"{p}.{key}: {f.get(key)!r} is not an RFC 3339 time")
json.dump(errors, sys.stdout)
"#;

/// Every problem botocore's model (and ASFF's limits) find in `doc`.
fn asff_errors(doc: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("asff.json");
    std::fs::write(&path, serde_json::to_vec(doc).expect("serialise")).expect("write doc");
    let out = Command::new(python())
        .arg("-c")
        .arg(VALIDATE_PY)
        .arg(&path)
        .output()
        .expect("cannot run python3 (pip install -r mocks/requirements.txt)");
    assert!(
        out.status.success(),
        "the validator failed (is botocore from mocks/requirements.txt installed?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a list of errors")
}

fn assert_valid(what: &str, doc: &Value) {
    let errors = asff_errors(doc);
    assert!(
        errors.is_empty(),
        "{what}: not a valid BatchImportFindings list ({} error(s)):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

fn demo(format: &str, extra: &[&str]) -> Value {
    scan_json(
        vpcaudit_offline()
            .args(["scan", "--demo", "--fail-on", "never", "--format", format])
            .args(extra),
    )
}

fn ids(doc: &Value) -> Vec<&str> {
    doc.as_array()
        .expect("an array")
        .iter()
        .map(|f| f["Id"].as_str().expect("Id"))
        .collect()
}

#[test]
fn demo_asff_is_valid_for_batch_import_findings() {
    let asff = demo("asff", &[]);
    let json = demo("json", &[]);
    let all = asff.as_array().expect("an array");
    assert!(all.len() > 100, "more than one batch: {}", all.len());
    assert_valid("scan --demo --format asff", &asff);

    // One object per placed finding, its id the fingerprint: a re-import
    // updates, never duplicates.
    let placed: Vec<&Value> = findings(&json)
        .iter()
        .filter(|f| f["account"] != "" && f["region"] != "")
        .collect();
    assert_eq!(all.len(), placed.len());
    let want: BTreeSet<String> = placed
        .iter()
        .map(|f| format!("vpcaudit/{}", f["fingerprint"].as_str().expect("fp")))
        .collect();
    let got: BTreeSet<String> = ids(&asff).into_iter().map(String::from).collect();
    assert_eq!(got.len(), all.len(), "ids are unique");
    assert_eq!(got, want);
    for (f, j) in all.iter().zip(&placed) {
        assert_eq!(
            f["GeneratorId"],
            format!("vpcaudit/{}", j["check"].as_str().unwrap())
        );
        assert_eq!(f["AwsAccountId"], j["account"]);
        let region = j["region"].as_str().unwrap();
        let account = j["account"].as_str().unwrap();
        assert_eq!(
            f["ProductArn"],
            format!("arn:aws:securityhub:{region}:{account}:product/{account}/default")
        );
        let status = match j["status"].as_str().unwrap() {
            "fail" => "FAILED",
            "unknown" => "WARNING",
            other => panic!("unexpected status {other}"),
        };
        assert_eq!(f["Compliance"]["Status"], status);
        assert_eq!(f["Severity"]["Original"], j["severity"]);
        assert_eq!(f["Resources"][0]["Region"], region);
    }
    // The same inventory always gives the same document.
    assert_eq!(asff, demo("asff", &[]));
}

#[test]
fn passes_and_mutes_are_valid_and_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes,
        "[[mute]]\ncheck = \"egress-world-open\"\nreason = \"reviewed\"\nexpires = 2099-12-31\n",
    )
    .expect("write mutes");
    let mutes = mutes.to_str().expect("utf-8 path");
    let asff = demo("asff", &["--include-passed", "--mutes", mutes]);
    let json = demo("json", &["--include-passed", "--mutes", mutes]);
    assert_valid("scan --demo --format asff --include-passed", &asff);
    let all = asff.as_array().expect("an array");
    let passed = json["passed"].as_array().expect("passed list");
    assert!(!passed.is_empty());
    let passes: Vec<&Value> = all
        .iter()
        .filter(|f| f["Compliance"]["Status"] == "PASSED")
        .collect();
    assert_eq!(passes.len(), passed.len());
    for p in &passes {
        assert_eq!(p["Severity"]["Label"], "INFORMATIONAL");
        assert_eq!(p["Workflow"]["Status"], "RESOLVED");
        assert_eq!(p["ProductFields"]["vpcaudit/status"], "pass");
    }
    // The check's findings, not its passes (a pass is never muted).
    let muted: Vec<&Value> = all
        .iter()
        .filter(|f| {
            f["GeneratorId"] == "vpcaudit/egress-world-open"
                && f["Compliance"]["Status"] != "PASSED"
        })
        .collect();
    assert!(!muted.is_empty());
    for m in muted {
        assert_eq!(m["Workflow"]["Status"], "SUPPRESSED", "{m}");
        assert_eq!(m["ProductFields"]["vpcaudit/muted"], "reviewed");
        assert_eq!(m["Compliance"]["Status"], "FAILED");
    }
    assert!(all
        .iter()
        .filter(|f| f["GeneratorId"] != "vpcaudit/egress-world-open"
            && f["Compliance"]["Status"] != "PASSED")
        .all(|f| f["Workflow"]["Status"] == "NEW"));
}

#[test]
fn the_validator_rejects_broken_objects() {
    let asff = demo("asff", &[]);
    let good = asff[0].clone();
    assert_valid("one good object", &json!([good]));
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut f = good.clone();
        edit(&mut f);
        asff_errors(&json!([f]))
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "no Title",
            broken(&|f| {
                f.as_object_mut().unwrap().remove("Title");
            }),
        ),
        (
            "Severity label",
            broken(&|f| f["Severity"]["Label"] = json!("URGENT")),
        ),
        (
            "Resources not a list",
            broken(&|f| f["Resources"] = json!({"Id": "x"})),
        ),
        (
            "blank Description",
            broken(&|f| f["Description"] = json!("   ")),
        ),
        (
            "long Title",
            broken(&|f| f["Title"] = json!("t".repeat(257))),
        ),
        (
            "local time",
            broken(&|f| f["CreatedAt"] = json!("2026-01-01 10:00")),
        ),
        (
            "bad record state",
            broken(&|f| f["RecordState"] = json!("OPEN")),
        ),
        ("unknown field", broken(&|f| f["Colour"] = json!("red"))),
    ];
    for (what, errors) in cases {
        assert!(!errors.is_empty(), "{what}: accepted");
    }
    // 101 findings are two batches, each valid: the validator splits as the
    // importer does.
    let many: Vec<Value> = (0..101)
        .map(|i| {
            let mut f = good.clone();
            f["Id"] = json!(format!("vpcaudit/{i}"));
            f
        })
        .collect();
    assert_valid("101 objects", &Value::Array(many));
}

#[test]
fn one_representative_object() {
    let asff = demo("asff", &[]);
    // A security group finding: an ARN made from its id, the evidence in the
    // description, a remediation with a reference.
    let sg = asff
        .as_array()
        .expect("an array")
        .iter()
        .find(|f| f["GeneratorId"] == "vpcaudit/sg-default-allows-traffic")
        .expect("the demo has one");
    insta::assert_json_snapshot!("asff_sg_default_allows_traffic", sg);
}
