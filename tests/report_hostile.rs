//! Hostile strings in an inventory reach the reports neutralised: the demo inventory
//! with terminal escapes, bidi overrides, invisible characters, markup, DOT syntax and
//! SARIF link syntax in an ENI's Name tag, a security group's name, a firewall's name
//! (a finding's resource id) and a coverage gap's message, scanned by the real binary
//! in every format.
//!
//! Each format must show the payload (so these tests can fail), in its neutralised
//! form; the table, summary, HTML, DOT and SARIF messages must hold no raw control,
//! bidi or invisible character; the HTML (as written and as Chromium builds it) and
//! the DOT must have exactly the structure of the same report with harmless strings;
//! the SARIF log must pass the multitool validation of `tests/report_sarif.rs`
//! (`tests/common/sarif.rs`); and JSON must keep every string exactly.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::chromium::{chromium, dump_dom, on_path};
use common::sarif::validate;
use common::{repo, vpcaudit_offline};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The hostile inventory

/// What an attacker who can tag resources (or edit an inventory file) can write.
/// Space-separated pieces, so a wrapped table cell keeps each piece on one line.
const PAYLOAD: &str = concat!(
    "\u{1b}[2J\u{1b}[31mred ",
    "\u{1b}]8;;http://evil.example/\u{7}link\u{1b}]8;;\u{7} ",
    "cr\rbs\u{8}\u{8}bel\u{7}nul\u{0} ",
    "c1\u{9b}31m nel\u{85}x del\u{7f} ",
    "line1\nline2 tab\tx ",
    "abc\u{202e}gpj.exe \u{2066}iso\u{2069} lrm\u{200e} ",
    "zw\u{200b}sp bom\u{feff} ls\u{2028}ps\u{2029} ",
    "<script>alert(1)</script> <img src=x onerror=alert(2)> ",
    "\"'><svg/onload=alert(3)> </text></svg> <!-- </script> <iframe src=//evil> ",
    "[click](1) [web](https://evil.example/) \\[esc\\](2) ",
    "a\"b\\N\\G\\ ] ; x -> y [label=<b>pwn</b>] &#x202e; &amp;",
);

/// Harmless text in the same places, for the structure to compare with.
const HARMLESS: &str = "plain text";

const ENI: &str = "eni-1956fbab70a539b9e";
const SG: &str = "sg-335031e69ea9452a3";
const FIREWALL: &str = "lk-egress-fw";

/// The string injected in one place: a marker (to find it) and the payload.
fn injected(marker: &str, payload: &str) -> String {
    format!("{marker} {payload}")
}

/// The object of `collection` (in any account and region) whose `key` is `value`.
fn find_mut<'a>(inv: &'a mut Value, collection: &str, key: &str, value: &str) -> &'a mut Value {
    let accounts = inv["accounts"].as_array_mut().expect("accounts");
    accounts
        .iter_mut()
        .flat_map(|a| a["regions"].as_array_mut().expect("regions").iter_mut())
        .flat_map(|r| r[collection].as_array_mut().expect(collection).iter_mut())
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("the demo inventory has no {collection} with {key} {value}"))
}

/// The demo inventory with `payload` in an ENI Name tag (`HX-ENI`), a security
/// group's name (`HX-SG`), a firewall's name (`HX-FW`) and a coverage gap
/// (`HX-GAP`), written to `dir`.
fn inventory_file(dir: &Path, name: &str, payload: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("src/demo/inventory.json"))
        .expect("read the demo inventory");
    let mut inv: Value = serde_json::from_str(&text).expect("the demo inventory is JSON");
    find_mut(&mut inv, "network_interfaces", "id", ENI)["tags"]["Name"] =
        json!(injected("HX-ENI", payload));
    find_mut(&mut inv, "security_groups", "id", SG)["name"] = json!(injected("HX-SG", payload));
    find_mut(&mut inv, "firewalls", "name", FIREWALL)["name"] = json!(injected("HX-FW", payload));
    // In a region that was not scanned, so it changes no finding.
    inv["coverage"]
        .as_array_mut()
        .expect("coverage")
        .push(json!({
            "account_id": "123456789012",
            "region": "ap-south-1",
            "service": "ec2",
            "operation": "DescribeFlowLogs",
            "kind": "access_denied",
            "error_code": injected("HX-CODE", payload),
            "message": injected("HX-GAP", payload),
        }));
    let path = dir.join(name);
    std::fs::write(&path, inv.to_string()).expect("write the inventory");
    path
}

/// `vpcaudit scan --inventory <inventory> --format <format>`: its standard output.
fn scan(inventory: &Path, format: &str) -> String {
    let out = vpcaudit_offline()
        .arg("scan")
        .arg("--inventory")
        .arg(inventory)
        .args(["--fail-on", "never", "--format", format])
        .output()
        .expect("run vpcaudit");
    assert_eq!(
        out.status.code(),
        Some(0),
        "vpcaudit scan --format {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

struct Reports {
    _dir: tempfile::TempDir,
    hostile: PathBuf,
    harmless: PathBuf,
}

fn reports() -> Reports {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = inventory_file(dir.path(), "hostile.json", PAYLOAD);
    let harmless = inventory_file(dir.path(), "harmless.json", HARMLESS);
    Reports {
        _dir: dir,
        hostile,
        harmless,
    }
}

// ---------------------------------------------------------------------------
// What must never be written raw

/// C0 and C1 controls, DEL, bidi controls, zero-width and other invisible format
/// characters, line and paragraph separators. (Written out here, not taken from the
/// crate, so the test does not trust what it tests.)
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// The forbidden characters in `text` other than `allowed`, with their offsets.
fn raw_characters(text: &str, allowed: &[char]) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|(_, c)| forbidden(*c) && !allowed.contains(c))
        .take(10)
        .collect()
}

fn assert_no_raw(format: &str, text: &str, allowed: &[char]) {
    assert_eq!(
        raw_characters(text, allowed),
        Vec::new(),
        "raw control, bidi or invisible characters in the {format} output"
    );
}

/// Pieces of [`PAYLOAD`] as every format shows them before its own escaping: each
/// character replaced by its Rust escape.
const SHOWN: &[&str] = &[
    "\\u{1b}[2J\\u{1b}[31mred",
    "cr\\rbs\\u{8}\\u{8}bel\\u{7}nul\\u{0}",
    "c1\\u{9b}31m",
    "nel\\u{85}x",
    "del\\u{7f}",
    "line1\\nline2",
    "tab\\tx",
    "abc\\u{202e}gpj.exe",
    "\\u{2066}iso\\u{2069}",
    "lrm\\u{200e}",
    "zw\\u{200b}sp",
    "bom\\u{feff}",
    "ls\\u{2028}ps\\u{2029}",
];

// ---------------------------------------------------------------------------
// Terminal

#[test]
fn table_shows_the_payload_escaped_in_intact_rows() {
    let r = reports();
    let table = scan(&r.hostile, "table");
    assert_no_raw("table", &table, &['\n']);
    for marker in ["HX-ENI", "HX-SG", "HX-FW"] {
        assert!(table.contains(marker), "{marker} not in the table");
    }
    for piece in SHOWN {
        assert!(table.contains(piece), "{piece} not in the table");
    }
    // Every table is a rectangle: data cannot end a row or shift a column.
    let mut width = None;
    for line in table.lines() {
        if !(line.starts_with('|') || line.starts_with('+')) {
            width = None;
            continue;
        }
        let n = line.chars().count();
        assert_eq!(*width.get_or_insert(n), n, "a ragged table line: {line}");
        assert!(line.ends_with('|') || line.ends_with('+'), "{line}");
    }
}

#[test]
fn summary_shows_the_gap_escaped() {
    let r = reports();
    let summary = scan(&r.hostile, "summary");
    assert_no_raw("summary", &summary, &['\n']);
    let line = summary
        .lines()
        .find(|l| l.contains("HX-GAP"))
        .expect("the coverage gap in the summary");
    assert!(line.contains("(HX-CODE \\u{1b}[2J"), "{line}");
    for piece in SHOWN {
        assert!(line.contains(piece), "{piece} not in {line}");
    }
}

// ---------------------------------------------------------------------------
// HTML

/// A tag of a document: its name and attribute names, e.g. `("td", ["class"])`.
type TagShape = (String, Vec<String>);

/// Every tag (and comment, as `!--`) of an HTML document, in order. Text holds no raw
/// `<` in the report or in a browser's serialisation of it, so every `<` starts one;
/// quoted attribute values may hold anything but their quote.
fn tags(html: &str) -> Vec<TagShape> {
    let chars: Vec<char> = html.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '<' {
            i += 1;
            continue;
        }
        i += 1;
        if chars[i..].starts_with(&['!', '-', '-']) {
            out.push(("!--".to_string(), Vec::new()));
            let rest: String = chars[i..].iter().collect();
            i += rest
                .find("-->")
                .map_or(chars.len(), |e| rest[..e].chars().count() + 3);
            continue;
        }
        let mut name = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '>' | '/') {
            name.push(chars[i]);
            i += 1;
        }
        if name.is_empty() && chars.get(i) == Some(&'/') {
            i += 1;
            while i < chars.len() && !matches!(chars[i], '>') {
                name.push(chars[i]);
                i += 1;
            }
            name.insert(0, '/');
        }
        let mut attrs = Vec::new();
        loop {
            while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
                i += 1;
            }
            if i >= chars.len() || chars[i] == '>' {
                i += 1;
                break;
            }
            let mut key = String::new();
            while i < chars.len() && !chars[i].is_whitespace() && !"=>/".contains(chars[i]) {
                key.push(chars[i]);
                i += 1;
            }
            if chars.get(i) == Some(&'=') {
                i += 1;
                match chars.get(i) {
                    Some(&q) if q == '"' || q == '\'' => {
                        i += 1;
                        while i < chars.len() && chars[i] != q {
                            i += 1;
                        }
                        i += 1;
                    }
                    // Unquoted (only an injection would write one).
                    _ => {
                        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '>' {
                            i += 1;
                        }
                    }
                }
            }
            attrs.push(key.to_lowercase());
        }
        out.push((name.to_lowercase(), attrs));
    }
    out
}

/// How many times each tag shape occurs.
fn shape_counts(html: &str) -> BTreeMap<TagShape, usize> {
    let mut counts = BTreeMap::new();
    for t in tags(html) {
        *counts.entry(t).or_insert(0) += 1;
    }
    counts
}

/// The tag shapes one document has more or fewer of than the other.
fn shape_difference(a: &str, b: &str) -> Vec<String> {
    let (a, b) = (shape_counts(a), shape_counts(b));
    let mut diff = Vec::new();
    for key in a.keys().chain(b.keys()) {
        let (x, y) = (a.get(key).unwrap_or(&0), b.get(key).unwrap_or(&0));
        if x != y
            && !diff
                .iter()
                .any(|d: &String| d.starts_with(&format!("{key:?}")))
        {
            diff.push(format!("{key:?}: {x} vs {y}"));
        }
    }
    diff
}

#[test]
fn the_tag_reader_sees_injected_markup() {
    let page = "<p class=\"a\">x</p>";
    assert_eq!(shape_difference(page, page), Vec::<String>::new());
    for injected in [
        "<p class=\"a\">x<img src=x></p>",
        "<p class=\"a\" onclick=\"y\">x</p>",
        "<p class=\"a\">x<!-- y --></p>",
        "<p class=\"a\">x</p><script>y</script>",
    ] {
        assert!(
            !shape_difference(page, injected).is_empty(),
            "{injected} not seen"
        );
    }
    // Quoted values may hold `>` and `<` (a browser writes them so).
    assert_eq!(
        tags("<g data-x=\"a<b>c\"><title>t</title></g>")[0],
        ("g".to_string(), vec!["data-x".to_string()])
    );
}

#[test]
fn html_shows_the_payload_as_text_and_injects_no_markup() {
    let r = reports();
    let hostile = scan(&r.hostile, "html");
    let harmless = scan(&r.harmless, "html");
    assert_no_raw("HTML", &hostile, &['\n', '\t']);
    for marker in ["HX-ENI", "HX-SG", "HX-FW", "HX-GAP", "HX-CODE"] {
        assert!(hostile.contains(marker), "{marker} not in the HTML");
    }
    for piece in SHOWN {
        assert!(hostile.contains(piece), "{piece} not in the HTML");
    }
    for shown in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(2)&gt;",
        "&quot;&#39;&gt;&lt;svg/onload=alert(3)&gt;",
        "&lt;/text&gt;&lt;/svg&gt; &lt;!-- &lt;/script&gt;",
        "&amp;#x202e; &amp;amp;",
    ] {
        assert!(hostile.contains(shown), "{shown} not in the HTML");
    }
    // The same elements and attributes as with harmless strings: the template's.
    assert_eq!(shape_difference(&harmless, &hostile), Vec::<String>::new());
    for (tag, _) in tags(&hostile) {
        assert!(
            !["script", "img", "iframe", "!--", "link", "image"].contains(&tag.as_str()),
            "<{tag}> in the HTML"
        );
    }
    assert_eq!(
        hostile.matches("<svg").count(),
        2,
        "the severity bar and the graph"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let Some(chromium) = chromium() else { return };
    let mut doms = Vec::new();
    for (name, html) in [("harmless", &harmless), ("hostile", &hostile)] {
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, html).expect("write the report");
        doms.push(dump_dom(&chromium, &dir.path().join(name), &page));
    }
    let (harmless_dom, hostile_dom) = (&doms[0], &doms[1]);
    // As the browser built it: no element or attribute more than the template's.
    assert_eq!(
        shape_difference(harmless_dom, hostile_dom),
        Vec::<String>::new()
    );
    for tag in ["script", "img", "iframe"] {
        assert_eq!(
            hostile_dom.matches(&format!("<{tag}")).count(),
            0,
            "<{tag}> in the DOM"
        );
    }
    assert!(hostile_dom.contains("<title>vpcaudit report</title>"));
    assert!(hostile_dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(hostile_dom.contains("abc\\u{202e}gpj.exe"));
    assert_no_raw("DOM", hostile_dom, &['\n', '\t']);
}

// ---------------------------------------------------------------------------
// DOT

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A quoted string with the lexer's escapes undone (`\"` is `"`, `\\` stays).
    Quoted(String),
    Id(String),
    Arrow,
    Punct(char),
}

/// Graphviz's lexer over a document of quoted strings, plain ids, `->` and
/// punctuation; panics on anything else (a string that escaped its quotes shows up as
/// garbage or as an unterminated string).
fn lex(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (None, _) => panic!("unterminated string in the DOT output"),
                    (Some('"'), _) => break,
                    (Some('\\'), Some('"')) => s.push('"'),
                    (Some('\\'), Some('\\')) => s.push_str("\\\\"),
                    (Some('\\'), Some('\n')) => panic!("a line continuation in a string"),
                    (Some('\n'), _) => panic!("a raw newline in a string"),
                    (Some(other), _) => {
                        s.push(*other);
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
            i += 1;
            toks.push(Tok::Quoted(s));
        } else if c == '-' && chars.get(i + 1) == Some(&'>') {
            toks.push(Tok::Arrow);
            i += 2;
        } else if "{}[]=;,".contains(c) {
            toks.push(Tok::Punct(c));
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Tok::Id(chars[start..i].iter().collect()));
        } else {
            panic!("unexpected {c:?} outside a string in the DOT output");
        }
    }
    toks
}

/// What Graphviz shows for a lexed label: `\\` is a backslash, `\n` a line break,
/// `&amp;` is `&` (Graphviz decodes entities in labels, so no other may be left).
fn label_text(s: &str) -> String {
    // NUL never comes out of vpcaudit raw, so it can stand for a decoded `&`.
    let s = s.replace("&amp;", "\u{0}");
    assert!(!s.contains('&'), "an entity Graphviz would decode: {s}");
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        match c {
            '\u{0}' => out.push('&'),
            '\\' => match it.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                other => panic!("a label escape \\{other:?} in {s}"),
            },
            c => out.push(c),
        }
    }
    out
}

#[test]
fn dot_keeps_its_structure_and_shows_the_payload_as_text() {
    let r = reports();
    let hostile = scan(&r.hostile, "dot");
    let harmless = scan(&r.harmless, "dot");
    assert_no_raw("DOT", &hostile, &['\n']);
    // The same statements as with harmless names: only string contents differ.
    let shape = |toks: Vec<Tok>| -> Vec<Tok> {
        toks.into_iter()
            .map(|t| match t {
                Tok::Quoted(_) => Tok::Quoted(String::new()),
                t => t,
            })
            .collect()
    };
    let toks = lex(&hostile);
    assert_eq!(shape(toks.clone()), shape(lex(&harmless)));
    let label = toks
        .windows(3)
        .find_map(|w| match w {
            [Tok::Id(k), Tok::Punct('='), Tok::Quoted(v)]
                if k == "label" && v.contains("HX-ENI") =>
            {
                Some(label_text(v))
            }
            _ => None,
        })
        .expect("the hostile Name tag in a node label");
    assert!(label.starts_with(&format!("{ENI}\nHX-ENI ")), "{label}");
    assert_eq!(raw_characters(&label, &['\n']), Vec::new(), "{label}");
    for piece in SHOWN {
        assert!(label.contains(piece), "{piece} not in {label}");
    }
    // Markup, DOT syntax and entities are shown as written.
    for text in [
        "<script>alert(1)</script>",
        "a\"b\\N\\G\\ ] ; x -> y [label=<b>pwn</b>] &#x202e; &amp;",
    ] {
        assert!(label.contains(text), "{text} not in {label}");
    }

    if let Some(dot) = on_path("dot") {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("hostile.dot");
        std::fs::write(&input, &hostile).expect("write DOT");
        let out = Command::new(dot)
            .arg("-Tsvg")
            .arg(&input)
            .output()
            .expect("run dot");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "dot rejected the graph: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        assert_no_raw("SVG from dot", &svg, &['\n']);
        // Graphviz writes entities through into SVG: none may decode to one.
        let decoded: String = numeric_entities(&svg).collect();
        assert_no_raw("SVG entities from dot", &decoded, &[]);
    } else {
        eprintln!("note: graphviz `dot` not installed; the DOT output was checked by lexing");
    }
}

/// The characters of the numeric character references (`&#45;`, `&#x202e;`) in `xml`.
fn numeric_entities(xml: &str) -> impl Iterator<Item = char> + '_ {
    xml.split("&#").skip(1).filter_map(|rest| {
        let code = &rest[..rest.find(';')?];
        let n = match code.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => code.parse().ok()?,
        };
        char::from_u32(n)
    })
}

// ---------------------------------------------------------------------------
// SARIF

/// The link texts a SARIF consumer finds in a plain-text message (§3.11.6): `[...]`
/// followed by `(`, neither bracket escaped by a backslash (`\\` is one backslash).
fn embedded_links(s: &str) -> Vec<String> {
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

/// Every `message.text` of the log's results and related locations.
fn message_texts(sarif: &Value) -> Vec<&str> {
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let mut out = Vec::new();
    for r in results {
        out.extend(r["message"]["text"].as_str());
        for loc in r["relatedLocations"].as_array().into_iter().flatten() {
            out.extend(loc["message"]["text"].as_str());
        }
    }
    out
}

#[test]
fn numeric_entities_are_decoded() {
    let got: String = numeric_entities("a&#45;b &#x202E; &amp; &#bad; &#39;").collect();
    assert_eq!(got, "-\u{202e}'");
}

#[test]
fn embedded_link_reader_finds_links() {
    assert_eq!(embedded_links("see [here](1) and [x] y"), ["here"]);
    assert_eq!(embedded_links("\\[a\\](1) \\\\[b](2)"), ["b"]);
}

#[test]
fn sarif_messages_are_plain_and_the_log_is_valid() {
    let r = reports();
    let text = scan(&r.hostile, "sarif");
    let sarif: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let messages = message_texts(&sarif);
    for m in &messages {
        assert_eq!(raw_characters(m, &[]), Vec::new(), "{m}");
        assert_eq!(embedded_links(m), Vec::<String>::new(), "{m}");
    }
    let sg = messages
        .iter()
        .find(|m| m.contains("HX-SG"))
        .expect("the security group's name in a result message");
    // SARIF's escapes on top of the visible ones: `\` `[` `]` escaped.
    for piece in [
        "\\\\u{1b}\\[2J\\\\u{1b}\\[31mred",
        "abc\\\\u{202e}gpj.exe",
        "line1\\\\nline2",
        "\\[click\\](1) \\[web\\](https://evil.example/) \\\\\\[esc\\\\\\](2)",
        "<script>alert(1)</script>",
    ] {
        assert!(sg.contains(piece), "{piece} not in {sg}");
    }
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("AWS::") && m.contains("(HX-ENI ")),
        "the ENI's name in a related location"
    );
    assert!(
        messages.iter().any(|m| m.contains("HX-FW")),
        "the firewall's name in a result message"
    );
    // Locations stay synthetic relative paths, percent-encoded.
    assert!(text.contains("/HX-FW%20%1B%5B2J%1B%5B31mred%20"));

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.sarif");
    std::fs::write(&path, &text).expect("write SARIF");
    let errors = validate(&path).errors;
    assert!(
        errors.is_empty(),
        "the SARIF multitool found errors:\n{}",
        errors.join("\n")
    );

    // What GitHub gets for the security group's finding, exactly.
    insta::assert_snapshot!("hostile_sarif_message", sg);
}

// ---------------------------------------------------------------------------
// JSON

#[test]
fn json_keeps_every_string_exactly() {
    let r = reports();
    let report: Value = serde_json::from_str(&scan(&r.hostile, "json")).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    let eni = injected("HX-ENI", PAYLOAD);
    let sg = injected("HX-SG", PAYLOAD);
    let fw = injected("HX-FW", PAYLOAD);
    assert!(
        findings
            .iter()
            .any(|f| f["resource"]["id"] == ENI && f["resource"]["name"] == eni.as_str()),
        "the ENI's Name tag, exactly"
    );
    assert!(
        findings.iter().any(|f| f["resource"]["id"] == SG
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains(&format!("{SG} ({sg})")))),
        "the security group's name, exactly, in a message"
    );
    assert!(
        findings.iter().any(|f| f["resource"]["id"] == fw.as_str()),
        "the firewall's name, exactly, as a resource id"
    );
    assert!(
        findings.iter().any(|f| f["path"]["nodes"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["name"] == eni.as_str()))),
        "the ENI's Name tag, exactly, on an attack path"
    );
}
