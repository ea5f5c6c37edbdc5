//! `[kubernetes]`: which namespaces need no default-deny policy, and which pods are
//! footholds or crown jewels whatever the cluster says.

use serde::Deserialize;

use crate::inventory::{Labels, Pod};

use super::selector::{Glob, TagSelector};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    /// Namespaces `k8s-namespace-no-default-deny` does not judge (globs). By default
    /// the control plane's own: kube-system, kube-public, kube-node-lease.
    #[serde(default = "default_exempt")]
    pub exempt_namespaces: Vec<GlobText>,
    /// Pods treated as footholds even when nothing exposes them to the internet.
    #[serde(default)]
    pub untrusted: Vec<PodSelector>,
    /// Pods treated as crown jewels whatever ports they open.
    #[serde(default)]
    pub crown_jewels: Vec<PodSelector>,
}

impl Default for Kubernetes {
    fn default() -> Self {
        Kubernetes {
            exempt_namespaces: default_exempt(),
            untrusted: Vec::new(),
            crown_jewels: Vec::new(),
        }
    }
}

fn default_exempt() -> Vec<GlobText> {
    ["kube-system", "kube-public", "kube-node-lease"]
        .into_iter()
        .map(|s| GlobText(Glob::new(s)))
        .collect()
}

impl Kubernetes {
    pub fn exempt(&self, namespace: &str) -> bool {
        self.exempt_namespaces
            .iter()
            .any(|g| g.0.matches(namespace))
    }
}

/// A glob written as a TOML string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub struct GlobText(pub Glob);

impl From<String> for GlobText {
    fn from(s: String) -> Self {
        GlobText(Glob::new(s))
    }
}

/// Which pods a rule applies to: every field given must match (an empty selector is
/// an error, so it cannot match everything by accident). `label` has the tag syntax
/// (`key` or `key=glob`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawPodSelector")]
pub struct PodSelector {
    pub cluster: Option<Glob>,
    pub namespace: Option<Glob>,
    pub pod: Option<Glob>,
    pub label: Option<TagSelector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPodSelector {
    cluster: Option<String>,
    namespace: Option<String>,
    pod: Option<String>,
    label: Option<TagSelector>,
}

impl TryFrom<RawPodSelector> for PodSelector {
    type Error = String;

    fn try_from(r: RawPodSelector) -> Result<Self, String> {
        if r.cluster.is_none() && r.namespace.is_none() && r.pod.is_none() && r.label.is_none() {
            return Err(
                "empty pod selector: give at least one of cluster, namespace, pod, label".into(),
            );
        }
        Ok(PodSelector {
            cluster: r.cluster.map(Glob::new),
            namespace: r.namespace.map(Glob::new),
            pod: r.pod.map(Glob::new),
            label: r.label,
        })
    }
}

impl PodSelector {
    pub fn matches(&self, cluster: &str, pod: &Pod) -> bool {
        let eq = |g: &Option<Glob>, s: &str| g.as_ref().is_none_or(|g| g.matches(s));
        eq(&self.cluster, cluster)
            && eq(&self.namespace, &pod.namespace)
            && eq(&self.pod, &pod.name)
            && self.label.as_ref().is_none_or(|l| l.matches(&pod.labels))
    }

    /// Whether labels alone could match (for namespaces and workloads).
    pub fn matches_labels(&self, labels: &Labels) -> bool {
        self.label.as_ref().is_none_or(|l| l.matches(labels))
    }
}
