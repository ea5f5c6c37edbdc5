//! `vpcaudit reach`: the real binary on the demo inventory (offline) and on emulator
//! scenarios collected live: pair, from-only and to-only questions, the explanation
//! codes a user sees, exit codes, intents files, and the JSON against its schema.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{one_stderr_line, python, redact_ids, repo, stderr_without_panic, vpcaudit_offline};
use serde_json::Value;

/// `vpcaudit reach --demo ARGS`.
fn demo(args: &[&str]) -> Output {
    vpcaudit_offline()
        .args(["reach", "--demo"])
        .args(args)
        .output()
        .expect("run vpcaudit")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A JSON answer that exited `code`.
#[track_caller]
fn json(out: &Output, code: i32) -> Value {
    let stderr = stderr_without_panic(out);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {stderr}"))
}

fn demo_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    json(&demo(&all), 0)
}

const VALIDATE_PY: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
doc = json.load(open(sys.argv[2], encoding="utf-8"))
errors = sorted(f"{e.json_path}: {e.message[:200]}" for e in Draft202012Validator(schema).iter_errors(doc))
json.dump(errors, sys.stdout)
"#;

/// Every violation of src/report/reach_v1.schema.json by `doc`.
fn schema_errors(doc: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("answer.json");
    std::fs::write(&path, serde_json::to_vec(doc).expect("serialise")).expect("write");
    let out = Command::new(python())
        .arg("-c")
        .arg(VALIDATE_PY)
        .arg(repo().join("src/report/reach_v1.schema.json"))
        .arg(&path)
        .output()
        .expect("run python (jsonschema from mocks/requirements.txt)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a list of errors")
}

fn codes_of(doc: &Value) -> Vec<String> {
    let mut codes: Vec<String> = doc["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["hops"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h["code"].as_str().map(str::to_string))
        .collect();
    codes.extend(doc["blocked_at"]["code"].as_str().map(str::to_string));
    codes
}

const APP: &str = "tag:Name=lk-app-0:eni";
const DB: &str = "tag:Name=lk-db-eni";
const BASTION: &str = "tag:Name=lk-bastion-eni";

#[test]
fn a_pair_allowed_shows_the_exact_services_and_every_hop() {
    let out = demo(&["--from", APP, "--to", DB]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
    insta::assert_snapshot!(stdout(&out));
    let doc = demo_json(&["--from", APP, "--to", DB]);
    assert_eq!(doc["schema"], "vpcaudit/reach/v1");
    assert_eq!(doc["mode"], "pair");
    assert_eq!(doc["verdict"], "allowed");
    // lk-db-sg admits the app group on 5432 only; nothing else passes.
    assert_eq!(doc["services"], serde_json::json!(["tcp 5432"]));
    assert!(doc.get("blocked_at").is_none(), "{doc}");
    let hops = doc["paths"][0]["hops"].as_array().expect("hops");
    let layers: Vec<&str> = hops.iter().filter_map(|h| h["layer"].as_str()).collect();
    for layer in ["security_group", "network_acl", "route_table"] {
        assert!(layers.contains(&layer), "{layers:?}");
    }
    assert!(hops
        .iter()
        .all(|h| h["verdict"] == "allowed" && h.get("code").is_none()));
}

#[test]
fn one_port_narrows_the_answer_to_it() {
    let open = demo_json(&["--from", APP, "--to", DB, "--port", "tcp/5432"]);
    assert_eq!(open["verdict"], "allowed");
    assert_eq!(open["asked"], "tcp 5432");
    let closed = demo_json(&["--from", APP, "--to", DB, "--port", "tcp/22"]);
    assert_eq!(closed["verdict"], "blocked");
    assert_eq!(closed["services"], serde_json::json!([]));
    assert_eq!(closed["blocked_at"]["code"], "ENI_SG_RULES_MISMATCH");
}

#[test]
fn a_blocked_pair_names_the_first_layer_and_what_would_have_to_change() {
    let out = demo(&["--from", BASTION, "--to", DB]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
    let doc = demo_json(&["--from", BASTION, "--to", DB]);
    assert_eq!(doc["verdict"], "blocked");
    let b = &doc["blocked_at"];
    assert_eq!(b["code"], "ENI_SG_RULES_MISMATCH");
    assert_eq!(b["layer"], "security_group");
    let change = b["change"].as_str().expect("change");
    assert!(
        change.contains("lk-db-sg") && change.contains("10.0.0.254"),
        "{change}"
    );
}

#[test]
fn blocked_layers_carry_their_codes() {
    // (from, to, the code that decides): one per layer the demo can show.
    let cases = [
        // lk-app-1 (prod) -> lk-shared-worker-c: the shared VPC has no route back over
        // the peering connection.
        (
            "tag:Name=lk-app-1:eni",
            "tag:Name=lk-shared-worker-c",
            "PCX_REQUIRES_RETURN_ROUTE",
        ),
        // The legacy VPC's TGW attachment has no subnet in worker-c's AZ.
        (
            "tag:Name=lk-legacy-app:eni",
            "tag:Name=lk-shared-worker-c",
            "TGW_ROUTE_AZ_RESTRICTION",
        ),
        // An EKS node to the NLB's target: the target subnet's NACL.
        (
            "tag:Name=lk-eks-node-1:eni",
            "eni-0a1a000000000c001",
            "SUBNET_ACL_RESTRICTION",
        ),
        // An EKS node to an ALB node in the prod VPC: the EKS VPC has no route there.
        (
            "tag:Name=lk-eks-node-1:eni",
            "eni-0a1a000000000a001",
            "NO_ROUTE_TO_DESTINATION",
        ),
        // The internet to an EKS node, which has no public address.
        (
            "internet",
            "tag:Name=lk-eks-node-1:eni",
            "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
        ),
    ];
    for (from, to, code) in cases {
        let doc = demo_json(&["--from", from, "--to", to]);
        assert_eq!(doc["verdict"], "blocked", "{from} -> {to}: {doc}");
        assert_eq!(doc["blocked_at"]["code"], code, "{from} -> {to}: {doc}");
        assert!(codes_of(&doc).contains(&code.to_string()), "{from} -> {to}");
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{from} -> {to}: {errors:#?}");
    }
}

#[test]
fn an_undecided_answer_says_why_and_fails_only_under_strict() {
    // This ENI's route to the shared VPC goes through an appliance ENI, which the
    // engine does not follow.
    let args = [
        "--from",
        "eni-186c99c3f8005819f",
        "--to",
        "tag:Name=lk-shared-worker-b",
    ];
    let doc = demo_json(&args);
    assert_eq!(doc["verdict"], "unknown", "{doc}");
    let unknown = doc["unknown"].as_array().expect("unknown layers");
    assert!(
        unknown
            .iter()
            .any(|u| u["code"] == "ROUTE_TARGET_NOT_MODELLED"),
        "{unknown:?}"
    );
    assert!(schema_errors(&doc).is_empty());
    let mut strict = args.to_vec();
    strict.push("--strict");
    assert_eq!(demo(&strict).status.code(), Some(3));
    // --expect cannot be met by an unknown answer either.
    let mut expect = args.to_vec();
    expect.extend(["--expect", "blocked"]);
    assert_eq!(demo(&expect).status.code(), Some(1));
}

#[test]
fn expect_turns_the_answer_into_an_exit_code() {
    let ask = |expect: &str| {
        demo(&[
            "--from", APP, "--to", DB, "--port", "tcp/5432", "--expect", expect,
        ])
        .status
        .code()
    };
    assert_eq!(ask("allowed"), Some(0));
    assert_eq!(ask("blocked"), Some(1));
    let blocked = |expect: &str| {
        demo(&["--from", BASTION, "--to", DB, "--expect", expect])
            .status
            .code()
    };
    assert_eq!(blocked("blocked"), Some(0));
    assert_eq!(blocked("allowed"), Some(1));
}

#[test]
fn the_internet_as_either_end() {
    let inbound = demo_json(&["--from", "internet", "--to", BASTION, "--port", "tcp/22"]);
    assert_eq!(inbound["verdict"], "allowed", "{inbound}");
    assert_eq!(inbound["from"]["kind"], "internet");
    let out = demo(&["--from", "internet", "--to", BASTION]);
    insta::assert_snapshot!("internet_to_bastion", stdout(&out));
    let outbound = demo_json(&["--from", BASTION, "--to", "internet", "--port", "tcp/443"]);
    assert_eq!(outbound["verdict"], "allowed", "{outbound}");
    // A public address no ENI holds is the internet.
    let by_address = demo_json(&["--from", BASTION, "--to", "8.8.8.8", "--port", "tcp/443"]);
    assert_eq!(by_address["verdict"], "allowed", "{by_address}");
    for doc in [&inbound, &outbound, &by_address] {
        assert!(schema_errors(doc).is_empty());
    }
}

#[test]
fn what_an_eni_reaches_within_two_hops() {
    let web = "tag:Name=lk-web-0:eni";
    let out = demo(&["--from", web, "--max-hops", "2"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
    let one = demo_json(&["--from", web]);
    let two = demo_json(&["--from", web, "--max-hops", "2"]);
    assert_eq!(two["mode"], "from");
    let reached = |d: &Value| d["reached"].as_array().cloned().unwrap_or_default();
    assert!(reached(&one)
        .iter()
        .all(|r| r["hops"] == 1 && r.get("via").is_none()));
    assert!(reached(&two).len() > reached(&one).len());
    // A second hop names the ENI it went through, which is itself reached in one.
    let direct: Vec<Value> = reached(&one)
        .iter()
        .map(|r| r["resource"].clone())
        .collect();
    for r in reached(&two).iter().filter(|r| r["hops"] == 2) {
        let via = r["via"].as_array().expect("via");
        assert_eq!(via.len(), 1, "{r}");
        assert!(direct.contains(&via[0]), "{r}");
    }
    assert!(schema_errors(&two).is_empty());
}

#[test]
fn who_reaches_the_database() {
    let out = demo(&["--to", DB, "--port", "tcp/5432"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
    let doc = demo_json(&["--to", DB, "--port", "tcp/5432"]);
    assert_eq!(doc["mode"], "to");
    let sources: Vec<&str> = doc["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    // The app tier is admitted by group; the bastion is not.
    assert!(sources.contains(&"lk-app-0:eni"), "{sources:?}");
    assert!(!sources.contains(&"lk-bastion-eni"), "{sources:?}");
    assert!(schema_errors(&doc).is_empty());
}

#[test]
fn dot_draws_the_path() {
    let out = demo(&["--from", APP, "--to", DB, "--format", "dot"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("digraph \"vpcaudit reach\" {"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn every_selector_kind_resolves() {
    let inv: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("src/demo/inventory.json")).expect("demo"),
    )
    .expect("demo JSON");
    let r = &inv["accounts"][0]["regions"][0];
    let db = r["network_interfaces"]
        .as_array()
        .expect("enis")
        .iter()
        .find(|e| e["tags"]["Name"] == "lk-db-eni")
        .expect("db eni");
    let app = r["network_interfaces"]
        .as_array()
        .expect("enis")
        .iter()
        .find(|e| e["tags"]["Name"] == "lk-app-0:eni")
        .expect("app eni");
    let db_ip = db["private_ipv4s"][0].as_str().expect("ip").to_string();
    let db_sg = db["security_group_ids"][0]
        .as_str()
        .expect("sg")
        .to_string();
    let db_subnet = db["subnet_id"].as_str().expect("subnet").to_string();
    let app_instance = app["attachment"]["instance_id"]
        .as_str()
        .or_else(|| app["instance_id"].as_str())
        .expect("instance id")
        .to_string();
    for (from, kind) in [
        (
            app["id"].as_str().expect("id").to_string(),
            "network_interface",
        ),
        (app_instance, "instance"),
        ("10.0.10.4".to_string(), "ip_address"),
        (APP.to_string(), "tag"),
    ] {
        for (to, to_kind) in [
            (db_ip.clone(), "ip_address"),
            (db_sg.clone(), "security_group"),
            (db_subnet.clone(), "subnet"),
        ] {
            let doc = demo_json(&["--from", &from, "--to", &to, "--port", "tcp/5432"]);
            assert_eq!(doc["from"]["kind"], kind, "{from}");
            assert_eq!(doc["to"]["kind"], to_kind, "{to}");
            assert_eq!(doc["verdict"], "allowed", "{from} -> {to}: {doc}");
        }
    }
    // A load balancer by name, as the destination from the internet.
    let lb = demo_json(&[
        "--from",
        "internet",
        "--to",
        "lk-web-alb",
        "--port",
        "tcp/443",
    ]);
    assert_eq!(lb["to"]["kind"], "load_balancer");
    assert!(schema_errors(&lb).is_empty());
}

#[test]
fn bad_questions_are_one_line_errors() {
    // A typo: the closest ids are offered.
    let out = demo(&["--from", "eni-5f08a3a2dd0471a45", "--to", DB]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(line.starts_with("vpcaudit: error: "), "{line}");
    assert!(line.contains("eni-5f08a3a2dd0471a45"), "{line}");
    assert!(line.contains("eni-5f08a3a2dd0471a44"), "{line}");
    // A bad service, checked before anything is loaded.
    let out = demo(&["--from", APP, "--to", DB, "--port", "tcp/99999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("99999"));
    // Neither end.
    let out = demo(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("--from"));
    // --intents is not combined with a question.
    let out = demo(&["--intents", "x.toml", "--from", APP]);
    assert_eq!(out.status.code(), Some(2));
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const INTENTS: &str = r#"
[[intent]]
name = "the app reaches the database"
from = "tag:Name=lk-app-0:eni"
to = "tag:Name=lk-db-eni"
port = "tcp/5432"
expect = "allowed"

[[intent]]
name = "the database never reaches the internet"
from = "tag:Name=lk-db-eni"
to = "internet"
expect = "blocked"

[[intent]]
name = "the bastion never reaches the database"
from = "tag:Name=lk-bastion-eni"
to = "tag:Name=lk-db-eni"
expect = "blocked"

[[intent]]
name = "ssh to the bastion only through the VPN"
from = "internet"
to = "tag:Name=lk-bastion-eni"
port = "tcp/22"
expect = "blocked"
"#;

#[test]
fn intents_report_each_assertion_and_fail_the_job_when_one_breaks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "intents.toml", INTENTS);
    let out = demo(&["--intents", path.to_str().expect("utf-8")]);
    let code = out.status.code();
    insta::assert_snapshot!(stdout(&out));
    let doc = json(
        &demo(&[
            "--intents",
            path.to_str().expect("utf-8"),
            "--format",
            "json",
        ]),
        code.expect("exit code"),
    );
    assert_eq!(doc["schema"], "vpcaudit/intents/v1");
    let statuses: Vec<&str> = doc["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .map(|i| i["status"].as_str().expect("status"))
        .collect();
    // The bastion's split 0.0.0.0/1 + 128.0.0.0/1 rules open ssh to the world.
    assert_eq!(statuses, ["pass", "pass", "pass", "fail"]);
    assert_eq!(
        (doc["passed"].as_u64(), doc["failed"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(code, Some(1));
    for i in doc["intents"].as_array().expect("intents") {
        let errors = schema_errors(&i["answer"]);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // Without the broken one: exit 0.
    let cut = INTENTS
        .find("[[intent]]\nname = \"ssh")
        .expect("the last intent");
    let passing = write(dir.path(), "passing.toml", &INTENTS[..cut]);
    assert_eq!(
        demo(&["--intents", passing.to_str().expect("utf-8")])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn an_intent_naming_a_missing_resource_is_an_error_naming_the_intent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "intents.toml",
        "[[intent]]\nname = \"renamed\"\nfrom = \"tag:Name=gone\"\nto = \"internet\"\nexpect = \"blocked\"\n",
    );
    let out = demo(&["--intents", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("\"renamed\""));
    let typo = write(
        dir.path(),
        "typo.toml",
        "[[intent]]\nname = \"a\"\nfrom = \"x\"\nto = \"y\"\nexpcet = \"blocked\"\n",
    );
    let out = demo(&["--intents", typo.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("line 5"));
}

#[test]
fn the_readme_documents_every_explanation_code() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    for code in vpcaudit::reach::explain::Code::ALL {
        assert!(
            readme.contains(&format!("| `{}` |", code.as_str())),
            "README.md's explanation code table lacks {code}"
        );
    }
}

#[test]
fn live_on_the_emulator() {
    let emu = common::Emulator::start();
    emu.seed("leaky-three-tier");
    let ask = |args: &[&str]| {
        let out = emu
            .vpcaudit()
            .args(["reach", "--regions", "us-east-1"])
            .args(args)
            .output()
            .expect("run vpcaudit");
        assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
        stdout(&out)
    };
    let app = "tag:Name=lk-app-0";
    let pair = ask(&["--from", app, "--to", "tag:Name=lk-db-eni"]);
    insta::assert_snapshot!("live_pair", redact_ids(&pair));
    // The emulator's ids are new on every seeding and the rows are ordered by id:
    // the one-sided answers are shown by name.
    let from = ask(&[
        "--from",
        "tag:Name=lk-bastion-eni",
        "--port",
        "tcp/22",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("live_from", by_name(&from));
    let to = ask(&[
        "--to",
        "tag:Name=lk-db-eni",
        "--port",
        "tcp/5432",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("live_to", by_name(&to));
    let two = ask(&[
        "--from",
        "tag:Name=lk-web-0",
        "--max-hops",
        "2",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("live_from_two_hops", by_name(&two));
}

/// A one-sided answer's rows as `name kind verdict hops services [via names]`, sorted
/// by name, ids redacted.
fn by_name(answer: &str) -> String {
    let doc: Value = serde_json::from_str(answer).expect("reach JSON");
    let names: std::collections::BTreeMap<String, String> = doc["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .map(|r| {
            let id = r["resource"].as_str().unwrap_or("?").to_string();
            let name = r["name"]
                .as_str()
                .map_or_else(|| redact_ids(&id), str::to_string);
            (id, name)
        })
        .collect();
    let mut rows: Vec<String> = doc["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .map(|r| {
            let id = r["resource"].as_str().unwrap_or("?");
            // Which ENI a second hop went through depends on id order when several
            // lead there, and the emulator's ids are random: the snapshot shows how
            // many, and the via ENIs are checked to be reached themselves.
            let via = r["via"].as_array().cloned().unwrap_or_default();
            for v in &via {
                let v = v.as_str().unwrap_or("?");
                assert!(names.contains_key(v), "{v} is on a path but not reached");
            }
            format!(
                "{} | {} | {} | {} hop(s) | {} | {} in between",
                names[id],
                redact_ids(r["kind"].as_str().unwrap_or("?")),
                r["verdict"].as_str().unwrap_or("?"),
                r["hops"],
                r["services"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                via.len()
            )
        })
        .collect();
    rows.sort();
    format!("verdict: {}\n{}\n", doc["verdict"], rows.join("\n"))
}

/// The issue's agreement test at the level a user sees: every hop of every
/// lateral-movement-path finding on the demo is a pair `reach` allows on that service,
/// and each step the finding shows for the hop is one of the hops `reach` draws.
#[test]
fn reach_agrees_with_every_lateral_movement_path_hop() {
    let out = vpcaudit_offline()
        .args([
            "scan",
            "--demo",
            "--checks",
            "lateral-movement-path",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run vpcaudit scan");
    let doc = json(&out, 0);
    let findings = doc["findings"].as_array().expect("findings");
    assert!(findings.len() >= 5, "the demo has lateral paths");
    let mut hops_checked = 0;
    for f in findings.iter().filter(|f| f["status"] == "fail") {
        let evidence = f["evidence"].as_array().expect("evidence");
        // `hop N` / `A -> B: tcp/6379`, then `hop N: <component>` / <decision> steps.
        for hop in evidence.iter().filter(|e| {
            e["component"]
                .as_str()
                .is_some_and(|c| c.starts_with("hop ") && !c.contains(':'))
        }) {
            let label = hop["component"].as_str().expect("hop label");
            let detail = hop["detail"].as_str().expect("hop detail");
            let (ends, service) = detail.split_once(": ").expect("A -> B: service");
            let (from, to) = ends.split_once(" -> ").expect("A -> B");
            let answer = demo_json(&["--from", from, "--to", to, "--port", service]);
            assert_eq!(answer["verdict"], "allowed", "{label} {detail}: {answer}");
            let drawn: Vec<(String, String)> = answer["paths"][0]["hops"]
                .as_array()
                .expect("hops")
                .iter()
                .map(|h| {
                    (
                        h["resource"].as_str().unwrap_or("").to_string(),
                        h["decision"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let prefix = format!("{label}: ");
            for step in evidence.iter().filter(|e| {
                e["component"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(&prefix))
            }) {
                let component = &step["component"].as_str().expect("component")[prefix.len()..];
                let decision = step["detail"].as_str().expect("detail");
                assert!(
                    drawn.contains(&(component.to_string(), decision.to_string())),
                    "{detail}: the finding's step {component:?} {decision:?} is not among reach's hops {drawn:#?}"
                );
            }
            hops_checked += 1;
        }
    }
    assert!(hops_checked >= 5, "{hops_checked} hops checked");
}

const GATEWAY_POD: &str = "gateway/api-gateway-7f9c6-abcde";
const PAYMENTS_POD: &str = "payments/payments-service-6b8d4-qwert";
const PAYMENTS_DB_POD: &str = "lk-eks:payments/payments-db-0";
const WORDPRESS_POD: &str = "marketing/wordpress-5f7b8-zxcvb";

#[test]
fn pods_as_both_ends_on_the_demo_cluster() {
    // payments-service-ingress admits the API gateway on 8443 only; the node group
    // passes everything between nodes.
    let out = demo(&["--from", GATEWAY_POD, "--to", PAYMENTS_POD]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
    insta::assert_snapshot!("pod_to_pod_allowed", stdout(&out));
    let doc = demo_json(&["--from", GATEWAY_POD, "--to", PAYMENTS_POD]);
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["verdict"], "allowed");
    assert_eq!(doc["services"], serde_json::json!(["tcp 8443"]));
    assert_eq!(doc["from"]["kind"], "pod");
    assert_eq!(
        doc["to"]["resources"],
        serde_json::json!(["lk-eks/payments/payments-service-6b8d4-qwert"])
    );
    let layers: Vec<&str> = doc["paths"][0]["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .filter_map(|h| h["layer"].as_str())
        .collect();
    for layer in ["network_policy", "security_group", "route_table"] {
        assert!(layers.contains(&layer), "{layers:?}");
    }

    // restrict-db-access admits payments-service only: WordPress is turned away by
    // the database's policy, on the port the database serves.
    let out = demo(&["--from", WORDPRESS_POD, "--to", PAYMENTS_DB_POD]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_without_panic(&out));
    insta::assert_snapshot!("pod_to_pod_blocked", stdout(&out));
    let doc = demo_json(&["--from", WORDPRESS_POD, "--to", PAYMENTS_DB_POD]);
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["verdict"], "blocked");
    let b = &doc["blocked_at"];
    assert_eq!(b["code"], "NETWORK_POLICY_RESTRICTION");
    assert_eq!(b["layer"], "network_policy");
    assert_eq!(
        b["change"],
        "a NetworkPolicy selecting payments/payments-db-0 would need an ingress rule allowing \
         tcp 5432 from marketing/wordpress-5f7b8-zxcvb"
    );
    assert_eq!(
        demo(&[
            "--from",
            WORDPRESS_POD,
            "--to",
            PAYMENTS_DB_POD,
            "--expect",
            "blocked"
        ])
        .status
        .code(),
        Some(0)
    );

    // An ENI to a pod: the VPC first, then the pod's policies.
    let doc = demo_json(&["--from", APP, "--to", PAYMENTS_DB_POD, "--port", "tcp/5432"]);
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["verdict"], "blocked");
    assert_eq!(doc["paths"][0]["from"], "eni-a7eab5053d900339e");
}

#[test]
fn bad_pod_selectors_are_one_line_errors() {
    let out = demo(&["--from", "payments/payments-db", "--to", PAYMENTS_POD]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(line.contains("closest: payments/payments-db-0"), "{line}");
    let out = demo(&["--from", PAYMENTS_POD]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("not supported yet"));
}

#[test]
fn pods_of_a_cluster_read_from_object_files_without_the_vpc() {
    // `collect --kube-objects` keeps no AWS network: what the policies allow is
    // unknown on the VPC side; the fixture's VPC CNI does not enforce policies.
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("inv.json");
    let out = vpcaudit_offline()
        .current_dir(repo())
        .args([
            "collect",
            "--kube-objects",
            "tests/fixtures/kube/cluster.json",
        ])
        .args(["--no-progress", "-o"])
        .arg(&inv)
        .output()
        .expect("collect");
    assert!(out.status.success(), "{}", stderr_without_panic(&out));
    let out = vpcaudit_offline()
        .args(["reach", "--inventory"])
        .arg(&inv)
        .args(["--from", "marketing/web-5f6b7c8d9-qz2lt"])
        .args([
            "--to",
            "payments/db-0",
            "--port",
            "tcp/5432",
            "--format",
            "json",
        ])
        .output()
        .expect("reach");
    let doc = json(&out, 0);
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["verdict"], "unknown");
    assert_eq!(doc["unknown"][0]["code"], "DATA_NOT_COLLECTED");
    let hops = doc["paths"][0]["hops"].as_array().expect("hops");
    assert_eq!(hops[0]["layer"], "network_policy");
    assert!(
        hops[0]["decision"]
            .as_str()
            .is_some_and(|d| d.starts_with("not enforced")),
        "{hops:?}"
    );
}

/// The demo inventory with `edit` applied, written to a temporary file.
fn edited_demo(dir: &Path, edit: impl FnOnce(&mut Value)) -> std::path::PathBuf {
    let mut inv: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("src/demo/inventory.json")).expect("demo"),
    )
    .expect("demo JSON");
    edit(&mut inv);
    let path = dir.join("inventory.json");
    std::fs::write(&path, serde_json::to_vec(&inv).expect("serialise")).expect("write");
    path
}

fn ask_file(path: &Path, args: &[&str]) -> Output {
    vpcaudit_offline()
        .arg("reach")
        .arg("--inventory")
        .arg(path)
        .args(args)
        .output()
        .expect("run vpcaudit")
}

fn region_mut(inv: &mut Value) -> &mut Value {
    &mut inv["accounts"][0]["regions"][0]
}

#[test]
fn a_load_balancer_that_was_not_fully_collected_is_never_blocked() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Its listeners could not be read: whether tcp 22 reaches anything is unknown.
    let no_listeners = edited_demo(dir.path(), |inv| {
        for lb in region_mut(inv)["load_balancers"]
            .as_array_mut()
            .expect("load balancers")
        {
            if lb["name"] == "lk-ssh-nlb" {
                lb["listeners"] = Value::Null;
            }
        }
    });
    let args = [
        "--from",
        "internet",
        "--to",
        "lk-ssh-nlb",
        "--port",
        "tcp/22",
    ];
    let doc = json(
        &ask_file(&no_listeners, &[&args[..], &["--format", "json"]].concat()),
        0,
    );
    assert_eq!(doc["verdict"], "unknown", "{doc}");
    assert_eq!(doc["unknown"][0]["code"], "DATA_NOT_COLLECTED", "{doc}");
    let strict = ask_file(&no_listeners, &[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(3));
    let expect = ask_file(
        &no_listeners,
        &[&args[..], &["--expect", "blocked"]].concat(),
    );
    assert_eq!(expect.status.code(), Some(1));
    // Its node ENIs are missing: a one-sided question has nothing to start from.
    let dir = tempfile::tempdir().expect("tempdir");
    let no_nodes = edited_demo(dir.path(), |inv| {
        region_mut(inv)["network_interfaces"]
            .as_array_mut()
            .expect("enis")
            .retain(|e| {
                !e["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("lk-ssh-nlb"))
            });
    });
    let out = ask_file(&no_nodes, &["--to", "lk-ssh-nlb"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("no network interface"));
    let pair = ask_file(
        &no_nodes,
        &["--from", "internet", "--to", "lk-ssh-nlb", "--strict"],
    );
    assert_eq!(pair.status.code(), Some(3), "{}", stdout(&pair));
}

#[test]
fn hostile_group_names_do_not_change_what_the_answer_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = "x] sgr-0wned rule 7 (firewall";
    let path = edited_demo(dir.path(), |inv| {
        for g in region_mut(inv)["security_groups"]
            .as_array_mut()
            .expect("groups")
        {
            if g["id"] == "sg-a02e1560e8d149b22" {
                g["name"] = Value::String(hostile.into());
                g["tags"]["Name"] = Value::String(hostile.into());
            }
        }
    });
    let doc = json(
        &ask_file(&path, &["--from", BASTION, "--to", DB, "--format", "json"]),
        0,
    );
    let b = &doc["blocked_at"];
    assert_eq!(b["code"], "ENI_SG_RULES_MISMATCH", "{doc}");
    assert_eq!(b["layer"], "security_group");
    assert!(b.get("rule").is_none(), "{b}");
    let resource = b["resource"].as_str().expect("resource");
    assert!(resource.starts_with("sg-a02e1560e8d149b22 ("), "{resource}");
    assert!(resource.contains(hostile), "{resource}");
    assert!(
        b["change"].as_str().expect("change").contains(hostile),
        "{b}"
    );
    for hop in doc["paths"][0]["hops"].as_array().expect("hops") {
        assert_ne!(hop["rule"], "sgr-0wned", "{hop}");
        assert_ne!(hop["layer"], "network_firewall", "{hop}");
    }
}

#[test]
fn an_intent_with_a_bad_port_fails_before_anything_is_collected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "intents.toml",
        "[[intent]]\nname = \"db\"\nfrom = \"x\"\nto = \"y\"\nport = \"tcp/70000\"\nexpect = \"blocked\"\n",
    );
    // No --demo and no credentials: were the port not checked first, this would try
    // to collect and fail on credentials (exit 4) instead.
    let out = vpcaudit_offline()
        .args(["reach", "--intents"])
        .arg(&path)
        .output()
        .expect("run vpcaudit");
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(line.contains("\"db\"") && line.contains("70000"), "{line}");
    // A selector far longer than any id gets no suggestions, quickly.
    let long = "x".repeat(100_000);
    let out = demo(&["--from", &long, "--to", DB]);
    assert_eq!(out.status.code(), Some(2));
}

/// Every explanation code is produced by at least one engine test: a new code cannot
/// ship without one (the tests assert the code on an evaluation, so naming it in the
/// test files is the least they do).
#[test]
fn every_explanation_code_has_an_engine_test() {
    let tests: String = ["src/reach/tests/codes.rs", "src/reach/kubernetes/tests.rs"]
        .iter()
        .map(|p| std::fs::read_to_string(repo().join(p)).expect("engine tests"))
        .collect();
    for code in vpcaudit::reach::explain::Code::ALL {
        let name = format!("Code::{code:?}");
        assert!(
            tests.contains(&name),
            "no engine test asserts {name} ({code})"
        );
    }
}

/// Centralised egress and load balancers, collected live: a spoke that skips
/// inspection reaches the internet through the transit gateway and the egress VPC's
/// NAT gateway; an inspected one is decided by the firewall; the internet reaches an
/// NLB's targets.
#[test]
fn live_transit_gateway_egress_and_load_balancers() {
    let emu = common::Emulator::start();
    emu.seed("hub-and-spoke");
    emu.seed("load-balancers");
    let ask = |args: &[&str]| {
        let out = emu
            .vpcaudit()
            .args(["reach", "--regions", "us-east-1"])
            .args(args)
            .output()
            .expect("run vpcaudit");
        let stderr = stderr_without_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        stdout(&out)
    };
    let skips = ask(&[
        "--from",
        "tag:Name=hs-b-app",
        "--to",
        "internet",
        "--port",
        "tcp/443",
    ]);
    insta::assert_snapshot!(
        "live_spoke_skipping_inspection",
        redact_nat_address(&redact_ids(&skips))
    );
    assert!(skips.contains("verdict: allowed"), "{skips}");
    let inspected = ask(&[
        "--from",
        "tag:Name=hs-a-app",
        "--to",
        "internet",
        "--port",
        "tcp/443",
    ]);
    insta::assert_snapshot!(
        "live_inspected_spoke",
        redact_nat_address(&redact_ids(&inspected))
    );
    assert!(inspected.contains("hs-fw"), "{inspected}");
    let nlb = ask(&[
        "--from",
        "internet",
        "--to",
        "lb-ssh-nlb",
        "--port",
        "tcp/22",
    ]);
    insta::assert_snapshot!("live_internet_to_nlb", redact_ids(&nlb));
}

/// The emulator gives a NAT gateway a random private address:
/// `translates 10.31.1.4 to 10.73.64.233` -> `translates 10.31.1.4 to <nat address>`.
fn redact_nat_address(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("(NAT gateway): translates ") {
            Some(at) => {
                let rest = &line[at..];
                match (rest.find(" to "), rest.find(" (filters")) {
                    (Some(to), Some(end)) if to < end => format!(
                        "{}{} to <nat address>{}",
                        &line[..at],
                        &rest[..to],
                        &rest[end..]
                    ),
                    _ => line.to_string(),
                }
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
