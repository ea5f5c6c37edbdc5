//! Whether anything in the cluster enforces NetworkPolicies. The API server stores
//! policies whatever the CNI does; on EKS the VPC CNI leaves them unenforced unless
//! its network policy agent is turned on, and other CNIs (Calico, Cilium, ...)
//! enforce them themselves.

use crate::inventory::{DaemonSet, EksCluster, KubeCluster, KubeKind};

/// Whether the cluster's CNI enforces NetworkPolicies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enforcement {
    /// `by`: what enforces them, e.g. `VPC CNI network policy agent (vpc-cni add-on
    /// enableNetworkPolicy)`, `Calico (calico-node DaemonSet)`.
    Enforced {
        by: String,
    },
    /// `why`: e.g. `VPC CNI with network policy off (the default)`.
    NotEnforced {
        why: String,
    },
    Unknown {
        why: String,
    },
}

/// DaemonSets of CNIs that enforce NetworkPolicy themselves, and the product name.
const ENFORCING_CNIS: &[(&str, &str)] = &[
    ("calico-node", "Calico"),
    ("cilium", "Cilium"),
    ("antrea-agent", "Antrea"),
    ("kube-router", "kube-router"),
    ("weave-net", "Weave Net"),
    ("canal", "Canal (Calico policy)"),
];

const VPC_CNI_OFF: &str = "VPC CNI network policy enforcement is off (the default)";

/// Decides enforcement from the cluster's DaemonSets and, for EKS, its `vpc-cni`
/// add-on configuration.
pub fn enforcement(cluster: &KubeCluster, eks: Option<&EksCluster>) -> Enforcement {
    let ds_gap = cluster.gaps_for(KubeKind::DaemonSet).next();
    for ds in &cluster.daemon_sets {
        if let Some((_, product)) = ENFORCING_CNIS.iter().find(|(n, _)| *n == ds.name) {
            return Enforcement::Enforced {
                by: format!(
                    "{product} ({} DaemonSet in {}) enforces NetworkPolicies",
                    ds.name, ds.namespace
                ),
            };
        }
    }
    let aws_node = cluster.daemon_sets.iter().find(|d| d.name == "aws-node");
    if let Some(ds) = aws_node {
        if node_agent_enabled(ds) {
            return Enforcement::Enforced {
                by: format!(
                    "VPC CNI network policy agent (aws-eks-nodeagent container of the \
                     aws-node DaemonSet in {} runs with --enable-network-policy=true)",
                    ds.namespace
                ),
            };
        }
    }
    let addon = eks.and_then(|e| e.addon("vpc-cni"));
    let addon_on = addon
        .and_then(|a| a.configuration_values.as_deref())
        .and_then(enable_network_policy);
    if addon_on == Some(true) {
        return Enforcement::Enforced {
            by: "VPC CNI network policy agent (the vpc-cni EKS add-on is configured with \
                 enableNetworkPolicy: \"true\")"
                .to_string(),
        };
    }
    if let Some(gap) = ds_gap {
        let addon_says = match addon {
            Some(_) => " The vpc-cni add-on does not turn network policy on, but",
            None => "",
        };
        return Enforcement::Unknown {
            why: format!(
                "the cluster's DaemonSets could not be read ({}: {}).{addon_says} \
                 another CNI such as Calico or Cilium may enforce NetworkPolicies; \
                 vpcaudit cannot tell whether any policy is enforced",
                gap.reason, gap.message
            ),
        };
    }
    if aws_node.is_some() || addon.is_some() {
        let source = match (aws_node.is_some(), addon.is_some()) {
            (true, true) => "the aws-node DaemonSet and the vpc-cni add-on run without it",
            (true, false) => {
                "the aws-node DaemonSet runs without --enable-network-policy=true on its \
                 aws-eks-nodeagent container"
            }
            _ => "the vpc-cni add-on is not configured with enableNetworkPolicy: \"true\"",
        };
        return Enforcement::NotEnforced {
            why: format!(
                "{VPC_CNI_OFF}: {source}, and no other policy-enforcing CNI (Calico, \
                 Cilium, Antrea, kube-router) runs; every NetworkPolicy is stored by the \
                 API server but no node applies it"
            ),
        };
    }
    if let Some(ds) = cluster
        .daemon_sets
        .iter()
        .find(|d| d.name.contains("flannel"))
    {
        return Enforcement::NotEnforced {
            why: format!(
                "Flannel ({} DaemonSet) does not enforce NetworkPolicies and no \
                 policy-enforcing CNI runs beside it",
                ds.name
            ),
        };
    }
    Enforcement::Unknown {
        why: "no known CNI DaemonSet was found (VPC CNI aws-node, Calico, Cilium, Antrea, \
              kube-router); vpcaudit cannot tell whether NetworkPolicies are enforced (EKS \
              Auto Mode runs the CNI outside the cluster: its setting, ConfigMap \
              kube-system/amazon-vpc-cni enable-network-policy-controller, is not read)"
            .to_string(),
    }
}

/// Whether the VPC CNI node agent runs with network policy enforcement on.
fn node_agent_enabled(ds: &DaemonSet) -> bool {
    ds.containers
        .iter()
        .filter(|c| c.name == "aws-eks-nodeagent")
        .any(|c| {
            c.args.iter().enumerate().any(|(i, a)| {
                let a = a.trim();
                match a.strip_prefix("--enable-network-policy") {
                    Some(rest) => match rest.strip_prefix('=') {
                        Some(v) => truthy(v),
                        // `--enable-network-policy true` or a bare boolean flag.
                        None if rest.is_empty() => c
                            .args
                            .get(i + 1)
                            .is_none_or(|next| next.starts_with('-') || truthy(next)),
                        None => false,
                    },
                    None => false,
                }
            })
        })
}

fn truthy(v: &str) -> bool {
    v.trim()
        .trim_matches(['"', '\''])
        .eq_ignore_ascii_case("true")
}

/// `enableNetworkPolicy` in add-on configuration values (JSON, or YAML read line by
/// line): `Some(true)` when on, `Some(false)` when set otherwise, `None` when absent.
pub fn enable_network_policy(config: &str) -> Option<bool> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(config) {
        return match v.get("enableNetworkPolicy")? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) => Some(truthy(s)),
            _ => Some(false),
        };
    }
    // YAML: only a top-level `enableNetworkPolicy: value` line counts.
    config.lines().find_map(|line| {
        if line.starts_with([' ', '\t']) {
            return None;
        }
        let rest = line.trim().strip_prefix("enableNetworkPolicy")?;
        let value = rest.trim_start().strip_prefix(':')?;
        let value = value.split('#').next().unwrap_or("").trim();
        Some(truthy(value))
    })
}
