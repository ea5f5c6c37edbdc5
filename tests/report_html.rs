//! `--format html` and `--format dot`: the real binary writes the report, headless
//! Chromium renders it (a screenshot and the DOM as the browser built it), and every
//! node and edge of every attack path must be in the drawing.
//!
//! Chromium is Debian's `chromium` package (`scripts/test` installs it). Without it the
//! browser tests fail under CI (`CI` set) and are skipped with a note otherwise.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::chromium::{
    chromium, dump_dom, on_path, run_with_timeout, screenshot, BROWSER_TIMEOUT,
};
use common::vpcaudit_offline;
use vpcaudit::finding::{
    AttackPath, BlastRadius, Evidence, Finding, NodeRole, PathHop, PathNode, Resource, Severity,
    Status,
};

// ---------------------------------------------------------------------------
// Reading markup (the report's source and the browser's DOM)

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The start tags of an HTML document with their attributes (values unescaped), and
/// the text of every `<style>` element. Text never holds a raw `<` (escaped in the
/// source and in Chromium's serialisation alike), so each `<` that starts a tag is one;
/// `<style>` and `<script>` contents are raw text and skipped to their end tag.
fn parse_markup(html: &str) -> (Vec<Tag>, Vec<String>) {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut styles = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map(|e| i + e + 3).unwrap_or(b.len());
            continue;
        }
        if b.get(i) == Some(&b'/') || b.get(i) == Some(&b'!') {
            i = html[i..].find('>').map(|e| i + e + 1).unwrap_or(b.len());
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let k0 = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let key = html[k0..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                match b.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let v0 = i + 1;
                        let end = html[v0..]
                            .find(q as char)
                            .map(|e| v0 + e)
                            .unwrap_or(b.len());
                        value = unescape(&html[v0..end]);
                        i = end + 1;
                    }
                    _ => {
                        let v0 = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                        value = unescape(&html[v0..i]);
                    }
                }
            }
            attrs.push((key, value));
        }
        if name == "style" || name == "script" {
            let close = format!("</{name}");
            let end = html[i.min(b.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map(|e| i + e)
                .unwrap_or(b.len());
            if name == "style" {
                styles.push(html[i.min(end)..end].to_string());
            }
            i = end;
        }
        tags.push(Tag { name, attrs });
    }
    (tags, styles)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The ENI ids of the graph's node groups (`<g data-eni=...>`).
fn drawn_nodes(tags: &[Tag]) -> BTreeSet<String> {
    tags.iter()
        .filter(|t| t.name == "g")
        .filter_map(|t| t.attr("data-eni"))
        .map(str::to_string)
        .collect()
}

/// The graph's edges (`<g data-from=... data-to=...>`).
fn drawn_edges(tags: &[Tag]) -> BTreeSet<(String, String)> {
    tags.iter()
        .filter(|t| t.name == "g")
        .filter_map(|t| {
            Some((
                t.attr("data-from")?.to_string(),
                t.attr("data-to")?.to_string(),
            ))
        })
        .collect()
}

/// Every node and hop of every path in a findings document, as the drawing must show
/// them: `(nodes, edges)`.
fn paths_in(doc: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    let findings = doc["findings"].as_array().expect("findings is an array");
    for f in findings {
        let Some(path) = f.get("path").filter(|p| !p.is_null()) else {
            continue;
        };
        let enis: Vec<String> = path["nodes"]
            .as_array()
            .expect("path.nodes is an array")
            .iter()
            .map(|n| n["eni"].as_str().expect("node.eni is a string").to_string())
            .collect();
        assert!(!enis.is_empty(), "a path with no node: {path}");
        nodes.extend(enis.iter().cloned());
        for hop in path["hops"].as_array().expect("path.hops is an array") {
            let at = |k: &str| {
                let i = hop[k].as_u64().expect("hop index") as usize;
                enis.get(i)
                    .unwrap_or_else(|| panic!("hop {k} {i} out of range in {path}"))
                    .clone()
            };
            edges.insert((at("from"), at("to")));
        }
    }
    (nodes, edges)
}

/// What the drawing in `html` lacks of the paths in `doc`: one line per missing node
/// or edge; empty when everything is there.
fn missing_from_drawing(doc: &serde_json::Value, html: &str) -> Vec<String> {
    let (tags, _) = parse_markup(html);
    let (want_nodes, want_edges) = paths_in(doc);
    let (have_nodes, have_edges) = (drawn_nodes(&tags), drawn_edges(&tags));
    let mut missing: Vec<String> = want_nodes
        .difference(&have_nodes)
        .map(|n| format!("node {n}"))
        .collect();
    missing.extend(
        want_edges
            .difference(&have_edges)
            .map(|(a, b)| format!("edge {a} -> {b}")),
    );
    missing
}

/// Everything in `html` that would load something from the network (or run script):
/// script/link/iframe/... elements, `src`/`href`/... attributes pointing at a URL, and
/// `@import` or `url(` in styles.
fn network_loads(html: &str) -> Vec<String> {
    let (tags, styles) = parse_markup(html);
    let mut bad = Vec::new();
    for t in &tags {
        if [
            "script",
            "link",
            "iframe",
            "frame",
            "object",
            "embed",
            "img",
            "image",
            "picture",
            "source",
            "audio",
            "video",
            "track",
            "base",
            "use",
            "foreignobject",
            "form",
            "portal",
        ]
        .contains(&t.name.as_str())
        {
            bad.push(format!("<{}> element", t.name));
        }
        for (k, v) in &t.attrs {
            let v = v.trim().to_ascii_lowercase();
            let loads = [
                "src",
                "href",
                "xlink:href",
                "srcset",
                "action",
                "formaction",
                "poster",
                "background",
                "data",
                "manifest",
                "ping",
                "codebase",
                "longdesc",
            ]
            .contains(&k.as_str());
            if loads && (v.contains("://") || v.starts_with("//") || v.starts_with("data:")) {
                bad.push(format!("<{} {k}={v:?}>", t.name));
            }
            if k.starts_with("on") {
                bad.push(format!("<{} {k}=...> event handler", t.name));
            }
            if k == "style" && (v.contains("url(") || v.contains("@import")) {
                bad.push(format!("<{} style={v:?}>", t.name));
            }
            if t.name == "meta" && k == "http-equiv" && v == "refresh" {
                bad.push("<meta http-equiv=refresh>".to_string());
            }
        }
    }
    for s in styles {
        let lower = s.to_ascii_lowercase();
        if lower.contains("@import") || lower.contains("url(") {
            bad.push("@import or url( in a <style>".to_string());
        }
    }
    bad
}

// ---------------------------------------------------------------------------
// Reports

fn scan(args: &[&str]) -> std::process::Output {
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--fail-on", "never"])
        .args(args)
        .output()
        .expect("run vpcaudit");
    assert_eq!(
        out.status.code(),
        Some(0),
        "vpcaudit scan --demo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn node(eni: &str, role: NodeRole, vpc: &str, name: Option<&str>) -> PathNode {
    PathNode {
        eni: eni.to_string(),
        name: name.map(str::to_string),
        role,
        account: "111122223333".to_string(),
        region: "us-east-1".to_string(),
        vpc: vpc.to_string(),
        subnet: format!("subnet-{vpc}"),
        address: "10.0.1.10".to_string(),
        why: None,
    }
}

fn path_finding(nodes: Vec<PathNode>, services: &[&str], name: Option<&str>) -> Finding {
    let hops = (1..nodes.len())
        .map(|i| PathHop {
            from: i - 1,
            to: i,
            services: vec![services[(i - 1) % services.len()].to_string()],
        })
        .collect();
    let resource = nodes[0].eni.clone();
    Finding {
        check: "lateral-movement-path".to_string(),
        severity: Severity::High,
        status: Status::Fail,
        title: "A crown jewel is reachable from a foothold".to_string(),
        message: format!("{resource} reaches a crown jewel"),
        account: "111122223333".to_string(),
        region: "us-east-1".to_string(),
        resource: Resource {
            resource_type: "AWS::EC2::NetworkInterface".to_string(),
            id: resource.clone(),
            arn: None,
            name: name.map(str::to_string),
        },
        related: Vec::new(),
        evidence: vec![Evidence {
            component: "security group <sg-1>".to_string(),
            detail: "allows tcp/22 from 10.0.0.0/16 & \"more\"".to_string(),
        }],
        remediation: "Close what the path needs closed; see https://example.invalid/docs"
            .to_string(),
        fingerprint: vpcaudit::finding::fingerprint(&[resource.as_str()]),
        path: Some(AttackPath { nodes, hops }),
        blast_radius: None,
        baseline: None,
        muted: None,
    }
}

/// Three paths over two VPCs, sharing a pivot and a jewel, with tag values that try to
/// break out of the markup.
fn constructed_findings() -> Vec<Finding> {
    use NodeRole::*;
    let evil = "<script>document.title='pwned'</script><img src=\"http://evil.invalid/x.png\">";
    let mut web = node("eni-0aaa", Foothold, "vpc-front", Some(evil));
    web.why = Some("internet: tcp/22".to_string());
    let app = node("eni-0bbb", Pivot, "vpc-front", Some("app \"tier\" & co"));
    let mut db = node(
        "eni-0ccc",
        Jewel,
        "vpc-data",
        Some("orders</text></svg><b>db"),
    );
    db.why = Some("RDS/Aurora".to_string());
    let batch = node("eni-0ddd", Foothold, "vpc-front", None);
    let cache = node("eni-0eee", Pivot, "vpc-data", Some("cache'\n\u{1b}[31m"));
    let mut blast = path_finding(vec![web.clone()], &["tcp/22"], Some(evil));
    blast.check = "lateral-blast-radius".to_string();
    blast.path = None;
    blast.blast_radius = Some(BlastRadius {
        within: vec![0, 1, 1],
        max_hops: 3,
    });
    vec![
        path_finding(
            vec![web.clone(), app.clone(), db.clone()],
            &["tcp/22", "tcp/5432"],
            Some(evil),
        ),
        path_finding(
            vec![batch, app, cache, db],
            &["tcp/443", "tcp/6379\"><script>x</script>"],
            None,
        ),
        blast,
    ]
}

fn findings_document(findings: &[Finding]) -> serde_json::Value {
    serde_json::json!({ "findings": findings })
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn demo_html_report_renders_in_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.html");
    let report_arg = report.to_str().expect("a UTF-8 temp path");
    let out = scan(&["--format", "html", "-o", report_arg]);
    assert!(out.stdout.is_empty(), "-o writes the file, not stdout");
    let html = std::fs::read_to_string(&report).expect("the HTML report was written");
    let doc = common::scan_json(
        vpcaudit_offline()
            .args(["scan", "--demo", "--fail-on", "never"])
            .args(["--format", "json"]),
    );

    // The source: one document, nothing loaded from anywhere, every path drawn.
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert_eq!(network_loads(&html), Vec::<String>::new());
    assert_eq!(missing_from_drawing(&doc, &html), Vec::<String>::new());
    let findings = doc["findings"].as_array().expect("findings");
    for sev in ["critical", "high", "medium", "low", "info"] {
        let n = findings.iter().filter(|f| f["severity"] == sev).count();
        assert!(
            html.contains(&format!("data-severity=\"{sev}\">{n} {sev}</span>")),
            "count of {sev} findings ({n}) not in the header"
        );
    }
    assert_eq!(
        html.matches("<tr data-check=").count(),
        findings.len(),
        "one table row per finding"
    );

    let Some(chromium) = chromium() else { return };
    screenshot(&chromium, dir.path(), &report);
    let dom = dump_dom(&chromium, dir.path(), &report);
    assert!(dom.contains("<svg"), "no <svg> in the rendered DOM");
    let (have_paths, _) = paths_in(&doc);
    if !have_paths.is_empty() {
        assert!(dom.contains("id=\"attack-graph\""), "paths but no graph");
    }
    assert_eq!(missing_from_drawing(&doc, &dom), Vec::<String>::new());
    assert_eq!(network_loads(&dom), Vec::<String>::new());
}

/// The demo has no paths until the lateral analysis lands; this report has some, with
/// hostile tag values, so the drawing and its escaping are checked in a real browser.
#[test]
fn constructed_paths_render_in_chromium_and_stay_text() {
    let inventory = vpcaudit::demo::inventory().expect("the built-in demo loads");
    let findings = constructed_findings();
    let html = vpcaudit::report::html::render(&inventory, &[], &findings);
    let doc = findings_document(&findings);
    let (nodes, edges) = paths_in(&doc);
    assert_eq!((nodes.len(), edges.len()), (5, 5));
    assert_eq!(network_loads(&html), Vec::<String>::new());
    assert_eq!(missing_from_drawing(&doc, &html), Vec::<String>::new());

    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.html");
    std::fs::write(&report, &html).expect("write the report");
    let Some(chromium) = chromium() else { return };
    let shot = screenshot(&chromium, dir.path(), &report);
    if let Some(keep) = std::env::var_os("VPCAUDIT_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("copy the screenshot");
    }
    let dom = dump_dom(&chromium, dir.path(), &report);
    assert_eq!(missing_from_drawing(&doc, &dom), Vec::<String>::new());
    assert_eq!(network_loads(&dom), Vec::<String>::new());
    let (tags, _) = parse_markup(&dom);
    assert!(
        !tags.iter().any(|t| t.name == "script" || t.name == "img"),
        "a tag value became markup"
    );
    // The title was not changed by an injected script, and the tag is shown as text.
    assert!(dom.contains("<title>vpcaudit report</title>"));
    assert!(dom.contains("&lt;script&gt;document.title="));
    assert_eq!(
        tags.iter().filter(|t| t.name == "svg").count(),
        2,
        "the severity bar and the graph, no injected <svg>"
    );
    assert!(dom.contains("id=\"blast-radius\""));
}

#[test]
fn the_drawing_check_finds_a_missing_node_or_edge() {
    let doc = serde_json::json!({"findings": [
        {"check": "x"},
        {"check": "lateral-movement-path", "path": {
            "nodes": [{"eni": "eni-a"}, {"eni": "eni-\"b\""}, {"eni": "eni-c"}],
            "hops": [{"from": 0, "to": 1, "services": []}, {"from": 1, "to": 2, "services": []}]
        }}
    ]});
    let complete = r#"<svg><g class="node" data-eni="eni-a"></g>
        <g data-eni="eni-&quot;b&quot;"></g><g data-eni='eni-c'></g>
        <g data-from="eni-a" data-to="eni-&quot;b&quot;"></g>
        <g data-from="eni-&quot;b&quot;" data-to="eni-c"></g></svg>"#;
    assert_eq!(missing_from_drawing(&doc, complete), Vec::<String>::new());
    // eni-c only in text, in a table row and in a comment: not drawn.
    let no_c = r#"<svg><g data-eni="eni-a"></g><g data-eni="eni-&quot;b&quot;"></g>
        <g data-from="eni-a" data-to="eni-&quot;b&quot;"></g>
        <g data-from="eni-&quot;b&quot;" data-to="eni-c"></g></svg>
        <p>data-eni="eni-c"</p><tr data-eni="eni-c"></tr><!-- <g data-eni="eni-c"> -->"#;
    assert_eq!(missing_from_drawing(&doc, no_c), ["node eni-c"]);
    let no_edge = complete.replace(r#"data-to="eni-c""#, r#"data-to="eni-a""#);
    assert_eq!(
        missing_from_drawing(&doc, &no_edge),
        ["edge eni-\"b\" -> eni-c"]
    );
    assert_eq!(
        missing_from_drawing(&doc, "<html></html>").len(),
        5,
        "three nodes and two edges"
    );
}

#[test]
fn the_load_check_finds_network_loads() {
    for bad in [
        r#"<img src="https://x.invalid/a.png">"#,
        r#"<script>alert(1)</script>"#,
        r#"<link rel=stylesheet href=//cdn.invalid/a.css>"#,
        r#"<style>@import "https://x.invalid/a.css";</style>"#,
        r#"<style>body { background: url(http://x.invalid/a.png) }</style>"#,
        r#"<div style="background: url('https://x.invalid/')"></div>"#,
        r#"<svg><image href="http://x.invalid/a.svg"/></svg>"#,
        r#"<p onclick="x()">"#,
    ] {
        assert!(!network_loads(bad).is_empty(), "{bad}");
    }
    // Escaped text that merely mentions them is no load.
    let text =
        "<p>&lt;img src=&quot;https://x.invalid/&quot;&gt; see https://docs.invalid/ url(x)</p>";
    assert_eq!(network_loads(text), Vec::<String>::new());
}

/// A hung browser cannot stall the suite: past the limit its whole process group
/// (helpers included) is killed and the test fails.
#[test]
fn a_hung_browser_is_killed_with_its_helpers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid_file = dir.path().join("helper.pid");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("sleep 300 & echo $! > \"$1\"; wait")
        .arg("sh")
        .arg(&pid_file);
    let started = Instant::now();
    let work = dir.path().to_path_buf();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        run_with_timeout(cmd, &work, Duration::from_secs(1));
    }));
    assert!(outcome.is_err(), "a process past its time limit must fail");
    assert!(started.elapsed() < Duration::from_secs(30));
    let helper = std::fs::read_to_string(&pid_file).expect("the helper wrote its pid");
    let stat = PathBuf::from(format!("/proc/{}/stat", helper.trim()));
    let deadline = Instant::now() + Duration::from_secs(10);
    // Gone, or a zombie waiting for init to reap it.
    while std::fs::read_to_string(&stat)
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "the helper survived the kill");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn dot_output_is_a_graph_and_parses_if_graphviz_is_installed() {
    let out = scan(&["--format", "dot"]);
    let demo = String::from_utf8(out.stdout).expect("DOT is UTF-8");
    assert!(demo.starts_with("digraph "), "{demo}");
    assert!(demo.trim_end().ends_with('}'), "{demo}");
    let constructed = vpcaudit::report::dot::render(&constructed_findings());
    for eni in ["eni-0aaa", "eni-0bbb", "eni-0ccc", "eni-0ddd", "eni-0eee"] {
        assert!(constructed.contains(&format!("\"{eni}\" [label=")), "{eni}");
    }
    assert_eq!(constructed.matches("subgraph cluster_").count(), 2);

    let Some(dot) = on_path("dot") else {
        eprintln!("note: graphviz `dot` not installed; not parsing the DOT output");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [("demo", demo), ("constructed", constructed)] {
        let input = dir.path().join(format!("{name}.dot"));
        std::fs::write(&input, &text).expect("write DOT");
        let mut cmd = Command::new(&dot);
        cmd.arg("-Tsvg").arg(&input);
        let work = dir.path().join(format!("{name}-run"));
        std::fs::create_dir_all(&work).expect("work dir");
        let ran = run_with_timeout(cmd, &work, BROWSER_TIMEOUT);
        assert!(
            ran.status.success() && ran.stderr.trim().is_empty(),
            "dot rejected the {name} graph ({}): {}\n{text}",
            ran.status,
            ran.stderr
        );
        assert!(String::from_utf8_lossy(&ran.stdout).contains("<svg"));
    }
}
