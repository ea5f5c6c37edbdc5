//! Reachability: whether traffic can get from A to B through security groups,
//! NACLs, routes and Network Firewall.
//!
//! `sets` holds the exact set algebra (addresses, services, flows) the engine
//! reasons with; nothing here approximates, so "open to the world" is a proof,
//! not a guess.

pub mod sets;
