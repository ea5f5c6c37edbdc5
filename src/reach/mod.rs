//! Reachability: whether traffic can get from A to B through security groups,
//! NACLs, routes and Network Firewall.
//!
//! `sets` holds the exact set algebra (addresses, services, flows) the engine
//! reasons with; nothing here approximates, so "open to the world" is a proof,
//! not a guess.
//!
//! - [`model`]: the inventory indexed once, with what could not be collected;
//! - [`security_group`]: per-ENI, stateful, allow-only evaluation;
//! - [`group_scope`]: which VPCs a group reference reaches (peering, TGW);
//! - [`lateral`]: private reachability between every pair of ENI classes;
//! - [`nacl`]: per-subnet, stateless, first-match evaluation and connections;
//! - [`dns`]: Route 53 Resolver DNS Firewall, first match over a VPC's rule groups;
//! - [`verdict`]: allowed / blocked / unknown, with the steps that explain it.

pub mod classes;
pub mod dns;
pub mod explain;
pub mod exposure;
pub mod firewall;
pub mod group_scope;
pub mod kubernetes;
pub mod lateral;
pub mod load_balancer;
pub mod model;
pub mod nacl;
pub mod path;
pub mod query;
pub mod route;
pub mod security_group;
pub mod sets;
pub mod verdict;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use model::{Model, RegionModel, SubnetInfo};
pub use verdict::{Evaluation, Step, Verdict};
