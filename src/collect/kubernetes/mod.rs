//! The Kubernetes API and `kubectl get -o json` files: the objects that decide pod
//! traffic, read into [`KubeCluster`]s. Read-only: every call is a list.
//!
//! - [`objects`]: one API object (JSON, as the API serves it) into the inventory,
//!   and `--kube-objects` files (`kind: List`);
//! - `live`: API servers through a kubeconfig context or, with `--eks`, every EKS
//!   cluster collected, with a token presigned by `token`.
//!
//! [`KubeCluster`]: crate::inventory::KubeCluster

mod live;
pub mod objects;
pub mod token;

pub use live::{
    kubeconfig_targets, list_path, read_context, read_eks, KubeOptions, KubeconfigError,
    KubeconfigTargets, DEFAULT_PAGE_SIZE,
};
