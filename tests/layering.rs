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
    ("source_text", &[]),
    ("secrets", &[]),
    ("files", &[]),
    ("inventory", &["source_text"]),
    // Inventories made up for demos, tests and benchmarks.
    ("demo", &["inventory"]),
    ("synth", &["inventory"]),
    ("config", &["finding", "inventory", "source_text"]),
    ("reach", &["inventory"]),
    (
        "checks",
        &["finding", "inventory", "config", "reach", "source_text"],
    ),
    ("report", &["finding", "inventory"]),
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
        ],
    ),
    ("collect", &["inventory", "secrets"]),
    ("logging", &["secrets"]),
    // The binary's layer: it may use everything.
    (
        "cli",
        &[
            "finding",
            "inventory",
            "config",
            "reach",
            "checks",
            "report",
            "scan",
            "collect",
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
