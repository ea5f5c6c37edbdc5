//! `nacl-return-traffic-blocked`: a NACL in use lets a request in (or out) and then
//! blocks its replies on the client's ephemeral ports (Linux 32768-60999, or
//! `[network] ephemeral_ports`), so the
//! connection can never complete. NACLs are stateless: each request rule needs a
//! reply rule the other way. Rules on ephemeral ranges are reply rules, not
//! services, and are not judged as requests. Medium; low when all that breaks is
//! UDP behind an allow-all rule, which names no service.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::finding::Severity;
use crate::inventory::{
    Direction, L4Match, NaclAction, NaclEntry, NetworkAcl, Operation, PortRange, Protocol,
};
use crate::reach::nacl::{allowed_flows, decided_by, evaluate, reply_services};
use crate::reach::sets::{public_internet, FlowSet, IpSet, ServicePoint, ServiceSet};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::cidrs::addrs_text;
use super::shared::internet_route::{PROBE as PROBE_V4, PROBE_V6};
use super::shared::nacl::{describe_entry, direction_text, governed_subnets, is_reply_rule};
use super::shared::scope;
use super::Check;

pub struct NaclReturnTrafficBlocked;

/// What the check reads; without it, it judges nothing in the region.
const OPERATIONS: [Operation; 2] = [Operation::DescribeNetworkAcls, Operation::DescribeSubnets];
const WHAT: &str = "network ACLs";

impl Check for NaclReturnTrafficBlocked {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(account, ri, &OPERATIONS, WHAT) {
                out.extend(unknown);
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            for acl in &ri.network_acls {
                // A NACL no subnet uses carries no connection to break.
                let subnets = governed_subnets(rm, &ri.subnets, acl);
                if subnets.is_empty() {
                    continue;
                }
                for direction in [Direction::Ingress, Direction::Egress] {
                    for (entry, gaps) in broken_requests(acl, direction, ctx.ephemeral()) {
                        let d = draft(account, &ri.region, acl, entry, &gaps).related(
                            subnets
                                .iter()
                                .map(|s| resources::subnet(account, &ri.region, s, None)),
                        );
                        out.push(d);
                    }
                }
            }
        }
        out
    }

    /// Every NACL a subnet uses; the others carry no connection, so do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let ephemeral = ctx.ephemeral();
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = scope::unknown_if_missing(ctx, account, ri, &OPERATIONS, WHAT) {
                out.extend(unknown);
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            for acl in &ri.network_acls {
                let resource =
                    resources::network_acl(account, &ri.region, &acl.id, Some(&acl.tags));
                if governed_subnets(rm, &ri.subnets, acl).is_empty() {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "associated with no subnet: it carries no connection",
                    ));
                    continue;
                }
                // The entries `broken_requests` judges as requests.
                let requests = acl
                    .entries
                    .iter()
                    .filter(|e| e.action == NaclAction::Allow && !is_reply_rule(e, ephemeral))
                    .count();
                let reason = if requests == 0 {
                    "it lets no request through: it has no allow rule but reply rules".to_string()
                } else {
                    format!(
                        "the replies to what its {requests} request rule(s) let through are allowed back (client ports {}-{})",
                        ephemeral.from, ephemeral.to
                    )
                };
                out.push(Scoped::pass(account, &ri.region, resource, reason));
            }
        }
        Some(out)
    }
}

/// Requests of one protocol kind an entry lets through, and the replies blocked.
struct Gap {
    requests: FlowSet,
    missing: FlowSet,
    /// The entry names this protocol (or it is TCP): a service meant to work.
    named: bool,
}

/// Each allow entry of `direction` (not a reply rule) whose requests, as far as they
/// reach it in rule order, have replies (to the clients' `ephemeral` ports) the other
/// direction does not allow.
fn broken_requests(
    acl: &NetworkAcl,
    direction: Direction,
    ephemeral: PortRange,
) -> Vec<(&NaclEntry, Vec<Gap>)> {
    let reply_allowed = allowed_flows(acl, opposite(direction));
    let mut out = Vec::new();
    for (e, hit) in decided_by(acl, direction) {
        if e.action != NaclAction::Allow || is_reply_rule(e, ephemeral) {
            continue;
        }
        let gaps = gaps(e.protocol, &hit, &reply_allowed, ephemeral);
        if !gaps.is_empty() {
            out.push((e, gaps));
        }
    }
    out
}

/// Per protocol kind with a modelled reply, the replies to `requests` that
/// `reply_allowed` does not let through. An entry for one protocol is judged on it
/// (TCP, UDP, SCTP, ICMP echo of the matching family). An allow-all entry names no
/// service: it is judged on TCP and UDP only, or every such rule would report ICMP,
/// SCTP and the like.
fn gaps(
    protocol: Protocol,
    requests: &FlowSet,
    reply_allowed: &FlowSet,
    ephemeral: PortRange,
) -> Vec<Gap> {
    let all = protocol == Protocol::All;
    let v4 = IpSet::from_net(IpNet::V4(Ipv4Net::default()));
    let v6 = IpSet::from_net(IpNet::V6(Ipv6Net::default()));
    let echo4 = ServicePoint::Icmp {
        icmp_type: 8,
        code: 0,
    };
    let echo6 = ServicePoint::Icmpv6 {
        icmp_type: 128,
        code: 0,
    };
    let kinds = [
        (
            ports(Protocol::Tcp),
            ServicePoint::Tcp(0),
            IpSet::full(),
            true,
        ),
        (
            ports(Protocol::Udp),
            ServicePoint::Udp(0),
            IpSet::full(),
            true,
        ),
        (
            ports(Protocol::Other(132)),
            ServicePoint::Sctp(0),
            IpSet::full(),
            !all,
        ),
        (ServiceSet::from_point(echo4), echo4, v4, !all),
        (ServiceSet::from_point(echo6), echo6, v6, !all),
    ];
    let mut out = Vec::new();
    for (kind, sample, family, judged) in kinds {
        let part = requests.intersection(&FlowSet::from_box(family, kind));
        if !judged || part.is_empty() {
            continue;
        }
        let Ok(replies) = reply_services(sample, ephemeral) else {
            continue;
        };
        let missing = FlowSet::from_box(part.addresses(), replies).difference(reply_allowed);
        if !missing.is_empty() {
            out.push(Gap {
                requests: part,
                missing,
                named: !all || sample == ServicePoint::Tcp(0),
            });
        }
    }
    out
}

fn ports(protocol: Protocol) -> ServiceSet {
    ServiceSet::from_rule(protocol, L4Match::Ports(PortRange::ALL))
}

fn opposite(d: Direction) -> Direction {
    match d {
        Direction::Ingress => Direction::Egress,
        Direction::Egress => Direction::Ingress,
    }
}

fn peer_word(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    }
}

fn draft(account: &str, region: &str, acl: &NetworkAcl, e: &NaclEntry, gaps: &[Gap]) -> Draft {
    let reply_direction = opposite(e.direction);
    let what: Vec<String> = gaps
        .iter()
        .map(|g| {
            format!(
                "replies {} {} {} are not allowed {}",
                g.missing.services(),
                peer_word(reply_direction),
                addrs_text(&g.missing.addresses()),
                direction_text(reply_direction)
            )
        })
        .collect();
    let mut d = Draft::fail(
        account,
        region,
        resources::network_acl(account, region, &acl.id, Some(&acl.tags)),
        format!(
            "{} {} rule {} lets requests through but their {}",
            acl.id,
            direction_text(e.direction),
            e.rule_number,
            what.join("; ")
        ),
    )
    .severity(if gaps.iter().any(|g| g.named) {
        Severity::Medium
    } else {
        // Only UDP behind an allow-all rule: a side effect more than a broken service.
        Severity::Low
    })
    .identity(direction_text(e.direction))
    .identity(e.rule_number.to_string());
    let request_component = format!("{} {}", acl.id, direction_text(e.direction));
    d = d.evidence(
        &request_component,
        format!("request: {}", describe_entry(e)),
    );
    for g in gaps {
        d = d.evidence(
            &request_component,
            format!(
                "requests {} {} {}",
                g.requests.services(),
                peer_word(e.direction),
                addrs_text(&g.requests.addresses())
            ),
        );
        // The rule that decides one blocked reply, so the fix is easy to place.
        if let Some((point, peer)) = sample(&g.missing) {
            for step in evaluate(acl, reply_direction, peer, point).steps {
                d = d.evidence(step.component, format!("missing reply: {}", step.decision));
            }
        }
    }
    d
}

/// One blocked reply: its service and a peer, the probe address of "the internet"
/// when it is one of them, else the first public, else the first address.
fn sample(missing: &FlowSet) -> Option<(ServicePoint, IpAddr)> {
    let b = missing.boxes().first()?;
    let point = b.services.first()?;
    if let Some(probe) = [PROBE_V4, PROBE_V6]
        .into_iter()
        .find(|p| b.addrs.contains(*p))
    {
        return Some((point, probe));
    }
    let public = b.addrs.intersection(public_internet());
    let pick = if public.is_empty() { &b.addrs } else { &public };
    Some((point, pick.to_cidrs().first()?.network()))
}
