//! The findings of the 10,000-ENI synthetic estate, pinned: count and a digest of
//! the sorted fingerprints. Work on speed (issue 18: equivalence classes, interning,
//! parallel checks, streaming writers) must leave them exactly as they are; a change
//! that means to change findings updates the digest and says why.

use std::time::Instant;

use vpcaudit::config::mute::Date;
use vpcaudit::finding::fingerprint;
use vpcaudit::scan::{Compare, Plan, Settings};
use vpcaudit::synth::{generate, Spec};

/// Findings of `Spec::with_enis(10_000)` (seed 1), every check.
const COUNT: usize = 3325;
/// `fingerprint` over the sorted fingerprints of those findings.
const DIGEST: &str = "eae568bb9410d490fcabb866ce1d5552";

#[test]
fn the_10k_estate_gives_the_pinned_findings() {
    let inventory = generate(&Spec::with_enis(10_000));
    let settings = Settings::default();
    let plan = Plan::new(settings, &[], &[]).expect("every check");
    let today = Date {
        year: 2026,
        month: 12,
        day: 6,
    };
    let outcome = plan.run(&inventory, Compare::default(), today, Instant::now());
    let mut prints: Vec<&str> = outcome
        .report
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    prints.sort_unstable();
    let digest = fingerprint(&prints);
    assert_eq!(
        (prints.len(), digest.as_str()),
        (COUNT, DIGEST),
        "the findings of the 10k estate changed"
    );
}
