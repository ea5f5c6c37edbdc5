//! ENI equivalence classes: ENIs the engine cannot tell apart, evaluated once.
//!
//! Two ENIs share a class when they have the same account, region, subnet, set of
//! security groups (order and duplicates ignored), and the same answer to "has a
//! public IPv4 address" and "has an IPv6 address".
//!
//! Why this is sound for internet exposure: every input the engine reads about an
//! ENI is a function of the key.
//!
//! - Security groups: the rules are those of the groups in the set, read in the
//!   ENI's region (coverage gaps are per region too). A rule naming a group resolves
//!   to the group's *membership* (the private addresses of every ENI carrying it),
//!   which is a property of the region, not of the ENI asking; two members of a
//!   class carry exactly the same groups, so each is in every group the other is.
//! - NACL and route table: chosen per subnet (the VPC follows from the subnet).
//! - Which internet family can reach the ENI at all: whether it has a public IPv4
//!   address (mapped to a private one) and whether it has an IPv6 address. The
//!   addresses themselves only name the packet's destination; no rule the engine
//!   reads for traffic from the internet depends on them (NACL entries and
//!   security-group peers match the remote side, routes are looked up for the
//!   reply's destination, i.e. the client).
//!
//! Questions about a *specific* peer inside the VPC (ENI-to-ENI paths) do depend on
//! the ENI's own addresses and are not answered per class.

use crate::inventory::{Inventory, NetworkInterface};

use super::model::{FastMap, Model};

/// What makes two ENIs indistinguishable to the internet-exposure evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassKey {
    pub account_id: String,
    pub region: String,
    pub subnet_id: String,
    /// Sorted, without duplicates.
    pub security_groups: Vec<String>,
    /// A public IPv4 address that maps to a private address of the ENI.
    pub public_ipv4: bool,
    pub ipv6: bool,
}

/// ENIs sharing a [`ClassKey`], sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EniClass {
    pub key: ClassKey,
    pub enis: Vec<String>,
}

impl EniClass {
    /// The ENI evaluated on behalf of the class: the smallest id, so runs agree.
    pub fn representative(&self) -> &str {
        &self.enis[0]
    }
}

impl ClassKey {
    /// The key of `eni` in `account_id`/`region`.
    pub fn of(account_id: &str, region: &str, eni: &NetworkInterface) -> ClassKey {
        let mut security_groups = eni.security_group_ids.clone();
        security_groups.sort();
        security_groups.dedup();
        ClassKey {
            account_id: account_id.to_string(),
            region: region.to_string(),
            subnet_id: eni.subnet_id.clone(),
            security_groups,
            public_ipv4: has_public_ipv4(eni),
            ipv6: !eni.ipv6s.is_empty(),
        }
    }
}

/// A [`ClassKey`] borrowed from the inventory: the same fields, one for one, so two
/// ENIs have equal `KeyRef`s exactly when they have equal `ClassKey`s. Cheap to build
/// and hash, for grouping and cache lookups.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeyRef<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub subnet_id: &'a str,
    /// Sorted, without duplicates.
    pub security_groups: Vec<&'a str>,
    pub public_ipv4: bool,
    pub ipv6: bool,
}

impl<'a> KeyRef<'a> {
    /// What [`ClassKey::of`] would give, borrowed.
    pub fn of(account_id: &'a str, region: &'a str, eni: &'a NetworkInterface) -> KeyRef<'a> {
        let mut security_groups: Vec<&'a str> =
            eni.security_group_ids.iter().map(String::as_str).collect();
        security_groups.sort_unstable();
        security_groups.dedup();
        KeyRef {
            account_id,
            region,
            subnet_id: &eni.subnet_id,
            security_groups,
            public_ipv4: has_public_ipv4(eni),
            ipv6: !eni.ipv6s.is_empty(),
        }
    }

    /// The owned key.
    pub fn to_key(&self) -> ClassKey {
        ClassKey {
            account_id: self.account_id.to_string(),
            region: self.region.to_string(),
            subnet_id: self.subnet_id.to_string(),
            security_groups: self.security_groups.iter().map(|g| g.to_string()).collect(),
            public_ipv4: self.public_ipv4,
            ipv6: self.ipv6,
        }
    }
}

/// Whether the internet can address the ENI over IPv4: a public address with a
/// private address behind it (as [`crate::reach::path::internet_to_eni`] requires).
pub fn has_public_ipv4(eni: &NetworkInterface) -> bool {
    eni.public_ipv4s
        .iter()
        .any(|p| p.private_ip.is_some() || !eni.private_ipv4s.is_empty())
}

/// Every ENI of the inventory grouped into classes, ordered by key. An ENI id that
/// appears twice (two collections) counts once, in the region the model resolves it
/// to, as everywhere else in the engine.
pub fn classes(model: &Model, inv: &Inventory) -> Vec<EniClass> {
    // Grouped by borrowed key (one owned key per class, not per ENI), then ordered
    // by the owned key: the keys are distinct, so the order is the key order.
    let mut out: Vec<EniClass> = members_by_key(model, inv)
        .into_iter()
        .map(|(key, mut enis)| {
            enis.sort_unstable();
            enis.dedup();
            EniClass {
                key: key.to_key(),
                enis: enis.into_iter().map(str::to_string).collect(),
            }
        })
        .collect();
    out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The ids of the ENIs of each class, by borrowed key, unordered; an ENI collected
/// twice counts where the model places it.
pub(crate) fn members_by_key<'a>(
    model: &Model,
    inv: &'a Inventory,
) -> FastMap<KeyRef<'a>, Vec<&'a str>> {
    let mut by_key: FastMap<KeyRef, Vec<&str>> = FastMap::default();
    for (account_id, region) in inv.regions() {
        for eni in &region.network_interfaces {
            let home = model.locate_eni(&eni.id).ok().map(|(rm, _)| rm);
            let owns =
                home.is_some_and(|rm| rm.account_id == account_id && rm.region == region.region);
            if !owns {
                continue;
            }
            by_key
                .entry(KeyRef::of(account_id, &region.region, eni))
                .or_default()
                .push(&eni.id);
        }
    }
    by_key
}

/// What the ENI says of itself: an interface type or description of AWS plumbing.
pub fn is_aws_managed(eni: &NetworkInterface) -> bool {
    let kind = eni.interface_type.as_deref().unwrap_or("interface");
    if matches!(
        kind,
        "nat_gateway"
            | "gateway_load_balancer_endpoint"
            | "vpc_endpoint"
            | "transit_gateway"
            | "network_load_balancer"
            | "gateway_load_balancer"
    ) {
        return true;
    }
    let d = eni.description.as_deref().unwrap_or_default();
    [
        "Interface for NAT Gateway",
        "VPC Endpoint Interface",
        "Network Interface for Transit Gateway Attachment",
    ]
    .iter()
    .any(|p| d.starts_with(p))
}
