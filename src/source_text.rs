//! Users' files as text: UTF-8 with the place of a bad byte, TOML errors on one
//! line with their place, and the nearest known name for a typo. Shared by every
//! reader of a user's file (inventory, config, mutes, baseline), so each says where
//! a problem is in the same way.

/// A file's bytes as text, or the 1-based line and column (in bytes) of the first
/// byte that is not UTF-8: `read_to_string` would only say "invalid UTF-8", not where.
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, (usize, usize)> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Valid by definition; the fallback only keeps this free of `unwrap`.
        let text = std::str::from_utf8(valid).unwrap_or_default();
        position(text, text.len())
    })
}

/// toml's messages span several lines (with a source excerpt); ours are one line.
pub fn one_line(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => at(text, span.start, &message),
        None => message,
    }
}

/// `line L, column C: message`, for byte `offset` of `text`.
pub fn at(text: &str, offset: usize, message: &str) -> String {
    let (line, column) = position(text, offset);
    format!("line {line}, column {column}: {message}")
}

/// The 1-based line and column of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
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
pub fn nearest<'k, S: AsRef<str>>(name: &str, known: &'k [S]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edits(name, k.as_ref()), k.as_ref()))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
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
    fn typo_distance() {
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "ab"), 2);
        assert_eq!(edits("same", "same"), 0);
        assert_eq!(
            nearest("flow-log-disabled", &["flow-logs-disabled", "x"]),
            Some("flow-logs-disabled")
        );
        assert_eq!(nearest("zzzzzz", &["flow-logs-disabled"]), None);
        assert_eq!(position("ab\ncd", 4), (2, 2));
        assert_eq!(position("é\n", 1), (1, 1));
    }

    #[test]
    fn invalid_utf8_is_placed() {
        assert_eq!(decode_utf8(b"ok\n".to_vec()).as_deref(), Ok("ok\n"));
        assert_eq!(decode_utf8(b"a = 1\nb = \"\xff\"\n".to_vec()), Err((2, 6)));
        assert_eq!(decode_utf8(b"\xc3".to_vec()), Err((1, 1)));
    }
}
