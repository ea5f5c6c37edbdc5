//! `k8s-lateral-movement-path`: from a pod an attacker can reach to a pod holding
//! data, one allowed connection at a time.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::finding::{AttackPath, NodeRole, PathHop, PathNode, Severity};
use crate::inventory::{
    ClusterNetworkPolicy, ClusterPolicyPeer, Direction, KubeProtocol, KubeService, Pod,
};
use crate::reach::kubernetes::vpc::pod_to_eni;
use crate::reach::kubernetes::PodId;
use crate::reach::kubernetes::{Enforcement, Peer};
use crate::reach::path::eni_to_eni_with;
use crate::reach::sets::{ServicePoint, ServiceSet};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::kubernetes::{ClusterView, POLICY_INPUTS};
use super::shared::lateral::point_name;
use super::Check;

pub struct K8sLateralMovementPath;

impl Check for K8sLateralMovementPath {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            if let Some(gap) = v.gap(POLICY_INPUTS) {
                out.push(Draft::unknown(
                    account,
                    region,
                    v.cluster_resource(),
                    format!(
                        "pod-to-pod paths of cluster {} could not be judged: {gap}",
                        v.cluster.name
                    ),
                ));
                continue;
            }
            out.extend(Paths::new(ctx, v).findings(account, region));
            // Egress to domain names cannot be matched to pods: the sweep treats such
            // rules as allowing nothing, so more paths may exist.
            if let Some(p) = by_domain(v) {
                out.push(Draft::unknown(
                    account,
                    region,
                    v.cluster_resource(),
                    format!(
                        "pod-to-pod paths of cluster {} may be missing: ClusterNetworkPolicy {} \
                         names egress peers by domain name, which vpcaudit cannot resolve to pods",
                        v.cluster.name, p.name
                    ),
                ));
            }
            // Paths found under the policies exist either way; without them there may
            // be more.
            if let Enforcement::Unknown { why } = &v.enforcement {
                out.push(Draft::unknown(
                    account,
                    region,
                    v.cluster_resource(),
                    format!(
                        "pod-to-pod paths of cluster {} were judged under its NetworkPolicies, \
                         but whether its CNI enforces them is unknown ({why}): without them \
                         more paths may exist",
                        v.cluster.name
                    ),
                ));
            }
        }
        out
    }

    /// Every crown-jewel workload and data store of the VPC around each cluster, and
    /// a cluster whose paths may be missing or could not be judged (its unknown
    /// findings name it).
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let max_hops = ctx.config.lateral.max_hops.max(1);
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // A data store near several clusters is judged once, against all of them.
        type Near<'n> = (Scoped, bool, Vec<&'n str>);
        let mut stores: BTreeMap<(String, String, String), Near> = BTreeMap::new();
        for v in ctx.clusters() {
            let (account, region) = v.place();
            let name = v.cluster.name.as_str();
            let gap = v.gap(POLICY_INPUTS).is_some();
            if gap || by_domain(v).is_some() || matches!(v.enforcement, Enforcement::Unknown { .. })
            {
                out.push(Scoped::pass(
                    account,
                    region,
                    v.cluster_resource(),
                    "its pod-to-pod paths were judged",
                ));
            }
            if gap {
                continue;
            }
            let paths = Paths::new(ctx, v);
            let under = match v.enforcement {
                Enforcement::Unknown { .. } => " under its NetworkPolicies",
                _ => "",
            };
            let reached = if paths.footholds.is_empty() {
                "no foothold pod: no internet-facing Service selects a pod and no pod \
                 matches [kubernetes] untrusted"
                    .to_string()
            } else {
                format!("no foothold pod reaches it within {max_hops} hops{under}")
            };
            for (&i, why) in &paths.jewels {
                let resource = v.workload_resource(v.index.pod(paths.reps[i].0));
                if seen.insert((
                    account.to_string(),
                    region.to_string(),
                    resource.resource_type.clone(),
                    resource.id.clone(),
                )) {
                    out.push(Scoped::pass(
                        account,
                        region,
                        resource,
                        format!("crown jewel ({why}): {reached}"),
                    ));
                }
            }
            for store in &paths.stores {
                let resource = resources::network_interface(
                    store.account,
                    store.region,
                    &store.eni.id,
                    Some(&store.eni.tags),
                );
                stores
                    .entry((
                        store.account.to_string(),
                        store.region.to_string(),
                        store.eni.id.clone(),
                    ))
                    .or_insert_with(|| {
                        let s = Scoped::pass(store.account, store.region, resource, &store.why);
                        (s, !store.eni.private_ipv4s.is_empty(), Vec::new())
                    })
                    .2
                    .push(name);
            }
        }
        for (_, (mut s, ipv4, clusters)) in stores {
            let why = s.applies.clone().unwrap_or_default();
            // The search asks for a store by its first private IPv4 address.
            s.applies = if ipv4 {
                Ok(format!(
                    "crown jewel ({why}): no foothold pod of cluster {} reaches it within \
                     {max_hops} hops",
                    clusters.join(", ")
                ))
            } else {
                Err("it has no private IPv4 address for pods to reach".to_string())
            };
            out.push(s);
        }
        Some(out)
    }
}

/// A ClusterNetworkPolicy naming egress peers by domain name, which cannot be
/// matched to pods.
fn by_domain<'a>(v: &ClusterView<'a>) -> Option<&'a ClusterNetworkPolicy> {
    v.cluster.cluster_network_policies.iter().find(|p| {
        p.egress.iter().any(|r| {
            r.peers
                .iter()
                .any(|peer| matches!(peer, ClusterPolicyPeer::DomainNames(_)))
        })
    })
}

/// The pod graph of one cluster over class representatives.
struct Paths<'v, 'c, 'm, 'a> {
    ctx: &'c Context<'m, 'a>,
    view: &'v ClusterView<'a>,
    /// Representative pods, and every pod each stands for.
    reps: Vec<(PodId, Vec<PodId>)>,
    footholds: BTreeMap<usize, String>,
    jewels: BTreeMap<usize, String>,
    /// Data stores of the VPC around the cluster (RDS, ElastiCache, hosts opening data
    /// ports): the last hop may leave the cluster for them.
    stores: Vec<Store<'a>>,
}

/// The VPC's answers between the ENIs that carry pods, by (source ENI, destination
/// ENI, service).
type VpcCache<'a> = HashMap<(&'a str, &'a str, ServicePoint), bool>;

/// What splits a policy class here: served ports, untrusted, crown jewel.
type PartKey = (Vec<(u16, KubeProtocol)>, bool, bool);

/// A crown jewel of the VPC, as `lateral-movement-path` knows them.
struct Store<'a> {
    account: &'a str,
    region: &'a str,
    eni: &'a crate::inventory::NetworkInterface,
    why: String,
    /// The data ports its own security groups admit from anyone: the lowest of
    /// each range, since one point stands for the rule that opens the range.
    ports: Vec<ServicePoint>,
}

impl<'v, 'c, 'm, 'a> Paths<'v, 'c, 'm, 'a> {
    fn new(ctx: &'c Context<'m, 'a>, view: &'v ClusterView<'a>) -> Self {
        let c = view.cluster;
        let marked = |sels: &[crate::config::PodSelector], pod: &Pod| {
            sels.iter().any(|sel| sel.matches(&c.name, pod))
        };
        // Policy classes, split further by what this check reads of a pod beyond
        // policy: the ports it serves and whether a configured selector names it, so
        // that every member is what its representative is.
        let mut reps: Vec<(PodId, Vec<PodId>)> = Vec::new();
        for class in view.index.pod_classes() {
            let mut parts: BTreeMap<PartKey, Vec<PodId>> = BTreeMap::new();
            for p in class {
                let pod = view.index.pod(p);
                if pod.host_network || !running(pod) {
                    continue;
                }
                let mut ports: Vec<(u16, KubeProtocol)> = pod
                    .ports
                    .iter()
                    .map(|port| (port.container_port, port.protocol))
                    .collect();
                ports.sort();
                ports.dedup();
                let key = (
                    ports,
                    marked(&ctx.config.kubernetes.untrusted, pod),
                    marked(&ctx.config.kubernetes.crown_jewels, pod),
                );
                parts.entry(key).or_default().push(p);
            }
            reps.extend(
                parts
                    .into_values()
                    .filter_map(|members| Some((*members.first()?, members))),
            );
        }
        reps.sort();
        // The backends of internet-facing Services, as the endpoints controller picks
        // them (a named targetPort the pod lacks makes it no backend).
        let mut exposed: BTreeMap<PodId, &KubeService> = BTreeMap::new();
        for (k, svc) in c.services.iter().enumerate() {
            if !internet_facing(svc) {
                continue;
            }
            for port in &svc.ports {
                for (pod, _) in view.index.service_backends(k, port) {
                    exposed.entry(pod).or_insert(svc);
                }
            }
        }
        let mut footholds = BTreeMap::new();
        let mut jewels = BTreeMap::new();
        for (i, &(rep, _)) in reps.iter().enumerate() {
            let pod = view.index.pod(rep);
            if let Some(s) = exposed.get(&rep) {
                footholds.insert(
                    i,
                    format!(
                        "behind internet-facing Service {}/{} ({})",
                        s.namespace, s.name, s.service_type
                    ),
                );
            } else if marked(&ctx.config.kubernetes.untrusted, pod) {
                footholds.insert(i, "matches [kubernetes] untrusted".to_string());
            }
            if marked(&ctx.config.kubernetes.crown_jewels, pod) {
                jewels.insert(i, "matches [kubernetes] crown_jewels".to_string());
            } else if let Some(port) = pod.ports.iter().find(|port| {
                port.protocol == KubeProtocol::Tcp
                    && ctx
                        .data_ports()
                        .contains(ServicePoint::Tcp(port.container_port))
            }) {
                jewels.insert(i, format!("opens data port tcp/{}", port.container_port));
            }
        }
        Paths {
            ctx,
            view,
            reps,
            footholds,
            jewels,
            stores: stores(ctx, view),
        }
    }

    /// The services `from` can open on `to` among the ports `to`'s containers serve.
    /// The services `from` can open on `to` among the ports `to`'s containers serve:
    /// the policies first (swept without explanations), then the VPC between the ENIs
    /// that carry the two pods, asked once per (ENI pair, service).
    fn hop(&self, from: usize, to: usize, vpc: &mut VpcCache<'a>) -> Vec<ServicePoint> {
        let (src, dst) = (self.reps[from].0, self.reps[to].0);
        let mut points: Vec<ServicePoint> = self
            .view
            .index
            .pod(dst)
            .ports
            .iter()
            .map(|p| match p.protocol {
                KubeProtocol::Tcp => ServicePoint::Tcp(p.container_port),
                KubeProtocol::Udp => ServicePoint::Udp(p.container_port),
                KubeProtocol::Sctp => ServicePoint::Sctp(p.container_port),
            })
            .collect();
        points.sort();
        points.dedup();
        let jewel = self.jewels.contains_key(&to);
        // A pod that declares no port is a pivot on nothing; a jewel that declares
        // none is still reached on whatever it is allowed (containerPort is optional).
        if points.is_empty() && !jewel {
            return points;
        }
        let allowed = match self.view.enforcement {
            Enforcement::NotEnforced { .. } => ServiceSet::all(),
            _ => self
                .view
                .index
                .allowed_services(Peer::Pod(src), Peer::Pod(dst)),
        };
        if points.is_empty() {
            // Nothing declared: one service the policies allow stands for the rest.
            points.extend(allowed.first());
        }
        points.retain(|&p| allowed.contains(p));
        if points.is_empty() {
            return points;
        }
        let enis = (
            self.view.enis.eni_of(&self.view.index, src),
            self.view.enis.eni_of(&self.view.index, dst),
        );
        let (a, b) = match enis {
            (Ok(a), Ok(b)) => (a, b),
            // Without the VPC (a `--kube-objects` scan) the policies decide.
            _ => return points,
        };
        if a == b {
            // Same node: the traffic never leaves it.
            return points;
        }
        points.retain(|&p| {
            *vpc.entry((a, b, p)).or_insert_with(|| {
                eni_to_eni_with(
                    self.ctx.model,
                    self.ctx.inventory,
                    a,
                    b,
                    p,
                    self.ctx.ephemeral(),
                )
                .is_allowed()
            })
        });
        points
    }

    fn findings(&self, account: &str, region: &str) -> Vec<Draft> {
        let max_hops = self.ctx.config.lateral.max_hops.max(1);
        let mut cache = VpcCache::new();
        // Breadth first from every foothold at once: the first arrival is the shortest.
        let mut parent: HashMap<usize, (usize, Vec<ServicePoint>)> = HashMap::new();
        let mut depth: HashMap<usize, usize> = HashMap::new();
        let mut queue: VecDeque<usize> = VecDeque::new();
        for &f in self.footholds.keys() {
            depth.insert(f, 0);
            queue.push_back(f);
        }
        while let Some(at) = queue.pop_front() {
            let d = depth[&at];
            if d >= max_hops || (self.jewels.contains_key(&at) && d > 0) {
                continue;
            }
            for next in 0..self.reps.len() {
                if depth.contains_key(&next) {
                    continue;
                }
                let services = self.hop(at, next, &mut cache);
                if services.is_empty() {
                    continue;
                }
                depth.insert(next, d + 1);
                parent.insert(next, (at, services));
                queue.push_back(next);
            }
        }
        let mut out = Vec::new();
        // Classes in the order the search reached them: nearest first.
        let mut reached: Vec<(usize, usize)> = depth.iter().map(|(&c, &d)| (d, c)).collect();
        reached.sort();
        for store in &self.stores {
            let Some(&ip) = store.eni.private_ipv4s.first() else {
                continue;
            };
            let found = reached
                .iter()
                .filter(|(d, _)| *d < max_hops)
                .find_map(|&(_, c)| {
                    let open: Vec<ServicePoint> = store
                        .ports
                        .iter()
                        .copied()
                        .filter(|&p| {
                            pod_to_eni(
                                self.ctx.model,
                                self.ctx.inventory,
                                self.view.policies(),
                                &self.view.enis,
                                self.reps[c].0,
                                &store.eni.id,
                                ip.into(),
                                p,
                                self.ctx.ephemeral(),
                            )
                            .is_allowed()
                        })
                        .collect();
                    (!open.is_empty()).then_some((c, open))
                });
            let Some((last, open)) = found else { continue };
            let mut chain = vec![last];
            let mut hops = Vec::new();
            let mut at = last;
            while let Some((from, services)) = parent.get(&at) {
                hops.push(services.clone());
                chain.push(*from);
                at = *from;
            }
            chain.reverse();
            hops.reverse();
            out.push(self.store_draft(&chain, &hops, store, &open));
        }
        for (&jewel, why) in &self.jewels {
            if !parent.contains_key(&jewel) {
                continue;
            }
            let mut chain = vec![jewel];
            let mut hops = Vec::new();
            let mut at = jewel;
            while let Some((from, services)) = parent.get(&at) {
                hops.push(services.clone());
                chain.push(*from);
                at = *from;
            }
            chain.reverse();
            hops.reverse();
            out.push(self.draft(account, region, &chain, &hops, why));
        }
        out
    }

    fn draft(
        &self,
        account: &str,
        region: &str,
        chain: &[usize],
        hops: &[Vec<ServicePoint>],
        why: &str,
    ) -> Draft {
        let pod = |i: usize| self.view.index.pod(self.reps[i].0);
        let jewel = pod(chain[chain.len() - 1]);
        let foothold = pod(chain[0]);
        let data = hops
            .last()
            .is_some_and(|h| h.iter().any(|&p| self.ctx.data_ports().contains(p)));
        let route: Vec<String> = chain
            .iter()
            .map(|&i| format!("{}/{}", pod(i).namespace, pod(i).name))
            .collect();
        let mut draft = Draft::fail(
            account,
            region,
            self.view.workload_resource(jewel),
            format!(
                "pod {}/{} ({why}) can be reached from foothold pod {}/{} ({}) in {} hop(s): {}",
                jewel.namespace,
                jewel.name,
                foothold.namespace,
                foothold.name,
                self.footholds.get(&chain[0]).map_or("", String::as_str),
                hops.len(),
                route.join(" -> ")
            ),
        )
        .severity(if data {
            Severity::Critical
        } else {
            Severity::High
        })
        .related(
            chain[..chain.len() - 1]
                .iter()
                .map(|&i| self.view.workload_resource(pod(i))),
        );
        for (k, services) in hops.iter().enumerate() {
            let names: Vec<String> = services.iter().map(|&s| point_name(s)).collect();
            draft = draft.evidence(
                format!("hop {}: {} -> {}", k + 1, route[k], route[k + 1]),
                format!("allowed on {}", names.join(", ")),
            );
        }
        let nodes = chain
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let p = pod(i);
                let (vpc, subnet) = self.placement(self.reps[i].0);
                PathNode {
                    eni: format!("{}/{}", p.namespace, p.name),
                    name: Some(self.view.workload_resource(p).id),
                    role: if k == 0 {
                        NodeRole::Foothold
                    } else if k == chain.len() - 1 {
                        NodeRole::Jewel
                    } else {
                        NodeRole::Pivot
                    },
                    account: account.to_string(),
                    region: region.to_string(),
                    vpc,
                    subnet,
                    address: p.ips.first().map(|a| a.to_string()).unwrap_or_default(),
                    why: if k == 0 {
                        self.footholds.get(&i).cloned()
                    } else if k == chain.len() - 1 {
                        Some(why.to_string())
                    } else {
                        None
                    },
                }
            })
            .collect();
        let path_hops = hops
            .iter()
            .enumerate()
            .map(|(k, services)| PathHop {
                from: k,
                to: k + 1,
                services: services.iter().map(|&s| point_name(s)).collect(),
            })
            .collect();
        draft.identity.push(route[0].clone());
        draft.path(AttackPath {
            nodes,
            hops: path_hops,
        })
    }

    /// A path that leaves the cluster for a data store of the VPC on its last hop.
    fn store_draft(
        &self,
        chain: &[usize],
        hops: &[Vec<ServicePoint>],
        store: &Store,
        open: &[ServicePoint],
    ) -> Draft {
        let pod = |i: usize| self.view.index.pod(self.reps[i].0);
        let foothold = pod(chain[0]);
        let mut route: Vec<String> = chain
            .iter()
            .map(|&i| format!("{}/{}", pod(i).namespace, pod(i).name))
            .collect();
        route.push(store.eni.id.clone());
        let names: Vec<String> = open.iter().map(|&p| point_name(p)).collect();
        let mut all_hops = hops.to_vec();
        all_hops.push(open.to_vec());
        let mut draft = Draft::fail(
            store.account,
            store.region,
            resources::network_interface(
                store.account,
                store.region,
                &store.eni.id,
                Some(&store.eni.tags),
            ),
            format!(
                "{} ({}) can be reached from foothold pod {}/{} ({}) of cluster {} in {} hop(s), \
                 the last out of the cluster on {}: {}",
                store.eni.id,
                store.why,
                foothold.namespace,
                foothold.name,
                self.footholds.get(&chain[0]).map_or("", String::as_str),
                self.view.cluster.name,
                all_hops.len(),
                names.join(", "),
                route.join(" -> ")
            ),
        )
        .severity(Severity::Critical)
        .related(chain.iter().map(|&i| self.view.workload_resource(pod(i))));
        for (k, services) in all_hops.iter().enumerate() {
            let names: Vec<String> = services.iter().map(|&s| point_name(s)).collect();
            draft = draft.evidence(
                format!("hop {}: {} -> {}", k + 1, route[k], route[k + 1]),
                format!("allowed on {}", names.join(", ")),
            );
        }
        draft.identity.push(route[0].clone());
        draft
    }

    /// The VPC and subnet of the ENI carrying a pod, when collected.
    fn placement(&self, pod: PodId) -> (String, String) {
        self.view
            .enis
            .eni_of(&self.view.index, pod)
            .ok()
            .and_then(|eni| self.ctx.model.locate_eni(eni).ok())
            .map(|(_, eni)| (eni.vpc_id.clone(), eni.subnet_id.clone()))
            .unwrap_or_default()
    }
}

fn running(pod: &Pod) -> bool {
    !matches!(pod.phase.as_deref(), Some("Succeeded" | "Failed"))
}

/// A Service that puts an internet-facing load balancer in front of its pods.
fn internet_facing(s: &KubeService) -> bool {
    if s.service_type != "LoadBalancer" {
        return false;
    }
    let get = |k: &str| s.annotations.get(k).map(|v| v.trim().to_ascii_lowercase());
    match get("service.beta.kubernetes.io/aws-load-balancer-scheme").as_deref() {
        Some("internet-facing") => return true,
        Some("internal") => return false,
        _ => {}
    }
    if get("service.beta.kubernetes.io/aws-load-balancer-internal").as_deref() == Some("true") {
        return false;
    }
    // The AWS Load Balancer Controller (`type: external` or `nlb-ip`) makes internal
    // load balancers unless told otherwise; the legacy cloud provider, internet-facing
    // ones.
    !matches!(
        get("service.beta.kubernetes.io/aws-load-balancer-type").as_deref(),
        Some("external" | "nlb-ip")
    )
}

/// The data stores of the VPC where the cluster runs: ENIs of its account and region
/// that `lateral-movement-path` counts as crown jewels, other than the ENIs carrying
/// pods (the nodes, branch ENIs), which the pod graph already covers.
fn stores<'a>(ctx: &Context<'_, 'a>, view: &ClusterView<'a>) -> Vec<Store<'a>> {
    let c = view.cluster;
    let (Some(account), Some(region)) = (c.account_id.as_deref(), c.region.as_deref()) else {
        return Vec::new();
    };
    let Some((_, ri)) = ctx
        .regions()
        .find(|(a, r)| *a == account && r.region == region)
    else {
        return Vec::new();
    };
    let carried: std::collections::HashSet<std::net::IpAddr> = c
        .pods
        .iter()
        .flat_map(|p| p.ips.iter().chain(p.host_ip.iter()).copied())
        .collect();
    ri.network_interfaces
        .iter()
        .filter(|e| {
            !e.private_ipv4s
                .iter()
                .any(|&a| carried.contains(&std::net::IpAddr::from(a)))
        })
        .filter_map(|e| {
            let (_, why) = ctx.data_store(account, region, e)?;
            Some(Store {
                account,
                region: ri.region.as_str(),
                eni: e,
                why,
                ports: store_ports(ctx, ri, e),
            })
        })
        .collect()
}

/// The data ports the ENI's security groups admit (any peer: the VPC leg decides who),
/// as the first port of each range; every data port when a group could not be found.
fn store_ports(
    ctx: &Context,
    ri: &crate::inventory::RegionInventory,
    eni: &crate::inventory::NetworkInterface,
) -> Vec<ServicePoint> {
    let mut opened = ServiceSet::empty();
    for id in &eni.security_group_ids {
        let Some(group) = ri.security_groups.iter().find(|g| &g.id == id) else {
            opened = ServiceSet::all();
            break;
        };
        for rule in group
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
            opened = opened.union(&ServiceSet::from_rule(rule.protocol, rule.l4));
        }
    }
    opened
        .intersection(ctx.data_ports())
        .tcp_ports()
        .ranges()
        .iter()
        .map(|&(from, _)| ServicePoint::Tcp(from))
        .collect()
}
