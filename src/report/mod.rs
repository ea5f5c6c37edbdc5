//! What the user sees: tables and files.

pub mod finding;
pub mod findings_json;
pub mod findings_table;
pub mod inventory_summary;
