//! Load balancers as the engine sees them: the node ENIs AWS creates for them, the
//! services their listeners and targets speak, and the ENI each registered target
//! is. The paths through them are in [`super::path::load_balancer`].

use std::collections::HashMap;
use std::net::IpAddr;

use crate::inventory::{
    Instance, LoadBalancer, LoadBalancerType, NetworkInterface, RegionInventory, Target,
    TargetGroup,
};

use super::sets::ServicePoint;

/// The description AWS gives a node ENI of `lb`: `ELB app/<name>/<id>`,
/// `ELB net/<name>/<id>`, `ELB gwy/<name>/<id>` (the ARN after `loadbalancer/`), or
/// `ELB <name>` for a classic load balancer.
pub fn node_description(lb: &LoadBalancer) -> String {
    match (lb.lb_type, lb.arn.split_once(":loadbalancer/")) {
        (LoadBalancerType::Classic, _) | (_, None) => format!("ELB {}", lb.name),
        (_, Some((_, tail))) => format!("ELB {tail}"),
    }
}

/// Whether `eni` is a load balancer node (any load balancer's): AWS manages it, and
/// it answers only on its load balancer's listeners, whatever its groups open, so
/// what it exposes is judged through the load balancer, not as a host's.
pub fn is_node(eni: &NetworkInterface) -> bool {
    let described = eni
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("ELB "));
    let typed = matches!(
        eni.interface_type.as_deref(),
        Some("network_load_balancer" | "gateway_load_balancer")
    );
    typed || (described && eni.requester_managed)
}

/// One region's ENIs, instances and target groups by the keys load balancer paths
/// look them up by: a scan follows every target of thousands of load balancers, and
/// a walk over the region's ENIs for each would cost more than the paths themselves.
pub struct Lookup<'a> {
    by_description: HashMap<&'a str, Vec<&'a NetworkInterface>>,
    by_id: HashMap<&'a str, &'a NetworkInterface>,
    instances: HashMap<&'a str, &'a Instance>,
    /// The lowest-id ENI naming each instance as its own.
    by_instance: HashMap<&'a str, &'a NetworkInterface>,
    /// ENIs by (VPC, private address), the first in inventory order.
    by_address: HashMap<(&'a str, IpAddr), &'a NetworkInterface>,
    target_groups: HashMap<&'a str, &'a TargetGroup>,
}

impl<'a> Lookup<'a> {
    pub fn new(ri: &'a RegionInventory) -> Lookup<'a> {
        let mut look = Lookup {
            by_description: HashMap::new(),
            by_id: HashMap::new(),
            instances: ri.instances.iter().map(|i| (i.id.as_str(), i)).collect(),
            by_instance: HashMap::new(),
            by_address: HashMap::new(),
            target_groups: ri
                .target_groups
                .iter()
                .map(|t| (t.arn.as_str(), t))
                .collect(),
        };
        for e in &ri.network_interfaces {
            look.by_id.entry(e.id.as_str()).or_insert(e);
            if let Some(d) = e.description.as_deref().filter(|d| d.starts_with("ELB ")) {
                look.by_description.entry(d).or_default().push(e);
            }
            if let Some(i) = e.instance_id.as_deref() {
                let slot = look.by_instance.entry(i).or_insert(e);
                if e.id < slot.id {
                    *slot = e;
                }
            }
            let addresses = e
                .private_ipv4s
                .iter()
                .map(|&a| IpAddr::from(a))
                .chain(e.ipv6s.iter().map(|&a| IpAddr::from(a)));
            for a in addresses {
                look.by_address.entry((e.vpc_id.as_str(), a)).or_insert(e);
            }
        }
        look
    }

    /// The node ENIs of `lb`, by zone and address (then id): the order paths name
    /// them in, the same whatever ids AWS gave them.
    pub fn nodes(&self, lb: &LoadBalancer) -> Vec<&'a NetworkInterface> {
        let description = node_description(lb);
        let mut nodes: Vec<&NetworkInterface> = self
            .by_description
            .get(description.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|e| lb.vpc_id.as_deref().is_none_or(|v| v == e.vpc_id))
            .collect();
        nodes.sort_by(|a, b| {
            let key = |e: &NetworkInterface| {
                (
                    e.availability_zone.clone(),
                    e.private_ipv4s.first().copied(),
                    e.id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        nodes
    }

    pub fn target_group(&self, arn: &str) -> Option<&'a TargetGroup> {
        self.target_groups.get(arn).copied()
    }

    /// The ENI traffic for `target` goes to, or why it cannot be named: an
    /// instance's primary ENI, the ENI holding an IP target's address in the target
    /// group's VPC. Lambda and ALB targets are not modelled.
    pub fn target_eni(
        &self,
        tg: &TargetGroup,
        target: &Target,
    ) -> Result<&'a NetworkInterface, String> {
        match tg.target_type.to_ascii_lowercase().as_str() {
            "instance" => self.instance_eni(&target.id),
            "ip" => {
                if target.availability_zone.as_deref() == Some("all") {
                    return Err(format!(
                        "IP target {} is outside the VPC of {}; paths beyond the VPC are not modelled",
                        target.id, tg.name
                    ));
                }
                let addr: IpAddr = target
                    .id
                    .parse()
                    .map_err(|_| format!("IP target {:?} is not an IP address", target.id))?;
                let found = match tg.vpc_id.as_deref() {
                    Some(vpc) => self.by_address.get(&(vpc, addr)).copied(),
                    // No VPC named: the first ENI anywhere in the region holding it.
                    None => self
                        .by_address
                        .iter()
                        .filter(|((_, a), _)| *a == addr)
                        .map(|(_, e)| *e)
                        .min_by(|a, b| a.id.cmp(&b.id)),
                };
                found.ok_or_else(|| {
                    format!(
                        "no ENI of the inventory holds IP target {} of {}",
                        target.id, tg.name
                    )
                })
            }
            other => Err(format!(
                "unsupported: target type {other} (target group {}) is not modelled",
                tg.name
            )),
        }
    }

    /// An instance's primary ENI: the first of its interfaces the inventory has, else
    /// the lowest-id ENI naming it as its instance.
    pub fn instance_eni(&self, instance_id: &str) -> Result<&'a NetworkInterface, String> {
        let listed = self.instances.get(instance_id).and_then(|i| {
            i.network_interface_ids
                .iter()
                .find_map(|id| self.by_id.get(id.as_str()).copied())
        });
        listed
            .or_else(|| self.by_instance.get(instance_id).copied())
            .ok_or_else(|| format!("no ENI of instance {instance_id} is in the inventory"))
    }
}

/// The services a listener accepts: TCP for every protocol but UDP (and both for
/// TCP_UDP); none for GENEVE, which carries appliance traffic, not clients.
pub fn listener_points(protocol: &str, port: u16) -> Vec<ServicePoint> {
    match protocol.to_ascii_uppercase().as_str() {
        "UDP" => vec![ServicePoint::Udp(port)],
        "TCP_UDP" => vec![ServicePoint::Tcp(port), ServicePoint::Udp(port)],
        "GENEVE" => vec![],
        _ => vec![ServicePoint::Tcp(port)],
    }
}

/// The service on the target for a client's `listener` service: the same transport
/// (an Application or Classic Load Balancer opens TCP) on `port`.
pub fn target_point(listener: ServicePoint, port: u16) -> ServicePoint {
    match listener {
        ServicePoint::Udp(_) => ServicePoint::Udp(port),
        _ => ServicePoint::Tcp(port),
    }
}

/// Whether the targets see the client's address rather than the load balancer's:
/// only a Network Load Balancer preserves it, as the target group's attribute says,
/// or by AWS's default when it was not read (on for instance targets; for IP
/// targets only over UDP and TCP_UDP, where it cannot be turned off).
pub fn preserves_client_ip(lb: &LoadBalancer, tg: &TargetGroup) -> bool {
    if lb.lb_type != LoadBalancerType::Network {
        return false;
    }
    let udp = matches!(
        tg.protocol
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref(),
        Some("UDP") | Some("TCP_UDP")
    );
    if udp {
        return true;
    }
    tg.preserve_client_ip
        .unwrap_or(tg.target_type.eq_ignore_ascii_case("instance"))
}

/// Gateway Load Balancer endpoints of the region: appliances whose rules are not
/// visible to vpcaudit.
pub fn is_gwlb_endpoint(ri: &RegionInventory, id: &str) -> bool {
    ri.vpc_endpoints
        .iter()
        .any(|e| e.id == id && e.endpoint_type.eq_ignore_ascii_case("GatewayLoadBalancer"))
}

/// The reason a path crossing Gateway Load Balancer endpoint `id` is unknown.
pub fn gwlb_reason(id: &str) -> String {
    format!(
        "the path crosses Gateway Load Balancer endpoint {id}: third-party appliance rules not visible"
    )
}
