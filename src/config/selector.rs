//! Selectors: which resources a setting applies to. One tag syntax serves the
//! `[lateral]` and `[endpoints]` selectors and the `[[mute]]` rules:
//!
//! - `"key"`: the resource has the tag `key`, whatever its value;
//! - `"key=value"`: the resource has the tag `key` with a value matching `value`,
//!   a [`Glob`] anchored at both ends (`*` any run of characters, `?` one), so a
//!   value without `*` or `?` must be equal.
//!
//! The key is matched exactly; spaces around the key and the value are ignored. An
//! ENI's instance tags count as the ENI's own.

use serde::Deserialize;

use crate::inventory::{NetworkInterface, Tags};

use super::values::parsed_str;

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

/// `key` or `key=value` (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSelector {
    pub key: String,
    /// `None`: any value.
    pub value: Option<Glob>,
}

impl TagSelector {
    pub fn parse(s: &str) -> Result<TagSelector, String> {
        let (key, value) = match s.split_once('=') {
            Some((k, v)) => (k.trim(), Some(Glob::new(v.trim()))),
            None => (s.trim(), None),
        };
        if key.is_empty() {
            return Err(format!(
                "tag {s:?} has no key (use \"key=value\" or \"key\")"
            ));
        }
        Ok(TagSelector {
            key: key.to_string(),
            value,
        })
    }

    /// Whether `tags` carry this tag.
    pub fn matches(&self, tags: &Tags) -> bool {
        match (tags.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(v), Some(g)) => g.matches(v),
            (None, _) => false,
        }
    }
}

impl<'de> Deserialize<'de> for TagSelector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed_str(d, "a tag like \"key=value\" or \"key\"", TagSelector::parse)
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
    pub tag: Option<TagSelector>,
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
        instance_tags: Option<&Tags>,
    ) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&self.account, account)
            && eq(&self.region, region)
            && eq(&self.vpc, &eni.vpc_id)
            && eq(&self.subnet, &eni.subnet_id)
            && eq(&self.eni, &eni.id)
            && self.tag.as_ref().is_none_or(|t| {
                [Some(&eni.tags), instance_tags]
                    .into_iter()
                    .flatten()
                    .any(|tags| t.matches(tags))
            })
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
    fn tag_selectors_have_one_syntax() {
        let tags: Tags = [("env".to_string(), "prod-eu".to_string())].into();
        let t = |s: &str| TagSelector::parse(s).expect("parses");
        assert!(t("env").matches(&tags));
        assert!(t(" env = prod-eu ").matches(&tags));
        assert!(t("env=prod-*").matches(&tags));
        assert!(!t("env=prod").matches(&tags));
        assert!(!t("Env").matches(&tags), "keys are exact");
        assert!(!t("team").matches(&tags));
        assert!(TagSelector::parse("=x").is_err());
        assert!(TagSelector::parse(" ").is_err());
    }
}
