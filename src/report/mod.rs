//! What the user sees: tables and files.

pub mod attack_graph;
pub mod dot;
pub mod findings_csv;
pub mod findings_json;
pub mod findings_table;
pub mod html;
pub mod inventory_summary;
pub mod sarif;
pub mod scan_report;
pub mod text;
