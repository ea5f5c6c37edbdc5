//! The findings as one self-contained HTML page: a header with counts, an SVG drawing
//! of the attack-path graph, the blast radius of each foothold, and the findings table.
//!
//! Self-contained means inline CSS and inline SVG only: no script, font, image,
//! stylesheet or link that loads anything, so the file can be mailed, archived and
//! opened offline. A Content-Security-Policy forbids loads as a second line of defence.
//! Every piece of text from the inventory (tag values, ids, messages) goes through
//! [`esc`] (or [`esc_block`]), so `<script>` in a Name tag is shown as text and
//! control, bidi and invisible characters are shown as escapes ([`text::html`]).
//! Data is only ever element text or a quoted `data-*` attribute value: never a URL,
//! a `style`, a class, a tag or attribute name; and the page has no `<script>`.
//!
//! The graph's drawing is [`super::svg`]'s.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::inventory::Inventory;

use super::attack_graph::AttackGraph;
use super::{svg, text};
use crate::finding::{AttackPath, Finding, Severity, Status};

/// The HTML document. `checks` are the ids of the checks that ran.
pub fn render(inv: &Inventory, checks: &[String], findings: &[Finding]) -> String {
    let refs: Vec<&Finding> = findings.iter().collect();
    render_refs(inv, checks, &refs)
}

/// [`render`] of borrowed findings (a report's active ones, not copied).
pub fn render_refs(inv: &Inventory, checks: &[String], findings: &[&Finding]) -> String {
    let graph = AttackGraph::from_paths(findings.iter().filter_map(|f| f.path.as_ref()));
    let mut out = String::with_capacity(32 * 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n<title>vpcaudit report</title>\n<style>\n",
    );
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    header(&mut out, inv, checks, findings);
    out.push_str("<main>\n");
    let total = findings.iter().filter(|f| f.path.is_some()).count();
    if total > MAX_DRAWN_PATHS {
        // A drawing of thousands of paths is unreadable and huge: draw the most severe
        // (findings come sorted), say so, and keep every path in the table.
        let drawn = AttackGraph::from_paths(
            findings
                .iter()
                .filter_map(|f| f.path.as_ref())
                .take(MAX_DRAWN_PATHS),
        );
        svg::attack_paths(&mut out, &drawn);
        let _ = writeln!(
            out,
            "<p class=\"meta\">The drawing shows the {MAX_DRAWN_PATHS} most severe of {total} \
             paths; every path is in the findings below and in the JSON report.</p>"
        );
    } else {
        svg::attack_paths(&mut out, &graph);
    }
    blast_radius(&mut out, findings, &graph);
    findings_table(&mut out, findings, &graph);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Paths drawn at most; the findings table lists them all.
const MAX_DRAWN_PATHS: usize = 150;

pub(super) const CSS: &str = r#"
:root { --fg: #1c2833; --muted: #5d6d7e; --line: #d5d8dc; --bg: #ffffff; --band: #f4f6f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 14px; border-bottom: 1px solid var(--line); background: #fbfcfc; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 26px 0 10px; font-size: 18px; }
main { padding: 0 28px 40px; }
.meta { color: var(--muted); margin: 2px 0; }
.meta b { color: var(--fg); font-weight: 600; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 6px; align-items: center; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; white-space: nowrap; }
.sev-critical { background: #78281f; } .sev-high { background: #c0392b; } .sev-medium { background: #d68910; }
.sev-low { background: #2e86c1; } .sev-info { background: #7f8c8d; }
.status-unknown { background: #6c3483; } .status-fail { background: #34495e; }
svg.sevbar rect.critical { fill: #78281f; } svg.sevbar rect.high { fill: #c0392b; } svg.sevbar rect.medium { fill: #d68910; }
svg.sevbar rect.low { fill: #2e86c1; } svg.sevbar rect.info { fill: #7f8c8d; } svg.sevbar rect.none { fill: #d5d8dc; }
.graph { overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.graph svg { display: block; max-width: none; }
.empty { color: var(--muted); font-style: italic; padding: 12px 14px; border: 1px dashed var(--line); border-radius: 6px; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: var(--fg); }
svg text.eni { font: 600 12px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
svg text.name { font-size: 12px; } svg text.noname { font-size: 12px; font-style: italic; fill: var(--muted); }
svg text.addr { font-size: 11px; fill: var(--muted); }
svg text.col { font-size: 12px; font-weight: 600; fill: var(--muted); text-anchor: middle; }
svg text.band { font-size: 12px; font-weight: 600; fill: #34495e; }
svg rect.band { fill: var(--band); stroke: #aab7b8; stroke-dasharray: 5 4; }
svg .foothold .shape { fill: #fadbd8; stroke: #c0392b; stroke-width: 2.5; }
svg .pivot .shape { fill: #fdebd0; stroke: #b9770e; stroke-width: 1.5; }
svg .jewel .shape { fill: #e8daef; stroke: #6c3483; stroke-width: 2; }
svg .edge path { fill: none; stroke: #566573; stroke-width: 1.6; }
svg .edge polygon { fill: #566573; }
svg .edge rect { fill: #ffffff; stroke: #d5d8dc; }
svg .edge text { font: 11px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; text-anchor: middle; fill: #1b4f72; }
svg .legend text { font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: #f2f4f4; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td code { white-space: nowrap; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.small { font-size: 12px; color: var(--muted); }
details { margin-top: 4px; }
summary { cursor: pointer; color: #1b4f72; font-size: 12px; }
details ul, details ol { margin: 4px 0; padding-left: 20px; }
.pre { white-space: pre-wrap; word-break: break-word; }
"#;

// ---------------------------------------------------------------------------
// Escaping

/// Text for HTML (element content or a quoted attribute value): `& < > " '` as
/// entities, and control, bidi and invisible characters (ANSI escapes, newlines,
/// U+202E) shown as escapes, never written raw.
pub fn esc(s: &str) -> String {
    text::html(s)
}

/// As [`esc`], but newlines and tabs stay (for `white-space: pre-wrap` blocks and
/// tooltips).
pub(super) fn esc_block(s: &str) -> String {
    text::html_block(s)
}

/// At most `max` characters of `s` (control characters counted as their escapes),
/// with an ellipsis when cut, HTML-escaped.
pub(super) fn fit(s: &str, max: usize) -> String {
    esc(&shorten(s, max))
}

/// At most `max` characters of `s` with unsafe characters shown as escapes
/// ([`text::visible`]), and an ellipsis when cut; not HTML-escaped.
pub(super) fn shorten(s: &str, max: usize) -> String {
    let shown = text::visible(s);
    if shown.chars().count() <= max {
        shown.into_owned()
    } else {
        let cut: String = shown.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

// ---------------------------------------------------------------------------
// Header

fn header(out: &mut String, inv: &Inventory, checks: &[String], findings: &[&Finding]) {
    let accounts: BTreeSet<&str> = inv.accounts.iter().map(|a| a.account_id.as_str()).collect();
    let regions: BTreeSet<&str> = inv.regions().map(|(_, r)| r.region.as_str()).collect();
    let list = |s: &BTreeSet<&str>| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", ")
        }
    };
    out.push_str("<header>\n<h1>vpcaudit report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">vpcaudit <b>{}</b> &middot; inventory collected <b>{}</b> &middot; \
         {} check(s) run</p>",
        esc(env!("CARGO_PKG_VERSION")),
        utc(inv.collected_at),
        checks.len()
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">accounts: <b>{}</b> &middot; regions: <b>{}</b></p>",
        list(&accounts),
        list(&regions)
    );
    let unknown = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    out.push_str("<div class=\"counts\">");
    let _ = write!(out, "<span><b>{}</b> finding(s):</span>", findings.len());
    for sev in Severity::ALL {
        let n = findings.iter().filter(|f| f.severity == sev).count();
        let _ = write!(
            out,
            "<span class=\"pill sev-{sev}\" data-severity=\"{sev}\">{n} {sev}</span>"
        );
    }
    let _ = write!(
        out,
        "<span class=\"small\">{unknown} unknown &middot; {} coverage gap(s)</span>",
        inv.coverage.len()
    );
    out.push_str("</div>\n");
    severity_bar(out, findings);
    if !inv.coverage.is_empty() {
        out.push_str("<details><summary>coverage gaps: what could not be read</summary><ul>");
        for g in &inv.coverage {
            // The gap's one line (`CoverageGap`'s Display), its place in monospace.
            let _ = write!(
                out,
                "<li><span class=\"mono\">{}</span>: {}</li>",
                esc(&g.location().to_string()),
                esc(&g.problem().to_string())
            );
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</header>\n");
}

/// A stacked bar of the findings by severity (an inline SVG, so even a report with no
/// paths has a picture).
fn severity_bar(out: &mut String, findings: &[&Finding]) {
    const W: usize = 600;
    const H: usize = 14;
    let _ = write!(
        out,
        "<svg class=\"sevbar\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
         role=\"img\" aria-label=\"findings by severity\">"
    );
    if findings.is_empty() {
        let _ = write!(
            out,
            "<rect class=\"none\" x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" rx=\"3\">\
             <title>no findings</title></rect>"
        );
    } else {
        let mut x = 0;
        let mut done = 0;
        for sev in Severity::ALL {
            let n = findings.iter().filter(|f| f.severity == sev).count();
            if n == 0 {
                continue;
            }
            done += n;
            // Cumulative rounding, so the segments always add up to the full width.
            let end = (W * done).checked_div(findings.len()).unwrap_or(W);
            let _ = write!(
                out,
                "<rect class=\"{sev}\" x=\"{x}\" y=\"0\" width=\"{}\" height=\"{H}\">\
                 <title>{n} {sev}</title></rect>",
                end - x
            );
            x = end;
        }
    }
    out.push_str("</svg>\n");
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian calendar).
pub(super) fn utc(ts: u64) -> String {
    super::utc::human(ts)
}

// ---------------------------------------------------------------------------
// Tables

fn blast_radius(out: &mut String, findings: &[&Finding], graph: &AttackGraph) {
    let rows: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.blast_radius.is_some())
        .collect();
    if rows.is_empty() {
        return;
    }
    let n = rows
        .iter()
        .filter_map(|f| f.blast_radius.as_ref())
        .map(|b| b.within.len().max(b.max_hops))
        .max()
        .unwrap_or(0);
    out.push_str("<section id=\"blast-radius\">\n<h2>Blast radius</h2>\n");
    out.push_str(
        "<p class=\"meta\">Crown jewels each foothold reaches within a number of hops.</p>\n",
    );
    out.push_str(
        "<table class=\"blast\"><thead><tr><th>foothold</th><th>account/region</th><th>severity</th>",
    );
    for i in 1..=n {
        let _ = write!(
            out,
            "<th class=\"num\">&#8804; {i} hop{}</th>",
            if i == 1 { "" } else { "s" }
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for f in rows {
        let Some(b) = &f.blast_radius else { continue };
        let name = f.resource.name.as_deref().or_else(|| {
            graph
                .index_of(&f.resource.id)
                .and_then(|i| graph.nodes.get(i))
                .and_then(|node| node.name.as_deref())
        });
        let _ = write!(
            out,
            "<tr data-foothold=\"{}\"><td><span class=\"mono\">{}</span>{}</td><td>{}<br>{}</td>\
             <td><span class=\"pill sev-{}\">{}</span></td>",
            esc(&f.resource.id),
            esc(&f.resource.id),
            name.map(|n| format!("<br><span class=\"small\">{}</span>", esc(n)))
                .unwrap_or_default(),
            esc(&f.account),
            esc(&f.region),
            f.severity,
            f.severity
        );
        for i in 0..n {
            match b.within.get(i) {
                Some(v) => {
                    let _ = write!(out, "<td class=\"num\">{v}</td>");
                }
                None => out.push_str("<td class=\"num small\">&#8211;</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn findings_table(out: &mut String, findings: &[&Finding], graph: &AttackGraph) {
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if findings.is_empty() {
        out.push_str("<p class=\"empty\">No findings.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"findings\"><thead><tr><th>severity</th><th>status</th><th>check</th>\
         <th>account/region</th><th>resource</th><th>message</th></tr></thead>\n<tbody>\n",
    );
    for f in findings {
        let status = match f.status {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
        };
        let _ = write!(
            out,
            "<tr data-check=\"{}\" data-fingerprint=\"{}\">\
             <td><span class=\"pill sev-{}\">{}</span></td>\
             <td><span class=\"pill status-{status}\">{status}</span></td>\
             <td><code>{}</code></td><td>{}<br>{}</td>\
             <td><span class=\"mono\">{}</span>{}<br><span class=\"small\">{}</span></td>\
             <td><div class=\"pre\">{}</div>",
            esc(&f.check),
            esc(&f.fingerprint),
            f.severity,
            f.severity,
            esc(&f.check),
            esc(&f.account),
            esc(&f.region),
            esc(&f.resource.id),
            f.resource
                .name
                .as_deref()
                .map(|n| format!("<br>{}", esc(n)))
                .unwrap_or_default(),
            esc(&f.resource.resource_type),
            esc_block(&f.message),
        );
        details(out, f, graph);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn details(out: &mut String, f: &Finding, graph: &AttackGraph) {
    let _ = write!(
        out,
        "<details><summary>evidence ({})</summary>",
        f.evidence.len()
    );
    if let Some(path) = &f.path {
        out.push_str("<p><b>Path</b></p>");
        path_steps(out, path, graph);
    }
    if let Some(b) = &f.blast_radius {
        let _ = write!(
            out,
            "<p><b>Blast radius</b>: {} (within 1..{} hops)</p>",
            b.within
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            b.max_hops
        );
    }
    if !f.evidence.is_empty() {
        out.push_str("<ol class=\"evidence\">");
        for e in &f.evidence {
            let _ = write!(
                out,
                "<li><b>{}</b>: <span class=\"pre\">{}</span></li>",
                esc(&e.component),
                esc_block(&e.detail)
            );
        }
        out.push_str("</ol>");
    }
    if !f.related.is_empty() {
        out.push_str("<p><b>Related</b></p><ul>");
        for r in &f.related {
            let _ = write!(
                out,
                "<li><span class=\"mono\">{}</span> <span class=\"small\">{}</span>{}</li>",
                esc(&r.id),
                esc(&r.resource_type),
                r.name
                    .as_deref()
                    .map(|n| format!(" ({})", esc(n)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<p><b>Remediation</b>: <span class=\"pre\">{}</span></p>\
         <p class=\"small\">{} &middot; fingerprint <span class=\"mono\">{}</span>{}</p></details>",
        esc_block(&f.remediation),
        esc(&f.title),
        esc(&f.fingerprint),
        f.resource
            .arn
            .as_deref()
            .map(|a| format!(" &middot; <span class=\"mono\">{}</span>", esc(a)))
            .unwrap_or_default()
    );
}

/// A path as text, hop by hop: `eni-a (web) → eni-b (app): tcp/22`.
fn path_steps(out: &mut String, path: &AttackPath, graph: &AttackGraph) {
    let label = |i: usize| -> String {
        match path.nodes.get(i) {
            Some(n) => {
                let name = n.name.as_deref().or_else(|| {
                    graph
                        .index_of(&n.eni)
                        .and_then(|g| graph.nodes.get(g))
                        .and_then(|g| g.name.as_deref())
                });
                match name {
                    Some(name) => format!(
                        "<span class=\"mono\">{}</span> ({})",
                        esc(&n.eni),
                        esc(name)
                    ),
                    None => format!("<span class=\"mono\">{}</span>", esc(&n.eni)),
                }
            }
            None => "?".to_string(),
        }
    };
    out.push_str("<ol class=\"path\">");
    for hop in &path.hops {
        let _ = write!(
            out,
            "<li>{} &#8594; {}: <span class=\"mono\">{}</span></li>",
            label(hop.from),
            label(hop.to),
            esc(&hop.services.join(", "))
        );
    }
    out.push_str("</ol>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::NodeRole;
    use crate::report::attack_graph::tests::{blast, finding, node, path, sample};

    fn inventory() -> Inventory {
        let mut inv = Inventory::new(1_700_000_000);
        inv.accounts.push(crate::inventory::AccountInventory {
            account_id: "111122223333".to_string(),
            regions: vec![crate::inventory::RegionInventory {
                region: "us-east-1".to_string(),
                ..Default::default()
            }],
        });
        inv
    }

    fn hostile_findings() -> Vec<Finding> {
        use NodeRole::*;
        let evil = "<script>alert('x')</script>\"&'<img src=http://evil.example/x.png>";
        let mut f = node("eni-f", Foothold, "vpc-<b>1</b>", Some(evil));
        f.why = Some("<style>body{display:none}</style>".to_string());
        let p = path(
            vec![
                f,
                node(
                    "eni-p",
                    Pivot,
                    "vpc-<b>1</b>",
                    Some("\u{1b}[31mred\nline\u{202e}gpj.exe\u{200b}"),
                ),
                node(
                    "eni-\"j\"",
                    Jewel,
                    "vpc-2",
                    Some("</svg><script>x</script>"),
                ),
            ],
            &[&["tcp/22<"], &["tcp/5432\"onmouseover=\"x"]],
        );
        let mut lm = finding("lateral-movement-path", "eni-f", Some(p));
        lm.message = "<script>alert(1)</script>".to_string();
        lm.resource.name = Some("<iframe src=//evil>".to_string());
        lm.evidence.push(crate::finding::Evidence {
            component: "<b>sg</b>".to_string(),
            detail: "allows 'everything' & more".to_string(),
        });
        vec![lm, blast("eni-f", vec![0, 1])]
    }

    /// Every tag of the document as (name, attributes). Text never holds a raw `<`
    /// (it is escaped), so every `<` starts a tag; our attributes are double-quoted.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            let chars: Vec<char> = rest.chars().collect();
            let mut i = 0;
            let mut name = String::new();
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '>' {
                name.push(chars[i]);
                i += 1;
            }
            let mut attrs = Vec::new();
            loop {
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                if i >= chars.len() || chars[i] == '>' || chars[i] == '/' {
                    break;
                }
                let mut key = String::new();
                while i < chars.len() && !"= >".contains(chars[i]) {
                    key.push(chars[i]);
                    i += 1;
                }
                let mut value = String::new();
                if chars.get(i) == Some(&'=') {
                    assert_eq!(chars.get(i + 1), Some(&'"'), "unquoted attribute {key}");
                    i += 2;
                    while i < chars.len() && chars[i] != '"' {
                        value.push(chars[i]);
                        i += 1;
                    }
                    i += 1;
                }
                attrs.push((key, value));
            }
            out.push((name.to_lowercase(), attrs));
        }
        out
    }

    const TAGS: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p",
        "b", "div", "span", "svg", "rect", "g", "text", "path", "polygon", "main", "section",
        "table", "thead", "tbody", "tr", "th", "td", "code", "br", "details", "summary", "ol",
        "ul", "li",
    ];
    const ATTRS: &[&str] = &[
        "html",
        "lang",
        "charset",
        "name",
        "content",
        "http-equiv",
        "class",
        "id",
        "width",
        "height",
        "viewbox",
        "role",
        "aria-label",
        "x",
        "y",
        "rx",
        "d",
        "points",
        "transform",
        "style",
    ];

    /// Only the tags and attributes the renderer writes: an injected tag or attribute
    /// (`<script>`, `<img src>`, `onmouseover=`) cannot hide.
    fn assert_only_our_markup(html: &str) {
        for (name, attrs) in tags(html) {
            let bare = name.trim_start_matches('/');
            assert!(TAGS.contains(&bare), "unexpected tag <{name}>");
            for (k, v) in attrs {
                assert!(
                    ATTRS.contains(&k.to_lowercase().as_str()) || k.starts_with("data-"),
                    "unexpected attribute {k}={v:?} on <{name}>"
                );
                assert!(!v.contains("url(") && !v.contains("://"), "{k}={v:?}");
            }
        }
    }

    #[test]
    fn a_huge_report_draws_only_the_most_severe_paths() {
        use NodeRole::*;
        let findings: Vec<Finding> = (0..MAX_DRAWN_PATHS + 20)
            .map(|i| {
                let p = path(
                    vec![
                        node(&format!("eni-f{i}"), Foothold, "vpc-a", None),
                        node(&format!("eni-j{i}"), Jewel, "vpc-a", None),
                    ],
                    &[&["tcp/5432"]],
                );
                finding("lateral-movement-path", &format!("eni-j{i}"), Some(p))
            })
            .collect();
        let html = render(&Inventory::new(0), &[], &findings);
        assert!(html.contains("data-eni=\"eni-f0\""));
        let last = MAX_DRAWN_PATHS + 19;
        assert!(!html.contains(&format!("data-eni=\"eni-f{last}\"")));
        assert!(html.contains(&format!(
            "the {MAX_DRAWN_PATHS} most severe of {} paths",
            MAX_DRAWN_PATHS + 20
        )));
        // The table still lists every finding.
        assert!(html.contains(&format!("eni-j{last}")));
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let html = render(&inventory(), &[], &hostile_findings());
        assert_only_our_markup(&html);
        for raw in [
            "<script",
            "<img",
            "<iframe",
            "<style>body",
            "</svg><script",
            "<b>1</b>",
            "onmouseover=\"",
            "'x'",
        ] {
            assert!(!html.contains(raw), "raw {raw:?} in the HTML");
        }
        assert!(!html.contains('\u{1b}'));
        assert!(!html.contains(['\u{202e}', '\u{200b}']));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("data-eni=\"eni-&quot;j&quot;\""));
        assert!(html.contains("data-to=\"eni-&quot;j&quot;\""));
        assert!(html.contains("\\u{1b}[31mred\\nline\\u{202e}gpj.exe\\u{200b}"));
        // One <style> (ours) and one <svg> per drawing, nothing more.
        assert_eq!(html.matches("<style").count(), 1);
        assert_eq!(html.matches("<svg").count(), 2);
        assert_eq!(html.matches("</svg>").count(), 2);
    }

    #[test]
    fn nothing_is_loaded_from_anywhere() {
        let html = render(&inventory(), &["a".to_string()], &sample());
        assert_only_our_markup(&html);
        for bad in [
            "src=", "href=", "@import", "url(", "http://", "https://", "<link",
        ] {
            assert!(!html.contains(bad), "{bad:?} in the HTML");
        }
        assert!(html.contains("Content-Security-Policy"));
    }

    #[test]
    fn the_markup_checker_catches_injections() {
        for bad in [
            "<p><script>x</script></p>",
            "<p><img src=\"x\"></p>",
            "<p class=\"a\" onclick=\"x\"></p>",
            "<div style=\"background: url(http://x/)\"></div>",
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_only_our_markup(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn graph_has_nodes_edges_bands_and_legend() {
        let html = render(&inventory(), &[], &sample());
        for eni in ["eni-web-a", "eni-web-b", "eni-app", "eni-db"] {
            assert_eq!(
                html.matches(&format!("data-eni=\"{eni}\" data-role="))
                    .count(),
                1,
                "{eni}"
            );
        }
        assert!(html.contains(
            "data-from=\"eni-app\" data-to=\"eni-db\" data-services=\"tcp/3306, tcp/5432\""
        ));
        assert!(html.contains("data-vpc=\"vpc-front\""));
        assert!(html.contains("data-vpc=\"vpc-data\""));
        assert!(html.contains("crown jewels"));
        assert!(html.contains("id=\"blast-radius\""));
        assert!(html.contains("&#8804; 3 hops"));
        assert!(html.contains("<details><summary>evidence (0)</summary>"));
        assert!(html.contains("2023-11-14 22:13:20 UTC"));
    }

    #[test]
    fn no_paths_says_so_and_output_is_deterministic() {
        let only = vec![finding("egress-world-open", "sg-1", None)];
        let html = render(&inventory(), &[], &only);
        assert!(html.contains("No attack paths"));
        assert!(!html.contains("id=\"attack-graph\""));
        assert!(!html.contains("id=\"blast-radius\""));
        assert!(html.contains("<svg class=\"sevbar\""));
        let mut f = sample();
        let a = render(&inventory(), &[], &f);
        assert_eq!(a, render(&inventory(), &[], &f));
        // The drawing does not depend on the order of the findings.
        let svg = |h: &str| {
            let start = h.find("<svg id=\"attack-graph\"").unwrap();
            h[start..start + h[start..].find("</svg>").unwrap()].to_string()
        };
        f.reverse();
        assert_eq!(svg(&a), svg(&render(&inventory(), &[], &f)));
        assert!(render(&inventory(), &[], &[]).contains("No findings."));
    }

    #[test]
    fn escaping_and_dates() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(esc("a\nb\u{7}\u{2066}"), "a\\nb\\u{7}\\u{2066}");
        assert_eq!(esc_block("a\nb"), "a\nb");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("<<<<", 4), "&lt;&lt;&lt;&lt;");
        assert_eq!(fit("<<<<<", 4), "&lt;&lt;&lt;…");
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_709_251_199), "2024-02-29 23:59:59 UTC");
    }
}
