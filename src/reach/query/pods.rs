//! Kubernetes pods as ends of a question: `ns/name`, or `cluster:ns/name` when
//! several clusters hold that pod.
//!
//! A pod pair is answered on both planes: the services the pods' NetworkPolicies
//! (and cluster policy tiers) allow, intersected with what the VPC allows between
//! the ENIs that carry the pods (`kubernetes::vpc::PodEnis`). Each contiguous piece
//! of that is confirmed at one point by `pod_to_pod`, `pod_to_eni` or
//! `pod_to_internet`, whose steps become the hops. Policies the CNI does not
//! enforce allow everything (the hops say so); policies that may not be enforced
//! make what they deny unknown.
//!
//! `internet` as the destination of a pod is asked at the addresses the pod's
//! node ENI lets each service piece out to, and at a public address of each
//! `ipBlock` of its egress NetworkPolicies (cluster policy `networks` are not
//! probed: ask about an address of them).
//!
//! Not supported (an error says so): pods of two clusters, the internet to a pod
//! (only a Service or load balancer in front of it is reached from there), and
//! one-sided questions about a pod. A pod with no address or that has finished is
//! an error too: nothing reaches it.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::answer::reach::{Endpoint, Mode, Path, ReachReport, Verdict};
use crate::inventory::{EksCluster, Inventory, PolicyType};

use super::super::kubernetes::vpc::{
    pod_to_eni, pod_to_internet, pod_to_pod, policy_leg, PodEnis, Policies,
};
use super::super::kubernetes::{enforcement, ClusterIndex, Enforcement, Peer, PodId};
use super::super::path::{eni_to_eni_with, DEFAULT_EPHEMERAL};
use super::super::sets::{public_internet, IpSet, ServicePoint, ServiceSet};
use super::super::verdict::{describe_point, Evaluation};
use super::change::Context;
use super::exact::{first_addr, some_public, Exact};
use super::hops::{blocked_at, from_reason, hops, ordered_hops, undecided, Shape};
use super::represent::representative;
use super::select::{distance, Resolved, Target};
use super::service::{pieces, service_items};
use super::{report, Index, QueryError};

/// One cluster, indexed once: its policies, whether they are enforced, and where its
/// pods sit in the VPC.
pub(crate) struct PodCluster<'a> {
    pub index: ClusterIndex<'a>,
    pub enforcement: Enforcement,
    pub enis: PodEnis<'a>,
}

/// Every cluster of the inventory, and its pods by `ns/name`.
pub(crate) struct Pods<'a> {
    pub clusters: Vec<PodCluster<'a>>,
    by_name: HashMap<String, Vec<(usize, PodId)>>,
}

/// The EKS description of a cluster: by ARN, else by name in its account and region.
fn eks_of<'a>(
    inv: &'a Inventory,
    cluster: &crate::inventory::KubeCluster,
) -> Option<&'a EksCluster> {
    inv.regions()
        .flat_map(|(account, ri)| ri.eks_clusters.iter().map(move |c| (account, ri, c)))
        .find(|(account, ri, c)| match &cluster.arn {
            Some(arn) => &c.arn == arn,
            None => {
                c.name == cluster.name
                    && cluster.account_id.as_deref() == Some(*account)
                    && cluster.region.as_deref() == Some(ri.region.as_str())
            }
        })
        .map(|(_, _, c)| c)
}

impl<'a> Pods<'a> {
    pub fn build(inv: &'a Inventory) -> Pods<'a> {
        let mut by_name: HashMap<String, Vec<(usize, PodId)>> = HashMap::new();
        let clusters = inv
            .kubernetes
            .iter()
            .enumerate()
            .map(|(c, cluster)| {
                for (p, pod) in cluster.pods.iter().enumerate() {
                    by_name
                        .entry(format!("{}/{}", pod.namespace, pod.name))
                        .or_default()
                        .push((c, p));
                }
                PodCluster {
                    index: ClusterIndex::new(cluster),
                    enforcement: enforcement(cluster, eks_of(inv, cluster)),
                    enis: PodEnis::new(inv, cluster),
                }
            })
            .collect();
        Pods { clusters, by_name }
    }

    fn cluster_name(&self, c: usize) -> &str {
        self.clusters[c].index.cluster.name.as_str()
    }

    /// Up to five pods closest to `key` (`ns/name`, or `cluster:ns/name` when the
    /// question named a cluster).
    fn suggestions(&self, key: &str, qualified: bool) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (name, at) in &self.by_name {
            if qualified {
                names.extend(
                    at.iter()
                        .map(|&(c, _)| format!("{}:{name}", self.cluster_name(c))),
                );
            } else {
                names.push(name.clone());
            }
        }
        let mut scored: Vec<(usize, String)> = names
            .into_iter()
            .map(|k| (distance(key, &k), k))
            .filter(|(d, k)| *d <= (key.len().max(k.len()) / 2).max(2) || k.starts_with(key))
            .collect();
        scored.sort_unstable();
        scored.into_iter().take(5).map(|(_, k)| k).collect()
    }
}

/// `[cluster:]ns/name` split, or `None` when the selector is not shaped like a pod.
fn pod_shape(s: &str) -> Option<(Option<&str>, &str)> {
    let (cluster, key) = match s.split_once(':') {
        Some((c, k)) if !c.contains('/') => (Some(c), k),
        _ => (None, s),
    };
    let (ns, name) = key.split_once('/')?;
    let plain =
        |x: &str| !x.is_empty() && !x.contains(['/', ':']) && !x.contains(char::is_whitespace);
    (plain(ns) && plain(name) && cluster.is_none_or(plain)).then_some((cluster, key))
}

/// One connection with a pod at one end at least.
#[derive(Debug, Clone, Copy)]
enum PodConn {
    /// Pod to pod of one cluster.
    Pods(usize, PodId, PodId),
    /// A pod to an ENI (index into `Index::enis`) at an address of it.
    ToEni(usize, PodId, usize, IpAddr),
    /// An ENI at an address of it to a pod.
    FromEni(usize, usize, IpAddr, PodId),
    /// A pod to an internet address.
    Out(usize, PodId, IpAddr),
}

impl PodConn {
    fn cluster(self) -> usize {
        match self {
            PodConn::Pods(c, ..)
            | PodConn::ToEni(c, ..)
            | PodConn::FromEni(c, ..)
            | PodConn::Out(c, ..) => c,
        }
    }
}

/// What one connection allows, with the first allowed evaluation.
struct PodShown {
    proven: ServiceSet,
    maybe: ServiceSet,
    reason: Option<String>,
    first: Option<Evaluation>,
    /// What the policies allow (all when not enforced).
    policy: ServiceSet,
    /// What the VPC proves allowed.
    vpc: ServiceSet,
}

impl<'m, 'a> Index<'m, 'a> {
    /// A pod selector, or `None` when `s` is not shaped like one.
    pub(crate) fn resolve_pod(&self, s: &str) -> Option<Result<Resolved<'a>, QueryError>> {
        let (cluster, key) = pod_shape(s)?;
        let found: Vec<(usize, PodId)> = self
            .pods
            .by_name
            .get(key)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&(c, _)| cluster.is_none_or(|n| self.pods.cluster_name(c) == n))
                    .collect()
            })
            .unwrap_or_default();
        let (c, p) = match found.as_slice() {
            [] => {
                let wanted = cluster.map_or(key.to_string(), |c| format!("{c}:{key}"));
                return Some(Err(QueryError::UnknownEndpoint {
                    selector: s.to_string(),
                    suggestions: self.pods.suggestions(&wanted, cluster.is_some()),
                }));
            }
            [one] => *one,
            many => {
                return Some(Err(QueryError::AmbiguousPod {
                    selector: s.to_string(),
                    clusters: many
                        .iter()
                        .map(|&(c, _)| self.pods.cluster_name(c).to_string())
                        .collect(),
                }))
            }
        };
        let cl = &self.pods.clusters[c];
        let pod = cl.index.pod(p);
        let finished = matches!(pod.phase.as_deref(), Some("Succeeded" | "Failed"));
        if pod.ips.is_empty() || finished {
            let why = match &pod.phase {
                Some(phase) if finished => format!("has finished (phase {phase})"),
                Some(phase) => {
                    format!("has no address yet (phase {phase}, not scheduled or starting)")
                }
                None => "has no address (not scheduled)".to_string(),
            };
            return Some(Err(QueryError::PodWithoutAddress {
                selector: s.to_string(),
                why,
            }));
        }
        Some(Ok(Resolved {
            endpoint: Endpoint {
                selector: s.to_string(),
                kind: "pod".to_string(),
                resources: vec![format!(
                    "{}/{}/{}",
                    cl.index.cluster.name, pod.namespace, pod.name
                )],
            },
            target: Target::Pod { cluster: c, pod: p },
        }))
    }

    fn pod_name(&self, c: usize, p: PodId) -> String {
        let pod = self.pods.clusters[c].index.pod(p);
        format!("{}/{}", pod.namespace, pod.name)
    }

    /// The ENI (index) carrying pod `p`, or why none.
    fn pod_eni(&self, c: usize, p: PodId) -> Result<usize, String> {
        let cl = &self.pods.clusters[c];
        let id = cl.enis.eni_of(&cl.index, p)?;
        self.selectors
            .eni_index(id)
            .ok_or_else(|| format!("{id} is not in the inventory"))
    }

    /// An address of ENI `e` of the family of `like`.
    fn eni_addr(&self, e: usize, like: IpAddr) -> Option<IpAddr> {
        let eni = self.enis[e].eni;
        match like {
            IpAddr::V4(_) => eni.private_ipv4s.first().map(|&a| a.into()),
            IpAddr::V6(_) => eni.ipv6s.first().map(|&a| a.into()),
        }
    }

    fn pod_ip(&self, c: usize, p: PodId) -> Option<IpAddr> {
        self.pods.clusters[c].index.pod(p).ips.first().copied()
    }

    /// The connections a pod question stands for.
    fn pod_conns(
        &self,
        f: &Target<'a>,
        t: &Target<'a>,
        asked: &ServiceSet,
    ) -> Result<Vec<PodConn>, QueryError> {
        let unsupported = |s: &str| Err(QueryError::Unsupported(s.to_string()));
        // One ENI per lateral class, at an address of the pod's family.
        let per_class = |enis: &[usize], c: usize, p: PodId| -> Vec<(usize, IpAddr)> {
            let Some(like) = self.pod_ip(c, p) else {
                return Vec::new();
            };
            let own = self.pod_eni(c, p).ok();
            let mut seen = BTreeMap::new();
            for &e in enis {
                if Some(e) == own {
                    continue;
                }
                if let Some(ip) = self.eni_addr(e, like) {
                    seen.entry(self.enis[e].class).or_insert((e, ip));
                }
            }
            seen.into_values().collect()
        };
        Ok(match (f, t) {
            (
                Target::Pod {
                    cluster: a,
                    pod: pa,
                },
                Target::Pod {
                    cluster: b,
                    pod: pb,
                },
            ) => {
                if a != b {
                    return Err(QueryError::Unsupported(format!(
                        "pods of two clusters ({} and {}) are not supported yet: ask about the \
                         ENIs that carry them",
                        self.pods.cluster_name(*a),
                        self.pods.cluster_name(*b)
                    )));
                }
                if pa == pb {
                    return unsupported("a pod to itself is not a question about the network");
                }
                vec![PodConn::Pods(*a, *pa, *pb)]
            }
            (Target::Pod { cluster, pod }, Target::Enis { enis, .. }) => {
                per_class(enis, *cluster, *pod)
                    .into_iter()
                    .map(|(e, ip)| PodConn::ToEni(*cluster, *pod, e, ip))
                    .collect()
            }
            (Target::Enis { enis, .. }, Target::Pod { cluster, pod }) => {
                per_class(enis, *cluster, *pod)
                    .into_iter()
                    .map(|(e, ip)| PodConn::FromEni(*cluster, e, ip, *pod))
                    .collect()
            }
            (Target::Pod { cluster, pod }, Target::Internet(Some(ip))) => {
                vec![PodConn::Out(*cluster, *pod, *ip)]
            }
            (Target::Pod { cluster, pod }, Target::Internet(None)) => {
                // The internet as a whole: the addresses the pod's ENI lets each
                // service piece out to (one public address when none).
                let v6 = self.pod_ip(*cluster, *pod).is_some_and(|a| a.is_ipv6());
                let mut addrs: Vec<IpAddr> = Vec::new();
                if let Ok(e) = self.pod_eni(*cluster, *pod) {
                    if let Ok(flows) = self.to_internet_candidates(e, None, asked) {
                        for piece in pieces(&flows.services()) {
                            let a = piece
                                .first()
                                .and_then(|p| first_addr(&flows.addresses_for(p)));
                            addrs.extend(a.filter(|a| !addrs.contains(a)));
                        }
                    }
                }
                // And a public address of each ipBlock its egress policies name, so
                // that a policy open to a few public ranges only is asked there.
                for a in self.policy_blocks(*cluster, *pod) {
                    if !addrs.contains(&a) {
                        addrs.push(a);
                    }
                }
                if addrs.is_empty() {
                    addrs.extend(some_public(v6));
                }
                addrs
                    .into_iter()
                    .map(|ip| PodConn::Out(*cluster, *pod, ip))
                    .collect()
            }
            (Target::Internet(_), Target::Pod { .. }) => {
                return unsupported(
                    "the internet reaches a pod only through a Service or load balancer in \
                     front of it: ask about that load balancer (or the node) instead",
                )
            }
            _ => return unsupported("no pod in this question"),
        })
    }

    /// The first public address of each `ipBlock` (less its `except`) that a
    /// NetworkPolicy selecting pod `p` for egress names.
    fn policy_blocks(&self, c: usize, p: PodId) -> Vec<IpAddr> {
        let index = &self.pods.clusters[c].index;
        let mut out = Vec::new();
        for k in index.policies_for(p, PolicyType::Egress) {
            let rules = &index.cluster.network_policies[k].egress;
            for block in rules
                .iter()
                .flat_map(|r| &r.peers)
                .filter_map(|peer| peer.ip_block.as_ref())
            {
                let open = IpSet::from_net(block.cidr)
                    .difference(&IpSet::from_nets(block.except.iter().copied()))
                    .intersection(public_internet());
                if let Some(a) = first_addr(&open).filter(|a| !out.contains(a)) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The peers the policies see, as (source, destination).
    fn peers(&self, conn: PodConn) -> (Peer, Peer) {
        let idx = |c: usize| &self.pods.clusters[c].index;
        match conn {
            PodConn::Pods(_, a, b) => (Peer::Pod(a), Peer::Pod(b)),
            PodConn::ToEni(c, a, _, ip) => (Peer::Pod(a), idx(c).peer_for_ip(ip)),
            PodConn::FromEni(c, _, ip, b) => (idx(c).peer_for_ip(ip), Peer::Pod(b)),
            PodConn::Out(_, a, ip) => (Peer::Pod(a), Peer::Ip(ip)),
        }
    }

    /// What the policies allow, and why more may be allowed than that.
    fn policy_part(&self, conn: PodConn) -> (ServiceSet, Option<String>) {
        let cl = &self.pods.clusters[conn.cluster()];
        let (src, dst) = self.peers(conn);
        match &cl.enforcement {
            Enforcement::NotEnforced { .. } => (ServiceSet::all(), None),
            Enforcement::Enforced { .. } => {
                let a = cl.index.allowed(src, dst);
                (a.services, a.unknown)
            }
            Enforcement::Unknown { why } => (
                cl.index.allowed_services(src, dst),
                Some(format!(
                    "NetworkPolicies block it, but whether the CNI enforces them is unknown: {why}"
                )),
            ),
        }
    }

    /// What the VPC allows between the ENIs of `conn`.
    fn vpc_part(&self, conn: PodConn, asked: &ServiceSet) -> Exact {
        let unknown = |reason: String| Exact {
            maybe: asked.clone(),
            reason: Some(reason),
            ..Exact::default()
        };
        let private = |a: Result<usize, String>, b: Result<usize, String>| match (a, b) {
            (Ok(a), Ok(b)) if a == b => Exact {
                proven: asked.clone(),
                ..Exact::default()
            },
            (Ok(a), Ok(b)) => self.exact(a, b, asked),
            (Err(r), _) | (_, Err(r)) => unknown(r),
        };
        match conn {
            PodConn::Pods(c, a, b) => private(self.pod_eni(c, a), self.pod_eni(c, b)),
            PodConn::ToEni(c, a, e, _) => private(self.pod_eni(c, a), Ok(e)),
            PodConn::FromEni(c, e, _, b) => private(Ok(e), self.pod_eni(c, b)),
            PodConn::Out(c, a, ip) => match self
                .pod_eni(c, a)
                .and_then(|e| self.to_internet_candidates(e, Some(ip), asked))
            {
                Ok(flows) => Exact {
                    proven: flows.services_for(ip),
                    ..Exact::default()
                },
                Err(r) => unknown(r),
            },
        }
    }

    /// One evaluation of `conn` at `p`, with the ends the change sentence names.
    fn pod_evaluate(&self, conn: PodConn, p: ServicePoint) -> (Evaluation, Context) {
        let cl = &self.pods.clusters[conn.cluster()];
        let policies = Policies {
            index: &cl.index,
            enforcement: &cl.enforcement,
        };
        let (model, inv, eph) = (self.model, self.inv, DEFAULT_EPHEMERAL);
        let service = describe_point(p);
        let (src, dst) = self.path_ends(conn);
        let eval = match conn {
            PodConn::Pods(_, a, b) => pod_to_pod(model, inv, policies, &cl.enis, a, b, p, eph),
            PodConn::ToEni(_, a, e, ip) => {
                let id = self.enis[e].eni.id.as_str();
                pod_to_eni(model, inv, policies, &cl.enis, a, id, ip, p, eph)
            }
            PodConn::FromEni(_, e, ip, b) => {
                let src_id = self.enis[e].eni.id.as_str();
                let vpc = match cl.enis.eni_of(&cl.index, b) {
                    Ok(dst_id) => eni_to_eni_with(model, inv, src_id, dst_id, p, eph),
                    Err(reason) => Evaluation::unknown(
                        reason.clone(),
                        vec![super::super::verdict::Step::coded(
                            super::super::explain::Code::DataNotCollected,
                            "VPC",
                            reason,
                        )],
                    ),
                };
                // The packet meets the VPC first, then the pod's policies.
                let policy = policy_leg(policies, cl.index.peer_for_ip(ip), Peer::Pod(b), p);
                Evaluation::all_of(vec![vpc, policy])
            }
            PodConn::Out(_, a, ip) => {
                pod_to_internet(model, inv, policies, &cl.enis, a, ip, p, eph).0
            }
        };
        let ctx = Context {
            src: match conn {
                PodConn::FromEni(_, _, ip, _) => ip.to_string(),
                _ => src.clone(),
            },
            dst: match conn {
                PodConn::ToEni(_, _, _, ip) => ip.to_string(),
                _ => dst.clone(),
            },
            service,
        };
        (eval, ctx)
    }

    /// The ends as a path names them: `ns/name` for a pod, the ENI id, the address.
    fn path_ends(&self, conn: PodConn) -> (String, String) {
        let id = |e: usize| self.enis[e].eni.id.clone();
        match conn {
            PodConn::Pods(c, a, b) => (self.pod_name(c, a), self.pod_name(c, b)),
            PodConn::ToEni(c, a, e, _) => (self.pod_name(c, a), id(e)),
            PodConn::FromEni(c, e, _, b) => (id(e), self.pod_name(c, b)),
            PodConn::Out(c, a, ip) => (self.pod_name(c, a), ip.to_string()),
        }
    }

    /// The hops of `e` in the order a packet meets them.
    fn pod_hops(&self, conn: PodConn, e: &Evaluation) -> Vec<crate::answer::reach::Hop> {
        let eni_id = |r: Result<usize, String>| r.ok().map(|i| self.enis[i].eni.id.as_str());
        let private = match conn {
            PodConn::Pods(c, a, b) => eni_id(self.pod_eni(c, a)).zip(eni_id(self.pod_eni(c, b))),
            PodConn::ToEni(c, a, d, _) => eni_id(self.pod_eni(c, a)).zip(eni_id(Ok(d))),
            PodConn::FromEni(c, s, _, b) => eni_id(Ok(s)).zip(eni_id(self.pod_eni(c, b))),
            PodConn::Out(..) => return ordered_hops(e, Shape::ToInternet),
        };
        match private {
            Some((src, dst)) if src != dst => ordered_hops(e, Shape::Private { src, dst }),
            _ => hops(e),
        }
    }

    fn pod_shown(&self, conn: PodConn, asked: &ServiceSet) -> PodShown {
        let (policy, unsure) = self.policy_part(conn);
        let vpc = self.vpc_part(conn, asked);
        let candidates = policy.intersection(&vpc.proven).intersection(asked);
        let mut maybe = policy.intersection(&vpc.maybe);
        let mut reason = vpc.reason.clone();
        if let Some(why) = unsure {
            let denied = asked.difference(&policy);
            let past_vpc = denied.intersection(&vpc.proven.union(&vpc.maybe));
            if !past_vpc.is_empty() {
                maybe = maybe.union(&past_vpc);
                reason.get_or_insert(why);
            }
        }
        let mut proven = ServiceSet::empty();
        let mut first = None;
        for piece in pieces(&candidates) {
            let Some(p) = piece.first() else { continue };
            let (e, _) = self.pod_evaluate(conn, p);
            if e.is_allowed() {
                proven = proven.union(&piece);
                first.get_or_insert(e);
            } else if let super::super::verdict::Verdict::Unknown { reason: r } = &e.verdict {
                maybe = maybe.union(&piece);
                reason.get_or_insert(r.clone());
            }
        }
        PodShown {
            proven,
            maybe: maybe.intersection(asked),
            reason,
            first,
            policy,
            vpc: vpc.proven,
        }
    }

    /// Pair mode with a pod at one end at least.
    pub(crate) fn pod_pair(
        &self,
        f: Resolved<'a>,
        t: Resolved<'a>,
        asked: &ServiceSet,
    ) -> Result<ReachReport, QueryError> {
        let mut rep = report(
            Mode::Pair,
            Some(f.endpoint.clone()),
            Some(t.endpoint.clone()),
            asked,
        );
        let conns = self.pod_conns(&f.target, &t.target, asked)?;
        if conns.is_empty() {
            return Err(QueryError::Unsupported(format!(
                "\"{}\" and \"{}\" leave no pair of distinct network interfaces to ask about",
                f.endpoint.selector, t.endpoint.selector
            )));
        }
        let shown: Vec<(PodConn, PodShown)> = conns
            .into_iter()
            .map(|c| (c, self.pod_shown(c, asked)))
            .collect();
        let mut services = ServiceSet::empty();
        for (conn, s) in &shown {
            if s.proven.is_empty() {
                continue;
            }
            services = services.union(&s.proven);
            let (from, to) = self.path_ends(*conn);
            rep.paths.push(Path {
                from,
                to,
                verdict: Verdict::Allowed,
                services: service_items(&s.proven),
                hops: s
                    .first
                    .as_ref()
                    .map(|e| self.pod_hops(*conn, e))
                    .unwrap_or_default(),
            });
        }
        if !rep.paths.is_empty() {
            rep.verdict = Verdict::Allowed;
            rep.services = service_items(&services);
            return Ok(rep);
        }
        let unknowns: Vec<&(PodConn, PodShown)> =
            shown.iter().filter(|(_, s)| !s.maybe.is_empty()).collect();
        if !unknowns.is_empty() {
            rep.verdict = Verdict::Unknown;
            for (i, (conn, s)) in unknowns.iter().enumerate() {
                let eval = representative(std::slice::from_ref(&s.maybe), asked)
                    .map(|p| self.pod_evaluate(*conn, p).0);
                let mut found = match &eval {
                    Some(e) if e.is_unknown() => undecided(e),
                    _ => Vec::new(),
                };
                if found.is_empty() {
                    found.push(from_reason(s.reason.as_deref()));
                }
                for u in found {
                    if !rep.unknown.contains(&u) {
                        rep.unknown.push(u);
                    }
                }
                if i == 0 {
                    let (from, to) = self.path_ends(*conn);
                    rep.paths.push(Path {
                        from,
                        to,
                        verdict: Verdict::Unknown,
                        services: service_items(&s.maybe),
                        hops: eval
                            .as_ref()
                            .map(|e| self.pod_hops(*conn, e))
                            .unwrap_or_default(),
                    });
                }
            }
            return Ok(rep);
        }
        // Blocked everywhere: a connection the policies let something through
        // explains it (at the VPC), else the first at a point the VPC allows.
        let Some((conn, s)) = shown
            .iter()
            .find(|(_, s)| s.policy.intersects(asked))
            .or_else(|| shown.first())
        else {
            return Ok(rep);
        };
        let ports = self.declared_ports(*conn);
        let candidates = if s.policy.intersects(asked) {
            vec![s.policy.intersection(&ports), s.policy.clone()]
        } else {
            vec![s.vpc.intersection(&ports), s.vpc.clone(), ports]
        };
        if let Some(p) = representative(&candidates, asked) {
            let (eval, ctx) = self.pod_evaluate(*conn, p);
            let (from, to) = self.path_ends(*conn);
            rep.blocked_at = blocked_at(&eval, &ctx, &|eni| self.group_labels(eni));
            rep.paths.push(Path {
                from,
                to,
                verdict: match eval.verdict {
                    super::super::verdict::Verdict::Unknown { .. } => Verdict::Unknown,
                    _ => Verdict::Blocked,
                },
                services: Vec::new(),
                hops: self.pod_hops(*conn, &eval),
            });
        }
        Ok(rep)
    }

    /// The ports the destination pod's containers declare (empty for other ends).
    fn declared_ports(&self, conn: PodConn) -> ServiceSet {
        let dst = match conn {
            PodConn::Pods(c, _, b) | PodConn::FromEni(c, _, _, b) => Some((c, b)),
            _ => None,
        };
        let mut set = ServiceSet::empty();
        if let Some((c, b)) = dst {
            for port in &self.pods.clusters[c].index.pod(b).ports {
                let point = match port.protocol {
                    crate::inventory::KubeProtocol::Tcp => ServicePoint::Tcp(port.container_port),
                    crate::inventory::KubeProtocol::Udp => ServicePoint::Udp(port.container_port),
                    crate::inventory::KubeProtocol::Sctp => ServicePoint::Sctp(port.container_port),
                };
                set = set.union(&ServiceSet::from_point(point));
            }
        }
        set
    }
}
