//! The one service an answer is explained at when a whole set is blocked: a point
//! someone meant to open (a rule of either end allows it), else a port people ask
//! about, never `tcp 0` when something better is in the set.

use super::super::sets::{ServicePoint, ServiceSet};

/// Services a security engineer asks about first, in that order.
pub(crate) const WELL_KNOWN: [ServicePoint; 12] = [
    ServicePoint::Tcp(22),
    ServicePoint::Tcp(443),
    ServicePoint::Tcp(80),
    ServicePoint::Tcp(3389),
    ServicePoint::Tcp(5432),
    ServicePoint::Tcp(3306),
    ServicePoint::Tcp(6379),
    ServicePoint::Tcp(8080),
    ServicePoint::Tcp(8443),
    ServicePoint::Udp(53),
    ServicePoint::Icmp {
        icmp_type: 8,
        code: 0,
    },
    ServicePoint::Icmpv6 {
        icmp_type: 128,
        code: 0,
    },
];

/// A well-known point of `set`, else its first point.
pub(crate) fn point_of(set: &ServiceSet) -> Option<ServicePoint> {
    WELL_KNOWN
        .iter()
        .copied()
        .find(|p| set.contains(*p))
        .or_else(|| set.first())
}

/// The point of the first non-empty candidate (each within `asked`), else a point of
/// `asked` itself.
pub(crate) fn representative(
    candidates: &[ServiceSet],
    asked: &ServiceSet,
) -> Option<ServicePoint> {
    candidates
        .iter()
        .map(|c| c.intersection(asked))
        .find_map(|c| point_of(&c))
        .or_else(|| point_of(asked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{L4Match, PortRange, Protocol};

    fn tcp(from: u16, to: u16) -> ServiceSet {
        ServiceSet::from_rule(Protocol::Tcp, L4Match::Ports(PortRange { from, to }))
    }

    #[test]
    fn prefers_a_candidate_then_a_well_known_port_then_the_first_point() {
        let all = ServiceSet::all();
        // The destination admits 5432 from someone: that, not tcp 0.
        assert_eq!(
            representative(&[ServiceSet::empty(), tcp(5432, 5432)], &all),
            Some(ServicePoint::Tcp(5432))
        );
        // A wide candidate: its well-known port.
        assert_eq!(
            representative(&[tcp(0, 65535)], &all),
            Some(ServicePoint::Tcp(22))
        );
        // Nothing meant: a well-known port of the asked set.
        assert_eq!(
            representative(&[ServiceSet::empty()], &tcp(400, 500)),
            Some(ServicePoint::Tcp(443))
        );
        // Nothing well-known either: the first point.
        assert_eq!(
            representative(&[], &tcp(1000, 1001)),
            Some(ServicePoint::Tcp(1000))
        );
        // Candidates outside the asked set do not count.
        assert_eq!(
            representative(&[tcp(5432, 5432)], &tcp(7000, 7001)),
            Some(ServicePoint::Tcp(7000))
        );
    }
}
