//! EKS clusters as the EKS API describes them: where the API endpoint is reachable
//! from, which network the cluster sits in, and the VPC CNI add-on that decides
//! whether NetworkPolicies are enforced.

use serde::{Deserialize, Serialize};

use super::Tags;

/// One EKS cluster (`DescribeCluster`), with its add-ons and managed node groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EksCluster {
    pub name: String,
    pub arn: String,
    /// Kubernetes `major.minor`, e.g. `1.31`.
    pub version: Option<String>,
    /// `ACTIVE`, `CREATING`, ... as EKS reports it.
    pub status: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_ids: Vec<String>,
    /// The additional security groups of the control-plane ENIs.
    pub security_group_ids: Vec<String>,
    /// The security group EKS creates for the cluster (control plane and managed nodes).
    pub cluster_security_group_id: Option<String>,
    pub endpoint_public_access: bool,
    pub endpoint_private_access: bool,
    /// Where the public endpoint admits clients from; EKS's default is `0.0.0.0/0`.
    pub public_access_cidrs: Vec<String>,
    /// The API server URL (`https://....eks.amazonaws.com`), for `--eks`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The cluster CA as EKS returns it: base64 of the PEM certificate(s).
    #[serde(default)]
    pub certificate_authority: Option<String>,
    /// `None` when `ListAddons` could not be read (a coverage gap says why); an empty
    /// list when the cluster has no managed add-on.
    pub addons: Option<Vec<EksAddon>>,
    /// `None` when `ListNodegroups` could not be read.
    pub nodegroups: Option<Vec<EksNodegroup>>,
    #[serde(default)]
    pub tags: Tags,
}

/// A managed add-on (`DescribeAddon`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EksAddon {
    /// e.g. `vpc-cni`, `coredns`.
    pub name: String,
    pub version: Option<String>,
    pub status: Option<String>,
    /// The add-on's configuration values as the user wrote them (JSON or YAML text);
    /// for `vpc-cni`, `{"enableNetworkPolicy": "true"}` turns enforcement on.
    pub configuration_values: Option<String>,
}

/// A managed node group (`DescribeNodegroup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EksNodegroup {
    pub name: String,
    pub subnet_ids: Vec<String>,
    /// SSH access to the nodes, when configured.
    pub remote_access: Option<EksRemoteAccess>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EksRemoteAccess {
    pub ec2_ssh_key: Option<String>,
    /// Empty means SSH is open to the internet (0.0.0.0/0) on the nodes.
    pub source_security_group_ids: Vec<String>,
}

impl EksCluster {
    /// The managed add-on named `name`, if the add-ons were read and it is installed.
    pub fn addon(&self, name: &str) -> Option<&EksAddon> {
        self.addons.as_ref()?.iter().find(|a| a.name == name)
    }
}
