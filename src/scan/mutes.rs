//! Mutes: accepted risks. A `[[mute]]` rule in `vpcaudit.toml` (or a `--mutes`
//! file) matches findings by check, account, region, resource (id or ARN) and tag,
//! with globs anchored at both ends. Muted findings stay in the JSON and SARIF,
//! marked; they leave the table and the exit code. A rule past its expiry date
//! matches nothing and is warned about, so an exception cannot outlive its review.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::inventory::{Inventory, Tags};

use crate::finding::{Finding, Muted};

/// One `[[mute]]` entry. Every field given must match; at least one must be given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawRule")]
pub struct MuteRule {
    pub check: Option<Glob>,
    pub account: Option<Glob>,
    pub region: Option<Glob>,
    /// The finding's resource id or ARN.
    pub resource: Option<Glob>,
    /// `key=value` (value may be a glob) or `key`, on the finding's resource (an
    /// ENI's instance tags count too).
    pub tag: Option<TagMatch>,
    /// Why the risk is accepted; shown wherever the finding is.
    pub reason: String,
    /// The last day (UTC) the mute holds.
    pub expires: Option<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    check: Option<String>,
    account: Option<String>,
    region: Option<String>,
    resource: Option<String>,
    tag: Option<String>,
    reason: Option<String>,
    expires: Option<Expires>,
}

/// `expires`: a TOML date (`2027-01-31`) or the same as a string. Checked while
/// toml still knows where the value is, so that a bad date names its own line (not
/// its `[[mute]]`'s) and says what was expected.
struct Expires(Date);

impl<'de> Deserialize<'de> for Expires {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let date = match toml::Value::deserialize(d)? {
            toml::Value::Datetime(d) => Date::from_toml(&d),
            toml::Value::String(s) => Date::parse(&s),
            other => Err(format!(
                "expires must be a date like 2027-01-31 (found {})",
                other.type_str()
            )),
        };
        date.map(Expires).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<RawRule> for MuteRule {
    type Error = String;

    fn try_from(r: RawRule) -> Result<Self, String> {
        let reason = r.reason.map(|s| s.trim().to_string()).unwrap_or_default();
        if reason.is_empty() {
            return Err("a mute needs a `reason`".into());
        }
        if r.check.is_none()
            && r.account.is_none()
            && r.region.is_none()
            && r.resource.is_none()
            && r.tag.is_none()
        {
            return Err(
                "a mute must name at least one of check, account, region, resource, tag".into(),
            );
        }
        let expires = r.expires.map(|e| e.0);
        Ok(MuteRule {
            check: r.check.map(Glob::new),
            account: r.account.map(Glob::new),
            region: r.region.map(Glob::new),
            resource: r.resource.map(Glob::new),
            tag: r.tag.map(|t| TagMatch::parse(&t)).transpose()?,
            reason,
            expires,
        })
    }
}

/// A pattern where `*` is any run of characters and `?` one character, matched
/// against the whole string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(String);

impl Glob {
    pub fn new(pattern: impl Into<String>) -> Glob {
        Glob(pattern.into())
    }

    pub fn matches(&self, text: &str) -> bool {
        let p: Vec<char> = self.0.chars().collect();
        let t: Vec<char> = text.chars().collect();
        // Greedy with one backtrack point: linear in practice, never exponential.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagMatch {
    pub key: String,
    /// `None`: any value.
    pub value: Option<Glob>,
}

impl TagMatch {
    fn parse(s: &str) -> Result<TagMatch, String> {
        let (key, value) = match s.split_once('=') {
            Some((k, v)) => (k.trim(), Some(Glob::new(v.trim()))),
            None => (s.trim(), None),
        };
        if key.is_empty() {
            return Err(format!(
                "tag {s:?} has no key (use \"key=value\" or \"key\")"
            ));
        }
        Ok(TagMatch {
            key: key.to_string(),
            value,
        })
    }

    fn matches(&self, tags: &Tags) -> bool {
        match (tags.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(v), Some(g)) => g.matches(v),
            (None, _) => false,
        }
    }
}

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        let bad = || format!("expires {s:?} is not a date like 2027-01-31");
        let mut parts = s.trim().splitn(3, '-');
        let mut next = || parts.next().ok_or_else(bad);
        let (y, m, d) = (next()?, next()?, next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let date = Date {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
        };
        if !(1..=12).contains(&date.month)
            || date.day == 0
            || date.day > days_in_month(date.year, date.month)
        {
            return Err(bad());
        }
        Ok(date)
    }

    fn from_toml(d: &toml::value::Datetime) -> Result<Date, String> {
        match (&d.date, &d.time) {
            (Some(date), None) => Date::parse(&date.to_string()),
            _ => Err(format!(
                "expires {d} must be a date like 2027-01-31, without a time"
            )),
        }
    }

    /// The UTC day of a Unix time.
    pub fn from_unix(secs: u64) -> Date {
        // Howard Hinnant's days-to-civil algorithm.
        let z = (secs / 86_400) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_unix(secs)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A `--mutes` file: only `[[mute]]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MuteFile {
    #[serde(default)]
    mute: Vec<MuteRule>,
}

/// Reads a `--mutes` file; errors carry the line and column.
pub fn load_file(path: &Path) -> Result<Vec<MuteRule>, crate::config::ConfigError> {
    let text = crate::config::read_text(path)?;
    parse_file(&text).map_err(|message| crate::config::ConfigError::Invalid {
        path: path.display().to_string(),
        message,
    })
}

/// The rules of a `--mutes` file's text; the error is one line, starting with its
/// line and column. Separate from [`load_file`] so the fuzz targets reach it.
pub fn parse_file(text: &str) -> Result<Vec<MuteRule>, String> {
    let file: MuteFile = toml::from_str(text).map_err(|e| crate::config::one_line(&e, text))?;
    Ok(file.mute)
}

/// Rules with where they came from (`vpcaudit.toml, mute #2`).
pub struct Mutes {
    rules: Vec<(String, MuteRule)>,
}

/// A rule that no longer applies because its date has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub rule: String,
    pub reason: String,
    pub expired: Date,
}

impl Mutes {
    pub fn new(rules: Vec<(String, MuteRule)>) -> Mutes {
        Mutes { rules }
    }

    pub fn from_sources(sources: Vec<(String, Vec<MuteRule>)>) -> Mutes {
        Mutes::new(
            sources
                .into_iter()
                .flat_map(|(file, rules)| {
                    rules
                        .into_iter()
                        .enumerate()
                        .map(move |(i, r)| (format!("{file}, mute #{}", i + 1), r))
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Rules whose expiry is before `today`.
    pub fn expired(&self, today: Date) -> Vec<Expired> {
        self.rules
            .iter()
            .filter_map(|(label, r)| {
                let date = r.expires?;
                (date < today).then(|| Expired {
                    rule: label.clone(),
                    reason: r.reason.clone(),
                    expired: date,
                })
            })
            .collect()
    }

    /// Marks each finding the first live rule matches.
    pub fn apply(&self, findings: &mut [Finding], inventory: &Inventory, today: Date) {
        let live: Vec<&(String, MuteRule)> = self
            .rules
            .iter()
            .filter(|(_, r)| r.expires.is_none_or(|d| d >= today))
            .collect();
        if live.is_empty() {
            return;
        }
        let tags = live
            .iter()
            .any(|(_, r)| r.tag.is_some())
            .then(|| TagIndex::build(inventory));
        // "The check failed" is about vpcaudit, not AWS: no mute hides it (a broad
        // `check = "lateral-*"` would otherwise silence the failure and `--strict`).
        for f in findings.iter_mut().filter(|f| !f.is_check_failure()) {
            let hit = live.iter().find(|(_, r)| rule_matches(r, f, tags.as_ref()));
            if let Some((label, r)) = hit {
                f.muted = Some(Muted {
                    reason: r.reason.clone(),
                    expires: r.expires.map(|d| d.to_string()),
                    rule: label.clone(),
                });
            }
        }
    }
}

fn rule_matches(r: &MuteRule, f: &Finding, tags: Option<&TagIndex>) -> bool {
    let field = |g: &Option<Glob>, v: &str| g.as_ref().is_none_or(|g| g.matches(v));
    field(&r.check, &f.check)
        && field(&r.account, &f.account)
        && field(&r.region, &f.region)
        && r.resource.as_ref().is_none_or(|g| {
            g.matches(&f.resource.id) || f.resource.arn.as_deref().is_some_and(|a| g.matches(a))
        })
        && r.tag.as_ref().is_none_or(|t| {
            tags.is_some_and(|idx| idx.tags_of(f).iter().any(|tags| t.matches(tags)))
        })
}

/// Resource tags by (account, region, id), with each ENI's instance tags beside its own.
struct TagIndex<'a> {
    by_id: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Tags>>,
}

impl<'a> TagIndex<'a> {
    fn build(inv: &'a Inventory) -> TagIndex<'a> {
        let mut by_id: HashMap<(&str, &str, &str), Vec<&Tags>> = HashMap::new();
        for (account, ri) in inv.regions() {
            let region = ri.region.as_str();
            let mut add = |id: &'a str, tags: &'a Tags| {
                by_id.entry((account, region, id)).or_default().push(tags);
            };
            ri.vpcs.iter().for_each(|x| add(&x.id, &x.tags));
            ri.subnets.iter().for_each(|x| add(&x.id, &x.tags));
            ri.route_tables.iter().for_each(|x| add(&x.id, &x.tags));
            ri.internet_gateways
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.egress_only_internet_gateways
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.nat_gateways.iter().for_each(|x| add(&x.id, &x.tags));
            ri.instances.iter().for_each(|x| add(&x.id, &x.tags));
            ri.security_groups.iter().for_each(|x| add(&x.id, &x.tags));
            ri.managed_prefix_lists
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.network_acls.iter().for_each(|x| add(&x.id, &x.tags));
            ri.vpc_endpoints.iter().for_each(|x| add(&x.id, &x.tags));
            ri.vpc_peering_connections
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateways.iter().for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateway_attachments
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateway_route_tables
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.flow_logs.iter().for_each(|x| add(&x.id, &x.tags));
            for fw in &ri.firewalls {
                add(&fw.name, &fw.tags);
                add(&fw.arn, &fw.tags);
            }
            for p in &ri.firewall_policies {
                add(&p.name, &p.tags);
                add(&p.arn, &p.tags);
            }
            for g in &ri.firewall_rule_groups {
                add(&g.name, &g.tags);
                add(&g.arn, &g.tags);
            }
            let instances: HashMap<&str, &Tags> = ri
                .instances
                .iter()
                .map(|i| (i.id.as_str(), &i.tags))
                .collect();
            for e in &ri.network_interfaces {
                add(&e.id, &e.tags);
                if let Some(t) = e.instance_id.as_deref().and_then(|i| instances.get(i)) {
                    add(&e.id, t);
                }
            }
        }
        TagIndex { by_id }
    }

    fn tags_of(&self, f: &Finding) -> Vec<&'a Tags> {
        // The keys' lifetime shortened to the finding's, which covariance allows.
        let by_id: &HashMap<(&str, &str, &str), Vec<&'a Tags>> = &self.by_id;
        by_id
            .get(&(
                f.account.as_str(),
                f.region.as_str(),
                f.resource.id.as_str(),
            ))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_anchored() {
        let g = Glob::new("sg-*");
        assert!(g.matches("sg-0123"));
        assert!(!g.matches("xsg-0123"));
        assert!(Glob::new("*-prod-?").matches("db-prod-1"));
        assert!(!Glob::new("*-prod-?").matches("db-prod-12"));
        assert!(Glob::new("a*b*c").matches("aXXbYYc"));
        assert!(!Glob::new("a*b*c").matches("aXXbYYcZ"));
        assert!(Glob::new("exact").matches("exact"));
        assert!(!Glob::new("exact").matches("exactly"));
        assert!(Glob::new("*").matches(""));
        assert!(Glob::new("arn:aws:ec2:*:111122223333:*")
            .matches("arn:aws:ec2:us-east-1:111122223333:security-group/sg-1"));
    }

    #[test]
    fn dates_parse_and_order() {
        assert_eq!(
            Date::parse("2027-02-28"),
            Ok(Date {
                year: 2027,
                month: 2,
                day: 28
            })
        );
        assert!(Date::parse("2027-02-29").is_err());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2027-13-01").is_err());
        assert!(Date::parse("27-01-01").is_err());
        assert!(Date::parse("2027-1-1").is_err());
        assert!(Date::parse("2026-12-31").unwrap() < Date::parse("2027-01-01").unwrap());
    }

    #[test]
    fn unix_days_are_civil_days() {
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix(951_782_400).to_string(), "2000-02-29");
        assert_eq!(Date::from_unix(1_798_761_599).to_string(), "2026-12-31");
        assert_eq!(Date::from_unix(1_798_761_600).to_string(), "2027-01-01");
    }

    fn rule(toml_text: &str) -> Result<MuteRule, String> {
        let file: Result<MuteFile, _> = toml::from_str(toml_text);
        file.map(|mut f| f.mute.remove(0))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rules_need_a_reason_and_a_matcher() {
        let e = rule("[[mute]]\ncheck = \"x\"\n").unwrap_err();
        assert!(e.contains("needs a `reason`"), "{e}");
        let e = rule("[[mute]]\nreason = \"r\"\n").unwrap_err();
        assert!(e.contains("at least one of"), "{e}");
        let e = rule("[[mute]]\nreason = \"r\"\nchek = \"x\"\n").unwrap_err();
        assert!(e.contains("chek"), "{e}");
        let e = rule("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = 2027-01-01T10:00:00\n")
            .unwrap_err();
        assert!(e.contains("without a time"), "{e}");
        let r = rule("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = 2027-01-31\n").unwrap();
        assert_eq!(
            r.expires.map(|d| d.to_string()).as_deref(),
            Some("2027-01-31")
        );
        let r = rule("[[mute]]\nreason = \"r\"\ntag = \"env=dev*\"\nexpires = \"2027-01-31\"\n")
            .unwrap();
        assert_eq!(r.tag.map(|t| t.key).as_deref(), Some("env"));
    }

    #[test]
    fn bad_dates_name_their_own_line() {
        let e = parse_file("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = \"2027-02-30\"\n")
            .unwrap_err();
        assert!(e.starts_with("line 4, column 11:"), "{e}");
        assert!(e.contains("2027-02-30"), "{e}");
        let e = parse_file("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = 20270101\n")
            .unwrap_err();
        assert!(e.starts_with("line 4, column 11:"), "{e}");
        assert!(e.contains("(found integer)"), "{e}");
    }

    #[test]
    fn a_failed_check_is_never_muted() {
        let finding = |resource_type: &str, id: &str| Finding {
            check: "lateral-movement-path".into(),
            severity: crate::finding::Severity::High,
            status: crate::finding::Status::Unknown,
            title: String::new(),
            message: String::new(),
            account: String::new(),
            region: String::new(),
            resource: crate::finding::Resource {
                resource_type: resource_type.into(),
                id: id.into(),
                arn: None,
                name: None,
            },
            related: Vec::new(),
            evidence: Vec::new(),
            remediation: String::new(),
            fingerprint: String::new(),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        };
        let inventory = Inventory {
            schema: crate::inventory::INVENTORY_SCHEMA.into(),
            tool_version: String::new(),
            collected_at: 0,
            accounts: Vec::new(),
            coverage: Vec::new(),
        };
        let r = rule("[[mute]]\nreason = \"r\"\ncheck = \"lateral-*\"\n").unwrap();
        let mutes = Mutes::new(vec![("m".into(), r)]);
        let mut findings = vec![
            finding("AWS::EC2::NetworkInterface", "eni-1"),
            finding(
                crate::finding::CHECK_FAILED_TYPE,
                "lateral-movement-path",
            ),
        ];
        mutes.apply(
            &mut findings,
            &inventory,
            Date::parse("2027-01-01").unwrap(),
        );
        assert!(findings[0].muted.is_some());
        assert!(findings[1].muted.is_none());
    }

    #[test]
    fn expiry_is_inclusive() {
        let r = rule("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = 2027-01-31\n").unwrap();
        let mutes = Mutes::new(vec![("m".into(), r)]);
        let day = |s| Date::parse(s).unwrap();
        assert!(mutes.expired(day("2027-01-31")).is_empty());
        assert_eq!(mutes.expired(day("2027-02-01")).len(), 1);
    }
}
