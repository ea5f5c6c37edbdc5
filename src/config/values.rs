//! Values a config file spells as strings or numbers: ports and port ranges, CIDRs,
//! endpoint service names. Each is checked while toml still knows where it is, so an
//! error names its own line.

use ipnet::IpNet;
use serde::Deserialize;

/// A port (`5432`) or an inclusive range (`"7000-7001"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub from: u16,
    pub to: u16,
}

impl PortSpec {
    /// `"5432"` or `"7000-7001"`.
    pub fn parse(s: &str) -> Result<PortSpec, String> {
        let bad = || format!("{s:?} is not a port or a range like \"7000-7001\"");
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let from: u16 = a.trim().parse().map_err(|_| bad())?;
        let to: u16 = b.trim().parse().map_err(|_| bad())?;
        if from > to {
            return Err(bad());
        }
        Ok(PortSpec { from, to })
    }
}

// By hand rather than derived, so that an error is raised while toml still knows
// which value is being read (its line, even inside a multi-line array).
impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PortSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port or a range like \"7000-7001\"")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PortSpec, E> {
                let p = u16::try_from(v)
                    .map_err(|_| E::custom(format!("{v} is not a port (0 to 65535)")))?;
                Ok(PortSpec { from: p, to: p })
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PortSpec, E> {
                let p = u16::try_from(v)
                    .map_err(|_| E::custom(format!("{v} is not a port (0 to 65535)")))?;
                Ok(PortSpec { from: p, to: p })
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<PortSpec, E> {
                PortSpec::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a string with `parse`, failing while toml still knows where the value is.
pub(crate) fn parsed_str<'de, D, T>(
    d: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct V<T> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, String>,
    }
    impl<T> serde::de::Visitor<'_> for V<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            (self.parse)(s).map_err(E::custom)
        }
    }
    d.deserialize_str(V { expecting, parse })
}

/// An address block, written as a CIDR with no host bits (`"10.8.0.0/16"`) or as one
/// address (`"198.51.100.7"`, a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(pub IpNet);

impl Cidr {
    fn parse(s: &str) -> Result<Cidr, String> {
        let net = match s.trim().parse::<IpNet>() {
            Ok(net) => net,
            Err(_) => match s.trim().parse::<std::net::IpAddr>() {
                Ok(addr) => IpNet::from(addr),
                Err(_) => {
                    return Err(format!(
                        "{s:?} is not a CIDR like \"203.0.113.0/24\" or an address"
                    ))
                }
            },
        };
        if net.trunc() != net {
            return Err(format!("{s:?} has host bits set: write {}", net.trunc()));
        }
        if net.prefix_len() == 0 {
            return Err(format!(
                "{s:?} is the whole internet: trusting it would hide every exposure"
            ));
        }
        Ok(Cidr(net))
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed_str(d, "a CIDR or an address", Cidr::parse)
    }
}

/// A VPC endpoint service by short name (`"ecr.api"`), or by full name for services
/// outside `com.amazonaws.<region>.` (`"com.amazonaws.vpce.eu-west-1.vpce-svc-0abc"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceName(pub String);

impl ServiceName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(s: &str) -> Result<ServiceName, String> {
        let ok = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !ok {
            return Err(format!(
                "{s:?} is not an endpoint service name like \"ecr.api\""
            ));
        }
        Ok(ServiceName(s.to_string()))
    }
}

impl<'de> Deserialize<'de> for ServiceName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed_str(d, "an endpoint service name", ServiceName::parse)
    }
}
