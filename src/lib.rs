//! vpcaudit: audits the network security of live AWS accounts.
//!
//! Data flows one way: `collect` (AWS APIs) -> `inventory` (plain data) -> `report`.

pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod demo;
pub mod exit;
pub mod files;
pub mod inventory;
pub mod reach;
pub mod report;
pub mod synth;
