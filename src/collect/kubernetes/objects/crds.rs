//! Custom resources k8s-openapi does not know, decoded with serde structs that follow
//! their Go types:
//! - `vpcresources.k8s.aws/v1beta1` SecurityGroupPolicy
//!   (aws/amazon-vpc-resource-controller-k8s, apis/vpcresources/v1beta1);
//! - `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy
//!   (kubernetes-sigs/network-policy-api, apis/v1alpha2): ports under `protocols`;
//! - `networking.k8s.aws/v1alpha1` ClusterNetworkPolicy
//!   (aws/amazon-network-policy-controller-k8s, api/v1alpha1): ports under `ports`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use serde::Deserialize;

use super::core::{name, namespace};
use super::fields::{cidr, invalid, named_port, port_number, protocol, selector, FieldError};
use crate::inventory::{
    ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyPort,
    ClusterPolicyRule, ClusterPolicySubject, KubeKind, KubeProtocol, LabelSelector, PolicyTier,
    SecurityGroupPolicy,
};

#[derive(Debug, Deserialize)]
pub(super) struct SecurityGroupPolicyObject {
    #[serde(default)]
    metadata: meta::ObjectMeta,
    #[serde(default)]
    spec: SgpSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SgpSpec {
    pod_selector: Option<meta::LabelSelector>,
    service_account_selector: Option<ServiceAccountSelector>,
    #[serde(default)]
    security_groups: GroupIds,
}

/// A label selector over ServiceAccounts, plus `matchNames`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceAccountSelector {
    match_labels: Option<std::collections::BTreeMap<String, String>>,
    match_expressions: Option<Vec<meta::LabelSelectorRequirement>>,
    #[serde(default)]
    match_names: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupIds {
    #[serde(default)]
    group_ids: Vec<String>,
}

pub(super) fn security_group_policy(
    p: &SecurityGroupPolicyObject,
) -> Result<SecurityGroupPolicy, FieldError> {
    let service_account_selector = match &p.spec.service_account_selector {
        None => None,
        Some(s) => {
            // The inventory models ServiceAccount labels only; a policy that names
            // accounts would be read as selecting more than it does.
            if !s.match_names.is_empty() {
                return Err(invalid(
                    "spec.serviceAccountSelector.matchNames",
                    "not supported by vpcaudit yet (use matchLabels)",
                ));
            }
            let as_meta = meta::LabelSelector {
                match_labels: s.match_labels.clone(),
                match_expressions: s.match_expressions.clone(),
            };
            Some(selector(&as_meta, "spec.serviceAccountSelector")?)
        }
    };
    Ok(SecurityGroupPolicy {
        namespace: namespace(&p.metadata)?,
        name: name(&p.metadata)?,
        pod_selector: p
            .spec
            .pod_selector
            .as_ref()
            .map(|s| selector(s, "spec.podSelector"))
            .transpose()?,
        service_account_selector,
        security_group_ids: p.spec.security_groups.group_ids.clone(),
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct ClusterNetworkPolicyObject {
    #[serde(default)]
    metadata: meta::ObjectMeta,
    spec: CnpSpec,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CnpSpec {
    tier: String,
    priority: i64,
    subject: NamespacedOrPods,
    #[serde(default)]
    ingress: Vec<CnpRule>,
    #[serde(default)]
    egress: Vec<CnpRule>,
}

/// A subject or a peer: exactly one field is set (the CRD's MaxProperties=1).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamespacedOrPods {
    namespaces: Option<meta::LabelSelector>,
    pods: Option<NamespacedPod>,
    /// Upstream, experimental: node addresses.
    nodes: Option<meta::LabelSelector>,
    networks: Option<Vec<String>>,
    domain_names: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamespacedPod {
    #[serde(default)]
    namespace_selector: meta::LabelSelector,
    #[serde(default)]
    pod_selector: meta::LabelSelector,
}

/// An ingress (`from`) or egress (`to`) rule of either API.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CnpRule {
    #[serde(default)]
    name: String,
    action: String,
    from: Option<Vec<NamespacedOrPods>>,
    to: Option<Vec<NamespacedOrPods>>,
    /// Upstream v1alpha2.
    protocols: Option<Vec<UpstreamProtocol>>,
    /// AWS v1alpha1.
    ports: Option<Vec<AwsPort>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpstreamProtocol {
    tcp: Option<UpstreamProtocolPort>,
    udp: Option<UpstreamProtocolPort>,
    sctp: Option<UpstreamProtocolPort>,
    destination_named_port: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpstreamProtocolPort {
    destination_port: Option<UpstreamPort>,
}

#[derive(Debug, Deserialize)]
struct UpstreamPort {
    number: Option<i64>,
    range: Option<Range>,
}

#[derive(Debug, Deserialize)]
struct Range {
    /// AWS's `portRange` carries its protocol (default TCP).
    protocol: Option<String>,
    start: i64,
    end: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AwsPort {
    port_number: Option<AwsPortNumber>,
    port_range: Option<Range>,
    named_port: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AwsPortNumber {
    protocol: Option<String>,
    port: i64,
}

pub(super) fn cluster_network_policy(
    p: &ClusterNetworkPolicyObject,
    api: KubeKind,
) -> Result<ClusterNetworkPolicy, FieldError> {
    let tier = match p.spec.tier.as_str() {
        "Admin" => PolicyTier::Admin,
        "Baseline" => PolicyTier::Baseline,
        other => {
            return Err(invalid(
                "spec.tier",
                format!("{other:?} is not one of Admin, Baseline"),
            ))
        }
    };
    let priority = u32::try_from(p.spec.priority)
        .ok()
        .filter(|n| *n <= 1000)
        .ok_or_else(|| {
            invalid(
                "spec.priority",
                format!("{} is not between 0 and 1000", p.spec.priority),
            )
        })?;
    let subject = match one_of(&p.spec.subject, "spec.subject", &["namespaces", "pods"])? {
        Selected::Namespaces(s) => ClusterPolicySubject::Namespaces(s),
        Selected::Pods(ns, pods) => ClusterPolicySubject::Pods {
            namespace_selector: ns,
            pod_selector: pods,
        },
        // `one_of` allowed only namespaces and pods.
        Selected::Other(_) => return Err(invalid("spec.subject", "is not a subject")),
    };
    let mut ingress = Vec::new();
    for (i, r) in p.spec.ingress.iter().enumerate() {
        ingress.push(rule(r, api, &format!("spec.ingress[{i}]"), "from")?);
    }
    let mut egress = Vec::new();
    for (i, r) in p.spec.egress.iter().enumerate() {
        egress.push(rule(r, api, &format!("spec.egress[{i}]"), "to")?);
    }
    Ok(ClusterNetworkPolicy {
        name: name(&p.metadata)?,
        api,
        tier,
        priority,
        subject,
        ingress,
        egress,
    })
}

fn rule(
    r: &CnpRule,
    api: KubeKind,
    path: &str,
    peers_field: &str,
) -> Result<ClusterPolicyRule, FieldError> {
    let action = match r.action.as_str() {
        "Accept" => ClusterPolicyAction::Accept,
        "Deny" => ClusterPolicyAction::Deny,
        "Pass" => ClusterPolicyAction::Pass,
        other => {
            return Err(invalid(
                format!("{path}.action"),
                format!("{other:?} is not one of Accept, Deny, Pass"),
            ))
        }
    };
    let (written, other) = if peers_field == "from" {
        (&r.from, &r.to)
    } else {
        (&r.to, &r.from)
    };
    if other.is_some() {
        let wrong = if peers_field == "from" { "to" } else { "from" };
        return Err(invalid(
            format!("{path}.{wrong}"),
            format!("not a field of this rule (it has `{peers_field}`)"),
        ));
    }
    let allowed: &[&str] = if peers_field == "from" {
        &["namespaces", "pods"]
    } else {
        &["namespaces", "pods", "networks", "domainNames"]
    };
    let mut peers = Vec::new();
    for (i, p) in written.iter().flatten().enumerate() {
        let at = format!("{path}.{peers_field}[{i}]");
        peers.push(match one_of(p, &at, allowed)? {
            Selected::Namespaces(s) => ClusterPolicyPeer::Namespaces(s),
            Selected::Pods(ns, pods) => ClusterPolicyPeer::Pods {
                namespace_selector: ns,
                pod_selector: pods,
            },
            Selected::Other(peer) => peer,
        });
    }
    let ports = match api {
        KubeKind::AwsClusterNetworkPolicy => {
            if r.protocols.is_some() {
                return Err(invalid(
                    format!("{path}.protocols"),
                    "not a field of networking.k8s.aws/v1alpha1 (it uses `ports`)",
                ));
            }
            r.ports
                .as_ref()
                .map(|ports| aws_ports(ports, &format!("{path}.ports")))
                .transpose()?
        }
        _ => {
            if r.ports.is_some() {
                return Err(invalid(
                    format!("{path}.ports"),
                    "not a field of policy.networking.k8s.io/v1alpha2 (it uses `protocols`)",
                ));
            }
            r.protocols
                .as_ref()
                .map(|ports| upstream_ports(ports, &format!("{path}.protocols")))
                .transpose()?
        }
    };
    Ok(ClusterPolicyRule {
        name: Some(r.name.clone()).filter(|n| !n.is_empty()),
        action,
        peers,
        ports,
    })
}

enum Selected {
    Namespaces(LabelSelector),
    Pods(LabelSelector, LabelSelector),
    Other(ClusterPolicyPeer),
}

/// The one field a subject or peer sets. None, several, or one not allowed here is
/// refused: the API says an implementation seeing no known field must fail closed,
/// and vpcaudit cannot tell which way closed is for the engine.
fn one_of(p: &NamespacedOrPods, path: &str, allowed: &[&str]) -> Result<Selected, FieldError> {
    let set: Vec<&str> = [
        ("namespaces", p.namespaces.is_some()),
        ("pods", p.pods.is_some()),
        ("nodes", p.nodes.is_some()),
        ("networks", p.networks.is_some()),
        ("domainNames", p.domain_names.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, s)| s.then_some(n))
    .collect();
    let field = match set.as_slice() {
        [one] => *one,
        [] => {
            return Err(invalid(
                path,
                format!("sets none of {}", allowed.join(", ")),
            ))
        }
        several => {
            return Err(invalid(
                path,
                format!("sets {}; exactly one is allowed", several.join(" and ")),
            ))
        }
    };
    if field == "nodes" && allowed.contains(&"networks") {
        return Err(invalid(
            format!("{path}.nodes"),
            "node peers are not supported by vpcaudit yet",
        ));
    }
    if !allowed.contains(&field) {
        return Err(invalid(
            format!("{path}.{field}"),
            format!("not allowed here (only {})", allowed.join(", ")),
        ));
    }
    Ok(match field {
        "namespaces" => Selected::Namespaces(selector(
            p.namespaces.as_ref().unwrap_or(&Default::default()),
            &format!("{path}.namespaces"),
        )?),
        "pods" => {
            let pods = p.pods.as_ref();
            let ns = pods.map(|x| &x.namespace_selector);
            let pod = pods.map(|x| &x.pod_selector);
            Selected::Pods(
                selector(
                    ns.unwrap_or(&Default::default()),
                    &format!("{path}.pods.namespaceSelector"),
                )?,
                selector(
                    pod.unwrap_or(&Default::default()),
                    &format!("{path}.pods.podSelector"),
                )?,
            )
        }
        "networks" => {
            let mut nets = Vec::new();
            for (i, n) in p.networks.iter().flatten().enumerate() {
                nets.push(cidr(n, &format!("{path}.networks[{i}]"))?);
            }
            Selected::Other(ClusterPolicyPeer::Networks(nets))
        }
        _ => Selected::Other(ClusterPolicyPeer::DomainNames(
            p.domain_names.clone().unwrap_or_default(),
        )),
    })
}

fn upstream_ports(
    list: &[UpstreamProtocol],
    path: &str,
) -> Result<Vec<ClusterPolicyPort>, FieldError> {
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let set: Vec<(&str, Option<KubeProtocol>, Option<&UpstreamProtocolPort>)> = [
            ("tcp", Some(KubeProtocol::Tcp), p.tcp.as_ref()),
            ("udp", Some(KubeProtocol::Udp), p.udp.as_ref()),
            ("sctp", Some(KubeProtocol::Sctp), p.sctp.as_ref()),
        ]
        .into_iter()
        .filter(|(_, _, v)| v.is_some())
        .chain(
            p.destination_named_port
                .as_ref()
                .map(|_| ("destinationNamedPort", None, None)),
        )
        .collect();
        match set.as_slice() {
            [(_, None, _)] => {
                let name = p.destination_named_port.as_deref().unwrap_or_default();
                out.push(ClusterPolicyPort::Named(named_port(
                    name,
                    &format!("{at}.destinationNamedPort"),
                )?));
            }
            [(field, Some(protocol), value)] => {
                let at = format!("{at}.{field}");
                match value.and_then(|v| v.destination_port.as_ref()) {
                    // A protocol alone matches every port of it.
                    None => out.push(ClusterPolicyPort::Range {
                        protocol: *protocol,
                        start: 1,
                        end: u16::MAX,
                    }),
                    Some(port) => out.push(upstream_port(port, *protocol, &at)?),
                }
            }
            [] => {
                return Err(invalid(
                    at,
                    "sets none of tcp, udp, sctp, destinationNamedPort",
                ))
            }
            several => {
                let names: Vec<&str> = several.iter().map(|(n, _, _)| *n).collect();
                return Err(invalid(
                    at,
                    format!("sets {}; exactly one is allowed", names.join(" and ")),
                ));
            }
        }
    }
    Ok(out)
}

fn upstream_port(
    port: &UpstreamPort,
    protocol: KubeProtocol,
    path: &str,
) -> Result<ClusterPolicyPort, FieldError> {
    let at = format!("{path}.destinationPort");
    match (port.number, &port.range) {
        (Some(n), None) => Ok(ClusterPolicyPort::Number {
            protocol,
            port: port_number(clamp(n), &format!("{at}.number"))?,
        }),
        (None, Some(r)) => range(r, protocol, &format!("{at}.range")),
        _ => Err(invalid(at, "must set exactly one of number, range")),
    }
}

fn aws_ports(list: &[AwsPort], path: &str) -> Result<Vec<ClusterPolicyPort>, FieldError> {
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        out.push(match (&p.port_number, &p.port_range, &p.named_port) {
            (Some(n), None, None) => {
                let at = format!("{at}.portNumber");
                ClusterPolicyPort::Number {
                    protocol: protocol(n.protocol.as_deref(), &format!("{at}.protocol"))?,
                    port: port_number(clamp(n.port), &format!("{at}.port"))?,
                }
            }
            (None, Some(r), None) => {
                let at = format!("{at}.portRange");
                let proto = protocol(r.protocol.as_deref(), &format!("{at}.protocol"))?;
                range(r, proto, &at)?
            }
            (None, None, Some(name)) => {
                ClusterPolicyPort::Named(named_port(name, &format!("{at}.namedPort"))?)
            }
            _ => {
                return Err(invalid(
                    at,
                    "must set exactly one of portNumber, portRange, namedPort",
                ))
            }
        });
    }
    Ok(out)
}

fn range(r: &Range, protocol: KubeProtocol, path: &str) -> Result<ClusterPolicyPort, FieldError> {
    let start = port_number(clamp(r.start), &format!("{path}.start"))?;
    let end = port_number(clamp(r.end), &format!("{path}.end"))?;
    // Both CRDs require start < end.
    if start >= end {
        return Err(invalid(
            format!("{path}.end"),
            format!("{end} is not above start {start}"),
        ));
    }
    Ok(ClusterPolicyPort::Range {
        protocol,
        start,
        end,
    })
}

/// An out-of-range i64 becomes an out-of-range i32, for the one range message.
fn clamp(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}
