//! Exact set algebra over addresses, services and flows.
//!
//! - [`interval`]: sorted, coalesced integer interval sets (the building block);
//! - [`addr`]: IPv4/IPv6 address sets built from and shown as CIDRs;
//! - [`service`]: protocols, ports and ICMP type/codes a rule matches;
//! - [`flow`]: unions of address × service boxes;
//! - [`internet`]: the public internet and how much of it a set covers.

pub mod addr;
pub mod flow;
pub mod internet;
pub mod interval;
pub mod service;

pub use addr::{IpSet, Ipv4Set, Ipv6Set};
pub use flow::{FlowBox, FlowSet};
pub use internet::{
    public_internet, public_ipv4, public_ipv6, world_open_services, InternetCoverage,
};
pub use interval::{Bound, IntervalSet};
pub use service::{ProtocolSet, ServicePoint, ServiceSet};
