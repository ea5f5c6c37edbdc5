//! Footholds, crown jewels and the shortest paths between them, shared by the
//! `lateral-*` checks and computed once per scan.
//!
//! The engine answers over lateral classes ([`crate::reach::lateral`]): every ENI of
//! a class reaches and is reached alike, so a class is a foothold when one of its
//! ENIs is, a jewel when one of its ENIs is, and a pivot when one of its ENIs is a
//! host an attacker can take over. Findings name those ENIs.

use std::collections::{BTreeMap, HashMap};

use crate::finding::{AttackPath, BlastRadius, NodeRole, PathHop, PathNode, Resource, Severity};
use crate::inventory::{Direction, L4Match, NetworkInterface, PortRange, Protocol};
use crate::reach::lateral::{Catalogue, Graph, Pairs, Reach, MAX_POINTS};
use crate::reach::path::eni_to_eni_with;
use crate::reach::sets::{ServicePoint, ServiceSet};

use crate::checks::classify::StoreKind;
use crate::checks::context::{Context, Draft, Scoped};
use crate::checks::resources;
use crate::checks::shared::load_balancer as lbs;

/// Administration ports an attacker logs in or executes through.
const ADMIN: &[u16] = &[22, 23, 135, 139, 445, 3389, 5900, 5985, 5986];
/// Web and application ports.
const WEB: &[u16] = &[80, 443, 8080, 8443];
/// The memory the class graph may take. Beyond it the lateral checks say they could
/// not evaluate the estate, rather than the allocation aborting the scan.
const GRAPH_BUDGET: u64 = 4 << 30;
/// A group rule naming at most this many ports says which port a jewel serves on.
const JEWEL_RULE_PORTS: u32 = 8;

/// The lateral-movement analysis of one inventory.
#[derive(Debug, Default)]
pub struct Analysis {
    paths: Vec<Draft>,
    blast: Vec<Draft>,
    /// The crown jewels (one ENI per class, the one findings name), and the VPCs
    /// that could not be evaluated.
    jewels: Vec<Scoped>,
    /// The footholds, likewise.
    footholds: Vec<Scoped>,
}

impl Analysis {
    pub fn path_findings(&self) -> Vec<Draft> {
        self.paths.clone()
    }

    pub fn blast_findings(&self) -> Vec<Draft> {
        self.blast.clone()
    }

    /// What `lateral-movement-path` judges: every crown jewel.
    pub fn path_scope(&self) -> Vec<Scoped> {
        self.jewels.clone()
    }

    /// What `lateral-blast-radius` judges: every foothold.
    pub fn blast_scope(&self) -> Vec<Scoped> {
        self.footholds.clone()
    }
}

/// An ENI located, with what it is.
#[derive(Debug, Clone)]
struct Member<'a> {
    account: &'a str,
    region: &'a str,
    eni: &'a NetworkInterface,
}

#[derive(Debug, Clone)]
struct Foothold<'a> {
    member: Member<'a>,
    why: String,
    /// Reached from the internet (not only configured as untrusted).
    internet: bool,
    /// The load balancer the internet reaches it through, when not directly.
    via: Option<Via>,
}

/// How the internet reaches a foothold behind a load balancer.
#[derive(Debug, Clone)]
struct Via {
    load_balancer: Resource,
    /// Load balancer, listener and target group.
    evidence: Vec<(String, String)>,
}

/// Which of several equally near footholds a jewel's findings name first: internet
/// footholds before configured ones, then by Name tag and id (names survive a
/// rebuild of the estate, ids do not).
type Rank = (bool, Option<String>, String);

impl Foothold<'_> {
    fn rank(&self) -> Rank {
        (
            !self.internet,
            self.member.eni.tags.get("Name").cloned(),
            self.member.eni.id.clone(),
        )
    }
}

#[derive(Debug, Clone)]
struct Jewel<'a> {
    member: Member<'a>,
    kind: StoreKind,
    why: String,
    /// Crown-jewel ENIs in the class.
    count: usize,
}

/// What each class is.
#[derive(Default)]
struct Roles<'a> {
    foothold: Vec<Option<Foothold<'a>>>,
    jewel: Vec<Option<Jewel<'a>>>,
    /// The host standing for the class on a path.
    host: Vec<Option<Member<'a>>>,
    pivots: Vec<u64>,
}

/// `tcp/22`.
pub fn point_name(p: ServicePoint) -> String {
    match p {
        ServicePoint::Tcp(n) => format!("tcp/{n}"),
        ServicePoint::Udp(n) => format!("udp/{n}"),
        ServicePoint::Sctp(n) => format!("sctp/{n}"),
        ServicePoint::Icmp { icmp_type, code } => format!("icmp/{icmp_type}:{code}"),
        ServicePoint::Icmpv6 { icmp_type, code } => format!("icmpv6/{icmp_type}:{code}"),
        ServicePoint::Other(n) => format!("proto/{n}"),
    }
}

fn tcp(ports: impl IntoIterator<Item = u16>) -> Vec<ServicePoint> {
    ports.into_iter().map(ServicePoint::Tcp).collect()
}

impl Analysis {
    pub fn run(ctx: &Context) -> Analysis {
        let started = std::time::Instant::now();
        let config = &ctx.config.lateral;
        let stores = data_stores(ctx);
        let catalogue = catalogue(ctx, &stores);
        let graph = match Graph::build(
            ctx.model,
            ctx.inventory,
            catalogue,
            ctx.ephemeral(),
            GRAPH_BUDGET,
        ) {
            Ok(g) => g,
            Err(too_large) => return Analysis::too_large(ctx, &too_large),
        };
        let roles = roles(ctx, &graph, &stores);
        let max_hops = config.max_hops;
        tracing::debug!("lateral: graph and roles in {:?}", started.elapsed());

        // Every foothold class's reach; per jewel class, who reaches it and how far.
        let footholds: Vec<usize> = (0..graph.len())
            .filter(|&f| roles.foothold[f].is_some())
            .collect();
        let wanted = wanted(&graph, &roles, false);
        let reaches = walks(&graph, &footholds, max_hops, &roles.pivots, &wanted);
        // Footholds in [`Rank`] order, once: entries below carry the position.
        let mut ranked: Vec<usize> = footholds.clone();
        ranked.sort_by_cached_key(|&f| roles.foothold[f].as_ref().map(Foothold::rank));
        let mut rank_of = vec![0usize; graph.len()];
        for (pos, &f) in ranked.iter().enumerate() {
            rank_of[f] = pos;
        }
        let mut by_jewel: BTreeMap<usize, Vec<(usize, usize, usize)>> = BTreeMap::new();
        let mut blast = Vec::new();
        for (&f, r) in &reaches {
            let Some(foothold) = &roles.foothold[f] else {
                continue;
            };
            let mut within = vec![0usize; max_hops];
            for (c, d) in r.reached() {
                if let Some(j) = &roles.jewel[c] {
                    by_jewel.entry(c).or_default().push((d, rank_of[f], f));
                    within[d - 1] += j.count;
                }
            }
            for i in 1..within.len() {
                within[i] += within[i - 1];
            }
            if within.last().is_some_and(|&n| n > 0) {
                blast.push(blast_draft(foothold, &within, graph.classes[f].enis.len()));
            }
        }

        tracing::debug!(
            footholds = reaches.len(),
            "lateral: walks in {:?}",
            started.elapsed()
        );
        let proven: std::collections::BTreeSet<usize> = by_jewel.keys().copied().collect();
        // Jewels on every core, each thread with its own pair evaluator; the jewels'
        // order is kept.
        let new_pairs = || Pairs::new(ctx.model, ctx.inventory, &graph.catalogue, ctx.ephemeral());
        let jewels: Vec<_> = by_jewel.into_iter().collect();
        let mut paths: Vec<Draft> = {
            use rayon::prelude::*;
            jewels
                .into_par_iter()
                .map_init(new_pairs, |pairs, (j, mut found)| {
                    let mut out = Vec::new();
                    found.sort_unstable();
                    let reached_by = found.len();
                    let Some(jewel) = &roles.jewel[j] else {
                        return out;
                    };
                    for (d, _, f) in found.into_iter().take(config.paths_per_jewel) {
                        let Some(classes) = reaches[&f].path(&graph, &roles.pivots, j) else {
                            continue;
                        };
                        debug_assert_eq!(classes.len(), d + 1);
                        out.extend(path_draft(
                            ctx, pairs, &graph, &roles, &classes, jewel, reached_by, false,
                        ));
                    }
                    out
                })
                .collect::<Vec<_>>()
                .into_iter()
                .flatten()
                .collect()
        };
        let mut pairs = new_pairs();
        tracing::debug!(
            paths = paths.len(),
            "lateral: path findings in {:?}",
            started.elapsed()
        );
        paths.extend(undecided(ctx, &mut pairs, &graph, &roles, &proven));
        // What could not be evaluated is unknown for both checks: a foothold there may
        // reach anything, and a jewel there may be reached.
        let unknown = unevaluated(ctx, &graph);
        let (jewels, footholds) = scopes(&graph, &roles, &unknown, max_hops);
        blast.extend(unknown.iter().cloned());
        paths.extend(unknown);
        tracing::debug!("lateral: done in {:?}", started.elapsed());
        Analysis {
            paths,
            blast,
            jewels,
            footholds,
        }
    }
}

impl Analysis {
    /// Every VPC with ENIs unknown to both checks: the graph would not fit.
    fn too_large(ctx: &Context, why: &crate::reach::lateral::TooLarge) -> Analysis {
        tracing::warn!("lateral movement not evaluated: {why}");
        let mut by_vpc: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for (account, ri) in ctx.regions() {
            for eni in &ri.network_interfaces {
                *by_vpc
                    .entry((account, ri.region.as_str(), eni.vpc_id.as_str()))
                    .or_default() += 1;
            }
        }
        let why = why.to_string();
        let unknown: Vec<Draft> = by_vpc
            .into_iter()
            .map(|(vpc, n)| vpc_unknown(vpc, n, &why, "class graph too large"))
            .collect();
        let scope = vpc_scopes(&unknown);
        Analysis {
            paths: unknown.clone(),
            blast: unknown,
            jewels: scope.clone(),
            footholds: scope,
        }
    }
}

/// The scopes of both checks: each jewel and each foothold (as its class's findings
/// name it) with why it passes when no finding names it, and the VPCs `unknown`
/// names. Classes that could not be evaluated are left to those VPCs.
fn scopes(
    graph: &Graph,
    roles: &Roles,
    unknown: &[Draft],
    max_hops: usize,
) -> (Vec<Scoped>, Vec<Scoped>) {
    let unevaluated: std::collections::HashSet<usize> =
        graph.unknown_classes.iter().map(|(c, _)| *c).collect();
    let evaluated = |c: &usize| !unevaluated.contains(c);
    let jewel_enis: usize = roles.jewel.iter().flatten().map(|j| j.count).sum();
    let any_foothold = roles.foothold.iter().any(Option::is_some);
    // The walks follow only hops the engine decided; undecided ones are reported
    // by lateral-movement-path, so a foothold's count leaves them out.
    let any_maybe = (0..graph.len()).any(|a| graph.maybe_row(a).iter().any(|w| *w != 0));
    let mut jewels = Vec::new();
    for (c, j) in roles.jewel.iter().enumerate() {
        let Some(j) = j.as_ref().filter(|_| evaluated(&c)) else {
            continue;
        };
        let mut reason = if any_foothold {
            format!(
                "crown jewel ({}): no foothold reaches it within {max_hops} hops",
                j.why
            )
        } else {
            format!(
                "crown jewel ({}): nothing is a foothold (no host the internet reaches, \
                 none a [lateral] untrusted selector names)",
                j.why
            )
        };
        if j.count > 1 {
            reason.push_str(&format!(
                ", nor the {} other crown-jewel ENI(s) in its subnet with the same groups",
                j.count - 1
            ));
        }
        jewels.push(Scoped::pass(
            j.member.account,
            j.member.region,
            eni_resource(&j.member),
            reason,
        ));
    }
    let mut footholds = Vec::new();
    for (c, f) in roles.foothold.iter().enumerate() {
        let Some(f) = f.as_ref().filter(|_| evaluated(&c)) else {
            continue;
        };
        let reason = if jewel_enis == 0 {
            format!("foothold ({}): no ENI is a crown jewel", f.why)
        } else {
            format!(
                "foothold ({}): reaches none of the {jewel_enis} crown-jewel ENI(s) within \
                 {max_hops} hops{}",
                f.why,
                if any_maybe {
                    ", undecided hops aside"
                } else {
                    ""
                }
            )
        };
        footholds.push(Scoped::pass(
            f.member.account,
            f.member.region,
            eni_resource(&f.member),
            reason,
        ));
    }
    let vpcs = vpc_scopes(unknown);
    jewels.extend(vpcs.iter().cloned());
    footholds.extend(vpcs);
    (jewels, footholds)
}

/// The VPCs `unknown` names, once each, for both checks' scopes. Their unknown
/// findings always name them: the reason is never shown.
fn vpc_scopes(unknown: &[Draft]) -> Vec<Scoped> {
    let mut seen = std::collections::HashSet::new();
    unknown
        .iter()
        .filter(|d| seen.insert((&d.account, &d.region, &d.resource.id)))
        .map(|d| {
            Scoped::pass(
                &d.account,
                &d.region,
                d.resource.clone(),
                "lateral movement to and from its ENIs was evaluated",
            )
        })
        .collect()
}

/// The unknown finding of `n` ENIs of a VPC whose lateral movement could not be
/// evaluated, for `reason`.
fn vpc_unknown(
    (account, region, vpc): (&str, &str, &str),
    n: usize,
    reason: &str,
    identity: &str,
) -> Draft {
    Draft::unknown(
        account,
        region,
        resources::vpc(account, region, vpc, None),
        format!(
            "lateral movement to and from {n} ENI(s) of {vpc} could not be evaluated: {reason}"
        ),
    )
    .identity(identity)
}

/// Every crown-jewel ENI by id, with where it is and why it counts, judged once.
type Stores<'a> = HashMap<&'a str, (Member<'a>, StoreKind, String)>;

fn data_stores<'a>(ctx: &Context<'_, 'a>) -> Stores<'a> {
    let mut out = HashMap::new();
    for (account, ri) in ctx.regions() {
        for eni in &ri.network_interfaces {
            if let Some((kind, why)) = ctx.data_store(account, &ri.region, eni) {
                let member = Member {
                    account,
                    region: ri.region.as_str(),
                    eni,
                };
                out.entry(eni.id.as_str()).or_insert((member, kind, why));
            }
        }
    }
    out
}

/// The services a hop may use: data ports (configured), administration and web
/// ports, extra configured ports, then ports the jewels' groups single out, up to
/// [`MAX_POINTS`].
fn catalogue(ctx: &Context, stores: &Stores) -> Catalogue {
    let config = &ctx.config.lateral;
    let mut points = Vec::new();
    let expand = |ranges: &mut dyn Iterator<Item = (u16, u16)>| {
        ranges
            .flat_map(|(from, to)| from..=to)
            .map(ServicePoint::Tcp)
            .collect::<Vec<_>>()
    };
    points.extend(expand(&mut ctx.data_port_ranges().iter().copied()));
    points.extend(tcp(ADMIN.iter().copied()));
    points.extend(tcp(WEB.iter().copied()));
    points.extend(expand(
        &mut config.extra_ports.iter().map(|p| (p.from, p.to)),
    ));
    let mut jewel_ports = std::collections::BTreeSet::new();
    for (m, _, _) in stores.values() {
        let Some(rm) = ctx.model.region(m.account, m.region) else {
            continue;
        };
        for g in m
            .eni
            .security_group_ids
            .iter()
            .filter_map(|g| rm.security_group(g))
        {
            for r in g.rules.iter().filter(|r| r.direction == Direction::Ingress) {
                if let (Protocol::Tcp, L4Match::Ports(PortRange { from, to })) = (r.protocol, r.l4)
                {
                    // The inventory is input: a reversed range names no port.
                    if from <= to && u32::from(to - from) < JEWEL_RULE_PORTS {
                        jewel_ports.extend(from..=to);
                    }
                }
            }
        }
    }
    points.extend(tcp(jewel_ports));
    let mut seen = std::collections::HashSet::new();
    points.retain(|p| seen.insert(*p));
    if points.len() > MAX_POINTS {
        tracing::warn!(
            "lateral movement: {} ports asked for, only the first {MAX_POINTS} are followed",
            points.len()
        );
        points.truncate(MAX_POINTS);
    }
    Catalogue::new(points)
}

fn roles<'a>(ctx: &Context<'_, 'a>, graph: &Graph, stores: &Stores<'a>) -> Roles<'a> {
    use rayon::prelude::*;
    let n = graph.len();
    let mut roles = Roles {
        foothold: Vec::with_capacity(n),
        jewel: Vec::with_capacity(n),
        host: Vec::with_capacity(n),
        pivots: vec![0u64; graph.words()],
    };
    let each: Vec<ClassRoles<'a>> = graph
        .classes
        .par_iter()
        .map(|class| class_roles(ctx, stores, &class.enis))
        .collect();
    for (i, (foothold, jewel, host)) in each.into_iter().enumerate() {
        if host.is_some() {
            roles.pivots[i / 64] |= 1 << (i % 64);
        }
        roles.foothold.push(foothold);
        roles.jewel.push(jewel);
        roles.host.push(host);
    }
    roles
}

type ClassRoles<'a> = (Option<Foothold<'a>>, Option<Jewel<'a>>, Option<Member<'a>>);

/// What one class (its ENIs) is: foothold, jewel, and the host standing for it.
fn class_roles<'a>(ctx: &Context<'_, 'a>, stores: &Stores<'a>, enis: &[String]) -> ClassRoles<'a> {
    let untrusted = &ctx.config.lateral.untrusted;
    let (mut foothold, mut jewel, mut host): ClassRoles<'a> = (None, None, None);
    for id in enis {
        let Ok((rm, eni)) = ctx.model.locate_eni(id) else {
            continue;
        };
        let member = Member {
            account: rm.account_id,
            region: rm.region,
            eni,
        };
        if let Some((_, kind, why)) = stores.get(eni.id.as_str()).cloned() {
            match &mut jewel {
                Some(j) => {
                    j.count += 1;
                    if kind < j.kind {
                        (j.kind, j.why, j.member) = (kind, why, member.clone());
                    }
                }
                None => {
                    jewel = Some(Jewel {
                        member: member.clone(),
                        kind,
                        why,
                        count: 1,
                    })
                }
            }
        }
        if !ctx.index.is_host(eni) {
            continue;
        }
        if host.is_none() {
            host = Some(member.clone());
        }
        if foothold.as_ref().is_some_and(|f: &Foothold| f.internet) {
            continue;
        }
        if let Some(why) = internet_foothold(ctx, eni) {
            foothold = Some(Foothold {
                member,
                why,
                internet: true,
                via: None,
            });
        } else if let Some((why, via)) = load_balancer_foothold(ctx, eni) {
            foothold = Some(Foothold {
                member,
                why,
                internet: true,
                via: Some(via),
            });
        } else if foothold.is_none() {
            let tags = ctx.index.instance_tags(eni);
            if untrusted
                .iter()
                .any(|s| s.matches(member.account, member.region, eni, tags))
            {
                foothold = Some(Foothold {
                    member,
                    why: "matches an untrusted selector".into(),
                    internet: false,
                    via: None,
                });
            }
        }
    }
    (foothold, jewel, host)
}

/// The classes a walk looks for: pivots and jewels that a foothold or pivot has an
/// edge to (footholds are hosts, so pivots too).
fn wanted(graph: &Graph, roles: &Roles, with_maybe: bool) -> Vec<u64> {
    let mut wanted = roles.pivots.clone();
    for (j, jewel) in roles.jewel.iter().enumerate() {
        if jewel.is_some() {
            wanted[j / 64] |= 1 << (j % 64);
        }
    }
    let reachable = graph.reachable_from(&roles.pivots, with_maybe);
    for (w, r) in wanted.iter_mut().zip(reachable) {
        *w &= r;
    }
    wanted
}

/// What the internet can open on `eni`, when it can open something.
fn internet_foothold(ctx: &Context, eni: &NetworkInterface) -> Option<String> {
    let exposure = ctx.exposure(&eni.id);
    let e = exposure.as_ref().as_ref().ok()?;
    if e.flows.is_empty() {
        return None;
    }
    Some(format!("internet: {}", e.flows.services()))
}

/// The first load balancer path the internet reaches `eni` by, from sources not
/// trusted: why it is a foothold, and how.
fn load_balancer_foothold(ctx: &Context, eni: &NetworkInterface) -> Option<(String, Via)> {
    let p = ctx
        .load_balancers()
        .reaching(&eni.id)
        .find(|p| !lbs::untrusted_sources(p, ctx.trusted()).is_empty())?;
    let why = format!(
        "internet via load balancer {} ({}, {})",
        p.load_balancer.name,
        lbs::listener_words(p),
        lbs::target_words(p)
    );
    Some((
        why,
        Via {
            load_balancer: lbs::load_balancer_resource(p.load_balancer),
            evidence: lbs::path_evidence(p),
        },
    ))
}

fn node(m: &Member, role: NodeRole, why: Option<String>) -> PathNode {
    PathNode {
        eni: m.eni.id.clone(),
        name: m.eni.tags.get("Name").cloned(),
        role,
        account: m.account.to_string(),
        region: m.region.to_string(),
        vpc: m.eni.vpc_id.clone(),
        subnet: m.eni.subnet_id.clone(),
        address: m
            .eni
            .private_ipv4s
            .first()
            .map(|a| a.to_string())
            .or_else(|| m.eni.ipv6s.first().map(|a| a.to_string()))
            .unwrap_or_default(),
        why,
    }
}

fn eni_resource(m: &Member) -> Resource {
    resources::network_interface(m.account, m.region, &m.eni.id, Some(&m.eni.tags))
}

/// The point a hop's evidence traces: a data port of the jewel, then an
/// administration port, then the first.
fn traced(points: &[ServicePoint], last_hop: bool, data: &ServiceSet) -> Option<ServicePoint> {
    let admin: Vec<ServicePoint> = tcp(ADMIN.iter().copied());
    let by_data = points.iter().find(|p| data.contains(**p));
    let by_admin = points.iter().find(|p| admin.contains(p));
    let first = points.first();
    if last_hop {
        by_data.or(by_admin).or(first).copied()
    } else {
        by_admin.or(by_data).or(first).copied()
    }
}

fn severity(hops: usize, jewel: &Jewel, foothold: &Foothold) -> Severity {
    let mut s = match hops {
        0 | 1 => Severity::Critical,
        2 => Severity::High,
        _ => Severity::Medium,
    };
    if jewel.kind == StoreKind::DataPorts {
        s = s.lower();
    }
    if !foothold.internet {
        s = s.lower();
    }
    s
}

/// The finding for one path of classes (foothold first, jewel last).
#[allow(clippy::too_many_arguments)]
fn path_draft(
    ctx: &Context,
    pairs: &mut Pairs,
    graph: &Graph,
    roles: &Roles,
    classes: &[usize],
    jewel: &Jewel,
    reached_by: usize,
    undecided: bool,
) -> Option<Draft> {
    // Paths start at footholds; anything else is no path.
    let foothold = roles.foothold[*classes.first()?].as_ref()?;
    let hops = classes.len() - 1;
    let mut members: Vec<&Member> = vec![&foothold.member];
    for &c in &classes[1..hops] {
        if let Some(h) = &roles.host[c] {
            members.push(h);
        }
    }
    members.push(&jewel.member);
    let mut nodes = vec![node(
        &foothold.member,
        NodeRole::Foothold,
        Some(foothold.why.clone()),
    )];
    nodes.extend(
        members[1..hops]
            .iter()
            .map(|m| node(m, NodeRole::Pivot, None)),
    );
    nodes.push(node(
        &jewel.member,
        NodeRole::Jewel,
        Some(jewel.why.clone()),
    ));

    let data = ctx.data_ports();
    let mut hop_list = Vec::new();
    let mut evidence: Vec<(String, String)> = foothold
        .via
        .iter()
        .flat_map(|v| v.evidence.iter().cloned())
        .collect();
    let mut unknown_reason: Option<String> = None;
    let mut route_words = Vec::new();
    for k in 0..hops {
        let (from, to) = (members[k], members[k + 1]);
        let (proven, maybe) = pairs.points(&from.eni.id, &to.eni.id).unwrap_or((0, 0));
        let points = graph
            .catalogue
            .decode(if proven != 0 { proven } else { maybe });
        let names: Vec<String> = points.iter().map(|p| point_name(*p)).collect();
        route_words.push(format!(
            "{} ({})",
            to.eni.id,
            names.first().cloned().unwrap_or_default()
        ));
        evidence.push((
            format!("hop {}", k + 1),
            format!(
                "{} -> {}: {}",
                from.eni.id,
                to.eni.id,
                if names.is_empty() {
                    "nothing proven".to_string()
                } else {
                    names.join(", ")
                }
            ),
        ));
        if let Some(p) = traced(&points, k + 1 == hops, data) {
            let e = eni_to_eni_with(
                ctx.model,
                ctx.inventory,
                &from.eni.id,
                &to.eni.id,
                p,
                ctx.ephemeral(),
            );
            if let crate::reach::Verdict::Unknown { reason } = &e.verdict {
                unknown_reason.get_or_insert_with(|| reason.clone());
            }
            for s in e.steps {
                evidence.push((format!("hop {}: {}", k + 1, s.component), s.decision));
            }
        }
        hop_list.push(PathHop {
            from: k,
            to: k + 1,
            services: names,
        });
    }
    let via = route_words.join(" -> ");
    let others = reached_by.saturating_sub(1);
    let mut message = format!(
        "{} ({}) is {hops} hop(s) from foothold {} ({}): {} -> {via}",
        jewel.member.eni.id,
        jewel.why,
        foothold.member.eni.id,
        foothold.why,
        foothold.member.eni.id,
    );
    if others > 0 {
        message.push_str(&format!(
            "; {others} other foothold(s) reach it within {} hops",
            ctx.config.lateral.max_hops
        ));
    }
    let account = jewel.member.account;
    let region = jewel.member.region;
    let mut d = if undecided {
        let reason = unknown_reason.unwrap_or_else(|| "a hop could not be decided".into());
        message = format!("{message}; undecided: {reason}");
        Draft::unknown(account, region, eni_resource(&jewel.member), message)
    } else {
        Draft::fail(account, region, eni_resource(&jewel.member), message)
    }
    .severity(severity(hops, jewel, foothold))
    // The load balancer first: it is where the internet comes in.
    .related(foothold.via.iter().map(|v| v.load_balancer.clone()))
    .related(
        members[..hops]
            .iter()
            .map(|m| eni_resource(m))
            .collect::<Vec<_>>(),
    )
    .identity(foothold.member.eni.id.clone())
    .path(AttackPath {
        nodes,
        hops: hop_list,
    });
    for (c, detail) in evidence {
        d = d.evidence(c, detail);
    }
    Some(d)
}

fn blast_draft(foothold: &Foothold, within: &[usize], class_size: usize) -> Draft {
    let max_hops = within.len();
    let total = within.last().copied().unwrap_or(0);
    let counts: Vec<String> = within
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n} within {}", i + 1))
        .collect();
    let mut message = format!(
        "foothold {} ({}) reaches {total} crown-jewel ENI(s) within {max_hops} hops ({})",
        foothold.member.eni.id,
        foothold.why,
        counts.join(", ")
    );
    if class_size > 1 {
        message.push_str(&format!(
            "; {} other ENI(s) in its subnet with the same groups reach the same",
            class_size - 1
        ));
    }
    let mut severity = if within.first().is_some_and(|&n| n > 0) {
        Severity::High
    } else {
        Severity::Medium
    };
    if !foothold.internet {
        severity = severity.lower();
    }
    Draft::fail(
        foothold.member.account,
        foothold.member.region,
        eni_resource(&foothold.member),
        message,
    )
    .severity(severity)
    .related(foothold.via.iter().map(|v| v.load_balancer.clone()))
    .blast_radius(BlastRadius {
        within: within.to_vec(),
        max_hops,
    })
}

/// Jewels no proven path reaches but an undecided one may: one unknown finding each,
/// from the nearest foothold.
fn undecided(
    ctx: &Context,
    pairs: &mut Pairs,
    graph: &Graph,
    roles: &Roles,
    proven: &std::collections::BTreeSet<usize>,
) -> Vec<Draft> {
    let any_maybe = (0..graph.len()).any(|a| graph.maybe_row(a).iter().any(|w| *w != 0));
    if !any_maybe {
        return Vec::new();
    }
    let wanted = wanted(graph, roles, true);
    let mut starts = vec![0u64; graph.words()];
    for (f, foothold) in roles.foothold.iter().enumerate() {
        if foothold.is_some() {
            starts[f / 64] |= 1 << (f % 64);
        }
    }
    let r = graph.reach_from(
        &starts,
        ctx.config.lateral.max_hops,
        &roles.pivots,
        &wanted,
        true,
    );
    let mut out = Vec::new();
    for (j, _) in r.reached() {
        if proven.contains(&j) {
            continue;
        }
        let Some(jewel) = &roles.jewel[j] else {
            continue;
        };
        let Some(classes) = r.path(graph, &roles.pivots, j) else {
            continue;
        };
        out.extend(path_draft(
            ctx, pairs, graph, roles, &classes, jewel, 1, true,
        ));
    }
    out
}

/// Each foothold's walk, on every core.
fn walks(
    graph: &Graph,
    footholds: &[usize],
    max_hops: usize,
    pivots: &[u64],
    wanted: &[u64],
) -> BTreeMap<usize, Reach> {
    use rayon::prelude::*;
    footholds
        .par_iter()
        .map(|&f| (f, graph.reach(f, max_hops, pivots, wanted, false)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Classes whose groups or NACL could not be read: their paths are unknown, said
/// once per VPC and reason.
fn unevaluated(ctx: &Context, graph: &Graph) -> Vec<Draft> {
    let mut by_vpc: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for (c, reason) in &graph.unknown_classes {
        let class = &graph.classes[*c];
        let vpc = ctx
            .model
            .locate_eni(&class.enis[0])
            .map(|(_, e)| e.vpc_id.clone())
            .unwrap_or_default();
        *by_vpc
            .entry((
                class.key.class.account_id.clone(),
                class.key.class.region.clone(),
                vpc,
                reason.clone(),
            ))
            .or_default() += class.enis.len();
    }
    by_vpc
        .iter()
        .map(|((account, region, vpc, reason), &n)| {
            vpc_unknown(
                (account.as_str(), region.as_str(), vpc.as_str()),
                n,
                reason,
                reason,
            )
        })
        .collect()
}
