//! Kubernetes objects that decide pod-to-pod and pod-to-world traffic, as plain data:
//! namespaces, pods, NetworkPolicies, Services, the CNI's DaemonSets,
//! SecurityGroupPolicies and ClusterNetworkPolicies. Field names follow the
//! Kubernetes API (snake_case); values are kept as written (e.g. `policy_types` as the
//! policy spells it, not inferred) so that the engine, not the collector, owns the
//! semantics.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Labels or a `matchLabels` map.
pub type Labels = BTreeMap<String, String>;

/// One Kubernetes cluster: what was read of it, and what could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeCluster {
    /// The EKS cluster name, the kubeconfig context, or the objects file's stem.
    pub name: String,
    /// How the objects were read.
    pub source: KubeSource,
    /// The EKS cluster ARN, when the cluster is known to be one.
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    /// The API server version (`major.minor`), when read live.
    pub server_version: Option<String>,
    pub namespaces: Vec<Namespace>,
    pub pods: Vec<Pod>,
    pub network_policies: Vec<NetworkPolicy>,
    pub services: Vec<KubeService>,
    pub daemon_sets: Vec<DaemonSet>,
    pub security_group_policies: Vec<SecurityGroupPolicy>,
    pub cluster_network_policies: Vec<ClusterNetworkPolicy>,
    /// Kinds the API server does not serve (404 on the list): not a gap, the cluster
    /// simply has no such objects (e.g. no ClusterNetworkPolicy CRD).
    #[serde(default)]
    pub not_served: Vec<KubeKind>,
    /// Kinds that could not be read (403, unreachable, a bad answer). Every check
    /// that needs one reports `unknown` for this cluster.
    #[serde(default)]
    pub gaps: Vec<KubeGap>,
}

/// Where a cluster's objects came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KubeSource {
    /// The API server, through a kubeconfig context.
    Kubeconfig { context: String },
    /// The API server of an EKS cluster found through the EKS API, with a token
    /// vpcaudit presigned itself.
    Eks,
    /// `kubectl get ... -o json` output files (`--kube-objects`).
    Objects { files: Vec<String> },
}

/// The object kinds vpcaudit reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KubeKind {
    Namespace,
    Pod,
    NetworkPolicy,
    Service,
    DaemonSet,
    /// vpcresources.k8s.aws/v1beta1
    SecurityGroupPolicy,
    /// policy.networking.k8s.io/v1alpha2 (upstream, `tier: Admin|Baseline`)
    ClusterNetworkPolicy,
    /// networking.k8s.aws/v1alpha1 (the VPC CNI's own)
    AwsClusterNetworkPolicy,
}

impl KubeKind {
    pub const ALL: [KubeKind; 8] = [
        KubeKind::Namespace,
        KubeKind::Pod,
        KubeKind::NetworkPolicy,
        KubeKind::Service,
        KubeKind::DaemonSet,
        KubeKind::SecurityGroupPolicy,
        KubeKind::ClusterNetworkPolicy,
        KubeKind::AwsClusterNetworkPolicy,
    ];

    /// `group/version` as the API serves it (`v1` for the core group).
    pub fn api_version(self) -> &'static str {
        match self {
            KubeKind::Namespace | KubeKind::Pod | KubeKind::Service => "v1",
            KubeKind::NetworkPolicy => "networking.k8s.io/v1",
            KubeKind::DaemonSet => "apps/v1",
            KubeKind::SecurityGroupPolicy => "vpcresources.k8s.aws/v1beta1",
            KubeKind::ClusterNetworkPolicy => "policy.networking.k8s.io/v1alpha2",
            KubeKind::AwsClusterNetworkPolicy => "networking.k8s.aws/v1alpha1",
        }
    }

    /// The kind as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            KubeKind::Namespace => "Namespace",
            KubeKind::Pod => "Pod",
            KubeKind::NetworkPolicy => "NetworkPolicy",
            KubeKind::Service => "Service",
            KubeKind::DaemonSet => "DaemonSet",
            KubeKind::SecurityGroupPolicy => "SecurityGroupPolicy",
            KubeKind::ClusterNetworkPolicy | KubeKind::AwsClusterNetworkPolicy => {
                "ClusterNetworkPolicy"
            }
        }
    }

    /// The plural resource name of the list URL, e.g. `networkpolicies`.
    pub fn plural(self) -> &'static str {
        match self {
            KubeKind::Namespace => "namespaces",
            KubeKind::Pod => "pods",
            KubeKind::NetworkPolicy => "networkpolicies",
            KubeKind::Service => "services",
            KubeKind::DaemonSet => "daemonsets",
            KubeKind::SecurityGroupPolicy => "securitygrouppolicies",
            KubeKind::ClusterNetworkPolicy | KubeKind::AwsClusterNetworkPolicy => {
                "clusternetworkpolicies"
            }
        }
    }

    /// Whether a cluster lacking this kind's API is normal (a CRD), rather than a
    /// cluster that cannot be judged.
    pub fn optional(self) -> bool {
        matches!(
            self,
            KubeKind::SecurityGroupPolicy
                | KubeKind::ClusterNetworkPolicy
                | KubeKind::AwsClusterNetworkPolicy
        )
    }
}

impl fmt::Display for KubeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.as_str(), self.api_version())
    }
}

/// A kind that could not be read from one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeGap {
    /// `None` when nothing at all could be read (the cluster was unreachable or
    /// refused the credentials).
    pub kind: Option<KubeKind>,
    pub reason: KubeGapReason,
    /// The HTTP status, when the API server answered.
    pub status: Option<u16>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KubeGapReason {
    /// 403: RBAC does not allow the list.
    Forbidden,
    /// 401: the credentials were refused.
    Unauthorized,
    /// The API server could not be reached.
    Unreachable,
    /// The answer was not the object list it should be.
    InvalidResponse,
    /// Any other error status.
    ServerError,
    /// No token or kubeconfig could be made for the cluster.
    Credentials,
    /// `--kube-objects` files hold no object of the kind: absent cannot be told
    /// from empty.
    NotInFiles,
}

impl fmt::Display for KubeGapReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KubeGapReason::Forbidden => "forbidden",
            KubeGapReason::Unauthorized => "unauthorized",
            KubeGapReason::Unreachable => "unreachable",
            KubeGapReason::InvalidResponse => "invalid response",
            KubeGapReason::ServerError => "server error",
            KubeGapReason::Credentials => "no credentials",
            KubeGapReason::NotInFiles => "not in the files",
        })
    }
}

/// A label selector (`metav1.LabelSelector`). An empty selector selects everything;
/// a selector field that is absent is `None` where the field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<LabelRequirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LabelRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    #[serde(default)]
    pub values: Vec<String>,
}

/// `In`, `NotIn`, `Exists`, `DoesNotExist`; any other operator is refused when the
/// objects are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    pub name: String,
    #[serde(default)]
    pub labels: Labels,
}

/// The transport protocol of a container port, Service port or policy port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KubeProtocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl fmt::Display for KubeProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KubeProtocol::Tcp => "TCP",
            KubeProtocol::Udp => "UDP",
            KubeProtocol::Sctp => "SCTP",
        })
    }
}

/// A port given by number or by a container port's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: u16,
    pub protocol: KubeProtocol,
}

/// The controller a pod belongs to (its first `ownerReferences` entry with
/// `controller: true`), e.g. a ReplicaSet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    #[serde(default)]
    pub labels: Labels,
    /// `status.podIPs`, the primary first; empty before the pod is scheduled.
    pub ips: Vec<IpAddr>,
    /// `status.hostIP`: the node's address.
    pub host_ip: Option<IpAddr>,
    pub node_name: Option<String>,
    pub host_network: bool,
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    pub phase: Option<String>,
    /// Every container's ports (init containers excluded).
    pub ports: Vec<ContainerPort>,
    pub service_account: Option<String>,
    pub owner: Option<OwnerRef>,
}

/// `networking.k8s.io/v1` NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkPolicy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    /// As written; `None` when the policy omits the field (the engine infers it).
    pub policy_types: Option<Vec<PolicyType>>,
    #[serde(default)]
    pub ingress: Vec<NetworkPolicyRule>,
    #[serde(default)]
    pub egress: Vec<NetworkPolicyRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyType {
    Ingress,
    Egress,
}

/// One ingress (`from`) or egress (`to`) rule. An empty `peers` list matches every
/// peer; an empty `ports` list matches every port.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkPolicyRule {
    pub peers: Vec<NetworkPolicyPeer>,
    pub ports: Vec<NetworkPolicyPort>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkPolicyPeer {
    pub pod_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub ip_block: Option<IpBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpBlock {
    pub cidr: ipnet::IpNet,
    #[serde(default)]
    pub except: Vec<ipnet::IpNet>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkPolicyPort {
    /// `None` means TCP, as the API defaults it.
    pub protocol: Option<KubeProtocol>,
    /// `None` means every port of the protocol.
    pub port: Option<PortRef>,
    /// With a numeric `port`, the last port of a range.
    pub end_port: Option<u16>,
}

/// A Service (`v1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeService {
    pub namespace: String,
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    pub service_type: String,
    /// `None` for a Service without selector (its endpoints are managed by hand).
    pub selector: Option<Labels>,
    pub cluster_ips: Vec<IpAddr>,
    pub ports: Vec<ServicePort>,
    /// `status.loadBalancer.ingress` hostnames and addresses.
    #[serde(default)]
    pub load_balancer_ingress: Vec<String>,
    /// Only the annotations that decide exposure
    /// (`service.beta.kubernetes.io/aws-load-balancer-*`).
    #[serde(default)]
    pub annotations: Labels,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: KubeProtocol,
    pub port: u16,
    /// Defaults to `port` when the Service omits it.
    pub target_port: PortRef,
    pub node_port: Option<u16>,
}

/// A DaemonSet, kept for what tells which CNI runs and how it is configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaemonSet {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<Container>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    /// Literal `env` values (not `valueFrom`).
    #[serde(default)]
    pub env: Labels,
}

/// `vpcresources.k8s.aws/v1beta1` SecurityGroupPolicy: the pods it selects get a
/// branch ENI with these security groups instead of the node's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupPolicy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Option<LabelSelector>,
    pub service_account_selector: Option<LabelSelector>,
    pub security_group_ids: Vec<String>,
}

/// A cluster-scoped policy of the Admin or Baseline tier: upstream
/// `policy.networking.k8s.io/v1alpha2` or AWS's `networking.k8s.aws/v1alpha1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNetworkPolicy {
    pub name: String,
    /// Which API it came from.
    pub api: KubeKind,
    pub tier: PolicyTier,
    /// Lower numbers are evaluated first within a tier.
    pub priority: u32,
    pub subject: ClusterPolicySubject,
    #[serde(default)]
    pub ingress: Vec<ClusterPolicyRule>,
    #[serde(default)]
    pub egress: Vec<ClusterPolicyRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyTier {
    Admin,
    Baseline,
}

/// Which pods a cluster policy applies to: every pod of the selected namespaces, or
/// the selected pods of the selected namespaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterPolicySubject {
    Namespaces(LabelSelector),
    Pods {
        namespace_selector: LabelSelector,
        pod_selector: LabelSelector,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPolicyRule {
    pub name: Option<String>,
    pub action: ClusterPolicyAction,
    /// Empty means the rule matches no peer (the API requires at least one).
    pub peers: Vec<ClusterPolicyPeer>,
    /// `None`: every port.
    pub ports: Option<Vec<ClusterPolicyPort>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClusterPolicyAction {
    Accept,
    Deny,
    /// Admin tier only: leave the decision to namespaced policies.
    Pass,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterPolicyPeer {
    Namespaces(LabelSelector),
    Pods {
        namespace_selector: LabelSelector,
        pod_selector: LabelSelector,
    },
    /// Egress only: addresses.
    Networks(Vec<ipnet::IpNet>),
    /// Egress to DNS names (AWS's `domainNames`); the engine cannot resolve them and
    /// says so.
    DomainNames(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterPolicyPort {
    /// A destination port number (`portNumber`).
    Number { protocol: KubeProtocol, port: u16 },
    /// A destination port range (`portRange`).
    Range {
        protocol: KubeProtocol,
        start: u16,
        end: u16,
    },
    /// A named container port of the destination pod (`namedPort`).
    Named(String),
}

impl KubeCluster {
    pub fn new(name: impl Into<String>, source: KubeSource) -> KubeCluster {
        KubeCluster {
            name: name.into(),
            source,
            arn: None,
            account_id: None,
            region: None,
            server_version: None,
            namespaces: Vec::new(),
            pods: Vec::new(),
            network_policies: Vec::new(),
            services: Vec::new(),
            daemon_sets: Vec::new(),
            security_group_policies: Vec::new(),
            cluster_network_policies: Vec::new(),
            not_served: Vec::new(),
            gaps: Vec::new(),
        }
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// The gaps that hide objects of `kind` (a whole-cluster gap hides every kind).
    pub fn gaps_for(&self, kind: KubeKind) -> impl Iterator<Item = &KubeGap> {
        self.gaps
            .iter()
            .filter(move |g| g.kind.is_none() || g.kind == Some(kind))
    }

    /// `arn/namespace/name` when the cluster ARN is known, for a finding's resource.
    pub fn object_arn(&self, path: &str) -> Option<String> {
        self.arn.as_ref().map(|arn| format!("{arn}/{path}"))
    }
}
