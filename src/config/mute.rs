//! `[[mute]]` rules as written: accepted risks, in `vpcaudit.toml` or a `--mutes`
//! file. Parsing only; applying them to findings is the scan's (`scan::mutes`).

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::selector::{Glob, TagSelector};

/// One `[[mute]]` entry. Every field given must match; at least one must be given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawRule")]
pub struct MuteRule {
    pub check: Option<Glob>,
    pub account: Option<Glob>,
    pub region: Option<Glob>,
    /// The finding's resource id or ARN.
    pub resource: Option<Glob>,
    /// `key=value` or `key` (see [`super::selector`]), on the finding's resource
    /// (an ENI's instance tags count too).
    pub tag: Option<TagSelector>,
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
            tag: r.tag.map(|t| TagSelector::parse(&t)).transpose()?,
            reason,
            expires,
        })
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
pub fn load_file(path: &Path) -> Result<Vec<MuteRule>, super::ConfigError> {
    let text = super::read_text(path)?;
    parse_file(&text).map_err(|message| super::ConfigError::Invalid {
        path: path.display().to_string(),
        message,
    })
}

/// The rules of a `--mutes` file's text; the error is one line, starting with its
/// line and column. Separate from [`load_file`] so the fuzz targets reach it.
pub fn parse_file(text: &str) -> Result<Vec<MuteRule>, String> {
    let file: MuteFile =
        toml::from_str(text).map_err(|e| crate::source_text::one_line(&e, text))?;
    Ok(file.mute)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
