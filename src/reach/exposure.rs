//! Internet exposure as sets: every (public internet source, service) that can open
//! a connection to an ENI, computed once per [`EniClass`](super::classes::EniClass).
//!
//! The answer is the intersection of
//!
//! - the families the ENI can be addressed in: public IPv4 only with a public IPv4
//!   address mapped to it, IPv6 only with an IPv6 address; both within
//!   [`public_internet`], so private and special ranges never count;
//! - the sources whose *reply* the subnet's route table sends to an internet gateway
//!   attached to the VPC (see [`reply_routable`]);
//! - what the security groups allow in (stateful, so replies pass);
//! - what the subnet's NACL allows in *and* lets the replies out: for TCP, UDP and
//!   SCTP the replies go to the client's ephemeral ports, taken as the Linux default
//!   32768-60999 ([`DEFAULT_EPHEMERAL`]) unless the cache is built
//!   [`with_ephemeral`](ExposureCache::with_ephemeral), and every one of them must be
//!   allowed back to the source; an ICMP/ICMPv6 echo request needs its echo reply allowed; other
//!   protocols need the same protocol allowed back.
//!
//! What is not modelled is reported in [`Exposure::unknown`], never guessed either
//! way, and never counted in [`Exposure::flows`]: replies to ICMP messages other than
//! echo requests, replies routed through a Network Firewall endpoint, routes whose
//! decision is unknown, and ingress routing that steers requests anywhere but the
//! local route (an edge route table sending the subnet to a firewall endpoint).
//! `flows` is therefore what is *proven* exposed; a non-empty `unknown` says more may
//! be.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use ipnet::IpNet;

use crate::inventory::{
    Direction, Inventory, L4Match, NetworkAcl, PortRange, Protocol, RegionInventory,
    RouteDestination, RouteState, RouteTable, RouteTarget,
};

use super::classes::{classes, members_by_key, ClassKey, EniClass, KeyRef};
use super::explain::Code;
use super::model::{FastMap, Model, RegionModel};
use super::nacl;
use super::path::{gateway_attached, End, DEFAULT_EPHEMERAL};
use super::route::{self, describe_route, RouteDecision};
use super::security_group;
use super::sets::{public_internet, FlowSet, IpSet, Ipv4Set, Ipv6Set, ServicePoint, ServiceSet};
use super::verdict::Step;

/// What the internet can open to one ENI (class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// (public internet source, service) pairs that can open a connection.
    pub flows: FlowSet,
    /// The internet gateway carrying the replies, when some reply route reaches one.
    pub gateway: Option<String>,
    /// How each component narrowed the answer.
    pub steps: Vec<Step>,
    /// Why more than `flows` may be exposed (parts the engine does not model or whose
    /// data is missing); empty when `flows` is exact.
    pub unknown: Vec<Uncertainty>,
}

/// One reason more than [`Exposure::flows`] may be exposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncertainty {
    /// Replies to these ICMP messages (all but echo requests) are not modelled:
    /// little is at stake.
    IcmpReplies(ServiceSet),
    /// A route, a gateway or data the answer depends on, in words, with the code
    /// that names why.
    Other(Code, String),
}

impl fmt::Display for Uncertainty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uncertainty::IcmpReplies(services) => write!(
                f,
                "replies to {services} from the internet are not modelled (only echo requests are)"
            ),
            Uncertainty::Other(_, reason) => f.write_str(reason),
        }
    }
}

/// An ENI by id, or a whole class.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'s> {
    Eni(&'s str),
    Class(&'s EniClass),
}

impl<'s> From<&'s str> for Subject<'s> {
    fn from(id: &'s str) -> Self {
        Subject::Eni(id)
    }
}

impl<'s> From<&'s EniClass> for Subject<'s> {
    fn from(c: &'s EniClass) -> Self {
        Subject::Class(c)
    }
}

/// Results keyed by [`ClassKey`]: every ENI of a class gets the same shared result.
pub struct ExposureCache<'m, 'a> {
    model: &'m Model<'a>,
    inv: &'a Inventory,
    results: FastMap<ClassKey, Arc<Result<Exposure, String>>>,
    /// The same results by the parts of the class key borrowed from the inventory, so
    /// that asking for an ENI whose class is known builds no [`ClassKey`].
    by_parts: FastMap<KeyRef<'a>, Arc<Result<Exposure, String>>>,
    /// Pieces of [`compute`] shared by many classes.
    memo: Memo<'a>,
    /// The client port range replies go to.
    ephemeral: PortRange,
    /// The smallest ENI id of each class (built on the first request by ENI): the
    /// class is evaluated from it, as [`EniClass::representative`], so its steps name
    /// the same ENI whichever ENI was asked for first.
    representatives: Option<FastMap<KeyRef<'a>, &'a str>>,
}

impl<'m, 'a> ExposureCache<'m, 'a> {
    /// A cache whose clients use the Linux default ephemeral ports.
    pub fn new(model: &'m Model<'a>, inv: &'a Inventory) -> Self {
        ExposureCache::with_ephemeral(model, inv, DEFAULT_EPHEMERAL)
    }

    /// A cache whose clients take their ports from `ephemeral`: the NACL must let
    /// replies to every one of them out.
    pub fn with_ephemeral(model: &'m Model<'a>, inv: &'a Inventory, ephemeral: PortRange) -> Self {
        ExposureCache {
            model,
            inv,
            results: FastMap::default(),
            by_parts: FastMap::default(),
            memo: Memo::default(),
            ephemeral,
            representatives: None,
        }
    }

    /// The smallest ENI id of the class `parts` describes.
    fn representative(&mut self, parts: &KeyRef<'a>) -> Option<&'a str> {
        let (model, inv) = (self.model, self.inv);
        let all = self.representatives.get_or_insert_with(|| {
            members_by_key(model, inv)
                .into_iter()
                .filter_map(|(key, enis)| Some((key, enis.into_iter().min()?)))
                .collect()
        });
        all.get(parts).copied()
    }

    /// The exposure of `subject`, computed on the first request for its class.
    pub fn get<'s>(&mut self, subject: impl Into<Subject<'s>>) -> Arc<Result<Exposure, String>> {
        let (key, representative, parts) = match subject.into() {
            Subject::Class(c) => (c.key.clone(), c.representative().to_string(), None),
            Subject::Eni(id) => {
                // The ENI's class key, borrowed; owned only for a class not seen yet.
                let parts = match self.model.locate_eni(id) {
                    Ok((rm, eni)) => KeyRef::of(rm.account_id, rm.region, eni),
                    Err(reason) => return Arc::new(Err(reason)),
                };
                if let Some(found) = self.by_parts.get(&parts) {
                    return Arc::clone(found);
                }
                let representative = self.representative(&parts).unwrap_or(id).to_string();
                (parts.to_key(), representative, Some(parts))
            }
        };
        let result = match self.results.get(&key) {
            Some(found) => Arc::clone(found),
            None => {
                let result = Arc::new(compute(
                    self.model,
                    self.inv,
                    &representative,
                    &key,
                    &mut self.memo,
                    self.ephemeral,
                    true,
                ));
                self.results.insert(key, Arc::clone(&result));
                result
            }
        };
        if let Some(parts) = parts {
            self.by_parts.insert(parts, Arc::clone(&result));
        }
        result
    }

    /// How many classes have been evaluated.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// The internet exposure of one ENI or class.
pub fn internet_exposure<'s, 'a>(
    model: &Model<'a>,
    inv: &'a Inventory,
    subject: impl Into<Subject<'s>>,
) -> Result<Exposure, String> {
    (*ExposureCache::new(model, inv).get(subject)).clone()
}

/// What the internet can open to `eni` when no security group filters it: the
/// nodes of a Network Load Balancer created without security groups, where only the
/// address, reply route and NACL decide.
pub fn internet_exposure_without_groups<'a>(
    model: &Model<'a>,
    inv: &'a Inventory,
    eni: &str,
    ephemeral: PortRange,
) -> Result<Exposure, String> {
    let (rm, found) = model.locate_eni(eni)?;
    let key = KeyRef::of(rm.account_id, rm.region, found).to_key();
    compute(
        model,
        inv,
        eni,
        &key,
        &mut Memo::default(),
        ephemeral,
        false,
    )
}

/// The exposure of every class of the inventory, in [`classes`] order.
pub fn exposure_for_all<'a>(
    model: &Model<'a>,
    inv: &'a Inventory,
) -> Vec<(EniClass, Result<Exposure, String>)> {
    let mut cache = ExposureCache::new(model, inv);
    classes(model, inv)
        .into_iter()
        .map(|c| {
            let result = (*cache.get(&c)).clone();
            (c, result)
        })
        .collect()
}

/// What [`compute`] works out from less than a whole class, kept for the classes
/// that share it. Every entry is a pure function of its key (the objects are
/// identified by address, as `usize` so the cache may move between threads: they are borrowed from the model and inventory, which
/// outlive the cache).
#[derive(Default)]
struct Memo<'a> {
    /// [`nacl_connections`] per NACL.
    nacls: FastMap<usize, Arc<NaclConnections>>,
    /// [`reply_routable`] per (region model, region inventory, route table, VPC of
    /// the ENI, public IPv4, IPv6): all it reads.
    routing: FastMap<RoutingKey<'a>, Arc<Routing>>,
    /// What an internet gateway's edge route table does to requests for a subnet,
    /// per (region model, region inventory, gateway, subnet).
    edges: FastMap<EdgeKey<'a>, EdgeAnswer>,
    /// Flow sets as written in steps: many classes open the same flows, and writing
    /// a set of internet sources as CIDRs is the dearest part of a step.
    shown: FastMap<FlowSet, String>,
}

impl Memo<'_> {
    /// `flows.to_string()`.
    fn show(&mut self, flows: &FlowSet) -> &str {
        if !self.shown.contains_key(flows) {
            self.shown.insert(flows.clone(), flows.to_string());
        }
        &self.shown[flows]
    }
}

type RoutingKey<'a> = (usize, usize, usize, &'a str, bool, bool);
type EdgeKey<'a> = (usize, usize, String, &'a str);
/// `Ok(None)`: no edge table; `Ok(Some(step))`: it delivers locally; `Err`: why the
/// answer is only partial.
type EdgeAnswer = Result<Option<Step>, String>;

fn compute<'a>(
    model: &Model<'a>,
    inv: &'a Inventory,
    eni: &str,
    key: &ClassKey,
    memo: &mut Memo<'a>,
    ephemeral: PortRange,
    groups: bool,
) -> Result<Exposure, String> {
    let mut steps = Vec::new();
    let mut unknown = Vec::new();
    let internet = public_internet();
    let addressable = IpSet {
        v4: if key.public_ipv4 {
            internet.v4.clone()
        } else {
            Ipv4Set::empty()
        },
        v6: if key.ipv6 {
            internet.v6.clone()
        } else {
            Ipv6Set::empty()
        },
    };
    if addressable.is_empty() {
        steps.push(Step::coded(
            Code::IgwPrivateIpAssociationForIngress,
            eni,
            "no public IPv4 or IPv6 address",
        ));
        return Ok(Exposure {
            flows: FlowSet::empty(),
            gateway: None,
            steps,
            unknown,
        });
    }
    let end = End::locate(model, inv, eni)?;
    let sg = if groups {
        security_group::allowed_flows(model, eni, Direction::Ingress)?
    } else {
        FlowSet::all()
    };
    let acl = end.acl()?;
    let table = end.table()?;

    let routing = Arc::clone(
        memo.routing
            .entry((
                end.rm as *const RegionModel<'a> as usize,
                end.ri as *const RegionInventory as usize,
                table as *const RouteTable as usize,
                end.eni.vpc_id.as_str(),
                key.public_ipv4,
                key.ipv6,
            ))
            .or_insert_with(|| Arc::new(reply_routable(&end, table, &addressable))),
    );
    let sources = addressable.intersection(&routing.routable);
    // The routes' codes say why replies cannot leave; they explain the answer only
    // when no reply can.
    let routes_decide = sources.is_empty() && routing.unknown.is_empty();
    steps.extend(routing.steps.iter().cloned().map(|s| match routes_decide {
        true => s,
        false => s.uncoded(),
    }));
    unknown.extend(
        routing
            .unknown
            .iter()
            .cloned()
            .map(|(code, why)| Uncertainty::Other(code, why)),
    );
    let mask = FlowSet::from_box(sources.clone(), ServiceSet::all());

    let sg_open = sg.intersection(&mask);
    let component = if groups {
        format!("security groups of {eni}")
    } else {
        format!("{eni} (no security groups)")
    };
    steps.push(Step::new(
        component,
        format!(
            "allow in from the reachable internet: {}",
            memo.show(&sg_open)
        ),
    ));
    let conn = Arc::clone(
        memo.nacls
            .entry(acl as *const NetworkAcl as usize)
            .or_insert_with(|| Arc::new(nacl_connections(acl, ephemeral))),
    );
    let mut flows = sg_open.intersection(&conn.connections);
    steps.push(Step::new(
        format!("{} (network ACL)", acl.id),
        format!("with replies allowed out: {}", memo.show(&flows)),
    ));
    let unmodelled = sg_open
        .intersection(&conn.inbound)
        .intersection(&FlowSet::from_box(sources, conn.unmodelled.clone()));
    if !unmodelled.is_empty() {
        // The services say what is unmodelled; the sources are the exposed ones.
        let services = unmodelled
            .boxes()
            .iter()
            .fold(ServiceSet::empty(), |s, b| s.union(&b.services));
        unknown.push(Uncertainty::IcmpReplies(services));
    }
    if let Some(igw) = &routing.gateway {
        let edge = memo
            .edges
            .entry((
                end.rm as *const RegionModel<'a> as usize,
                end.ri as *const RegionInventory as usize,
                igw.clone(),
                end.eni.subnet_id.as_str(),
            ))
            .or_insert_with(
                || match route::edge_table_for_gateway(end.rm, end.ri, igw) {
                    Ok(None) => Ok(None),
                    Ok(Some(edge)) => edge_goes_local(&end, edge).map(Some),
                    Err(reason) => Err(reason),
                },
            );
        match edge {
            Ok(None) => {}
            Ok(Some(step)) => steps.push(step.clone()),
            Err(reason) => {
                // Not proven any more: what the gateway does with the requests
                // decides, so all of it moves to "may be". Ingress routing only
                // narrows, so nothing open stays nothing.
                if !flows.is_empty() {
                    unknown.push(Uncertainty::Other(
                        Code::NotModelled,
                        format!("{flows} may be exposed: {reason}"),
                    ));
                    flows = FlowSet::empty();
                }
            }
        }
    }
    Ok(Exposure {
        flows,
        gateway: routing.gateway.clone(),
        steps,
        unknown,
    })
}

/// Whether an internet gateway's edge route table delivers requests for the ENI's
/// subnet straight to the local route, for every address of the subnet (so for every
/// ENI of the class). Steering them to an endpoint (ingress routing through a
/// firewall) is not modelled as a set, so it is a reason the answer is partial.
fn edge_goes_local(end: &End, edge: &RouteTable) -> Result<Step, String> {
    let component = format!("{} (edge route table)", edge.id);
    let subnet = end
        .ri
        .subnets
        .iter()
        .find(|s| s.id == end.eni.subnet_id)
        .ok_or_else(|| format!("{} is not in the inventory", end.eni.subnet_id))?;
    let mut subnet_nets: Vec<IpNet> = subnet.ipv4_cidr.map(IpNet::from).into_iter().collect();
    subnet_nets.extend(subnet.ipv6_cidrs.iter().map(|&n| IpNet::from(n)));
    if subnet_nets.is_empty() {
        return Err(format!(
            "{}: the CIDR of {} is unknown, so ingress routing cannot be decided",
            edge.id, subnet.id
        ));
    }
    for r in &edge.routes {
        let inside = match &r.destination {
            RouteDestination::Ipv4(n) => IpNet::from(*n),
            RouteDestination::Ipv6(n) => IpNet::from(*n),
            RouteDestination::PrefixList(id) => {
                return Err(format!(
                    "{}: prefix-list route {id} in an edge table is not modelled",
                    edge.id
                ))
            }
        };
        if subnet_nets
            .iter()
            .any(|s| s.contains(&inside) && *s != inside)
        {
            return Err(format!(
                "{}: {} splits {}; ingress routing is decided per address",
                edge.id,
                describe_route(r),
                subnet.id
            ));
        }
    }
    for net in &subnet_nets {
        match route::lookup(end.rm, end.ri, edge, net.network()) {
            RouteDecision::Route { route, .. }
                if route.target == RouteTarget::Local && route.state == RouteState::Active => {}
            RouteDecision::NoRoute { .. } => {}
            RouteDecision::Route { route, .. } => {
                return Err(format!(
                    "{}: requests to {net} take {}; ingress routing through it is not modelled as a set",
                    edge.id,
                    describe_route(route)
                ))
            }
            RouteDecision::Unknown { reason } => return Err(reason),
        }
    }
    Ok(Step::new(
        component,
        format!("delivers requests to {} locally", subnet.id),
    ))
}

/// What a NACL lets through as connections opened from outside the subnet.
struct NaclConnections {
    /// (source, service) whose request is allowed in and whose replies are allowed
    /// out, for the services whose replies are modelled.
    connections: FlowSet,
    /// Everything the ACL allows in.
    inbound: FlowSet,
    /// Services whose replies are not modelled (ICMP other than echo requests).
    unmodelled: ServiceSet,
}

fn nacl_connections(acl: &NetworkAcl, ephemeral: PortRange) -> NaclConnections {
    let inbound = nacl::allowed_flows(acl, Direction::Ingress);
    let outbound = nacl::allowed_flows(acl, Direction::Egress);
    let full = IpSet::full();
    // Sources to which *every* reply of `replies` is allowed out.
    let replies_ok = |replies: ServiceSet| -> IpSet {
        let missing = FlowSet::from_box(full.clone(), replies).difference(&outbound);
        full.difference(&missing.addresses())
    };
    let any = |p: Protocol| ServiceSet::from_rule(p, L4Match::Any);
    let ephemeral = L4Match::Ports(ephemeral);
    let echo = ServiceSet::from_rule(
        Protocol::Icmp,
        L4Match::Icmp {
            icmp_type: Some(8),
            icmp_code: None,
        },
    );
    let echo6 = ServiceSet::from_rule(
        Protocol::Icmpv6,
        L4Match::Icmp {
            icmp_type: Some(128),
            icmp_code: None,
        },
    );
    let mut boxes = Vec::new();
    for p in [Protocol::Tcp, Protocol::Udp, Protocol::Other(132)] {
        boxes.push((replies_ok(ServiceSet::from_rule(p, ephemeral)), any(p)));
    }
    boxes.push((
        replies_ok(ServiceSet::from_point(ServicePoint::Icmp {
            icmp_type: 0,
            code: 0,
        })),
        echo.clone(),
    ));
    boxes.push((
        replies_ok(ServiceSet::from_point(ServicePoint::Icmpv6 {
            icmp_type: 129,
            code: 0,
        })),
        echo6.clone(),
    ));
    // Protocols without ports: the reply is the same protocol back to the source.
    let ported = any(Protocol::Tcp)
        .union(&any(Protocol::Udp))
        .union(&any(Protocol::Other(132)));
    let icmps = any(Protocol::Icmp).union(&any(Protocol::Icmpv6));
    let portless = ServiceSet::all().difference(&ported).difference(&icmps);
    let connections = FlowSet::from_boxes(boxes)
        .union(&outbound.intersection(&FlowSet::from_box(full.clone(), portless)))
        .intersection(&inbound);
    NaclConnections {
        connections,
        inbound,
        unmodelled: icmps.difference(&echo).difference(&echo6),
    }
}

/// Internet addresses whose replies leave through an internet gateway.
struct Routing {
    routable: IpSet,
    gateway: Option<String>,
    steps: Vec<Step>,
    unknown: Vec<(Code, String)>,
}

/// The addresses of `within` to which `table` routes replies through an internet
/// gateway attached to the ENI's VPC.
///
/// Exact, not sampled: the route destinations (CIDRs and the entries of the prefix
/// lists the table names) cut each family's address space into intervals inside
/// which every address matches the same routes, so one [`route::lookup`] at each
/// interval's first address decides the whole interval. Intervals whose decision is
/// unknown, or that go to a Network Firewall endpoint (not modelled as a set), are
/// left out of `routable` and reported in `unknown`.
fn reply_routable(end: &End, table: &RouteTable, within: &IpSet) -> Routing {
    let mut nets: Vec<IpNet> = Vec::new();
    for r in &table.routes {
        match &r.destination {
            RouteDestination::Ipv4(n) => nets.push((*n).into()),
            RouteDestination::Ipv6(n) => nets.push((*n).into()),
            RouteDestination::PrefixList(id) => {
                if let Some(list) = end.ri.prefix_list(id) {
                    nets.extend(list.entries.iter().map(|e| e.cidr));
                }
            }
        }
    }
    let mut out = Routing {
        routable: IpSet::empty(),
        gateway: None,
        steps: Vec::new(),
        unknown: Vec::new(),
    };
    let vpc = end.eni.vpc_id.as_str();
    let mut intervals: Vec<(IpAddr, IpSet)> = Vec::new();
    if !within.v4.is_empty() {
        for (lo, hi) in v4_intervals(&nets) {
            let set = Ipv4Set::from_range(lo, hi);
            if set.intersects(&within.v4) {
                intervals.push((lo.into(), set.into()));
            }
        }
    }
    if !within.v6.is_empty() {
        for (lo, hi) in v6_intervals(&nets) {
            let set = Ipv6Set::from_range(lo, hi);
            if set.intersects(&within.v6) {
                intervals.push((lo.into(), set.into()));
            }
        }
    }
    let component = format!("{} (route table)", table.id);
    for (rep, set) in intervals {
        let part = set.intersection(within);
        match route::lookup(end.rm, end.ri, table, rep) {
            RouteDecision::Route { route, .. } => match (&route.target, route.state) {
                (RouteTarget::InternetGateway(igw), RouteState::Active) => {
                    let attached = gateway_attached(end.ri, igw, vpc, false);
                    if attached.is_allowed() {
                        out.routable = out.routable.union(&part);
                        out.gateway.get_or_insert_with(|| igw.clone());
                        out.steps.push(Step::new(
                            component.clone(),
                            format!("replies to {part} leave by {}", describe_route(route)),
                        ));
                    } else if attached.is_unknown() {
                        out.unknown.push((
                            Code::DataNotCollected,
                            format!("replies to {part} go to {igw}, not collected"),
                        ));
                    } else {
                        out.steps.push(Step::coded(
                            Code::IgwNotAttached,
                            component.clone(),
                            format!("replies to {part} go to {igw}, not attached to {vpc}"),
                        ));
                    }
                }
                (RouteTarget::VpcEndpoint(id), RouteState::Active) => out.unknown.push((
                    Code::NotModelled,
                    format!(
                        "replies to {part} go through endpoint {id} ({}); \
                         firewall inspection is not modelled as a set",
                        describe_route(route)
                    ),
                )),
                (_, RouteState::Unknown) => out.unknown.push((
                    Code::RouteStateUnknown,
                    format!(
                        "{}: {} is in an unknown state",
                        table.id,
                        describe_route(route)
                    ),
                )),
                (_, RouteState::Blackhole) => out.steps.push(Step::coded(
                    Code::RouteBlackhole,
                    component.clone(),
                    format!(
                        "replies to {part} take {}, not an internet gateway",
                        describe_route(route)
                    ),
                )),
                _ => out.steps.push(Step::coded(
                    Code::NoRouteToDestination,
                    component.clone(),
                    format!(
                        "replies to {part} take {}, not an internet gateway",
                        describe_route(route)
                    ),
                )),
            },
            RouteDecision::NoRoute { .. } => out.steps.push(Step::coded(
                Code::NoRouteToDestination,
                component.clone(),
                format!("no route for replies to {part}"),
            )),
            RouteDecision::Unknown { reason } => out.unknown.push((
                Code::RouteUndecided,
                format!("route for replies to {part}: {reason}"),
            )),
        }
    }
    out
}

/// The IPv4 space cut at every boundary of `nets`, as inclusive ranges.
fn v4_intervals(nets: &[IpNet]) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let mut cuts: Vec<u64> = vec![0];
    for n in nets {
        if let IpNet::V4(n) = n {
            cuts.push(u64::from(u32::from(n.network())));
            cuts.push(u64::from(u32::from(n.broadcast())) + 1);
        }
    }
    cut(cuts, 1u64 << 32)
        .into_iter()
        .map(|(lo, hi)| (Ipv4Addr::from(lo as u32), Ipv4Addr::from(hi as u32)))
        .collect()
}

/// The IPv6 space cut at every boundary of `nets`, as inclusive ranges.
fn v6_intervals(nets: &[IpNet]) -> Vec<(Ipv6Addr, Ipv6Addr)> {
    // A net ending at the last address adds no cut: the last range ends there anyway.
    let mut cuts: Vec<u128> = vec![0];
    for n in nets {
        if let IpNet::V6(n) = n {
            cuts.push(u128::from(n.network()));
            if let Some(after) = u128::from(n.broadcast()).checked_add(1) {
                cuts.push(after);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len());
    for (i, &lo) in cuts.iter().enumerate() {
        let hi = cuts.get(i + 1).map_or(u128::MAX, |next| next - 1);
        out.push((Ipv6Addr::from(lo), Ipv6Addr::from(hi)));
    }
    out
}

/// Inclusive ranges between sorted cut points, the last one ending at `end - 1`.
fn cut(mut cuts: Vec<u64>, end: u64) -> Vec<(u64, u64)> {
    cuts.retain(|&c| c < end);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len());
    for (i, &lo) in cuts.iter().enumerate() {
        let hi = cuts.get(i + 1).map_or(end - 1, |next| next - 1);
        out.push((lo, hi));
    }
    out
}
