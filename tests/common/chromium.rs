//! Headless Chromium for the report tests: finding it (a failure under CI when it is
//! missing, a skip with a note elsewhere), and running it (and other programs) in its
//! own process group with a time limit, the whole group killed after each run.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one browser (or `dot`) run may take.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Finding programs

/// The first `program` on PATH that is an executable file.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `/usr/bin/chromium`, or `chromium` on PATH. Missing: a failure under CI, a skip
/// (with a note) elsewhere.
pub fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if is_executable(&fixed) {
        return Some(fixed);
    }
    if let Some(found) = on_path("chromium") {
        return Some(found);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "chromium is not installed (neither /usr/bin/chromium nor `chromium` on PATH), \
             and CI is set: the HTML report cannot be checked in a browser. \
             scripts/test installs Debian's `chromium` package; run it, or \
             `apt-get install chromium`."
        );
    }
    eprintln!("note: chromium not found; skipping the browser part of this test");
    None
}

// ---------------------------------------------------------------------------
// Running chromium with a time limit

pub struct Ran {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `cmd` in its own process group with stdout and stderr in files (no pipe to
/// fill), killing the whole group when it is not done within `timeout`.
pub fn run_with_timeout(mut cmd: Command, dir: &Path, timeout: Duration) -> Ran {
    let out_path = dir.join("stdout");
    let err_path = dir.join("stderr");
    let out = std::fs::File::create(&out_path).expect("create stdout file");
    let err = std::fs::File::create(&err_path).expect("create stderr file");
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    let mut child = cmd.spawn().expect("start chromium");
    let group = child.id();
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break status,
            None if started.elapsed() > timeout => {
                kill_group(group);
                let _ = child.wait();
                panic!(
                    "chromium did not finish within {timeout:?} and was killed; stderr:\n{}",
                    std::fs::read_to_string(&err_path).unwrap_or_default()
                );
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    // Helpers it left behind (its zygote, crash handler) go with it.
    kill_group(group);
    Ran {
        status,
        stdout: std::fs::read(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// SIGKILL to the process group we created for one chromium run (by its id).
pub fn kill_group(group: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn chromium_command(chromium: &Path, work: &Path, name: &str) -> (Command, PathBuf) {
    let dir = work.join(name);
    std::fs::create_dir_all(&dir).expect("create chromium work dir");
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile).expect("create profile dir");
    let mut cmd = Command::new(chromium);
    cmd.env("HOME", &dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    (cmd, dir)
}

fn file_url(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).expect("absolute report path");
    format!("file://{}", abs.display())
}

/// A PNG screenshot of the page, checked to be a real picture.
pub fn screenshot(chromium: &Path, work: &Path, page: &Path) -> PathBuf {
    let (mut cmd, dir) = chromium_command(chromium, work, "screenshot");
    let shot = work.join("shot.png");
    cmd.arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1600,1200")
        .arg(file_url(page));
    let ran = run_with_timeout(cmd, &dir, BROWSER_TIMEOUT);
    assert!(
        ran.status.success(),
        "chromium --screenshot failed ({}):\n{}",
        ran.status,
        ran.stderr
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {}: {e}; chromium said:\n{}",
            shot.display(),
            ran.stderr
        )
    });
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG"
    );
    assert!(
        png.len() > 20 * 1024,
        "the screenshot is only {} bytes: a blank page?",
        png.len()
    );
    shot
}

/// The DOM as Chromium built it from the page.
pub fn dump_dom(chromium: &Path, work: &Path, page: &Path) -> String {
    let (mut cmd, dir) = chromium_command(chromium, work, "dump-dom");
    cmd.arg("--dump-dom").arg(file_url(page));
    let ran = run_with_timeout(cmd, &dir, BROWSER_TIMEOUT);
    assert!(
        ran.status.success(),
        "chromium --dump-dom failed ({}):\n{}",
        ran.status,
        ran.stderr
    );
    let dom = String::from_utf8(ran.stdout).expect("the DOM is UTF-8");
    assert!(
        dom.contains("</html>"),
        "no document dumped; chromium said:\n{}",
        ran.stderr
    );
    dom
}
