//! What the user sees: tables and files.

pub mod inventory_summary;
