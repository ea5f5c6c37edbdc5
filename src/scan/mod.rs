//! The scan pipeline: which checks run, on what, and what their findings amount
//! to once the config's severities, the mutes and the baseline are applied. The
//! command line only parses arguments and prints what this decides; `scan` and any
//! later command that judges an inventory (`compliance`, `diff`) share it.
//!
//! ```text
//! Settings::load -> Plan::new (select checks) -> Plan::run (checks, mutes,
//!     baseline) -> Outcome { report, expired mutes } -> Outcome::verdict
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::checks::judge::{judge, Judged};
use crate::checks::registry::{self, Registered};
use crate::checks::select::{select, UnknownCheck};
use crate::checks::Context;
use crate::config::mute::{self as mute_file, Date};
use crate::config::{Config, ConfigError};
use crate::finding::{BaselineState, Finding, Meta, Severity, Status};
use crate::inventory::Inventory;
use crate::reach::Model;
use crate::report::scan_report::ScanReport;

pub mod baseline;
pub mod mutes;

use baseline::{Baseline, Scope};
use mutes::{Expired, Mutes};

/// Read from the current directory when no config file is named.
pub const DEFAULT_CONFIG: &str = "vpcaudit.toml";

/// Why a scan could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// `--checks` or `--skip` names no check.
    #[error(transparent)]
    UnknownCheck(#[from] UnknownCheck),
    /// The compiled-in check metadata does not parse (a bug the guard test catches).
    #[error("{0}")]
    Registry(String),
}

/// The config file and every mute rule, from wherever they were given.
pub struct Settings {
    pub config: Config,
    pub mutes: Mutes,
}

/// No config file and no mute rule: every default.
impl Default for Settings {
    fn default() -> Self {
        Settings {
            config: Config::default(),
            mutes: Mutes::new(Vec::new()),
        }
    }
}

impl Settings {
    /// The config file `config` (or `./vpcaudit.toml` when there is one), judged by
    /// the checks' rules too, and the mutes of both it and the `mutes` file.
    pub fn load(config: Option<&Path>, mutes: Option<&Path>) -> Result<Settings, ConfigError> {
        let path = match config {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let local = PathBuf::from(DEFAULT_CONFIG);
                local.is_file().then_some(local)
            }
        };
        let mut config = match &path {
            Some(p) => {
                tracing::info!(path = %p.display(), "reading the config");
                Config::load_with(p, &crate::checks::settings::validate)?
            }
            None => Config::default(),
        };
        let mut sources = Vec::new();
        if let Some(p) = &path {
            sources.push((p.display().to_string(), std::mem::take(&mut config.mute)));
        }
        if let Some(p) = mutes {
            sources.push((p.display().to_string(), mute_file::load_file(p)?));
        }
        Ok(Settings {
            config,
            mutes: Mutes::from_sources(sources),
        })
    }
}

/// The checks to run and the settings to run them with.
pub struct Plan {
    settings: Settings,
    checks: Vec<Registered>,
}

/// What to compare the findings with.
#[derive(Clone, Copy, Default)]
pub struct Compare<'b> {
    /// A previous run's findings: each is marked new, unchanged or absent.
    pub baseline: Option<&'b Baseline>,
    /// Keep only findings not in the baseline.
    pub only_new: bool,
    /// Judge every resource in the checks' scopes (pass evidence, for compliance).
    pub evaluate: bool,
    /// Also report the passes as findings with `status: pass` (`--include-passed`);
    /// implies `evaluate`.
    pub include_passed: bool,
}

/// One scan's result: the report every renderer reads, and the mutes that expired.
pub struct Outcome<'i> {
    pub report: ScanReport<'i>,
    /// Mute rules past their date: the findings they matched are reported again.
    pub expired: Vec<Expired>,
    /// Coverage gaps, or unmuted findings the engine could not decide (counted
    /// before `only_new` drops unchanged ones: an undecided finding seen every night
    /// still makes the scan incomplete).
    pub incomplete: bool,
    /// With `evaluate`: every resource each check judged, mutes applied.
    pub judged: Option<Judged>,
}

/// What a scan amounts to, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at or above the threshold, and (under `strict`) nothing unknown.
    Pass,
    /// An unmuted failing finding at or above the threshold.
    Findings,
    /// `strict`, nothing at the threshold, but something could not be collected or
    /// decided.
    Incomplete,
}

impl Plan {
    /// The registered checks named by `only` (all when empty) minus `skip`.
    pub fn new(settings: Settings, only: &[String], skip: &[String]) -> Result<Plan, ScanError> {
        let all = registry::all().map_err(ScanError::Registry)?;
        let chosen: Vec<String> = select(&all, only, skip)?
            .into_iter()
            .map(|r| r.meta.id.clone())
            .collect();
        let checks = all
            .into_iter()
            .filter(|r| chosen.contains(&r.meta.id))
            .collect();
        Ok(Plan { settings, checks })
    }

    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// The selected checks' metadata, each with its `[severity]` override: every
    /// renderer (the SARIF rule's level included) sees what the findings got.
    pub fn metas(&self) -> Vec<Meta> {
        self.checks
            .iter()
            .map(|r| {
                let mut m = r.meta.clone();
                if let Some(s) = self.settings.config.severity.get(&m.id) {
                    m.severity = s;
                }
                m
            })
            .collect()
    }

    /// Runs the checks on `inventory`, then the mutes (as of `today`) and the
    /// baseline. `started` is when the scan began (collection included).
    pub fn run<'i>(
        &self,
        inventory: &'i Inventory,
        compare: Compare,
        today: Date,
        started: Instant,
    ) -> Outcome<'i> {
        // Kubernetes objects alone (`--kube-objects` without AWS): the AWS checks have
        // nothing to judge, so only the Kubernetes ones run and are reported.
        let kubernetes_only = inventory.accounts.is_empty() && !inventory.kubernetes.is_empty();
        let selected: Vec<&Registered> = self
            .checks
            .iter()
            .filter(|r| !kubernetes_only || is_kubernetes(&r.meta))
            .collect();
        let phase = Instant::now();
        let model = Model::build(inventory);
        tracing::info!(
            ms = phase.elapsed().as_millis() as u64,
            "engine model built"
        );
        let phase = Instant::now();
        let ctx = Context::with_config(inventory, &model, self.settings.config.clone());
        tracing::info!(
            ms = phase.elapsed().as_millis() as u64,
            "check context built"
        );
        let phase = Instant::now();
        let mut findings = registry::run(&selected, &ctx);
        tracing::info!(
            ms = phase.elapsed().as_millis() as u64,
            checks = selected.len(),
            findings = findings.len(),
            "checks ran"
        );
        let scopes = (compare.evaluate || compare.include_passed).then(|| {
            let phase = Instant::now();
            let s = registry::scopes(&selected, &ctx);
            tracing::info!(ms = phase.elapsed().as_millis() as u64, "scopes listed");
            s
        });
        drop(ctx);

        let mutes = &self.settings.mutes;
        let expired = mutes.expired(today);
        mutes.apply(&mut findings, inventory, today);
        let judged = scopes.map(|s| judge(&s, &findings));

        let checks: Vec<Meta> = self
            .metas()
            .into_iter()
            .filter(|m| !kubernetes_only || is_kubernetes(m))
            .collect();
        let incomplete = !inventory.coverage.is_empty()
            || inventory.kubernetes.iter().any(|c| !c.gaps.is_empty())
            || findings
                .iter()
                .any(|f| f.status == Status::Unknown && f.muted.is_none());
        let passed = match (&judged, compare.include_passed) {
            (Some(j), true) => j
                .evaluated
                .iter()
                .filter_map(|e| {
                    let m = checks.iter().find(|m| m.id == e.check)?;
                    e.as_pass_finding(&m.title, m.severity)
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut absent = Vec::new();
        if let Some(b) = compare.baseline {
            // A failed check decided nothing, and a region with a coverage gap cannot
            // prove a finding gone: what was not collected would look fixed.
            let check_ids = baseline_scope_checks(&checks, &findings);
            let regions: Vec<(String, String)> = inventory
                .regions()
                .filter(|(a, r)| inventory.gaps_for(a, &r.region).next().is_none())
                .map(|(a, r)| (a.to_string(), r.region.clone()))
                .collect();
            absent = b.compare(
                &mut findings,
                &Scope {
                    checks: &check_ids,
                    regions: &regions,
                },
            );
            if compare.only_new {
                findings.retain(|f| f.baseline == Some(BaselineState::New));
                absent.clear();
            }
        }
        Outcome {
            report: ScanReport {
                inventory,
                checks,
                findings,
                passed,
                include_passed: compare.include_passed,
                absent,
                baselined: compare.baseline.is_some(),
                elapsed: started.elapsed(),
            },
            expired,
            incomplete,
            judged,
        }
    }
}

impl Outcome<'_> {
    /// `fail_on`: the least severe finding that fails the scan (`None`: never).
    /// `strict`: an incomplete scan that nothing failed is [`Verdict::Incomplete`].
    pub fn verdict(&self, fail_on: Option<Severity>, strict: bool) -> Verdict {
        let failing = fail_on.map_or(0, |t| self.report.failing(t));
        if failing > 0 {
            Verdict::Findings
        } else if strict && self.incomplete {
            Verdict::Incomplete
        } else {
            Verdict::Pass
        }
    }
}

impl Verdict {
    /// For a run that only reads the inventory (no checks): only coverage gaps can
    /// make it incomplete.
    pub fn for_inventory(inventory: &Inventory, strict: bool) -> Verdict {
        let gaps = !inventory.coverage.is_empty()
            || inventory.kubernetes.iter().any(|c| !c.gaps.is_empty());
        if strict && gaps {
            Verdict::Incomplete
        } else {
            Verdict::Pass
        }
    }
}

/// Whether a check judges EKS or Kubernetes objects.
fn is_kubernetes(meta: &Meta) -> bool {
    matches!(meta.service.as_str(), "kubernetes" | "eks")
}

/// The ids of the checks that ran and did not fail: a failed check reports one
/// finding on a `vpcaudit::Check` resource whose id is the check id.
fn baseline_scope_checks(checks: &[Meta], findings: &[Finding]) -> Vec<String> {
    let failed: Vec<&str> = findings
        .iter()
        .filter(|f| f.is_check_failure())
        .map(|f| f.resource.id.as_str())
        .collect();
    checks
        .iter()
        .map(|m| m.id.clone())
        .filter(|id| !failed.contains(&id.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::CHECK_FAILED_TYPE;

    fn finding(check: &str, resource_type: &str, id: &str) -> Finding {
        Finding::sample(check, resource_type, id)
    }

    fn settings(config: Config) -> Settings {
        Settings {
            config,
            mutes: Mutes::new(Vec::new()),
        }
    }

    #[test]
    fn failed_checks_are_left_out_of_the_baseline_scope() {
        let all = registry::all().expect("registry");
        let (a, b) = (all[0].meta.clone(), all[1].meta.clone());
        let findings = vec![
            finding(&a.id, "AWS::EC2::SecurityGroup", "sg-1"),
            finding(&b.id, CHECK_FAILED_TYPE, &b.id),
        ];
        let checks = vec![a.clone(), b.clone()];
        assert_eq!(
            baseline_scope_checks(&checks, &findings),
            vec![a.id.clone()]
        );
        // A resource that happens to be named like a check does not count.
        let findings = vec![finding(&a.id, "AWS::EC2::SecurityGroup", &b.id)];
        assert_eq!(baseline_scope_checks(&checks, &findings), [a.id, b.id]);
    }

    #[test]
    fn severity_overrides_reach_the_check_metadata() {
        let all = registry::all().expect("registry");
        let meta = all
            .iter()
            .map(|r| &r.meta)
            .find(|m| m.severity != Severity::Info)
            .expect("a check above info");
        let config =
            Config::parse(&format!("[severity]\n{} = \"info\"\n", meta.id)).expect("config");
        let plan = Plan::new(settings(config), &[], &[]).expect("plan");
        let metas = plan.metas();
        let got = |id: &str| metas.iter().find(|m| m.id == id).expect("selected");
        assert_eq!(got(&meta.id).severity, Severity::Info);
        let other = all
            .iter()
            .map(|r| &r.meta)
            .find(|m| m.id != meta.id)
            .expect("another check");
        assert_eq!(got(&other.id), other);
        let plain = Plan::new(settings(Config::default()), &[], &[]).expect("plan");
        let metas = plain.metas();
        assert_eq!(
            metas.iter().find(|m| m.id == meta.id).map(|m| m.severity),
            Some(meta.severity)
        );
    }

    #[test]
    fn unknown_check_ids_are_refused_before_anything_runs() {
        let e = Plan::new(settings(Config::default()), &["nope".into()], &[])
            .err()
            .expect("refused");
        assert!(e.to_string().contains("\"nope\" in --checks"), "{e}");
        let e = Plan::new(settings(Config::default()), &[], &["nope".into()])
            .err()
            .expect("refused");
        assert!(e.to_string().contains("--skip"), "{e}");
    }

    #[test]
    fn the_verdict_follows_the_threshold_then_strictness() {
        let inventory = Inventory::new(0);
        let mut high = finding("x", "AWS::EC2::SecurityGroup", "sg-1");
        high.status = Status::Fail;
        let outcome = |findings: Vec<Finding>, incomplete: bool| Outcome {
            report: ScanReport {
                inventory: &inventory,
                checks: Vec::new(),
                findings,
                passed: Vec::new(),
                include_passed: false,
                absent: Vec::new(),
                baselined: false,
                elapsed: std::time::Duration::ZERO,
            },
            expired: Vec::new(),
            incomplete,
            judged: None,
        };
        let o = outcome(vec![high.clone()], true);
        assert_eq!(o.verdict(Some(Severity::High), true), Verdict::Findings);
        assert_eq!(
            o.verdict(Some(Severity::Critical), true),
            Verdict::Incomplete
        );
        assert_eq!(o.verdict(Some(Severity::Critical), false), Verdict::Pass);
        assert_eq!(o.verdict(None, false), Verdict::Pass);
        let mut muted = high;
        muted.muted = Some(crate::finding::Muted {
            reason: "r".into(),
            expires: None,
            rule: "m".into(),
        });
        assert_eq!(
            outcome(vec![muted], false).verdict(Some(Severity::Info), true),
            Verdict::Pass
        );
        assert_eq!(Verdict::for_inventory(&inventory, true), Verdict::Pass);
    }
}
