//! Network ACLs: stateless, first match in ascending rule number, per direction.
//!
//! An entry's CIDR family decides which packets it can match (an IPv4 entry says
//! nothing about IPv6 packets), and its port range is always the packet's
//! destination port, in both directions. The `*` entries (32767, 32768) and running
//! off the end of the list both deny.

use std::net::IpAddr;

use crate::inventory::{
    Direction, L4Match, NaclAction, NaclEntry, NetworkAcl, PortRange, Protocol,
};

use super::explain::Code;
use super::sets::{FlowSet, IpSet, ServicePoint, ServiceSet};
use super::verdict::{describe_point, direction_word, peer_word, Evaluation, Step};

/// Rule numbers from here on are AWS's unremovable `*` deny entries.
const IMPLICIT_RULE: i32 = 32767;

/// The first entry (in rule order) that matches a packet to/from `peer` decides.
/// `peer` is the source for ingress and the destination for egress.
pub fn evaluate(
    acl: &NetworkAcl,
    direction: Direction,
    peer: IpAddr,
    service: ServicePoint,
) -> Evaluation {
    let packet = format!(
        "{} {} {}",
        describe_point(service),
        peer_word(direction),
        peer
    );
    let component = format!("{} {}", acl.id, direction_word(direction));
    for e in entries(acl, direction) {
        if e.cidr.contains(&peer) && entry_services(e).contains(service) {
            let mut decision = format!("{} {} {packet}", rule_label(e), action_word(e.action));
            if e.rule_number >= IMPLICIT_RULE {
                decision.push_str(" (implicit deny)");
            }
            return match e.action {
                NaclAction::Allow => Evaluation::allowed(vec![Step::new(component, decision)]),
                NaclAction::Deny => Evaluation::blocked(vec![Step::coded(
                    Code::SubnetAclRestriction,
                    component,
                    decision,
                )]),
            };
        }
    }
    let decision = format!("no rule matches {packet} (implicit deny)");
    Evaluation::blocked(vec![Step::coded(
        Code::SubnetAclRestriction,
        component,
        decision,
    )])
}

/// Each entry of `direction`, in rule order, with the packets it decides: what it
/// matches of what is still undecided when its turn comes (entries deciding nothing
/// are left out).
pub fn decided_by(acl: &NetworkAcl, direction: Direction) -> Vec<(&NaclEntry, FlowSet)> {
    let mut remaining = FlowSet::all();
    let mut out = Vec::new();
    for e in entries(acl, direction) {
        let hit = entry_flows(e).intersection(&remaining);
        if hit.is_empty() {
            continue;
        }
        remaining = remaining.difference(&hit);
        out.push((e, hit));
    }
    out
}

/// Every (peer, service) the ACL allows in `direction`.
pub fn allowed_flows(acl: &NetworkAcl, direction: Direction) -> FlowSet {
    decided_by(acl, direction)
        .into_iter()
        .filter(|(e, _)| e.action == NaclAction::Allow)
        .fold(FlowSet::empty(), |allowed, (_, hit)| allowed.union(&hit))
}

/// Entries that can never take effect because every packet they match is decided by
/// lower-numbered entries of the same direction. The `*` entries are not reported:
/// they cannot be removed, so saying they are shadowed helps nobody.
pub fn shadowed_entries(acl: &NetworkAcl) -> Vec<(Direction, i32)> {
    let mut out = Vec::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        let mut decided = FlowSet::empty();
        for e in entries(acl, direction) {
            let flows = entry_flows(e);
            if e.rule_number < IMPLICIT_RULE && flows.is_subset(&decided) {
                out.push((direction, e.rule_number));
            }
            decided = decided.union(&flows);
        }
    }
    out
}

/// Whether a connection from `src_ip` (in the subnet of `src_acl`) to `dst_ip` (in the
/// subnet of `dst_acl`) gets through both NACLs, request and replies: the request
/// outbound at the source and inbound at the destination, then the replies outbound
/// at the destination and inbound at the source on *every* port of the client's
/// `ephemeral` range. Two ENIs of the same subnet do not cross its NACL at all.
pub fn connection(
    src_acl: &NetworkAcl,
    dst_acl: &NetworkAcl,
    src_ip: IpAddr,
    dst_ip: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
    same_subnet: bool,
) -> Evaluation {
    if same_subnet {
        return Evaluation::allowed(vec![Step::new(
            src_acl.id.as_str(),
            "not crossed: both ends are in the same subnet",
        )]);
    }
    let mut legs = vec![
        evaluate(src_acl, Direction::Egress, dst_ip, service),
        evaluate(dst_acl, Direction::Ingress, src_ip, service),
    ];
    match reply_services(service, ephemeral) {
        Ok(replies) => {
            legs.push(replies_pass(dst_acl, Direction::Egress, src_ip, &replies));
            legs.push(replies_pass(src_acl, Direction::Ingress, dst_ip, &replies));
        }
        // Said by a step of its own: an unknown leg must name its code.
        Err(reason) => legs.push(Evaluation::unknown(
            reason.clone(),
            vec![Step::coded(
                Code::NotModelled,
                format!("{} {}", dst_acl.id, direction_word(Direction::Egress)),
                reason,
            )],
        )),
    }
    Evaluation::all_of(legs)
}

/// What the replies to `service` look like: the same protocol to the client's
/// ephemeral ports, an echo reply for an echo request, the same protocol for
/// protocols without ports. Other ICMP messages have no reply we can model.
pub(crate) fn reply_services(
    service: ServicePoint,
    ephemeral: PortRange,
) -> Result<ServiceSet, String> {
    let ports = |protocol| ServiceSet::from_rule(protocol, L4Match::Ports(ephemeral));
    Ok(match service {
        ServicePoint::Tcp(_) => ports(Protocol::Tcp),
        ServicePoint::Udp(_) => ports(Protocol::Udp),
        ServicePoint::Sctp(_) => ports(Protocol::Other(132)),
        ServicePoint::Icmp { icmp_type: 8, .. } => ServiceSet::from_point(ServicePoint::Icmp {
            icmp_type: 0,
            code: 0,
        }),
        ServicePoint::Icmpv6 { icmp_type: 128, .. } => {
            ServiceSet::from_point(ServicePoint::Icmpv6 {
                icmp_type: 129,
                code: 0,
            })
        }
        ServicePoint::Icmp { .. } | ServicePoint::Icmpv6 { .. } => {
            return Err(format!(
                "replies to {} are not modelled (only echo requests are)",
                describe_point(service)
            ))
        }
        ServicePoint::Other(_) => ServiceSet::from_point(service),
    })
}

/// Whether every reply kind in `replies` passes `acl` in `direction` with `peer`;
/// when only some do, blocked, naming what is not allowed and the rule deciding the
/// first of it.
fn replies_pass(
    acl: &NetworkAcl,
    direction: Direction,
    peer: IpAddr,
    replies: &ServiceSet,
) -> Evaluation {
    let allowed = allowed_flows(acl, direction).services_for(peer);
    let missing = replies.difference(&allowed);
    let component = format!("{} {}", acl.id, direction_word(direction));
    let Some(first) = missing.first() else {
        let decision = format!("replies {replies} {} {peer} allowed", peer_word(direction));
        return Evaluation::allowed(vec![Step::new(component, decision)]);
    };
    let mut steps = vec![Step::coded(
        Code::SubnetAclRestriction,
        component,
        format!(
            "replies {replies} {} {peer}: {missing} not allowed",
            peer_word(direction)
        ),
    )];
    steps.extend(evaluate(acl, direction, peer, first).steps);
    Evaluation::blocked(steps)
}

/// Entries of one direction in evaluation order (the inventory sorts them already;
/// sorting again keeps hand-built ACLs honest).
pub fn entries(acl: &NetworkAcl, direction: Direction) -> Vec<&NaclEntry> {
    let mut es: Vec<&NaclEntry> = acl
        .entries
        .iter()
        .filter(|e| e.direction == direction)
        .collect();
    es.sort_by_key(|e| e.rule_number);
    es
}

fn entry_services(e: &NaclEntry) -> ServiceSet {
    ServiceSet::from_rule(e.protocol, e.l4)
}

/// The packets an entry matches; `IpSet::from_net` keeps the CIDR's family only.
pub fn entry_flows(e: &NaclEntry) -> FlowSet {
    FlowSet::from_box(IpSet::from_net(e.cidr), entry_services(e))
}

fn rule_label(e: &NaclEntry) -> String {
    if e.rule_number >= IMPLICIT_RULE {
        "rule *".to_string()
    } else {
        format!("rule {}", e.rule_number)
    }
}

fn action_word(a: NaclAction) -> &'static str {
    match a {
        NaclAction::Allow => "allows",
        NaclAction::Deny => "denies",
    }
}
