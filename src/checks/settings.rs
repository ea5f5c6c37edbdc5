//! The config rules only the checks can judge: a `[severity]` entry must name a
//! check, and the trusted ranges must leave some internet in each family (else
//! every exposure would be hidden). Passed to [`Config::parse_with`] by whoever
//! reads a config for a scan.

use crate::config::{Config, Invalid};
use crate::reach::sets::{InternetCoverage, IpSet};
use crate::source_text::nearest;

/// Judges `config` (see the module documentation).
pub fn validate(config: &Config) -> Result<(), Invalid> {
    // Only a `[severity]` table names checks: parsing every check's metadata for a
    // config without one would be wasted work on every parse.
    if !config.severity.is_empty() {
        let known: Vec<String> = super::registry::all()
            .map_err(|message| Invalid {
                span: 0..0,
                message,
            })?
            .into_iter()
            .map(|r| r.meta.id)
            .collect();
        for id in config.severity.spanned_ids() {
            let name = id.get_ref();
            if !known.iter().any(|k| k == name) {
                let hint = nearest(name, &known)
                    .map(|k| format!("did you mean {k:?}? "))
                    .unwrap_or_default();
                return Err(Invalid {
                    span: id.span(),
                    message: format!(
                        "severity: unknown check id {name:?} ({hint}run `vpcaudit checks` for the list)"
                    ),
                });
            }
        }
    }
    let mut trusted = IpSet::empty();
    for c in &config.network.trusted_cidrs {
        trusted = trusted.union(&IpSet::from_net(c.get_ref().0));
        if InternetCoverage::of(&trusted).is_world_open() {
            return Err(Invalid {
                span: c.span(),
                message: "network.trusted_cidrs: with this entry the trusted ranges cover the whole internet of a family, which would hide every exposure".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error for `text`, checked to be one line starting with its place.
    fn error_at(text: &str, line: usize) -> String {
        let e = Config::parse_with(text, &validate).unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.starts_with(&format!("line {line}, column ")), "{e}");
        e
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
        // Known ids pass.
        assert!(
            Config::parse_with("[severity]\nflow-logs-disabled = \"low\"\n", &validate).is_ok()
        );
    }

    #[test]
    fn trusted_ranges_must_leave_some_internet() {
        // Two halves add up to the internet: the second is named.
        let e = error_at(
            "[network]\ntrusted_cidrs = [\n  \"0.0.0.0/1\",\n  \"128.0.0.0/1\",\n]\n",
            4,
        );
        assert!(e.contains("whole internet"), "{e}");
        // Private ranges, however wide, are not the internet.
        assert!(Config::parse_with(
            "[network]\ntrusted_cidrs = [\"10.0.0.0/8\", \"fc00::/7\"]\n",
            &validate
        )
        .is_ok());
    }

    #[test]
    fn trusted_addresses_are_one_set() {
        let c = Config::parse("[network]\ntrusted_cidrs = [\"10.8.0.0/16\", \"198.51.100.7\"]\n")
            .expect("parses");
        let t = super::super::context::trusted_set(&c);
        assert!(t.contains("10.8.200.1".parse().expect("address")));
        assert!(t.contains("198.51.100.7".parse().expect("address")));
        assert!(!t.contains("10.9.0.1".parse().expect("address")));
        assert!(super::super::context::trusted_set(&Config::default()).is_empty());
    }
}
