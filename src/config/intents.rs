//! `vpcaudit reach --intents FILE`: connectivity assertions a nightly job checks, as
//! plain data and its parsing.
//!
//! ```toml
//! [[intent]]
//! name = "the data subnet never reaches the internet"
//! from = "tag:tier=data"
//! to = "internet"
//! expect = "blocked"
//!
//! [[intent]]
//! name = "the app reaches the database"
//! from = "sg-0app"
//! to = "sg-0db"
//! port = "tcp/5432"
//! expect = "allowed"
//! ```
//!
//! Unknown keys are errors with their line, as in `vpcaudit.toml`.

use std::path::Path;

use serde::Deserialize;

use super::{read_text, ConfigError};
use crate::source_text::one_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    Allowed,
    Blocked,
}

/// One assertion: `from` reaches (or never reaches) `to` on `port`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    pub name: String,
    pub from: String,
    pub to: String,
    /// As `--port`; omitted: every service (allowed means some service passes).
    #[serde(default)]
    pub port: Option<String>,
    pub expect: Expected,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    intent: Vec<Intent>,
}

/// The intents of a file, in file order. A file without any is an error: a job
/// that asserts nothing should not pass.
pub fn load(path: &Path) -> Result<Vec<Intent>, ConfigError> {
    let text = read_text(path)?;
    parse(&text).map_err(|message| ConfigError::Invalid {
        path: path.display().to_string(),
        message,
    })
}

pub fn parse(text: &str) -> Result<Vec<Intent>, String> {
    let file: File = toml::from_str(text).map_err(|e| one_line(&e, text))?;
    if file.intent.is_empty() {
        return Err("no [[intent]] in the file".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for i in &file.intent {
        if !seen.insert(i.name.as_str()) {
            return Err(format!("two intents are named {:?}", i.name));
        }
    }
    Ok(file.intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_intents_in_file_order() {
        let got = parse(
            "[[intent]]\nname = \"a\"\nfrom = \"tag:tier=data\"\nto = \"internet\"\nexpect = \"blocked\"\n\
             [[intent]]\nname = \"b\"\nfrom = \"sg-1\"\nto = \"sg-2\"\nport = \"tcp/5432\"\nexpect = \"allowed\"\n",
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].expect, Expected::Blocked);
        assert_eq!(got[0].port, None);
        assert_eq!(got[1].port.as_deref(), Some("tcp/5432"));
        assert_eq!(got[1].expect, Expected::Allowed);
    }

    #[test]
    fn a_typo_names_its_line() {
        let e = parse("[[intent]]\nname = \"a\"\nfrom = \"x\"\nto = \"y\"\nexpcet = \"blocked\"\n")
            .unwrap_err();
        assert!(e.starts_with("line 5"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn an_unknown_expectation_is_refused() {
        let e = parse("[[intent]]\nname = \"a\"\nfrom = \"x\"\nto = \"y\"\nexpect = \"open\"\n")
            .unwrap_err();
        assert!(
            e.contains("allowed") || e.contains("unknown variant"),
            "{e}"
        );
    }

    #[test]
    fn an_empty_file_and_duplicate_names_are_refused() {
        assert!(parse("").unwrap_err().contains("no [[intent]]"));
        let twice = "[[intent]]\nname = \"a\"\nfrom = \"x\"\nto = \"y\"\nexpect = \"blocked\"\n";
        assert!(parse(&format!("{twice}{twice}"))
            .unwrap_err()
            .contains("two intents"));
    }
}
