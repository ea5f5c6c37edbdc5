//! Saving and loading inventories as JSON files.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{Inventory, INVENTORY_SCHEMA, INVENTORY_SCHEMA_V1, INVENTORY_SCHEMA_V2};

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
    #[error(
        "inventory {path} has schema {found:?}; this vpcaudit reads {INVENTORY_SCHEMA:?}, \
         {INVENTORY_SCHEMA_V2:?} and {INVENTORY_SCHEMA_V1:?}"
    )]
    Schema { path: PathBuf, found: String },
}

/// Only the schema of a document, to name a file of another format as such.
#[derive(serde::Deserialize)]
struct Head {
    schema: String,
}

impl Inventory {
    pub fn from_json_str(text: &str, path: &Path) -> Result<Inventory, InventoryFileError> {
        let inventory: Inventory = match serde_json::from_str(text) {
            Ok(inventory) => inventory,
            Err(e) => {
                // Another schema fails on its first unfamiliar field; its schema is
                // the better message.
                if let Ok(head) = serde_json::from_str::<Head>(text) {
                    if !is_readable_schema(&head.schema) {
                        return Err(InventoryFileError::Schema {
                            path: path.to_path_buf(),
                            found: head.schema,
                        });
                    }
                }
                return Err(InventoryFileError::Parse {
                    path: path.to_path_buf(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                });
            }
        };
        let mut inventory = inventory;
        // v1 is v3 without EKS clusters, Kubernetes objects, load balancers and
        // Route 53 Resolver, v2 without the last two; they default to none (Route 53
        // Resolver to "not collected"), and the loaded inventory saves as v3.
        if inventory.schema == INVENTORY_SCHEMA_V1 || inventory.schema == INVENTORY_SCHEMA_V2 {
            inventory.schema = INVENTORY_SCHEMA.to_string();
        }
        if inventory.schema != INVENTORY_SCHEMA {
            return Err(InventoryFileError::Schema {
                path: path.to_path_buf(),
                found: inventory.schema,
            });
        }
        Ok(inventory)
    }

    pub fn load(path: &Path) -> Result<Inventory, InventoryFileError> {
        Inventory::from_json_str(&Inventory::read_text(path)?, path)
    }

    /// A file's text, read as bytes so that a byte that is not UTF-8 is named by its
    /// place.
    pub fn read_text(path: &Path) -> Result<String, InventoryFileError> {
        let bytes = fs::read(path).map_err(|source| InventoryFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        crate::source_text::decode_utf8(bytes).map_err(|(line, column)| InventoryFileError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: "not UTF-8 text".into(),
        })
    }

    pub fn to_json_pretty(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }
}

fn is_readable_schema(schema: &str) -> bool {
    [INVENTORY_SCHEMA, INVENTORY_SCHEMA_V2, INVENTORY_SCHEMA_V1].contains(&schema)
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
