//! `--kube-objects`: `kubectl get ... -o json` outputs (a `List`, a typed list, or a
//! single object) read into one cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use super::{add, sort};
use crate::inventory::{
    KubeCluster, KubeGap, KubeGapReason, KubeKind, KubeSource, NetworkPolicy, PortRef,
};

#[derive(Debug, Error)]
pub enum ObjectsFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The kinds whose absence from the files leaves a check unable to judge, and what
/// is then unknown. Absent NetworkPolicies or Services just mean there are none;
/// absent CRDs mean the cluster does not use them.
const NEEDED: [(KubeKind, &str); 3] = [
    (KubeKind::Namespace, "namespace labels unknown"),
    (KubeKind::Pod, "pods and their addresses unknown"),
    (KubeKind::DaemonSet, "the CNI and its configuration unknown"),
];

/// Reads `kubectl get ... -o json` outputs, all describing one cluster, into that
/// cluster: named after the file when there is one, `kube-objects` otherwise.
pub fn load_files(paths: &[&Path]) -> Result<KubeCluster, ObjectsFileError> {
    let name = match paths {
        [one] => one
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "kube-objects".into()),
        _ => "kube-objects".into(),
    };
    let files = paths.iter().map(|p| p.display().to_string()).collect();
    let mut cluster = KubeCluster::new(name, KubeSource::Objects { files });
    let mut seen = BTreeSet::new();
    let mut origins = Origins::default();
    for path in paths {
        let (one, kinds) = load_file(path)?;
        seen.extend(kinds);
        origins.merge(&mut cluster, one, path)?;
    }
    check_named_ports(&cluster, &origins)?;
    for (kind, unknown) in NEEDED {
        if !seen.contains(&kind) {
            cluster.gaps.push(KubeGap {
                kind: Some(kind),
                reason: KubeGapReason::NotInFiles,
                status: None,
                message: format!(
                    "no {} objects in the --kube-objects files; {unknown}",
                    kind.as_str()
                ),
            });
        }
    }
    sort(&mut cluster);
    Ok(cluster)
}

/// One file into a cluster of its own, with the kinds it shows were listed.
fn load_file(path: &Path) -> Result<(KubeCluster, BTreeSet<KubeKind>), ObjectsFileError> {
    let invalid = |message: String| ObjectsFileError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|source| ObjectsFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let top: Value =
        serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let mut cluster = KubeCluster::new("", KubeSource::Objects { files: Vec::new() });
    let mut seen = BTreeSet::new();
    let kind = top.get("kind").and_then(Value::as_str);
    let api_version = top.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    match (kind, top.get("items").and_then(Value::as_array)) {
        (None, _) => {
            let what = match &top {
                Value::Object(_) => "an object without \"kind\"",
                Value::Array(_) => "a JSON array",
                _ => "a JSON scalar",
            };
            return Err(invalid(format!(
                "{what}, not a Kubernetes object nor a List; expected the output of `kubectl get ... -o json`"
            )));
        }
        // `kubectl get a,b,c -o json`: each item names its own kind.
        (Some("List"), Some(items)) => {
            for (i, item) in items.iter().enumerate() {
                add(&mut cluster, item, &mut seen)
                    .map_err(|e| invalid(format!("item {i} ({}): {}", e.item, e.message)))?;
            }
        }
        (Some(kind), _) => {
            let added = add(&mut cluster, &top, &mut seen).map_err(|e| invalid(e.to_string()))?;
            if !added && seen.is_empty() {
                return Err(invalid(format!(
                    "a {kind} ({api_version}), not a List nor an object of a kind vpcaudit reads"
                )));
            }
        }
    }
    Ok((cluster, seen))
}

/// Where each object came from, to merge files and to name the file in an error.
#[derive(Default)]
struct Origins {
    /// `Kind namespace/name` -> the file.
    files: BTreeMap<String, PathBuf>,
}

impl Origins {
    /// Moves `one`'s objects into `cluster`. The same object in two files (or twice
    /// in one) is kept once; two different objects of one name are refused, since
    /// the files would then not describe one cluster.
    fn merge(
        &mut self,
        cluster: &mut KubeCluster,
        one: KubeCluster,
        path: &Path,
    ) -> Result<(), ObjectsFileError> {
        let ns = |kind: &str, ns: &str, name: &str| format!("{kind} {ns}/{name}");
        self.list(&mut cluster.namespaces, one.namespaces, path, |n| {
            format!("Namespace {}", n.name)
        })?;
        self.list(&mut cluster.pods, one.pods, path, |p| {
            ns("Pod", &p.namespace, &p.name)
        })?;
        self.list(
            &mut cluster.network_policies,
            one.network_policies,
            path,
            |p| ns("NetworkPolicy", &p.namespace, &p.name),
        )?;
        self.list(&mut cluster.services, one.services, path, |s| {
            ns("Service", &s.namespace, &s.name)
        })?;
        self.list(&mut cluster.daemon_sets, one.daemon_sets, path, |d| {
            ns("DaemonSet", &d.namespace, &d.name)
        })?;
        self.list(
            &mut cluster.security_group_policies,
            one.security_group_policies,
            path,
            |p| ns("SecurityGroupPolicy", &p.namespace, &p.name),
        )?;
        self.list(
            &mut cluster.cluster_network_policies,
            one.cluster_network_policies,
            path,
            |p| format!("ClusterNetworkPolicy {} ({})", p.name, p.api.api_version()),
        )
    }

    fn list<T: PartialEq>(
        &mut self,
        into: &mut Vec<T>,
        from: Vec<T>,
        path: &Path,
        key: impl Fn(&T) -> String,
    ) -> Result<(), ObjectsFileError> {
        // Index of each object already kept, by key (the lists can be long).
        let mut index: BTreeMap<String, usize> =
            into.iter().enumerate().map(|(i, o)| (key(o), i)).collect();
        for object in from {
            let k = key(&object);
            match index.get(&k) {
                Some(&i) if into[i] == object => {}
                Some(_) => {
                    let other = self.files.get(&k).map_or_else(String::new, |p| {
                        if p == path {
                            " earlier in the same file".into()
                        } else {
                            format!(" in {}", p.display())
                        }
                    });
                    return Err(ObjectsFileError::Invalid {
                        path: path.to_path_buf(),
                        message: format!("{k}: differs from the {k} also found{other}"),
                    });
                }
                None => {
                    index.insert(k.clone(), into.len());
                    self.files.insert(k, path.to_path_buf());
                    into.push(object);
                }
            }
        }
        Ok(())
    }
}

/// A NetworkPolicy port given by a name no container port of any pod has matches
/// nothing: almost always a typo in the manifest. Only judged when the files hold
/// pods at all.
fn check_named_ports(cluster: &KubeCluster, origins: &Origins) -> Result<(), ObjectsFileError> {
    if cluster.pods.is_empty() {
        return Ok(());
    }
    let names: BTreeSet<&str> = cluster
        .pods
        .iter()
        .flat_map(|p| p.ports.iter())
        .filter_map(|p| p.name.as_deref())
        .collect();
    for policy in &cluster.network_policies {
        if let Some((field, name)) = unknown_named_port(policy, &names) {
            let item = format!("NetworkPolicy {}/{}", policy.namespace, policy.name);
            let path = origins.files.get(&item).cloned().unwrap_or_default();
            return Err(ObjectsFileError::Invalid {
                path,
                message: format!(
                    "{item}: {field}: named port {name:?} matches no container port of any pod in the files"
                ),
            });
        }
    }
    Ok(())
}

fn unknown_named_port(policy: &NetworkPolicy, names: &BTreeSet<&str>) -> Option<(String, String)> {
    let directions = [("ingress", &policy.ingress), ("egress", &policy.egress)];
    for (direction, rules) in directions {
        for (r, rule) in rules.iter().enumerate() {
            for (p, port) in rule.ports.iter().enumerate() {
                if let Some(PortRef::Name(name)) = &port.port {
                    if !names.contains(name.as_str()) {
                        return Some((
                            format!("spec.{direction}[{r}].ports[{p}].port"),
                            name.clone(),
                        ));
                    }
                }
            }
        }
    }
    None
}
