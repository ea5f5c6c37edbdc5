//! The NetworkPolicy conformance cases of upstream Kubernetes
//! (kubernetes/kubernetes test/e2e/network/netpol/network_policy.go), ported to the
//! policy engine. The model is upstream's (model.go): namespaces x, y, z labelled
//! `ns=<name>` and `kubernetes.io/metadata.name=<name>`; pods named a, b, c labelled
//! `pod=<name>`, each serving the case's ports over the case's protocols on
//! container ports named `serve-<port>-<protocol>`. Each case builds its policies
//! as upstream does and states the truth table with upstream's own expectations
//! (`ExpectPeer`, `ExpectAllIngress`, `ExpectAllEgress`, `Expect`); loopback pairs
//! are ignored as upstream ignores them (`ignoreLoopback`).

use std::collections::BTreeMap;

use vpcaudit::inventory::{
    ContainerPort, IpBlock, KubeCluster, KubeProtocol, KubeSource, LabelRequirement, LabelSelector,
    Labels, Namespace, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod,
    PolicyType, PortRef, SelectorOperator,
};
use vpcaudit::reach::kubernetes::{ClusterIndex, Peer};
use vpcaudit::reach::sets::ServicePoint;

use KubeProtocol::{Sctp as SCTP, Tcp as TCP, Udp as UDP};

const NS_NAME: &str = "kubernetes.io/metadata.name";
const X: &str = "x";
const Y: &str = "y";
const Z: &str = "z";

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn proto_name(p: KubeProtocol) -> &'static str {
    match p {
        TCP => "tcp",
        UDP => "udp",
        SCTP => "sctp",
    }
}

/// One case's cluster: upstream `initializeResources(protocols, ports, pods...)`.
struct Case {
    name: &'static str,
    cluster: KubeCluster,
}

impl Case {
    fn new(name: &'static str, protocols: &[KubeProtocol], ports: &[u16], pods: &[&str]) -> Case {
        let mut cluster = KubeCluster::new("netpol", KubeSource::Objects { files: Vec::new() });
        for (i, ns) in [X, Y, Z].into_iter().enumerate() {
            let _ = i;
            cluster.namespaces.push(Namespace {
                name: ns.into(),
                labels: labels(&[("ns", ns), (NS_NAME, ns)]),
            });
        }
        for s in pods {
            let (ns, name) = s.split_once('/').unwrap();
            let ns_n = [X, Y, Z].iter().position(|n| *n == ns).unwrap() + 1;
            let pod_n = (name.as_bytes()[0] - b'a') + 1;
            let mut container_ports = Vec::new();
            for &port in ports {
                for &p in protocols {
                    container_ports.push(ContainerPort {
                        name: Some(format!("serve-{port}-{}", proto_name(p))),
                        container_port: port,
                        protocol: p,
                    });
                }
            }
            cluster.pods.push(Pod {
                namespace: ns.into(),
                name: name.into(),
                labels: labels(&[("pod", name)]),
                ips: vec![format!("10.0.{ns_n}.{pod_n}").parse().unwrap()],
                host_ip: None,
                node_name: None,
                host_network: false,
                phase: Some("Running".into()),
                ports: container_ports,
                service_account: None,
                owner: None,
            });
        }
        Case { name, cluster }
    }

    /// `CreatePolicy` / `UpdatePolicy`: a policy of the same name in the same
    /// namespace is replaced.
    fn policy(&mut self, ns: &str, mut p: NetworkPolicy) {
        p.namespace = ns.into();
        self.cluster
            .network_policies
            .retain(|q| !(q.namespace == p.namespace && q.name == p.name));
        self.cluster.network_policies.push(p);
    }

    fn pod_ip(&self, s: &str) -> String {
        let (ns, name) = s.split_once('/').unwrap();
        let p = self
            .cluster
            .pods
            .iter()
            .find(|p| p.namespace == ns && p.name == name)
            .unwrap();
        p.ips[0].to_string()
    }

    fn add_pod_labels(&mut self, s: &str, add: &[(&str, &str)]) {
        let (ns, name) = s.split_once('/').unwrap();
        let p = self
            .cluster
            .pods
            .iter_mut()
            .find(|p| p.namespace == ns && p.name == name)
            .unwrap();
        p.labels.extend(labels(add));
    }

    fn add_namespace_label(&mut self, ns: &str, k: &str, v: &str) {
        let n = self
            .cluster
            .namespaces
            .iter_mut()
            .find(|n| n.name == ns)
            .unwrap();
        n.labels.insert(k.into(), v.into());
    }

    /// `NewReachability(all pods, true)`.
    fn reachability(&self) -> Truth {
        let pods: Vec<String> = self
            .cluster
            .pods
            .iter()
            .map(|p| format!("{}/{}", p.namespace, p.name))
            .collect();
        let mut expected = BTreeMap::new();
        for from in &pods {
            for to in &pods {
                expected.insert((from.clone(), to.clone()), true);
            }
        }
        Truth { pods, expected }
    }

    /// `ValidateOrFail`: the engine's answer for every ordered pair of distinct pods.
    fn validate(&self, port: u16, protocol: KubeProtocol, truth: &Truth) {
        let index = ClusterIndex::new(&self.cluster);
        let point = match protocol {
            TCP => ServicePoint::Tcp(port),
            UDP => ServicePoint::Udp(port),
            SCTP => ServicePoint::Sctp(port),
        };
        let mut wrong = Vec::new();
        for (i, from) in truth.pods.iter().enumerate() {
            for (j, to) in truth.pods.iter().enumerate() {
                if i == j {
                    continue;
                }
                let want = truth.expected[&(from.clone(), to.clone())];
                let got = index
                    .allowed(Peer::Pod(i), Peer::Pod(j))
                    .services
                    .contains(point);
                if got != want {
                    let a = index.allowed(Peer::Pod(i), Peer::Pod(j));
                    wrong.push(format!(
                        "{from} -> {to} {protocol} {port}: expected {want}, engine {got} \
                         (egress {:?}; ingress {:?})",
                        a.egress.map(|s| s.reasons),
                        a.ingress.map(|s| s.reasons)
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "upstream case {:?}:\n{}",
            self.name,
            wrong.join("\n")
        );
    }
}

/// `Peer{Namespace, Pod}` of reachability.go: empty fields match everything.
#[derive(Clone, Copy, Default)]
struct P {
    ns: Option<&'static str>,
    pod: Option<&'static str>,
}

fn any() -> P {
    P::default()
}
fn ns(n: &'static str) -> P {
    P {
        ns: Some(n),
        pod: None,
    }
}
fn pod(n: &'static str, p: &'static str) -> P {
    P {
        ns: Some(n),
        pod: Some(p),
    }
}

impl P {
    fn matches(&self, s: &str) -> bool {
        let (n, p) = s.split_once('/').unwrap();
        self.ns.is_none_or(|x| x == n) && self.pod.is_none_or(|x| x == p)
    }
}

struct Truth {
    pods: Vec<String>,
    expected: BTreeMap<(String, String), bool>,
}

impl Truth {
    fn expect_peer(&mut self, from: P, to: P, v: bool) {
        for ((f, t), e) in self.expected.iter_mut() {
            if from.matches(f) && to.matches(t) {
                *e = v;
            }
        }
    }
    fn expect(&mut self, from: &str, to: &str, v: bool) {
        *self
            .expected
            .get_mut(&(from.to_string(), to.to_string()))
            .unwrap() = v;
    }
    fn expect_all_ingress(&mut self, to: &str, v: bool) {
        for ((_, t), e) in self.expected.iter_mut() {
            if t == to {
                *e = v;
            }
        }
    }
    fn expect_all_egress(&mut self, from: &str, v: bool) {
        for ((f, _), e) in self.expected.iter_mut() {
            if f == from {
                *e = v;
            }
        }
    }
}

// ---- policy builders, after upstream policies.go ----

/// `GenNetworkPolicyWithNameAndPodSelector(name, selector, SetSpecIngressRules(..)?,
/// SetSpecEgressRules(..)?)`: each SetSpec call adds its policy type.
fn gen(
    name: &str,
    selector: LabelSelector,
    ingress: Option<Vec<NetworkPolicyRule>>,
    egress: Option<Vec<NetworkPolicyRule>>,
) -> NetworkPolicy {
    let mut types = Vec::new();
    if ingress.is_some() {
        types.push(PolicyType::Ingress);
    }
    if egress.is_some() {
        types.push(PolicyType::Egress);
    }
    NetworkPolicy {
        namespace: String::new(),
        name: name.into(),
        pod_selector: selector,
        policy_types: Some(types),
        ingress: ingress.unwrap_or_default(),
        egress: egress.unwrap_or_default(),
    }
}

fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: labels(pairs),
        match_expressions: Vec::new(),
    }
}

fn all() -> LabelSelector {
    LabelSelector::default()
}

fn expression(key: &str, op: SelectorOperator, values: &[&str]) -> LabelSelector {
    LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![LabelRequirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    }
}

fn pod_a() -> LabelSelector {
    match_labels(&[("pod", "a")])
}

fn rule(peers: Vec<NetworkPolicyPeer>, ports: Vec<NetworkPolicyPort>) -> NetworkPolicyRule {
    NetworkPolicyRule { peers, ports }
}

fn pods_peer(s: LabelSelector) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(s),
        ..Default::default()
    }
}

fn ns_peer(s: LabelSelector) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(s),
        ..Default::default()
    }
}

fn both_peer(ns: LabelSelector, pods: LabelSelector) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(ns),
        pod_selector: Some(pods),
        ip_block: None,
    }
}

fn ip_peer(cidr: &str, except: &[&str]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IpBlock {
            cidr: cidr.parse().unwrap(),
            except: except.iter().map(|e| e.parse().unwrap()).collect(),
        }),
        ..Default::default()
    }
}

fn port(n: u16, protocol: Option<KubeProtocol>) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol,
        port: Some(PortRef::Number(n)),
        end_port: None,
    }
}

fn named(name: &str, protocol: Option<KubeProtocol>) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol,
        port: Some(PortRef::Name(name.into())),
        end_port: None,
    }
}

fn ns_is(n: &str) -> LabelSelector {
    match_labels(&[(NS_NAME, n)])
}

// ---- NetworkPolicy between server and client ----

#[test]
fn default_deny_ingress() {
    let mut c = Case::new(
        "should support a 'default-deny-ingress' policy",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "y/b"],
    );
    c.policy(X, gen("deny-ingress", all(), Some(vec![]), None));
    let mut r = c.reachability();
    r.expect_peer(any(), ns(X), false);
    c.validate(80, TCP, &r);
}

#[test]
fn default_deny_all() {
    let mut c = Case::new(
        "should support a 'default-deny-all' policy",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    c.policy(X, gen("deny-all", all(), Some(vec![]), Some(vec![])));
    let mut r = c.reachability();
    r.expect_peer(any(), ns(X), false);
    r.expect_peer(ns(X), any(), false);
    c.validate(80, TCP, &r);
}

#[test]
fn allow_from_pods_within_namespace_by_pod_selector() {
    let mut c = Case::new(
        "should enforce policy to allow traffic from pods within server namespace based on PodSelector",
        &[TCP], &[80], &["x/a", "x/b", "x/c", "y/a"],
    );
    let ing = rule(vec![pods_peer(match_labels(&[("pod", "b")]))], vec![]);
    c.policy(X, gen("x-a-allows-x-b", pod_a(), Some(vec![ing]), None));
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("x/b", "x/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn allow_ingress_for_a_target() {
    let mut c = Case::new(
        "should enforce policy to allow ingress traffic for a target",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    c.policy(X, gen("deny-all", all(), Some(vec![]), None));
    let ing = rule(vec![both_peer(all(), all())], vec![]);
    c.policy(X, gen("allow-all-to-a", pod_a(), Some(vec![ing]), None));
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", true);
    r.expect_all_ingress("x/b", false);
    c.validate(80, TCP, &r);
}

#[test]
fn allow_ingress_from_all_namespaces() {
    let mut c = Case::new(
        "should enforce policy to allow ingress traffic from pods in all namespaces",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(vec![ns_peer(all())], vec![]);
    c.policy(
        X,
        gen("allow-from-another-ns", pod_a(), Some(vec![ing]), None),
    );
    let r = c.reachability();
    c.validate(80, TCP, &r);
}

#[test]
fn allow_only_from_other_namespace_by_namespace_selector() {
    let mut c = Case::new(
        "should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector",
        &[TCP], &[80], &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(80, TCP, &r);
}

#[test]
fn pod_selector_match_expressions() {
    let mut c = Case::new(
        "should enforce policy based on PodSelector with MatchExpressions",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    let ing = rule(
        vec![pods_peer(expression("pod", SelectorOperator::In, &["b"]))],
        vec![],
    );
    c.policy(X, gen("x-a-allows-x-b", pod_a(), Some(vec![ing]), None));
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("x/b", "x/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn namespace_selector_match_expressions() {
    let mut c = Case::new(
        "should enforce policy based on NamespaceSelector with MatchExpressions",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(
        vec![ns_peer(expression(NS_NAME, SelectorOperator::In, &[Y]))],
        vec![],
    );
    c.policy(
        X,
        gen("allow-ns-y-match-selector", pod_a(), Some(vec![ing]), None),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(80, TCP, &r);
}

#[test]
fn pod_selector_or_namespace_selector() {
    let mut c = Case::new(
        "should enforce policy based on PodSelector or NamespaceSelector",
        &[TCP],
        &[80],
        &["x/a", "x/b", "x/c", "y/a"],
    );
    let ing = rule(
        vec![
            ns_peer(expression(NS_NAME, SelectorOperator::NotIn, &[X])),
            pods_peer(match_labels(&[("pod", "b")])),
        ],
        vec![],
    );
    c.policy(
        X,
        gen("allow-ns-y-match-selector", pod_a(), Some(vec![ing]), None),
    );
    let mut r = c.reachability();
    r.expect("x/a", "x/a", false);
    r.expect("x/c", "x/a", false);
    c.validate(80, TCP, &r);
}

#[test]
fn pod_selector_and_namespace_selector() {
    let mut c = Case::new(
        "should enforce policy based on PodSelector and NamespaceSelector",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "y/b", "z/b"],
    );
    let ing = rule(
        vec![both_peer(
            expression(NS_NAME, SelectorOperator::NotIn, &[X]),
            match_labels(&[("pod", "b")]),
        )],
        vec![],
    );
    c.policy(
        X,
        gen(
            "allow-ns-y-podselector-and-nsselector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("y/b", "x/a", true);
    r.expect("z/b", "x/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn multiple_pod_selectors_and_namespace_selectors() {
    let mut c = Case::new(
        "should enforce policy based on Multiple PodSelectors and NamespaceSelectors",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "y/b", "y/c"],
    );
    let ing = rule(
        vec![both_peer(
            expression(NS_NAME, SelectorOperator::NotIn, &[X]),
            expression("pod", SelectorOperator::In, &["b", "c"]),
        )],
        vec![],
    );
    c.policy(
        X,
        gen("allow-ns-y-z-pod-b-c", pod_a(), Some(vec![ing]), None),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect("y/a", "x/a", false);
    c.validate(80, TCP, &r);
}

#[test]
fn any_pod_selectors() {
    let mut c = Case::new(
        "should enforce policy based on any PodSelectors",
        &[TCP],
        &[80],
        &["x/a", "x/b", "x/c"],
    );
    let ing = rule(
        vec![
            pods_peer(match_labels(&[("pod", "b")])),
            pods_peer(match_labels(&[("pod", "c")])),
        ],
        vec![],
    );
    c.policy(X, gen("allow-ns-x-pod-b-c", pod_a(), Some(vec![ing]), None));
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("x/b", "x/a", true);
    r.expect("x/c", "x/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn only_from_a_pod_in_other_namespace() {
    let mut c = Case::new(
        "should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector",
        &[TCP], &[80], &["x/a", "x/b", "y/a", "y/b", "z/a"],
    );
    let ing = rule(vec![both_peer(ns_is(Y), pod_a())], vec![]);
    c.policy(
        X,
        gen(
            "allow-ns-y-pod-a-via-namespace-pod-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("y/a", "x/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn based_on_ports() {
    let mut c = Case::new(
        "should enforce policy based on Ports",
        &[TCP],
        &[81],
        &["x/a", "x/b", "y/a", "y/b", "z/a"],
    );
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![port(81, Some(TCP))]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Y), pod(X, "a"), true);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(81, TCP, &r);
}

#[test]
fn multiple_stacked_policies_with_overlapping_pod_selectors() {
    let mut c = Case::new(
        "should enforce multiple, stacked policies with overlapping podSelectors",
        &[TCP],
        &[80, 81],
        &["x/a", "x/b", "y/a", "y/b", "z/a"],
    );
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![port(81, Some(TCP))]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut allow = c.reachability();
    allow.expect_peer(ns(X), pod(X, "a"), false);
    allow.expect_peer(ns(Y), pod(X, "a"), true);
    allow.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(81, TCP, &allow);
    let mut deny = c.reachability();
    deny.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &deny);
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![port(80, Some(TCP))]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector-80",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    c.validate(80, TCP, &allow);
}

#[test]
fn allow_all_policy() {
    let mut c = Case::new(
        "should support allow-all policy",
        &[TCP],
        &[80, 81],
        &["x/a", "x/b", "y/a"],
    );
    c.policy(
        X,
        gen("allow-all", all(), Some(vec![rule(vec![], vec![])]), None),
    );
    let r = c.reachability();
    c.validate(80, TCP, &r);
    c.validate(81, TCP, &r);
}

#[test]
fn ingress_on_one_named_port() {
    let mut c = Case::new(
        "should allow ingress access on one named port",
        &[TCP],
        &[80, 81],
        &["x/a", "x/b", "y/a"],
    );
    let ing = rule(vec![], vec![named("serve-81-tcp", None)]);
    c.policy(X, gen("allow-all", all(), Some(vec![ing]), None));
    let r81 = c.reachability();
    c.validate(81, TCP, &r81);
    let mut r80 = c.reachability();
    r80.expect_peer(any(), ns(X), false);
    c.validate(80, TCP, &r80);
}

#[test]
fn ingress_from_namespace_on_one_named_port() {
    let mut c = Case::new(
        "should allow ingress access from namespace on one named port",
        &[TCP],
        &[80, 81],
        &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(
        vec![ns_peer(ns_is(Y))],
        vec![named("serve-80-tcp", Some(TCP))],
    );
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector-80",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(80, TCP, &r);
    let mut fail = c.reachability();
    fail.expect_all_ingress("x/a", false);
    c.validate(81, TCP, &fail);
}

#[test]
fn egress_on_one_named_port() {
    let mut c = Case::new(
        "should allow egress access on one named port",
        &[TCP],
        &[80, 81],
        &["x/a", "y/a"],
    );
    let eg = rule(vec![], vec![named("serve-80-tcp", None)]);
    c.policy(X, gen("allow-egress", all(), None, Some(vec![eg])));
    let r80 = c.reachability();
    c.validate(80, TCP, &r80);
    let mut r81 = c.reachability();
    r81.expect_peer(ns(X), any(), false);
    c.validate(81, TCP, &r81);
}

#[test]
fn updated_policy() {
    let mut c = Case::new(
        "should enforce updated policy",
        &[TCP],
        &[81],
        &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-all-mutate-to-deny-all",
            all(),
            Some(vec![rule(vec![], vec![])]),
            None,
        ),
    );
    let r = c.reachability();
    c.validate(81, TCP, &r);
    c.policy(
        X,
        gen("allow-all-mutate-to-deny-all", all(), Some(vec![]), None),
    );
    let mut deny = c.reachability();
    deny.expect_peer(any(), ns(X), false);
    c.validate(81, TCP, &deny);
}

#[test]
fn ingress_from_updated_namespace() {
    let mut c = Case::new(
        "should allow ingress access from updated namespace",
        &[TCP],
        &[80],
        &["x/a", "y/a"],
    );
    let ing = rule(vec![ns_peer(match_labels(&[("ns2", "updated")]))], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &r);
    c.add_namespace_label(Y, "ns2", "updated");
    let mut with_label = c.reachability();
    with_label.expect_all_ingress("x/a", false);
    with_label.expect_peer(ns(Y), any(), true);
    c.validate(80, TCP, &with_label);
}

#[test]
fn ingress_from_updated_pod() {
    let mut c = Case::new(
        "should allow ingress access from updated pod",
        &[TCP],
        &[80],
        &["x/a", "x/b"],
    );
    let want = [("pod", "b"), ("pod2", "updated")];
    let ing = rule(vec![pods_peer(match_labels(&want))], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-pod-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &r);
    c.add_pod_labels("x/b", &want);
    let mut with_label = c.reachability();
    with_label.expect_all_ingress("x/a", false);
    with_label.expect("x/b", "x/a", true);
    c.validate(80, TCP, &with_label);
}

#[test]
fn deny_ingress_from_other_namespaces() {
    let mut c = Case::new(
        "should deny ingress from pods on other namespaces",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(vec![pods_peer(all())], vec![]);
    c.policy(X, gen("deny-empty-policy", all(), Some(vec![ing]), None));
    let mut r = c.reachability();
    r.expect_peer(ns(Y), ns(X), false);
    r.expect_peer(ns(Z), ns(X), false);
    c.validate(80, TCP, &r);
}

#[test]
fn deny_ingress_to_updated_pod() {
    let mut c = Case::new(
        "should deny ingress access to updated pod",
        &[TCP],
        &[80],
        &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "deny-ingress-via-label-selector",
            match_labels(&[("target", "isolated")]),
            Some(vec![]),
            None,
        ),
    );
    let r = c.reachability();
    c.validate(80, TCP, &r);
    c.add_pod_labels("x/a", &[("target", "isolated")]);
    let mut isolated = c.reachability();
    isolated.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &isolated);
}

#[test]
fn deny_egress_by_pod_selector() {
    let mut c = Case::new(
        "should deny egress from pods based on PodSelector",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    c.policy(X, gen("deny-egress-pod-a", pod_a(), None, Some(vec![])));
    let mut r = c.reachability();
    r.expect_all_egress("x/a", false);
    c.validate(80, TCP, &r);
}

#[test]
fn deny_egress_from_all_pods_of_namespace() {
    let mut c = Case::new(
        "should deny egress from all pods in a namespace",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    c.policy(X, gen("deny-egress-ns-x", all(), None, Some(vec![])));
    let mut r = c.reachability();
    r.expect_peer(ns(X), any(), false);
    c.validate(80, TCP, &r);
}

#[test]
fn ingress_and_egress_together() {
    let mut c = Case::new(
        "should work with Ingress, Egress specified together",
        &[TCP],
        &[80, 81],
        &["x/a", "x/b", "x/c", "y/a"],
    );
    let ing = rule(vec![pods_peer(match_labels(&[("pod", "b")]))], vec![]);
    let mut p = gen(
        "allow-client-a-via-pod-selector",
        pod_a(),
        Some(vec![ing]),
        None,
    );
    p.egress = vec![rule(vec![], vec![port(80, None)])];
    p.policy_types = Some(vec![PolicyType::Egress, PolicyType::Ingress]);
    c.policy(X, p);
    let mut r80 = c.reachability();
    r80.expect_all_ingress("x/a", false);
    r80.expect("x/b", "x/a", true);
    c.validate(80, TCP, &r80);
    let mut r81 = c.reachability();
    r81.expect_all_ingress("x/a", false);
    r81.expect_all_egress("x/a", false);
    r81.expect("x/b", "x/a", true);
    c.validate(81, TCP, &r81);
}

#[test]
fn egress_denied_on_client_even_if_server_allows() {
    let mut c = Case::new(
        "should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)",
        &[TCP], &[80], &["x/a", "y/a", "y/b"],
    );
    let eg = rule(vec![both_peer(ns_is(Y), pod_a())], vec![]);
    c.policy(X, gen("allow-to-ns-y-pod-a", pod_a(), None, Some(vec![eg])));
    let ing = rule(vec![both_peer(ns_is(X), pod_a())], vec![]);
    c.policy(
        Y,
        gen(
            "allow-from-xa-on-ya-match-selector",
            pod_a(),
            Some(vec![ing.clone()]),
            None,
        ),
    );
    c.policy(
        Y,
        gen(
            "allow-from-xa-on-yb-match-selector",
            match_labels(&[("pod", "b")]),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(pod(X, "a"), any(), false);
    r.expect_peer(any(), pod(Y, "a"), false);
    r.expect_peer(pod(X, "a"), pod(Y, "a"), true);
    r.expect_peer(any(), pod(Y, "b"), false);
    c.validate(80, TCP, &r);
}

#[test]
fn egress_to_server_in_other_namespace_by_pod_and_namespace_selector() {
    let mut c = Case::new(
        "should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector",
        &[TCP], &[80], &["x/a", "y/a", "y/b"],
    );
    let eg = rule(vec![both_peer(ns_is(Y), pod_a())], vec![]);
    c.policy(X, gen("allow-to-ns-y-pod-a", pod_a(), None, Some(vec![eg])));
    let mut r = c.reachability();
    r.expect_all_egress("x/a", false);
    r.expect("x/a", "y/a", true);
    c.validate(80, TCP, &r);
}

#[test]
fn ingress_any_port_on_one_protocol() {
    let mut c = Case::new(
        "should enforce ingress policy allowing any port traffic to a server on a specific protocol",
        &[TCP, UDP], &[80], &["x/a", "y/a"],
    );
    let ing = rule(
        vec![],
        vec![NetworkPolicyPort {
            protocol: Some(TCP),
            port: None,
            end_port: None,
        }],
    );
    c.policy(
        X,
        gen("allow-ingress-by-proto", pod_a(), Some(vec![ing]), None),
    );
    let tcp = c.reachability();
    c.validate(80, TCP, &tcp);
    let mut udp = c.reachability();
    udp.expect_peer(any(), pod(X, "a"), false);
    c.validate(80, UDP, &udp);
}

#[test]
fn multiple_ingress_policies_allow_all_takes_precedence() {
    let mut c = Case::new(
        "should enforce multiple ingress policies with ingress allow-all policy taking precedence",
        &[TCP],
        &[81],
        &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-ingress-port-80",
            all(),
            Some(vec![rule(vec![], vec![port(80, None)])]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(any(), ns(X), false);
    c.validate(81, TCP, &r);
    c.policy(
        X,
        gen(
            "allow-ingress",
            all(),
            Some(vec![rule(vec![], vec![])]),
            None,
        ),
    );
    let all_ok = c.reachability();
    c.validate(81, TCP, &all_ok);
}

#[test]
fn multiple_egress_policies_allow_all_takes_precedence() {
    let mut c = Case::new(
        "should enforce multiple egress policies with egress allow-all policy taking precedence",
        &[TCP],
        &[81],
        &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-egress-port-80",
            all(),
            None,
            Some(vec![rule(vec![], vec![port(80, None)])]),
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), any(), false);
    c.validate(81, TCP, &r);
    c.policy(
        X,
        gen(
            "allow-egress",
            all(),
            None,
            Some(vec![rule(vec![], vec![])]),
        ),
    );
    let all_ok = c.reachability();
    c.validate(81, TCP, &all_ok);
}

#[test]
fn stop_enforcing_after_delete() {
    let mut c = Case::new(
        "should stop enforcing policies after they are deleted",
        &[TCP],
        &[80],
        &["x/a", "y/a"],
    );
    c.policy(X, gen("deny-all", all(), Some(vec![]), Some(vec![])));
    let mut r = c.reachability();
    r.expect_peer(ns(X), any(), false);
    r.expect_peer(any(), ns(X), false);
    c.validate(80, TCP, &r);
    c.cluster.network_policies.clear();
    let all_ok = c.reachability();
    c.validate(80, TCP, &all_ok);
}

#[test]
fn egress_to_server_in_cidr_block() {
    let mut c = Case::new(
        "should allow egress access to server in CIDR block",
        &[TCP],
        &[80],
        &["x/a", "y/a", "y/b"],
    );
    let cidr = format!("{}/32", c.pod_ip("y/b"));
    let eg = rule(vec![ip_peer(&cidr, &[])], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-cidr-egress-rule",
            pod_a(),
            None,
            Some(vec![eg]),
        ),
    );
    let mut r = c.reachability();
    r.expect_all_egress("x/a", false);
    r.expect("x/a", "y/b", true);
    c.validate(80, TCP, &r);
}

/// `makeLargeCIDRForIP`: the /4 holding the address.
fn large_cidr(ip: &str) -> String {
    let net: ipnet::Ipv4Net = format!("{ip}/4").parse().unwrap();
    net.trunc().to_string()
}

#[test]
fn except_clause_in_cidr_block() {
    let mut c = Case::new(
        "should enforce except clause while egress access to server in CIDR block",
        &[TCP],
        &[80],
        &["x/a", "x/b", "x/c"],
    );
    let b = c.pod_ip("x/b");
    let eg = rule(
        vec![ip_peer(&large_cidr(&b), &[&format!("{b}/32")])],
        vec![],
    );
    c.policy(
        X,
        gen(
            "allow-client-a-via-cidr-egress-rule",
            pod_a(),
            None,
            Some(vec![eg]),
        ),
    );
    let mut r = c.reachability();
    r.expect("x/a", "x/b", false);
    c.validate(80, TCP, &r);
}

#[test]
fn address_in_both_cidr_and_except_allowed_by_another_block() {
    let mut c = Case::new(
        "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
        &[TCP],
        &[80],
        &["x/a", "x/b", "x/c"],
    );
    let b = c.pod_ip("x/b");
    let eg = rule(
        vec![ip_peer(&large_cidr(&b), &[&format!("{b}/32")])],
        vec![],
    );
    c.policy(
        X,
        gen(
            "allow-client-a-via-cidr-egress-rule",
            pod_a(),
            None,
            Some(vec![eg]),
        ),
    );
    let mut r = c.reachability();
    r.expect("x/a", "x/b", false);
    c.validate(80, TCP, &r);
    // Upstream updates the policy of the same name to allow x/b's address alone.
    let eg = rule(vec![ip_peer(&format!("{b}/32"), &[])], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-cidr-egress-rule",
            pod_a(),
            None,
            Some(vec![eg]),
        ),
    );
    let mut allow = c.reachability();
    allow.expect_all_egress("x/a", false);
    allow.expect("x/a", "x/b", true);
    c.validate(80, TCP, &allow);
}

#[test]
fn ingress_and_egress_controlled_independently() {
    let mut c = Case::new(
        "should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector",
        &[TCP], &[80], &["x/a", "x/b", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-egress-for-target",
            pod_a(),
            None,
            Some(vec![rule(vec![], vec![])]),
        ),
    );
    let r = c.reachability();
    c.validate(80, TCP, &r);
    c.policy(
        X,
        gen(
            "deny-ingress-via-label-selector",
            pod_a(),
            Some(vec![]),
            None,
        ),
    );
    let mut deny = c.reachability();
    deny.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &deny);
}

#[test]
fn sctp_is_not_tcp() {
    let mut c = Case::new(
        "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
        &[TCP], &[81], &["x/a", "y/a"],
    );
    c.policy(X, gen("deny-ingress", all(), Some(vec![]), None));
    c.policy(
        X,
        gen(
            "allow-only-sctp-ingress-on-port-81",
            pod_a(),
            Some(vec![rule(vec![], vec![port(81, Some(SCTP))])]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(any(), ns(X), false);
    c.validate(81, TCP, &r);
}

#[test]
fn sctp_policy_still_isolates() {
    let mut c = Case::new(
        "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
        &[TCP], &[81], &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-only-sctp-ingress-on-port-80",
            pod_a(),
            Some(vec![rule(vec![], vec![port(80, Some(SCTP))])]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    c.validate(81, TCP, &r);
}

#[test]
fn udp_only_policy_denies_tcp() {
    let mut c = Case::new(
        "should not allow access by TCP when a policy specifies only UDP",
        &[TCP],
        &[81],
        &["x/a", "y/a"],
    );
    c.policy(
        X,
        gen(
            "allow-only-udp-ingress-on-port-81",
            pod_a(),
            Some(vec![rule(vec![], vec![port(81, Some(UDP))])]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    c.validate(81, TCP, &r);
}

#[test]
fn namespace_selector_default_name_label() {
    let mut c = Case::new(
        "should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label",
        &[TCP], &[80], &["x/a", "x/b", "y/a", "z/a"],
    );
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![]);
    c.policy(
        X,
        gen(
            "allow-client-a-via-ns-selector-for-immutable-ns-label",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(80, TCP, &r);
}

#[test]
fn namespace_selector_expressions_default_name_label_egress() {
    let mut c = Case::new(
        "should enforce policy based on NamespaceSelector with MatchExpressions using default ns label",
        &[TCP], &[80], &["x/a", "x/b", "y/a", "z/a"],
    );
    let eg = rule(
        vec![ns_peer(expression(NS_NAME, SelectorOperator::NotIn, &[Y]))],
        vec![],
    );
    c.policy(
        X,
        gen(
            "allow-ns-y-match-selector-for-immutable-ns-label",
            pod_a(),
            None,
            Some(vec![eg]),
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(pod(X, "a"), ns(Y), false);
    c.validate(80, TCP, &r);
}

// ---- NetworkPolicy between server and client using UDP / SCTP ----

fn default_deny_ingress_on(name: &'static str, p: KubeProtocol) {
    let mut c = Case::new(name, &[p], &[80], &["x/a", "x/b", "y/a", "y/b"]);
    c.policy(X, gen("deny-all", all(), Some(vec![]), None));
    let mut r = c.reachability();
    r.expect_peer(any(), ns(X), false);
    c.validate(80, p, &r);
}

fn ports_on(name: &'static str, p: KubeProtocol) {
    let mut c = Case::new(name, &[p], &[81], &["x/a", "x/b", "y/a", "z/a"]);
    let ing = rule(vec![ns_peer(ns_is(Y))], vec![port(81, Some(p))]);
    c.policy(
        X,
        gen(
            "allow-ingress-on-port-81-ns-x",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_peer(ns(X), pod(X, "a"), false);
    r.expect_peer(ns(Z), pod(X, "a"), false);
    c.validate(81, p, &r);
}

fn pod_in_other_namespace_on(name: &'static str, p: KubeProtocol) {
    let mut c = Case::new(name, &[p], &[80], &["x/a", "x/b", "y/a"]);
    let ing = rule(vec![both_peer(ns_is(Y), pod_a())], vec![]);
    c.policy(
        X,
        gen(
            "allow-ns-y-pod-a-via-namespace-pod-selector",
            pod_a(),
            Some(vec![ing]),
            None,
        ),
    );
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect("y/a", "x/a", true);
    c.validate(80, p, &r);
}

#[test]
fn udp_default_deny_ingress() {
    default_deny_ingress_on(
        "using UDP: should support a 'default-deny-ingress' policy",
        UDP,
    );
}

#[test]
fn udp_based_on_ports() {
    ports_on("using UDP: should enforce policy based on Ports", UDP);
}

#[test]
fn udp_only_from_a_pod_in_other_namespace() {
    pod_in_other_namespace_on(
        "using UDP: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector",
        UDP,
    );
}

#[test]
fn sctp_default_deny_ingress() {
    default_deny_ingress_on(
        "using SCTP: should support a 'default-deny-ingress' policy",
        SCTP,
    );
}

#[test]
fn sctp_based_on_ports() {
    ports_on("using SCTP: should enforce policy based on Ports", SCTP);
}

#[test]
fn sctp_only_from_a_pod_in_other_namespace() {
    pod_in_other_namespace_on(
        "using SCTP: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector",
        SCTP,
    );
}

// ---- Beyond the stored upstream suite, in its model ----
// The stored version of network_policy.go has no endPort case and always sets
// policyTypes; these two follow KEP-2079 (endPort) and the API reference
// (policyTypes inference), with expectations written from those documents.

#[test]
fn end_port_range_kep_2079() {
    let mut c = Case::new(
        "endPort: ingress to x/a on TCP 80-81 from namespace y",
        &[TCP],
        &[80, 81, 82],
        &["x/a", "x/b", "y/a"],
    );
    let ing = rule(
        vec![ns_peer(ns_is(Y))],
        vec![NetworkPolicyPort {
            protocol: Some(TCP),
            port: Some(PortRef::Number(80)),
            end_port: Some(81),
        }],
    );
    c.policy(X, gen("allow-range", pod_a(), Some(vec![ing]), None));
    let mut in_range = c.reachability();
    in_range.expect_all_ingress("x/a", false);
    in_range.expect("y/a", "x/a", true);
    c.validate(80, TCP, &in_range);
    c.validate(81, TCP, &in_range);
    let mut outside = c.reachability();
    outside.expect_all_ingress("x/a", false);
    c.validate(82, TCP, &outside);
}

#[test]
fn policy_types_omitted_inferred() {
    let mut c = Case::new(
        "policyTypes omitted: Ingress, plus Egress when egress rules exist",
        &[TCP],
        &[80],
        &["x/a", "x/b", "y/a"],
    );
    // No rules, no policyTypes: an ingress default-deny for x/a only.
    let mut p = gen("no-types", pod_a(), None, None);
    p.policy_types = None;
    c.policy(X, p);
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    c.validate(80, TCP, &r);
    // With an egress rule (to namespace y only), egress is isolated too.
    let mut p = gen("no-types", pod_a(), None, None);
    p.policy_types = None;
    p.egress = vec![rule(vec![ns_peer(ns_is(Y))], vec![])];
    c.policy(X, p);
    let mut r = c.reachability();
    r.expect_all_ingress("x/a", false);
    r.expect_all_egress("x/a", false);
    r.expect("x/a", "y/a", true);
    c.validate(80, TCP, &r);
}
