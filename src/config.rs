//! `vpcaudit.toml`: what the checks need to know about an estate that AWS does not
//! say (which hosts are untrusted, which data matters, which address ranges the
//! organisation controls, which endpoints its private workloads need).
//!
//! Unknown keys are errors, reported with their line, so a typo never silently
//! turns a setting off. An empty file (or none) is the built-in behaviour.

use std::collections::BTreeMap;
use std::path::Path;

use ipnet::IpNet;
use serde::Deserialize;
use toml::Spanned;

use crate::inventory::{NetworkInterface, PortRange};
use crate::finding::Severity;

/// The whole file. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[lateral]`: footholds, crown jewels, data ports, path lengths.
    #[serde(default)]
    pub lateral: Lateral,
    /// `[network]`: trusted address ranges and the clients' ephemeral ports.
    #[serde(default)]
    pub network: Network,
    /// `[endpoints]`: the VPC endpoints private workloads need.
    #[serde(default)]
    pub endpoints: Endpoints,
    /// `[severity]`: a fixed severity for every finding of a check.
    #[serde(default)]
    pub severity: SeverityOverrides,
    /// `[[mute]]`: accepted risks (see `report::mutes`).
    #[serde(default)]
    pub mute: Vec<crate::scan::mutes::MuteRule>,
}

/// `[lateral]`: footholds, crown jewels and how far paths are followed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lateral {
    /// Hops followed from a foothold (paths and blast radius).
    #[serde(default = "default_max_hops")]
    pub max_hops: usize,
    /// Findings per crown jewel: the nearest footholds, this many at most; the
    /// message counts the rest.
    #[serde(default = "default_paths_per_jewel")]
    pub paths_per_jewel: usize,
    /// TCP ports whose ingress rules make an ENI a data store.
    #[serde(default = "default_data_ports")]
    pub data_ports: Vec<PortSpec>,
    /// Extra TCP ports a hop may use, beyond the built-in admin, web and data ports.
    #[serde(default)]
    pub extra_ports: Vec<PortSpec>,
    /// ENIs treated as footholds even when the internet cannot reach them (e.g. a
    /// developer VPC).
    #[serde(default)]
    pub untrusted: Vec<Selector>,
    /// ENIs treated as crown jewels whatever they run.
    #[serde(default)]
    pub crown_jewels: Vec<Selector>,
}

impl Default for Lateral {
    fn default() -> Self {
        Lateral {
            max_hops: default_max_hops(),
            paths_per_jewel: default_paths_per_jewel(),
            data_ports: default_data_ports(),
            extra_ports: Vec::new(),
            untrusted: Vec::new(),
            crown_jewels: Vec::new(),
        }
    }
}

fn default_max_hops() -> usize {
    4
}

fn default_paths_per_jewel() -> usize {
    3
}

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

fn default_data_ports() -> Vec<PortSpec> {
    DATA_PORTS
        .iter()
        .map(|&(from, to)| PortSpec { from, to })
        .collect()
}

/// A port (`5432`) or an inclusive range (`"7000-7001"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub from: u16,
    pub to: u16,
}

impl PortSpec {
    /// `"5432"` or `"7000-7001"`.
    fn parse(s: &str) -> Result<PortSpec, String> {
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
fn parsed_str<'de, D, T>(
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

/// `[network]`: facts about addressing that AWS does not record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Address ranges the organisation controls (office egress, VPN pools, partner
    /// links), as CIDRs (`"203.0.113.0/24"`) or single addresses. They are not "the
    /// internet": `internet-exposed-port` does not count a port open only to them
    /// (open to `0.0.0.0/0` it still does), the `lateral-*` checks do not make an ENI
    /// a foothold for them, and `sg-internal-cidr-trust` does not flag a rule for
    /// opening to them. Refused when they add up to the whole IPv4 or IPv6 internet.
    #[serde(default)]
    pub trusted_cidrs: Vec<Spanned<Cidr>>,
    /// The client port range replies go to (`"32768-60999"`, the Linux default, unless
    /// given; it must start at 1024 or above): a NACL must allow replies to every port
    /// of it. Set `"1024-65535"` when clients may be Windows hosts, NAT gateways or
    /// load balancers. Read by `nacl-return-traffic-blocked` (the replies a request
    /// needs), `internet-exposed-port` and the `lateral-*` checks (whether a
    /// connection's replies pass the NACLs); with `nacl-admin-ports-open`, they also
    /// take a rule on a range from 1024 or above reaching 60999, or the end of this
    /// range, for a reply rule rather than a service.
    #[serde(
        default = "default_ephemeral_ports",
        deserialize_with = "ephemeral_ports"
    )]
    pub ephemeral_ports: PortSpec,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            trusted_cidrs: Vec::new(),
            ephemeral_ports: default_ephemeral_ports(),
        }
    }
}

impl Network {
    /// The trusted addresses, as one set.
    pub fn trusted(&self) -> crate::reach::sets::IpSet {
        crate::reach::sets::IpSet::from_nets(self.trusted_cidrs.iter().map(|c| c.get_ref().0))
    }

    /// The configured client port range.
    pub fn ephemeral(&self) -> PortRange {
        PortRange {
            from: self.ephemeral_ports.from,
            to: self.ephemeral_ports.to,
        }
    }
}

fn default_ephemeral_ports() -> PortSpec {
    let d = crate::reach::path::DEFAULT_EPHEMERAL;
    PortSpec {
        from: d.from,
        to: d.to,
    }
}

/// A port range clients take their ports from: above the well-known ports.
fn ephemeral_ports<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PortSpec, D::Error> {
    let p = PortSpec::deserialize(d)?;
    if p.from < 1024 {
        return Err(serde::de::Error::custom(format!(
            "ephemeral_ports must start at 1024 or above (\"1024-65535\" is the widest range), not {}",
            p.from
        )));
    }
    Ok(p)
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

/// `[endpoints]`: the VPC endpoints private workloads (ENIs with no path to the
/// internet) need, read by `vpc-endpoint-required-missing`. A VPC is judged only
/// when some workload in it has no internet path; it then needs an endpoint for
/// every service below that applies to it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// Require the private EKS cluster set (ecr.api, ecr.dkr, s3, sts, logs, ec2,
    /// elasticloadbalancing, ssm, ssmmessages) in VPCs running EKS nodes. On unless
    /// set to `false`.
    #[serde(default = "default_true")]
    pub eks: bool,
    /// Services every VPC with private workloads needs, by short name (`"s3"`,
    /// `"ecr.api"`: `com.amazonaws.<region>.` left out).
    #[serde(default)]
    pub required: Vec<ServiceName>,
    /// `[[endpoints.scoped]]`: services only some VPCs need.
    #[serde(default)]
    pub scoped: Vec<ScopedEndpoints>,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            eks: true,
            required: Vec::new(),
            scoped: Vec::new(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// `[[endpoints.scoped]]`: `services` are required in a VPC when one of its private
/// workloads matches one of the `workloads` selectors (its ENI's or instance's tags
/// count for `tag`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawScoped")]
pub struct ScopedEndpoints {
    pub services: Vec<ServiceName>,
    pub workloads: Vec<Selector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoped {
    services: Vec<ServiceName>,
    workloads: Vec<Selector>,
}

impl TryFrom<RawScoped> for ScopedEndpoints {
    type Error = String;

    fn try_from(r: RawScoped) -> Result<Self, String> {
        if r.services.is_empty() {
            return Err("endpoints.scoped: services is empty".into());
        }
        if r.workloads.is_empty() {
            return Err(
                "endpoints.scoped: workloads is empty (use endpoints.required for every VPC)"
                    .into(),
            );
        }
        if let Some(i) = r.workloads.iter().position(Selector::is_empty) {
            return Err(format!(
                "endpoints.scoped: workloads[{i}] is empty: give at least one of account, region, vpc, subnet, eni, tag"
            ));
        }
        Ok(ScopedEndpoints {
            services: r.services,
            workloads: r.workloads,
        })
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

/// `[severity]`: `check-id = "critical" | "high" | "medium" | "low" | "info"`. Every
/// finding of that check gets that severity, whatever the check decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SeverityOverrides(BTreeMap<Spanned<String>, Severity>);

impl SeverityOverrides {
    /// The severity set for `check`, if any.
    pub fn get(&self, check: &str) -> Option<Severity> {
        self.0.get(check).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (check id, severity), by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Severity)> {
        self.0.iter().map(|(k, v)| (k.get_ref().as_str(), *v))
    }
}

/// Which ENIs a rule applies to: every field given must match (an empty selector
/// is an error, so it cannot match everything by accident).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    pub account: Option<String>,
    pub region: Option<String>,
    pub vpc: Option<String>,
    pub subnet: Option<String>,
    pub eni: Option<String>,
    /// `key=value`, or `key` for any value.
    pub tag: Option<String>,
}

impl Selector {
    pub fn is_empty(&self) -> bool {
        *self == Selector::default()
    }

    /// Whether `eni` (in `account`/`region`) matches. `instance_tags` are the tags of
    /// the instance it is attached to, which count as its own.
    pub fn matches(
        &self,
        account: &str,
        region: &str,
        eni: &NetworkInterface,
        instance_tags: Option<&crate::inventory::Tags>,
    ) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&self.account, account)
            && eq(&self.region, region)
            && eq(&self.vpc, &eni.vpc_id)
            && eq(&self.subnet, &eni.subnet_id)
            && eq(&self.eni, &eni.id)
            && self.tag.as_deref().is_none_or(|t| {
                let (k, v) = match t.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (t, None),
                };
                [Some(&eni.tags), instance_tags]
                    .into_iter()
                    .flatten()
                    .any(|tags| tags.get(k).is_some_and(|have| v.is_none_or(|v| have == v)))
            })
    }
}

/// Why a config file was refused (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Invalid { path: String, message: String },
}

/// A settings file's text (config or mutes).
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    decode_utf8(bytes).map_err(|(line, column)| ConfigError::Invalid {
        path: path.display().to_string(),
        message: format!("line {line}, column {column}: not UTF-8 text"),
    })
}

/// A file's bytes as text, or the 1-based line and column (in bytes) of the first
/// byte that is not UTF-8: `read_to_string` would only say "invalid UTF-8", not where.
pub(crate) fn decode_utf8(bytes: Vec<u8>) -> Result<String, (usize, usize)> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Valid by definition; the fallback only keeps this free of `unwrap`.
        let text = std::str::from_utf8(valid).unwrap_or_default();
        position(text, text.len())
    })
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_text(path)?;
        Config::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses a config; the error names the line and column.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| one_line(&e, text))?;
        config.validate()?;
        config.validate_spanned(text)?;
        Ok(config)
    }

    /// Checks across values whose places toml recorded: errors name the line.
    fn validate_spanned(&self, text: &str) -> Result<(), String> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = position(text, span.start);
            format!("line {line}, column {column}: {message}")
        };
        // Only a `[severity]` table names checks: parsing every check's metadata for
        // a config without one would be wasted work on every parse.
        if !self.severity.is_empty() {
            let known: Vec<String> = crate::checks::registry::all()?
                .into_iter()
                .map(|r| r.meta.id)
                .collect();
            for id in self.severity.0.keys() {
                let name = id.get_ref();
                if !known.iter().any(|k| k == name) {
                    let hint = nearest(name, &known)
                        .map(|k| format!("did you mean {k:?}? "))
                        .unwrap_or_default();
                    return Err(at(
                        id.span(),
                        format!(
                            "severity: unknown check id {name:?} ({hint}run `vpcaudit checks` for the list)"
                        ),
                    ));
                }
            }
        }
        // The trusted ranges must leave some internet, in each family.
        let mut trusted = crate::reach::sets::IpSet::empty();
        for c in &self.network.trusted_cidrs {
            trusted = trusted.union(&crate::reach::sets::IpSet::from_net(c.get_ref().0));
            if crate::reach::sets::InternetCoverage::of(&trusted).is_world_open() {
                return Err(at(
                    c.span(),
                    "network.trusted_cidrs: with this entry the trusted ranges cover the whole internet of a family, which would hide every exposure".into(),
                ));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), String> {
        let l = &self.lateral;
        if !(1..=16).contains(&l.max_hops) {
            return Err(format!(
                "lateral.max_hops must be 1 to 16, not {}",
                l.max_hops
            ));
        }
        if l.paths_per_jewel == 0 {
            return Err("lateral.paths_per_jewel must be at least 1".into());
        }
        for (name, list) in [
            ("untrusted", &l.untrusted),
            ("crown_jewels", &l.crown_jewels),
        ] {
            if let Some(i) = list.iter().position(Selector::is_empty) {
                return Err(format!(
                    "lateral.{name}[{i}] is empty: give at least one of account, region, vpc, subnet, eni, tag"
                ));
            }
        }
        Ok(())
    }
}

/// toml's messages span several lines (with a source excerpt); ours are one line.
pub(crate) fn one_line(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let (line, column) = position(text, span.start);
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let upto = &text[..offset];
    let line = upto.matches('\n').count() + 1;
    let column = upto.len() - upto.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The entry of `known` within two edits of `name` (a typo), if one is.
fn nearest<'k>(name: &str, known: &'k [String]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edits(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::default().lateral.max_hops, 4);
    }

    #[test]
    fn reads_selectors_and_ports() {
        let c = Config::parse(
            r#"
[lateral]
max_hops = 3
data_ports = [5432, "7000-7001"]
untrusted = [{ vpc = "vpc-dev" }, { tag = "env=dev" }]
crown_jewels = [{ tag = "pci" }]
"#,
        )
        .unwrap();
        assert_eq!(c.lateral.max_hops, 3);
        assert_eq!(
            c.lateral.data_ports,
            [
                PortSpec {
                    from: 5432,
                    to: 5432
                },
                PortSpec {
                    from: 7000,
                    to: 7001
                }
            ]
        );
        assert_eq!(c.lateral.untrusted.len(), 2);
        assert_eq!(c.lateral.crown_jewels[0].tag.as_deref(), Some("pci"));
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = Config::parse("[lateral]\nmax_hops = 2\nmax_hop = 3\n").unwrap_err();
        assert!(e.starts_with("line 3, column 1:"), "{e}");
        assert!(e.contains("max_hop"), "{e}");
        assert!(!e.contains('\n'));
        let e = Config::parse("[laterall]\n").unwrap_err();
        assert!(e.starts_with("line 1"), "{e}");
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(Config::parse("[lateral]\nmax_hops = 0\n").is_err());
        assert!(Config::parse("[lateral]\nuntrusted = [{}]\n").is_err());
        assert!(Config::parse("[lateral]\ndata_ports = [\"9-1\"]\n").is_err());
        assert!(Config::parse("[lateral]\ndata_ports = [70000]\n").is_err());
    }

    /// Every section of the file, as the README shows it.
    const FULL: &str = r#"
[lateral]
max_hops = 3

[network]
trusted_cidrs = ["203.0.113.0/24", "10.8.0.0/16", "2001:db8::/32", "198.51.100.7"]
ephemeral_ports = "1024-65535"

[endpoints]
eks = false
required = ["s3", "sts"]

[[endpoints.scoped]]
services = ["ecr.api", "ecr.dkr"]
workloads = [{ vpc = "vpc-0abc" }, { tag = "team=payments" }]

[severity]
flow-logs-disabled = "low"
internet-exposed-port = "critical"
"#;

    #[test]
    fn new_sections_default_to_the_built_in_behaviour() {
        let c = Config::default();
        assert_eq!(c.network.ephemeral(), crate::reach::path::DEFAULT_EPHEMERAL);
        assert!(c.network.trusted_cidrs.is_empty() && c.network.trusted().is_empty());
        assert!(c.endpoints.eks);
        assert!(c.endpoints.required.is_empty() && c.endpoints.scoped.is_empty());
        assert!(c.severity.is_empty());
        // Empty sections are the defaults too.
        let empty = Config::parse("[network]\n[endpoints]\n[severity]\n").unwrap();
        assert_eq!(empty, Config::default());
    }

    #[test]
    fn reads_every_section() {
        let c = Config::parse(FULL).unwrap();
        assert_eq!(
            c.network.ephemeral(),
            PortRange {
                from: 1024,
                to: 65535
            }
        );
        let trusted: Vec<String> = c
            .network
            .trusted_cidrs
            .iter()
            .map(|c| c.get_ref().0.to_string())
            .collect();
        assert_eq!(
            trusted,
            [
                "203.0.113.0/24",
                "10.8.0.0/16",
                "2001:db8::/32",
                "198.51.100.7/32"
            ]
        );
        assert!(c.network.trusted().contains("10.8.200.1".parse().unwrap()));
        assert!(!c.network.trusted().contains("10.9.0.1".parse().unwrap()));
        assert!(!c.endpoints.eks);
        let required: Vec<&str> = c.endpoints.required.iter().map(|s| s.as_str()).collect();
        assert_eq!(required, ["s3", "sts"]);
        assert_eq!(c.endpoints.scoped.len(), 1);
        assert_eq!(c.endpoints.scoped[0].services.len(), 2);
        assert_eq!(
            c.endpoints.scoped[0].workloads[1].tag.as_deref(),
            Some("team=payments")
        );
        assert_eq!(c.severity.get("flow-logs-disabled"), Some(Severity::Low));
        assert_eq!(
            c.severity.get("internet-exposed-port"),
            Some(Severity::Critical)
        );
        assert_eq!(c.severity.get("egress-world-open"), None);
        assert_eq!(c.severity.iter().count(), 2);
    }

    /// The error for `text`, checked to be one line starting with its place.
    fn error_at(text: &str, line: usize) -> String {
        let e = Config::parse(text).unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.starts_with(&format!("line {line}, column ")), "{e}");
        e
    }

    #[test]
    fn unknown_keys_of_the_new_sections_name_their_line() {
        let e = error_at(
            "[network]\nephemeral_ports = \"1024-65535\"\ntrusted = []\n",
            3,
        );
        assert!(e.contains("trusted"), "{e}");
        let e = error_at("[endpoints]\nrequire = [\"s3\"]\n", 2);
        assert!(e.contains("require"), "{e}");
        let e = error_at(
            "[endpoints]\n[[endpoints.scoped]]\nservices = [\"s3\"]\nworkload = [{ vpc = \"v\" }]\n",
            4,
        );
        assert!(e.contains("workload"), "{e}");
        error_at("[networks]\n", 1);
    }

    #[test]
    fn bad_network_values_name_their_line() {
        let e = error_at("[network]\nephemeral_ports = \"80-1000\"\n", 2);
        assert!(e.contains("1024"), "{e}");
        error_at("[network]\nephemeral_ports = \"60999-32768\"\n", 2);
        error_at("[network]\nephemeral_ports = \"lots\"\n", 2);
        let e = error_at(
            "[network]\ntrusted_cidrs = [\"10.0.0.0/8\",\n  \"203.0.113.9/24\"]\n",
            3,
        );
        assert!(e.contains("203.0.113.0/24"), "{e}");
        error_at("[network]\ntrusted_cidrs = [\"office\"]\n", 2);
        let e = error_at("[network]\ntrusted_cidrs = [\"0.0.0.0/0\"]\n", 2);
        assert!(e.contains("whole internet"), "{e}");
        // Two halves add up to the internet: the second is named.
        let e = error_at(
            "[network]\ntrusted_cidrs = [\n  \"0.0.0.0/1\",\n  \"128.0.0.0/1\",\n]\n",
            4,
        );
        assert!(e.contains("whole internet"), "{e}");
        // Private ranges, however wide, are not the internet.
        assert!(
            Config::parse("[network]\ntrusted_cidrs = [\"10.0.0.0/8\", \"fc00::/7\"]\n").is_ok()
        );
    }

    #[test]
    fn bad_endpoint_values_name_their_line() {
        error_at("[endpoints]\nrequired = [\"ecr api\"]\n", 2);
        error_at("[endpoints]\nrequired = [\"\"]\n", 2);
        error_at("[endpoints]\neks = \"yes\"\n", 2);
        let e = error_at(
            "[[endpoints.scoped]]\nservices = [\"s3\"]\nworkloads = []\n",
            1,
        );
        assert!(e.contains("workloads is empty"), "{e}");
        let e = error_at(
            "[[endpoints.scoped]]\nservices = [\"s3\"]\nworkloads = [{}]\n",
            1,
        );
        assert!(e.contains("workloads[0] is empty"), "{e}");
        let e = error_at("[[endpoints.scoped]]\nworkloads = [{ vpc = \"v\" }]\n", 1);
        assert!(e.contains("services"), "{e}");
    }

    #[test]
    fn severity_overrides_name_the_line_of_a_bad_entry() {
        let e = error_at(
            "[severity]\nflow-logs-disabled = \"low\"\nflow-log-disabled = \"low\"\n",
            3,
        );
        assert!(e.contains("\"flow-log-disabled\""), "{e}");
        assert!(e.contains("did you mean \"flow-logs-disabled\""), "{e}");
        let e = error_at("[severity]\nno-such-check = \"low\"\n", 2);
        assert!(!e.contains("did you mean"), "{e}");
        let e = error_at("[severity]\nflow-logs-disabled = \"lowest\"\n", 2);
        assert!(e.contains("lowest"), "{e}");
        // Inline too.
        error_at("severity = { nope = \"low\" }\n", 1);
    }

    #[test]
    fn typo_distance() {
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "ab"), 2);
        assert_eq!(edits("same", "same"), 0);
        assert_eq!(position("ab\ncd", 4), (2, 2));
        assert_eq!(position("é\n", 1), (1, 1));
    }

    #[test]
    fn invalid_utf8_is_placed() {
        assert_eq!(decode_utf8(b"ok\n".to_vec()).as_deref(), Ok("ok\n"));
        assert_eq!(decode_utf8(b"a = 1\nb = \"\xff\"\n".to_vec()), Err((2, 6)));
        assert_eq!(decode_utf8(b"\xc3".to_vec()), Err((1, 1)));
    }

    #[test]
    fn selectors_match_every_given_field() {
        let eni: NetworkInterface = serde_json::from_value(serde_json::json!({
            "id": "eni-1", "subnet_id": "subnet-1", "vpc_id": "vpc-1",
            "availability_zone": null, "owner_id": null, "interface_type": null,
            "requester_managed": false, "requester_id": null, "description": null,
            "private_ipv4s": [], "ipv6s": [], "public_ipv4s": [], "security_group_ids": [],
            "instance_id": null, "attachment_status": null, "source_dest_check": true,
            "status": null, "tags": {"env": "dev"}
        }))
        .unwrap();
        let sel = |s: &str| -> Selector { toml::from_str(s).unwrap() };
        assert!(sel("vpc = \"vpc-1\"").matches("1", "r", &eni, None));
        assert!(sel("tag = \"env\"").matches("1", "r", &eni, None));
        assert!(sel("tag = \"env=dev\"\nsubnet = \"subnet-1\"").matches("1", "r", &eni, None));
        assert!(!sel("tag = \"env=prod\"").matches("1", "r", &eni, None));
        assert!(!sel("vpc = \"vpc-1\"\naccount = \"2\"").matches("1", "r", &eni, None));
    }
}
