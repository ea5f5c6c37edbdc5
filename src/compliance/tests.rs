//! Guards on the framework data in `compliance/*.toml`. That every check id they name
//! is a registered check is guarded in `checks::tests` (this layer does not see the
//! checks).

use std::collections::BTreeSet;

use super::{all, control_refs, Combine, Framework};
use crate::finding::Severity;

fn frameworks() -> Vec<Framework> {
    all().expect("every framework parses")
}

fn framework(id: &str) -> Framework {
    frameworks()
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no framework {id}"))
}

#[test]
fn the_frameworks_are_the_four_the_cli_names() {
    let ids: Vec<String> = frameworks().into_iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        ["cis-aws-5.0", "fsbp", "nist-800-53-r5", "pci-dss-4.0"]
    );
}

#[test]
fn every_text_is_filled_in() {
    for f in frameworks() {
        let texts = [&f.name, &f.version, &f.url, &f.scope];
        let sections = f.sections.iter().flat_map(|s| [&s.id, &s.title]);
        let controls = f
            .controls
            .iter()
            .flat_map(|c| [&c.id, &c.section, &c.title]);
        for t in texts.into_iter().chain(sections).chain(controls) {
            assert!(
                !t.trim().is_empty() && !t.contains("TODO"),
                "{}: {t:?}",
                f.id
            );
        }
        assert!(f.url.starts_with("https://"), "{}: {}", f.id, f.url);
    }
}

#[test]
fn sections_and_controls_are_unique_and_belong_together() {
    for f in frameworks() {
        let sections: BTreeSet<&str> = f.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            sections.len(),
            f.sections.len(),
            "{}: duplicate section",
            f.id
        );
        let controls: BTreeSet<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            controls.len(),
            f.controls.len(),
            "{}: duplicate control",
            f.id
        );
        for c in &f.controls {
            assert!(
                sections.contains(c.section.as_str()),
                "{} {}: no section {}",
                f.id,
                c.id,
                c.section
            );
        }
        for s in &f.sections {
            assert!(
                f.controls.iter().any(|c| c.section == s.id),
                "{}: section {} has no control",
                f.id,
                s.id
            );
        }
    }
}

#[test]
fn a_control_has_checks_or_says_why_not() {
    for f in frameworks() {
        for c in &f.controls {
            let what = format!("{} {}", f.id, c.id);
            let manual = c.manual.as_deref().map(str::trim);
            let note = c.note.as_deref().map(str::trim);
            if c.checks.is_empty() {
                assert!(
                    manual.is_some_and(|m| !m.is_empty()),
                    "{what}: no checks, no manual note"
                );
                assert!(
                    note.is_none(),
                    "{what}: a note on what the checks miss, without checks"
                );
                assert_eq!(
                    c.combine,
                    Combine::All,
                    "{what}: a combine rule without checks"
                );
            } else {
                assert!(manual.is_none(), "{what}: checks and a manual note");
                assert!(note.is_none_or(|n| !n.is_empty()), "{what}: empty note");
            }
        }
    }
}

#[test]
fn check_entries_are_meaningful() {
    for f in frameworks() {
        for c in &f.controls {
            let what = format!("{} {}", f.id, c.id);
            let ids: BTreeSet<&str> = c.checks.iter().map(|cc| cc.id.as_str()).collect();
            assert_eq!(ids.len(), c.checks.len(), "{what}: a check named twice");
            // Alternatives need at least two ways of meeting the control.
            if c.combine == Combine::Any {
                assert!(c.checks.len() > 1, "{what}: `any` of one check");
            }
            for cc in &c.checks {
                let sev: BTreeSet<Severity> = cc.severities.iter().copied().collect();
                assert_eq!(
                    sev.len(),
                    cc.severities.len(),
                    "{what} {}: repeated severity",
                    cc.id
                );
                // Every severity is what an empty list already means.
                assert!(
                    sev.len() < Severity::ALL.len(),
                    "{what} {}: list every severity by omitting them",
                    cc.id
                );
            }
        }
    }
}

#[test]
fn fsbp_holds_exactly_the_controls_issue_17_asks_for() {
    let ids: BTreeSet<String> = framework("fsbp")
        .controls
        .into_iter()
        .map(|c| c.id)
        .collect();
    let ec2 = [2, 6, 13, 14, 15, 18, 19, 21, 53, 54].map(|n| format!("EC2.{n}"));
    let nfw = (1..=10).map(|n| format!("NetworkFirewall.{n}"));
    let wanted: BTreeSet<String> = ec2.into_iter().chain(nfw).collect();
    assert_eq!(ids, wanted);
}

#[test]
fn cis_holds_the_whole_networking_section_and_flow_logging() {
    let f = framework("cis-aws-5.0");
    let ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["3.7", "5.1.1", "5.1.2", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7"]
    );
    let flow = f.controls.iter().find(|c| c.id == "3.7").expect("3.7");
    assert_eq!(flow.section, "3");
}

#[test]
fn pci_holds_every_sub_requirement_of_requirement_1() {
    let ids: Vec<String> = framework("pci-dss-4.0")
        .controls
        .into_iter()
        .map(|c| c.id)
        .collect();
    let wanted = [
        "1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8",
        "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.5.1",
    ];
    assert_eq!(ids, wanted);
}

#[test]
fn nist_holds_sc_7_and_ac_4() {
    let f = framework("nist-800-53-r5");
    let ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&"SC-7") && ids.contains(&"AC-4"), "{ids:?}");
    for id in &ids {
        assert!(
            id.starts_with("SC-7") || id.starts_with("AC-4"),
            "{id}: outside the scope"
        );
    }
}

#[test]
fn unknown_fields_are_refused() {
    let source = r#"
id = "x"
name = "X"
version = "1"
url = "https://example.com"
scope = "all"
[[section]]
id = "1"
title = "One"
[[control]]
id = "1.1"
section = "1"
title = "A control"
check = [{ id = "flow-logs-disabled" }]
"#;
    let err = Framework::parse(source).expect_err("`check` is not a field");
    assert!(err.contains("check"), "{err}");
}

#[test]
fn control_refs_list_a_checks_controls_in_framework_order() {
    let refs = control_refs(&frameworks(), "flow-logs-disabled");
    let got: Vec<(&str, &str)> = refs
        .iter()
        .map(|r| (r.framework.as_str(), r.control.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("cis-aws-5.0", "3.7"),
            ("fsbp", "EC2.6"),
            ("nist-800-53-r5", "SC-7")
        ]
    );
    assert_eq!(
        refs[0].framework_title,
        "CIS Amazon Web Services Foundations Benchmark 5.0.0"
    );
    assert!(control_refs(&frameworks(), "no-such-check").is_empty());
}
