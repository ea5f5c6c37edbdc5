//! From the internet through an internet-facing load balancer to its targets.
//!
//! A path is one (listener service, target group, target). It has two legs:
//!
//! - the front: the internet opening the listener port on a node ENI of the load
//!   balancer, judged like any ENI's internet exposure (public address, reply route
//!   to an internet gateway, NACL both ways, the load balancer's security groups, or
//!   none for a Network Load Balancer created without them), as a set of sources;
//! - the back: the node opening the target port on the target's ENI, judged like
//!   any private hop ([`eni_to_eni_with`]): the node's group egress, the target's
//!   group ingress (a reference to the load balancer's group included), both NACLs
//!   and the routes. A Network Load Balancer that preserves the client's address
//!   instead needs the target's groups and NACL to admit the *clients*; a reference
//!   to the load balancer's group admits them all, as AWS documents.
//!
//! A target is reached from the sources that pass both legs through one node. What
//! cannot be judged is `Unknown` with the reason, never a pass: a load balancer
//! without node ENIs in the inventory, listeners or targets that could not be read,
//! Lambda and ALB targets, and a Gateway Load Balancer endpoint on the way (a
//! third-party appliance whose rules are not visible).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::inventory::{
    Direction, Inventory, Listener, LoadBalancer, LoadBalancerScheme, LoadBalancerType, NetworkAcl,
    NetworkInterface, PortRange, RouteTarget, RulePeer, TargetGroup,
};

use super::super::explain::Code;
use super::super::exposure::{
    internet_exposure_without_groups, Exposure, ExposureCache, Uncertainty,
};
use super::super::load_balancer::{
    gwlb_reason, is_gwlb_endpoint, listener_points, preserves_client_ip, target_point, Lookup,
};
use super::super::model::Model;
use super::super::nacl;
use super::super::route::{self, RouteDecision};
use super::super::security_group;
use super::super::sets::{FlowSet, IpSet, ServicePoint, ServiceSet};
use super::super::verdict::{describe_point, Evaluation, Step};
use super::private::{eni_to_eni_with, routing};
use super::{allowed_at, blocked_at, nacl_one_side, unknown_at, with_steps, End};

/// One way in from the internet through a load balancer, to one target.
#[derive(Debug, Clone)]
pub struct LbPath<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub load_balancer: &'a LoadBalancer,
    /// `None` when the load balancer's listeners could not be read.
    pub listener: Option<&'a Listener>,
    /// The service clients open on the listener.
    pub point: Option<ServicePoint>,
    /// `None` for a classic load balancer, and when the listener names a target
    /// group the inventory does not have (then `target_group_arn` says which).
    pub target_group: Option<&'a TargetGroup>,
    pub target_group_arn: Option<&'a str>,
    /// The registered target (instance id, IP address, ...), when the path got to one.
    pub target_id: Option<&'a str>,
    /// The target's ENI, when it could be named.
    pub target_eni: Option<&'a NetworkInterface>,
    /// The service opened on the target.
    pub target_point: Option<ServicePoint>,
    /// The target sees the client's address (a Network Load Balancer preserving it).
    pub client_ip_preserved: bool,
    /// Internet addresses proven to reach the target this way; empty unless allowed.
    pub sources: IpSet,
    pub evaluation: Evaluation,
}

/// Every path from the internet through the internet-facing load balancers of the
/// inventory (Gateway Load Balancers, which take no client traffic, aside), in
/// inventory order.
pub fn internet_paths<'a>(
    model: &Model<'a>,
    inv: &'a Inventory,
    ephemeral: PortRange,
) -> Vec<LbPath<'a>> {
    let mut all = Vec::new();
    for (account, ri) in inv.regions() {
        if ri.load_balancers.is_empty() {
            continue;
        }
        let look = Lookup::new(ri);
        // The paths of some load balancers, with their own cache of node exposures
        // (nodes belong to one load balancer, so halves share none).
        let walk = |lbs: &'a [LoadBalancer]| -> Vec<LbPath<'a>> {
            let mut fronts = Fronts {
                cache: ExposureCache::with_ephemeral(model, inv, ephemeral),
                ungrouped: HashMap::new(),
                ephemeral,
            };
            let mut out = Vec::new();
            for lb in lbs {
                if lb.scheme != LoadBalancerScheme::InternetFacing
                    || lb.lb_type == LoadBalancerType::Gateway
                {
                    continue;
                }
                let base = LbPath {
                    account,
                    region: ri.region.as_str(),
                    load_balancer: lb,
                    listener: None,
                    point: None,
                    target_group: None,
                    target_group_arn: None,
                    target_id: None,
                    target_eni: None,
                    target_point: None,
                    client_ip_preserved: false,
                    sources: IpSet::empty(),
                    evaluation: Evaluation::allowed(vec![]),
                };
                let lb_component = format!("{} (load balancer)", lb.name);
                let Some(listeners) = &lb.listeners else {
                    out.push(LbPath {
                        evaluation: unknown_at(
                            Code::DataNotCollected,
                            lb_component,
                            format!("the listeners of {} could not be read", lb.name),
                        ),
                        ..base
                    });
                    continue;
                };
                let nodes = look.nodes(lb);
                for listener in listeners {
                    for point in listener_points(&listener.protocol, listener.port) {
                        let at = LbPath {
                            listener: Some(listener),
                            point: Some(point),
                            ..base.clone()
                        };
                        if nodes.is_empty() {
                            out.push(LbPath {
                                evaluation: unknown_at(
                                    Code::DataNotCollected,
                                    lb_component.clone(),
                                    format!(
                                        "no node ENI of {} (described {:?}) is in the inventory",
                                        lb.name,
                                        super::super::load_balancer::node_description(lb)
                                    ),
                                ),
                                ..at
                            });
                            continue;
                        }
                        let ctx = Leg {
                            model,
                            inv,
                            look: &look,
                            lb,
                            nodes: &nodes,
                            point,
                            ephemeral,
                        };
                        if lb.lb_type == LoadBalancerType::Classic {
                            let port = listener.instance_port.unwrap_or(listener.port);
                            for instance in &lb.instance_ids {
                                let target = look.instance_eni(instance);
                                out.push(ctx.to_target(
                                    &mut fronts,
                                    at.clone(),
                                    instance,
                                    target,
                                    port,
                                ));
                            }
                            continue;
                        }
                        for arn in &listener.target_group_arns {
                            let at = LbPath {
                                target_group_arn: Some(arn.as_str()),
                                ..at.clone()
                            };
                            out.extend(ctx.to_group(&mut fronts, at, arn));
                        }
                    }
                }
            }
            out
        };
        let lbs = ri.load_balancers.as_slice();
        let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
        if threads < 2 || lbs.len() < 64 {
            all.extend(walk(lbs));
            continue;
        }
        // Both cores, each on half of the load balancers; joined in inventory order.
        let (a, b) = lbs.split_at(lbs.len() / 2);
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| walk(a));
            let second = walk(b);
            match first.join() {
                Ok(first) => (first, second),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        all.extend(first);
        all.extend(second);
    }
    all
}

/// Internet exposures of node ENIs, computed once each.
struct Fronts<'m, 'a> {
    cache: ExposureCache<'m, 'a>,
    /// Nodes of Network Load Balancers without security groups.
    ungrouped: HashMap<String, Result<Exposure, String>>,
    ephemeral: PortRange,
}

/// What the internet can open on one node for one service.
struct Front {
    sources: IpSet,
    steps: Vec<Step>,
    unknown: Option<String>,
}

impl Front {
    fn evaluation(&self) -> Evaluation {
        if !self.sources.is_empty() {
            Evaluation::allowed(self.steps.clone())
        } else if let Some(reason) = &self.unknown {
            Evaluation::unknown(reason.clone(), self.steps.clone())
        } else {
            Evaluation::blocked(self.steps.clone())
        }
    }
}

/// The parts of one (load balancer, listener service) every path of it shares.
struct Leg<'l, 'm, 'a> {
    model: &'m Model<'a>,
    inv: &'a Inventory,
    look: &'l Lookup<'a>,
    lb: &'a LoadBalancer,
    nodes: &'l [&'a NetworkInterface],
    point: ServicePoint,
    ephemeral: PortRange,
}

impl<'a> Leg<'_, '_, 'a> {
    /// The paths to every target of the group `arn`.
    fn to_group(
        &self,
        fronts: &mut Fronts<'_, 'a>,
        at: LbPath<'a>,
        arn: &'a str,
    ) -> Vec<LbPath<'a>> {
        let component = format!("target group {arn}");
        let Some(tg) = self.look.target_group(arn) else {
            return vec![LbPath {
                evaluation: unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!("target group {arn} was not collected"),
                ),
                ..at
            }];
        };
        let at = LbPath {
            target_group: Some(tg),
            client_ip_preserved: preserves_client_ip(self.lb, tg),
            ..at
        };
        let component = format!("target group {}", tg.name);
        // What the targets are matters only if the internet gets in at all.
        if let Some(closed) = self.front_closed(fronts) {
            return vec![LbPath {
                evaluation: closed,
                ..at
            }];
        }
        let kind = tg.target_type.to_ascii_lowercase();
        if kind != "instance" && kind != "ip" {
            return vec![LbPath {
                evaluation: unknown_at(
                    Code::LbTargetNotSupported,
                    component,
                    format!(
                        "unsupported: {} targets are not modelled, so what {} reaches is unknown",
                        tg.target_type, tg.name
                    ),
                ),
                ..at
            }];
        }
        let Some(targets) = &tg.targets else {
            return vec![LbPath {
                evaluation: unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!(
                        "coverage gap: the targets of {} could not be read (DescribeTargetHealth)",
                        tg.name
                    ),
                ),
                ..at
            }];
        };
        targets
            .iter()
            .map(|t| {
                let port = t.port.or(tg.port).unwrap_or(self.point_port());
                self.to_target(fronts, at.clone(), &t.id, self.look.target_eni(tg, t), port)
            })
            .collect()
    }

    /// The first node's front when no node lets anything in and none is unknown.
    fn front_closed(&self, fronts: &mut Fronts<'_, 'a>) -> Option<Evaluation> {
        let mut first = None;
        for node in self.nodes {
            let e = fronts
                .get(self.model, self.inv, self.lb, node, self.point)
                .evaluation();
            if !e.is_blocked() {
                return None;
            }
            first.get_or_insert(e);
        }
        first
    }

    fn point_port(&self) -> u16 {
        match self.point {
            ServicePoint::Tcp(p) | ServicePoint::Udp(p) | ServicePoint::Sctp(p) => p,
            _ => 0,
        }
    }

    /// The path to one target through the best node: the union of the sources every
    /// node lets through; else the first unknown; else blocked.
    fn to_target(
        &self,
        fronts: &mut Fronts<'_, 'a>,
        at: LbPath<'a>,
        target_id: &'a str,
        target: Result<&'a NetworkInterface, String>,
        port: u16,
    ) -> LbPath<'a> {
        let tpoint = target_point(self.point, port);
        let at = LbPath {
            target_id: Some(target_id),
            target_point: Some(tpoint),
            ..at
        };
        let target = match target {
            Ok(t) => t,
            Err(reason) => {
                return LbPath {
                    evaluation: unknown_at(
                        Code::DataNotCollected,
                        format!("target {target_id}"),
                        reason,
                    ),
                    ..at
                }
            }
        };
        let mut sources = IpSet::empty();
        let mut first_allowed: Option<Evaluation> = None;
        let mut first_unknown: Option<Evaluation> = None;
        let mut first_blocked: Option<Evaluation> = None;
        for node in self.nodes {
            let front = fronts.get(self.model, self.inv, self.lb, node, self.point);
            let head = Step::new(
                "load balancer",
                format!(
                    "internet -> {} listener {} {} on node {}",
                    self.lb.name,
                    at.listener.map_or("?", |l| l.protocol.as_str()),
                    describe_point(self.point),
                    node.id
                ),
            );
            let (back, reached) = if at.client_ip_preserved {
                self.back_preserved(node, target, tpoint, &front.sources)
            } else {
                let e = if self.lb.security_group_ids.is_empty() {
                    self.back_ungrouped(node, target, tpoint)
                } else {
                    eni_to_eni_with(
                        self.model,
                        self.inv,
                        &node.id,
                        &target.id,
                        tpoint,
                        self.ephemeral,
                    )
                };
                let reached = if e.is_allowed() {
                    front.sources.clone()
                } else {
                    IpSet::empty()
                };
                (e, reached)
            };
            let back = self.gwlb_on_back(node, target, back);
            let e = with_steps(
                vec![head],
                Evaluation::all_of(vec![front.evaluation(), back]),
            );
            if e.is_allowed() && !reached.is_empty() {
                sources = sources.union(&reached);
                first_allowed.get_or_insert(e);
            } else if e.is_allowed() {
                first_blocked.get_or_insert(Evaluation::blocked(e.steps));
            } else if e.is_unknown() {
                first_unknown.get_or_insert(e);
            } else {
                first_blocked.get_or_insert(e);
            }
        }
        let evaluation = first_allowed
            .or(first_unknown)
            .or(first_blocked)
            .unwrap_or_else(|| {
                blocked_at(Code::DataNotCollected, self.lb.name.as_str(), "no node")
            });
        LbPath {
            target_eni: Some(target),
            sources,
            evaluation,
            ..at
        }
    }

    /// The hop from a node to the target when the target sees the client's address:
    /// the node's egress and NACL towards the target and the routes as for any hop,
    /// then the target's groups and NACL judged against the clients. With the
    /// clients the target admits.
    fn back_preserved(
        &self,
        node: &NetworkInterface,
        target: &NetworkInterface,
        tpoint: ServicePoint,
        clients: &IpSet,
    ) -> (Evaluation, IpSet) {
        let (src, dst) = match (
            End::locate(self.model, self.inv, &node.id),
            End::locate(self.model, self.inv, &target.id),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) => {
                return (
                    unknown_at(Code::DataNotCollected, node.id.as_str(), r),
                    IpSet::empty(),
                )
            }
            (_, Err(r)) => {
                return (
                    unknown_at(Code::DataNotCollected, target.id.as_str(), r),
                    IpSet::empty(),
                )
            }
        };
        let v6 = clients.v4.is_empty() && !clients.v6.is_empty();
        let (Some(src_ip), Some(dst_ip)) = (src.private_ip(v6), dst.private_ip(v6)) else {
            return (
                blocked_at(
                    Code::NoCommonAddressFamily,
                    node.id.as_str(),
                    format!(
                        "{} and {} have no private address of the clients' family",
                        node.id, target.id
                    ),
                ),
                IpSet::empty(),
            );
        };
        let head = Step::new(
            "connection",
            format!(
                "{} ({src_ip}) -> {} ({dst_ip}) {}, client addresses preserved",
                node.id,
                target.id,
                describe_point(tpoint)
            ),
        );
        let sg_out = if self.lb.security_group_ids.is_empty() {
            allowed_at(
                format!("{} (load balancer)", self.lb.name),
                "no security groups: nothing filters what leaves the load balancer",
            )
        } else {
            security_group::evaluate(self.model, &node.id, Direction::Egress, dst_ip, tpoint)
        };
        let same_subnet = node.subnet_id == target.subnet_id;
        let node_acl = if same_subnet {
            allowed_at(
                format!("network ACL of {}", node.subnet_id),
                "not crossed: the node and the target are in the same subnet",
            )
        } else {
            nacl_one_side(
                src.acl(),
                &node.subnet_id,
                Direction::Egress,
                dst_ip,
                tpoint,
                self.ephemeral,
            )
        };
        let routes = routing(&src, &dst, src_ip, dst_ip, std::ptr::eq(src.rm, dst.rm));
        let mut admitted = clients.clone();
        let sg_in = match self.clients_admitted_by_groups(target, tpoint, &admitted) {
            Ok((set, step)) => {
                admitted = set;
                Evaluation::allowed(vec![step])
            }
            Err(reason) => unknown_at(
                Code::DataNotCollected,
                format!("security groups of {}", target.id),
                reason,
            ),
        };
        let acl_in = if same_subnet {
            Evaluation::allowed(vec![])
        } else {
            match dst
                .acl()
                .and_then(|acl| self.clients_admitted_by_nacl(acl, tpoint, &admitted))
            {
                Ok((set, step)) => {
                    admitted = set;
                    Evaluation::allowed(vec![step])
                }
                Err(reason) => unknown_at(
                    Code::DataNotCollected,
                    format!("network ACL of {}", target.subnet_id),
                    reason,
                ),
            }
        };
        let parts = Evaluation::all_of(vec![sg_out, node_acl, routes, sg_in, acl_in]);
        let e = if parts.is_allowed() && admitted.is_empty() {
            Evaluation::blocked(parts.steps)
        } else {
            parts
        };
        let admitted = if e.is_allowed() {
            admitted
        } else {
            IpSet::empty()
        };
        (with_steps(vec![head], e), admitted)
    }

    /// The hop from the node of a load balancer without security groups (an NLB
    /// created without them) to the target as the node: as [`eni_to_eni_with`], but
    /// nothing filters what leaves the node.
    fn back_ungrouped(
        &self,
        node: &NetworkInterface,
        target: &NetworkInterface,
        tpoint: ServicePoint,
    ) -> Evaluation {
        let (src, dst) = match (
            End::locate(self.model, self.inv, &node.id),
            End::locate(self.model, self.inv, &target.id),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) => return unknown_at(Code::DataNotCollected, node.id.as_str(), r),
            (_, Err(r)) => return unknown_at(Code::DataNotCollected, target.id.as_str(), r),
        };
        let addrs = [false, true]
            .into_iter()
            .find_map(|v6| Some((src.private_ip(v6)?, dst.private_ip(v6)?)));
        let Some((src_ip, dst_ip)) = addrs else {
            return blocked_at(
                Code::NoCommonAddressFamily,
                node.id.as_str(),
                format!(
                    "{} and {} have no private address of a common family",
                    node.id, target.id
                ),
            );
        };
        let head = Step::new(
            "connection",
            format!(
                "{} ({src_ip}) -> {} ({dst_ip}) {}",
                node.id,
                target.id,
                describe_point(tpoint)
            ),
        );
        let sg_out = allowed_at(
            format!("{} (load balancer)", self.lb.name),
            "no security groups: nothing filters what leaves the load balancer",
        );
        let sg_in =
            security_group::evaluate(self.model, &target.id, Direction::Ingress, src_ip, tpoint);
        let same_subnet = node.subnet_id == target.subnet_id;
        let acls = match (src.acl(), dst.acl()) {
            (Ok(a), Ok(b)) => {
                nacl::connection(a, b, src_ip, dst_ip, tpoint, self.ephemeral, same_subnet)
            }
            (Err(r), _) => unknown_at(
                Code::DataNotCollected,
                format!("network ACL of {}", node.subnet_id),
                r,
            ),
            (_, Err(r)) => unknown_at(
                Code::DataNotCollected,
                format!("network ACL of {}", target.subnet_id),
                r,
            ),
        };
        let routes = routing(&src, &dst, src_ip, dst_ip, std::ptr::eq(src.rm, dst.rm));
        with_steps(
            vec![head],
            Evaluation::all_of(vec![sg_out, sg_in, acls, routes]),
        )
    }

    /// The clients the target's groups let open `tpoint`: those a rule's addresses
    /// cover, or all of them when a rule names one of the load balancer's groups.
    fn clients_admitted_by_groups(
        &self,
        target: &NetworkInterface,
        tpoint: ServicePoint,
        clients: &IpSet,
    ) -> Result<(IpSet, Step), String> {
        let component = format!("security groups of {}", target.id);
        let (rm, _) = self.model.locate_eni(&target.id)?;
        for g in &target.security_group_ids {
            let Some(group) = rm.security_group(g) else {
                continue;
            };
            let reference = group.rules.iter().find(|r| {
                r.direction == Direction::Ingress
                    && ServiceSet::from_rule(r.protocol, r.l4).contains(tpoint)
                    && matches!(&r.peer, RulePeer::Group { group_id, .. }
                        if self.lb.security_group_ids.contains(group_id))
            });
            if let Some(r) = reference {
                return Ok((
                    clients.clone(),
                    Step::new(
                        component,
                        format!(
                            "{} {}: the load balancer's group admits its clients",
                            group.id,
                            security_group::describe_rule(r)
                        ),
                    ),
                ));
            }
        }
        let flows = security_group::allowed_flows(self.model, &target.id, Direction::Ingress)?;
        let admitted = flows.addresses_for(tpoint).intersection(clients);
        let shown = FlowSet::from_box(admitted.clone(), ServiceSet::from_point(tpoint));
        // Admitting none blocks the hop (see `back_preserved`).
        let step = if admitted.is_empty() {
            Step::coded(
                Code::EniSgRulesMismatch,
                component,
                format!("admit none of the clients on {}", describe_point(tpoint)),
            )
        } else {
            Step::new(component, format!("admit clients {shown}"))
        };
        Ok((admitted.clone(), step))
    }

    /// The clients the target subnet's NACL lets in on `tpoint` and whose replies
    /// it lets out on every ephemeral port.
    fn clients_admitted_by_nacl(
        &self,
        acl: &NetworkAcl,
        tpoint: ServicePoint,
        clients: &IpSet,
    ) -> Result<(IpSet, Step), String> {
        let inbound = nacl::allowed_flows(acl, Direction::Ingress).addresses_for(tpoint);
        let replies = nacl::reply_services(tpoint, self.ephemeral)?;
        let outbound = nacl::allowed_flows(acl, Direction::Egress);
        let entering = clients.intersection(&inbound);
        let missing = FlowSet::from_box(entering.clone(), replies)
            .difference(&outbound)
            .addresses();
        let admitted = entering.difference(&missing);
        let shown = FlowSet::from_box(admitted.clone(), ServiceSet::from_point(tpoint));
        let component = format!("{} (network ACL)", acl.id);
        // Admitting none blocks the hop (see `back_preserved`).
        let step = if admitted.is_empty() {
            Step::coded(
                Code::SubnetAclRestriction,
                component,
                "lets none of the clients in with replies out",
            )
        } else {
            Step::new(
                component,
                format!("with replies allowed out: clients {shown}"),
            )
        };
        Ok((admitted.clone(), step))
    }

    /// A hop whose route either way goes through a Gateway Load Balancer endpoint is
    /// unknown, whatever else it says.
    fn gwlb_on_back(
        &self,
        node: &NetworkInterface,
        target: &NetworkInterface,
        e: Evaluation,
    ) -> Evaluation {
        let ends = [(node, target), (target, node)];
        for (from, to) in ends {
            let Ok(end) = End::locate(self.model, self.inv, &from.id) else {
                continue;
            };
            let Ok(table) = end.table() else { continue };
            let Some(ip) = to.private_ipv4s.first().map(|&a| IpAddr::from(a)) else {
                continue;
            };
            if let RouteDecision::Route { route, .. } = route::lookup(end.rm, end.ri, table, ip) {
                if let RouteTarget::VpcEndpoint(id) = &route.target {
                    if is_gwlb_endpoint(end.ri, id) {
                        return Evaluation::all_of(vec![
                            e_without_verdict(e),
                            unknown_at(
                                Code::GwlbApplianceNotVisible,
                                format!("{} (route table)", table.id),
                                gwlb_reason(id),
                            ),
                        ]);
                    }
                }
            }
        }
        e
    }
}

/// `e`'s steps, as an allowed leg (its verdict replaced by the caller's).
fn e_without_verdict(e: Evaluation) -> Evaluation {
    Evaluation::allowed(e.steps)
}

impl<'a> Fronts<'_, 'a> {
    /// What the internet can open on `node` for `point`, with a Gateway Load
    /// Balancer endpoint on the node's internet path making it unknown.
    fn get(
        &mut self,
        model: &Model<'a>,
        inv: &'a Inventory,
        lb: &LoadBalancer,
        node: &NetworkInterface,
        point: ServicePoint,
    ) -> Front {
        let ungrouped = lb.lb_type == LoadBalancerType::Network && lb.security_group_ids.is_empty();
        let exposure: Result<Exposure, String> = if ungrouped {
            let ephemeral = self.ephemeral;
            self.ungrouped
                .entry(node.id.clone())
                .or_insert_with(|| {
                    internet_exposure_without_groups(model, inv, &node.id, ephemeral)
                })
                .clone()
        } else {
            (*self.cache.get(node.id.as_str())).clone()
        };
        let exposure = match exposure {
            Ok(e) => e,
            Err(reason) => {
                return Front {
                    sources: IpSet::empty(),
                    steps: vec![Step::coded(
                        Code::DataNotCollected,
                        node.id.as_str(),
                        reason.clone(),
                    )],
                    unknown: Some(reason),
                }
            }
        };
        let mut steps = exposure.steps.clone();
        if ungrouped {
            steps.push(Step::new(
                format!("{} (load balancer)", lb.name),
                "no security groups: every client reaching the node reaches the listener",
            ));
        }
        if let Some(id) = gwlb_on_front(model, inv, node) {
            steps.push(Step::coded(
                Code::GwlbApplianceNotVisible,
                "Gateway Load Balancer endpoint",
                gwlb_reason(&id),
            ));
            return Front {
                sources: IpSet::empty(),
                steps,
                unknown: Some(gwlb_reason(&id)),
            };
        }
        let sources = exposure.flows.addresses_for(point);
        if sources.is_empty() {
            code_closed_front(model, node, point, !ungrouped, &exposure, &mut steps);
        } else {
            // Parts that let nothing through do not explain an open front.
            steps = steps.into_iter().map(Step::uncoded).collect();
        }
        let unknown = if exposure.unknown.is_empty() {
            None
        } else {
            Some(
                exposure
                    .unknown
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        };
        Front {
            sources,
            steps,
            unknown,
        }
    }
}

/// Codes the step of a front that lets no client open `point`, when none is coded
/// yet: for an undecided front the part the uncertainty is about, for a closed one
/// the security groups when they let no internet client open the point, else the
/// network ACL (the routes, when they let no reply out, are coded by the exposure).
fn code_closed_front(
    model: &Model,
    node: &NetworkInterface,
    point: ServicePoint,
    grouped: bool,
    exposure: &Exposure,
    steps: &mut [Step],
) {
    if steps.iter().any(|s| s.code.is_some()) {
        return;
    }
    let last_of = |steps: &[Step], suffix: &str| {
        steps
            .iter()
            .rposition(|s| s.component.ends_with(suffix))
            .or(steps.len().checked_sub(1))
    };
    let (code, at) = match exposure.unknown.first() {
        Some(Uncertainty::IcmpReplies(_)) => (Code::NotModelled, last_of(steps, "(network ACL)")),
        Some(Uncertainty::Other(code, _)) => (
            *code,
            match code.layer() {
                crate::answer::reach::Layer::RouteTable => steps
                    .iter()
                    .position(|s| s.component.ends_with("(route table)"))
                    .or(last_of(steps, "")),
                _ => last_of(steps, ""),
            },
        ),
        None => {
            let sg_opens = !grouped
                || security_group::allowed_flows(model, &node.id, Direction::Ingress).map_or(
                    true,
                    |f| {
                        !f.addresses_for(point)
                            .intersection(super::super::sets::public_internet())
                            .is_empty()
                    },
                );
            if sg_opens {
                (Code::SubnetAclRestriction, last_of(steps, "(network ACL)"))
            } else {
                (
                    Code::EniSgRulesMismatch,
                    steps
                        .iter()
                        .position(|s| s.component.starts_with("security groups of"))
                        .or(last_of(steps, "")),
                )
            }
        }
    };
    if let Some(i) = at {
        steps[i].code = Some(code);
    }
}

/// A Gateway Load Balancer endpoint the node's internet traffic goes through: a
/// route of the node subnet's table to one, or an edge route of an internet gateway
/// of its VPC sending the node's address to one.
fn gwlb_on_front(model: &Model, inv: &Inventory, node: &NetworkInterface) -> Option<String> {
    let end = End::locate(model, inv, &node.id).ok()?;
    let gwlb = |t: &RouteTarget| match t {
        RouteTarget::VpcEndpoint(id) if is_gwlb_endpoint(end.ri, id) => Some(id.clone()),
        _ => None,
    };
    if let Ok(table) = end.table() {
        if let Some(id) = table.routes.iter().find_map(|r| gwlb(&r.target)) {
            return Some(id);
        }
    }
    let ip = IpAddr::from(*node.private_ipv4s.first()?);
    for igw in end
        .ri
        .internet_gateways
        .iter()
        .filter(|g| g.attachments.iter().any(|a| a.vpc_id == node.vpc_id))
    {
        if let Ok(Some(edge)) = route::edge_table_for_gateway(end.rm, end.ri, &igw.id) {
            if let RouteDecision::Route { route, .. } = route::lookup(end.rm, end.ri, edge, ip) {
                if let Some(id) = gwlb(&route.target) {
                    return Some(id);
                }
            }
        }
    }
    None
}
