//! Small value types shared by several resource kinds.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// AWS resource tags, sorted so serialized inventories are stable.
pub type Tags = BTreeMap<String, String>;

/// Traffic direction of a security group rule or NACL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

/// An IP protocol as AWS writes it in rules: `-1` (all), a name, or a number.
///
/// Normalised so that `"6"` and `"tcp"` compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Protocol {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Other(u8),
}

impl Protocol {
    /// Parses AWS's spelling (`-1`, `tcp`, `6`, `icmpv6`, `58`, ...).
    pub fn parse(s: &str) -> Option<Protocol> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            // Numbers in other spellings ("006", "+17") are the same protocols: a
            // saved `Other(6)` would load back as `Tcp`, and compare unequal to it.
            other => match other.parse::<u8>().ok()? {
                6 => Protocol::Tcp,
                17 => Protocol::Udp,
                1 => Protocol::Icmp,
                58 => Protocol::Icmpv6,
                n => Protocol::Other(n),
            },
        })
    }

    pub fn number(self) -> Option<u8> {
        match self {
            Protocol::All => None,
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            Protocol::Icmpv6 => Some(58),
            Protocol::Other(n) => Some(n),
        }
    }

    /// Whether rules on this protocol carry a port range.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp | Protocol::Other(132))
    }

    pub fn is_icmp(self) -> bool {
        matches!(self, Protocol::Icmp | Protocol::Icmpv6)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Other(n) => write!(f, "{n}"),
        }
    }
}

impl From<Protocol> for String {
    fn from(p: Protocol) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Protocol {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Protocol::parse(&s).ok_or_else(|| format!("unknown IP protocol {s:?}"))
    }
}

/// An inclusive port range. A saved one with `from` above `to` is refused on load
/// (with its place in the file) rather than read as matching nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPortRange")]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

/// [`PortRange`] as written in a file, before its check.
#[derive(Deserialize)]
struct RawPortRange {
    from: u16,
    to: u16,
}

impl TryFrom<RawPortRange> for PortRange {
    type Error = String;
    fn try_from(r: RawPortRange) -> Result<Self, Self::Error> {
        if r.from > r.to {
            return Err(format!("port range {}-{} is reversed", r.from, r.to));
        }
        Ok(PortRange {
            from: r.from,
            to: r.to,
        })
    }
}

impl PortRange {
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    pub fn contains(&self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }
}

/// What a rule matches beyond the protocol: nothing more, a port range, or ICMP type/code.
///
/// `None` for an ICMP type or code means "all", as `-1` does in AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum L4Match {
    Any,
    Ports(PortRange),
    Icmp {
        icmp_type: Option<u8>,
        icmp_code: Option<u8>,
    },
}

impl L4Match {
    /// Builds the match from AWS's `FromPort`/`ToPort` pair, whose meaning depends on
    /// the protocol (ports for TCP/UDP, type/code for ICMP, ignored for all).
    pub fn from_aws(protocol: Protocol, from: Option<i32>, to: Option<i32>) -> L4Match {
        if protocol.has_ports() {
            match (from, to) {
                (Some(f), Some(t)) if f >= 0 && t >= 0 => L4Match::Ports(PortRange {
                    from: clamp_port(f),
                    to: clamp_port(t),
                }),
                _ => L4Match::Ports(PortRange::ALL),
            }
        } else if protocol.is_icmp() {
            let byte = |v: Option<i32>| v.filter(|v| (0..=255).contains(v)).map(|v| v as u8);
            L4Match::Icmp {
                icmp_type: byte(from),
                icmp_code: byte(to),
            }
        } else {
            L4Match::Any
        }
    }
}

fn clamp_port(v: i32) -> u16 {
    v.clamp(0, 65535) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_spellings_normalise() {
        assert_eq!(Protocol::parse("-1"), Some(Protocol::All));
        assert_eq!(Protocol::parse("6"), Some(Protocol::Tcp));
        assert_eq!(Protocol::parse("TCP"), Some(Protocol::Tcp));
        assert_eq!(Protocol::parse("58"), Some(Protocol::Icmpv6));
        assert_eq!(Protocol::parse("50"), Some(Protocol::Other(50)));
        assert_eq!(Protocol::parse("bogus"), None);
        // Other spellings of the named numbers are the named protocols.
        assert_eq!(Protocol::parse("006"), Some(Protocol::Tcp));
        assert_eq!(Protocol::parse("+17"), Some(Protocol::Udp));
        assert_eq!(Protocol::parse("256"), None);
    }

    #[test]
    fn reversed_port_ranges_are_refused_on_load() {
        let ok: PortRange = serde_json::from_str(r#"{"from": 80, "to": 443}"#).unwrap();
        assert_eq!(ok, PortRange { from: 80, to: 443 });
        let e = serde_json::from_str::<PortRange>(r#"{"from": 443, "to": 80}"#).unwrap_err();
        assert!(e.to_string().contains("443-80 is reversed"), "{e}");
        assert!(serde_json::from_str::<PortRange>(r#"{"from": 0, "to": 70000}"#).is_err());
    }

    #[test]
    fn l4_match_reads_ports_and_icmp() {
        assert_eq!(
            L4Match::from_aws(Protocol::Tcp, Some(20), Some(30)),
            L4Match::Ports(PortRange { from: 20, to: 30 })
        );
        assert_eq!(
            L4Match::from_aws(Protocol::Udp, None, None),
            L4Match::Ports(PortRange::ALL)
        );
        assert_eq!(
            L4Match::from_aws(Protocol::Icmp, Some(8), Some(-1)),
            L4Match::Icmp {
                icmp_type: Some(8),
                icmp_code: None
            }
        );
        assert_eq!(
            L4Match::from_aws(Protocol::All, Some(-1), Some(-1)),
            L4Match::Any
        );
    }
}
