//! Services as bits: a catalogue of at most 64 service points, and security-group
//! and NACL flow sets compiled to "which of those points, for this address".

use std::net::IpAddr;

use crate::inventory::{L4Match, PortRange, Protocol};

use super::super::sets::{FlowSet, IpSet, ServicePoint, ServiceSet};

/// At most this many points fit one `u64`.
pub const MAX_POINTS: usize = 64;

/// The services a hop may use, bit `i` for `points()[i]`. Only TCP, UDP and SCTP
/// points: their replies (the same protocol to the client's ephemeral ports) are what
/// the NACL check models exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    points: Vec<ServicePoint>,
}

impl Catalogue {
    /// The points, sorted and deduplicated; ICMP and portless protocols are dropped,
    /// and anything past [`MAX_POINTS`] (the caller should say so).
    pub fn new(points: impl IntoIterator<Item = ServicePoint>) -> Catalogue {
        let mut points: Vec<ServicePoint> = points
            .into_iter()
            .filter(|p| {
                matches!(
                    p,
                    ServicePoint::Tcp(_) | ServicePoint::Udp(_) | ServicePoint::Sctp(_)
                )
            })
            .collect();
        points.sort();
        points.dedup();
        points.truncate(MAX_POINTS);
        Catalogue { points }
    }

    pub fn points(&self) -> &[ServicePoint] {
        &self.points
    }

    /// The points `s` contains.
    pub fn bits(&self, s: &ServiceSet) -> u64 {
        self.points
            .iter()
            .enumerate()
            .filter(|(_, p)| s.contains(**p))
            .fold(0, |acc, (i, _)| acc | 1 << i)
    }

    /// The points of `bits`, in catalogue order.
    pub fn decode(&self, bits: u64) -> Vec<ServicePoint> {
        self.points
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect()
    }

    /// For each protocol with ports: the points of that protocol, and the set of its
    /// replies (the protocol to every port of `ephemeral`).
    pub(super) fn replies(&self, ephemeral: PortRange) -> Vec<(u64, ServiceSet)> {
        [
            (Protocol::Tcp, 6u8),
            (Protocol::Udp, 17),
            (Protocol::Other(132), 132),
        ]
        .into_iter()
        .map(|(p, n)| {
            let mask = self
                .points
                .iter()
                .enumerate()
                .filter(|(_, pt)| pt.protocol() == n)
                .fold(0u64, |acc, (i, _)| acc | 1 << i);
            (mask, ServiceSet::from_rule(p, L4Match::Ports(ephemeral)))
        })
        .filter(|(mask, _)| *mask != 0)
        .collect()
    }
}

/// A flow set as (addresses, catalogue bits) boxes.
#[derive(Debug, Clone, Default)]
pub(super) struct Compiled {
    boxes: Vec<(IpSet, u64)>,
}

impl Compiled {
    pub fn of(flows: &FlowSet, cat: &Catalogue) -> Compiled {
        Compiled {
            boxes: flows
                .boxes()
                .iter()
                .map(|b| (b.addrs.clone(), cat.bits(&b.services)))
                .filter(|(_, bits)| *bits != 0)
                .collect(),
        }
    }

    /// The points allowed with `addr` as the peer.
    pub fn at(&self, addr: IpAddr) -> u64 {
        self.boxes
            .iter()
            .filter(|(a, _)| a.contains(addr))
            .fold(0, |acc, (_, b)| acc | b)
    }

    /// `row[i] |= at(sorted[i])` for every `i`, by walking the boxes' IPv4 ranges over
    /// the ascending addresses `sorted`.
    pub fn sweep_v4(&self, sorted: &[u32], row: &mut [u64]) {
        for (addrs, bits) in &self.boxes {
            for &(lo, hi) in addrs.v4.intervals().ranges() {
                let start = sorted.partition_point(|&a| a < lo);
                let end = sorted.partition_point(|&a| a <= hi);
                for r in &mut row[start..end] {
                    *r |= bits;
                }
            }
        }
    }

    /// Every `(index in sorted, bits)` whose address one of the boxes holds.
    pub fn hits_v4(&self, sorted: &[u32]) -> Vec<(usize, u64)> {
        let mut out = Vec::new();
        for (addrs, bits) in &self.boxes {
            for &(lo, hi) in addrs.v4.intervals().ranges() {
                let start = sorted.partition_point(|&a| a < lo);
                let end = sorted.partition_point(|&a| a <= hi);
                out.extend((start..end).map(|i| (i, *bits)));
            }
        }
        out
    }
}

/// What a NACL lets through at one address in one direction: the catalogue points a
/// request may use, and the points whose replies (every ephemeral port) pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct AclAt {
    pub requests: u64,
    pub replies: u64,
}

/// One NACL direction as pieces of address space with one [`AclAt`] each.
#[derive(Debug, Clone)]
pub(super) struct AclPieces {
    v4_starts: Vec<u32>,
    v4: Vec<AclAt>,
    flows: FlowSet,
    replies: Vec<(u64, ServiceSet)>,
    cat_bits: Vec<(ServiceSet, u64)>,
}

impl AclPieces {
    pub fn new(flows: FlowSet, cat: &Catalogue, replies: &[(u64, ServiceSet)]) -> AclPieces {
        let mut starts = vec![0u32];
        for b in flows.boxes() {
            for &(lo, hi) in b.addrs.v4.intervals().ranges() {
                starts.push(lo);
                starts.extend(hi.checked_add(1));
            }
        }
        starts.sort_unstable();
        starts.dedup();
        let cat_bits = cat
            .points()
            .iter()
            .enumerate()
            .map(|(i, p)| (ServiceSet::from_point(*p), 1u64 << i))
            .collect();
        let mut pieces = AclPieces {
            v4_starts: Vec::new(),
            v4: Vec::new(),
            flows,
            replies: replies.to_vec(),
            cat_bits,
        };
        let values: Vec<AclAt> = starts
            .iter()
            .map(|&s| pieces.eval(IpAddr::V4(s.into())))
            .collect();
        pieces.v4_starts = starts;
        pieces.v4 = values;
        pieces
    }

    fn eval(&self, addr: IpAddr) -> AclAt {
        let s = self.flows.services_for(addr);
        let requests = self
            .cat_bits
            .iter()
            .filter(|(p, _)| p.is_subset(&s))
            .fold(0, |acc, (_, b)| acc | b);
        let replies = self
            .replies
            .iter()
            .filter(|(_, r)| r.is_subset(&s))
            .fold(0, |acc, (m, _)| acc | m);
        AclAt { requests, replies }
    }

    pub fn at(&self, addr: IpAddr) -> AclAt {
        match addr {
            IpAddr::V4(a) => {
                let i = self.v4_starts.partition_point(|&s| s <= u32::from(a));
                self.v4[i - 1]
            }
            IpAddr::V6(_) => self.eval(addr),
        }
    }
}

/// The points a connection passes both NACLs on (request out at the source and in at
/// the destination, replies out at the destination and in at the source).
pub(super) fn nacl_pass(src_out: AclAt, dst_in: AclAt, dst_out: AclAt, src_in: AclAt) -> u64 {
    src_out.requests & dst_in.requests & dst_out.replies & src_in.replies
}
