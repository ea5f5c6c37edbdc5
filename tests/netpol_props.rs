//! Property tests of the Kubernetes policy engine: random small clusters (labels,
//! selectors with every operator, ipBlocks with except, numeric, ranged and named
//! ports, policyTypes given or omitted, hostNetwork pods) judged by the engine and by
//! a brute-force evaluator written here from the API reference, port by port; and
//! pod classes, whose members must get identical answers.

use std::net::IpAddr;

use proptest::prelude::*;
use vpcaudit::inventory::{
    ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyPort,
    ClusterPolicyRule, ClusterPolicySubject, ContainerPort, IpBlock, KubeCluster, KubeKind,
    KubeProtocol, KubeSource, LabelRequirement, LabelSelector, Labels, Namespace, NetworkPolicy,
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod, PolicyTier, PolicyType, PortRef,
    SelectorOperator,
};
use vpcaudit::reach::kubernetes::{ClusterIndex, Peer};
use vpcaudit::reach::sets::ServicePoint;

/// A small deterministic generator: proptest picks the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }
}

const KEYS: [&str; 3] = ["app", "tier", "env"];
const VALUES: [&str; 3] = ["a", "b", "c"];
const PROTOCOLS: [KubeProtocol; 3] = [KubeProtocol::Tcp, KubeProtocol::Udp, KubeProtocol::Sctp];
const PORT_NAMES: [&str; 3] = ["web", "alt", "missing"];
const CIDRS: [&str; 6] = [
    "10.0.0.0/29",
    "10.0.0.0/30",
    "10.0.0.4/31",
    "10.0.0.0/24",
    "0.0.0.0/0",
    "192.168.0.0/16",
];
const EXCEPTS: [&str; 4] = [
    "10.0.0.1/32",
    "10.0.0.2/31",
    "10.0.0.6/32",
    "192.168.1.0/24",
];
/// Addresses that are no pod's.
const OUTSIDE: [&str; 2] = ["192.168.1.7", "10.0.0.200"];

fn labels(rng: &mut Rng) -> Labels {
    let mut l = Labels::new();
    for k in KEYS {
        if rng.chance(60) {
            l.insert(k.to_string(), rng.pick(&VALUES).to_string());
        }
    }
    l
}

fn selector(rng: &mut Rng) -> LabelSelector {
    let mut s = LabelSelector::default();
    if rng.chance(40) {
        s.match_labels
            .insert(rng.pick(&KEYS).to_string(), rng.pick(&VALUES).to_string());
    }
    if rng.chance(40) {
        let operator = *rng.pick(&[
            SelectorOperator::In,
            SelectorOperator::NotIn,
            SelectorOperator::Exists,
            SelectorOperator::DoesNotExist,
        ]);
        let values = match operator {
            SelectorOperator::In | SelectorOperator::NotIn => (0..1 + rng.below(2))
                .map(|_| rng.pick(&VALUES).to_string())
                .collect(),
            _ => Vec::new(),
        };
        s.match_expressions.push(LabelRequirement {
            key: rng.pick(&KEYS).to_string(),
            operator,
            values,
        });
    }
    s
}

fn peer(rng: &mut Rng) -> NetworkPolicyPeer {
    match rng.below(4) {
        0 => NetworkPolicyPeer {
            pod_selector: Some(selector(rng)),
            ..Default::default()
        },
        1 => NetworkPolicyPeer {
            namespace_selector: Some(selector(rng)),
            ..Default::default()
        },
        2 => NetworkPolicyPeer {
            namespace_selector: Some(selector(rng)),
            pod_selector: Some(selector(rng)),
            ip_block: None,
        },
        _ => NetworkPolicyPeer {
            ip_block: Some(IpBlock {
                cidr: rng.pick(&CIDRS).parse().unwrap(),
                except: (0..rng.below(2))
                    .map(|_| rng.pick(&EXCEPTS).parse().unwrap())
                    .collect(),
            }),
            ..Default::default()
        },
    }
}

fn policy_port(rng: &mut Rng) -> NetworkPolicyPort {
    let protocol = if rng.chance(30) {
        None
    } else {
        Some(*rng.pick(&PROTOCOLS))
    };
    match rng.below(4) {
        0 => NetworkPolicyPort {
            protocol,
            port: None,
            end_port: None,
        },
        1 => NetworkPolicyPort {
            protocol,
            port: Some(PortRef::Number(79 + rng.below(5) as u16)),
            end_port: None,
        },
        2 => {
            let start = 79 + rng.below(4) as u16;
            NetworkPolicyPort {
                protocol,
                port: Some(PortRef::Number(start)),
                end_port: Some(start + rng.below(3) as u16),
            }
        }
        _ => NetworkPolicyPort {
            protocol,
            port: Some(PortRef::Name(rng.pick(&PORT_NAMES).to_string())),
            end_port: None,
        },
    }
}

fn rules(rng: &mut Rng) -> Vec<NetworkPolicyRule> {
    (0..rng.below(3))
        .map(|_| NetworkPolicyRule {
            peers: (0..rng.below(3)).map(|_| peer(rng)).collect(),
            ports: (0..rng.below(3)).map(|_| policy_port(rng)).collect(),
        })
        .collect()
}

fn cluster(seed: u64) -> KubeCluster {
    let mut rng = Rng(seed | 1);
    let mut c = KubeCluster::new("prop", KubeSource::Objects { files: Vec::new() });
    let namespaces = 1 + rng.below(3);
    for i in 0..namespaces {
        c.namespaces.push(Namespace {
            name: format!("n{i}"),
            labels: labels(&mut rng),
        });
    }
    let pods = 2 + rng.below(6);
    for i in 0..pods {
        let ports = (0..rng.below(3))
            .map(|_| ContainerPort {
                name: Some(rng.pick(&PORT_NAMES[..2]).to_string()),
                container_port: 79 + rng.below(5) as u16,
                protocol: *rng.pick(&PROTOCOLS),
            })
            .collect();
        c.pods.push(Pod {
            namespace: format!("n{}", rng.below(namespaces)),
            name: format!("p{i}"),
            labels: labels(&mut rng),
            // Some pods share an address range's atoms, some not.
            ips: vec![format!("10.0.0.{}", i % 8).parse().unwrap()],
            host_ip: None,
            node_name: None,
            host_network: rng.chance(10),
            phase: Some("Running".into()),
            ports,
            service_account: None,
            owner: None,
        });
    }
    for i in 0..rng.below(5) {
        let policy_types = match rng.below(4) {
            0 => None,
            1 => Some(vec![PolicyType::Ingress]),
            2 => Some(vec![PolicyType::Egress]),
            _ => Some(vec![PolicyType::Ingress, PolicyType::Egress]),
        };
        c.network_policies.push(NetworkPolicy {
            namespace: format!("n{}", rng.below(namespaces)),
            name: format!("np{i}"),
            pod_selector: selector(&mut rng),
            policy_types,
            ingress: rules(&mut rng),
            egress: rules(&mut rng),
        });
    }
    c
}

fn cluster_rule(rng: &mut Rng) -> ClusterPolicyRule {
    let action = *rng.pick(&[
        ClusterPolicyAction::Accept,
        ClusterPolicyAction::Deny,
        ClusterPolicyAction::Pass,
    ]);
    let peers = (0..1 + rng.below(2))
        .map(|_| match rng.below(3) {
            0 => ClusterPolicyPeer::Namespaces(selector(rng)),
            1 => ClusterPolicyPeer::Pods {
                namespace_selector: selector(rng),
                pod_selector: selector(rng),
            },
            _ => ClusterPolicyPeer::Networks(vec![rng.pick(&CIDRS).parse().unwrap()]),
        })
        .collect();
    let ports = if rng.chance(40) {
        None
    } else {
        Some(
            (0..1 + rng.below(2))
                .map(|_| match rng.below(3) {
                    0 => ClusterPolicyPort::Number {
                        protocol: *rng.pick(&PROTOCOLS),
                        port: 79 + rng.below(5) as u16,
                    },
                    1 => {
                        let start = 79 + rng.below(4) as u16;
                        ClusterPolicyPort::Range {
                            protocol: *rng.pick(&PROTOCOLS),
                            start,
                            end: start + rng.below(3) as u16,
                        }
                    }
                    _ => ClusterPolicyPort::Named(rng.pick(&PORT_NAMES).to_string()),
                })
                .collect(),
        )
    };
    ClusterPolicyRule {
        name: None,
        action,
        peers,
        ports,
    }
}

/// `cluster(seed)` plus Admin and Baseline cluster policies.
fn tiered_cluster(seed: u64) -> KubeCluster {
    let mut c = cluster(seed);
    let mut rng = Rng(seed.rotate_left(17) | 1);
    for i in 0..1 + rng.below(3) {
        let subject = if rng.chance(50) {
            ClusterPolicySubject::Namespaces(selector(&mut rng))
        } else {
            ClusterPolicySubject::Pods {
                namespace_selector: selector(&mut rng),
                pod_selector: selector(&mut rng),
            }
        };
        c.cluster_network_policies.push(ClusterNetworkPolicy {
            name: format!("cnp{i}"),
            api: KubeKind::ClusterNetworkPolicy,
            tier: *rng.pick(&[PolicyTier::Admin, PolicyTier::Baseline]),
            priority: rng.below(3) as u32,
            subject,
            ingress: (0..rng.below(3)).map(|_| cluster_rule(&mut rng)).collect(),
            egress: (0..rng.below(3)).map(|_| cluster_rule(&mut rng)).collect(),
        });
    }
    c
}

// ---- the brute-force evaluator, from the API reference ----

fn brute_selects(s: &LabelSelector, l: &Labels) -> bool {
    for (k, v) in &s.match_labels {
        if l.get(k) != Some(v) {
            return false;
        }
    }
    for r in &s.match_expressions {
        let ok = match r.operator {
            SelectorOperator::In => matches!(l.get(&r.key), Some(v) if r.values.contains(v)),
            SelectorOperator::NotIn => !matches!(l.get(&r.key), Some(v) if r.values.contains(v)),
            SelectorOperator::Exists => l.contains_key(&r.key),
            SelectorOperator::DoesNotExist => !l.contains_key(&r.key),
        };
        if !ok {
            return false;
        }
    }
    true
}

#[derive(Clone, Copy)]
enum End {
    Pod(usize),
    Ip(IpAddr),
}

fn ns_labels(c: &KubeCluster, ns: &str) -> Labels {
    let mut l = c
        .namespaces
        .iter()
        .find(|n| n.name == ns)
        .map(|n| n.labels.clone())
        .unwrap_or_default();
    l.insert("kubernetes.io/metadata.name".into(), ns.into());
    l
}

/// The addresses of an end, and the pod when policies see it as one.
fn end_view(c: &KubeCluster, e: End) -> (Vec<IpAddr>, Option<&Pod>) {
    match e {
        End::Pod(i) => {
            let p = &c.pods[i];
            (p.ips.clone(), (!p.host_network).then_some(p))
        }
        End::Ip(ip) => (vec![ip], None),
    }
}

fn brute_peer(
    c: &KubeCluster,
    policy: &NetworkPolicy,
    peer: &NetworkPolicyPeer,
    other: End,
) -> bool {
    let (ips, pod) = end_view(c, other);
    if let Some(b) = &peer.ip_block {
        return ips
            .iter()
            .any(|ip| b.cidr.contains(ip) && !b.except.iter().any(|e| e.contains(ip)));
    }
    let Some(pod) = pod else { return false };
    let ns_ok = match &peer.namespace_selector {
        None => pod.namespace == policy.namespace,
        Some(s) => brute_selects(s, &ns_labels(c, &pod.namespace)),
    };
    let pod_ok = match &peer.pod_selector {
        None => peer.namespace_selector.is_some(),
        Some(s) => brute_selects(s, &pod.labels),
    };
    ns_ok && pod_ok
}

fn brute_port(p: &NetworkPolicyPort, dst: Option<&Pod>, proto: KubeProtocol, port: u16) -> bool {
    if p.protocol.unwrap_or(KubeProtocol::Tcp) != proto {
        return false;
    }
    match &p.port {
        None => true,
        Some(PortRef::Number(n)) => port >= *n && port <= p.end_port.unwrap_or(*n),
        Some(PortRef::Name(name)) => dst.is_some_and(|d| {
            d.ports.iter().any(|cp| {
                cp.name.as_deref() == Some(name.as_str())
                    && cp.protocol == proto
                    && cp.container_port == port
            })
        }),
    }
}

fn brute_types(p: &NetworkPolicy) -> Vec<PolicyType> {
    match &p.policy_types {
        Some(t) => t.clone(),
        None if p.egress.is_empty() => vec![PolicyType::Ingress],
        None => vec![PolicyType::Ingress, PolicyType::Egress],
    }
}

/// Whether `subject` (a pod) lets traffic through in `dir` with `other`.
fn brute_side(
    c: &KubeCluster,
    subject: usize,
    dir: PolicyType,
    other: End,
    dst: Option<&Pod>,
    proto: KubeProtocol,
    port: u16,
) -> bool {
    let s = &c.pods[subject];
    if s.host_network {
        return true;
    }
    let mut isolated = false;
    for policy in &c.network_policies {
        if policy.namespace != s.namespace
            || !brute_selects(&policy.pod_selector, &s.labels)
            || !brute_types(policy).contains(&dir)
        {
            continue;
        }
        isolated = true;
        let rules = if dir == PolicyType::Ingress {
            &policy.ingress
        } else {
            &policy.egress
        };
        for rule in rules {
            let peer_ok =
                rule.peers.is_empty() || rule.peers.iter().any(|p| brute_peer(c, policy, p, other));
            let port_ok =
                rule.ports.is_empty() || rule.ports.iter().any(|p| brute_port(p, dst, proto, port));
            if peer_ok && port_ok {
                return true;
            }
        }
    }
    !isolated
}

fn brute(c: &KubeCluster, src: End, dst: End, proto: KubeProtocol, port: u16) -> bool {
    let (_, dst_pod) = end_view(c, dst);
    let egress = match src {
        End::Pod(i) => brute_side(c, i, PolicyType::Egress, dst, dst_pod, proto, port),
        End::Ip(_) => true,
    };
    let ingress = match dst {
        End::Pod(i) => brute_side(c, i, PolicyType::Ingress, src, dst_pod, proto, port),
        End::Ip(_) => true,
    };
    egress && ingress
}

fn brute_cluster_peer(c: &KubeCluster, peer: &ClusterPolicyPeer, other: End) -> bool {
    let (ips, pod) = end_view(c, other);
    match peer {
        ClusterPolicyPeer::Namespaces(s) => {
            pod.is_some_and(|p| brute_selects(s, &ns_labels(c, &p.namespace)))
        }
        ClusterPolicyPeer::Pods {
            namespace_selector,
            pod_selector,
        } => pod.is_some_and(|p| {
            brute_selects(namespace_selector, &ns_labels(c, &p.namespace))
                && brute_selects(pod_selector, &p.labels)
        }),
        ClusterPolicyPeer::Networks(nets) => {
            ips.iter().any(|ip| nets.iter().any(|n| n.contains(ip)))
        }
        ClusterPolicyPeer::DomainNames(_) => false,
    }
}

fn brute_cluster_port(
    p: &ClusterPolicyPort,
    dst: Option<&Pod>,
    proto: KubeProtocol,
    port: u16,
) -> bool {
    match p {
        ClusterPolicyPort::Number { protocol, port: n } => *protocol == proto && *n == port,
        ClusterPolicyPort::Range {
            protocol,
            start,
            end,
        } => *protocol == proto && *start <= port && port <= *end,
        ClusterPolicyPort::Named(name) => dst.is_some_and(|d| {
            d.ports.iter().any(|cp| {
                cp.name.as_deref() == Some(name.as_str())
                    && cp.protocol == proto
                    && cp.container_port == port
            })
        }),
    }
}

/// The first decision of a tier's rules for one packet kind, if any rule matches.
fn brute_tier(
    c: &KubeCluster,
    tier: PolicyTier,
    subject: usize,
    dir: PolicyType,
    other: End,
    dst: Option<&Pod>,
    (proto, port): (KubeProtocol, u16),
) -> Option<ClusterPolicyAction> {
    let s = &c.pods[subject];
    let mut policies: Vec<&ClusterNetworkPolicy> = c
        .cluster_network_policies
        .iter()
        .filter(|p| p.tier == tier)
        .filter(|p| match &p.subject {
            ClusterPolicySubject::Namespaces(n) => brute_selects(n, &ns_labels(c, &s.namespace)),
            ClusterPolicySubject::Pods {
                namespace_selector,
                pod_selector,
            } => {
                brute_selects(namespace_selector, &ns_labels(c, &s.namespace))
                    && brute_selects(pod_selector, &s.labels)
            }
        })
        .collect();
    policies.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
    for p in policies {
        let rules = if dir == PolicyType::Ingress {
            &p.ingress
        } else {
            &p.egress
        };
        for r in rules {
            let peer_ok = r.peers.iter().any(|x| brute_cluster_peer(c, x, other));
            let port_ok = match &r.ports {
                None => true,
                Some(list) => {
                    list.is_empty() || list.iter().any(|x| brute_cluster_port(x, dst, proto, port))
                }
            };
            if peer_ok && port_ok {
                return Some(r.action);
            }
        }
    }
    None
}

/// One direction under Admin, NetworkPolicy and Baseline, for one packet kind.
fn brute_tiered_side(
    c: &KubeCluster,
    subject: usize,
    dir: PolicyType,
    other: End,
    dst: Option<&Pod>,
    proto: KubeProtocol,
    port: u16,
) -> bool {
    if c.pods[subject].host_network {
        return true;
    }
    match brute_tier(
        c,
        PolicyTier::Admin,
        subject,
        dir,
        other,
        dst,
        (proto, port),
    ) {
        Some(ClusterPolicyAction::Accept) => return true,
        Some(ClusterPolicyAction::Deny) => return false,
        Some(ClusterPolicyAction::Pass) | None => {}
    }
    let s = &c.pods[subject];
    let isolated = c.network_policies.iter().any(|p| {
        p.namespace == s.namespace
            && brute_selects(&p.pod_selector, &s.labels)
            && brute_types(p).contains(&dir)
    });
    if isolated {
        return brute_side(c, subject, dir, other, dst, proto, port);
    }
    // Pass in the last tier: no later tier, the default (allow) applies.
    !matches!(
        brute_tier(
            c,
            PolicyTier::Baseline,
            subject,
            dir,
            other,
            dst,
            (proto, port)
        ),
        Some(ClusterPolicyAction::Deny)
    )
}

fn brute_tiered(c: &KubeCluster, src: End, dst: End, proto: KubeProtocol, port: u16) -> bool {
    let (_, dst_pod) = end_view(c, dst);
    let egress = match src {
        End::Pod(i) => brute_tiered_side(c, i, PolicyType::Egress, dst, dst_pod, proto, port),
        End::Ip(_) => true,
    };
    let ingress = match dst {
        End::Pod(i) => brute_tiered_side(c, i, PolicyType::Ingress, src, dst_pod, proto, port),
        End::Ip(_) => true,
    };
    egress && ingress
}

fn point(proto: KubeProtocol, port: u16) -> ServicePoint {
    match proto {
        KubeProtocol::Tcp => ServicePoint::Tcp(port),
        KubeProtocol::Udp => ServicePoint::Udp(port),
        KubeProtocol::Sctp => ServicePoint::Sctp(port),
    }
}

fn ends(c: &KubeCluster) -> Vec<End> {
    (0..c.pods.len())
        .map(End::Pod)
        .chain(OUTSIDE.iter().map(|a| End::Ip(a.parse().unwrap())))
        .collect()
}

fn peer_of(e: End) -> Peer {
    match e {
        End::Pod(i) => Peer::Pod(i),
        End::Ip(ip) => Peer::Ip(ip),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn engine_matches_brute_force(seed in any::<u64>()) {
        let c = cluster(seed);
        let index = ClusterIndex::new(&c);
        for &src in &ends(&c) {
            for &dst in &ends(&c) {
                let services = index.allowed(peer_of(src), peer_of(dst)).services;
                prop_assert_eq!(&index.allowed_services(peer_of(src), peer_of(dst)), &services);
                for proto in PROTOCOLS {
                    for port in 78..=85u16 {
                        let want = brute(&c, src, dst, proto, port);
                        prop_assert_eq!(
                            services.contains(point(proto, port)),
                            want,
                            "seed {} {:?} -> {:?} {} {}: engine {}",
                            seed,
                            peer_of(src),
                            peer_of(dst),
                            proto,
                            port,
                            services
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn tiers_match_brute_force(seed in any::<u64>()) {
        let c = tiered_cluster(seed);
        let index = ClusterIndex::new(&c);
        for &src in &ends(&c) {
            for &dst in &ends(&c) {
                let services = index.allowed(peer_of(src), peer_of(dst)).services;
                prop_assert_eq!(&index.allowed_services(peer_of(src), peer_of(dst)), &services);
                for proto in PROTOCOLS {
                    for port in 78..=85u16 {
                        let want = brute_tiered(&c, src, dst, proto, port);
                        prop_assert_eq!(
                            services.contains(point(proto, port)),
                            want,
                            "seed {} {:?} -> {:?} {} {}: engine {}",
                            seed,
                            peer_of(src),
                            peer_of(dst),
                            proto,
                            port,
                            services
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn class_members_get_identical_answers(seed in any::<u64>()) {
        let c = tiered_cluster(seed);
        let index = ClusterIndex::new(&c);
        let classes = index.pod_classes();
        let mut seen: Vec<usize> = classes.iter().flatten().copied().collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..c.pods.len()).collect::<Vec<_>>(), "every pod in exactly one class");
        for class in &classes {
            let first = class[0];
            for &m in &class[1..] {
                for &e in &ends(&c) {
                    let other = peer_of(e);
                    prop_assert_eq!(
                        index.allowed(Peer::Pod(first), other).services,
                        index.allowed(Peer::Pod(m), other).services
                    );
                    prop_assert_eq!(
                        index.allowed(other, Peer::Pod(first)).services,
                        index.allowed(other, Peer::Pod(m)).services
                    );
                }
            }
        }
    }
}

/// The generator does make the interesting shapes (guards against a generator that
/// silently produces only trivial clusters).
#[test]
fn generator_covers_the_features() {
    let (mut named, mut ranges, mut omitted, mut blocks, mut host, mut isolated_pairs) =
        (0, 0, 0, 0, 0, 0);
    for seed in 0..300u64 {
        let c = cluster(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        host += c.pods.iter().filter(|p| p.host_network).count();
        for p in &c.network_policies {
            omitted += usize::from(p.policy_types.is_none());
            for r in p.ingress.iter().chain(&p.egress) {
                named += r
                    .ports
                    .iter()
                    .filter(|x| matches!(x.port, Some(PortRef::Name(_))))
                    .count();
                ranges += r.ports.iter().filter(|x| x.end_port.is_some()).count();
                blocks += r.peers.iter().filter(|x| x.ip_block.is_some()).count();
            }
        }
        let index = ClusterIndex::new(&c);
        isolated_pairs += (0..c.pods.len())
            .filter(|&i| index.isolated(i, PolicyType::Ingress))
            .count();
    }
    // The cluster policies change answers (the tier property is not vacuous).
    let mut changed = 0;
    for seed in 0..100u64 {
        let seed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let (plain, tiered) = (cluster(seed), tiered_cluster(seed));
        let (a, b) = (ClusterIndex::new(&plain), ClusterIndex::new(&tiered));
        for &src in &ends(&plain) {
            for &dst in &ends(&plain) {
                let (src, dst) = (peer_of(src), peer_of(dst));
                changed +=
                    usize::from(a.allowed(src, dst).services != b.allowed(src, dst).services);
            }
        }
    }
    assert!(changed > 50, "tiers changed {changed} answers");
    for (what, n) in [
        ("named", named),
        ("ranges", ranges),
        ("omitted", omitted),
        ("blocks", blocks),
        ("host", host),
        ("isolated", isolated_pairs),
    ] {
        assert!(n > 20, "{what}: {n}");
    }
}
