//! `vpcaudit.toml`: what the checks need to know about an estate that AWS does not
//! say (which hosts are untrusted, which data matters).
//!
//! Unknown keys are errors, reported with their line, so a typo never silently
//! turns a setting off.

use std::path::Path;

use serde::Deserialize;

use crate::inventory::NetworkInterface;

/// The whole file. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub lateral: Lateral,
    /// `[[mute]]`: accepted risks (see `report::mutes`).
    #[serde(default)]
    pub mute: Vec<crate::report::mutes::MuteRule>,
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

impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Port(u16),
            Range(String),
        }
        match Raw::deserialize(d)? {
            Raw::Port(p) => Ok(PortSpec { from: p, to: p }),
            Raw::Range(s) => {
                let bad = || {
                    serde::de::Error::custom(format!(
                        "{s:?} is not a port or a range like \"7000-7001\""
                    ))
                };
                let (a, b) = s.split_once('-').unwrap_or((&s, &s));
                let from: u16 = a.trim().parse().map_err(|_| bad())?;
                let to: u16 = b.trim().parse().map_err(|_| bad())?;
                if from > to {
                    return Err(bad());
                }
                Ok(PortSpec { from, to })
            }
        }
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
        let eq = |want: &Option<String>, have: &str| want.as_deref().map_or(true, |w| w == have);
        eq(&self.account, account)
            && eq(&self.region, region)
            && eq(&self.vpc, &eni.vpc_id)
            && eq(&self.subnet, &eni.subnet_id)
            && eq(&self.eni, &eni.id)
            && self.tag.as_deref().map_or(true, |t| {
                let (k, v) = match t.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (t, None),
                };
                [Some(&eni.tags), instance_tags]
                    .into_iter()
                    .flatten()
                    .any(|tags| {
                        tags.get(k)
                            .is_some_and(|have| v.map_or(true, |v| have == v))
                    })
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

impl ConfigError {
    /// A TOML error in `path`, on one line with its line and column.
    pub fn parse(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
        ConfigError::Invalid {
            path: path.display().to_string(),
            message: one_line(e, text),
        }
    }
}

/// A settings file's text (config or mutes).
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
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

/// toml's messages span several lines (with a source excerpt); ours are one line.
fn one_line(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let upto = &text[..span.start.min(text.len())];
            let line = upto.matches('\n').count() + 1;
            let column = upto.len() - upto.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
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
