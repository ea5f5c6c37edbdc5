//! `vpcaudit.toml`: what the checks need to know about an estate that AWS does not
//! say (which hosts are untrusted, which data matters, which address ranges the
//! organisation controls, which endpoints its private workloads need), as plain data
//! and its parsing. What a value means to the engine is the checks' business
//! (`checks::Context`); rules that need the engine to be judged (does a check id
//! exist, do trusted ranges cover the internet) are passed in by the caller
//! ([`Config::parse_with`]), so this module imports nothing above it.
//!
//! Unknown keys are errors, reported with their line, so a typo never silently
//! turns a setting off. An empty file (or none) is the built-in behaviour.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::source_text::{at, decode_utf8, one_line};

pub mod intents;
pub mod kubernetes;
pub mod mute;
pub mod selector;
pub mod values;

pub use kubernetes::{Kubernetes, PodSelector};
pub use mute::MuteRule;
pub use selector::{Glob, Selector, TagSelector};
pub use values::{Cidr, PortSpec, ServiceName};

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
    /// `[kubernetes]`: exempt namespaces, untrusted and crown-jewel pods.
    #[serde(default)]
    pub kubernetes: Kubernetes,
    /// `[severity]`: a fixed severity for every finding of a check.
    #[serde(default)]
    pub severity: SeverityOverrides,
    /// `[[mute]]`: accepted risks (applied by `scan::mutes`).
    #[serde(default)]
    pub mute: Vec<MuteRule>,
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
    /// TCP ports whose ingress rules make an ENI a data store; `None`: the checks'
    /// built-in list of well-known data-store ports.
    #[serde(default)]
    pub data_ports: Option<Vec<PortSpec>>,
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
            data_ports: None,
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

/// `[network]`: facts about addressing that AWS does not record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
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
    #[serde(default, deserialize_with = "ephemeral_ports")]
    pub ephemeral_ports: Option<PortSpec>,
}

/// A port range clients take their ports from: above the well-known ports.
fn ephemeral_ports<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PortSpec>, D::Error> {
    let p = PortSpec::deserialize(d)?;
    if p.from < 1024 {
        return Err(serde::de::Error::custom(format!(
            "ephemeral_ports must start at 1024 or above (\"1024-65535\" is the widest range), not {}",
            p.from
        )));
    }
    Ok(Some(p))
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

    /// The check ids named, with where each is in the file.
    pub fn spanned_ids(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.0.keys()
    }

    /// (check id, severity), by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Severity)> {
        self.0.iter().map(|(k, v)| (k.get_ref().as_str(), *v))
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

/// A rule the caller judges a parsed config by; its error names the place in the
/// file (a span that toml recorded) and what is wrong there.
pub type Rule<'r> = &'r dyn Fn(&Config) -> Result<(), Invalid>;

/// What a [`Rule`] found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub span: Range<usize>,
    pub message: String,
}

impl Config {
    /// Reads, parses and judges a config file by `rule` (see [`Config::parse_with`]).
    pub fn load_with(path: &Path, rule: Rule) -> Result<Config, ConfigError> {
        let text = read_text(path)?;
        Config::parse_with(&text, rule).map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses a config; the error names the line and column. Only what can be
    /// judged from the file alone is checked: see [`Config::parse_with`].
    pub fn parse(text: &str) -> Result<Config, String> {
        Config::parse_with(text, &|_| Ok(()))
    }

    /// Parses a config and judges it by `rule` too: the rules that need to know the
    /// checks or the engine, which the caller has and this module does not.
    pub fn parse_with(text: &str, rule: Rule) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| one_line(&e, text))?;
        config.validate()?;
        rule(&config).map_err(|e| at(text, e.span.start, &e.message))?;
        Ok(config)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::NetworkInterface;

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
            c.lateral.data_ports.as_deref().expect("set"),
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
        assert_eq!(
            c.lateral.crown_jewels[0].tag,
            TagSelector::parse("pci").ok()
        );
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
        assert_eq!(c.network.ephemeral_ports, None);
        assert_eq!(c.lateral.data_ports, None);
        assert!(c.network.trusted_cidrs.is_empty());
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
            c.network.ephemeral_ports,
            Some(PortSpec {
                from: 1024,
                to: 65535
            })
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
        assert!(!c.endpoints.eks);
        let required: Vec<&str> = c.endpoints.required.iter().map(|s| s.as_str()).collect();
        assert_eq!(required, ["s3", "sts"]);
        assert_eq!(c.endpoints.scoped.len(), 1);
        assert_eq!(c.endpoints.scoped[0].services.len(), 2);
        assert_eq!(
            c.endpoints.scoped[0].workloads[1].tag,
            TagSelector::parse("team=payments").ok()
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
        assert!(sel("tag = \"env=d*\"").matches("1", "r", &eni, None));
        assert!(!sel("tag = \"env=prod\"").matches("1", "r", &eni, None));
        assert!(!sel("vpc = \"vpc-1\"\naccount = \"2\"").matches("1", "r", &eni, None));
    }

    #[test]
    fn a_rule_from_the_caller_names_its_place() {
        let text = "[severity]\nflow-logs-disabled = \"low\"\nnope = \"low\"\n";
        let rule = |c: &Config| -> Result<(), Invalid> {
            match c.severity.spanned_ids().find(|id| id.get_ref() == "nope") {
                Some(id) => Err(Invalid {
                    span: id.span(),
                    message: "unknown".into(),
                }),
                None => Ok(()),
            }
        };
        assert_eq!(
            Config::parse_with(text, &rule).unwrap_err(),
            "line 3, column 1: unknown"
        );
        // Without the rule, the same file is valid as far as the file alone can say.
        assert!(Config::parse(text).is_ok());
    }

    #[test]
    fn tag_selectors_are_checked_where_they_are() {
        let e = error_at("[lateral]\nuntrusted = [\n  { tag = \"=dev\" },\n]\n", 3);
        assert!(e.contains("no key"), "{e}");
    }
}
