//! End-to-end paths: a whole connection through security groups, NACLs, route
//! tables, gateways, peerings, transit gateways and Network Firewall.
//!
//! - [`private`]: ENI to ENI over private addresses (same VPC, peering, TGW);
//! - [`internet`]: a client on the internet to an ENI;
//! - [`egress`]: an ENI to an internet address (direct, NAT, firewall, egress-only),
//!   or to an AWS service through a gateway endpoint;
//! - [`endpoint`]: an ENI to each ENI of an interface endpoint;
//! - [`load_balancer`]: the internet through a load balancer to its targets.
//!
//! Every answer names each component it passed; missing data is `Unknown` with the
//! reason, never a guess either way.

pub mod egress;
pub mod endpoint;
pub mod internet;
pub mod load_balancer;
pub mod private;
mod symmetry;
mod transit;

use std::net::IpAddr;

use crate::inventory::{
    Direction, Inventory, NetworkAcl, NetworkInterface, PortRange, RegionInventory, RouteState,
    RouteTable, RouteTarget,
};

use super::explain::Code;
use super::firewall::{self, Flow};
use super::model::{Model, RegionModel};
use super::nacl;
use super::route::{self, describe_route, RouteDecision};
use super::sets::ServicePoint;
use super::verdict::{direction_word, peer_word, Evaluation, Step};

pub use egress::{egress_trace, eni_to_internet, eni_to_internet_with, EgressPath};
pub use endpoint::{eni_to_interface_endpoint, eni_to_interface_endpoint_with, EndpointLeg};
pub use internet::{internet_to_eni, internet_to_eni_with};
pub use load_balancer::{internet_paths, LbPath};
pub use private::{eni_to_eni, eni_to_eni_with};

/// The Linux default client port range (`net.ipv4.ip_local_port_range`).
pub const DEFAULT_EPHEMERAL: PortRange = PortRange {
    from: 32768,
    to: 60999,
};

/// One ENI with everything a path needs about where it sits.
#[derive(Clone, Copy)]
pub(crate) struct End<'m, 'a> {
    /// The whole model, for what another account holds (a shared transit gateway).
    pub model: &'m Model<'a>,
    pub rm: &'m RegionModel<'a>,
    pub ri: &'a RegionInventory,
    pub eni: &'a NetworkInterface,
}

impl<'m, 'a> End<'m, 'a> {
    pub fn locate(
        model: &'m Model<'a>,
        inv: &'a Inventory,
        eni_id: &str,
    ) -> Result<End<'m, 'a>, String> {
        let (rm, eni) = model.locate_eni(eni_id)?;
        let ri = region_inventory(inv, rm)?;
        Ok(End { model, rm, ri, eni })
    }

    pub fn acl(&self) -> Result<&'a NetworkAcl, String> {
        self.rm.network_acl_for_subnet(&self.eni.subnet_id)
    }

    pub fn table(&self) -> Result<&'a RouteTable, String> {
        route::table_for_subnet(self.rm, &self.eni.subnet_id)
    }

    /// The primary private address of one family (IPv6 if `v6`).
    pub fn private_ip(&self, v6: bool) -> Option<IpAddr> {
        if v6 {
            self.eni.ipv6s.first().map(|&a| a.into())
        } else {
            self.eni.private_ipv4s.first().map(|&a| a.into())
        }
    }
}

/// The collected inventory of the region a model region describes.
pub(crate) fn region_inventory<'a>(
    inv: &'a Inventory,
    rm: &RegionModel<'_>,
) -> Result<&'a RegionInventory, String> {
    inv.regions()
        .find(|(a, r)| *a == rm.account_id && r.region == rm.region)
        .map(|(_, r)| r)
        .ok_or_else(|| format!("{}/{} was not collected", rm.account_id, rm.region))
}

/// An evaluation that is unknown for `reason`, with one step saying so.
pub(crate) fn unknown_at(
    code: Code,
    component: impl Into<String>,
    reason: impl Into<String>,
) -> Evaluation {
    let reason = reason.into();
    Evaluation::unknown(reason.clone(), vec![Step::coded(code, component, reason)])
}

/// An evaluation that is blocked for the reason `code` names, with one step saying so.
pub(crate) fn blocked_at(
    code: Code,
    component: impl Into<String>,
    decision: impl Into<String>,
) -> Evaluation {
    Evaluation::blocked(vec![Step::coded(code, component, decision)])
}

pub(crate) fn allowed_at(component: impl Into<String>, decision: impl Into<String>) -> Evaluation {
    Evaluation::allowed(vec![Step::new(component, decision)])
}

/// The active route `table` uses for `dst`, or the evaluation that ends the path here
/// (blackhole or no route: blocked; unknown state or missing data: unknown).
pub(crate) fn active_route<'t>(
    rm: &RegionModel<'_>,
    ri: &RegionInventory,
    table: &'t RouteTable,
    dst: IpAddr,
) -> Result<&'t crate::inventory::Route, Evaluation> {
    match route::lookup(rm, ri, table, dst) {
        RouteDecision::Route { route, .. } if route.state == RouteState::Active => Ok(route),
        RouteDecision::NoRoute { .. } => Err(blocked_at(
            Code::NoRouteToDestination,
            format!("{} (route table)", table.id),
            format!("no route to {dst}"),
        )),
        // Blackhole (blocked) or unknown state (unknown), explained by the table.
        RouteDecision::Route { .. } => Err(route::evaluate(rm, ri, table, dst)),
        RouteDecision::Unknown { reason } => Err(unknown_at(
            Code::RouteUndecided,
            table.id.as_str(),
            format!("route to {dst} unknown: {reason}"),
        )),
    }
}

/// The step naming the route taken.
pub(crate) fn route_step(table: &RouteTable, route: &crate::inventory::Route) -> Step {
    Step::new(format!("{} (route table)", table.id), describe_route(route))
}

/// Whether a target is a middlebox or a hop this engine does not follow.
pub(crate) fn target_kind(t: &RouteTarget) -> &'static str {
    match t {
        RouteTarget::Local => "local",
        RouteTarget::InternetGateway(_) => "internet gateway",
        RouteTarget::EgressOnlyInternetGateway(_) => "egress-only internet gateway",
        RouteTarget::NatGateway(_) => "NAT gateway",
        RouteTarget::VpcPeeringConnection(_) => "peering connection",
        RouteTarget::TransitGateway(_) => "transit gateway",
        RouteTarget::VirtualPrivateGateway(_) => "virtual private gateway",
        RouteTarget::VpcEndpoint(_) => "VPC endpoint",
        RouteTarget::NetworkInterface(_) => "network interface",
        RouteTarget::Instance(_) => "instance",
        RouteTarget::CarrierGateway(_) => "carrier gateway",
        RouteTarget::LocalGateway(_) => "local gateway",
        RouteTarget::CoreNetwork(_) => "core network",
        RouteTarget::Unknown(_) => "unrecognised target",
    }
}

/// One side of a connection at one NACL: the request in `request_direction` with
/// `peer`, and its replies the other way on `ephemeral` ports (when the peer is the
/// client, the replies go to its ephemeral ports; when this side is the client, they
/// come back to its own).
pub(crate) fn nacl_one_side(
    acl: Result<&NetworkAcl, String>,
    subnet_id: &str,
    request_direction: Direction,
    peer: IpAddr,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Evaluation {
    let acl = match acl {
        Ok(acl) => acl,
        Err(reason) => {
            return unknown_at(
                Code::DataNotCollected,
                format!("network ACL of {subnet_id}"),
                reason,
            )
        }
    };
    let reply_direction = match request_direction {
        Direction::Ingress => Direction::Egress,
        Direction::Egress => Direction::Ingress,
    };
    let request = nacl::evaluate(acl, request_direction, peer, service);
    let reply = match nacl::reply_services(service, ephemeral) {
        Ok(replies) => {
            let allowed = nacl::allowed_flows(acl, reply_direction).services_for(peer);
            let missing = replies.difference(&allowed);
            let component = format!("{} {}", acl.id, direction_word(reply_direction));
            match missing.first() {
                None => allowed_at(
                    component,
                    format!(
                        "replies {replies} {} {peer} allowed",
                        peer_word(reply_direction)
                    ),
                ),
                Some(first) => {
                    let mut steps = vec![Step::coded(
                        Code::SubnetAclRestriction,
                        component,
                        format!(
                            "replies {replies} {} {peer}: {missing} not allowed",
                            peer_word(reply_direction)
                        ),
                    )];
                    steps.extend(nacl::evaluate(acl, reply_direction, peer, first).steps);
                    Evaluation::blocked(steps)
                }
            }
        }
        // Said by a step of its own: an unknown leg must name its code.
        Err(reason) => unknown_at(
            Code::NotModelled,
            format!("{} {}", acl.id, direction_word(reply_direction)),
            reason,
        ),
    };
    Evaluation::all_of(vec![request, reply])
}

/// What the firewall owning endpoint `endpoint_id` (in `ri`) does to `flow`, with the
/// firewall; `None` when no collected firewall owns the endpoint.
pub(crate) fn firewall_for_endpoint<'a>(
    ri: &'a RegionInventory,
    endpoint_id: &str,
) -> Option<&'a crate::inventory::Firewall> {
    ri.firewalls.iter().find(|f| {
        f.endpoints
            .iter()
            .any(|e| e.endpoint_id.as_deref() == Some(endpoint_id))
    })
}

/// The firewall's policy applied to `flow`.
pub(crate) fn firewall_verdict(
    ri: &RegionInventory,
    fw: &crate::inventory::Firewall,
    flow: &Flow,
) -> Evaluation {
    let Some(policy) = ri.firewall_policies.iter().find(|p| p.arn == fw.policy_arn) else {
        return unknown_at(
            Code::DataNotCollected,
            format!("firewall {}", fw.name),
            format!(
                "policy {} of firewall {} was not collected",
                fw.policy_arn, fw.name
            ),
        );
    };
    let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
    let vpc_cidrs: Vec<ipnet::IpNet> = ri
        .vpcs
        .iter()
        .filter(|v| v.id == fw.vpc_id)
        .flat_map(|v| {
            v.ipv4_cidrs
                .iter()
                .map(|&n| ipnet::IpNet::from(n))
                .chain(v.ipv6_cidrs.iter().map(|&n| ipnet::IpNet::from(n)))
        })
        .collect();
    firewall::evaluate(flow, &firewall::as_deployed(policy, &vpc_cidrs), &lookup)
}

/// The subnet a firewall endpoint lives in.
pub(crate) fn endpoint_subnet<'a>(
    fw: &'a crate::inventory::Firewall,
    endpoint_id: &str,
) -> Option<&'a str> {
    fw.endpoints
        .iter()
        .find(|e| e.endpoint_id.as_deref() == Some(endpoint_id))
        .and_then(|e| e.subnet_id.as_deref())
}

/// Whether internet gateway (or, with `egress_only`, egress-only internet gateway)
/// `id` is attached to `vpc_id`.
pub(crate) fn gateway_attached(
    ri: &RegionInventory,
    id: &str,
    vpc_id: &str,
    egress_only: bool,
) -> Evaluation {
    let attachments = if egress_only {
        ri.egress_only_internet_gateways
            .iter()
            .find(|g| g.id == id)
            .map(|g| &g.attachments)
    } else {
        ri.internet_gateways
            .iter()
            .find(|g| g.id == id)
            .map(|g| &g.attachments)
    };
    let component = if egress_only {
        format!("{id} (egress-only internet gateway)")
    } else {
        format!("{id} (internet gateway)")
    };
    let Some(attachments) = attachments else {
        return unknown_at(
            Code::DataNotCollected,
            component,
            format!("{id} is not in the inventory"),
        );
    };
    let attached = attachments.iter().any(|a| {
        a.vpc_id == vpc_id
            && matches!(
                a.state.as_deref(),
                None | Some("available") | Some("attached")
            )
    });
    if attached {
        allowed_at(component, format!("attached to {vpc_id}"))
    } else {
        let code = if egress_only {
            Code::EigwNotAttached
        } else {
            Code::IgwNotAttached
        };
        blocked_at(code, component, format!("not attached to {vpc_id}"))
    }
}

/// `e` with `steps` in front of its own.
pub(crate) fn with_steps(mut steps: Vec<Step>, e: Evaluation) -> Evaluation {
    steps.extend(e.steps);
    Evaluation {
        verdict: e.verdict,
        steps,
    }
}
