//! The Kubernetes API and `kubectl get -o json` files: the objects that decide pod
//! traffic, read into [`KubeCluster`]s. Read-only: every call is a list.
//!
//! - [`objects`]: one API object (JSON, as the API serves it) into the inventory,
//!   and `--kube-objects` files (`kind: List`);

pub mod objects;
