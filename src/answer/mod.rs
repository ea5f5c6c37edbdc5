//! Answers to ad-hoc questions, as plain data: `vpcaudit reach` (can A reach B) and
//! `vpcaudit diff` (what a change did), `vpcaudit compliance` (controls and their
//! evidence). The engine and the diff fill them in; the
//! renderers in `report` draw them; their serde shape is the JSON output.

pub mod compliance;
pub mod diff;
pub mod reach;
