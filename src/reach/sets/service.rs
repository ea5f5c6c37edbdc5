//! What a rule matches beyond addresses: protocols, ports and ICMP type/code.
//!
//! TCP, UDP and SCTP keep a port set each; ICMP and ICMPv6 keep a set of
//! `(type, code)` pairs encoded as `type * 256 + code`, so "all types", "type 8, all
//! codes" and "type 3 code 4" are all plain intervals. Every other IP protocol is
//! matched whole, by number. SCTP (132) is typed because `Protocol::has_ports` says
//! its rules carry ports.

use std::fmt;

use super::interval::IntervalSet;
use crate::inventory::{L4Match, Protocol};

/// IP protocol numbers that [`ServiceSet`] tracks in a typed part rather than in
/// its set of whole protocols.
pub const TYPED_PROTOCOLS: [u8; 5] = [ICMP, TCP, UDP, ICMPV6, SCTP];

const ICMP: u8 = 1;
const TCP: u8 = 6;
const UDP: u8 = 17;
const ICMPV6: u8 = 58;
const SCTP: u8 = 132;

/// A set of IP protocol numbers (0..=255), one bit each.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolSet([u64; 4]);

impl ProtocolSet {
    /// No protocol.
    pub const fn empty() -> Self {
        ProtocolSet([0; 4])
    }

    /// All 256 protocol numbers.
    pub const fn full() -> Self {
        ProtocolSet([u64::MAX; 4])
    }

    /// One protocol number.
    pub fn single(n: u8) -> Self {
        let mut s = Self::empty();
        s.0[usize::from(n / 64)] |= 1 << (n % 64);
        s
    }

    /// Whether protocol `n` is in the set.
    pub fn contains(&self, n: u8) -> bool {
        self.0[usize::from(n / 64)] & (1 << (n % 64)) != 0
    }

    /// Whether the set has no protocol.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Number of protocols in the set.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Protocols in either set.
    pub fn union(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a | b)
    }

    /// Protocols in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a & b)
    }

    /// Protocols in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a & !b)
    }

    /// Protocols not in `self`.
    pub fn complement(&self) -> Self {
        ProtocolSet(self.0.map(|w| !w))
    }

    /// Whether every protocol of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.difference(other).is_empty()
    }

    /// The protocol numbers in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|&n| self.contains(n))
    }

    fn zip(&self, other: &Self, f: impl Fn(u64, u64) -> u64) -> Self {
        let mut out = [0; 4];
        for (i, w) in out.iter_mut().enumerate() {
            *w = f(self.0[i], other.0[i]);
        }
        ProtocolSet(out)
    }
}

impl fmt::Debug for ProtocolSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Protocols matched whole: everything except the typed ones.
fn untyped_protocols() -> ProtocolSet {
    TYPED_PROTOCOLS.iter().fold(ProtocolSet::full(), |s, &n| {
        s.difference(&ProtocolSet::single(n))
    })
}

/// One concrete packet kind, as far as a [`ServiceSet`] can tell packets apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServicePoint {
    /// TCP to a port.
    Tcp(u16),
    /// UDP to a port.
    Udp(u16),
    /// SCTP to a port.
    Sctp(u16),
    /// ICMP (IPv4) message of a type and code.
    Icmp {
        /// ICMP type.
        icmp_type: u8,
        /// ICMP code.
        code: u8,
    },
    /// ICMPv6 message of a type and code.
    Icmpv6 {
        /// ICMPv6 type.
        icmp_type: u8,
        /// ICMPv6 code.
        code: u8,
    },
    /// Any other IP protocol, by number; never one of [`TYPED_PROTOCOLS`], which no
    /// set contains in this form.
    Other(u8),
}

impl ServicePoint {
    /// From a protocol number and a detail: the port for TCP/UDP/SCTP,
    /// `type * 256 + code` for ICMP/ICMPv6, ignored for other protocols.
    pub fn new(protocol: u8, detail: u16) -> Self {
        let [icmp_type, code] = detail.to_be_bytes();
        match protocol {
            TCP => ServicePoint::Tcp(detail),
            UDP => ServicePoint::Udp(detail),
            SCTP => ServicePoint::Sctp(detail),
            ICMP => ServicePoint::Icmp { icmp_type, code },
            ICMPV6 => ServicePoint::Icmpv6 { icmp_type, code },
            n => ServicePoint::Other(n),
        }
    }

    /// The IP protocol number.
    pub fn protocol(&self) -> u8 {
        match self {
            ServicePoint::Tcp(_) => TCP,
            ServicePoint::Udp(_) => UDP,
            ServicePoint::Sctp(_) => SCTP,
            ServicePoint::Icmp { .. } => ICMP,
            ServicePoint::Icmpv6 { .. } => ICMPV6,
            ServicePoint::Other(n) => *n,
        }
    }
}

/// A set of services: per-protocol ports, ICMP type/codes, and whole protocols.
///
/// Canonical, so `==` is set equality.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceSet {
    tcp: IntervalSet<u16>,
    udp: IntervalSet<u16>,
    sctp: IntervalSet<u16>,
    icmp: IntervalSet<u16>,
    icmpv6: IntervalSet<u16>,
    // Invariant: never contains a number of TYPED_PROTOCOLS.
    other: ProtocolSet,
}

impl ServiceSet {
    /// No service.
    pub fn empty() -> Self {
        ServiceSet::default()
    }

    /// Every protocol, port and ICMP type/code: AWS protocol `-1`.
    pub fn all() -> Self {
        ServiceSet {
            tcp: IntervalSet::full(),
            udp: IntervalSet::full(),
            sctp: IntervalSet::full(),
            icmp: IntervalSet::full(),
            icmpv6: IntervalSet::full(),
            other: untyped_protocols(),
        }
    }

    /// What one rule's protocol and L4 match cover.
    ///
    /// Follows AWS: protocol `-1` is everything whatever the L4 match says, and an L4
    /// match that does not fit the protocol (ports on ICMP, ICMP on TCP, anything on a
    /// whole-protocol number) is ignored, meaning all ports / types. ICMP type "all"
    /// means all types and codes whatever the code says (AWS requires both to be -1).
    /// A port range with `from > to` matches nothing.
    pub fn from_rule(protocol: Protocol, l4: L4Match) -> Self {
        let Some(n) = protocol.number() else {
            return Self::all();
        };
        let mut s = Self::empty();
        match n {
            TCP | UDP | SCTP => {
                let ports = match l4 {
                    L4Match::Ports(r) => IntervalSet::from_range(r.from, r.to),
                    _ => IntervalSet::full(),
                };
                match n {
                    TCP => s.tcp = ports,
                    UDP => s.udp = ports,
                    _ => s.sctp = ports,
                }
            }
            ICMP | ICMPV6 => {
                let codes = match l4 {
                    L4Match::Icmp {
                        icmp_type: Some(t),
                        icmp_code,
                    } => {
                        let base = u16::from(t) << 8;
                        match icmp_code {
                            Some(c) => IntervalSet::single(base | u16::from(c)),
                            None => IntervalSet::from_range(base, base | 0xff),
                        }
                    }
                    _ => IntervalSet::full(),
                };
                if n == ICMP {
                    s.icmp = codes;
                } else {
                    s.icmpv6 = codes;
                }
            }
            n => s.other = ProtocolSet::single(n),
        }
        s
    }

    /// The single point `p`.
    pub fn from_point(p: ServicePoint) -> Self {
        let mut s = Self::empty();
        match p {
            ServicePoint::Tcp(port) => s.tcp = IntervalSet::single(port),
            ServicePoint::Udp(port) => s.udp = IntervalSet::single(port),
            ServicePoint::Sctp(port) => s.sctp = IntervalSet::single(port),
            ServicePoint::Icmp { icmp_type, code } => {
                s.icmp = IntervalSet::single(u16::from_be_bytes([icmp_type, code]))
            }
            ServicePoint::Icmpv6 { icmp_type, code } => {
                s.icmpv6 = IntervalSet::single(u16::from_be_bytes([icmp_type, code]))
            }
            ServicePoint::Other(n) if !TYPED_PROTOCOLS.contains(&n) => {
                s.other = ProtocolSet::single(n)
            }
            ServicePoint::Other(_) => {}
        }
        s
    }

    /// TCP destination ports.
    pub fn tcp_ports(&self) -> &IntervalSet<u16> {
        &self.tcp
    }

    /// UDP destination ports.
    pub fn udp_ports(&self) -> &IntervalSet<u16> {
        &self.udp
    }

    /// ICMP `(type, code)` pairs encoded as `type * 256 + code`.
    pub fn icmp(&self) -> &IntervalSet<u16> {
        &self.icmp
    }

    /// ICMPv6 `(type, code)` pairs encoded as `type * 256 + code`.
    pub fn icmpv6(&self) -> &IntervalSet<u16> {
        &self.icmpv6
    }

    /// The smallest point in `ServicePoint` order (TCP, UDP, SCTP, ICMP, ICMPv6,
    /// other); gives boxes a readable order that is total for disjoint sets.
    pub fn first(&self) -> Option<ServicePoint> {
        let icmp = |s: &IntervalSet<u16>| s.ranges().first().map(|r| r.0.to_be_bytes());
        if let Some(&(p, _)) = self.tcp.ranges().first() {
            Some(ServicePoint::Tcp(p))
        } else if let Some(&(p, _)) = self.udp.ranges().first() {
            Some(ServicePoint::Udp(p))
        } else if let Some(&(p, _)) = self.sctp.ranges().first() {
            Some(ServicePoint::Sctp(p))
        } else if let Some([icmp_type, code]) = icmp(&self.icmp) {
            Some(ServicePoint::Icmp { icmp_type, code })
        } else if let Some([icmp_type, code]) = icmp(&self.icmpv6) {
            Some(ServicePoint::Icmpv6 { icmp_type, code })
        } else {
            self.other.iter().next().map(ServicePoint::Other)
        }
    }

    /// Whether the set has no service.
    pub fn is_empty(&self) -> bool {
        self.tcp.is_empty()
            && self.udp.is_empty()
            && self.sctp.is_empty()
            && self.icmp.is_empty()
            && self.icmpv6.is_empty()
            && self.other.is_empty()
    }

    /// Whether the set is every service (protocol `-1`).
    pub fn is_all(&self) -> bool {
        *self == Self::all()
    }

    /// Whether packet kind `p` is in the set.
    pub fn contains(&self, p: ServicePoint) -> bool {
        match p {
            ServicePoint::Tcp(port) => self.tcp.contains(port),
            ServicePoint::Udp(port) => self.udp.contains(port),
            ServicePoint::Sctp(port) => self.sctp.contains(port),
            ServicePoint::Icmp { icmp_type, code } => {
                self.icmp.contains(u16::from_be_bytes([icmp_type, code]))
            }
            ServicePoint::Icmpv6 { icmp_type, code } => {
                self.icmpv6.contains(u16::from_be_bytes([icmp_type, code]))
            }
            ServicePoint::Other(n) => self.other.contains(n),
        }
    }

    /// Services in either set.
    pub fn union(&self, other: &Self) -> Self {
        self.zip(other, IntervalSet::union, ProtocolSet::union)
    }

    /// Services in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        self.zip(other, IntervalSet::intersection, ProtocolSet::intersection)
    }

    /// Services in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        self.zip(other, IntervalSet::difference, ProtocolSet::difference)
    }

    /// Services not in `self`.
    pub fn complement(&self) -> Self {
        Self::all().difference(self)
    }

    /// Whether the sets share a service.
    pub fn intersects(&self, other: &Self) -> bool {
        self.tcp.intersects(&other.tcp)
            || self.udp.intersects(&other.udp)
            || self.sctp.intersects(&other.sctp)
            || self.icmp.intersects(&other.icmp)
            || self.icmpv6.intersects(&other.icmpv6)
            || !self.other.intersection(&other.other).is_empty()
    }

    /// Whether every service of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.tcp.is_subset(&other.tcp)
            && self.udp.is_subset(&other.udp)
            && self.sctp.is_subset(&other.sctp)
            && self.icmp.is_subset(&other.icmp)
            && self.icmpv6.is_subset(&other.icmpv6)
            && self.other.is_subset(&other.other)
    }

    fn zip(
        &self,
        o: &Self,
        f: impl Fn(&IntervalSet<u16>, &IntervalSet<u16>) -> IntervalSet<u16>,
        g: impl Fn(&ProtocolSet, &ProtocolSet) -> ProtocolSet,
    ) -> Self {
        ServiceSet {
            tcp: f(&self.tcp, &o.tcp),
            udp: f(&self.udp, &o.udp),
            sctp: f(&self.sctp, &o.sctp),
            icmp: f(&self.icmp, &o.icmp),
            icmpv6: f(&self.icmpv6, &o.icmpv6),
            other: g(&self.other, &o.other),
        }
    }
}

impl fmt::Display for ServiceSet {
    /// `all`, `none`, or e.g. `tcp 22, 80-443; icmp 8; icmpv6 all; protocols 47, 50`
    /// where an ICMP item is `type` (all codes), `type/code` or `type/code-code`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        let mut parts = Vec::new();
        for (name, ports) in [("tcp", &self.tcp), ("udp", &self.udp), ("sctp", &self.sctp)] {
            if !ports.is_empty() {
                parts.push(format!("{name} {}", ranges_text(ports)));
            }
        }
        for (name, codes) in [("icmp", &self.icmp), ("icmpv6", &self.icmpv6)] {
            if !codes.is_empty() {
                parts.push(format!("{name} {}", icmp_text(codes)));
            }
        }
        if !self.other.is_empty() {
            let list: Vec<String> = self.other.iter().map(|n| n.to_string()).collect();
            parts.push(format!("protocols {}", list.join(", ")));
        }
        if parts.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&parts.join("; "))
    }
}

impl fmt::Debug for ServiceSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceSet({self})")
    }
}

/// `all` for a full set, else `a, b-c, ...`.
fn ranges_text(s: &IntervalSet<u16>) -> String {
    if s.is_full() {
        return "all".to_string();
    }
    let items: Vec<String> = s
        .ranges()
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    items.join(", ")
}

/// ICMP pairs as `type`, `types-range` (whole types) or `type/code[-code]`.
fn icmp_text(s: &IntervalSet<u16>) -> String {
    if s.is_full() {
        return "all".to_string();
    }
    let mut items: Vec<String> = Vec::new();
    let mut whole: Option<(u8, u8)> = None; // run of consecutive types with all codes
    let flush = |whole: &mut Option<(u8, u8)>, items: &mut Vec<String>| {
        if let Some((a, b)) = whole.take() {
            items.push(if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            });
        }
    };
    for &(lo, hi) in s.ranges() {
        let [t_lo, _] = lo.to_be_bytes();
        let [t_hi, _] = hi.to_be_bytes();
        for t in t_lo..=t_hi {
            let base = u16::from(t) << 8;
            let [_, c_lo] = lo.max(base).to_be_bytes();
            let [_, c_hi] = hi.min(base | 0xff).to_be_bytes();
            if c_lo == 0 && c_hi == 0xff {
                whole = match whole {
                    Some((a, b)) if b.checked_add(1) == Some(t) => Some((a, t)),
                    _ => {
                        flush(&mut whole, &mut items);
                        Some((t, t))
                    }
                };
                continue;
            }
            flush(&mut whole, &mut items);
            items.push(if c_lo == c_hi {
                format!("{t}/{c_lo}")
            } else {
                format!("{t}/{c_lo}-{c_hi}")
            });
        }
    }
    flush(&mut whole, &mut items);
    items.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::PortRange;
    use proptest::prelude::*;

    fn ports(p: Protocol, from: u16, to: u16) -> ServiceSet {
        ServiceSet::from_rule(p, L4Match::Ports(PortRange { from, to }))
    }

    fn icmp(t: Option<u8>, c: Option<u8>) -> ServiceSet {
        ServiceSet::from_rule(
            Protocol::Icmp,
            L4Match::Icmp {
                icmp_type: t,
                icmp_code: c,
            },
        )
    }

    #[test]
    fn tcp_range_covers_its_ports_only() {
        let s = ports(Protocol::Tcp, 20, 30);
        assert!(s.contains(ServicePoint::Tcp(22)));
        assert!(!s.contains(ServicePoint::Tcp(31)));
        assert_eq!(s.to_string(), "tcp 20-30");
    }

    #[test]
    fn udp_is_separate_from_tcp() {
        let t = ports(Protocol::Tcp, 53, 53);
        let u = ports(Protocol::Udp, 53, 53);
        assert!(!t.contains(ServicePoint::Udp(53)));
        assert!(!u.contains(ServicePoint::Tcp(53)));
        assert!(!t.intersects(&u));
        assert!(t.intersection(&u).is_empty());
        assert_eq!(t.union(&u).to_string(), "tcp 53; udp 53");
    }

    #[test]
    fn icmp_type_8_all_codes() {
        let s = icmp(Some(8), None);
        assert!(s.contains(ServicePoint::Icmp {
            icmp_type: 8,
            code: 0
        }));
        assert!(s.contains(ServicePoint::Icmp {
            icmp_type: 8,
            code: 255
        }));
        assert!(!s.contains(ServicePoint::Icmp {
            icmp_type: 0,
            code: 0
        }));
        assert!(!s.contains(ServicePoint::Icmpv6 {
            icmp_type: 8,
            code: 0
        }));
        assert_eq!(s.to_string(), "icmp 8");
    }

    #[test]
    fn icmp_type_and_code_is_one_pair() {
        let s = icmp(Some(3), Some(4));
        assert!(s.contains(ServicePoint::Icmp {
            icmp_type: 3,
            code: 4
        }));
        assert!(!s.contains(ServicePoint::Icmp {
            icmp_type: 3,
            code: 3
        }));
        assert_eq!(s.to_string(), "icmp 3/4");
        assert!(s.is_subset(&icmp(Some(3), None)));
    }

    #[test]
    fn icmp_all_types_is_every_pair() {
        let s = icmp(None, None);
        assert!(s.icmp().is_full());
        assert_eq!(s.to_string(), "icmp all");
        // AWS needs code -1 with type -1; a stray code doesn't narrow "all types".
        assert_eq!(icmp(None, Some(3)), s);
    }

    #[test]
    fn icmp_display_groups_whole_types() {
        let s = icmp(Some(0), None)
            .union(&icmp(Some(3), Some(4)))
            .union(&icmp(Some(8), None))
            .union(&icmp(Some(9), None))
            .union(&icmp(Some(11), Some(0)))
            .union(&icmp(Some(11), Some(1)));
        assert_eq!(s.to_string(), "icmp 0, 3/4, 8-9, 11/0-1");
    }

    #[test]
    fn protocol_all_includes_icmpv6_and_gre() {
        let s = ServiceSet::from_rule(Protocol::All, L4Match::Any);
        assert!(s.is_all());
        assert!(s.contains(ServicePoint::Icmpv6 {
            icmp_type: 128,
            code: 0
        }));
        assert!(s.contains(ServicePoint::Other(47)));
        assert!(s.contains(ServicePoint::Other(0)));
        assert!(s.contains(ServicePoint::Other(255)));
        assert!(s.contains(ServicePoint::Tcp(0)));
        assert!(s.contains(ServicePoint::Udp(65535)));
        assert!(s.contains(ServicePoint::Sctp(1)));
        assert_eq!(s.to_string(), "all");
        // L4 details on protocol -1 are ignored, as AWS does.
        let with_ports = ServiceSet::from_rule(Protocol::All, L4Match::Ports(PortRange::ALL));
        assert!(with_ports.is_all());
    }

    #[test]
    fn numbered_protocol_is_whole_and_separate() {
        let gre = ServiceSet::from_rule(Protocol::Other(47), L4Match::Any);
        assert!(gre.contains(ServicePoint::Other(47)));
        assert!(!gre.contains(ServicePoint::Other(50)));
        assert!(!gre.contains(ServicePoint::Tcp(47)));
        assert_eq!(gre.to_string(), "protocols 47");
    }

    #[test]
    fn numbered_spelling_of_typed_protocol_is_typed() {
        assert_eq!(
            ServiceSet::from_rule(Protocol::Other(6), L4Match::Any),
            ServiceSet::from_rule(Protocol::Tcp, L4Match::Any)
        );
        assert!(ServiceSet::from_point(ServicePoint::Other(6)).is_empty());
        assert!(!ServiceSet::all().contains(ServicePoint::Other(6)));
    }

    #[test]
    fn sctp_keeps_its_ports() {
        let s = ports(Protocol::Other(132), 5000, 5001);
        assert!(s.contains(ServicePoint::Sctp(5000)));
        assert!(!s.contains(ServicePoint::Sctp(4999)));
        assert!(!s.contains(ServicePoint::Tcp(5000)));
    }

    #[test]
    fn mismatched_l4_means_all_of_the_protocol() {
        assert!(ServiceSet::from_rule(Protocol::Tcp, L4Match::Any)
            .tcp_ports()
            .is_full());
        let icmp_on_udp = ServiceSet::from_rule(
            Protocol::Udp,
            L4Match::Icmp {
                icmp_type: Some(8),
                icmp_code: None,
            },
        );
        assert!(icmp_on_udp.udp_ports().is_full());
        assert!(ports(Protocol::Icmp, 1, 2).icmp().is_full());
    }

    #[test]
    fn first_point_follows_protocol_order() {
        assert_eq!(ServiceSet::empty().first(), None);
        assert_eq!(ServiceSet::all().first(), Some(ServicePoint::Tcp(0)));
        let s = ports(Protocol::Udp, 53, 53).union(&icmp(Some(8), None));
        assert_eq!(s.first(), Some(ServicePoint::Udp(53)));
        assert_eq!(
            icmp(Some(8), Some(1)).first(),
            Some(ServicePoint::Icmp {
                icmp_type: 8,
                code: 1
            })
        );
        let gre = ServiceSet::from_rule(Protocol::Other(47), L4Match::Any);
        assert_eq!(gre.first(), Some(ServicePoint::Other(47)));
    }

    #[test]
    fn reversed_port_range_matches_nothing() {
        assert!(ports(Protocol::Tcp, 30, 20).is_empty());
    }

    #[test]
    fn complement_and_difference() {
        let ssh = ports(Protocol::Tcp, 22, 22);
        let rest = ssh.complement();
        assert!(!rest.contains(ServicePoint::Tcp(22)));
        assert!(rest.contains(ServicePoint::Tcp(23)));
        assert!(rest.contains(ServicePoint::Other(47)));
        assert!(!rest.contains(ServicePoint::Other(6)));
        assert!(rest.union(&ssh).is_all());
        assert_eq!(ServiceSet::all().difference(&rest), ssh);
        assert!(ServiceSet::empty().complement().is_all());
        assert_eq!(ServiceSet::empty().to_string(), "none");
    }

    #[test]
    fn service_point_new_decodes_detail() {
        assert_eq!(ServicePoint::new(6, 443), ServicePoint::Tcp(443));
        assert_eq!(
            ServicePoint::new(1, 8 * 256 + 3),
            ServicePoint::Icmp {
                icmp_type: 8,
                code: 3
            }
        );
        assert_eq!(ServicePoint::new(50, 99), ServicePoint::Other(50));
        assert_eq!(ServicePoint::new(58, 0).protocol(), 58);
    }

    #[test]
    fn protocol_set_basics() {
        let s = ProtocolSet::single(0).union(&ProtocolSet::single(255));
        assert_eq!(s.len(), 2);
        assert!(s.contains(0) && s.contains(255) && !s.contains(1));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 255]);
        assert_eq!(s.complement().len(), 254);
        assert!(ProtocolSet::full().complement().is_empty());
        assert_eq!(untyped_protocols().len(), 251);
    }

    // Small-universe rules; sample points cover every region such rules can split.
    fn rule() -> impl Strategy<Value = ServiceSet> {
        let port = 0u16..8;
        let small = 0u8..4;
        prop_oneof![
            Just(ServiceSet::all()),
            (port.clone(), port.clone()).prop_map(|(a, b)| ports(Protocol::Tcp, a, b)),
            (port.clone(), port).prop_map(|(a, b)| ports(Protocol::Udp, a, b)),
            (prop::option::of(small.clone()), prop::option::of(small)).prop_map(|(t, c)| {
                ServiceSet::from_rule(
                    Protocol::Icmpv6,
                    L4Match::Icmp {
                        icmp_type: t,
                        icmp_code: c,
                    },
                )
            }),
            prop::sample::select(vec![0u8, 47, 50, 255])
                .prop_map(|n| ServiceSet::from_rule(Protocol::Other(n), L4Match::Any)),
        ]
    }

    fn service() -> impl Strategy<Value = ServiceSet> {
        prop::collection::vec(rule(), 0..4)
            .prop_map(|v| v.iter().fold(ServiceSet::empty(), |a, b| a.union(b)))
    }

    fn samples() -> Vec<ServicePoint> {
        let mut v = Vec::new();
        for p in (0..=9).chain([65535]) {
            v.extend([
                ServicePoint::Tcp(p),
                ServicePoint::Udp(p),
                ServicePoint::Sctp(p),
            ]);
        }
        for t in (0..=4).chain([255]) {
            for c in (0..=4).chain([255]) {
                v.push(ServicePoint::Icmpv6 {
                    icmp_type: t,
                    code: c,
                });
                v.push(ServicePoint::Icmp {
                    icmp_type: t,
                    code: c,
                });
            }
        }
        v.extend([0, 2, 47, 50, 255].map(ServicePoint::Other));
        v
    }

    proptest! {
        #[test]
        fn service_ops_match_pointwise_logic(a in service(), b in service()) {
            let (u, i, d, c) = (a.union(&b), a.intersection(&b), a.difference(&b), a.complement());
            let mut subset = true;
            let mut meet = false;
            for p in samples() {
                let (x, y) = (a.contains(p), b.contains(p));
                prop_assert_eq!(u.contains(p), x || y, "union at {:?}", p);
                prop_assert_eq!(i.contains(p), x && y, "intersection at {:?}", p);
                prop_assert_eq!(d.contains(p), x && !y, "difference at {:?}", p);
                prop_assert_eq!(c.contains(p), !x, "complement at {:?}", p);
                subset &= !x || y;
                meet |= x && y;
            }
            prop_assert_eq!(a.is_subset(&b), subset);
            prop_assert_eq!(a.intersects(&b), meet);
            prop_assert_eq!(i.is_empty(), !meet);
        }
    }
}
