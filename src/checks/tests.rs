//! Guards on the registry, and each check on the scenario inventories.

use std::collections::BTreeSet;
use std::path::Path;

use super::registry::{self, CHECKS};

fn dir_names(dir: &str, ext: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(ext).map(str::to_string)
        })
        .collect()
}

#[test]
fn every_check_file_and_toml_is_registered_once() {
    let all = registry::all().expect("all metadata parses");
    let ids: Vec<&str> = all.iter().map(|r| r.meta.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids in {ids:?}");

    let tomls = dir_names("checks", ".toml");
    let registered: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(tomls, registered, "checks/*.toml and the registry differ");

    let sources: BTreeSet<String> = dir_names("src/checks", ".rs")
        .into_iter()
        .filter(|n| !super::INFRASTRUCTURE.contains(&n.as_str()) && !n.starts_with("tests"))
        .map(|n| n.replace('_', "-"))
        .collect();
    assert_eq!(
        sources, registered,
        "src/checks/*.rs and the registry differ"
    );
    assert_eq!(CHECKS.len(), all.len());
}

#[test]
fn every_check_a_compliance_framework_names_is_registered() {
    let registered: BTreeSet<String> = registry::all()
        .expect("all metadata parses")
        .into_iter()
        .map(|r| r.meta.id)
        .collect();
    for f in crate::compliance::all().expect("every framework parses") {
        for c in &f.controls {
            for cc in &c.checks {
                assert!(
                    registered.contains(&cc.id),
                    "{} {} names check {}, which is not registered",
                    f.id,
                    c.id,
                    cc.id
                );
            }
        }
    }
}

#[test]
fn explain_lists_the_controls_a_check_decides_per_framework() {
    let all = registry::all().expect("all metadata parses");
    let flow = all
        .iter()
        .find(|r| r.meta.id == "flow-logs-disabled")
        .expect("flow-logs-disabled");
    let text = flow.meta.explain();
    let compliance = text
        .split("\nCompliance\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Compliance part");
    assert_eq!(
        compliance,
        "  CIS Amazon Web Services Foundations Benchmark 5.0.0: 3.7\n  \
         AWS Foundational Security Best Practices 1.0.0: EC2.6\n  \
         NIST SP 800-53 Revision 5: SC-7"
    );
    // A check no framework names prints no Compliance part.
    let unnamed = all
        .iter()
        .find(|r| r.meta.compliance.is_empty())
        .expect("some check decides no control");
    assert!(!unnamed.meta.explain().contains("\nCompliance\n"));
}

#[test]
fn metadata_is_complete() {
    for r in registry::all().unwrap() {
        let m = &r.meta;
        assert!(
            !m.title.is_empty() && !m.description.is_empty() && !m.rationale.is_empty(),
            "{}",
            m.id
        );
        assert!(!m.remediation.text.is_empty(), "{}", m.id);
        // AWS resources, or Kubernetes objects (`Kubernetes::Namespace`, ...).
        assert!(
            m.resource_type.starts_with("AWS::") || m.resource_type.starts_with("Kubernetes::"),
            "{}",
            m.id
        );
        assert!(!m.references.is_empty(), "{} has no references", m.id);
        assert!(m.explain().contains(&m.id));
    }
}

#[test]
fn list_of_ids() {
    let ids: Vec<String> = registry::all()
        .unwrap()
        .into_iter()
        .map(|r| r.meta.id)
        .collect();
    insta::assert_snapshot!(ids.join("\n"));
}

#[test]
fn selection_rejects_unknown_ids() {
    let all = registry::all().unwrap();
    let only = vec!["egress-world-open".to_string()];
    assert_eq!(super::select::select(&all, &only, &[]).unwrap().len(), 1);
    let skip = vec!["egress-world-open".to_string()];
    assert_eq!(
        super::select::select(&all, &[], &skip).unwrap().len(),
        all.len() - 1
    );
    let bad = vec!["nope".to_string()];
    assert!(super::select::select(&all, &bad, &[]).is_err());
}

/// A check's findings are about resources in its own scope: otherwise a resource it
/// failed would also be listed as passing, or a pass could be counted twice.
#[test]
fn every_finding_is_about_a_resource_in_its_checks_scope() {
    let inventories = [crate::demo::inventory().expect("the demo inventory")];
    let all = registry::all().expect("metadata parses");
    let refs: Vec<&registry::Registered> = all.iter().collect();
    for inv in &inventories {
        let model = crate::reach::Model::build(inv);
        let ctx = super::Context::new(inv, &model);
        let findings = registry::run(&refs, &ctx);
        for cs in registry::scopes(&refs, &ctx) {
            let Some(scope) = cs.scope else {
                panic!("{} lists no scope", cs.check)
            };
            let keys: BTreeSet<(&str, &str, &str, &str)> = scope
                .iter()
                .map(|s| {
                    (
                        s.account.as_str(),
                        s.region.as_str(),
                        s.resource.resource_type.as_str(),
                        s.resource.id.as_str(),
                    )
                })
                .collect();
            assert_eq!(
                keys.len(),
                scope.len(),
                "{}: a resource listed twice",
                cs.check
            );
            for f in findings.iter().filter(|f| f.check == cs.check) {
                let k = (
                    f.account.as_str(),
                    f.region.as_str(),
                    f.resource.resource_type.as_str(),
                    f.resource.id.as_str(),
                );
                assert!(
                    keys.contains(&k),
                    "{}: a finding about {k:?} is outside the check's scope",
                    cs.check
                );
            }
        }
    }
}
