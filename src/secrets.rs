//! Credentials vpcaudit has seen, so that no log line can carry them. The SDK
//! already masks secret keys and session tokens in its own logs; this is the second
//! wall, for whatever logs them next (a dependency upgrade, a `RUST_LOG=trace`, a
//! message of ours that quotes an error). Access key ids are masked too: not secret
//! by AWS's rules, but they name the principal and have no place in a shared log.

use std::borrow::Cow;
use std::sync::RwLock;

/// Shorter values are not credentials (dummy test keys such as `test`), and masking
/// them would garble unrelated text.
const MIN_LEN: usize = 16;
pub const MASK: &str = "** redacted **";

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers a credential value; every later [`redact`] masks it.
pub fn register(value: &str) {
    let value = value.trim();
    if value.len() < MIN_LEN {
        return;
    }
    // A poisoned lock only means another thread panicked mid-push; the list is
    // still a list of strings.
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
        // Longest first, so a value containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Registers the credentials the environment provides, before anything is logged.
pub fn register_environment() {
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    ] {
        if let Ok(value) = std::env::var(var) {
            register(&value);
        }
    }
}

/// `text` with every registered credential, and anything shaped like an access key
/// id, replaced by [`MASK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), MASK));
        }
    }
    match mask_key_ids(&out) {
        Some(masked) => Cow::Owned(masked),
        None => out,
    }
}

/// Key id prefixes: long-term user keys and temporary (STS) keys.
const KEY_ID_PREFIXES: [&str; 2] = ["AKIA", "ASIA"];
const KEY_ID_LEN: usize = 20;

/// Masks access key ids by shape, for those issued before they could be registered:
/// aws-config logs an assumed role's new key id as it receives it.
fn mask_key_ids(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let is_key_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + KEY_ID_LEN <= bytes.len() {
        let starts = KEY_ID_PREFIXES
            .iter()
            .any(|p| bytes[i..].starts_with(p.as_bytes()));
        let bounded_before = i == 0 || !is_key_char(bytes[i - 1]);
        if starts && bounded_before {
            let body = &bytes[i..i + KEY_ID_LEN];
            let bounded_after = bytes.get(i + KEY_ID_LEN).is_none_or(|b| !is_key_char(*b));
            if body.iter().all(|b| is_key_char(*b)) && bounded_after {
                spans.push(i);
                i += KEY_ID_LEN;
                continue;
            }
        }
        i += 1;
    }
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for start in spans {
        // Spans start at ASCII bytes, so these are char boundaries.
        out.push_str(&text[last..start]);
        out.push_str(MASK);
        last = start + KEY_ID_LEN;
    }
    out.push_str(&text[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_values_are_masked_wherever_they_appear() {
        register("AKIAREDACTTEST000001");
        register("redactTestSecret/0123456789abcdefghijklmnop");
        let line = "key=AKIAREDACTTEST000001 secret=redactTestSecret/0123456789abcdefghijklmnop.";
        assert_eq!(redact(line), format!("key={MASK} secret={MASK}."));
    }

    #[test]
    fn short_values_are_not_credentials() {
        register("test");
        assert_eq!(redact("a test line"), "a test line");
    }

    #[test]
    fn a_value_containing_another_is_masked_whole() {
        register("nestedSecretValue0001");
        register("prefix-nestedSecretValue0001-suffix");
        assert_eq!(
            redact("x prefix-nestedSecretValue0001-suffix y"),
            format!("x {MASK} y")
        );
    }

    #[test]
    fn key_ids_are_masked_by_shape() {
        let line =
            "obtained access_key_id=Some(\"ASIARZPUZDIKDY6EWXT3\") and AKIAABCDEFGHIJKLMNOP.";
        assert_eq!(
            redact(line),
            format!("obtained access_key_id=Some(\"{MASK}\") and {MASK}.")
        );
    }

    #[test]
    fn longer_words_that_start_like_key_ids_are_left_alone() {
        for text in [
            "ASIARZPUZDIKDY6EWXT3X",
            "XASIARZPUZDIKDY6EWXT3",
            "ASIArzpuzdikdy6ewxt3",
            "ASIA",
            "ASIA\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn text_without_secrets_is_not_copied() {
        assert!(matches!(redact("nothing to hide"), Cow::Borrowed(_)));
    }
}
