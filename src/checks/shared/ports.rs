//! TCP ports that make an exposure sensitive: remote administration and data stores.

use crate::inventory::{L4Match, PortRange, Protocol};
use crate::reach::sets::ServiceSet;

/// Remote administration: SSH, Telnet, RDP, VNC, WinRM.
pub const ADMIN_PORTS: &[(u16, u16)] =
    &[(22, 22), (23, 23), (3389, 3389), (5900, 5900), (5985, 5986)];

/// Well-known data-store ports: SQL Server, Oracle, MySQL, PostgreSQL, Redshift,
/// Redis, Cassandra, Kafka, Elasticsearch, memcached, MongoDB.
pub const DATA_PORTS: &[(u16, u16)] = &[
    (1433, 1433),
    (1521, 1521),
    (3306, 3306),
    (5432, 5432),
    (5439, 5439),
    (6379, 6379),
    (7000, 7001),
    (9042, 9042),
    (9092, 9092),
    (9200, 9200),
    (11211, 11211),
    (27017, 27017),
];

/// The TCP ports of `ranges` (inclusive `(from, to)` pairs) as one set.
pub fn tcp_ports(ranges: &[(u16, u16)]) -> ServiceSet {
    ranges.iter().fold(ServiceSet::empty(), |s, &(from, to)| {
        s.union(&ServiceSet::from_rule(
            Protocol::Tcp,
            L4Match::Ports(PortRange { from, to }),
        ))
    })
}
