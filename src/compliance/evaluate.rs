//! What a scan's pass evidence amounts to, control by control.
//!
//! A control's resources are every resource its checks judged; a resource counts
//! once, with its worst outcome over the checks (`combine = "all"`). Muted findings
//! are accepted exceptions: they neither fail the control nor count as passes.

use std::collections::{BTreeMap, HashMap};

use crate::answer::compliance::{
    ComplianceReport, ControlCheckRef, ControlFinding, ControlResult, ControlStatus,
    FrameworkResult, ResourceCounts, Score, SectionResult, SCHEMA,
};
use crate::finding::{Evaluated, Finding, Judgement, Status};

use super::framework::{Combine, Control, ControlCheck, Framework};

/// What the scan produced, as the evaluation reads it.
pub struct Evidence<'a> {
    /// The checks that ran.
    pub ran: &'a [String],
    /// Every resource each check judged (mutes applied).
    pub evaluated: &'a [Evaluated],
    /// Checks that could not say what they judged.
    pub unscoped: &'a [String],
    /// The scan's findings, muted ones included.
    pub findings: &'a [Finding],
    /// What could not be collected (`account region: what`): nothing may pass
    /// where data is missing, so every control not failed is unknown.
    pub gaps: &'a [String],
}

/// Where the scan looked, for the report's header.
pub struct Scanned {
    pub collected_at: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

/// Each framework of `frameworks`, control by control.
pub fn evaluate(
    frameworks: &[Framework],
    evidence: &Evidence,
    scanned: Scanned,
) -> ComplianceReport {
    let index = Index::new(evidence);
    ComplianceReport {
        schema: SCHEMA.to_string(),
        collected_at: scanned.collected_at,
        accounts: scanned.accounts,
        regions: scanned.regions,
        checks: evidence.ran.to_vec(),
        frameworks: frameworks.iter().map(|f| framework(f, &index)).collect(),
    }
}

/// The evidence, by check and by fingerprint.
struct Index<'a> {
    ran: &'a [String],
    gaps: &'a [String],
    unscoped: &'a [String],
    by_check: HashMap<&'a str, Vec<&'a Evaluated>>,
    findings: HashMap<&'a str, &'a Finding>,
}

impl<'a> Index<'a> {
    fn new(e: &Evidence<'a>) -> Index<'a> {
        let mut by_check: HashMap<&str, Vec<&Evaluated>> = HashMap::new();
        for row in e.evaluated {
            by_check.entry(row.check.as_str()).or_default().push(row);
        }
        Index {
            ran: e.ran,
            gaps: e.gaps,
            unscoped: e.unscoped,
            by_check,
            findings: e
                .findings
                .iter()
                .filter(|f| f.status != Status::Pass)
                .map(|f| (f.fingerprint.as_str(), f))
                .collect(),
        }
    }

    fn ran(&self, check: &str) -> bool {
        self.ran.iter().any(|c| c == check)
    }
}

fn framework(f: &Framework, index: &Index) -> FrameworkResult {
    let mut sections: Vec<SectionResult> = f
        .sections
        .iter()
        .map(|s| SectionResult {
            id: s.id.clone(),
            title: s.title.clone(),
            score: Score::default(),
            controls: Vec::new(),
        })
        .collect();
    for c in &f.controls {
        let result = control(c, index);
        if let Some(s) = sections.iter_mut().find(|s| s.id == c.section) {
            s.controls.push(result);
        }
    }
    for s in &mut sections {
        s.score = score(s.controls.iter());
    }
    FrameworkResult {
        id: f.id.clone(),
        name: f.name.clone(),
        version: f.version.clone(),
        url: f.url.clone(),
        scope: f.scope.clone(),
        score: score(sections.iter().flat_map(|s| &s.controls)),
        sections,
    }
}

fn score<'a>(controls: impl Iterator<Item = &'a ControlResult>) -> Score {
    let mut s = Score::default();
    for c in controls {
        match c.status {
            ControlStatus::Pass => s.pass += 1,
            ControlStatus::Fail => s.fail += 1,
            ControlStatus::Unknown => s.unknown += 1,
            ControlStatus::Manual => s.manual += 1,
            ControlStatus::NotApplicable => s.not_applicable += 1,
        }
    }
    let decided = s.pass + s.fail + s.unknown;
    // Rounded down: a control short of all passing never shows 100%.
    s.percent = (decided > 0).then(|| (s.pass * 100 / decided) as u8);
    s
}

/// How one resource came out for a control: worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Fail,
    Unknown,
    Excepted,
    Pass,
    NotApplicable,
}

/// One check's part: each resource's outcome, and the findings behind them.
#[derive(Default)]
struct Part<'a> {
    resources: BTreeMap<(&'a str, &'a str, &'a str, &'a str), Outcome>,
    findings: Vec<&'a Finding>,
    exceptions: Vec<&'a Finding>,
    /// Why the part cannot pass whatever its resources say.
    undecided: Option<String>,
}

fn part<'a>(cc: &ControlCheck, index: &Index<'a>) -> Part<'a> {
    let mut p = Part::default();
    if !index.ran(&cc.id) {
        p.undecided = Some(format!("check {} was not run", cc.id));
        return p;
    }
    if index.unscoped.contains(&cc.id) {
        p.undecided = Some(format!("check {} cannot list what it judged", cc.id));
    } else if let Some(gap) = index.gaps.first() {
        p.undecided = Some(match index.gaps.len() {
            1 => format!("data could not be collected: {gap}"),
            n => format!("data could not be collected: {gap}, and {} more", n - 1),
        });
    }
    for row in index.by_check.get(cc.id.as_str()).into_iter().flatten() {
        let key = (
            row.account.as_str(),
            row.region.as_str(),
            row.resource.resource_type.as_str(),
            row.resource.id.as_str(),
        );
        let outcome = match row.judgement {
            Judgement::Pass => Outcome::Pass,
            Judgement::NotApplicable => Outcome::NotApplicable,
            Judgement::Fail | Judgement::Unknown => {
                let counted: Vec<&Finding> = row
                    .findings
                    .iter()
                    .filter_map(|fp| index.findings.get(fp.as_str()).copied())
                    // The severities filter what fails; an undecided finding
                    // always counts, whatever severity it was given.
                    .filter(|f| {
                        f.status != Status::Fail
                            || cc.severities.is_empty()
                            || cc.severities.contains(&f.severity)
                    })
                    .collect();
                let (muted, active): (Vec<&Finding>, Vec<&Finding>) =
                    counted.iter().partition(|f| f.muted.is_some());
                p.exceptions.extend(&muted);
                p.findings.extend(&active);
                if active.iter().any(|f| f.status == Status::Fail) {
                    Outcome::Fail
                } else if !active.is_empty() {
                    Outcome::Unknown
                } else if !muted.is_empty() {
                    Outcome::Excepted
                } else {
                    // Only findings of severities the control does not count.
                    Outcome::Pass
                }
            }
        };
        let slot = p.resources.entry(key).or_insert(outcome);
        *slot = (*slot).min(outcome);
    }
    p
}

fn control(c: &Control, index: &Index) -> ControlResult {
    let checks: Vec<ControlCheckRef> = c
        .checks
        .iter()
        .map(|cc| ControlCheckRef {
            id: cc.id.clone(),
            severities: cc
                .severities
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            ran: index.ran(&cc.id),
        })
        .collect();
    let mut result = ControlResult {
        id: c.id.clone(),
        title: c.title.clone(),
        status: ControlStatus::Manual,
        reason: String::new(),
        note: c.note.clone(),
        checks,
        combine: c.combine.as_str().to_string(),
        resources: ResourceCounts::default(),
        findings: Vec::new(),
        exceptions: Vec::new(),
    };
    if c.checks.is_empty() {
        result.reason = c
            .manual
            .clone()
            .unwrap_or_else(|| "no vpcaudit check decides it".to_string());
        return result;
    }
    let parts: Vec<Part> = c.checks.iter().map(|cc| part(cc, index)).collect();
    let all: Vec<&Part> = parts.iter().collect();
    let (chosen, (status, reason, counts)) = match c.combine {
        Combine::All => (all.clone(), status_of(&all)),
        Combine::Any => {
            // Alternatives: the control is as good as its best check; a passing one
            // alone is the evidence.
            let best = parts
                .iter()
                .map(|p| (p, status_of(&[p])))
                .min_by_key(|(_, (s, _, _))| any_rank(*s));
            match best {
                Some((p, decided)) if decided.0 == ControlStatus::Pass => (vec![p], decided),
                Some((_, (s, r, _))) => (all.clone(), (s, r, status_of(&all).2)),
                None => (all.clone(), status_of(&all)),
            }
        }
    };
    result.status = status;
    result.reason = reason;
    result.resources = counts;
    let mut findings: Vec<&Finding> = chosen
        .iter()
        .flat_map(|p| p.findings.iter().copied())
        .collect();
    let mut exceptions: Vec<&Finding> = chosen
        .iter()
        .flat_map(|p| p.exceptions.iter().copied())
        .collect();
    for list in [&mut findings, &mut exceptions] {
        list.sort_by(|a, b| {
            (a.severity, &a.check, &a.resource.id, &a.fingerprint).cmp(&(
                b.severity,
                &b.check,
                &b.resource.id,
                &b.fingerprint,
            ))
        });
        list.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    }
    result.findings = findings.into_iter().map(control_finding).collect();
    result.exceptions = exceptions.into_iter().map(control_finding).collect();
    result
}

/// For `any`: a passing alternative beats an undecided one, which beats failing.
fn any_rank(s: ControlStatus) -> u8 {
    match s {
        ControlStatus::Pass => 0,
        ControlStatus::Unknown => 1,
        ControlStatus::Fail => 2,
        ControlStatus::NotApplicable => 3,
        ControlStatus::Manual => 4,
    }
}

/// The status of the parts taken together (every resource its worst outcome).
fn status_of(parts: &[&Part]) -> (ControlStatus, String, ResourceCounts) {
    let mut worst: BTreeMap<(&str, &str, &str, &str), Outcome> = BTreeMap::new();
    for p in parts {
        for (k, o) in &p.resources {
            let slot = worst.entry(*k).or_insert(*o);
            *slot = (*slot).min(*o);
        }
    }
    let mut n = ResourceCounts::default();
    for o in worst.values() {
        match o {
            Outcome::Fail => n.failed += 1,
            Outcome::Unknown => n.unknown += 1,
            Outcome::Excepted => n.excepted += 1,
            Outcome::Pass => n.passed += 1,
            Outcome::NotApplicable => n.not_applicable += 1,
        }
    }
    let judged = n.failed + n.unknown + n.excepted + n.passed;
    let undecided: Vec<&str> = parts
        .iter()
        .filter_map(|p| p.undecided.as_deref())
        .collect();
    let plural = |k: usize| if k == 1 { "resource" } else { "resources" };
    let status = if n.failed > 0 {
        (
            ControlStatus::Fail,
            format!("{} of {judged} {} fail", n.failed, plural(judged)),
        )
    } else if !undecided.is_empty() {
        (ControlStatus::Unknown, undecided.join("; "))
    } else if n.unknown > 0 {
        (
            ControlStatus::Unknown,
            format!(
                "{} of {judged} {} could not be decided",
                n.unknown,
                plural(judged)
            ),
        )
    } else if n.passed == 0 && n.excepted > 0 {
        // Accepted exceptions are not passes: with nothing else, nothing passes.
        (
            ControlStatus::Unknown,
            format!(
                "only accepted exceptions: {} muted, none passing",
                n.excepted
            ),
        )
    } else if judged == 0 {
        (
            ControlStatus::NotApplicable,
            if n.not_applicable > 0 {
                format!(
                    "none of the {} {} its checks saw is in scope",
                    n.not_applicable,
                    plural(n.not_applicable)
                )
            } else {
                "nothing in the scanned estate for its checks to judge".to_string()
            },
        )
    } else {
        let mut r = format!("{} {} pass", n.passed, plural(n.passed));
        if n.excepted > 0 {
            r.push_str(&format!(
                "; {} accepted {} (muted)",
                n.excepted,
                if n.excepted == 1 {
                    "exception"
                } else {
                    "exceptions"
                }
            ));
        }
        (ControlStatus::Pass, r)
    };
    (status.0, status.1, n)
}

fn control_finding(f: &Finding) -> ControlFinding {
    ControlFinding {
        check: f.check.clone(),
        severity: f.severity.as_str().to_string(),
        status: f.status.as_str().to_string(),
        account: f.account.clone(),
        region: f.region.clone(),
        resource_type: f.resource.resource_type.clone(),
        resource: f.resource.id.clone(),
        message: f.message.clone(),
        fingerprint: f.fingerprint.clone(),
        muted: f.muted.as_ref().map(|m| {
            let mut s = format!("{} ({})", m.reason, m.rule);
            if let Some(e) = &m.expires {
                s.push_str(&format!(", until {e}"));
            }
            s
        }),
    }
}
