//! Reading OLD and NEW: an inventory, or a `vpcaudit scan --format json` report, told
//! apart by the document's `schema`.

use std::path::Path;

use serde::Deserialize;

use super::DiffError;
use crate::finding::Finding;
use crate::inventory::{Inventory, InventoryFileError};

/// The schema of a `vpcaudit scan --format json` report. The report layer defines it;
/// this layer may not name that layer, and the CLI tests check a real report loads.
pub const FINDINGS_SCHEMA: &str = "vpcaudit/findings/v1";

/// One side of the comparison.
pub enum Document {
    Inventory(Box<Inventory>),
    Findings(Vec<Finding>),
}

impl Document {
    /// What it is, as the mixed-kinds error names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Inventory(_) => "an inventory",
            Document::Findings(_) => "a findings report",
        }
    }
}

/// Only what a findings report holds that the diff reads.
#[derive(Deserialize)]
struct Report {
    findings: Vec<Finding>,
}

/// Reads `path`. An unreadable file, or one that is neither an inventory nor a
/// findings report, is an [`InventoryFileError`] (a usage error, exit 2).
pub fn load(path: &Path) -> Result<Document, DiffError> {
    let text = Inventory::read_text(path)?;
    // Inventories are the common case and the large one: parsed once, straight away;
    // a report is refused by its schema and read as what it is.
    match Inventory::from_json_str(&text, path) {
        Ok(inventory) => Ok(Document::Inventory(Box::new(inventory))),
        Err(InventoryFileError::Schema { found, .. }) if found == FINDINGS_SCHEMA => {
            let report: Report =
                serde_json::from_str(&text).map_err(|e| DiffError::InvalidReport {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            Ok(Document::Findings(report.findings))
        }
        Err(e) => Err(e.into()),
    }
}
