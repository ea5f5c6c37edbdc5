//! Compliance frameworks: which checks decide each control, and what a scan's pass
//! evidence amounts to, control by control. The frameworks are data
//! (`compliance/<framework>.toml`), compiled in; the per-check compliance metadata
//! (`vpcaudit explain`, SARIF tags) is read from them, never written twice.

pub mod evaluate;
pub mod framework;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_evaluate;

use crate::finding::ControlRef;

pub use framework::{Combine, Control, ControlCheck, Framework, Section};

macro_rules! frameworks {
    ($($file:literal,)*) => {
        /// The TOML source of every framework, in the order reports list them.
        pub const FRAMEWORKS: &[&str] = &[
            $(include_str!(concat!("../../compliance/", $file, ".toml")),)*
        ];
    };
}

frameworks! {
    "cis-aws-5.0",
    "fsbp",
    "nist-800-53-r5",
    "pci-dss-4.0",
}

/// Every framework, parsed. A failure is a bug the guard test catches, reported
/// as an error rather than a panic all the same.
pub fn all() -> Result<Vec<Framework>, String> {
    FRAMEWORKS
        .iter()
        .map(|s| Framework::parse(s).map_err(|e| format!("compliance framework: {e}")))
        .collect()
}

/// The framework ids `--framework` takes.
pub fn ids() -> Result<Vec<String>, String> {
    Ok(all()?.into_iter().map(|f| f.id).collect())
}

/// The controls `check` decides: (framework id, control id), in framework order.
pub fn controls_of(frameworks: &[Framework], check: &str) -> Vec<(String, String)> {
    frameworks
        .iter()
        .flat_map(|f| {
            f.controls
                .iter()
                .filter(|c| c.checks.iter().any(|cc| cc.id == check))
                .map(|c| (f.id.clone(), c.id.clone()))
        })
        .collect()
}

/// The controls `check` decides, as the check's metadata carries them
/// (`vpcaudit explain`, SARIF rule tags), in framework order.
pub fn control_refs(frameworks: &[Framework], check: &str) -> Vec<ControlRef> {
    frameworks
        .iter()
        .flat_map(|f| {
            f.controls
                .iter()
                .filter(|c| c.checks.iter().any(|cc| cc.id == check))
                .map(|c| ControlRef {
                    framework: f.id.clone(),
                    framework_title: f.title(),
                    control: c.id.clone(),
                })
        })
        .collect()
}
