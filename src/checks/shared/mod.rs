//! Helpers more than one check uses. A check imports from here, never from another
//! check (`tests/layering.rs` guards that), so changing one check cannot break
//! another.

pub mod cidrs;
pub mod dns;
pub mod endpoints;
pub mod firewall;
pub mod internet_route;
pub mod kubernetes;
pub mod lateral;
pub mod load_balancer;
pub mod nacl;
pub mod ports;
pub mod scope;
