//! Sets of flows: which addresses may use which services, as a union of boxes
//! `addresses × services` — e.g. "TCP 22 from 0.0.0.0/0, UDP 53 from 10.0.0.0/8".
//!
//! The boxes are kept in a canonical form: their service parts are pairwise
//! disjoint and their address parts non-empty and pairwise distinct. That is the
//! set viewed as a function `service -> addresses`, grouped by equal address sets,
//! so it is unique: `==` is set equality, the number of boxes stays at the number of
//! distinct address sets, and box difference never splits boxes recursively.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use super::addr::IpSet;
use super::service::{ServicePoint, ServiceSet};

/// One box of a [`FlowSet`]: every address of `addrs` with every service of `services`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FlowBox {
    /// The addresses (sources or destinations, as the caller means them).
    pub addrs: IpSet,
    /// The services those addresses may use.
    pub services: ServiceSet,
}

/// A set of (address, service) pairs; see the module doc for the canonical form.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct FlowSet {
    // Sorted by the first point of `services` so equal sets have equal vectors.
    boxes: Vec<FlowBox>,
}

impl FlowSet {
    /// No flow.
    pub fn empty() -> Self {
        FlowSet::default()
    }

    /// Every address with every service.
    pub fn all() -> Self {
        Self::from_box(IpSet::full(), ServiceSet::all())
    }

    /// The box `addrs × services`.
    pub fn from_box(addrs: IpSet, services: ServiceSet) -> Self {
        if addrs.is_empty() || services.is_empty() {
            return Self::empty();
        }
        FlowSet {
            boxes: vec![FlowBox { addrs, services }],
        }
    }

    /// The union of many possibly overlapping boxes.
    pub fn from_boxes<I: IntoIterator<Item = (IpSet, ServiceSet)>>(boxes: I) -> Self {
        // Merge boxes that share a service set first: one IpSet union instead of a
        // refinement pass each, which covers the common "same ports, many CIDRs" case.
        let mut by_service: HashMap<ServiceSet, IpSet> = HashMap::new();
        for (a, s) in boxes {
            let e = by_service.entry(s).or_default();
            *e = e.union(&a);
        }
        let mut sorted: Vec<(ServiceSet, IpSet)> = by_service.into_iter().collect();
        sorted.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        sorted.into_iter().fold(Self::empty(), |acc, (s, a)| {
            acc.union(&Self::from_box(a, s))
        })
    }

    /// The boxes, in canonical form.
    pub fn boxes(&self) -> &[FlowBox] {
        &self.boxes
    }

    /// Whether the set has no flow.
    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    /// Whether the set is every address with every service.
    pub fn is_all(&self) -> bool {
        *self == Self::all()
    }

    /// Whether `addr` may use service `p`.
    pub fn contains(&self, addr: IpAddr, p: ServicePoint) -> bool {
        self.box_for(p).is_some_and(|b| b.addrs.contains(addr))
    }

    /// The addresses that may use service `p`.
    pub fn addresses_for(&self, p: ServicePoint) -> IpSet {
        self.box_for(p).map(|b| b.addrs.clone()).unwrap_or_default()
    }

    /// The services that `addr` may use.
    pub fn services_for(&self, addr: IpAddr) -> ServiceSet {
        self.boxes
            .iter()
            .filter(|b| b.addrs.contains(addr))
            .fold(ServiceSet::empty(), |s, b| s.union(&b.services))
    }

    /// Every address that may use some service.
    pub fn addresses(&self) -> IpSet {
        self.boxes
            .iter()
            .fold(IpSet::empty(), |s, b| s.union(&b.addrs))
    }

    /// Every service that some address may use.
    pub fn services(&self) -> ServiceSet {
        self.boxes
            .iter()
            .fold(ServiceSet::empty(), |s, b| s.union(&b.services))
    }

    /// Flows in either set.
    pub fn union(&self, other: &Self) -> Self {
        combine(self, other, IpSet::union, true, true)
    }

    /// Flows in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        combine(self, other, IpSet::intersection, false, false)
    }

    /// Flows in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        combine(self, other, IpSet::difference, true, false)
    }

    /// Flows not in `self`.
    pub fn complement(&self) -> Self {
        Self::all().difference(self)
    }

    /// Whether every flow of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        // Canonical form: each of our boxes' services meets other's boxes in disjoint
        // pieces; every piece must carry a superset of our addresses.
        self.boxes.iter().all(|a| {
            let mut covered = ServiceSet::empty();
            for b in &other.boxes {
                if a.services.intersects(&b.services) {
                    if !a.addrs.is_subset(&b.addrs) {
                        return false;
                    }
                    covered = covered.union(&b.services);
                }
            }
            a.services.is_subset(&covered)
        })
    }

    fn box_for(&self, p: ServicePoint) -> Option<&FlowBox> {
        // Service parts are disjoint, so at most one box holds `p`.
        self.boxes.iter().find(|b| b.services.contains(p))
    }
}

/// Applies a pointwise operation on the address sets of two flow sets.
///
/// Splits the services into the pieces where both sets, only `a`, or only `b` have
/// boxes, computes the addresses of each piece, then regroups by address set.
/// `keep_a_only` / `keep_b_only` say whether the one-sided pieces survive (they keep
/// their own addresses when they do).
fn combine(
    a: &FlowSet,
    b: &FlowSet,
    op: impl Fn(&IpSet, &IpSet) -> IpSet,
    keep_a_only: bool,
    keep_b_only: bool,
) -> FlowSet {
    let mut pieces: Vec<(IpSet, ServiceSet)> = Vec::new();
    for x in &a.boxes {
        for y in &b.boxes {
            let s = x.services.intersection(&y.services);
            if !s.is_empty() {
                pieces.push((op(&x.addrs, &y.addrs), s));
            }
        }
    }
    if keep_a_only {
        let b_services = b.services();
        for x in &a.boxes {
            pieces.push((x.addrs.clone(), x.services.difference(&b_services)));
        }
    }
    if keep_b_only {
        let a_services = a.services();
        for y in &b.boxes {
            pieces.push((y.addrs.clone(), y.services.difference(&a_services)));
        }
    }
    regroup(pieces)
}

/// Builds the canonical form from pieces whose services are pairwise disjoint.
fn regroup(pieces: Vec<(IpSet, ServiceSet)>) -> FlowSet {
    let mut by_addrs: HashMap<IpSet, ServiceSet> = HashMap::new();
    for (addrs, services) in pieces {
        if addrs.is_empty() || services.is_empty() {
            continue;
        }
        let e = by_addrs.entry(addrs).or_default();
        *e = e.union(&services);
    }
    let mut boxes: Vec<FlowBox> = by_addrs
        .into_iter()
        .map(|(addrs, services)| FlowBox { addrs, services })
        .collect();
    // Services are disjoint and non-empty, so their first points are distinct: the
    // order is total, and reads TCP first, as people list rules.
    boxes.sort_unstable_by_key(|b| b.services.first());
    FlowSet { boxes }
}

impl fmt::Display for FlowSet {
    /// `services from addresses` per box, joined by ` | `; `nothing` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.boxes.is_empty() {
            return f.write_str("nothing");
        }
        for (i, b) in self.boxes.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{} from {}", b.services, b.addrs)?;
        }
        Ok(())
    }
}

impl fmt::Debug for FlowSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlowSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{L4Match, PortRange, Protocol};
    use ipnet::{IpNet, Ipv4Net};
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::Ipv4Addr;

    fn net(s: &str) -> IpSet {
        IpSet::from_net(s.parse().expect("test CIDR"))
    }

    fn svc(p: Protocol, from: u16, to: u16) -> ServiceSet {
        ServiceSet::from_rule(p, L4Match::Ports(PortRange { from, to }))
    }

    fn ssh_and_dns() -> FlowSet {
        FlowSet::from_boxes([
            (net("0.0.0.0/0"), svc(Protocol::Tcp, 22, 22)),
            (net("10.0.0.0/8"), svc(Protocol::Udp, 53, 53)),
        ])
    }

    #[test]
    fn boxes_answer_per_service() {
        let f = ssh_and_dns();
        assert_eq!(f.addresses_for(ServicePoint::Tcp(22)), net("0.0.0.0/0"));
        assert_eq!(f.addresses_for(ServicePoint::Udp(53)), net("10.0.0.0/8"));
        assert!(f.addresses_for(ServicePoint::Tcp(53)).is_empty());
        assert!(f.contains("8.8.8.8".parse().unwrap(), ServicePoint::Tcp(22)));
        assert!(!f.contains("8.8.8.8".parse().unwrap(), ServicePoint::Udp(53)));
        assert_eq!(
            f.to_string(),
            "tcp 22 from 0.0.0.0/0 | udp 53 from 10.0.0.0/8"
        );
    }

    #[test]
    fn overlapping_rules_split_services() {
        // tcp 22 from X and tcp 20-30 from Y: port 22 gets X ∪ Y, the rest only Y.
        let f = FlowSet::from_boxes([
            (net("1.0.0.0/8"), svc(Protocol::Tcp, 22, 22)),
            (net("2.0.0.0/8"), svc(Protocol::Tcp, 20, 30)),
        ]);
        assert_eq!(f.boxes().len(), 2);
        assert_eq!(
            f.addresses_for(ServicePoint::Tcp(22)),
            net("1.0.0.0/8").union(&net("2.0.0.0/8"))
        );
        assert_eq!(f.addresses_for(ServicePoint::Tcp(21)), net("2.0.0.0/8"));
    }

    #[test]
    fn boxes_with_equal_addresses_merge() {
        let f = FlowSet::from_boxes([
            (net("10.0.0.0/8"), svc(Protocol::Tcp, 22, 22)),
            (net("10.0.0.0/8"), svc(Protocol::Tcp, 443, 443)),
        ]);
        assert_eq!(f.boxes().len(), 1);
        assert_eq!(f.to_string(), "tcp 22, 443 from 10.0.0.0/8");
    }

    #[test]
    fn boxes_with_equal_services_merge() {
        let f = FlowSet::from_box(net("10.0.0.0/9"), svc(Protocol::Tcp, 22, 22)).union(
            &FlowSet::from_box(net("10.128.0.0/9"), svc(Protocol::Tcp, 22, 22)),
        );
        assert_eq!(f.to_string(), "tcp 22 from 10.0.0.0/8");
    }

    #[test]
    fn empty_boxes_are_dropped() {
        assert!(FlowSet::from_box(IpSet::empty(), ServiceSet::all()).is_empty());
        assert!(FlowSet::from_box(IpSet::full(), ServiceSet::empty()).is_empty());
        let f = ssh_and_dns();
        assert!(f.difference(&f).is_empty());
        assert!(f.difference(&f).boxes().is_empty());
        assert_eq!(FlowSet::empty().to_string(), "nothing");
    }

    #[test]
    fn difference_carves_out_a_deny() {
        let allow = FlowSet::from_box(net("0.0.0.0/0"), ServiceSet::all());
        let deny = FlowSet::from_box(net("10.0.0.0/8"), svc(Protocol::Tcp, 22, 22));
        let left = allow.difference(&deny);
        assert!(!left.contains("10.1.1.1".parse().unwrap(), ServicePoint::Tcp(22)));
        assert!(left.contains("11.1.1.1".parse().unwrap(), ServicePoint::Tcp(22)));
        assert!(left.contains("10.1.1.1".parse().unwrap(), ServicePoint::Tcp(23)));
        assert_eq!(left.boxes().len(), 2);
        assert_eq!(left.union(&deny), allow);
        assert!(deny.is_subset(&allow) && !allow.is_subset(&deny));
        assert!(left.intersection(&deny).is_empty());
    }

    #[test]
    fn complement_of_all_is_empty() {
        assert!(FlowSet::all().complement().is_empty());
        assert!(FlowSet::empty().complement().is_all());
        let f = ssh_and_dns();
        assert_eq!(f.complement().complement(), f);
    }

    #[test]
    fn services_for_an_address() {
        let f = ssh_and_dns();
        let s = f.services_for("10.0.0.1".parse().unwrap());
        assert!(s.contains(ServicePoint::Tcp(22)) && s.contains(ServicePoint::Udp(53)));
        let s = f.services_for("8.8.8.8".parse().unwrap());
        assert!(!s.contains(ServicePoint::Udp(53)));
        assert_eq!(f.addresses(), net("0.0.0.0/0"));
    }

    // Tiny universe: 10.0.0.0/29 × {tcp, udp} × ports 0..8, checked exhaustively.
    fn flow_box() -> impl Strategy<Value = (IpSet, ServiceSet)> {
        (0u32..8, 29u8..=32, any::<bool>(), 0u16..8, 0u16..8).prop_map(|(off, len, tcp, a, b)| {
            let base = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + off);
            let n = Ipv4Net::new(base, len).expect("prefix <= 32").trunc();
            let p = if tcp { Protocol::Tcp } else { Protocol::Udp };
            (IpSet::from_net(IpNet::V4(n)), svc(p, a.min(b), a.max(b)))
        })
    }

    fn boxes() -> impl Strategy<Value = Vec<(IpSet, ServiceSet)>> {
        prop::collection::vec(flow_box(), 0..5)
    }

    type Point = (u8, bool, u16);

    fn points() -> impl Iterator<Item = Point> {
        (0u8..8).flat_map(|h| {
            [true, false]
                .into_iter()
                .flat_map(move |t| (0u16..8).map(move |p| (h, t, p)))
        })
    }

    fn point(&(h, tcp, port): &Point) -> (IpAddr, ServicePoint) {
        let addr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, h));
        let p = if tcp {
            ServicePoint::Tcp(port)
        } else {
            ServicePoint::Udp(port)
        };
        (addr, p)
    }

    /// Members of a flow set, read through `contains`.
    fn members(f: &FlowSet) -> BTreeSet<Point> {
        points()
            .filter(|x| {
                let (addr, p) = point(x);
                f.contains(addr, p)
            })
            .collect()
    }

    /// Members of the union of raw boxes, without going through `FlowSet`.
    fn brute(boxes: &[(IpSet, ServiceSet)]) -> BTreeSet<Point> {
        points()
            .filter(|x| {
                let (addr, p) = point(x);
                boxes.iter().any(|(a, s)| a.contains(addr) && s.contains(p))
            })
            .collect()
    }

    fn canonical(f: &FlowSet) -> bool {
        let b = f.boxes();
        b.iter()
            .all(|x| !x.addrs.is_empty() && !x.services.is_empty())
            && b.iter().enumerate().all(|(i, x)| {
                b[i + 1..]
                    .iter()
                    .all(|y| x.addrs != y.addrs && !x.services.intersects(&y.services))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn flow_ops_match_brute_force(va in boxes(), vb in boxes()) {
            let (a, b) = (FlowSet::from_boxes(va.clone()), FlowSet::from_boxes(vb.clone()));
            let (ma, mb) = (brute(&va), brute(&vb));
            prop_assert_eq!(members(&a), ma.clone());
            prop_assert_eq!(members(&b), mb.clone());
            let (u, i, d) = (a.union(&b), a.intersection(&b), a.difference(&b));
            prop_assert!(canonical(&a) && canonical(&u) && canonical(&i) && canonical(&d));
            prop_assert_eq!(members(&u), &ma | &mb);
            prop_assert_eq!(members(&i), &ma & &mb);
            prop_assert_eq!(members(&d), &ma - &mb);
            prop_assert_eq!(a.is_subset(&b), ma.is_subset(&mb));
            prop_assert_eq!(d.is_empty(), ma.is_subset(&mb));
            // Canonical form: equal sets are equal values.
            prop_assert_eq!(a.union(&b), b.union(&a));
            prop_assert_eq!(u.difference(&b).union(&i), a.clone());
        }

        #[test]
        fn addresses_for_matches_brute_force(v in boxes(), tcp in any::<bool>(), port in 0u16..9) {
            let p = if tcp { ServicePoint::Tcp(port) } else { ServicePoint::Udp(port) };
            let want = v
                .iter()
                .filter(|(_, s)| s.contains(p))
                .fold(IpSet::empty(), |acc, (a, _)| acc.union(a));
            prop_assert_eq!(FlowSet::from_boxes(v).addresses_for(p), want);
        }
    }
}
