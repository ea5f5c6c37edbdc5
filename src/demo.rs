//! A small sample inventory shipped inside the binary, so `vpcaudit scan --demo` shows
//! the tool working with no AWS account. It was collected by vpcaudit itself from the
//! emulator seeded with `mocks/scenarios/leaky-three-tier.yaml`; the EKS cluster
//! `lk-eks` (its EKS description, its Kubernetes objects and the pod addresses on its
//! nodes' ENIs) was added by hand, after the seed lessons: payments reachable only from
//! the API gateway and Prometheus, a WordPress in `marketing` beside an unprotected
//! `finance`, and a zero-egress namespace that forgets kube-dns.

use std::path::Path;

use crate::inventory::{Inventory, InventoryFileError};

const DEMO_JSON: &str = include_str!("demo/inventory.json");

pub fn inventory() -> Result<Inventory, InventoryFileError> {
    Inventory::from_json_str(DEMO_JSON, Path::new("<built-in demo inventory>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo holds every resource kind the collector produces, so it doubles as a
    /// round-trip fixture that needs no emulator.
    #[test]
    fn demo_inventory_round_trips() {
        let inv = inventory().expect("the built-in demo loads");
        let json = inv.to_json_pretty().expect("serialises");
        let back = Inventory::from_json_str(&json, Path::new("mem")).expect("reloads");
        assert_eq!(back, inv);
        let r = &inv.accounts[0].regions[0];
        assert!(!r.firewall_rule_groups.is_empty() && !r.transit_gateway_route_tables.is_empty());
        assert!(
            !r.vpc_peering_connections.is_empty() && !r.egress_only_internet_gateways.is_empty()
        );
    }
}
