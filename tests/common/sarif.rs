//! Microsoft's SARIF multitool (`validate --rule-kind "Gh;Sarif"`, GitHub's rules
//! switched on), as `tests/report_sarif.rs` and `tests/report_hostile.rs` run it.
//!
//! The multitool is the npm package pinned in `.ci/sarif` (`scripts/test` installs
//! it with `npm ci`); `SARIF_MULTITOOL` overrides the path to its binary.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::repo;

/// The native binary of `@microsoft/sarif-multitool` (its npm `bin.js` wrapper runs
/// it through a shell, where the `;` of `Gh;Sarif` ends the command).
const MULTITOOL: &str = ".ci/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";

/// GitHub's rules in multitool 5.7.0. `--rule-kind Gh` selects them, but they are
/// disabled by default, so on its own it checks nothing GitHub-specific: the policy
/// below turns each one on, as an error.
const GITHUB_RULES: &[&str] = &[
    "GH1001.ProvideRequiredLocationProperties",
    "GH1002.InlineThreadFlowLocations",
    "GH1003.ProvideRequiredRegionProperties",
    "GH1004.ReviewArraysThatExceedConfigurableDefaults",
    "GH1005.LocationsMustBeRelativeUrisOrFilePaths",
    "GH1006.ProvideCheckoutPath",
    "GH1007.ProvideFullyFormattedMessageStrings",
    "GH1011.GhasReferenceFinalSchema",
    "GH1013.GhProvideRequiredSarifLogProperties",
    "GH1014.GhasProvideRequiredRunProperties",
    "GH1015.GhasProvideRequiredResultProperties",
    "GH1016.GhasProvideRequiredLocationProperties",
    "GH1017.GhasProvideRequiredPhysicalLocationProperties",
    "GH1018.GhasProvideToolDriver",
    "GH2012.GhasProvideRequiredReportingDescriptorProperties",
];

/// The multitool's policy file: GitHub's rules on, and SARIF2006 (URIs should be
/// reachable) off, because it fetches `$schema` and every rule's `helpUri` over the
/// network, and tests talk to 127.0.0.1 only.
fn policy() -> String {
    let rule = |key: &str, state: &str| {
        format!(
            "  <Properties Key=\"{key}.Options\">\n    <Property Key=\"RuleEnabled\" Value=\"{state}\" Type=\"Driver.RuleEnabledState\" />\n  </Properties>\n"
        )
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Properties>\n");
    xml.push_str(&rule("SARIF2006.UrisShouldBeReachable", "Disabled"));
    for r in GITHUB_RULES {
        xml.push_str(&rule(r, "Error"));
    }
    xml.push_str("</Properties>\n");
    xml
}

fn multitool() -> PathBuf {
    let path = match std::env::var_os("SARIF_MULTITOOL") {
        Some(p) => PathBuf::from(p),
        None => repo().join(MULTITOOL),
    };
    let meta = std::fs::metadata(&path).unwrap_or_else(|e| {
        panic!(
            "the SARIF multitool is not installed ({}: {e}). Run `bash scripts/test`, which \
             installs it (`npm ci --prefix .ci/sarif`), or point SARIF_MULTITOOL at the \
             Sarif.Multitool binary.",
            path.display()
        )
    });
    use std::os::unix::fs::PermissionsExt;
    assert!(
        meta.is_file() && meta.permissions().mode() & 0o111 != 0,
        "{} is not an executable file. Run `bash scripts/test` (it makes it executable \
         when npm skipped the package's install script), or `chmod u+x` it.",
        path.display()
    );
    path
}

/// What the multitool found in one SARIF log.
pub struct Validation {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// The rule ids of the errors.
    pub error_rules: BTreeSet<String>,
}

/// Runs the multitool on `sarif`; its findings come back as its own SARIF log.
pub fn validate(sarif: &Path) -> Validation {
    let tool = multitool();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("policy.xml");
    std::fs::write(&config, policy()).expect("write the multitool policy");
    let report = dir.path().join("validation.sarif");
    let dead_proxy = "http://127.0.0.1:9";
    let out = Command::new(&tool)
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--level",
            "Error;Warning",
        ])
        .arg("--config")
        .arg(&config)
        .arg("--output")
        .arg(&report)
        .arg(sarif)
        // No ICU needed, no telemetry, and should any rule still reach for the
        // network, it meets a closed loopback port.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("HTTP_PROXY", dead_proxy)
        .env("HTTPS_PROXY", dead_proxy)
        .env("ALL_PROXY", dead_proxy)
        .env("http_proxy", dead_proxy)
        .env("https_proxy", dead_proxy)
        .env("all_proxy", dead_proxy)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "the multitool wrote no report ({e}); exit {:?}, output:\n{console}",
            out.status.code()
        )
    });
    let log: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .expect("the multitool's report is JSON");
    let mut v = Validation {
        errors: Vec::new(),
        warnings: Vec::new(),
        error_rules: BTreeSet::new(),
    };
    for run in log["runs"].as_array().expect("runs") {
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for r in run["results"].as_array().expect("results") {
            let id = r["ruleId"].as_str().unwrap_or("?").to_string();
            let rule = rules.iter().find(|x| x["id"] == r["ruleId"]);
            let level = r["level"]
                .as_str()
                .or_else(|| rule.and_then(|x| x["defaultConfiguration"]["level"].as_str()))
                .unwrap_or("warning");
            let line = format!("{id} {level}: {}", message(&r["message"], rule));
            match level {
                "error" => {
                    v.errors.push(line);
                    v.error_rules.insert(id);
                }
                "warning" => v.warnings.push(line),
                _ => {}
            }
        }
        for inv in run["invocations"].as_array().cloned().unwrap_or_default() {
            if inv["executionSuccessful"] != json!(true) {
                v.errors
                    .push(format!("the multitool did not run through:\n{console}"));
            }
            let notes = [
                "toolExecutionNotifications",
                "toolConfigurationNotifications",
            ];
            for n in notes
                .iter()
                .flat_map(|k| inv[*k].as_array().cloned().unwrap_or_default())
            {
                let id = n["descriptor"]["id"].as_str().unwrap_or("?").to_string();
                let line = format!("{id}: {}", message(&n["message"], None));
                match n["level"].as_str().unwrap_or("warning") {
                    // An exception in a rule is an error notification, not a result.
                    "error" => {
                        v.errors.push(line);
                        v.error_rules.insert(id);
                    }
                    // SARIF2006 off on purpose (no network).
                    "warning" if id != "WRN999.RuleExplicitlyDisabled" => v.warnings.push(line),
                    _ => {}
                }
            }
        }
    }
    for w in &v.warnings {
        eprintln!("note: SARIF multitool warning on {}: {w}", sarif.display());
    }
    v
}

/// A multitool message as text: its own, or the rule's template with the arguments.
fn message(m: &Value, rule: Option<&Value>) -> String {
    if let Some(t) = m["text"].as_str() {
        return t.to_string();
    }
    let template = m["id"]
        .as_str()
        .and_then(|id| rule?["messageStrings"][id]["text"].as_str());
    match template {
        Some(t) => {
            let mut out = t.to_string();
            for (i, a) in m["arguments"].as_array().into_iter().flatten().enumerate() {
                out = out.replace(&format!("{{{i}}}"), a.as_str().unwrap_or_default());
            }
            out
        }
        None => m.to_string(),
    }
}

/// Fails when the multitool finds an error in `sarif`.
pub fn assert_valid(sarif: &Path) {
    let v = validate(sarif);
    assert!(
        v.errors.is_empty(),
        "the SARIF multitool found {} error(s) in {}:\n{}",
        v.errors.len(),
        sarif.display(),
        v.errors.join("\n")
    );
}
