//! Everything one scan produced, as every renderer reads it: the findings (with
//! their baseline and mute annotations), the findings a baseline had that are gone,
//! the checks that ran and what was scanned.

use std::time::Duration;

use crate::finding::{Finding, Meta, Severity, Status};
use crate::inventory::Inventory;

pub struct ScanReport<'a> {
    pub inventory: &'a Inventory,
    /// The checks that ran, in registry order, with the severities the config set.
    pub checks: Vec<Meta>,
    /// Current findings, sorted, muted ones included (marked).
    pub findings: Vec<Finding>,
    /// With `--include-passed`: every resource a check judged and found nothing on,
    /// as a finding with `status: pass`, in check order. Empty otherwise.
    pub passed: Vec<Finding>,
    /// Whether passes were asked for (so an empty `passed` means none passed).
    pub include_passed: bool,
    /// With `--baseline`: the baseline's findings that are no longer found, marked
    /// `absent`.
    pub absent: Vec<Finding>,
    /// Whether a baseline was compared (so "new" means something).
    pub baselined: bool,
    /// Wall time of the scan: collection (or loading) and checks.
    pub elapsed: Duration,
}

impl<'a> ScanReport<'a> {
    pub fn check_ids(&self) -> Vec<String> {
        self.checks.iter().map(|m| m.id.clone()).collect()
    }

    /// The metadata of a check that ran.
    pub fn meta(&self, id: &str) -> Option<&Meta> {
        self.checks.iter().find(|m| m.id == id)
    }

    /// Findings not muted: what people act on and what the exit code counts.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.muted.is_none())
    }

    pub fn muted_count(&self) -> usize {
        self.findings.iter().filter(|f| f.muted.is_some()).count()
    }

    /// The accounts scanned, sorted.
    pub fn accounts(&self) -> Vec<&'a str> {
        let mut out: Vec<&str> = self
            .inventory
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The region names scanned, sorted, each once.
    pub fn regions(&self) -> Vec<&'a str> {
        let mut out: Vec<&str> = self
            .inventory
            .regions()
            .map(|(_, r)| r.region.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Resources the inventory holds, over every account and region.
    pub fn resources(&self) -> usize {
        self.inventory
            .regions()
            .map(|(_, r)| r.resource_counts().iter().map(|(_, n)| n).sum::<usize>())
            .sum()
    }

    /// Active findings that fail at `threshold` or above.
    pub fn failing(&self, threshold: Severity) -> usize {
        self.active()
            .filter(|f| f.status == Status::Fail && f.severity <= threshold)
            .count()
    }
}
