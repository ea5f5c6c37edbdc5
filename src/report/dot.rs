//! The attack-path graph as Graphviz DOT (`vpcaudit scan --format dot | dot -Tsvg`).
//!
//! One `subgraph cluster_N` per VPC, nodes shaped and coloured by role, edges labelled
//! with their services. Every id and label is a quoted DOT string built by
//! [`quote`] ([`text::dot`]), so tag values with quotes, backslashes, newlines,
//! entities or HTML stay text, and control, bidi and invisible characters are shown
//! as escapes. No label is HTML-like (`<...>`).

use super::attack_graph::{role_str, AttackGraph, GraphNode};
use super::text;
use crate::finding::{Finding, NodeRole};

/// The DOT document for the union of the findings' attack paths.
pub fn render(findings: &[Finding]) -> String {
    render_graph(&AttackGraph::from_findings(findings))
}

pub fn render_graph(graph: &AttackGraph) -> String {
    let mut out = String::new();
    out.push_str("digraph \"vpcaudit attack paths\" {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, ");
    out.push_str(&format!(
        "label={}];\n",
        quote(&if graph.is_empty() {
            "vpcaudit: no attack paths".to_string()
        } else {
            format!(
                "vpcaudit attack paths: {} path(s), {} ENI(s)",
                graph.path_count,
                graph.nodes.len()
            )
        })
    ));
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    for (i, group) in graph.groups.iter().enumerate() {
        out.push_str(&format!("  subgraph cluster_{i} {{\n"));
        out.push_str(&format!(
            "    label={};\n",
            quote_lines(&[&group.vpc, &format!("{} / {}", group.account, group.region)])
        ));
        out.push_str("    style=\"rounded,dashed\"; color=\"#7f8c8d\"; fontcolor=\"#2c3e50\";\n");
        for &n in &group.nodes {
            if let Some(node) = graph.nodes.get(n) {
                out.push_str("    ");
                out.push_str(&node_statement(node));
            }
        }
        out.push_str("  }\n");
    }
    for edge in &graph.edges {
        out.push_str(&format!(
            "  {} -> {} [label={}, tooltip={}{}];\n",
            quote(&edge.from),
            quote(&edge.to),
            quote(&edge.services.join(", ")),
            quote(&format!(
                "{} -> {}: {}",
                edge.from,
                edge.to,
                edge.services.join(", ")
            )),
            if edge.paths > 1 {
                format!(", penwidth={}", 1 + edge.paths.min(4))
            } else {
                String::new()
            }
        ));
    }
    out.push_str("}\n");
    out
}

fn node_statement(node: &GraphNode) -> String {
    let mut lines: Vec<&str> = vec![&node.eni];
    if let Some(name) = &node.name {
        lines.push(name);
    }
    lines.push(&node.address);
    let (shape, fill, border) = match node.role {
        NodeRole::Foothold => ("box", "#fadbd8", "#c0392b"),
        NodeRole::Pivot => ("ellipse", "#fdebd0", "#b9770e"),
        NodeRole::Jewel => ("doubleoctagon", "#e8daef", "#6c3483"),
    };
    let mut tooltip = format!("{} ({})", node.eni, role_str(node.role));
    if let Some(why) = &node.why {
        tooltip.push_str(": ");
        tooltip.push_str(why);
    }
    tooltip.push_str(&format!("; subnet {}", node.subnet));
    format!(
        "{} [label={}, shape={shape}, fillcolor=\"{fill}\", color=\"{border}\"{}, tooltip={}];\n",
        quote(&node.eni),
        quote_lines(&lines),
        if node.role == NodeRole::Foothold {
            ", penwidth=2"
        } else {
            ""
        },
        quote(&tooltip),
    )
}

/// Lines of a label, each escaped, joined by DOT's centred line break `\n`.
fn quote_lines(lines: &[&str]) -> String {
    let inner: Vec<String> = lines.iter().map(|l| text::dot(l)).collect();
    format!("\"{}\"", inner.join("\\n"))
}

/// A quoted DOT string whose text (as an id or as a label) is exactly `s`, with
/// unsafe characters shown as escapes (`\n` as the two characters `\` `n`). Every
/// occurrence of an id is escaped the same way, so node ids stay consistent.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", text::dot(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::attack_graph::tests::{finding, node, path, sample};

    /// Graphviz's lexer (lib/cgraph/scan.l) over the document: quoted strings with
    /// their escapes undone as Graphviz does (`\"` -> `"`, `\\` kept, backslash-newline
    /// dropped), unquoted ids, `->`, and punctuation. Panics on anything else, so a
    /// string that escaped its quotes shows up as garbage tokens or an unterminated
    /// string.
    #[derive(Debug, PartialEq)]
    enum Tok {
        Quoted(String),
        Id(String),
        Arrow,
        Punct(char),
    }

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
                    assert!(i < chars.len(), "unterminated string in\n{src}");
                    match chars[i] {
                        '"' => {
                            i += 1;
                            break;
                        }
                        '\\' if chars.get(i + 1) == Some(&'"') => {
                            s.push('"');
                            i += 2;
                        }
                        '\\' if chars.get(i + 1) == Some(&'\\') => {
                            s.push_str("\\\\");
                            i += 2;
                        }
                        '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
                        '\n' => panic!("raw newline inside a string in\n{src}"),
                        other => {
                            s.push(other);
                            i += 1;
                        }
                    }
                }
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
                panic!("unexpected {c:?} at {i} in\n{src}");
            }
        }
        toks
    }

    /// What a label shows, from a lexed string: `\\` is one backslash, `\n` a line
    /// break, and (as Graphviz decodes entities in labels) `&amp;` is `&`; any other
    /// entity would be decoded too, so none may be left.
    fn label_text(s: &str) -> String {
        let s = s.replace("&amp;", "\u{0}");
        assert!(!s.contains('&'), "an entity Graphviz would decode in {s}");
        let s = s.replace('\u{0}', "&");
        let mut out = String::new();
        let mut it = s.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next() {
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some(other) => panic!("unexpected label escape \\{other}"),
                    None => panic!("dangling backslash"),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn small_report_snapshot() {
        insta::assert_snapshot!(render(&sample()));
    }

    #[test]
    fn no_paths_is_an_empty_valid_graph() {
        let dot = render(&[finding("egress-world-open", "sg-1", None)]);
        assert!(dot.contains("no attack paths"), "{dot}");
        assert!(!dot.contains("cluster_"));
        lex(&dot);
    }

    #[test]
    fn hostile_strings_stay_inside_their_quotes() {
        use NodeRole::*;
        let hostile = "evil\" ] ; x -> y [label=\"pwn\\\\\"\n<b>&amp;&#x202e;</b>\u{202e}\\N\\G\\";
        let mut foothold = node("eni-a\"b\\", Foothold, "vpc-\"q\"\\", Some(hostile));
        foothold.why = Some("<script>alert(1)</script>\r\n".to_string());
        foothold.account = "acct\\\"}".to_string();
        let p = path(
            vec![foothold, node("eni-j", Jewel, "vpc-1", Some("\\"))],
            &[&["tcp/22\" ]; evil"]],
        );
        let dot = render(&[finding("lateral-movement-path", "eni-a", Some(p))]);
        let toks = lex(&dot);
        // The structure is exactly what the graph has: two clusters, two node
        // statements, one edge, and nothing an attacker added.
        let arrows = toks.iter().filter(|t| **t == Tok::Arrow).count();
        assert_eq!(arrows, 1, "{dot}");
        let opens = toks.iter().filter(|t| **t == Tok::Punct('{')).count();
        let closes = toks.iter().filter(|t| **t == Tok::Punct('}')).count();
        assert_eq!((opens, closes), (3, 3), "{dot}");
        let ids: Vec<&str> = toks
            .iter()
            .filter_map(|t| match t {
                Tok::Id(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        for id in &ids {
            assert!(
                [
                    "digraph",
                    "graph",
                    "node",
                    "edge",
                    "subgraph",
                    "cluster_0",
                    "cluster_1",
                    "rankdir",
                    "LR",
                    "fontname",
                    "fontsize",
                    "labelloc",
                    "t",
                    "label",
                    "style",
                    "filled",
                    "color",
                    "fontcolor",
                    "shape",
                    "box",
                    "doubleoctagon",
                    "fillcolor",
                    "penwidth",
                    "tooltip",
                    "11",
                    "10",
                    "9",
                    "2",
                ]
                .contains(id),
                "unexpected bare id {id:?} in\n{dot}"
            );
        }
        // The hostile name comes back whole as the label's second line.
        let labels: Vec<String> = toks
            .windows(3)
            .filter_map(|w| match w {
                [Tok::Id(k), Tok::Punct('='), Tok::Quoted(v)] if k == "label" => {
                    Some(label_text(v))
                }
                _ => None,
            })
            .collect();
        let shown = hostile
            .replace('\n', "\\n")
            .replace('\u{202e}', "\\u{202e}");
        assert!(
            labels
                .iter()
                .any(|l| l == &format!("eni-a\"b\\\n{shown}\n10.0.0.8")),
            "{labels:#?}"
        );
        assert!(labels.iter().any(|l| l.starts_with("vpc-\"q\"\\\n")));
        assert!(labels.iter().any(|l| l == "tcp/22\" ]; evil"));
        // Node ids are written the same way wherever they appear.
        let id = quote("eni-a\"b\\");
        assert_eq!(dot.matches(&id).count(), 2, "{dot}");
    }

    #[test]
    fn output_is_deterministic() {
        let mut f = sample();
        let a = render(&f);
        f.reverse();
        assert_eq!(a, render(&f));
    }

    #[test]
    fn escape_rules() {
        assert_eq!(quote("a\"b"), r#""a\"b""#);
        assert_eq!(quote("a\\"), r#""a\\""#);
        assert_eq!(quote("a\nb"), r#""a\\nb""#);
        assert_eq!(quote("\u{1b}[31m"), r#""\\u{1b}[31m""#);
        assert_eq!(quote("<b>&</b>"), r#""<b>&amp;</b>""#);
        assert_eq!(quote("\u{202e}\u{2066}"), r#""\\u{202e}\\u{2066}""#);
    }
}
