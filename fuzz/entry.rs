//! What each fuzz target does with its input, shared by the libFuzzer targets
//! (`fuzz/fuzz_targets/*.rs`) and the stable replay test (`tests/fuzz_corpus.rs`),
//! which includes this file with `#[path]`.
//!
//! Every function takes raw bytes, decodes them the way vpcaudit reads that kind of
//! file, runs the parser, and checks what must hold whatever the input: no panic,
//! errors on one line with their place, and round trips that give back what was read.
//! A failed check panics, which libFuzzer reports as a crash.

// Each target uses one function of this file.
#![allow(dead_code)]

use std::net::IpAddr;
use std::path::Path;
use std::sync::OnceLock;

use vpcaudit::config::mute::{self, Date, MuteRule};
use vpcaudit::config::Config;
use vpcaudit::finding::Finding;
use vpcaudit::inventory::{Inventory, InventoryFileError, RuleSource};
use vpcaudit::reach::firewall::suricata::{self, Vars};
use vpcaudit::scan::baseline::{Baseline, Scope};
use vpcaudit::scan::mutes::Mutes;

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// The names the targets are known by: `fuzz/corpus/<name>/`, `fuzz/regressions/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("inventory_json", inventory_json),
    ("suricata_rules", suricata_rules),
    ("config_toml", config_toml),
    ("mutes_toml", mutes_toml),
    ("baseline_json", baseline_json),
];

/// `--inventory FILE`: loads, and a loaded inventory saves and loads back equal.
/// Its Suricata rule groups are parsed too, with the group's own variables, as the
/// engine does: variables come from the file, so they are hostile input as well.
pub fn inventory_json(data: &[u8]) {
    let path = Path::new("fuzz.json");
    let inventory = match utf8(data) {
        Some(text) => Inventory::from_json_str(text, path),
        // `Inventory::load` refuses such a file before parsing; the parser never sees it.
        None => return,
    };
    let inventory = match inventory {
        Ok(inventory) => inventory,
        Err(e) => {
            if let InventoryFileError::Parse { line, .. } = &e {
                assert!(*line >= 1, "error without a line: {e}");
            }
            let _ = e.to_string();
            return;
        }
    };
    let json = inventory
        .to_json_pretty()
        .expect("a loaded inventory serialises");
    let again = Inventory::from_json_str(&json, path).expect("a saved inventory loads");
    assert_eq!(inventory, again, "the inventory changed on a save and load");

    for (_, region) in inventory.regions() {
        let _ = region.resource_counts();
        for group in &region.firewall_rule_groups {
            if let RuleSource::RulesString { rules } = &group.source {
                let vars = Vars {
                    ip: group.ip_sets.clone(),
                    port: group.port_sets.clone(),
                };
                check_rules(rules, &vars);
            }
        }
    }
}

/// A rule group's `rules_string`, after optional variable lines in Suricata's own
/// spelling (`ipvar NAME a,b,c` / `portvar NAME a,b`), which become the group's IP and
/// port sets. A variable line is blanked rather than removed, so the rules keep their
/// line numbers.
pub fn suricata_rules(data: &[u8]) {
    // Rules arrive inside a JSON string or from the AWS API: always text.
    let text = String::from_utf8_lossy(data);
    let mut vars = Vars::default();
    vars.ip.insert("HOME_NET".into(), vec!["10.0.0.0/8".into()]);
    let mut rules = String::with_capacity(text.len());
    for line in text.lines() {
        let mut words = line.trim().splitn(3, char::is_whitespace);
        let var = match (words.next(), words.next(), words.next()) {
            (Some("ipvar"), Some(name), values) => Some((&mut vars.ip, name, values)),
            (Some("portvar"), Some(name), values) => Some((&mut vars.port, name, values)),
            _ => None,
        };
        match var {
            Some((set, name, values)) => {
                let values = values.unwrap_or("").split(',');
                set.insert(
                    name.to_string(),
                    values.map(|v| v.trim().to_string()).collect(),
                );
            }
            None => rules.push_str(line),
        }
        rules.push('\n');
    }
    check_rules(&rules, &vars);
}

/// Parses a rules string and checks the results against it.
fn check_rules(rules: &str, vars: &Vars) {
    let lines: Vec<&str> = rules.lines().collect();
    let wanted = lines
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
        .count();
    let parsed = suricata::parse(rules, vars);
    assert_eq!(parsed.len(), wanted, "one result per rule line");
    let probe: IpAddr = [10, 0, 0, 1].into();
    for result in parsed {
        match result {
            Ok(rule) => {
                // The header as recorded reads back as the same header.
                let again = suricata::parse_rule(&rule.header, vars)
                    .unwrap_or_else(|e| panic!("header {:?} does not parse: {e}", rule.header));
                assert_eq!(
                    (&again.src, &again.src_port, &again.dst, &again.dst_port),
                    (&rule.src, &rule.src_port, &rule.dst, &rule.dst_port),
                    "header {:?}",
                    rule.header
                );
                assert_eq!(
                    (again.action, again.proto, again.bidirectional),
                    (rule.action, rule.proto, rule.bidirectional)
                );
                // Matching single values walks the whole expression.
                let _ = (rule.src.matches(probe), rule.dst.matches(probe));
                let _ = (rule.src_port.matches(443), rule.dst_port.matches(0));
                rule.contents.iter().for_each(|c| {
                    let _ = c.matches("a.example.com");
                });
            }
            Err(e) => {
                assert!(
                    (1..=lines.len()).contains(&e.line),
                    "line {} of {}",
                    e.line,
                    lines.len()
                );
                assert_eq!(
                    e.text,
                    lines[e.line - 1].trim(),
                    "the error quotes its line"
                );
                let _ = e.to_string();
            }
        }
    }
}

/// `--config FILE` (`vpcaudit.toml`).
pub fn config_toml(data: &[u8]) {
    // `Config::load` refuses a file that is not UTF-8 before parsing.
    let Some(text) = utf8(data) else { return };
    match Config::parse_with(text, &vpcaudit::checks::settings::validate) {
        Ok(config) => {
            let _ = vpcaudit::checks::context::trusted_set(&config);
            let _ = config.network.ephemeral_ports;
            let _ = config.severity.iter().count();
            check_mutes(config.mute);
        }
        Err(e) => assert_one_line(&e),
    }
}

/// `--mutes FILE`: only `[[mute]]` entries.
pub fn mutes_toml(data: &[u8]) {
    let Some(text) = utf8(data) else { return };
    match mute::parse_file(text) {
        Ok(rules) => check_mutes(rules),
        Err(e) => assert_one_line(&e),
    }
}

/// Applies mute rules to a sample finding: globs, tags and dates all run.
fn check_mutes(rules: Vec<MuteRule>) {
    let today = Date::parse("2026-06-01").expect("a date");
    let mutes = Mutes::from_sources(vec![("fuzz.toml".into(), rules)]);
    let _ = mutes.expired(today);
    let mut findings = sample_findings().to_vec();
    mutes.apply(&mut findings, &Inventory::new(0), today);
}

/// `--baseline FILE`: a previous `scan --format json` report.
pub fn baseline_json(data: &[u8]) {
    let Some(text) = utf8(data) else { return };
    let Ok(baseline) = Baseline::parse(text) else {
        return;
    };
    let mut current = sample_findings().to_vec();
    let checks = vec!["internet-exposed-port".to_string()];
    let regions = vec![("111122223333".to_string(), "us-east-1".to_string())];
    let _ = baseline.compare(
        &mut current,
        &Scope {
            checks: &checks,
            regions: &regions,
        },
    );
}

fn utf8(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Settings errors are printed as one line.
fn assert_one_line(e: &str) {
    assert!(!e.contains('\n'), "a multi-line error: {e:?}");
}

/// One finding, built once.
fn sample_findings() -> &'static [Finding] {
    static FINDINGS: OnceLock<Vec<Finding>> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        let f = serde_json::json!({
            "check": "internet-exposed-port", "severity": "high", "status": "fail",
            "title": "t", "message": "m", "account": "111122223333", "region": "us-east-1",
            "resource": {"type": "AWS::EC2::SecurityGroup", "id": "sg-0123", "arn": null},
            "related": [], "evidence": [], "remediation": "r", "fingerprint": "fp-1"
        });
        vec![serde_json::from_value(f).expect("the sample finding")]
    })
}
