//! Many accounts (mocks/scenarios/org-two-accounts.yaml, org-many.yaml): the real
//! binary lists the organization's accounts, assumes `--role-arn` in each and scans
//! them into one report; a cross-account peering carries a lateral path only when
//! both sides are scanned; an account that cannot be entered is a coverage gap, not
//! a failed run; bad `--accounts` / `--role-arn` values are usage errors.

mod common;

use std::collections::BTreeMap;

use common::lab::Lab;
use common::{one_stderr_line, policy_actions, vpcaudit_offline, Emulator, Seeded};
use serde_json::{json, Value};

const ROLE: &str = "arn:aws:iam::{account}:role/Audit";

/// One emulator seeded with the two-account organization, shared by the tests that
/// inject no faults.
fn lab() -> &'static Lab {
    common::lab::lab("org-two-accounts")
}

/// `vpcaudit scan --endpoint-url <moto> --role-arn ROLE --format json --fail-on never
/// <extra>`: (exit code, findings document, stderr).
fn scan(emu: &Emulator, extra: &[&str]) -> (i32, Value, String) {
    let out = emu
        .vpcaudit()
        .args(["scan", "--endpoint-url", &emu.url, "--role-arn", ROLE])
        .args(["--format", "json", "--fail-on", "never"])
        .args(extra)
        .output()
        .expect("run vpcaudit");
    common::json_report(&out)
}

/// `vpcaudit collect --role-arn ROLE <extra>`: the account ids of the inventory.
fn collected_accounts(emu: &Emulator, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--endpoint-url", &emu.url, "--role-arn", ROLE];
    args.extend_from_slice(extra);
    emu.collect(&args)
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Account ids and resource ids in `text` replaced by the scenario's names.
fn symbolic(text: &str, seeded: &Seeded) -> String {
    let accounts = seeded
        .accounts
        .iter()
        .map(|(alias, id)| (id.clone(), format!("<{alias}>")));
    let main = (seeded.account.clone(), "<main>".to_string());
    let ids = seeded
        .ids
        .iter()
        .map(|(name, id)| (id.clone(), name.clone()));
    common::symbolic::symbolic(text, accounts.chain([main]).chain(ids))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn org_scan_reports_every_active_account() {
    let lab = lab();
    let (main, dev, gone) = (
        lab.seeded.account_id("main"),
        lab.seeded.account_id("dev"),
        lab.seeded.account_id("gone"),
    );
    lab.emu.clear_requests();
    let (code, doc, stderr) = scan(&lab.emu, &["--accounts", "all"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        strings(&doc["scanned"]["accounts"]),
        sorted(vec![main.to_string(), dev.to_string()]),
        "the closed member ({gone}) is not scanned"
    );
    assert!(
        doc["coverage"].as_array().is_some_and(Vec::is_empty),
        "{:#}",
        doc["coverage"]
    );
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    for account in [main, dev] {
        assert!(
            findings.iter().any(|f| f["account"] == account),
            "no finding in {account}"
        );
    }
    // Each account's own exposure, in its own account.
    let exposed = |name: &str, account: &str| {
        findings.iter().any(|f| {
            f["check"] == "internet-exposed-port"
                && f["resource"]["name"] == name
                && f["account"] == account
        })
    };
    assert!(exposed("og-web:eni", main));
    assert!(exposed("og-jump:eni", dev));

    // Read-only: the scan only asked (Describe/List/Get, STS AssumeRole and
    // GetCallerIdentity), within the role's documented policy plus what the base
    // credentials need (organizations:ListAccounts, sts:AssumeRole).
    let requests = lab.emu.requests();
    let called = |service: &str, action: &str| {
        requests
            .iter()
            .any(|r| r.service.as_deref() == Some(service) && r.action.as_deref() == Some(action))
    };
    assert!(called("organizations", "ListAccounts"), "{requests:?}");
    assert!(called("sts", "AssumeRole"), "{requests:?}");
    assert!(called("ec2", "DescribeNetworkAcls"), "{requests:?}");
    let mut allowed = policy_actions();
    allowed.extend(["organizations:ListAccounts".into(), "sts:AssumeRole".into()]);
    for r in &requests {
        let action = r.action.as_deref().unwrap_or("");
        let iam = format!("{}:{action}", r.service.as_deref().unwrap_or(""));
        // sts:AssumeRole is the one call that is not a read: it changes nothing in
        // the account, it hands out credentials.
        assert!(
            ["Describe", "List", "Get", "Search"]
                .iter()
                .any(|p| action.starts_with(p))
                || iam == "sts:AssumeRole",
            "non-read call {r:?}"
        );
        assert!(
            allowed.contains(&iam),
            "{iam} is not in the documented policies"
        );
    }

    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            let resource = f["resource"]["name"]
                .as_str()
                .or_else(|| f["resource"]["id"].as_str())
                .unwrap_or("?");
            symbolic(
                &format!(
                    "{} {} {} {}",
                    f["account"].as_str().unwrap_or("?"),
                    f["check"].as_str().unwrap_or("?"),
                    f["status"].as_str().unwrap_or("?"),
                    resource
                ),
                &lab.seeded,
            )
        })
        .collect();
    lines.sort();
    insta::assert_snapshot!("org_findings", lines.join("\n"));
}

#[test]
fn account_lists_and_files_select_the_same_accounts() {
    let lab = lab();
    let (main, dev) = (lab.seeded.account_id("main"), lab.seeded.account_id("dev"));
    let both = sorted(vec![main.to_string(), dev.to_string()]);

    let from_org = collected_accounts(&lab.emu, &["--accounts", "all"]);
    assert_eq!(from_org, both);

    // Listed in any order, repeated: deduplicated, sorted, and one shared bound
    // (--concurrency 1 must not deadlock between accounts and regions).
    let list = format!("{dev},{main},{dev}");
    let from_list = collected_accounts(&lab.emu, &["--accounts", &list, "--concurrency", "1"]);
    assert_eq!(from_list, both);

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("accounts.txt");
    std::fs::write(
        &file,
        format!("# audited accounts\n{main}\n\n  {dev}   # data\n{main}\n"),
    )
    .expect("write the account file");
    let file = file.to_str().expect("utf-8 path").to_string();
    let from_file = collected_accounts(&lab.emu, &["--accounts", &file]);
    assert_eq!(from_file, both);

    // One account: only that one, though the caller is the management account.
    assert_eq!(collected_accounts(&lab.emu, &["--accounts", dev]), [dev]);
}

#[test]
fn cross_account_path_needs_both_accounts() {
    let lab = lab();
    let (main, dev) = (lab.seeded.account_id("main"), lab.seeded.account_id("dev"));
    let checks = ["--checks", "lateral-movement-path"];
    let path_to_db = |doc: &Value| -> Option<Value> {
        doc["findings"].as_array()?.iter().find_map(|f| {
            (f["check"] == "lateral-movement-path" && f["resource"]["name"] == "og-db-eni")
                .then(|| f.clone())
        })
    };

    let both = format!("{main},{dev}");
    let (code, doc, stderr) = scan(&lab.emu, &["--accounts", &both, checks[0], checks[1]]);
    assert_eq!(code, 0, "{stderr}");
    let finding = path_to_db(&doc).expect("the path over the cross-account peering");
    assert_eq!(finding["status"], "fail");
    assert_eq!(finding["account"], dev);
    let nodes = finding["path"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ends: Vec<(String, String)> = nodes
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap_or("?").to_string(),
                n["account"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert_eq!(
        ends,
        [
            ("og-web:eni".to_string(), main.to_string()),
            ("og-db-eni".to_string(), dev.to_string())
        ]
    );
    // Both sides' routes over the peering, and the peering itself, are evidence.
    let evidence = symbolic(&finding["evidence"].to_string(), &lab.seeded);
    for needed in [
        "og-web-rt (route table)",
        "10.21.0.0/16 -> og-pcx",
        "og-data-rt (route table)",
        "10.20.0.0/16 -> og-pcx",
        "og-pcx (peering)",
    ] {
        assert!(evidence.contains(needed), "{needed} in {evidence}");
    }

    // Either side alone: the accepter VPC, its route back and the store (or the
    // foothold) are in the account not scanned, so no path is claimed.
    for alone in [main, dev] {
        let (code, doc, stderr) = scan(&lab.emu, &["--accounts", alone, checks[0], checks[1]]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(strings(&doc["scanned"]["accounts"]), [alone]);
        assert!(path_to_db(&doc).is_none(), "{alone}: {:#}", doc["findings"]);
    }
}

#[test]
fn an_account_that_cannot_be_entered_is_a_coverage_gap() {
    // Its own emulator: fault rules are global to one.
    let emu = Emulator::start();
    let seeded = emu.seed("org-two-accounts");
    let (main, dev) = (seeded.account_id("main"), seeded.account_id("dev"));
    let dev_role = ROLE.replace("{account}", dev);
    emu.set_faults(json!({"rules": [{
        "service": "sts",
        "action": "AssumeRole",
        "params": {"RoleArn": dev_role},
        "error": "AccessDenied",
        "status": 403,
        "message": format!("User: arn:aws:sts::{main}:user/moto is not authorized to perform: sts:AssumeRole on resource: {dev_role}"),
    }]}));

    let (code, doc, stderr) = scan(&emu, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(strings(&doc["scanned"]["accounts"]), [main]);
    let gaps = doc["coverage"].as_array().cloned().unwrap_or_default();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    let gap = &gaps[0];
    assert_eq!(gap["account_id"], dev);
    assert_eq!(gap["region"], "*");
    assert_eq!(gap["service"], "sts");
    assert_eq!(gap["operation"], "AssumeRole");
    assert_eq!(gap["kind"], "access_denied");
    assert_eq!(gap["error_code"], "AccessDenied");
    // The role it was about, for tools, as the message names it for people.
    assert_eq!(gap["resource"], dev_role.as_str());
    assert!(
        gap["message"]
            .as_str()
            .is_some_and(|m| m.contains(&dev_role)),
        "{gap:#}"
    );
    // The other account is scanned as usual; the failed one is named on stderr.
    assert!(doc["findings"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["account"] == main)));
    assert!(stderr.contains(dev), "{stderr}");
    // --strict: the run is incomplete.
    let (code, _, stderr) = scan(&emu, &["--strict"]);
    assert_eq!(code, 3, "{stderr}");

    // Every account refused: nothing was read, so no report pretends all is clear.
    emu.set_faults(json!({"rules": [{
        "service": "sts", "action": "AssumeRole", "error": "AccessDenied", "status": 403,
    }]}));
    let out = emu
        .vpcaudit()
        .args(["scan", "--endpoint-url", &emu.url, "--role-arn", ROLE])
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run vpcaudit");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(out.stdout.is_empty());
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("vpcaudit: error:")
            && last.contains("none of the 2 account(s) could be entered"),
        "{err}"
    );

    // ListAccounts refused (not the management account): fatal, with the way out.
    emu.set_faults(json!({"rules": [{
        "service": "organizations", "action": "ListAccounts",
        "error": "AccessDeniedException",
        "message": "You don't have permissions to access this resource.",
    }]}));
    let out = emu
        .vpcaudit()
        .args(["scan", "--endpoint-url", &emu.url, "--role-arn", ROLE])
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run vpcaudit");
    assert_eq!(out.status.code(), Some(5));
    let line = one_stderr_line(&out);
    insta::assert_snapshot!(line, @"vpcaudit: error: cannot list the organization's accounts (organizations:ListAccounts): AccessDeniedException: You don't have permissions to access this resource.; run vpcaudit with credentials of the management account or of a delegated administrator account, or pass --accounts");
    // ... which --accounts avoids.
    let (code, doc, stderr) = scan(&emu, &["--accounts", main]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(strings(&doc["scanned"]["accounts"]), [main]);
}

#[test]
fn organization_listing_is_paginated_and_skips_closed_accounts() {
    let emu = Emulator::start();
    let seeded = emu.seed("org-many");
    emu.clear_requests();
    let accounts = collected_accounts(&emu, &["--page-size", "5", "--concurrency", "4"]);
    let mut expected: Vec<String> = seeded
        .accounts
        .iter()
        .filter(|(alias, _)| alias.as_str() != "closed")
        .map(|(_, id)| id.clone())
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(accounts.len(), 7, "{accounts:?}");
    assert_eq!(accounts, expected);
    let pages = emu
        .requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some("ListAccounts"))
        .count();
    assert_eq!(pages, 2, "8 accounts, 5 a page");
}

#[test]
fn bad_org_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_file = dir.path().join("accounts.txt");
    std::fs::write(&bad_file, "111111111111\n# ok so far\nprod-account\n").expect("write");
    let empty_file = dir.path().join("empty.txt");
    std::fs::write(&empty_file, "# nobody\n\n").expect("write");
    let bad_file = bad_file.to_str().expect("utf-8").to_string();
    let empty_file = empty_file.to_str().expect("utf-8").to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--role-arn", ROLE, "--accounts", "12345"],
            "--accounts",
        ),
        (
            vec!["--role-arn", ROLE, "--accounts", "111111111111,prod"],
            "--accounts",
        ),
        (
            vec!["--role-arn", ROLE, "--accounts", "/no/such/accounts.txt"],
            "--accounts",
        ),
        (vec!["--role-arn", ROLE, "--accounts", &bad_file], ":3:"),
        (
            vec!["--role-arn", ROLE, "--accounts", &empty_file],
            "no account id",
        ),
        (
            vec!["--role-arn", "arn:aws:iam::111111111111:role/Audit"],
            "{account}",
        ),
        (
            vec!["--role-arn", "arn:aws:iam::{account}:user/Audit"],
            "--role-arn",
        ),
        (vec!["--role-arn", "Audit"], "--role-arn"),
        (
            vec!["--role-arn", ROLE, "--external-id", "x"],
            "--external-id",
        ),
    ];
    let mut messages = BTreeMap::new();
    for (args, needle) in cases {
        for command in ["scan", "collect"] {
            let mut cmd = vpcaudit_offline();
            cmd.arg(command).args(&args);
            if command == "collect" {
                cmd.args(["--output", "-"]);
            }
            let out = cmd.output().expect("run vpcaudit");
            assert_eq!(out.status.code(), Some(2), "{command} {args:?}");
            let line = one_stderr_line(&out);
            assert!(line.starts_with("vpcaudit: error: invalid --"), "{line}");
            assert!(line.contains(needle), "{needle} in {line}");
            messages.insert(args.join(" "), line);
        }
    }
    let dir_text = dir.path().display().to_string();
    let text: Vec<String> = messages
        .values()
        .map(|l| l.replace(&dir_text, "<dir>"))
        .collect();
    insta::assert_snapshot!("org_usage_errors", text.join("\n"));
    // --accounts without --role-arn: clap's own usage error.
    let out = vpcaudit_offline()
        .args(["scan", "--accounts", "all"])
        .output()
        .expect("run vpcaudit");
    assert_eq!(out.status.code(), Some(2));
}
