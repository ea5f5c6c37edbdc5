//! The pipeline runs one way: collect -> inventory -> reach -> checks -> findings ->
//! report, with config as plain data beside it and the scan pipeline above them all.
//! These tests read the sources (not the compiled crate) and fail, naming the file
//! and the line, when a module names one it must not.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// For each top-level module of `src/`, the top-level modules it may name as
/// `crate::<module>`. A module not listed here fails the test, so a new layer must be
/// placed before it can land.
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves: plain data and text helpers.
    ("finding", &[]),
    // Answers to ad-hoc questions (reach, diff), as plain data.
    ("answer", &[]),
    // Compliance frameworks (data) and what a scan's pass evidence amounts to.
    ("compliance", &["finding", "answer"]),
    ("source_text", &[]),
    ("secrets", &[]),
    ("files", &[]),
    ("inventory", &["source_text"]),
    // Inventories made up for demos, tests and benchmarks.
    ("demo", &["inventory"]),
    ("synth", &["inventory"]),
    ("config", &["finding", "inventory", "source_text"]),
    ("reach", &["inventory", "answer"]),
    (
        "checks",
        &[
            "finding",
            "inventory",
            "config",
            "reach",
            "source_text",
            "compliance",
        ],
    ),
    ("report", &["finding", "inventory", "answer"]),
    (
        "scan",
        &[
            "finding",
            "inventory",
            "config",
            "reach",
            "checks",
            "report",
            "source_text",
            "compliance",
        ],
    ),
    // `vpcaudit diff`: two inventories (or reports) compared, their checks run.
    (
        "diff",
        &[
            "answer",
            "finding",
            "inventory",
            "config",
            "reach",
            "checks",
            "scan",
            "source_text",
        ],
    ),
    ("collect", &["inventory", "secrets"]),
    // The one write to AWS (`scan --security-hub`): the report's ASFF findings,
    // sent with collect's AWS configuration.
    (
        "export",
        &["finding", "inventory", "report", "collect", "secrets"],
    ),
    ("logging", &["secrets"]),
    // The binary's layer: it may use everything.
    (
        "cli",
        &[
            "answer",
            "finding",
            "inventory",
            "config",
            "reach",
            "checks",
            "report",
            "scan",
            "diff",
            "compliance",
            "collect",
            "export",
            "demo",
            "files",
            "logging",
            "exit",
            "secrets",
            "source_text",
        ],
    ),
    (
        "exit",
        &[
            "cli",
            "collect",
            "config",
            "export",
            "diff",
            "files",
            "inventory",
            "report",
            "scan",
        ],
    ),
];

/// Test code may also use the made-up inventories.
const TEST_EXTRAS: &[&str] = &["demo", "synth"];

/// And, for these modules, their tests may use one more layer: the generator's
/// tests check with the engine that what it made behaves as planned.
const TEST_ONLY: &[(&str, &[&str])] = &[("synth", &["reach"])];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`src/reach/path/mod.rs` ->
/// `reach`, `src/config.rs` -> `config`); `None` for the crate roots.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// Whether the file is test code as a whole.
fn is_test_file(file: &Path) -> bool {
    let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    name == "tests"
        || name.starts_with("tests_")
        || name == "testkit"
        || file.components().any(|c| c.as_os_str() == "tests")
}

/// The modules `line` names as `crate::<module>` (or `use crate::{a, b}`).
fn named_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        rest = after;
    }
    out
}

/// `#[macro_export]` macros live at the crate root but belong to the module that
/// defines them: their names, with that module.
fn exported_macros(files: &[PathBuf]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let text = fs::read_to_string(file).expect("source is UTF-8");
        let mut exported = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[macro_export]") {
                exported = true;
            } else if let Some(rest) = line.strip_prefix("macro_rules!").filter(|_| exported) {
                let name: String = rest
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name, module.clone());
                exported = false;
            }
        }
    }
    out
}

/// `file:line: text` for every line that names a module its layer may not.
fn violations() -> Vec<String> {
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let test_only: BTreeMap<&str, &[&str]> = TEST_ONLY.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let macros = exported_macros(&files);
    let mut out = Vec::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let Some(allowed) = layers.get(module.as_str()) else {
            out.push(format!(
                "{}: module `{module}` has no place in LAYERS (tests/layering.rs)",
                file.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).expect("source is UTF-8");
        let whole_file_is_test = is_test_file(&file);
        let mut in_tests = whole_file_is_test;
        for (n, line) in text.lines().enumerate() {
            // Inline test modules come last in a file, by convention.
            if line.trim_start().starts_with("#[cfg(test)]") {
                in_tests = true;
            }
            let code = line.split("//").next().unwrap_or("");
            for named in named_modules(code) {
                let named = macros.get(&named).cloned().unwrap_or(named);
                let ok = named == module
                    || allowed.contains(&named.as_str())
                    || (in_tests
                        && (TEST_EXTRAS.contains(&named.as_str())
                            || test_only
                                .get(module.as_str())
                                .is_some_and(|m| m.contains(&named.as_str()))));
                if !ok {
                    out.push(format!(
                        "{}:{}: `{module}` names `crate::{named}`: {}",
                        file.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn no_module_names_a_layer_above_it() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports against the pipeline:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_layer_is_on_disk() {
    // A layer renamed on disk but not here would check nothing.
    for (module, _) in LAYERS {
        let dir = src().join(module);
        let file = src().join(format!("{module}.rs"));
        assert!(
            dir.is_dir() || file.is_file(),
            "LAYERS names `{module}`, which is not in src/"
        );
    }
}

#[test]
fn the_reader_sees_what_it_must() {
    // The reader itself, on lines it must catch and lines it must not.
    assert_eq!(named_modules("use crate::checks::Context;"), ["checks"]);
    assert_eq!(
        named_modules("use crate::{report::render, scan::Plan};"),
        ["report", "scan"]
    );
    assert_eq!(
        named_modules("    let all = crate::checks::registry::all();"),
        ["checks"]
    );
    assert!(named_modules("use super::finding::Finding;").is_empty());
    assert!(named_modules("use serde::Deserialize;").is_empty());
}

/// A check file names no other check module (by `use`, a `super::` or
/// `crate::checks::` path, or a glob of `crate::checks`), so changing one check cannot
/// break another; helpers they share live in `src/checks/shared/`, which names no
/// check either.
#[test]
fn no_check_imports_another_check() {
    check_imports::self_test();
    check_imports::run();
}

/// Everything `no_check_imports_another_check` needs, kept apart from the other
/// guards in this file.
mod check_imports {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// Files in `src/checks/` that are infrastructure, not checks (the crate's one
    /// list). Any other `.rs` file there counts as a check, registered or not, so a
    /// new helper file must be put in `shared/` (or listed there) before a check may
    /// import it.
    use vpcaudit::checks::INFRASTRUCTURE;

    /// One offending path: the file, its line number and text, and the check named.
    struct Violation {
        file: String,
        line: usize,
        text: String,
        named: String,
    }

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The modules of the `checks!` entries (`"id" => super::<module>::Type,`) of
    /// `src/checks/registry.rs`.
    fn registered() -> BTreeSet<String> {
        let text = read(&root().join("src/checks/registry.rs"));
        let start = text
            .find("checks! {")
            .expect("registry.rs invokes `checks! {`");
        let body = &text[start..];
        let body = &body[..body.find("\n}").expect("the `checks!` invocation ends")];
        body.lines()
            .filter_map(|l| l.split_once("=> super::"))
            .filter_map(|(_, rest)| rest.split_once("::"))
            .map(|(module, _)| module.trim().to_string())
            .collect()
    }

    /// The check modules: every registered one, and every `.rs` file directly in
    /// `src/checks/` that is neither infrastructure nor a `tests*` file.
    fn check_modules() -> BTreeSet<String> {
        let registered = registered();
        assert!(
            registered.len() > 10,
            "the registry parse found only {registered:?}"
        );
        let dir = root().join("src/checks");
        for m in &registered {
            assert!(
                dir.join(format!("{m}.rs")).is_file(),
                "registry names {m}, which has no src/checks/{m}.rs"
            );
        }
        let mut modules = registered;
        for entry in std::fs::read_dir(&dir).expect("src/checks lists") {
            let path = entry.expect("src/checks entry").path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".rs"))
            else {
                continue;
            };
            if !INFRASTRUCTURE.contains(&stem) && !stem.starts_with("tests") {
                modules.insert(stem.to_string());
            }
        }
        modules
    }

    /// Every `.rs` file under `dir`, with its module path (`["checks", "shared", "nacl"]`).
    fn files_under(dir: &Path, module: &[String], out: &mut Vec<(PathBuf, Vec<String>)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let mut m = module.to_vec();
            if path.is_dir() {
                m.push(name);
                files_under(&path, &m, out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                if stem != "mod" {
                    m.push(stem.to_string());
                }
                out.push((path, m));
            }
        }
    }

    pub fn run() {
        let checks = check_modules();
        let dir = root().join("src/checks");
        let mut files: Vec<(PathBuf, Vec<String>)> = checks
            .iter()
            .map(|m| {
                (
                    dir.join(format!("{m}.rs")),
                    vec!["checks".into(), m.clone()],
                )
            })
            .collect();
        let shared = dir.join("shared");
        if shared.is_dir() {
            files_under(&shared, &["checks".into(), "shared".into()], &mut files);
        }
        let mut violations = Vec::new();
        for (path, module) in &files {
            let shown = path
                .strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string();
            violations.extend(scan(&shown, &read(path), module, &checks));
        }
        let report: Vec<String> = violations
            .iter()
            .map(|v| {
                format!(
                    "{}:{}: `{}` names the check `{}`",
                    v.file, v.line, v.text, v.named
                )
            })
            .collect();
        assert!(
            report.is_empty(),
            "a check (or src/checks/shared/) names another check; move what it needs \
             into src/checks/shared/:\n{}",
            report.join("\n")
        );
    }

    /// The scanner finds what it must and nothing else, so that a pass means no
    /// check names another, not that nothing was looked at.
    pub fn self_test() {
        let checks: BTreeSet<String> = ["a_check", "b_check"].map(String::from).into();
        let me = ["checks".to_string(), "a_check".to_string()];
        let shared = ["checks", "shared", "x"].map(String::from);
        let named = |text: &str, module: &[String]| -> Vec<(usize, String)> {
            scan("t.rs", text, module, &checks)
                .into_iter()
                .map(|v| (v.line, v.named))
                .collect()
        };
        let b = |line: usize| vec![(line, "b_check".to_string())];
        assert_eq!(named("use super::b_check::X;", &me), b(1));
        assert_eq!(
            named("use super::{\n  context,\n  b_check::X,\n};", &me),
            b(3)
        );
        assert_eq!(named("use crate::checks::{shared, b_check};", &me), b(1));
        assert_eq!(
            named("use crate::{checks::b_check::X, finding};", &me),
            b(1)
        );
        assert_eq!(named("pub use super::b_check as other;", &me), b(1));
        assert_eq!(
            named("fn f() {\n let x = super::b_check::X::run();\n}", &me),
            b(2)
        );
        assert_eq!(named("let y = crate::checks::b_check::Y;", &me), b(1));
        assert_eq!(named("use super::super::b_check::Z;", &shared), b(1));
        assert_eq!(named("use super::*;", &me), vec![(1, "*".to_string())]);
        // Not naming another check: its own module, shared helpers, inner modules,
        // comments and strings.
        let clean = [
            "use super::a_check::X;",
            "use super::shared::nacl::{a, b};",
            "use super::{context::Context, resources, Check};",
            "mod tests {\n use super::*;\n use super::super::shared::x;\n}",
            "// use super::b_check::X;\n/* super::b_check */ let s = \"super::b_check\";",
            "let c = '{'; let r = r#\"super::b_check {\"#; use super::shared::y;",
            "fn f<'a>(x: &'a str) -> &'a str { x } pub(super) fn g() {}",
            "use std::collections::BTreeMap; use b_check::X;",
        ];
        for text in clean {
            assert_eq!(named(text, &me), Vec::new(), "{text}");
        }
        assert_eq!(named("use super::super::shared::z;", &shared), Vec::new());
        assert_eq!(
            named("mod inner {\n use super::super::b_check::X;\n}", &me),
            b(2)
        );
    }

    /// `text` with comments, string and character literals blanked (newlines kept,
    /// so offsets keep their line), leaving only code to read paths from.
    fn code_only(text: &str) -> Vec<char> {
        let src: Vec<char> = text.chars().collect();
        let mut out = src.clone();
        let blank = |out: &mut Vec<char>, from: usize, to: usize| {
            for c in out.iter_mut().take(to.min(src.len())).skip(from) {
                if *c != '\n' {
                    *c = ' ';
                }
            }
        };
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let at = |i: usize| src.get(i).copied().unwrap_or('\0');
        let mut i = 0;
        while i < src.len() {
            let c = src[i];
            let prev = if i > 0 { at(i - 1) } else { ' ' };
            if c == '/' && at(i + 1) == '/' {
                let end = (i..src.len())
                    .find(|&j| src[j] == '\n')
                    .unwrap_or(src.len());
                blank(&mut out, i, end);
                i = end;
            } else if c == '/' && at(i + 1) == '*' {
                let (mut depth, mut j) = (1, i + 2);
                while j < src.len() && depth > 0 {
                    if src[j] == '/' && at(j + 1) == '*' {
                        depth += 1;
                        j += 1;
                    } else if src[j] == '*' && at(j + 1) == '/' {
                        depth -= 1;
                        j += 1;
                    }
                    j += 1;
                }
                blank(&mut out, i, j);
                i = j;
            } else if c == 'r'
                && (at(i + 1) == '"' || at(i + 1) == '#')
                && (!ident(prev) || (prev == 'b' && (i < 2 || !ident(at(i - 2)))))
            {
                let hashes = (i + 1..src.len()).take_while(|&j| src[j] == '#').count();
                if at(i + 1 + hashes) != '"' {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let body = i + 2 + hashes;
                let rest: String = src[body..].iter().collect();
                let end = rest.find(&close).map_or(src.len(), |k| {
                    body + rest[..k].chars().count() + close.len()
                });
                blank(&mut out, i, end);
                i = end;
            } else if c == '"' {
                let mut j = i + 1;
                while j < src.len() && src[j] != '"' {
                    j += if src[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
                // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                let mut j = i + 2;
                while j < src.len() && src[j] != '\'' {
                    j += 1;
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            } else {
                i += 1;
            }
        }
        out
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Tok {
        Ident(String),
        Path, // `::`
        Punct(char),
    }

    fn tokens(code: &[char]) -> Vec<(Tok, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < code.len() {
            let c = code[i];
            if c.is_alphabetic() || c == '_' {
                let start = i;
                while i < code.len() && (code[i].is_alphanumeric() || code[i] == '_') {
                    i += 1;
                }
                let word: String = code[start..i].iter().collect();
                out.push((Tok::Ident(word), start));
            } else if c == ':' && code.get(i + 1) == Some(&':') {
                out.push((Tok::Path, i));
                i += 2;
            } else {
                if !c.is_whitespace() {
                    out.push((Tok::Punct(c), i));
                }
                i += 1;
            }
        }
        out
    }

    /// The paths of the use tree starting at `toks[i]`, each segment with its
    /// offset; returns the index after the tree.
    fn use_tree(
        toks: &[(Tok, usize)],
        mut i: usize,
        prefix: Vec<(String, usize)>,
        out: &mut Vec<Vec<(String, usize)>>,
    ) -> usize {
        let mut path = prefix;
        loop {
            match toks.get(i) {
                Some((Tok::Punct('{'), _)) => {
                    i += 1;
                    while !matches!(toks.get(i), None | Some((Tok::Punct('}'), _))) {
                        i = use_tree(toks, i, path.clone(), out);
                        if matches!(toks.get(i), Some((Tok::Punct(','), _))) {
                            i += 1;
                        }
                    }
                    return i + 1;
                }
                Some((Tok::Punct('*'), at)) => {
                    path.push(("*".into(), *at));
                    out.push(path);
                    return i + 1;
                }
                Some((Tok::Ident(word), at)) => {
                    if word != "self" || path.is_empty() {
                        path.push((word.clone(), *at));
                    }
                    i += 1;
                    if matches!(toks.get(i), Some((Tok::Path, _))) {
                        i += 1;
                        continue;
                    }
                    if matches!(toks.get(i), Some((Tok::Ident(w), _)) if w == "as") {
                        i += 2;
                    }
                    out.push(path);
                    return i;
                }
                Some((Tok::Path, _)) => i += 1,
                _ => return i,
            }
        }
    }

    /// A path as written in module `base`, made absolute (`["checks", "nacl_x", ..]`);
    /// `None` for paths from an external crate or a name in scope.
    fn resolve(base: &[String], path: &[(String, usize)]) -> Option<Vec<(String, usize)>> {
        let first = path.first()?;
        let mut out: Vec<(String, usize)> = match first.0.as_str() {
            "crate" => Vec::new(),
            "self" | "super" => base.iter().map(|m| (m.clone(), first.1)).collect(),
            _ => return None,
        };
        let mut rest = &path[1..];
        if first.0 == "super" {
            out.pop();
        }
        while let Some((seg, _)) = rest.first() {
            if seg != "super" {
                break;
            }
            out.pop();
            rest = &rest[1..];
        }
        out.extend(rest.iter().cloned());
        Some(out)
    }

    /// The check modules other than `module`'s own that `text`, the source of
    /// module `module`, names.
    fn scan(
        file: &str,
        text: &str,
        module: &[String],
        checks: &BTreeSet<String>,
    ) -> Vec<Violation> {
        let code = code_only(text);
        let toks = tokens(&code);
        let lines: Vec<&str> = text.lines().collect();
        let own = (module.len() == 2).then(|| module[1].as_str());
        // Inline modules (`mod tests { .. }`) open at a brace depth.
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut found = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let base: Vec<String> = module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(m, _)| m.clone()))
                .collect();
            let mut paths = Vec::new();
            match &toks[i].0 {
                Tok::Punct('{') => {
                    depth += 1;
                    i += 1;
                }
                Tok::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    i += 1;
                }
                Tok::Ident(w) if w == "mod" => {
                    if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
                        (toks.get(i + 1), toks.get(i + 2))
                    {
                        inline.push((name.clone(), depth));
                        depth += 1;
                        i += 3;
                    } else {
                        i += 1;
                    }
                }
                Tok::Ident(w) if w == "use" => {
                    i = use_tree(&toks, i + 1, Vec::new(), &mut paths);
                }
                Tok::Ident(w)
                    if ["crate", "super", "self"].contains(&w.as_str())
                        && matches!(toks.get(i + 1), Some((Tok::Path, _)))
                        && (i == 0 || toks[i - 1].0 != Tok::Path) =>
                {
                    let mut path = Vec::new();
                    while let Some((Tok::Ident(seg), at)) = toks.get(i) {
                        path.push((seg.clone(), *at));
                        i += 1;
                        if !matches!(toks.get(i), Some((Tok::Path, _))) {
                            break;
                        }
                        i += 1;
                    }
                    paths.push(path);
                }
                _ => i += 1,
            }
            for path in paths {
                let Some(abs) = resolve(&base, &path) else {
                    continue;
                };
                if abs.len() < 2 || abs[0].0 != "checks" {
                    continue;
                }
                let (named, at) = &abs[1];
                let other = checks.contains(named) && Some(named.as_str()) != own;
                if other || named == "*" {
                    let line = code[..*at].iter().filter(|&&c| c == '\n').count() + 1;
                    found.push(Violation {
                        file: file.to_string(),
                        line,
                        text: lines.get(line - 1).map_or("", |l| l.trim()).to_string(),
                        named: named.clone(),
                    });
                }
            }
        }
        // One report per line and check, however many items the line imports.
        found.dedup_by(|a, b| a.line == b.line && a.named == b.named);
        found
    }
}
