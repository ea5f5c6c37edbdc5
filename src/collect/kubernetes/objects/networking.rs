//! `networking.k8s.io/v1` NetworkPolicy.

use k8s_openapi::api::networking::v1 as net;

use super::core::{name, namespace};
use super::fields::{cidr, invalid, port_number, port_ref, protocol, selector, FieldError};
use crate::inventory::{
    IpBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, PolicyType,
    PortRef,
};

pub(super) fn network_policy(p: &net::NetworkPolicy) -> Result<NetworkPolicy, FieldError> {
    let spec = p.spec.clone().unwrap_or_default();
    let pod_selector = match &spec.pod_selector {
        Some(s) => selector(s, "spec.podSelector")?,
        None => Default::default(),
    };
    let policy_types = spec
        .policy_types
        .as_ref()
        .map(|types| {
            types
                .iter()
                .enumerate()
                .map(|(i, t)| match t.as_str() {
                    "Ingress" => Ok(PolicyType::Ingress),
                    "Egress" => Ok(PolicyType::Egress),
                    other => Err(invalid(
                        format!("spec.policyTypes[{i}]"),
                        format!("{other:?} is not one of Ingress, Egress"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let mut ingress = Vec::new();
    for (i, r) in spec.ingress.iter().flatten().enumerate() {
        let at = format!("spec.ingress[{i}]");
        ingress.push(rule(r.from.as_deref(), r.ports.as_deref(), &at, "from")?);
    }
    let mut egress = Vec::new();
    for (i, r) in spec.egress.iter().flatten().enumerate() {
        let at = format!("spec.egress[{i}]");
        egress.push(rule(r.to.as_deref(), r.ports.as_deref(), &at, "to")?);
    }
    Ok(NetworkPolicy {
        namespace: namespace(&p.metadata)?,
        name: name(&p.metadata)?,
        pod_selector,
        policy_types,
        ingress,
        egress,
    })
}

fn rule(
    peers: Option<&[net::NetworkPolicyPeer]>,
    ports: Option<&[net::NetworkPolicyPort]>,
    path: &str,
    peers_field: &str,
) -> Result<NetworkPolicyRule, FieldError> {
    let mut rule = NetworkPolicyRule::default();
    for (i, p) in peers.unwrap_or_default().iter().enumerate() {
        rule.peers
            .push(peer(p, &format!("{path}.{peers_field}[{i}]"))?);
    }
    for (i, p) in ports.unwrap_or_default().iter().enumerate() {
        rule.ports.push(port(p, &format!("{path}.ports[{i}]"))?);
    }
    Ok(rule)
}

fn peer(p: &net::NetworkPolicyPeer, path: &str) -> Result<NetworkPolicyPeer, FieldError> {
    let ip_block = match &p.ip_block {
        None => None,
        Some(b) => {
            // The API refuses ipBlock together with a selector.
            if p.pod_selector.is_some() || p.namespace_selector.is_some() {
                return Err(invalid(
                    format!("{path}.ipBlock"),
                    "may not be combined with podSelector or namespaceSelector",
                ));
            }
            let at = format!("{path}.ipBlock");
            let mut except = Vec::new();
            for (i, e) in b.except.iter().flatten().enumerate() {
                except.push(cidr(e, &format!("{at}.except[{i}]"))?);
            }
            Some(IpBlock {
                cidr: cidr(&b.cidr, &format!("{at}.cidr"))?,
                except,
            })
        }
    };
    if ip_block.is_none() && p.pod_selector.is_none() && p.namespace_selector.is_none() {
        return Err(invalid(
            path,
            "sets none of podSelector, namespaceSelector, ipBlock",
        ));
    }
    Ok(NetworkPolicyPeer {
        pod_selector: p
            .pod_selector
            .as_ref()
            .map(|s| selector(s, &format!("{path}.podSelector")))
            .transpose()?,
        namespace_selector: p
            .namespace_selector
            .as_ref()
            .map(|s| selector(s, &format!("{path}.namespaceSelector")))
            .transpose()?,
        ip_block,
    })
}

fn port(p: &net::NetworkPolicyPort, path: &str) -> Result<NetworkPolicyPort, FieldError> {
    // Checked as written, so that the message quotes what the user wrote.
    let kube_protocol = protocol(p.protocol.as_deref(), &format!("{path}.protocol"))?;
    let port = p
        .port
        .as_ref()
        .map(|r| port_ref(r, &format!("{path}.port")))
        .transpose()?;
    let end_port = match (p.end_port, &port) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(invalid(
                format!("{path}.endPort"),
                "set without port; a range needs its first port",
            ))
        }
        (Some(_), Some(PortRef::Name(name))) => {
            return Err(invalid(
                format!("{path}.endPort"),
                format!("set with the named port {name:?}; a range needs a numeric port"),
            ))
        }
        (Some(end), Some(PortRef::Number(start))) => {
            let end = port_number(end, &format!("{path}.endPort"))?;
            if end < *start {
                return Err(invalid(
                    format!("{path}.endPort"),
                    format!("{end} is below port {start}"),
                ));
            }
            Some(end)
        }
    };
    Ok(NetworkPolicyPort {
        // Kept as written (`None` = TCP by default) once known to be valid.
        protocol: p.protocol.as_ref().map(|_| kube_protocol),
        port,
        end_port,
    })
}
