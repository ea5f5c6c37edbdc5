//! Text from AWS made safe for where a report shows it.
//!
//! Tag values, names, descriptions, ids and error messages are chosen by whoever can
//! write to the account (or edit an inventory file), and end up in front of a person:
//! on a terminal, in a browser, in Graphviz, in GitHub code scanning. Every renderer
//! that shows such text goes through this module:
//!
//! - [`visible`]: control characters (C0, DEL, C1: terminal escape sequences, line
//!   breaks, backspace), bidi controls and invisible format characters (zero-width,
//!   BOM, line separators, tag characters) are replaced by their visible escape
//!   (`\u{1b}`, `\n`, `\u{202e}`), so they can neither act nor hide text.
//! - [`html`], [`html_block`]: the same, plus HTML escaping for text and quoted
//!   attribute values.
//! - [`dot`]: the same, plus escaping for the inside of a quoted DOT string.
//! - [`sarif`]: the same, plus SARIF's plain-text escapes, so no link can be formed.
//! - [`markdown`]: the same, plus a backslash before every ASCII punctuation mark.
//!
//! JSON and CSV keep the data exactly (their own escaping is enough there).

use std::borrow::Cow;

/// Whether `c` must never reach a reader raw: it acts (controls), reorders text (bidi
/// controls) or is invisible (format characters and separators).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1: ESC, CR, BS, BEL, NUL, NEL, CSI...
        || matches!(
            c,
            '\u{00AD}' // soft hyphen
                | '\u{061C}' // Arabic letter mark
                | '\u{180E}' // Mongolian vowel separator
                | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, LRM, RLM
                | '\u{2028}' | '\u{2029}' // line and paragraph separators
                | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
                | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, isolates
                | '\u{FEFF}' // zero-width no-break space (BOM)
                | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
                | '\u{E0000}'..='\u{E007F}' // tag characters: invisible ASCII
        )
}

/// `c` written so a reader sees what it is: `\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`.
fn push_visible(out: &mut String, c: char) {
    out.extend(c.escape_default());
}

/// `s` with every [unsafe](is_unsafe) character replaced by its visible escape; what
/// a terminal may print. Borrowed when nothing needed replacing.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// HTML element text or a quoted attribute value (either quote): `& < > " '` as
/// entities, so no tag, attribute, comment or `</script>` can start; unsafe
/// characters visible.
pub fn html(s: &str) -> String {
    html_with(s, false)
}

/// As [`html`], but newlines and tabs stay, for `white-space: pre-wrap` blocks and
/// tooltips, where they are only layout.
pub fn html_block(s: &str) -> String {
    html_with(s, true)
}

fn html_with(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' if keep_newlines => out.push(c),
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a quoted DOT string (the caller adds the quotes) that Graphviz
/// shows as exactly [`visible`]`(s)`, as an id, a label or a tooltip.
///
/// The DOT lexer's only escapes are `\"` and backslash-newline; labels then give
/// `\n`, `\l`, `\N`, `\G`... a meaning, and Graphviz decodes HTML entities
/// (`&#x202e;`) in labels and keeps them in SVG tooltips. So: quotes escaped, every
/// backslash doubled (the visible escapes' too: `\u{1b}` shows as written), `&` as
/// `&amp;`, and no control character raw (a raw newline after a backslash would be a
/// line continuation).
pub fn dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in visible(s).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// A SARIF plain-text message (`message.text`) that viewers show as exactly
/// [`visible`]`(s)`: `\`, `[` and `]` are backslash-escaped (SARIF 2.1.0 §3.11.6), so
/// text from AWS cannot form an embedded link (`[text](1)`) to a location or a URL.
/// Links of vpcaudit's own are written around the escaped data, not through it.
pub fn sarif(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Markdown (GitHub-flavoured) that renders as exactly [`visible`]`(s)`: every ASCII
/// punctuation mark backslash-escaped (CommonMark allows it for all of them), so no
/// link, image, HTML, emphasis, heading or code span can be formed.
pub fn markdown(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character this module must never let through raw.
    const UNSAFE: &[char] = &[
        '\0',
        '\u{7}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{1b}',
        '\u{7f}',
        '\u{80}',
        '\u{85}',
        '\u{9b}',
        '\u{9d}',
        '\u{9f}',
        '\u{ad}',
        '\u{61c}',
        '\u{180e}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{200e}',
        '\u{200f}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{202b}',
        '\u{202c}',
        '\u{202d}',
        '\u{202e}',
        '\u{2060}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{feff}',
        '\u{fff9}',
        '\u{e0001}',
        '\u{e0041}',
    ];

    fn no_unsafe(s: &str) -> bool {
        !s.chars().any(is_unsafe)
    }

    #[test]
    fn the_unsafe_set_is_what_it_says() {
        for c in UNSAFE {
            assert!(is_unsafe(*c), "{c:?}");
        }
        for c in [
            ' ', 'a', '~', '\\', '<', 'é', 'ß', '日', 'Ω', '\u{a0}', '😀', '\u{301}', '\u{fe0f}',
            '\u{2027}', '\u{202f}', '\u{fffd}',
        ] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }

    #[test]
    fn visible_leaves_ordinary_text_alone_and_borrowed() {
        for s in [
            "",
            "lk-web-0:eni",
            "naïve café 日本語 😀",
            "a\\b [x](1) <b>",
        ] {
            assert!(matches!(visible(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn visible_shows_terminal_escape_sequences() {
        // CSI (clear screen, colour), OSC 8 hyperlink, single-byte C1 CSI.
        assert_eq!(visible("\u{1b}[2J\u{1b}[31m"), "\\u{1b}[2J\\u{1b}[31m");
        assert_eq!(
            visible("\u{1b}]8;;http://evil\u{7}x\u{1b}]8;;\u{7}"),
            "\\u{1b}]8;;http://evil\\u{7}x\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn visible_shows_other_controls_and_line_breaks() {
        assert_eq!(visible("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(
            visible("x\u{8}\u{8}y\0\u{7f}"),
            "x\\u{8}\\u{8}y\\u{0}\\u{7f}"
        );
        assert_eq!(
            visible("\u{85}\u{2028}\u{2029}"),
            "\\u{85}\\u{2028}\\u{2029}"
        );
    }

    #[test]
    fn visible_shows_bidi_and_invisible_characters() {
        assert_eq!(visible("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(
            visible("\u{2066}a\u{2069}\u{200e}\u{200f}\u{61c}"),
            "\\u{2066}a\\u{2069}\\u{200e}\\u{200f}\\u{61c}"
        );
        assert_eq!(visible("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(visible("\u{e0041}\u{ad}"), "\\u{e0041}\\u{ad}");
        for c in UNSAFE {
            assert!(no_unsafe(&visible(&format!("a{c}b"))), "{c:?}");
        }
    }

    #[test]
    fn html_escapes_markup_in_text_and_attributes() {
        assert_eq!(
            html("<a href='x' onclick=\"y\">&</a>"),
            "&lt;a href=&#39;x&#39; onclick=&quot;y&quot;&gt;&amp;&lt;/a&gt;"
        );
        // Nothing can close a <script>, <style> or <title>, or open a comment.
        assert_eq!(html("</script><!--"), "&lt;/script&gt;&lt;!--");
        assert!(!html("\"'<>&").contains(['"', '\'', '<', '>']));
        assert_eq!(html("a\nb\u{7}\u{202e}"), "a\\nb\\u{7}\\u{202e}");
        // Entities are data too: `&#x202e;` stays text.
        assert_eq!(html("&#x202e;"), "&amp;#x202e;");
    }

    #[test]
    fn html_block_keeps_only_layout_whitespace() {
        assert_eq!(html_block("a\nb\tc"), "a\nb\tc");
        assert_eq!(html_block("a\r\n\u{1b}[2J<b>"), "a\\r\n\\u{1b}[2J&lt;b&gt;");
        for c in UNSAFE.iter().filter(|c| !matches!(c, '\n' | '\t')) {
            assert!(no_unsafe(&html_block(&c.to_string())), "{c:?}");
        }
    }

    #[test]
    fn dot_strings_cannot_end_early_or_be_interpreted() {
        assert_eq!(dot("a\"b"), "a\\\"b");
        assert_eq!(dot("a\\"), "a\\\\");
        assert_eq!(dot("\\N\\G\\l"), "\\\\N\\\\G\\\\l");
        // A newline is shown as the two characters `\` `n`, not a line break.
        assert_eq!(dot("a\nb"), "a\\\\nb");
        assert_eq!(dot("\u{1b}[31m\u{202e}"), "\\\\u{1b}[31m\\\\u{202e}");
        // HTML-like labels need `<...>` outside quotes; inside they are text.
        assert_eq!(dot("<b>x</b>"), "<b>x</b>");
        // Graphviz would decode entities: `&` stays `&`.
        assert_eq!(dot("&#x202e;&amp;"), "&amp;#x202e;&amp;amp;");
        // Every quote inside is escaped, so the string ends only where we end it.
        let s = dot("x\\\" ] ; a -> b [label=\"");
        let bare_quotes = s
            .char_indices()
            .filter(|&(i, c)| {
                c == '"' && s[..i].chars().rev().take_while(|&p| p == '\\').count() % 2 == 0
            })
            .count();
        assert_eq!(bare_quotes, 0, "{s}");
    }

    #[test]
    fn sarif_text_cannot_form_links() {
        assert_eq!(sarif("[x](1)"), "\\[x\\](1)");
        assert_eq!(
            sarif("[click](https://evil.example)"),
            "\\[click\\](https://evil.example)"
        );
        // A backslash in the data cannot cancel our escape: `\[` stays literal.
        assert_eq!(sarif("a\\[b\\](1)"), "a\\\\\\[b\\\\\\](1)");
        assert_eq!(sarif("ports [22, 3389]"), "ports \\[22, 3389\\]");
        assert_eq!(sarif("no brackets"), "no brackets");
        assert_eq!(
            sarif("a\n\u{1b}[2J\u{202e}"),
            "a\\\\n\\\\u{1b}\\[2J\\\\u{202e}"
        );
        // Our own link around escaped data is still the only link.
        let own = format!("{} is near [the group](1)", sarif("[evil](2)"));
        assert_eq!(own, "\\[evil\\](2) is near [the group](1)");
        assert_eq!(unescaped_links(&own), ["the group"]);
        for hostile in [
            "[a](1)",
            "\\[a](1)",
            "[a\\](1)",
            "\\\\[a\\\\](1)",
            "[[a]](1)",
        ] {
            assert!(unescaped_links(&sarif(hostile)).is_empty(), "{hostile}");
        }
    }

    /// The link texts a SARIF consumer finds: `[` ... `](` with neither bracket
    /// preceded by an escaping backslash (`\\` is an escaped backslash).
    fn unescaped_links(s: &str) -> Vec<String> {
        let mut links = Vec::new();
        let mut open: Option<String> = None;
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let escaped = chars.next();
                    if let (Some(text), Some(e)) = (open.as_mut(), escaped) {
                        text.push(e);
                    }
                }
                '[' => open = Some(String::new()),
                ']' => {
                    if let Some(text) = open.take() {
                        if chars.peek() == Some(&'(') {
                            links.push(text);
                        }
                    }
                }
                c => {
                    if let Some(text) = open.as_mut() {
                        text.push(c);
                    }
                }
            }
        }
        links
    }

    #[test]
    fn markdown_cannot_form_links_html_or_formatting() {
        assert_eq!(
            markdown("![x](http://e/x.png)"),
            "\\!\\[x\\]\\(http\\:\\/\\/e\\/x\\.png\\)"
        );
        assert_eq!(markdown("<img src=x>"), "\\<img src\\=x\\>");
        assert_eq!(markdown("# *a* `b`"), "\\# \\*a\\* \\`b\\`");
        assert_eq!(markdown("a\nb\u{202e}"), "a\\\\nb\\\\u\\{202e\\}");
        assert_eq!(markdown("plain words"), "plain words");
    }

    /// Arbitrary text, weighted towards controls, separators and bidi/format ranges.
    fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let c = prop_oneof![
            any::<char>(),
            proptest::char::range('\0', '\u{a0}'),
            proptest::char::range('\u{2000}', '\u{2070}'),
            Just('\u{feff}'),
            Just('\u{e0041}'),
        ];
        proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest::proptest! {
        #[test]
        fn nothing_unsafe_ever_comes_out(s in hostile_text()) {
            proptest::prop_assert!(no_unsafe(&visible(&s)));
            proptest::prop_assert!(no_unsafe(&html(&s)));
            proptest::prop_assert!(no_unsafe(&dot(&s)));
            proptest::prop_assert!(no_unsafe(&sarif(&s)));
            proptest::prop_assert!(no_unsafe(&markdown(&s)));
            let h = html_block(&s);
            proptest::prop_assert!(!h.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
            proptest::prop_assert!(!html(&s).contains(['<', '>', '"', '\'']));
            proptest::prop_assert!(unescaped_links(&sarif(&s)).is_empty());
        }
    }
}
