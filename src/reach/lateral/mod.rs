//! Private reachability between ENI classes, for lateral-movement paths: which
//! class can open which services on which, as a graph over classes, and the
//! shortest paths through it.
//!
//! Classes here refine [`ClassKey`] by the ENI's own primary addresses, because a
//! private connection depends on them: the peer's group rules, NACL entries and
//! route destinations match them by CIDR. Every CIDR of the inventory (rule peers,
//! prefix-list entries, NACL entries, route destinations, VPC, subnet and peering
//! blocks) cuts the address space into *atoms*: two addresses in one atom match
//! exactly the same CIDRs. So two ENIs with the same [`ClassKey`] and primary
//! addresses in the same atoms are indistinguishable to every rule the engine reads
//! for a connection between them and anyone (group references resolve to group
//! membership, which the key fixes), and one representative answers for all.
//!
//! A hop from one class to another on a service exists when the engine allows the
//! whole connection: the source's egress rules, the destination's ingress rules,
//! both NACLs with replies on the client's ephemeral ports (unless both sit in one
//! subnet), and the routes both ways (same VPC, peering, transit gateway). The
//! services are a [`Catalogue`] of at most 64 points (admin, web and data ports),
//! so one hop's answer is a `u64`; [`graph`] explains how every pair is answered
//! without evaluating every pair from scratch, and [`search`] walks the graph.

mod atoms;
mod bits;
pub mod graph;
pub mod search;

use std::collections::BTreeMap;

use crate::inventory::Inventory;

use super::classes::ClassKey;
use super::model::Model;
use atoms::Atoms;

pub use bits::{Catalogue, MAX_POINTS};
pub use graph::{pair_points, Graph, Pairs, TooLarge};
pub use search::Reach;

/// What makes two ENIs indistinguishable as either end of a private connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LateralKey {
    pub class: ClassKey,
    /// Atom of the primary private IPv4 / IPv6 address.
    pub v4_atom: Option<usize>,
    pub v6_atom: Option<usize>,
}

/// ENIs sharing a [`LateralKey`], sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateralClass {
    pub key: LateralKey,
    pub enis: Vec<String>,
}

/// Every ENI of the inventory grouped into lateral classes, ordered by key.
pub fn lateral_classes(model: &Model, inv: &Inventory) -> Vec<LateralClass> {
    let atoms = Atoms::all(inv);
    let mut by_key: BTreeMap<LateralKey, Vec<String>> = BTreeMap::new();
    for class in super::classes::classes(model, inv) {
        for id in class.enis {
            let Ok((_, eni)) = model.locate_eni(&id) else {
                continue;
            };
            let key = LateralKey {
                class: class.key.clone(),
                v4_atom: eni.private_ipv4s.first().map(|&a| atoms.of(a.into())),
                v6_atom: eni.ipv6s.first().map(|&a| atoms.of(a.into())),
            };
            by_key.entry(key).or_default().push(id);
        }
    }
    by_key
        .into_iter()
        .map(|(key, mut enis)| {
            enis.sort();
            LateralClass { key, enis }
        })
        .collect()
}
