//! One Kubernetes API object (JSON, as the API serves it) into a [`KubeCluster`];
//! `--kube-objects` files. [`add_object`] is what the live collector feeds its list
//! items to.
//!
//! Objects are decoded by apiVersion and kind with k8s-openapi's types (the shape
//! check), or with serde structs following the Go types for the CRDs, then checked
//! as the API server validates them: a selector operator, a CIDR, a port, a protocol
//! vpcaudit would otherwise have to guess about is refused, naming the field.

mod core;
mod crds;
mod fields;
mod files;
mod networking;

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core_v1;
use k8s_openapi::api::networking::v1 as net;
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

pub use files::{load_files, ObjectsFileError};

use crate::inventory::{KubeCluster, KubeKind};
use fields::FieldError;

/// An object that is not one vpcaudit can read: the item is named by kind,
/// namespace and name where the object has them.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{item}: {message}")]
pub struct ObjectError {
    /// e.g. `NetworkPolicy payments/allow-api` or `item 3`.
    pub item: String,
    pub message: String,
}

/// Adds one object (a list item, as JSON) to `cluster`. Kinds vpcaudit does not read
/// are skipped (`Ok(false)`); a kind it reads in a shape it cannot model is an error.
/// A `List` or a typed list (`PodList`...) adds its items.
pub fn add_object(cluster: &mut KubeCluster, object: &Value) -> Result<bool, ObjectError> {
    add(cluster, object, &mut BTreeSet::new())
}

/// Every list of the cluster in (namespace, name) order, so that two reads of the
/// same objects compare equal whatever order the files or the API gave them in.
pub fn sort(cluster: &mut KubeCluster) {
    cluster.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
    cluster
        .pods
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    cluster
        .network_policies
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    cluster
        .services
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    cluster
        .daemon_sets
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    cluster
        .security_group_policies
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    cluster
        .cluster_network_policies
        .sort_by(|a, b| (a.api, &a.name).cmp(&(b.api, &b.name)));
    cluster.not_served.sort();
    cluster.not_served.dedup();
    cluster.gaps.sort_by_key(|g| g.kind);
}

/// The apiVersions vpcaudit reads for a kind name; `None` for kinds it does not read.
fn versions(kind: &str) -> Option<&'static [KubeKind]> {
    Some(match kind {
        "Namespace" => &[KubeKind::Namespace],
        "Pod" => &[KubeKind::Pod],
        "NetworkPolicy" => &[KubeKind::NetworkPolicy],
        "Service" => &[KubeKind::Service],
        "DaemonSet" => &[KubeKind::DaemonSet],
        "SecurityGroupPolicy" => &[KubeKind::SecurityGroupPolicy],
        "ClusterNetworkPolicy" => &[
            KubeKind::ClusterNetworkPolicy,
            KubeKind::AwsClusterNetworkPolicy,
        ],
        _ => return None,
    })
}

/// `kind` and `apiVersion` of a kind vpcaudit reads, or why not. `Ok(None)`: a kind
/// it does not read.
fn identify(object: &Value) -> Result<Option<KubeKind>, ObjectError> {
    let kind = object.get("kind").and_then(Value::as_str);
    let api_version = object.get("apiVersion").and_then(Value::as_str);
    let Some(kind) = kind else {
        return Err(ObjectError {
            item: describe(object),
            message: "no kind".into(),
        });
    };
    let Some(known) = versions(kind) else {
        return Ok(None);
    };
    match known.iter().find(|k| Some(k.api_version()) == api_version) {
        Some(k) => Ok(Some(*k)),
        None => {
            let read: Vec<&str> = known.iter().map(|k| k.api_version()).collect();
            Err(ObjectError {
                item: describe(object),
                message: format!(
                    "apiVersion {} of {kind} is not one vpcaudit reads ({})",
                    api_version.map_or("(none)".into(), |v| format!("{v:?}")),
                    read.join(", ")
                ),
            })
        }
    }
}

fn add(
    cluster: &mut KubeCluster,
    object: &Value,
    seen: &mut BTreeSet<KubeKind>,
) -> Result<bool, ObjectError> {
    if !object.is_object() {
        return Err(ObjectError {
            item: "item".into(),
            message: "not a JSON object".into(),
        });
    }
    if let Some(items) = list_items(object) {
        return add_list(cluster, object, items, seen);
    }
    let Some(kind) = identify(object)? else {
        return Ok(false);
    };
    let item = describe(object);
    let shape = |e: serde_json::Error| ObjectError {
        item: item.clone(),
        message: format!("not the shape of a {kind}: {e}"),
    };
    let field = |e: FieldError| ObjectError {
        item: item.clone(),
        message: e.to_string(),
    };
    match kind {
        KubeKind::Namespace => {
            let o = core_v1::Namespace::deserialize(object).map_err(shape)?;
            cluster
                .namespaces
                .push(self::core::namespace_object(&o).map_err(field)?);
        }
        KubeKind::Pod => {
            let o = core_v1::Pod::deserialize(object).map_err(shape)?;
            cluster.pods.push(self::core::pod(&o).map_err(field)?);
        }
        KubeKind::Service => {
            let o = core_v1::Service::deserialize(object).map_err(shape)?;
            cluster
                .services
                .push(self::core::service(&o).map_err(field)?);
        }
        KubeKind::DaemonSet => {
            let o = apps::DaemonSet::deserialize(object).map_err(shape)?;
            cluster
                .daemon_sets
                .push(self::core::daemon_set(&o).map_err(field)?);
        }
        KubeKind::NetworkPolicy => {
            let o = net::NetworkPolicy::deserialize(object).map_err(shape)?;
            cluster
                .network_policies
                .push(networking::network_policy(&o).map_err(field)?);
        }
        KubeKind::SecurityGroupPolicy => {
            let o = crds::SecurityGroupPolicyObject::deserialize(object).map_err(shape)?;
            cluster
                .security_group_policies
                .push(crds::security_group_policy(&o).map_err(field)?);
        }
        KubeKind::ClusterNetworkPolicy | KubeKind::AwsClusterNetworkPolicy => {
            let o = crds::ClusterNetworkPolicyObject::deserialize(object).map_err(shape)?;
            cluster
                .cluster_network_policies
                .push(crds::cluster_network_policy(&o, kind).map_err(field)?);
        }
    }
    seen.insert(kind);
    Ok(true)
}

/// The items of a `List` or of a typed list (`PodList`), if the object is one.
fn list_items(object: &Value) -> Option<&Vec<Value>> {
    let kind = object.get("kind").and_then(Value::as_str)?;
    if !kind.ends_with("List") {
        return None;
    }
    object.get("items").and_then(Value::as_array)
}

/// A typed list's items carry no `kind`/`apiVersion` as the API serves them: they
/// are the list's. A typed list of a kind vpcaudit reads tells that the kind was
/// listed, even when it has no items.
fn add_list(
    cluster: &mut KubeCluster,
    list: &Value,
    items: &[Value],
    seen: &mut BTreeSet<KubeKind>,
) -> Result<bool, ObjectError> {
    let list_kind = list.get("kind").and_then(Value::as_str).unwrap_or_default();
    let item_kind = list_kind.strip_suffix("List").unwrap_or_default();
    let api_version = list.get("apiVersion").and_then(Value::as_str);
    let typed = !item_kind.is_empty();
    if typed {
        let mut header = serde_json::Map::new();
        header.insert("kind".into(), Value::from(item_kind));
        if let Some(v) = api_version {
            header.insert("apiVersion".into(), Value::from(v));
        }
        match identify(&Value::Object(header))? {
            Some(kind) => {
                seen.insert(kind);
            }
            None => return Ok(false),
        }
    }
    let mut added = false;
    for (i, item) in items.iter().enumerate() {
        let result = if typed && item.get("kind").is_none() {
            let mut filled = item.clone();
            if let Some(map) = filled.as_object_mut() {
                map.insert("kind".into(), Value::from(item_kind));
                if let Some(v) = api_version {
                    map.entry("apiVersion").or_insert_with(|| Value::from(v));
                }
            }
            add(cluster, &filled, seen)
        } else {
            add(cluster, item, seen)
        };
        added |= result.map_err(|e| ObjectError {
            item: format!("{list_kind} item {i} ({})", e.item),
            message: e.message,
        })?;
    }
    Ok(added)
}

/// `Kind namespace/name`, or `Kind name` for a cluster-scoped object.
fn describe(object: &Value) -> String {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("object");
    let meta = object.get("metadata");
    let text = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
    match (text("namespace"), text("name")) {
        (Some(ns), Some(name)) => format!("{kind} {ns}/{name}"),
        (None, Some(name)) => format!("{kind} {name}"),
        _ => format!("{kind} (no name)"),
    }
}

#[cfg(test)]
mod tests;
