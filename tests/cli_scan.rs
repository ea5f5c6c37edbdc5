//! `vpcaudit scan` as a new user first meets it.

mod common;

use common::vpcaudit_offline;

#[test]
fn demo_scan_works_with_no_aws_at_all() {
    let out = vpcaudit_offline()
        .args(["scan", "--demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn saved_inventory_scans_like_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, include_str!("../src/demo/inventory.json")).unwrap();
    let from_file = vpcaudit_offline()
        .args(["scan", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    let demo = vpcaudit_offline()
        .args(["scan", "--demo"])
        .output()
        .unwrap();
    assert_eq!(from_file.status.code(), Some(0));
    assert_eq!(from_file.stdout, demo.stdout);
}

#[test]
fn help_lists_the_commands() {
    let out = vpcaudit_offline().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("collect") && text.contains("scan"), "{text}");
}
