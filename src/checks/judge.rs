//! Pass evidence: each check's scope ([`super::Check::scope`]) matched with its
//! findings, resource by resource.

use std::collections::BTreeMap;

use crate::finding::{Evaluated, Finding, Judgement, Status};

use super::context::Scoped;

/// What one check judged: its scope, or `None` when it cannot say (or failed
/// while saying it).
pub struct CheckScope {
    pub check: String,
    pub scope: Option<Vec<Scoped>>,
}

/// Every resource the checks judged.
#[derive(Debug, Default)]
pub struct Judged {
    /// One entry per check and resource, in check order, then account, region,
    /// resource type and id.
    pub evaluated: Vec<Evaluated>,
    /// Checks that could not say what they judged: only their findings are known,
    /// and nothing else they looked at may be counted as a pass.
    pub unscoped: Vec<String>,
}

type Key = (String, String, String, String);

fn key(account: &str, region: &str, resource_type: &str, id: &str) -> Key {
    (
        account.to_string(),
        region.to_string(),
        resource_type.to_string(),
        id.to_string(),
    )
}

/// Matches every check's scope with its findings (muted ones included): a resource
/// a finding names fails (or is unknown); one no finding names passes, or does not
/// apply. A finding about a resource outside the scope is still counted.
pub fn judge(scopes: &[CheckScope], findings: &[Finding]) -> Judged {
    let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.status != Status::Pass) {
        by_check.entry(f.check.as_str()).or_default().push(f);
    }
    let mut out = Judged::default();
    for cs in scopes {
        let mut rows: BTreeMap<Key, Evaluated> = BTreeMap::new();
        // A check that failed while running decided nothing: what it would have
        // judged cannot pass.
        let crashed = by_check
            .get(cs.check.as_str())
            .is_some_and(|fs| fs.iter().any(|f| f.is_check_failure()));
        match cs.scope.as_ref().filter(|_| !crashed) {
            Some(scope) => {
                for s in scope {
                    let (judgement, reason) = match &s.applies {
                        Ok(why) => (Judgement::Pass, why.clone()),
                        Err(why) => (Judgement::NotApplicable, why.clone()),
                    };
                    rows.entry(key(
                        &s.account,
                        &s.region,
                        &s.resource.resource_type,
                        &s.resource.id,
                    ))
                    .or_insert_with(|| Evaluated {
                        check: cs.check.clone(),
                        account: s.account.clone(),
                        region: s.region.clone(),
                        resource: s.resource.clone(),
                        judgement,
                        reason,
                        findings: Vec::new(),
                        muted: false,
                    });
                }
            }
            None => out.unscoped.push(cs.check.clone()),
        }
        for f in by_check.get(cs.check.as_str()).into_iter().flatten() {
            let k = key(
                &f.account,
                &f.region,
                &f.resource.resource_type,
                &f.resource.id,
            );
            let row = rows.entry(k).or_insert_with(|| Evaluated {
                check: cs.check.clone(),
                account: f.account.clone(),
                region: f.region.clone(),
                resource: f.resource.clone(),
                judgement: Judgement::Pass,
                reason: String::new(),
                findings: Vec::new(),
                muted: true,
            });
            let judged = match f.status {
                Status::Fail => Judgement::Fail,
                _ => Judgement::Unknown,
            };
            if row.findings.is_empty() {
                // The first finding replaces the pass reason; every one after it
                // may only make the judgement worse.
                row.judgement = judged;
                row.reason = f.message.clone();
                row.muted = true;
            } else if judged == Judgement::Fail && row.judgement != Judgement::Fail {
                row.judgement = Judgement::Fail;
                row.reason = f.message.clone();
            }
            row.muted &= f.muted.is_some();
            row.findings.push(f.fingerprint.clone());
        }
        out.evaluated.extend(rows.into_values());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Muted, Resource};

    fn sg(id: &str) -> Resource {
        Resource {
            resource_type: "AWS::EC2::SecurityGroup".into(),
            id: id.into(),
            arn: None,
            name: None,
        }
    }

    fn finding(id: &str, status: Status, muted: bool) -> Finding {
        let mut f = Finding::sample("c", "AWS::EC2::SecurityGroup", id);
        f.account = "1".into();
        f.region = "r".into();
        f.status = status;
        f.message = format!("{status} {id}");
        f.fingerprint = format!("fp-{id}-{status}");
        if muted {
            f.muted = Some(Muted {
                reason: "accepted".into(),
                expires: None,
                rule: "m".into(),
            });
        }
        f
    }

    #[test]
    fn a_resource_passes_only_when_no_finding_names_it() {
        let scope = CheckScope {
            check: "c".into(),
            scope: Some(vec![
                Scoped::pass("1", "r", sg("sg-a"), "egress limited"),
                Scoped::pass("1", "r", sg("sg-b"), "egress limited"),
                Scoped::not_applicable("1", "r", sg("sg-c"), "not in use"),
                Scoped::pass("1", "r", sg("sg-d"), "x"),
            ]),
        };
        let findings = vec![
            finding("sg-b", Status::Unknown, false),
            finding("sg-b", Status::Fail, false),
            finding("sg-d", Status::Fail, true),
            // Outside the scope: still counted.
            finding("sg-e", Status::Unknown, false),
        ];
        let j = judge(&[scope], &findings);
        let got: Vec<(&str, Judgement, bool, &str)> = j
            .evaluated
            .iter()
            .map(|e| {
                (
                    e.resource.id.as_str(),
                    e.judgement,
                    e.muted,
                    e.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("sg-a", Judgement::Pass, false, "egress limited"),
                ("sg-b", Judgement::Fail, false, "fail sg-b"),
                ("sg-c", Judgement::NotApplicable, false, "not in use"),
                ("sg-d", Judgement::Fail, true, "fail sg-d"),
                ("sg-e", Judgement::Unknown, false, "unknown sg-e"),
            ]
        );
        assert_eq!(j.evaluated[1].findings.len(), 2);
        assert!(j.unscoped.is_empty());
    }

    #[test]
    fn a_check_that_failed_to_run_passes_nothing() {
        let mut failure = Finding::sample("c", crate::finding::CHECK_FAILED_TYPE, "c");
        failure.status = Status::Unknown;
        let j = judge(
            &[CheckScope {
                check: "c".into(),
                scope: Some(vec![Scoped::pass("1", "r", sg("sg-a"), "fine")]),
            }],
            &[failure],
        );
        assert_eq!(j.unscoped, ["c"]);
        assert!(j.evaluated.iter().all(|e| e.judgement != Judgement::Pass));
    }

    #[test]
    fn a_check_without_a_scope_reports_only_its_findings() {
        let j = judge(
            &[CheckScope {
                check: "c".into(),
                scope: None,
            }],
            &[finding("sg-a", Status::Fail, false)],
        );
        assert_eq!(j.unscoped, ["c"]);
        assert_eq!(j.evaluated.len(), 1);
        assert_eq!(j.evaluated[0].judgement, Judgement::Fail);
    }
}
