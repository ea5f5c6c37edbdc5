//! The public internet as address sets, and how much of it a set covers.
//!
//! IPv4: everything minus the IANA special-purpose blocks that are never globally
//! routed (RFC 6890 and successors). 192.0.0.0/24 is excluded whole, although two
//! anycast /32s inside it are globally reachable: being open to them alone is not
//! being open to the world.
//!
//! IPv6: global unicast 2000::/3, minus the blocks inside it that the IANA IPv6
//! special-purpose registry marks "not globally reachable", where the most specific
//! entry decides: the 2001::/23 IETF block except its globally reachable
//! assignments (and TEREDO 2001::/32, marked N/A there: tunnelled internet hosts
//! live in it, as in 6to4 2002::/16, which is kept too), 2001:db8::/32 and
//! 3fff::/20 (documentation).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use ipnet::{Ipv4Net, Ipv6Net};

use super::addr::{IpSet, Ipv4Set, Ipv6Set};

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

const fn v6(s: [u16; 8], len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(
        Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
        len,
    )
}

/// IPv4 blocks that are never globally routed.
pub const NON_PUBLIC_IPV4: [Ipv4Net; 15] = [
    v4(0, 0, 0, 0, 8),       // "this network"
    v4(10, 0, 0, 0, 8),      // private
    v4(100, 64, 0, 0, 10),   // shared address space (CGN)
    v4(127, 0, 0, 0, 8),     // loopback
    v4(169, 254, 0, 0, 16),  // link local
    v4(172, 16, 0, 0, 12),   // private
    v4(192, 0, 0, 0, 24),    // IETF protocol assignments
    v4(192, 0, 2, 0, 24),    // TEST-NET-1
    v4(192, 88, 99, 0, 24),  // deprecated 6to4 relay anycast
    v4(192, 168, 0, 0, 16),  // private
    v4(198, 18, 0, 0, 15),   // benchmarking
    v4(198, 51, 100, 0, 24), // TEST-NET-2
    v4(203, 0, 113, 0, 24),  // TEST-NET-3
    v4(224, 0, 0, 0, 4),     // multicast
    v4(240, 0, 0, 0, 4),     // reserved, incl. limited broadcast 255.255.255.255
];

/// IPv6 global unicast, the block that holds every public IPv6 address.
pub const GLOBAL_UNICAST_IPV6: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

/// IPv6 blocks inside 2000::/3 that are not globally reachable.
pub const NON_PUBLIC_IPV6: [Ipv6Net; 3] = [
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation (RFC 9637)
];

/// Globally reachable (or N/A, see the module doc) blocks inside 2001::/23.
pub const PUBLIC_IN_IETF_IPV6: [Ipv6Net; 8] = [
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32),     // TEREDO (N/A)
    v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128),    // PCP anycast
    v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128),    // TURN anycast
    v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128),    // DNS-SD SRP anycast
    v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32),     // AMT
    v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48), // AS112-v6
    v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28),  // ORCHIDv2
    v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28),  // drone remote ID
];

/// Every publicly routed IPv4 address.
pub fn public_ipv4() -> &'static Ipv4Set {
    static SET: OnceLock<Ipv4Set> = OnceLock::new();
    SET.get_or_init(|| Ipv4Set::from_nets(NON_PUBLIC_IPV4).complement())
}

/// Every publicly routed IPv6 address.
pub fn public_ipv6() -> &'static Ipv6Set {
    static SET: OnceLock<Ipv6Set> = OnceLock::new();
    SET.get_or_init(|| {
        // Order matters: the IETF block comes out, its public parts go back in, and
        // documentation (outside it) comes out regardless.
        let ietf = Ipv6Set::from_net(NON_PUBLIC_IPV6[0]);
        Ipv6Set::from_net(GLOBAL_UNICAST_IPV6)
            .difference(&ietf)
            .union(&Ipv6Set::from_nets(PUBLIC_IN_IETF_IPV6))
            .difference(&Ipv6Set::from_nets(NON_PUBLIC_IPV6[1..].iter().copied()))
    })
}

/// Every publicly routed address of both families.
pub fn public_internet() -> &'static IpSet {
    static SET: OnceLock<IpSet> = OnceLock::new();
    SET.get_or_init(|| IpSet {
        v4: public_ipv4().clone(),
        v6: public_ipv6().clone(),
    })
}

/// How much of the public internet an address set covers, counted exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InternetCoverage {
    ipv4_covered: u128,
    ipv6_covered: u128,
}

impl InternetCoverage {
    /// The coverage of `set`.
    pub fn of(set: &IpSet) -> Self {
        InternetCoverage {
            ipv4_covered: count(set.v4.intersection(public_ipv4()).len()),
            ipv6_covered: count(set.v6.intersection(public_ipv6()).len()),
        }
    }

    /// Number of public IPv4 addresses covered.
    pub fn ipv4_addresses(&self) -> u128 {
        self.ipv4_covered
    }

    /// Number of public IPv6 addresses covered.
    pub fn ipv6_addresses(&self) -> u128 {
        self.ipv6_covered
    }

    /// Fraction (0.0..=1.0) of public IPv4 addresses covered.
    pub fn ipv4_fraction(&self) -> f64 {
        self.ipv4_covered as f64 / count(public_ipv4().len()) as f64
    }

    /// Fraction (0.0..=1.0) of public IPv6 addresses covered.
    pub fn ipv6_fraction(&self) -> f64 {
        self.ipv6_covered as f64 / count(public_ipv6().len()) as f64
    }

    /// Whether every public IPv4 address is covered.
    pub fn covers_all_ipv4(&self) -> bool {
        // Counts are exact, and covered addresses are a subset of the public ones.
        self.ipv4_covered == count(public_ipv4().len())
    }

    /// Whether every public IPv6 address is covered.
    pub fn covers_all_ipv6(&self) -> bool {
        self.ipv6_covered == count(public_ipv6().len())
    }

    /// Whether the whole internet of at least one family is covered.
    pub fn is_world_open(&self) -> bool {
        self.covers_all_ipv4() || self.covers_all_ipv6()
    }
}

/// `len()` of a subset of the public internet: always `Some`, because only all of
/// IPv6 (2^128) has no `u128` count and the public IPv6 space is within 2000::/3.
fn count(len: Option<u128>) -> u128 {
    len.unwrap_or(u128::MAX)
}

/// The services `flows` opens to the whole public IPv4 internet, and to the whole
/// public IPv6 internet. Exact: the boxes of a [`FlowSet`](super::FlowSet) are
/// disjoint in services, so each box's addresses are all who may use its services.
pub fn world_open_services(flows: &super::FlowSet) -> (super::ServiceSet, super::ServiceSet) {
    let (mut v4, mut v6) = (super::ServiceSet::empty(), super::ServiceSet::empty());
    for b in flows.boxes() {
        let cov = InternetCoverage::of(&b.addrs);
        if cov.covers_all_ipv4() {
            v4 = v4.union(&b.services);
        }
        if cov.covers_all_ipv6() {
            v6 = v6.union(&b.services);
        }
    }
    (v4, v6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cidrs: &[&str]) -> IpSet {
        IpSet::from_nets(cidrs.iter().map(|c| c.parse().expect("test CIDR")))
    }

    fn cov(cidrs: &[&str]) -> InternetCoverage {
        InternetCoverage::of(&set(cidrs))
    }

    #[test]
    fn split_halves_cover_the_ipv4_internet() {
        let c = cov(&["0.0.0.0/1", "128.0.0.0/1"]);
        assert!(c.covers_all_ipv4());
        assert!(!c.covers_all_ipv6());
        assert!(c.is_world_open());
        assert_eq!(c.ipv4_fraction(), 1.0);
        assert_eq!(c.ipv6_fraction(), 0.0);
    }

    #[test]
    fn slash_zero_covers_the_ipv4_internet() {
        assert!(cov(&["0.0.0.0/0"]).covers_all_ipv4());
    }

    #[test]
    fn private_ranges_never_cover_the_internet() {
        let c = cov(&[
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "fc00::/7",
            "fe80::/10",
            "::1/128",
            "2001:db8::/32",
        ]);
        assert_eq!(c.ipv4_addresses(), 0);
        assert_eq!(c.ipv6_addresses(), 0);
        assert!(!c.is_world_open());
    }

    #[test]
    fn public_ipv4_size_is_the_complement_of_the_special_blocks() {
        let special: u128 = NON_PUBLIC_IPV4
            .iter()
            .map(|n| 1u128 << (32 - n.prefix_len()))
            .sum();
        // The special blocks are pairwise disjoint, so their sizes add up.
        assert_eq!(public_ipv4().len(), Some((1u128 << 32) - special));
        assert!(!public_ipv4().contains(Ipv4Addr::new(255, 255, 255, 255)));
        assert!(public_ipv4().contains(Ipv4Addr::new(8, 8, 8, 8)));
        assert!(public_ipv4().contains(Ipv4Addr::new(1, 0, 0, 0)));
        assert!(!public_ipv4().contains(Ipv4Addr::new(192, 0, 2, 1)));
    }

    #[test]
    fn all_but_one_public_address_is_not_world_open() {
        let mut s = set(&["0.0.0.0/0"]);
        s.v4 =
            s.v4.difference(&Ipv4Set::from_addr(Ipv4Addr::new(8, 8, 8, 8)));
        let c = InternetCoverage::of(&s);
        assert!(!c.covers_all_ipv4());
        assert!(c.ipv4_fraction() > 0.999_999 && c.ipv4_fraction() < 1.0);
        // Removing a non-public address changes nothing.
        let mut s = set(&["0.0.0.0/0"]);
        s.v4 =
            s.v4.difference(&Ipv4Set::from_addr(Ipv4Addr::new(10, 0, 0, 1)));
        assert!(InternetCoverage::of(&s).covers_all_ipv4());
    }

    #[test]
    fn ipv6_internet_is_global_unicast() {
        assert!(cov(&["::/0"]).covers_all_ipv6());
        assert!(cov(&["2000::/3"]).covers_all_ipv6());
        assert!(!cov(&["2000::/3"]).covers_all_ipv4());
        let half = cov(&["2000::/4"]);
        assert!(!half.covers_all_ipv6());
        // Not exactly half: the excluded blocks sit unevenly in the two halves.
        assert!((half.ipv6_fraction() - 0.5).abs() < 1e-4);
        assert_ne!(half.ipv6_fraction(), 0.5);
        assert!(cov(&["2000::/4", "3000::/4"]).is_world_open());
    }

    #[test]
    fn ipv6_special_blocks_are_not_public() {
        let p = public_ipv6();
        let addr = |s: &str| s.parse::<Ipv6Addr>().expect("test address");
        assert!(!p.contains(addr("2001:db8::1")));
        assert!(!p.contains(addr("3fff::1")));
        assert!(!p.contains(addr("2001:2::1"))); // benchmarking
        assert!(!p.contains(addr("2001:10::1"))); // deprecated ORCHID
        assert!(!p.contains(addr("2001:1::4")));
        assert!(!p.contains(addr("fd00::1")));
        assert!(p.contains(addr("2001:1::1")));
        assert!(p.contains(addr("2001:4:112::1")));
        assert!(p.contains(addr("2001::1"))); // TEREDO
        assert!(p.contains(addr("2002::1"))); // 6to4
        assert!(p.contains(addr("2600::1")));
        assert!(!p.contains(addr("4000::1")));
    }

    #[test]
    fn public_internet_joins_both_families() {
        let p = public_internet();
        assert_eq!(&p.v4, public_ipv4());
        assert_eq!(&p.v6, public_ipv6());
        assert!(InternetCoverage::of(p).covers_all_ipv4());
        assert!(InternetCoverage::of(p).covers_all_ipv6());
    }
}
