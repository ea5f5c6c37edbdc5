//! Saving and loading inventories as JSON files.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{Inventory, INVENTORY_SCHEMA};

#[derive(Debug, Error)]
pub enum InventoryFileError {
    #[error("cannot read inventory {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid inventory {path} at line {line}, column {column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("inventory {path} has schema {found:?}; this vpcaudit reads {INVENTORY_SCHEMA:?}")]
    Schema { path: PathBuf, found: String },
}

impl Inventory {
    pub fn from_json_str(text: &str, path: &Path) -> Result<Inventory, InventoryFileError> {
        let inventory: Inventory =
            serde_json::from_str(text).map_err(|e| InventoryFileError::Parse {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            })?;
        if inventory.schema != INVENTORY_SCHEMA {
            return Err(InventoryFileError::Schema {
                path: path.to_path_buf(),
                found: inventory.schema,
            });
        }
        Ok(inventory)
    }

    pub fn load(path: &Path) -> Result<Inventory, InventoryFileError> {
        let text = fs::read_to_string(path).map_err(|source| InventoryFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Inventory::from_json_str(&text, path)
    }

    pub fn to_json_pretty(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
