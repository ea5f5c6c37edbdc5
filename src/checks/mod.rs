//! The check registry and the network-risk catalogue.
//!
//! Every check is built on the reachability engine ([`crate::reach`]): its severity
//! reflects what is actually reachable, not what a rule string says. Each check is
//! one file here plus `checks/<id>.toml` (metadata and documentation, compiled in),
//! listed once in [`registry`].

pub mod classify;
pub mod context;
pub mod internet_route;
pub mod meta;
pub mod registry;
pub mod resources;
pub mod select;

mod egress_world_open;
mod flow_logs_disabled;
mod internet_exposed_port;
mod sg_default_allows_traffic;
mod subnet_auto_public_ip;
// -- routing and endpoints --
mod data_subnet_internet_route;
mod nat_without_filtering;
#[cfg(test)]
mod tests_routing;
mod vpc_endpoint_missing_az;
mod vpc_endpoint_required_missing;
// -- security groups, NACLs and peering --
// -- Network Firewall --

#[cfg(test)]
mod tests;

pub use context::{Context, Draft};
pub use meta::Meta;
pub use registry::Registered;

/// One check: reads the context, returns drafts of its findings.
pub trait Check: Sync {
    fn run(&self, ctx: &Context) -> Vec<Draft>;
}
