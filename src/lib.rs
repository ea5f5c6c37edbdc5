//! vpcaudit: audits the network security of live AWS accounts.
//!
//! Data flows one way: `collect` (AWS APIs) -> `inventory` (plain data) -> `report`.

pub mod answer;
pub mod checks;
#[cfg(feature = "aws")]
pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
pub mod compliance;
pub mod config;
pub mod demo;
#[cfg(feature = "aws")]
pub mod diff;
#[cfg(feature = "aws")]
pub mod exit;
#[cfg(feature = "aws")]
pub mod export;
pub mod files;
pub mod finding;
pub mod inventory;
#[cfg(feature = "aws")]
pub mod logging;
pub mod reach;
pub mod report;
pub mod scan;
pub mod secrets;
pub mod source_text;
pub mod synth;
