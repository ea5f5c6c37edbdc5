//! A Service's backends: traffic to a Service is judged after DNAT, against the pods
//! it selects and the target port each of them serves.

use crate::inventory::{PortRef, ServicePort};

use super::ports::named_port;
use super::{ClusterIndex, PodId};

impl<'a> ClusterIndex<'a> {
    /// The pods behind `cluster.services[service]` for one of its ports, with the
    /// port each receives on: the pods of the Service's namespace its selector
    /// selects (none without a selector: those endpoints are managed by hand), that
    /// have an address and have not finished; a named `targetPort` is resolved per
    /// pod by container port name and protocol, and a pod without it is no backend
    /// (as the endpoints controller does). `hostNetwork` pods are included; to
    /// policies they are their addresses.
    pub fn service_backends(&self, service: usize, port: &ServicePort) -> Vec<(PodId, u16)> {
        let Some(svc) = self.cluster.services.get(service) else {
            return Vec::new();
        };
        let Some(selector) = &svc.selector else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (id, pod) in self.cluster.pods.iter().enumerate() {
            if pod.namespace != svc.namespace
                || pod.ips.is_empty()
                || matches!(pod.phase.as_deref(), Some("Succeeded") | Some("Failed"))
                || !selector.iter().all(|(k, v)| pod.labels.get(k) == Some(v))
            {
                continue;
            }
            let target = match &port.target_port {
                PortRef::Number(n) => Some(*n),
                PortRef::Name(name) => named_port(Some(pod), name, port.protocol),
            };
            if let Some(t) = target {
                out.push((id, t));
            }
        }
        out
    }
}
