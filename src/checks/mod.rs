//! The check registry and the network-risk catalogue.
//!
//! Every check is built on the reachability engine ([`crate::reach`]): its severity
//! reflects what is actually reachable, not what a rule string says. Each check is
//! one file here plus `checks/<id>.toml` (metadata and documentation, compiled in),
//! listed once in [`registry`]. What more than one check needs is in [`shared`]: no
//! check imports another.

pub mod classify;
pub mod context;
pub mod judge;
pub mod registry;
pub mod resources;
pub mod select;
pub mod settings;
pub mod shared;

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
#[cfg(test)]
mod tests_scope_route;
mod vpc_endpoint_missing_az;
mod vpc_endpoint_policy_open;
mod vpc_endpoint_required_missing;
// -- security groups, NACLs and peering --
mod nacl_admin_ports_open;
mod nacl_return_traffic_blocked;
mod nacl_shadowed_rule;
mod peering_route_too_broad;
mod sg_internal_cidr_trust;
mod sg_unused_open;
#[cfg(test)]
mod tests_network;
#[cfg(test)]
mod tests_scope_net;
// -- Network Firewall --
mod firewall_bypassed;
mod firewall_delete_protection_disabled;
mod firewall_endpoint_missing_az;
mod firewall_logging_disabled;
mod firewall_pass_rule_shadows;
mod firewall_policy_passes_by_default;
mod firewall_wildcard_domain;
#[cfg(test)]
mod tests_firewall;
// -- lateral movement --
mod lateral_blast_radius;
mod lateral_movement_path;
// -- EKS and Kubernetes --
mod eks_endpoint_public;
mod eks_network_policy_not_enforced;
mod k8s_dns_egress_blocked;
mod k8s_lateral_movement_path;
mod k8s_namespace_no_default_deny;
mod k8s_pod_egress_internet;
// -- DNS egress (Route 53 Resolver) --
mod dns_egress_unfiltered;
mod dns_firewall_fail_open;
mod dns_forwarding_to_internet;
mod dns_query_logging_disabled;
#[cfg(test)]
mod tests_dns;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_scope_k8s;

pub use context::{Context, Draft, Scoped};
pub use registry::Registered;

/// Files of `src/checks/` that are the checks' framework, not checks: every other
/// `.rs` file there (but `tests*.rs`) is a check, which the registry must list and
/// no other check may import (guards: `checks::tests`, `tests/layering.rs`).
pub const INFRASTRUCTURE: &[&str] = &[
    "mod",
    "classify",
    "context",
    "judge",
    "registry",
    "resources",
    "select",
    "settings",
];

/// One check: reads the context, returns drafts of its findings.
pub trait Check: Sync {
    fn run(&self, ctx: &Context) -> Vec<Draft>;

    /// Every resource the check judges, each with the one-line reason it passes when
    /// no finding of the check names it ("egress limited to 10.0.0.0/8; no internet
    /// route"), or why the check does not apply to it. A finding's resource is always
    /// in the scope: the registry matches them by account, region, type and id.
    /// `None`: the check cannot say what it judged, so nothing it did not report is
    /// a pass (compliance counts it unknown). Every check must say which: there is
    /// no default.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>>;

    /// Whether the check reads [`Context::lateral`]: the registry builds that
    /// analysis beside the other checks and runs these once it is done.
    fn reads_lateral(&self) -> bool {
        false
    }
}
