//! Network ACL entries and associations: an entry as finding text, whether an entry
//! is there for replies, and the subnets a NACL governs.

use crate::inventory::{Direction, L4Match, NaclAction, NaclEntry, NetworkAcl, PortRange};
use crate::reach::path::DEFAULT_EPHEMERAL;
use crate::reach::sets::ServiceSet;
use crate::reach::RegionModel;

/// `rule 100: allow tcp 22 from 0.0.0.0/0`.
pub fn describe_entry(e: &NaclEntry) -> String {
    let number = if e.rule_number >= 32767 {
        "*".to_string()
    } else {
        e.rule_number.to_string()
    };
    let action = match e.action {
        NaclAction::Allow => "allow",
        NaclAction::Deny => "deny",
    };
    let peer = match e.direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!(
        "rule {number}: {action} {} {peer} {}",
        ServiceSet::from_rule(e.protocol, e.l4),
        e.cidr
    )
}

/// A port range starting above the well-known ports and reaching the top of the
/// Linux ephemeral range (1024-65535, 32768-65535, 49152-65535, 32768-60999), or of
/// the configured client range `ephemeral` (`[network] ephemeral_ports`) when that
/// ends lower, is there for replies, not for a service.
pub fn is_reply_rule(e: &NaclEntry, ephemeral: PortRange) -> bool {
    match e.l4 {
        L4Match::Ports(r) if e.protocol.has_ports() => {
            r.from >= 1024 && r.to >= DEFAULT_EPHEMERAL.to.min(ephemeral.to)
        }
        _ => false,
    }
}

/// `inbound` or `outbound`.
pub fn direction_text(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "inbound",
        Direction::Egress => "outbound",
    }
}

/// The subnets whose traffic crosses `acl`: explicitly associated or, for a VPC's
/// default NACL, every subnet without an association (as the model resolves them).
/// Ordered by Name tag, then id, so two collections of one account read alike.
pub fn governed_subnets<'a>(
    rm: &RegionModel<'_>,
    subnets: &'a [crate::inventory::Subnet],
    acl: &NetworkAcl,
) -> Vec<&'a str> {
    let mut found: Vec<&crate::inventory::Subnet> = subnets
        .iter()
        .filter(|s| rm.subnet(&s.id).and_then(|i| i.network_acl_id) == Some(acl.id.as_str()))
        .collect();
    found.sort_by_key(|s| (s.tags.get("Name"), &s.id));
    found.into_iter().map(|s| s.id.as_str()).collect()
}
