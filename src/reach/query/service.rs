//! The `--port` argument, and service sets as the answer shows them.

use crate::inventory::{L4Match, PortRange, Protocol};

use super::super::sets::{ServicePoint, ServiceSet};
use super::QueryError;

/// `tcp/5432`, `udp/53`, `tcp/8000-8080`, `sctp/9`, `icmp`, `icmpv6`, `all`, a bare
/// protocol (`tcp`: every port), case-insensitive.
pub fn parse_service(s: &str) -> Result<ServiceSet, QueryError> {
    let bad = |reason: &str| QueryError::BadService {
        given: s.to_string(),
        reason: reason.to_string(),
    };
    let text = s.trim().to_ascii_lowercase();
    let (proto, ports) = match text.split_once('/') {
        Some((p, r)) => (p, Some(r)),
        None => (text.as_str(), None),
    };
    let protocol = match proto {
        "all" | "any" | "-1" if ports.is_none() => return Ok(ServiceSet::all()),
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Other(132),
        "icmp" | "icmpv6" if ports.is_some() => {
            return Err(bad("ICMP has no ports; write `icmp` or `icmpv6`"))
        }
        "icmp" => return Ok(ServiceSet::from_rule(Protocol::Icmp, L4Match::Any)),
        "icmpv6" => return Ok(ServiceSet::from_rule(Protocol::Icmpv6, L4Match::Any)),
        _ => {
            return Err(bad(
                "expected tcp/PORT, udp/PORT, tcp/FROM-TO, sctp/PORT, icmp, icmpv6 or all",
            ))
        }
    };
    let Some(ports) = ports else {
        return Ok(ServiceSet::from_rule(protocol, L4Match::Any));
    };
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| bad("a port is a number from 0 to 65535"))
    };
    let (from, to) = match ports.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => {
            let p = port(ports)?;
            (p, p)
        }
    };
    if from > to {
        return Err(bad("the range's first port is above its last"));
    }
    Ok(ServiceSet::from_rule(
        protocol,
        L4Match::Ports(PortRange { from, to }),
    ))
}

/// One item per protocol, as `ServiceSet` writes them (`tcp 22, 5432`, `icmp 8`);
/// `all` for every service, nothing for none.
pub fn service_items(s: &ServiceSet) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    s.to_string().split("; ").map(str::to_string).collect()
}

/// Every protocol the set knows apart, each as the whole protocol.
fn protocol_masks() -> Vec<ServiceSet> {
    let typed = [
        ServiceSet::from_rule(Protocol::Tcp, L4Match::Any),
        ServiceSet::from_rule(Protocol::Udp, L4Match::Any),
        ServiceSet::from_rule(Protocol::Other(132), L4Match::Any),
        ServiceSet::from_rule(Protocol::Icmp, L4Match::Any),
        ServiceSet::from_rule(Protocol::Icmpv6, L4Match::Any),
    ];
    let others = typed
        .iter()
        .fold(ServiceSet::all(), |rest, t| rest.difference(t));
    typed.into_iter().chain([others]).collect()
}

/// The maximal pieces of `s` the engine is asked about one point each: every
/// contiguous port (or ICMP type/code) range of TCP, UDP and ICMP/ICMPv6; SCTP as
/// one piece; every other protocol as one piece (their rules match whole protocols,
/// so any of them stands for the rest as far as ports go).
pub fn pieces(s: &ServiceSet) -> Vec<ServiceSet> {
    let mut out = Vec::new();
    let masks = protocol_masks();
    let ranged = [
        (s.tcp_ports().ranges().to_vec(), &masks[0]),
        (s.udp_ports().ranges().to_vec(), &masks[1]),
        (s.icmp().ranges().to_vec(), &masks[3]),
        (s.icmpv6().ranges().to_vec(), &masks[4]),
    ];
    for (ranges, mask) in ranged {
        for (lo, hi) in ranges {
            let piece = s.intersection(mask).intersection(&range_set(mask, lo, hi));
            if !piece.is_empty() {
                out.push(piece);
            }
        }
    }
    for mask in [&masks[2], &masks[5]] {
        let piece = s.intersection(mask);
        if !piece.is_empty() {
            out.push(piece);
        }
    }
    out
}

/// `piece` cut before each port of `cuts` (sorted) for TCP, UDP and SCTP, lowest
/// ports first; a piece without ports (ICMP, other protocols) stays whole.
pub fn split_at(piece: &ServiceSet, cuts: &[u16]) -> Vec<ServiceSet> {
    let mut starts: Vec<u16> = std::iter::once(0).chain(cuts.iter().copied()).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut out = Vec::new();
    let mut ported = ServiceSet::empty();
    for proto in [Protocol::Tcp, Protocol::Udp, Protocol::Other(132)] {
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).map_or(u16::MAX, |next| next - 1);
            let range = ServiceSet::from_rule(proto, L4Match::Ports(PortRange { from, to }));
            let part = piece.intersection(&range);
            if !part.is_empty() {
                ported = ported.union(&part);
                out.push(part);
            }
        }
    }
    let rest = piece.difference(&ported);
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// `lo..=hi` of the protocol `mask` stands for (ports, or ICMP `type * 256 + code`).
fn range_set(mask: &ServiceSet, lo: u16, hi: u16) -> ServiceSet {
    let (mut set, [lt, lc], [ht, hc]) = (ServiceSet::empty(), lo.to_be_bytes(), hi.to_be_bytes());
    match mask.first() {
        Some(ServicePoint::Tcp(_)) => {
            return ServiceSet::from_rule(
                Protocol::Tcp,
                L4Match::Ports(PortRange { from: lo, to: hi }),
            )
        }
        Some(ServicePoint::Udp(_)) => {
            return ServiceSet::from_rule(
                Protocol::Udp,
                L4Match::Ports(PortRange { from: lo, to: hi }),
            )
        }
        Some(ServicePoint::Icmp { .. }) | Some(ServicePoint::Icmpv6 { .. }) => {
            let v6 = matches!(mask.first(), Some(ServicePoint::Icmpv6 { .. }));
            let proto = if v6 { Protocol::Icmpv6 } else { Protocol::Icmp };
            // Whole types in between, partial types at either end.
            for t in lt..=ht {
                let (from, to) = (if t == lt { lc } else { 0 }, if t == ht { hc } else { 255 });
                let whole = from == 0 && to == 255;
                if whole {
                    set = set.union(&ServiceSet::from_rule(
                        proto,
                        L4Match::Icmp {
                            icmp_type: Some(t),
                            icmp_code: None,
                        },
                    ));
                } else {
                    for c in from..=to {
                        set = set.union(&ServiceSet::from_rule(
                            proto,
                            L4Match::Icmp {
                                icmp_type: Some(t),
                                icmp_code: Some(c),
                            },
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    set
}
