//! EC2 collectors: one call series per resource type per region.

mod connectivity;
mod eni;
mod nacl;
mod routing;
mod security_group;
mod transit;
mod vpc;
mod vpc_attribute;

pub use connectivity::{flow_logs, vpc_endpoints, vpc_peering_connections};
pub use eni::{instances, network_interfaces};
pub use nacl::network_acls;
pub use routing::{egress_only_internet_gateways, internet_gateways, nat_gateways, route_tables};
pub use security_group::{managed_prefix_lists, security_groups};
pub use transit::{transit_gateway_attachments, transit_gateway_route_tables, transit_gateways};
pub use vpc::{subnets, vpcs};
pub use vpc_attribute::dns_support;
