//! A small sample inventory shipped inside the binary, so `vpcaudit scan --demo` shows
//! the tool working with no AWS account. It was collected by vpcaudit itself from the
//! emulator seeded with `mocks/scenarios/leaky-three-tier.yaml`.

use std::path::Path;

use crate::inventory::{Inventory, InventoryFileError};

const DEMO_JSON: &str = include_str!("demo/inventory.json");

pub fn inventory() -> Result<Inventory, InventoryFileError> {
    Inventory::from_json_str(DEMO_JSON, Path::new("<built-in demo inventory>"))
}
