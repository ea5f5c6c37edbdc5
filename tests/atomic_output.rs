//! Output files are replaced whole or not at all: a run that fails or is killed
//! while writing never leaves a half-written SARIF (or JSON, CSV...) for an importer.

mod common;

use std::path::Path;
use std::process::Command;

use common::vpcaudit_offline;

const OLD: &str = "{\"previous\": \"run\"}\n";

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// The process is killed (SIGXFSZ) part-way through writing the SARIF: the file the
/// importer reads is still the previous run's, complete.
#[test]
fn a_run_killed_while_writing_leaves_the_previous_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("vpcaudit.sarif");
    std::fs::write(&sarif, OLD).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("vpcaudit");
    // 16 KiB per file: the demo's SARIF is far larger, so the write is cut short.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 16 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(["scan", "--demo", "--format", "sarif", "--fail-on", "never"])
        .arg("--output-dir")
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the file size limit was not hit");
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), OLD);

    // Without the limit the same run replaces it with a complete log.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--format", "sarif", "--fail-on", "never"])
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert!(text.len() > 16 * 1024);
    let log: serde_json::Value = serde_json::from_str(&text).expect("complete JSON");
    assert_eq!(log["version"], "2.1.0");
}

/// One output cannot be written (its name is taken by a directory): exit 6 with a
/// one-line error; no temporary files are left; every file present is whole.
#[test]
fn a_failed_write_leaves_whole_files_and_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("vpcaudit.sarif");
    std::fs::write(&sarif, OLD).unwrap();
    std::fs::create_dir(dir.path().join("vpcaudit.csv")).unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--fail-on", "never"])
        .args(["--format", "csv", "--format", "sarif", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("vpcaudit.csv"), "{stderr}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    // The SARIF after the failed CSV was not attempted: still the old, whole file.
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), OLD);
}

/// The output that cannot be written comes after one that can: that one is not
/// replaced either, since the failing target is refused before anything is renamed.
#[test]
fn an_unwritable_later_output_leaves_the_earlier_ones_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("vpcaudit.sarif");
    std::fs::write(&sarif, OLD).unwrap();
    std::fs::create_dir(dir.path().join("vpcaudit.csv")).unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--fail-on", "never"])
        .args(["--format", "sarif", "--format", "csv", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("vpcaudit.csv"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), OLD);
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}
