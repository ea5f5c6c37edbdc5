//! `v1` Namespace, Pod and Service, and `apps/v1` DaemonSet.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::fields::{invalid, ip, port_number, port_ref, protocol, FieldError};
use crate::inventory::{
    Container, ContainerPort, DaemonSet, KubeService, Namespace, OwnerRef, Pod, PortRef,
    ServicePort,
};

/// The label the API server sets on every namespace (since 1.21), which
/// `namespaceSelector`s commonly match on.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The annotations of the AWS Load Balancer Controller and the in-tree provider that
/// decide a load balancer's scheme, subnets and source ranges.
const AWS_LB_ANNOTATION_PREFIX: &str = "service.beta.kubernetes.io/aws-load-balancer-";

pub(super) fn name(meta: &ObjectMeta) -> Result<String, FieldError> {
    match meta.name.as_deref() {
        Some(n) if !n.is_empty() => Ok(n.to_string()),
        _ => Err(invalid("metadata.name", "missing")),
    }
}

pub(super) fn namespace(meta: &ObjectMeta) -> Result<String, FieldError> {
    match meta.namespace.as_deref() {
        Some(n) if !n.is_empty() => Ok(n.to_string()),
        _ => Err(invalid("metadata.namespace", "missing")),
    }
}

pub(super) fn namespace_object(ns: &core::Namespace) -> Result<Namespace, FieldError> {
    let name = name(&ns.metadata)?;
    let mut labels = ns.metadata.labels.clone().unwrap_or_default();
    labels
        .entry(NAMESPACE_NAME_LABEL.to_string())
        .or_insert_with(|| name.clone());
    Ok(Namespace { name, labels })
}

pub(super) fn pod(p: &core::Pod) -> Result<Pod, FieldError> {
    let spec = p.spec.clone().unwrap_or_default();
    let status = p.status.clone().unwrap_or_default();
    let mut ips = Vec::new();
    match &status.pod_ips {
        Some(list) if !list.is_empty() => {
            for (i, a) in list.iter().enumerate() {
                ips.push(ip(&a.ip, &format!("status.podIPs[{i}].ip"))?);
            }
        }
        // Before dual-stack (1.16) and in hand-written objects, only `podIP`.
        _ => {
            if let Some(a) = status.pod_ip.as_deref().filter(|a| !a.is_empty()) {
                ips.push(ip(a, "status.podIP")?);
            }
        }
    }
    let host_ip = status
        .host_ip
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| ip(a, "status.hostIP"))
        .transpose()?;
    let mut ports = Vec::new();
    for (c, container) in spec.containers.iter().enumerate() {
        for (i, port) in container.ports.iter().flatten().enumerate() {
            let at = format!("spec.containers[{c}].ports[{i}]");
            ports.push(ContainerPort {
                name: port.name.clone(),
                container_port: port_number(port.container_port, &format!("{at}.containerPort"))?,
                protocol: protocol(port.protocol.as_deref(), &format!("{at}.protocol"))?,
            });
        }
    }
    let owner = p
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| OwnerRef {
            kind: o.kind.clone(),
            name: o.name.clone(),
        });
    Ok(Pod {
        namespace: namespace(&p.metadata)?,
        name: name(&p.metadata)?,
        labels: p.metadata.labels.clone().unwrap_or_default(),
        ips,
        host_ip,
        node_name: spec.node_name.clone(),
        host_network: spec.host_network.unwrap_or(false),
        phase: status.phase.clone(),
        ports,
        // `serviceAccount` is the deprecated alias older objects may carry alone.
        service_account: spec.service_account_name.clone().or(spec.service_account),
        owner,
    })
}

pub(super) fn service(s: &core::Service) -> Result<KubeService, FieldError> {
    let spec = s.spec.clone().unwrap_or_default();
    // A headless Service's cluster IP is the string "None".
    let written: Vec<String> = match &spec.cluster_ips {
        Some(list) if !list.is_empty() => list.clone(),
        _ => spec.cluster_ip.iter().cloned().collect(),
    };
    let mut cluster_ips = Vec::new();
    for (i, a) in written.iter().enumerate() {
        if a != "None" && !a.is_empty() {
            cluster_ips.push(ip(a, &format!("spec.clusterIPs[{i}]"))?);
        }
    }
    let mut ports = Vec::new();
    for (i, p) in spec.ports.iter().flatten().enumerate() {
        let at = format!("spec.ports[{i}]");
        let port = port_number(p.port, &format!("{at}.port"))?;
        ports.push(ServicePort {
            name: p.name.clone(),
            protocol: protocol(p.protocol.as_deref(), &format!("{at}.protocol"))?,
            port,
            target_port: match &p.target_port {
                Some(t) => port_ref(t, &format!("{at}.targetPort"))?,
                None => PortRef::Number(port),
            },
            node_port: p
                .node_port
                .map(|n| port_number(n, &format!("{at}.nodePort")))
                .transpose()?,
        });
    }
    let load_balancer_ingress = s
        .status
        .iter()
        .filter_map(|st| st.load_balancer.as_ref())
        .flat_map(|lb| lb.ingress.iter().flatten())
        .flat_map(|i| i.ip.iter().chain(i.hostname.iter()).cloned())
        .collect();
    let annotations = s
        .metadata
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| k.starts_with(AWS_LB_ANNOTATION_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(KubeService {
        namespace: namespace(&s.metadata)?,
        name: name(&s.metadata)?,
        service_type: spec.type_.unwrap_or_else(|| "ClusterIP".to_string()),
        // An empty selector is no selector: the endpoints controller leaves such a
        // Service's endpoints to whoever manages them.
        selector: spec.selector.filter(|s| !s.is_empty()),
        cluster_ips,
        ports,
        load_balancer_ingress,
        annotations,
    })
}

pub(super) fn daemon_set(d: &apps::DaemonSet) -> Result<DaemonSet, FieldError> {
    let containers = d
        .spec
        .iter()
        .filter_map(|s| s.template.spec.as_ref())
        .flat_map(|s| s.containers.iter())
        .map(|c| Container {
            name: c.name.clone(),
            image: c.image.clone(),
            args: c.args.clone().unwrap_or_default(),
            // Only literal values: a `valueFrom` is resolved on the node.
            env: c
                .env
                .iter()
                .flatten()
                .filter(|e| e.value_from.is_none())
                .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
                .collect(),
        })
        .collect();
    Ok(DaemonSet {
        namespace: namespace(&d.metadata)?,
        name: name(&d.metadata)?,
        containers,
    })
}
