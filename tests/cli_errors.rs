//! Bad input: every mistake gets one clear line on stderr and its own exit code,
//! never a panic.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{one_stderr_line, vpcaudit_offline, Emulator};

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = vpcaudit_offline()
        .args(["scan", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn corrupt_inventory_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(
        &path,
        "{\n  \"schema\": \"vpcaudit/inventory/v1\",\n  \"accounts\": [,]\n}\n",
    )
    .unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out).replace(&dir.path().display().to_string(), "<dir>");
    insta::assert_snapshot!(line, @"vpcaudit: error: invalid inventory <dir>/inv.json at line 3, column 16: expected value");
}

#[test]
fn config_typos_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpcaudit.toml");
    std::fs::write(&path, "[lateral]\nmax_hops = 3\nuntrustd = []\n").unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out).replace(&dir.path().display().to_string(), "<dir>");
    assert!(
        line.starts_with("vpcaudit: error: config <dir>/vpcaudit.toml: line 3, column 1: unknown field `untrustd`"),
        "{line}"
    );
    // A missing file is an input error too.
    let out = vpcaudit_offline()
        .args(["scan", "--demo", "--config"])
        .arg(dir.path().join("absent.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("cannot read config"));
}

#[test]
fn config_changes_the_lateral_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpcaudit.toml");
    let run = |config: Option<&std::path::Path>| {
        let mut cmd = vpcaudit_offline();
        cmd.args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--checks",
            "lateral-movement-path,lateral-blast-radius",
        ]);
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let doc = common::scan_json(&mut cmd);
        doc["findings"].as_array().unwrap().clone()
    };
    let default = run(None);
    let hops = |f: &serde_json::Value| f["path"]["hops"].as_array().map_or(0, |h| h.len());
    assert!(
        default.iter().any(|f| hops(f) == 2),
        "the demo has 2-hop paths"
    );
    std::fs::write(&path, "[lateral]\nmax_hops = 1\npaths_per_jewel = 1\n").unwrap();
    let one = run(Some(&path));
    assert!(!one.is_empty());
    assert!(one
        .iter()
        .filter(|f| f["check"] == "lateral-movement-path")
        .all(|f| hops(f) == 1));
    assert!(one
        .iter()
        .filter(|f| f["check"] == "lateral-blast-radius")
        .all(|f| f["blast_radius"]["within"].as_array().unwrap().len() == 1));
    let per_jewel = |fs: &[serde_json::Value]| {
        let mut ids: Vec<String> = fs
            .iter()
            .filter(|f| f["check"] == "lateral-movement-path")
            .map(|f| f["resource"]["id"].as_str().unwrap().to_string())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        (n, ids.len())
    };
    let (paths, jewels) = per_jewel(&one);
    assert_eq!(paths, jewels, "one path per jewel");
}

#[test]
fn truncated_inventory_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, "{\"schema\": \"vpcaudit/inventory/v1\", \"tool_ver").unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("at line 1, column"));
}

#[test]
fn inventory_of_another_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(
        &path,
        r#"{"schema":"vpcaudit/inventory/v9","tool_version":"9","collected_at":0,"accounts":[],"coverage":[]}"#,
    )
    .unwrap();
    let out = vpcaudit_offline()
        .args(["scan", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_stderr_line(&out).contains("vpcaudit/inventory/v9"));
}

#[test]
fn missing_inventory_file() {
    let out = vpcaudit_offline()
        .args(["scan", "--inventory", "/nonexistent/inventory.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(one_stderr_line(&out), @"vpcaudit: error: cannot read inventory /nonexistent/inventory.json: No such file or directory (os error 2)");
}

#[test]
fn inventory_and_aws_options_conflict() {
    let out = vpcaudit_offline()
        .args(["scan", "--inventory", "x.json", "--regions", "us-east-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn malformed_region_name_fails_before_any_call() {
    let out = vpcaudit_offline()
        .args(["collect", "--regions", "us-east-1,mars", "--output", "-"])
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", closed_port()),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(one_stderr_line(&out), @r#"vpcaudit: error: invalid region name "mars""#);
}

#[test]
fn no_region_configured() {
    let emu = Emulator::start();
    let out = emu
        .vpcaudit()
        .env_remove("AWS_REGION")
        .args(["collect", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(one_stderr_line(&out), @"vpcaudit: error: no AWS region configured: pass --regions or set AWS_REGION");
}

#[test]
fn missing_credentials() {
    let out = vpcaudit_offline()
        .args(["collect", "--regions", "us-east-1", "--output", "-"])
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", closed_port()),
        )
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(one_stderr_line(&out).starts_with("vpcaudit: error: no AWS credentials found"));
}

/// An instance metadata endpoint on loopback that refuses every request with 403,
/// as a proxy or a locked-down metadata service does.
fn forbidding_metadata_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    url
}

/// No credentials anywhere (empty HOME, no AWS_* variables): one line saying so,
/// where the chain looked and how to provide them, exit 4, whatever instance
/// metadata does: disabled, unreachable, or refusing.
#[test]
fn no_credentials_anywhere_says_where_it_looked() {
    let home = tempfile::tempdir().unwrap();
    let metadata: [(&str, Option<String>); 3] = [
        ("disabled", None),
        (
            "unreachable",
            Some(format!("http://127.0.0.1:{}", closed_port())),
        ),
        ("forbidden", Some(forbidding_metadata_endpoint())),
    ];
    for (case, endpoint) in metadata {
        let mut cmd = vpcaudit_offline();
        cmd.env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env("HOME", home.path())
            // Never used (no credentials, no request), but nothing may leave loopback.
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", closed_port()),
            )
            .args(["scan", "--regions", "us-east-1"])
            .timeout(Duration::from_secs(60));
        if let Some(endpoint) = &endpoint {
            cmd.env_remove("AWS_EC2_METADATA_DISABLED")
                .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{case}: {stderr}");
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
        let line = one_stderr_line(&out);
        assert!(
            line.starts_with("vpcaudit: error: no AWS credentials found: looked in "),
            "{case}: {line}"
        );
        for place in [
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            "profile `default`",
            "~/.aws/config",
            "~/.aws/credentials",
            "SSO",
            "web identity token",
            "container credentials",
            "instance metadata",
        ] {
            assert!(line.contains(place), "{case}: no {place:?} in {line}");
        }
        for remedy in ["--profile NAME", "`aws sso login", "`aws configure`"] {
            assert!(line.contains(remedy), "{case}: no {remedy:?} in {line}");
        }
        assert_eq!(
            line.contains("disabled by AWS_EC2_METADATA_DISABLED"),
            endpoint.is_none(),
            "{case}: {line}"
        );
    }

    // The profile named is the one used: here one that sets a region only.
    let config = home.path().join("config");
    std::fs::write(&config, "[profile audit]\nregion = eu-west-1\n").unwrap();
    let out = vpcaudit_offline()
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", closed_port()),
        )
        .args(["scan", "--profile", "audit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let line = one_stderr_line(&out);
    assert!(
        line.contains(&format!(
            "profile `audit` of the shared config and credentials files ({}, ",
            config.display()
        )),
        "{line}"
    );
}

#[test]
fn unreachable_endpoint_is_named_within_bounded_time() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let out = vpcaudit_offline()
        .args([
            "collect",
            "--regions",
            "us-east-1",
            "--output",
            "-",
            "--endpoint-url",
            &endpoint,
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = one_stderr_line(&out);
    assert!(
        line.starts_with(&format!(
            "vpcaudit: error: cannot reach the AWS endpoint {endpoint}"
        )),
        "{line}"
    );
    // Bounded: retries give up well before the test's own limit.
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn unknown_region_against_the_emulator() {
    let emu = Emulator::start();
    let out = emu
        .vpcaudit()
        .args([
            "collect",
            "--regions",
            "us-east-1,xx-nowhere-9",
            "--output",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = one_stderr_line(&out);
    assert!(
        line.starts_with("vpcaudit: error: unknown region \"xx-nowhere-9\" (this account knows: "),
        "{line}"
    );
    assert!(line.contains("eu-west-1"), "{line}");
}

#[test]
fn unwritable_output_leaves_nothing_behind() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("inventory.json");
    let out = emu
        .vpcaudit()
        .args(["collect", "--output"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(one_stderr_line(&out).contains("cannot write"));
    assert!(!target.exists());
}

#[test]
fn profiles_from_the_shared_files_are_used() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[audit]\naws_access_key_id = test\naws_secret_access_key = test\nregion = eu-west-1\n",
    )
    .unwrap();
    let out_path = dir.path().join("inv.json");
    let out = vpcaudit_offline()
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_ENDPOINT_URL", &emu.url)
        .args(["collect", "--profile", "audit", "--output"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = vpcaudit::inventory::Inventory::load(&out_path).unwrap();
    // The region came from the profile.
    assert_eq!(inv.accounts[0].regions[0].region, "eu-west-1");

    let out = vpcaudit_offline()
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_ENDPOINT_URL", &emu.url)
        .args(["collect", "--profile", "nosuch", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    insta::assert_snapshot!(one_stderr_line(&out), @"vpcaudit: error: invalid profile: profile `nosuch` is not defined in the AWS config or credentials files");
}

#[test]
fn all_regions_means_every_enabled_region() {
    let emu = Emulator::start();
    let inv = emu.collect(&["--regions", "all"]);
    let regions: Vec<&str> = inv.accounts[0]
        .regions
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    assert!(regions.len() > 10, "{regions:?}");
    assert!(regions.contains(&"us-east-1") && regions.contains(&"eu-west-1"));
    let mut sorted = regions.clone();
    sorted.sort();
    assert_eq!(regions, sorted);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
}
