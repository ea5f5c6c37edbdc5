//! Reads a cluster's objects from its API server: `/version`, then every kind
//! vpcaudit reads, listed cluster-wide page by page (`limit` and `continue`). Each
//! failure is a [`KubeGap`], never an error: the rest of the scan goes on.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::params::ListParams;
use serde_json::{json, Value};
use thiserror::Error;

use super::objects;
use crate::collect::error::one_line;
use crate::inventory::{EksCluster, KubeCluster, KubeGap, KubeGapReason, KubeKind, KubeSource};

/// The default page size of a list: what kubectl asks for.
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// How Kubernetes is read. Nothing is read unless a kubeconfig, a context or `--eks`
/// is given.
#[derive(Debug, Clone)]
pub struct KubeOptions {
    /// `--kubeconfig`; with only `--context`, KUBECONFIG or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: the contexts to read; none means the current context.
    pub contexts: Vec<String>,
    /// `--eks`: every EKS cluster collected, with a token vpcaudit presigns.
    pub eks: bool,
    /// Items per page of a list.
    pub page_size: u32,
    /// Time for one request; connecting gets at most 5 s of it.
    pub request_timeout: Duration,
}

impl Default for KubeOptions {
    fn default() -> Self {
        KubeOptions {
            kubeconfig: None,
            contexts: Vec::new(),
            eks: false,
            page_size: DEFAULT_PAGE_SIZE,
            request_timeout: Duration::from_secs(20),
        }
    }
}

impl KubeOptions {
    /// Whether any cluster is read through a kubeconfig.
    pub fn uses_kubeconfig(&self) -> bool {
        self.kubeconfig.is_some() || !self.contexts.is_empty()
    }
}

/// A kubeconfig that cannot be used at all: the run stops before anything is read.
#[derive(Debug, Error)]
pub enum KubeconfigError {
    #[error("cannot read the kubeconfig {path}: {message}")]
    Read { path: String, message: String },
    #[error("the kubeconfig {path} has no context {context:?} (it has: {known})")]
    UnknownContext {
        path: String,
        context: String,
        known: String,
    },
    #[error("the kubeconfig {path} has no current context: pass --context")]
    NoCurrentContext { path: String },
}

/// The kubeconfig and the contexts to read from it, checked before collection starts.
#[derive(Clone)]
pub struct KubeconfigTargets {
    kubeconfig: Kubeconfig,
    pub contexts: Vec<String>,
}

/// The contexts only: a kubeconfig holds credentials.
impl std::fmt::Debug for KubeconfigTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeconfigTargets")
            .field("contexts", &self.contexts)
            .finish_non_exhaustive()
    }
}

/// Loads the kubeconfig and checks that every context asked for is in it.
pub fn kubeconfig_targets(
    opts: &KubeOptions,
) -> Result<Option<KubeconfigTargets>, KubeconfigError> {
    if !opts.uses_kubeconfig() {
        return Ok(None);
    }
    let (kubeconfig, path) = match &opts.kubeconfig {
        Some(path) => (Kubeconfig::read_from(path), path.display().to_string()),
        None => (
            Kubeconfig::read(),
            "(KUBECONFIG or ~/.kube/config)".to_string(),
        ),
    };
    let kubeconfig = kubeconfig.map_err(|e| KubeconfigError::Read {
        path: path.clone(),
        message: crate::secrets::redact(&one_line(&e.to_string())).into_owned(),
    })?;
    // Its tokens and passwords are credentials: whatever echoes them later (an error
    // of the API server, a log line) must not print them.
    for user in &kubeconfig.auth_infos {
        let Some(auth) = &user.auth_info else {
            continue;
        };
        for secret in [&auth.token, &auth.password].into_iter().flatten() {
            crate::secrets::register(secrecy::ExposeSecret::expose_secret(secret));
        }
    }
    let contexts = if opts.contexts.is_empty() {
        vec![kubeconfig
            .current_context
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(KubeconfigError::NoCurrentContext { path: path.clone() })?]
    } else {
        // Each context once, in the order given.
        let mut seen = std::collections::BTreeSet::new();
        let mut c = opts.contexts.clone();
        c.retain(|name| seen.insert(name.clone()));
        c
    };
    for context in &contexts {
        if !kubeconfig.contexts.iter().any(|c| &c.name == context) {
            return Err(KubeconfigError::UnknownContext {
                path,
                context: context.clone(),
                known: kubeconfig
                    .contexts
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(Some(KubeconfigTargets {
        kubeconfig,
        contexts,
    }))
}

/// Reads one kubeconfig context (its exec plugins, e.g. `aws eks get-token`, run
/// through kube).
pub async fn read_context(
    targets: &KubeconfigTargets,
    context: &str,
    opts: &KubeOptions,
) -> KubeCluster {
    let mut cluster = KubeCluster::new(
        context,
        KubeSource::Kubeconfig {
            context: context.to_string(),
        },
    );
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..KubeConfigOptions::default()
    };
    match kube::Config::from_custom_kubeconfig(targets.kubeconfig.clone(), &options).await {
        Ok(config) => read_cluster(&mut cluster, config, opts).await,
        Err(e) => cluster.gaps.push(whole_cluster(
            KubeGapReason::Credentials,
            None,
            &format!("cannot use the context: {e}"),
        )),
    }
    cluster
}

/// Reads an EKS cluster's API server with a presigned token, linked to the cluster.
pub async fn read_eks(
    aws: &aws_config::SdkConfig,
    account_id: &str,
    region: &str,
    eks: &EksCluster,
    opts: &KubeOptions,
) -> KubeCluster {
    let mut cluster = KubeCluster::new(&eks.name, KubeSource::Eks);
    cluster.arn = (!eks.arn.is_empty()).then(|| eks.arn.clone());
    cluster.account_id = Some(account_id.to_string());
    cluster.region = Some(region.to_string());
    match eks_config(aws, region, eks).await {
        Ok(config) => read_cluster(&mut cluster, config, opts).await,
        Err(message) => {
            cluster
                .gaps
                .push(whole_cluster(KubeGapReason::Credentials, None, &message))
        }
    }
    cluster
}

/// A client configuration for an EKS cluster: its endpoint and CA, and a token.
async fn eks_config(
    aws: &aws_config::SdkConfig,
    region: &str,
    eks: &EksCluster,
) -> Result<kube::Config, String> {
    let endpoint = eks
        .endpoint
        .as_deref()
        .filter(|e| !e.is_empty())
        .ok_or("EKS gave no API server endpoint (is the cluster still being created?)")?;
    let tls = endpoint.starts_with("https://");
    // A token is a credential: never sent in clear text but to this machine (an
    // emulator).
    if !tls && !is_loopback_http(endpoint) {
        return Err(format!(
            "refusing to send a token to {endpoint}: not an https:// endpoint"
        ));
    }
    let ca = match (&eks.certificate_authority, tls) {
        (Some(ca), true) => Some(ca.clone()),
        (None, true) => return Err("EKS gave no certificate authority for the endpoint".into()),
        (_, false) => None,
    };
    let token = super::token::eks_token(aws, region, &eks.name)
        .await
        .map_err(|e| e.to_string())?;
    let mut cluster = json!({ "server": endpoint });
    if let Some(ca) = ca {
        cluster["certificate-authority-data"] = Value::String(ca);
    }
    let kubeconfig: Kubeconfig = serde_json::from_value(json!({
        "clusters": [{ "name": eks.name, "cluster": cluster }],
        "users": [{ "name": "vpcaudit", "user": { "token": token } }],
        "contexts": [{ "name": eks.name, "context": { "cluster": eks.name, "user": "vpcaudit" } }],
        "current-context": eks.name,
    }))
    .map_err(|e| format!("cannot configure the client: {e}"))?;
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| format!("cannot configure the client: {e}"))
}

fn is_loopback_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // `http://localhost:1@elsewhere/` is elsewhere.
    if host.contains('@') {
        return false;
    }
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The whole cluster could not be read.
fn whole_cluster(reason: KubeGapReason, status: Option<u16>, message: &str) -> KubeGap {
    KubeGap {
        kind: None,
        reason,
        status,
        message: clean(message),
    }
}

/// Gap messages end up in reports: one line, no credential.
fn clean(message: &str) -> String {
    crate::secrets::redact(&one_line(message)).into_owned()
}

/// What one request gave instead of an answer.
#[derive(Debug)]
struct Failure {
    reason: KubeGapReason,
    status: Option<u16>,
    message: String,
}

impl Failure {
    fn from_kube(e: kube::Error) -> Failure {
        let (reason, status) = match &e {
            kube::Error::Api(s) => (
                match s.code {
                    401 => KubeGapReason::Unauthorized,
                    403 => KubeGapReason::Forbidden,
                    _ => KubeGapReason::ServerError,
                },
                Some(s.code),
            ),
            kube::Error::Auth(_) => (KubeGapReason::Credentials, None),
            kube::Error::SerdeError(_) | kube::Error::FromUtf8(_) => {
                (KubeGapReason::InvalidResponse, None)
            }
            _ => (KubeGapReason::Unreachable, None),
        };
        let message = match &e {
            kube::Error::Api(s) if !s.message.is_empty() => s.message.clone(),
            _ => error_chain(&e),
        };
        Failure {
            reason,
            status,
            message: clean(&message),
        }
    }

    fn invalid(message: String) -> Failure {
        Failure {
            reason: KubeGapReason::InvalidResponse,
            status: None,
            message: clean(&message),
        }
    }

    fn timeout(after: Duration) -> Failure {
        Failure {
            reason: KubeGapReason::Unreachable,
            status: None,
            message: format!("no answer within {} s", after.as_secs()),
        }
    }

    fn gap(self, kind: Option<KubeKind>) -> KubeGap {
        KubeGap {
            kind,
            reason: self.reason,
            status: self.status,
            message: self.message,
        }
    }
}

/// An error with its causes: a TLS or connection failure says what it was only there.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Reads the server version and every kind into `cluster`.
async fn read_cluster(cluster: &mut KubeCluster, mut config: kube::Config, opts: &KubeOptions) {
    config.connect_timeout = Some(opts.request_timeout.min(Duration::from_secs(5)));
    config.read_timeout = Some(opts.request_timeout);
    let client = match kube::Client::try_from(config) {
        Ok(c) => c,
        Err(e) => {
            let f = Failure::from_kube(e);
            cluster.gaps.push(whole_cluster(
                KubeGapReason::Credentials,
                None,
                &format!("cannot make a client: {}", f.message),
            ));
            return;
        }
    };
    let timeout = opts.request_timeout * 2;
    // The version first: a server that cannot be reached or that refuses the
    // credentials is one gap for the cluster, not one per kind.
    match tokio::time::timeout(timeout, client.apiserver_version()).await {
        Ok(Ok(info)) => {
            cluster.server_version = Some(format!(
                "{}.{}",
                info.major,
                info.minor.trim_end_matches('+')
            ));
        }
        Ok(Err(e)) => {
            let f = Failure::from_kube(e);
            match f.reason {
                KubeGapReason::Unreachable
                | KubeGapReason::Unauthorized
                | KubeGapReason::Credentials => {
                    tracing::warn!(cluster = %cluster.name, reason = %f.reason, error = %f.message, "Kubernetes cluster not read");
                    cluster.gaps.push(f.gap(None));
                    return;
                }
                // Some servers hide /version; the lists may still be readable.
                _ => {
                    tracing::debug!(cluster = %cluster.name, error = %f.message, "no server version")
                }
            }
        }
        Err(_) => {
            cluster.gaps.push(Failure::timeout(timeout).gap(None));
            return;
        }
    }
    for kind in KubeKind::ALL {
        match list(&client, kind, opts.page_size, timeout).await {
            Ok(items) => add_items(cluster, kind, &items),
            Err(f) if f.status == Some(404) && kind.optional() => cluster.not_served.push(kind),
            Err(f) => {
                tracing::warn!(cluster = %cluster.name, kind = %kind, reason = %f.reason, error = %f.message, "Kubernetes kind not read");
                cluster.gaps.push(f.gap(Some(kind)));
            }
        }
    }
}

/// Hands every item to the objects reader; an item it cannot read is a gap for its
/// kind (the first one named, with how many there were).
fn add_items(cluster: &mut KubeCluster, kind: KubeKind, items: &[Value]) {
    let mut errors = Vec::new();
    for item in items {
        if let Err(e) = objects::add_object(cluster, item) {
            errors.push(e);
        }
    }
    if let Some(first) = errors.first() {
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        cluster.gaps.push(KubeGap {
            kind: Some(kind),
            reason: KubeGapReason::InvalidResponse,
            status: None,
            message: clean(&format!("{first}{more}")),
        });
    }
}

/// The list URL of a kind, cluster-wide.
pub fn list_path(kind: KubeKind) -> String {
    match kind.api_version() {
        "v1" => format!("/api/v1/{}", kind.plural()),
        group_version => format!("/apis/{group_version}/{}", kind.plural()),
    }
}

/// How many request timeouts one whole list (every page) may take.
const LIST_TIMEOUTS: u32 = 30;

/// Every object of `kind`, page by page. List items carry no `kind` or
/// `apiVersion` of their own; they get the list's, as `kubectl get -o json` gives them.
async fn list(
    client: &kube::Client,
    kind: KubeKind,
    page_size: u32,
    timeout: Duration,
) -> Result<Vec<Value>, Failure> {
    let request = kube::core::Request::new(list_path(kind));
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    // A server that pages forever (a repeated token, or endless pages) must not hold
    // the scan: the whole list gets a bounded time, and a token seen twice is an error.
    let deadline = tokio::time::Instant::now() + timeout * LIST_TIMEOUTS;
    let mut seen = std::collections::HashSet::new();
    loop {
        if tokio::time::Instant::now() > deadline {
            return Err(Failure::timeout(timeout * LIST_TIMEOUTS));
        }
        let mut params = ListParams::default().limit(page_size.max(1));
        if let Some(token) = &next {
            params = params.continue_token(token);
        }
        let http = request
            .list(&params)
            .map_err(|e| Failure::invalid(format!("cannot build the request: {e}")))?;
        let text = tokio::time::timeout(timeout, client.request_text(http))
            .await
            .map_err(|_| Failure::timeout(timeout))?
            .map_err(Failure::from_kube)?;
        let page: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::invalid(format!("the list is not JSON: {e}")))?;
        let Some(page_items) = page.get("items").and_then(Value::as_array) else {
            return Err(Failure::invalid(format!(
                "the answer is not a list (kind {})",
                page.get("kind").and_then(Value::as_str).unwrap_or("none")
            )));
        };
        let item_kind = page
            .get("kind")
            .and_then(Value::as_str)
            .and_then(|k| k.strip_suffix("List"))
            .unwrap_or(kind.as_str())
            .to_string();
        let api_version = page
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or(kind.api_version())
            .to_string();
        for item in page_items {
            let mut item = item.clone();
            if let Some(object) = item.as_object_mut() {
                object
                    .entry("kind")
                    .or_insert_with(|| Value::String(item_kind.clone()));
                object
                    .entry("apiVersion")
                    .or_insert_with(|| Value::String(api_version.clone()));
            }
            items.push(item);
        }
        next = page
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        match &next {
            None => return Ok(items),
            Some(token) if !seen.insert(token.clone()) => {
                return Err(Failure::invalid(
                    "the server repeated a continue token: the list never ends".to_string(),
                ))
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_tokens_and_passwords_are_redacted_once_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kubeconfig");
        let token = "kubeconfig-static-token-3f9a2c71";
        let password = "kubeconfig-basic-password-8e41d0";
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  \
                 cluster:\n    server: http://127.0.0.1:9\nusers:\n- name: u\n  user:\n    \
                 token: {token}\n- name: b\n  user:\n    username: admin\n    password: \
                 {password}\ncontexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n"
            ),
        )
        .expect("write kubeconfig");
        let opts = KubeOptions {
            kubeconfig: Some(path),
            ..KubeOptions::default()
        };
        let targets = kubeconfig_targets(&opts).expect("reads").expect("targets");
        assert_eq!(targets.contexts, ["c"]);
        let text = format!("server said: bad token {token} for admin:{password}");
        let shown = crate::secrets::redact(&text);
        assert!(
            !shown.contains(token) && !shown.contains(password),
            "{shown}"
        );
    }

    #[test]
    fn list_paths_follow_the_api_groups() {
        assert_eq!(list_path(KubeKind::Pod), "/api/v1/pods");
        assert_eq!(
            list_path(KubeKind::NetworkPolicy),
            "/apis/networking.k8s.io/v1/networkpolicies"
        );
        assert_eq!(
            list_path(KubeKind::AwsClusterNetworkPolicy),
            "/apis/networking.k8s.aws/v1alpha1/clusternetworkpolicies"
        );
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        assert!(is_loopback_http("http://127.0.0.1:8080"));
        assert!(is_loopback_http("http://localhost/"));
        assert!(!is_loopback_http("http://10.0.0.1:443"));
        assert!(!is_loopback_http("http://127.0.0.1.example.com"));
        assert!(!is_loopback_http("https://127.0.0.1"));
        assert!(!is_loopback_http("http://localhost:1@example.com/"));
    }
}
