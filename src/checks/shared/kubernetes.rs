//! What the Kubernetes checks share: each cluster indexed once with its EKS
//! description, whether its CNI enforces policies and where its pods sit in the VPC;
//! and how pods, namespaces, policies and clusters are named in findings.

use crate::finding::Resource;
use crate::inventory::{EksCluster, KubeCluster, KubeKind, Pod};
use crate::reach::kubernetes::vpc::PodEnis;
use crate::reach::kubernetes::{enforcement, ClusterIndex, Enforcement};

use crate::checks::context::Context;

/// The kinds a policy answer depends on: the pods, their namespaces' labels, the
/// namespaced policies and both cluster-scoped tiers.
pub const POLICY_INPUTS: &[KubeKind] = &[
    KubeKind::Pod,
    KubeKind::Namespace,
    KubeKind::NetworkPolicy,
    KubeKind::ClusterNetworkPolicy,
    KubeKind::AwsClusterNetworkPolicy,
];

/// One cluster as the checks see it.
pub struct ClusterView<'a> {
    pub cluster: &'a KubeCluster,
    pub index: ClusterIndex<'a>,
    /// The EKS description of the cluster, when collected.
    pub eks: Option<&'a EksCluster>,
    pub enforcement: Enforcement,
    pub enis: PodEnis<'a>,
}

impl<'a> ClusterView<'a> {
    /// Every collected cluster, with its EKS description found by ARN (or by name in
    /// its account and region).
    pub fn all(ctx: &Context<'_, 'a>) -> Vec<ClusterView<'a>> {
        let inv = ctx.inventory;
        inv.kubernetes
            .iter()
            .map(|cluster| {
                let eks = eks_of(ctx, cluster);
                ClusterView {
                    cluster,
                    index: ClusterIndex::new(cluster),
                    eks,
                    enforcement: enforcement(cluster, eks),
                    enis: PodEnis::new(inv, cluster),
                }
            })
            .collect()
    }

    /// The account and region findings about this cluster carry ("" when unknown,
    /// as for a `--kube-objects` file).
    pub fn place(&self) -> (&'a str, &'a str) {
        (
            self.cluster.account_id.as_deref().unwrap_or_default(),
            self.cluster.region.as_deref().unwrap_or_default(),
        )
    }

    /// Why objects of `kinds` cannot be judged, if one could not be read.
    pub fn gap(&self, kinds: &[KubeKind]) -> Option<String> {
        kinds.iter().find_map(|&k| {
            self.cluster.gaps_for(k).next().map(|g| {
                let what = g.kind.map_or("the cluster".to_string(), |k| k.to_string());
                format!("{what} could not be read: {}: {}", g.reason, g.message)
            })
        })
    }

    /// The cluster's policies with whether its CNI applies them.
    pub fn policies(&self) -> crate::reach::kubernetes::vpc::Policies<'_, 'a> {
        crate::reach::kubernetes::vpc::Policies {
            index: &self.index,
            enforcement: &self.enforcement,
        }
    }

    pub fn cluster_resource(&self) -> Resource {
        cluster_resource(self.cluster.name.as_str(), self.cluster.arn.as_deref())
    }

    pub fn namespace_resource(&self, name: &str) -> Resource {
        Resource {
            resource_type: "Kubernetes::Namespace".into(),
            id: name.to_string(),
            arn: self.cluster.object_arn(&format!("namespace/{name}")),
            name: Some(format!("{} {name}", self.cluster.name)),
        }
    }

    /// A namespaced object, `kind` as Kubernetes names it.
    pub fn object_resource(&self, kind: &str, namespace: &str, name: &str) -> Resource {
        Resource {
            resource_type: format!("Kubernetes::{kind}"),
            id: format!("{namespace}/{name}"),
            arn: self
                .cluster
                .object_arn(&format!("{}/{namespace}/{name}", kind.to_lowercase())),
            name: Some(self.cluster.name.clone()),
        }
    }

    /// The workload a pod is a replica of (`Deployment`, `StatefulSet`, `DaemonSet`,
    /// `Job`), or the pod itself when it has no controller.
    pub fn workload_resource(&self, pod: &Pod) -> Resource {
        let (kind, name) = workload(pod);
        self.object_resource(kind, &pod.namespace, &name)
    }
}

/// An EKS cluster as a finding's resource.
pub fn cluster_resource(name: &str, arn: Option<&str>) -> Resource {
    Resource {
        resource_type: "AWS::EKS::Cluster".into(),
        id: name.to_string(),
        arn: arn.map(str::to_string),
        name: Some(name.to_string()),
    }
}

/// `(kind, name)` of the workload that owns `pod`: a ReplicaSet stands for the
/// Deployment that made it (its name less the pod-template hash).
pub fn workload(pod: &Pod) -> (&'static str, String) {
    let Some(owner) = &pod.owner else {
        return ("Pod", pod.name.clone());
    };
    match owner.kind.as_str() {
        "ReplicaSet" => match (
            pod.labels.get("pod-template-hash"),
            owner.name.rsplit_once('-'),
        ) {
            (Some(hash), Some((deployment, suffix))) if suffix == hash => {
                ("Deployment", deployment.to_string())
            }
            _ => ("ReplicaSet", owner.name.clone()),
        },
        "StatefulSet" => ("StatefulSet", owner.name.clone()),
        "DaemonSet" => ("DaemonSet", owner.name.clone()),
        "Job" => ("Job", owner.name.clone()),
        _ => ("Pod", pod.name.clone()),
    }
}

fn eks_of<'a>(ctx: &Context<'_, 'a>, cluster: &KubeCluster) -> Option<&'a EksCluster> {
    let mut all = ctx.inventory.regions().flat_map(|(account, ri)| {
        ri.eks_clusters
            .iter()
            .map(move |c| (account, ri.region.as_str(), c))
    });
    all.find(|(account, region, c)| match &cluster.arn {
        Some(arn) => &c.arn == arn,
        None => {
            c.name == cluster.name
                && cluster.account_id.as_deref() == Some(*account)
                && cluster.region.as_deref() == Some(*region)
        }
    })
    .map(|(_, _, c)| c)
}
