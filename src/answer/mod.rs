//! Answers to ad-hoc questions, as plain data: `vpcaudit reach` (can A reach B) and
//! `vpcaudit diff` (what a change did). The engine and the diff fill them in; the
//! renderers in `report` draw them; their serde shape is the JSON output.

pub mod diff;
pub mod reach;
