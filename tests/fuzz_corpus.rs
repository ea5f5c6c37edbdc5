//! Replays the fuzz corpus and the saved crash inputs (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the fuzz targets' own code
//! (`fuzz/entry.rs`), on stable, in every `cargo test`: an input that once broke a
//! parser stays fixed, without nightly or libFuzzer.

#[path = "../fuzz/entry.rs"]
mod entry;

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; the directory must hold some, or
/// the replay would pass having checked nothing.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no files", dir.display());
    files
}

/// Runs every corpus and regression input of `target`; fails naming each input that
/// panicked.
fn replay(target: &str) {
    let run = entry::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, run)| *run)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let mut failed = Vec::new();
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        for path in inputs(kind, target) {
            let data = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            count += 1;
            // The panic message itself is printed by the default hook.
            if panic::catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {count} inputs of {target} panicked:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn inventory_json() {
    replay("inventory_json");
}

#[test]
fn suricata_rules() {
    replay("suricata_rules");
}

#[test]
fn config_toml() {
    replay("config_toml");
}

#[test]
fn mutes_toml() {
    replay("mutes_toml");
}

#[test]
fn baseline_json() {
    replay("baseline_json");
}

/// Every directory under `fuzz/corpus` and `fuzz/regressions` is a target's, and
/// every target has both: a renamed target cannot leave its inputs unreplayed.
#[test]
fn every_input_directory_belongs_to_a_target() {
    let names: Vec<&str> = entry::TARGETS.iter().map(|(name, _)| *name).collect();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind);
        let mut found: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        found.sort();
        let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        want.sort();
        assert_eq!(found, want, "the directories of {}", dir.display());
    }
}
