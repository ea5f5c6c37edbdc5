//! Exact sets of IPv4 and IPv6 addresses, built from CIDRs and shown as CIDRs.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv4Subnets, Ipv6Net, Ipv6Subnets};

use super::interval::IntervalSet;

/// A set of IPv4 addresses.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Set(IntervalSet<u32>);

/// A set of IPv6 addresses.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv6Set(IntervalSet<u128>);

/// A set of addresses of both families; the families never mix.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpSet {
    /// The IPv4 part.
    pub v4: Ipv4Set,
    /// The IPv6 part.
    pub v6: Ipv6Set,
}

// The two single-family sets share everything but the address type, so one macro
// writes both instead of two hand-copied blocks that could drift apart.
macro_rules! family_set {
    ($set:ident, $int:ty, $addr:ty, $net:ty, $subnets:ident) => {
        impl $set {
            /// No address.
            pub fn empty() -> Self {
                $set(IntervalSet::empty())
            }

            /// Every address of the family (the `/0`).
            pub fn full() -> Self {
                $set(IntervalSet::full())
            }

            /// The addresses of a CIDR; host bits below the prefix are ignored, as AWS does.
            pub fn from_net(net: $net) -> Self {
                $set(IntervalSet::from_range(
                    <$int>::from(net.network()),
                    <$int>::from(net.broadcast()),
                ))
            }

            /// One address.
            pub fn from_addr(addr: $addr) -> Self {
                $set(IntervalSet::single(<$int>::from(addr)))
            }

            /// The inclusive address range `first..=last`; empty if `first > last`.
            pub fn from_range(first: $addr, last: $addr) -> Self {
                $set(IntervalSet::from_range(
                    <$int>::from(first),
                    <$int>::from(last),
                ))
            }

            /// The union of many CIDRs, built in one sort instead of one union per CIDR.
            pub fn from_nets<I: IntoIterator<Item = $net>>(nets: I) -> Self {
                $set(IntervalSet::from_ranges(nets.into_iter().map(|n| {
                    (<$int>::from(n.network()), <$int>::from(n.broadcast()))
                })))
            }

            /// The underlying interval set over the address as an integer.
            pub fn intervals(&self) -> &IntervalSet<$int> {
                &self.0
            }

            /// Whether the set has no address.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// Whether the set is every address of the family.
            pub fn is_full(&self) -> bool {
                self.0.is_full()
            }

            /// Number of addresses; `None` only for all of IPv6 (2^128).
            pub fn len(&self) -> Option<u128> {
                self.0.len()
            }

            /// Whether `addr` is in the set.
            pub fn contains(&self, addr: $addr) -> bool {
                self.0.contains(<$int>::from(addr))
            }

            /// Addresses in either set.
            pub fn union(&self, other: &Self) -> Self {
                $set(self.0.union(&other.0))
            }

            /// Addresses in both sets.
            pub fn intersection(&self, other: &Self) -> Self {
                $set(self.0.intersection(&other.0))
            }

            /// Addresses in `self` but not in `other`.
            pub fn difference(&self, other: &Self) -> Self {
                $set(self.0.difference(&other.0))
            }

            /// Addresses of the family not in `self`.
            pub fn complement(&self) -> Self {
                $set(self.0.complement())
            }

            /// Whether the sets share an address.
            pub fn intersects(&self, other: &Self) -> bool {
                self.0.intersects(&other.0)
            }

            /// Whether every address of `self` is in `other`.
            pub fn is_subset(&self, other: &Self) -> bool {
                self.0.is_subset(&other.0)
            }

            /// The fewest CIDRs whose union is exactly this set, in address order.
            pub fn to_cidrs(&self) -> Vec<$net> {
                self.0
                    .ranges()
                    .iter()
                    .flat_map(|&(lo, hi)| $subnets::new(<$addr>::from(lo), <$addr>::from(hi), 0))
                    .collect()
            }
        }

        impl From<$net> for $set {
            fn from(net: $net) -> Self {
                $set::from_net(net)
            }
        }

        impl From<$addr> for $set {
            fn from(addr: $addr) -> Self {
                $set::from_addr(addr)
            }
        }

        impl fmt::Display for $set {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_cidrs(f, self.to_cidrs().into_iter().map(IpNet::from))
            }
        }

        impl fmt::Debug for $set {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($set))
            }
        }
    };
}

family_set!(Ipv4Set, u32, Ipv4Addr, Ipv4Net, Ipv4Subnets);
family_set!(Ipv6Set, u128, Ipv6Addr, Ipv6Net, Ipv6Subnets);

/// Writes CIDRs comma-separated, or `none` for the empty set (an empty string would
/// vanish from an explanation).
fn write_cidrs(f: &mut fmt::Formatter<'_>, nets: impl Iterator<Item = IpNet>) -> fmt::Result {
    let mut first = true;
    for n in nets {
        if !first {
            f.write_str(", ")?;
        }
        first = false;
        write!(f, "{n}")?;
    }
    if first {
        f.write_str("none")?;
    }
    Ok(())
}

impl IpSet {
    /// No address.
    pub fn empty() -> Self {
        IpSet::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn full() -> Self {
        IpSet {
            v4: Ipv4Set::full(),
            v6: Ipv6Set::full(),
        }
    }

    /// The addresses of a CIDR of either family.
    pub fn from_net(net: IpNet) -> Self {
        match net {
            IpNet::V4(n) => Ipv4Set::from_net(n).into(),
            IpNet::V6(n) => Ipv6Set::from_net(n).into(),
        }
    }

    /// One address of either family.
    pub fn from_addr(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(a) => Ipv4Set::from_addr(a).into(),
            IpAddr::V6(a) => Ipv6Set::from_addr(a).into(),
        }
    }

    /// The union of many CIDRs of either family, built in one sort per family.
    pub fn from_nets<I: IntoIterator<Item = IpNet>>(nets: I) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for n in nets {
            match n {
                IpNet::V4(n) => v4.push(n),
                IpNet::V6(n) => v6.push(n),
            }
        }
        IpSet {
            v4: Ipv4Set::from_nets(v4),
            v6: Ipv6Set::from_nets(v6),
        }
    }

    /// Whether the set has no address of either family.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Whether the set is every address of both families.
    pub fn is_full(&self) -> bool {
        self.v4.is_full() && self.v6.is_full()
    }

    /// Whether `addr` is in the set.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.v4.contains(a),
            IpAddr::V6(a) => self.v6.contains(a),
        }
    }

    /// Addresses in either set.
    pub fn union(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.union(&other.v4),
            v6: self.v6.union(&other.v6),
        }
    }

    /// Addresses in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.intersection(&other.v4),
            v6: self.v6.intersection(&other.v6),
        }
    }

    /// Addresses in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.difference(&other.v4),
            v6: self.v6.difference(&other.v6),
        }
    }

    /// Addresses of both families not in `self`.
    pub fn complement(&self) -> Self {
        IpSet {
            v4: self.v4.complement(),
            v6: self.v6.complement(),
        }
    }

    /// Whether the sets share an address.
    pub fn intersects(&self, other: &Self) -> bool {
        self.v4.intersects(&other.v4) || self.v6.intersects(&other.v6)
    }

    /// Whether every address of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.v4.is_subset(&other.v4) && self.v6.is_subset(&other.v6)
    }

    /// The fewest CIDRs covering exactly this set: IPv4 first, then IPv6.
    pub fn to_cidrs(&self) -> Vec<IpNet> {
        let v4 = self.v4.to_cidrs().into_iter().map(IpNet::V4);
        let v6 = self.v6.to_cidrs().into_iter().map(IpNet::V6);
        v4.chain(v6).collect()
    }
}

impl From<Ipv4Set> for IpSet {
    fn from(v4: Ipv4Set) -> Self {
        IpSet {
            v4,
            v6: Ipv6Set::empty(),
        }
    }
}

impl From<Ipv6Set> for IpSet {
    fn from(v6: Ipv6Set) -> Self {
        IpSet {
            v4: Ipv4Set::empty(),
            v6,
        }
    }
}

impl From<IpNet> for IpSet {
    fn from(net: IpNet) -> Self {
        IpSet::from_net(net)
    }
}

impl From<IpAddr> for IpSet {
    fn from(addr: IpAddr) -> Self {
        IpSet::from_addr(addr)
    }
}

impl fmt::Display for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_cidrs(f, self.to_cidrs().into_iter())
    }
}

impl fmt::Debug for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IpSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn v4(s: &str) -> Ipv4Set {
        Ipv4Set::from_net(s.parse().expect("test CIDR"))
    }

    fn v6(s: &str) -> Ipv6Set {
        Ipv6Set::from_net(s.parse().expect("test CIDR"))
    }

    fn ip(s: &str) -> IpSet {
        IpSet::from_net(s.parse().expect("test CIDR"))
    }

    #[test]
    fn slash_zero_is_every_ipv4_address() {
        let all = v4("0.0.0.0/0");
        assert!(all.is_full());
        assert_eq!(all.len(), Some(1 << 32));
        assert!(all.contains(Ipv4Addr::new(255, 255, 255, 255)));
        assert!(all.contains(Ipv4Addr::new(0, 0, 0, 0)));
        assert_eq!(all.to_string(), "0.0.0.0/0");
    }

    #[test]
    fn slash_32_is_one_address() {
        let one = v4("10.1.2.3/32");
        assert_eq!(one.len(), Some(1));
        assert_eq!(one, Ipv4Set::from_addr(Ipv4Addr::new(10, 1, 2, 3)));
        assert!(!one.contains(Ipv4Addr::new(10, 1, 2, 4)));
    }

    #[test]
    fn host_bits_are_ignored() {
        assert_eq!(v4("10.0.0.5/24"), v4("10.0.0.0/24"));
    }

    #[test]
    fn slash_128_and_slash_0_ipv6() {
        let one = v6("2001:db8::1/128");
        assert_eq!(one.len(), Some(1));
        assert_eq!(one.to_string(), "2001:db8::1/128");
        let all = v6("::/0");
        assert!(all.is_full());
        assert_eq!(all.len(), None);
        assert_eq!(all.to_string(), "::/0");
        assert_eq!(all.difference(&one).complement(), one);
    }

    #[test]
    fn halves_make_the_whole() {
        let s = v4("0.0.0.0/1").union(&v4("128.0.0.0/1"));
        assert!(s.is_full());
        assert_eq!(s.to_cidrs(), vec!["0.0.0.0/0".parse::<Ipv4Net>().unwrap()]);
    }

    #[test]
    fn to_cidrs_is_minimal_for_odd_ranges() {
        let s = Ipv4Set::from_range(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 6));
        assert_eq!(
            s.to_string(),
            "10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/31, 10.0.0.6/32"
        );
        let s = v4("0.0.0.0/0").difference(&v4("0.0.0.0/32"));
        assert_eq!(s.to_cidrs().len(), 32);
        let s = v6("::/0").difference(&v6("::/128"));
        assert_eq!(s.to_cidrs().len(), 128);
    }

    #[test]
    fn display_of_empty_says_none() {
        assert_eq!(Ipv4Set::empty().to_string(), "none");
        assert_eq!(IpSet::empty().to_string(), "none");
    }

    #[test]
    fn ipv6_rules_separate_from_ipv4() {
        let s = ip("0.0.0.0/0");
        assert!(s.v6.is_empty());
        assert!(!s.contains("::1".parse().unwrap()));
        assert!(!s.is_full());
        let both = s.union(&ip("::/0"));
        assert!(both.is_full());
        assert_eq!(both.to_string(), "0.0.0.0/0, ::/0");
        assert!(!ip("::/0").intersects(&ip("0.0.0.0/0")));
    }

    #[test]
    fn ipset_ops_are_per_family() {
        let a = ip("10.0.0.0/8").union(&ip("fd00::/8"));
        let b = ip("10.1.0.0/16");
        assert_eq!(a.intersection(&b), b);
        assert!(b.is_subset(&a));
        let d = a.difference(&b);
        assert!(!d.contains("10.1.2.3".parse().unwrap()));
        assert!(d.contains("10.2.0.0".parse().unwrap()));
        assert!(d.contains("fd00::1".parse().unwrap()));
        assert_eq!(a.complement().complement(), a);
        assert_eq!(
            IpSet::from_nets(["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()]),
            a
        );
    }

    // Random CIDRs inside 10.0.0.0/22 (1024 addresses), checked against brute force.
    fn cidr_in_22() -> impl Strategy<Value = Ipv4Net> {
        (0u32..1024, 22u8..=32).prop_map(|(off, len)| {
            let base = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + off;
            Ipv4Net::new(Ipv4Addr::from(base), len)
                .expect("prefix <= 32")
                .trunc()
        })
    }

    fn brute(nets: &[Ipv4Net]) -> BTreeSet<u32> {
        nets.iter()
            .flat_map(|n| u32::from(n.network())..=u32::from(n.broadcast()))
            .collect()
    }

    fn members(s: &Ipv4Set) -> BTreeSet<u32> {
        s.to_cidrs()
            .iter()
            .flat_map(|n| u32::from(n.network())..=u32::from(n.broadcast()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn ipv4_ops_match_brute_force(
            a in prop::collection::vec(cidr_in_22(), 0..6),
            b in prop::collection::vec(cidr_in_22(), 0..6),
        ) {
            let (sa, sb) = (Ipv4Set::from_nets(a.clone()), Ipv4Set::from_nets(b.clone()));
            let (ba, bb) = (brute(&a), brute(&b));
            prop_assert_eq!(members(&sa), ba.clone());
            prop_assert_eq!(members(&sa.union(&sb)), &ba | &bb);
            prop_assert_eq!(members(&sa.intersection(&sb)), &ba & &bb);
            prop_assert_eq!(members(&sa.difference(&sb)), &ba - &bb);
            prop_assert_eq!(sa.is_subset(&sb), ba.is_subset(&bb));
            prop_assert_eq!(sa.len(), Some(ba.len() as u128));
            let block = v4("10.0.0.0/22");
            let all: BTreeSet<u32> = brute(&[block.to_cidrs()[0]]);
            prop_assert_eq!(members(&sa.complement().intersection(&block)), &all - &ba);
        }

        #[test]
        fn to_cidrs_is_exact_and_minimal(a in prop::collection::vec(cidr_in_22(), 0..6)) {
            let s = Ipv4Set::from_nets(a);
            let cidrs = s.to_cidrs();
            prop_assert_eq!(Ipv4Set::from_nets(cidrs.iter().copied()), s.clone());
            // Minimal: no two CIDRs are siblings that would merge into their parent.
            for w in cidrs.windows(2) {
                let siblings = w[0].prefix_len() == w[1].prefix_len()
                    && w[0].prefix_len() > 0
                    && w[0].supernet() == w[1].supernet();
                prop_assert!(!siblings, "{} and {} should merge", w[0], w[1]);
            }
        }
    }
}
