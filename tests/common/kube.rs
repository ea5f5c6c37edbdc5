//! The fake Kubernetes API server of `mocks/kube_server.py` on a free loopback port,
//! and kubeconfig files pointing at it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command};
use std::time::Duration;

use serde::Deserialize;

use super::{python, repo};

pub struct FakeKube {
    child: Child,
    _stdin: ChildStdin,
    _dir: tempfile::TempDir,
    pub port: u16,
    pub url: String,
}

/// One request the fake answered.
#[derive(Debug, Clone, Deserialize)]
pub struct KubeRequest {
    pub method: String,
    pub path: String,
    pub query: std::collections::BTreeMap<String, String>,
    pub status: u16,
    /// `none`, `token`, `eks` or `bad`.
    pub auth: String,
    /// The decoded presigned URL of an EKS token.
    pub token_url: Option<String>,
}

impl FakeKube {
    /// Starts the fake with a scenario (see the docstring of mocks/kube_server.py).
    pub fn start(scenario: &serde_json::Value) -> FakeKube {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("scenario.json");
        std::fs::write(&file, scenario.to_string()).expect("write scenario");
        let mut cmd = Command::new(python());
        cmd.arg(repo().join("mocks/kube_server.py"))
            .args(["--port", "0", "--host", "127.0.0.1", "--scenario"])
            .arg(&file);
        let (child, stdin, port) =
            super::spawn_ready(cmd, "VPCAUDIT_KUBE_READY port=", "the fake Kubernetes API");
        FakeKube {
            child,
            _stdin: stdin,
            _dir: dir,
            port,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Every request answered so far.
    pub fn requests(&self) -> Vec<KubeRequest> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the fake");
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        write!(
            stream,
            "GET /_fake/requests HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP answer");
        serde_json::from_str(body).expect("request log is JSON")
    }

    /// The requests for one path.
    pub fn requests_for(&self, path: &str) -> Vec<KubeRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

impl Drop for FakeKube {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A kubeconfig with one context per `(context, server, token)`, the first current.
pub fn kubeconfig(dir: &Path, contexts: &[(&str, &str, &str)]) -> PathBuf {
    let mut clusters = String::new();
    let mut users = String::new();
    let mut named = String::new();
    for (name, server, token) in contexts {
        clusters.push_str(&format!(
            "- name: {name}-cluster\n  cluster:\n    server: {server}\n"
        ));
        users.push_str(&format!(
            "- name: {name}-user\n  user:\n    token: {token}\n"
        ));
        named.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}-cluster\n    user: {name}-user\n"
        ));
    }
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {}\nclusters:\n{clusters}users:\n{users}contexts:\n{named}",
        contexts.first().map_or("", |c| c.0)
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
