//! Policy ports as service sets: protocol (TCP by default), a number, a range
//! (`endPort`), every port of the protocol, or a named container port of the
//! destination pod.

use crate::inventory::{
    ClusterPolicyPort, KubeProtocol, L4Match, NetworkPolicyPort, Pod, PortRange, PortRef, Protocol,
};

use super::super::sets::ServiceSet;

const SCTP: u8 = 132;

fn protocol(p: KubeProtocol) -> Protocol {
    match p {
        KubeProtocol::Tcp => Protocol::Tcp,
        KubeProtocol::Udp => Protocol::Udp,
        KubeProtocol::Sctp => Protocol::Other(SCTP),
    }
}

/// Ports `from..=to` of one protocol; empty when `from > to`.
pub fn port_range(p: KubeProtocol, from: u16, to: u16) -> ServiceSet {
    if from > to {
        return ServiceSet::empty();
    }
    ServiceSet::from_rule(protocol(p), L4Match::Ports(PortRange { from, to }))
}

/// Every port of one protocol.
pub fn all_ports(p: KubeProtocol) -> ServiceSet {
    port_range(p, 0, u16::MAX)
}

/// The port of `dst`'s container port `name` with protocol `p`, if it has one.
pub fn named_port(dst: Option<&Pod>, name: &str, p: KubeProtocol) -> Option<u16> {
    dst?.ports
        .iter()
        .find(|c| c.protocol == p && c.name.as_deref() == Some(name))
        .map(|c| c.container_port)
}

/// Every port of `dst` named `name` with protocol `p` (the API keeps names unique
/// per pod, but a hand-written objects file may not).
fn named_ports(dst: Option<&Pod>, name: &str, p: KubeProtocol) -> ServiceSet {
    dst.map_or(ServiceSet::empty(), |d| {
        d.ports
            .iter()
            .filter(|c| c.protocol == p && c.name.as_deref() == Some(name))
            .fold(ServiceSet::empty(), |acc, c| {
                acc.union(&port_range(p, c.container_port, c.container_port))
            })
    })
}

/// What one rule's `ports` list admits towards `dst` (`None`: not a pod, so named
/// ports match nothing). An empty list is every port of every protocol.
pub fn rule_ports(ports: &[NetworkPolicyPort], dst: Option<&Pod>) -> ServiceSet {
    if ports.is_empty() {
        return ServiceSet::all();
    }
    ports.iter().fold(ServiceSet::empty(), |acc, p| {
        acc.union(&policy_port(p, dst))
    })
}

fn policy_port(p: &NetworkPolicyPort, dst: Option<&Pod>) -> ServiceSet {
    let proto = p.protocol.unwrap_or(KubeProtocol::Tcp);
    match &p.port {
        None => all_ports(proto),
        Some(PortRef::Number(n)) => port_range(proto, *n, p.end_port.unwrap_or(*n)),
        // endPort is only valid with a numeric port (API validation); ignore it here.
        Some(PortRef::Name(name)) => named_ports(dst, name, proto),
    }
}

/// What a cluster policy rule's ports admit towards `dst`; `None` is every port.
pub fn cluster_rule_ports(ports: Option<&[ClusterPolicyPort]>, dst: Option<&Pod>) -> ServiceSet {
    let Some(ports) = ports else {
        return ServiceSet::all();
    };
    // An empty list is refused by the API (minItems 1); read it as "no restriction"
    // like NetworkPolicy's empty list rather than silently matching nothing.
    if ports.is_empty() {
        return ServiceSet::all();
    }
    ports.iter().fold(ServiceSet::empty(), |acc, p| {
        let s = match p {
            ClusterPolicyPort::Number { protocol, port } => port_range(*protocol, *port, *port),
            ClusterPolicyPort::Range {
                protocol,
                start,
                end,
            } => port_range(*protocol, *start, *end),
            // A named port is looked up for every protocol the pod serves it on.
            ClusterPolicyPort::Named(name) => {
                [KubeProtocol::Tcp, KubeProtocol::Udp, KubeProtocol::Sctp]
                    .into_iter()
                    .fold(ServiceSet::empty(), |a, proto| {
                        a.union(&named_ports(dst, name, proto))
                    })
            }
        };
        acc.union(&s)
    })
}

/// `tcp 80, udp 53` as a policy port list reads (`all ports` when unrestricted).
pub fn describe_ports(ports: &[NetworkPolicyPort]) -> String {
    if ports.is_empty() {
        return "all ports".to_string();
    }
    let items: Vec<String> = ports
        .iter()
        .map(|p| {
            let proto = p.protocol.unwrap_or(KubeProtocol::Tcp);
            match (&p.port, p.end_port) {
                (None, _) => format!("{proto} all ports"),
                (Some(PortRef::Number(n)), Some(e)) => format!("{proto} {n}-{e}"),
                (Some(port), _) => format!("{proto} {port}"),
            }
        })
        .collect();
    items.join(", ")
}
