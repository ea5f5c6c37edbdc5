//! The resource diff: resources keyed by id in each (account, region), their
//! attributes compared one by one and their rules, entries and routes compared as
//! sets. Resources equal in both inventories cost one comparison each.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::members::{self, Member};
use crate::answer::diff::{Change, ChangeKind, Op};
use crate::inventory::{Inventory, KubeCluster, RegionInventory, Route53Resolver};

/// A change before it gets its id, with what attribution matches it on.
#[derive(Debug, Clone)]
pub struct Found {
    pub change: Change,
    /// The resource's own ids (id, ARN, name): a finding naming one is this change's.
    pub keys: Vec<String>,
    /// Other resources the changed rule or route names (a route's target): tried when
    /// no change's own resource is named by the finding.
    pub refs: Vec<String>,
}

/// Where the resources are.
#[derive(Clone, Copy)]
struct Place<'a> {
    account: &'a str,
    region: &'a str,
}

/// How to diff one kind of resource.
struct Spec<T> {
    kind: ChangeKind,
    key: fn(&T) -> String,
    /// The fields `members` shows as rules, left out of the attributes.
    member_fields: &'static [&'static str],
    members: fn(&T) -> Vec<Member>,
}

/// Attributes that say nothing about the network and change on their own.
const NOISE: &[&str] = &["owner_id", "tool_version"];

/// Every change from `old` to `new`, in no particular order.
pub fn diff(old: &Inventory, new: &Inventory) -> Vec<Found> {
    let mut out = Vec::new();
    let empty = RegionInventory::default();
    let regions = |inv: &'_ Inventory| -> BTreeMap<(String, String), usize> {
        let mut m = BTreeMap::new();
        for (i, (a, r)) in inv.regions().enumerate() {
            m.insert((a.to_string(), r.region.clone()), i);
        }
        m
    };
    let (olds, news) = (regions(old), regions(new));
    let old_list: Vec<&RegionInventory> = old.regions().map(|(_, r)| r).collect();
    let new_list: Vec<&RegionInventory> = new.regions().map(|(_, r)| r).collect();
    let keys: BTreeSet<&(String, String)> = olds.keys().chain(news.keys()).collect();
    for key in keys {
        let at = Place {
            account: &key.0,
            region: &key.1,
        };
        let o = olds.get(key).map_or(&empty, |&i| old_list[i]);
        let n = news.get(key).map_or(&empty, |&i| new_list[i]);
        if o != n {
            diff_region(at, o, n, &mut out);
        }
    }
    diff_kubernetes(&old.kubernetes, &new.kubernetes, &mut out);
    out
}

fn none<T>(_: &T) -> Vec<Member> {
    Vec::new()
}

fn diff_region(at: Place, o: &RegionInventory, n: &RegionInventory, out: &mut Vec<Found>) {
    use ChangeKind as K;
    macro_rules! by_id {
        ($field:ident, $kind:expr) => {
            by_id!($field, $kind, &[], none)
        };
        ($field:ident, $kind:expr, $fields:expr, $members:expr) => {
            diff_list(
                &o.$field,
                &n.$field,
                &Spec {
                    kind: $kind,
                    key: |x| x.id.clone(),
                    member_fields: $fields,
                    members: $members,
                },
                at,
                out,
            )
        };
    }
    macro_rules! by_arn {
        ($field:ident, $kind:expr, $fields:expr, $members:expr) => {
            diff_list(
                &o.$field,
                &n.$field,
                &Spec {
                    kind: $kind,
                    key: |x| x.arn.clone(),
                    member_fields: $fields,
                    members: $members,
                },
                at,
                out,
            )
        };
    }
    by_id!(vpcs, K::Vpc);
    by_id!(subnets, K::Subnet);
    by_id!(
        route_tables,
        K::RouteTable,
        &["routes", "associations", "propagating_vgws"],
        members::route_table
    );
    by_id!(internet_gateways, K::InternetGateway);
    by_id!(egress_only_internet_gateways, K::EgressOnlyInternetGateway);
    by_id!(nat_gateways, K::NatGateway);
    by_id!(network_interfaces, K::NetworkInterface);
    by_id!(instances, K::Instance);
    by_id!(
        security_groups,
        K::SecurityGroup,
        &["rules"],
        members::security_group
    );
    by_id!(
        managed_prefix_lists,
        K::ManagedPrefixList,
        &["entries"],
        members::prefix_list
    );
    by_id!(
        network_acls,
        K::NetworkAcl,
        &["entries", "associations"],
        members::network_acl
    );
    by_id!(vpc_endpoints, K::VpcEndpoint);
    by_id!(vpc_peering_connections, K::VpcPeeringConnection);
    by_id!(transit_gateways, K::TransitGateway);
    by_id!(transit_gateway_attachments, K::TransitGatewayAttachment);
    by_id!(
        transit_gateway_route_tables,
        K::TransitGatewayRouteTable,
        &["routes"],
        members::transit_gateway_route_table
    );
    by_id!(flow_logs, K::FlowLog);
    by_arn!(firewalls, K::Firewall, &[], none);
    by_arn!(
        firewall_policies,
        K::FirewallPolicy,
        &["stateless_rule_groups", "stateful_rule_groups"],
        members::firewall_policy
    );
    by_arn!(
        firewall_rule_groups,
        K::FirewallRuleGroup,
        &["source"],
        members::rule_group
    );
    by_arn!(eks_clusters, K::EksCluster, &[], none);
    by_arn!(
        load_balancers,
        K::LoadBalancer,
        &["listeners"],
        members::load_balancer
    );
    by_arn!(
        target_groups,
        K::TargetGroup,
        &["targets"],
        members::target_group
    );
    let empty = Route53Resolver::default();
    let (ro, rn) = (
        o.route53_resolver.as_ref().unwrap_or(&empty),
        n.route53_resolver.as_ref().unwrap_or(&empty),
    );
    if ro != rn {
        diff_resolver(at, ro, rn, out);
    }
}

fn diff_resolver(at: Place, o: &Route53Resolver, n: &Route53Resolver, out: &mut Vec<Found>) {
    use ChangeKind as K;
    macro_rules! list {
        ($field:ident, $kind:expr, $key:expr, $fields:expr, $members:expr) => {
            diff_list(
                &o.$field,
                &n.$field,
                &Spec {
                    kind: $kind,
                    key: $key,
                    member_fields: $fields,
                    members: $members,
                },
                at,
                out,
            )
        };
    }
    list!(
        firewall_rule_groups,
        K::DnsFirewallRuleGroup,
        |x| x.id.clone(),
        &["rules"],
        members::dns_rule_group
    );
    list!(
        firewall_rule_group_associations,
        K::DnsFirewallRuleGroupAssociation,
        |x| x.id.clone(),
        &[],
        none
    );
    list!(
        firewall_domain_lists,
        K::DnsFirewallDomainList,
        |x| x.id.clone(),
        &["domains"],
        members::dns_domain_list
    );
    // One configuration per VPC: the VPC is what identifies it.
    list!(
        firewall_configs,
        K::DnsFirewallConfig,
        |x| x.resource_id.clone(),
        &[],
        none
    );
    list!(
        query_log_configs,
        K::ResolverQueryLogConfig,
        |x| x.id.clone(),
        &[],
        none
    );
    list!(
        query_log_config_associations,
        K::ResolverQueryLogConfigAssociation,
        |x| x.id.clone(),
        &[],
        none
    );
    list!(
        resolver_endpoints,
        K::ResolverEndpoint,
        |x| x.id.clone(),
        &[],
        none
    );
    list!(resolver_rules, K::ResolverRule, |x| x.id.clone(), &[], none);
    list!(
        resolver_rule_associations,
        K::ResolverRuleAssociation,
        |x| x.id.clone(),
        &[],
        none
    );
}

/// Kubernetes policies and namespaces (their labels select peers), cluster by
/// cluster. Pods and services come and go with every deployment; their effect shows
/// in the findings.
fn diff_kubernetes(old: &[KubeCluster], new: &[KubeCluster], out: &mut Vec<Found>) {
    use ChangeKind as K;
    let by_name = |list: &'_ [KubeCluster]| -> BTreeMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect()
    };
    let (olds, news) = (by_name(old), by_name(new));
    let names: BTreeSet<&String> = olds.keys().chain(news.keys()).collect();
    for name in names {
        let o = olds.get(name).map(|&i| &old[i]);
        let n = news.get(name).map(|&i| &new[i]);
        let any = n.or(o);
        let account = any.and_then(|c| c.account_id.as_deref()).unwrap_or("");
        let region = any.and_then(|c| c.region.as_deref()).unwrap_or("");
        let at = Place { account, region };
        let start = out.len();
        macro_rules! list {
            ($field:ident, $kind:expr, $key:expr) => {
                diff_list(
                    o.map_or(&[][..], |c| &c.$field[..]),
                    n.map_or(&[][..], |c| &c.$field[..]),
                    &Spec {
                        kind: $kind,
                        key: $key,
                        member_fields: &[],
                        members: none,
                    },
                    at,
                    out,
                )
            };
        }
        list!(namespaces, K::KubernetesNamespace, |x| x.name.clone());
        list!(network_policies, K::KubernetesNetworkPolicy, |x| format!(
            "{}/{}",
            x.namespace, x.name
        ));
        list!(
            cluster_network_policies,
            K::KubernetesClusterNetworkPolicy,
            |x| x.name.clone()
        );
        list!(
            security_group_policies,
            K::KubernetesSecurityGroupPolicy,
            |x| format!("{}/{}", x.namespace, x.name)
        );
        // The objects' names repeat from cluster to cluster: the cluster names them.
        for f in &mut out[start..] {
            f.change.name = Some(name.clone());
        }
    }
}

/// Diffs one list of resources of one kind in one place.
fn diff_list<T: PartialEq + Serialize>(
    old: &[T],
    new: &[T],
    spec: &Spec<T>,
    at: Place,
    out: &mut Vec<Found>,
) {
    if old == new {
        return;
    }
    let index = |list: &'_ [T]| -> HashMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, x)| ((spec.key)(x), i))
            .collect()
    };
    let (olds, news) = (index(old), index(new));
    let keys: BTreeSet<&String> = olds.keys().chain(news.keys()).collect();
    for key in keys {
        let o = olds.get(key).map(|&i| &old[i]);
        let n = news.get(key).map(|&i| &new[i]);
        match (o, n) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => changed(spec, at, key, a, b, out),
            (None, Some(b)) => whole(spec, at, key, Op::Added, b, out),
            (Some(a), None) => whole(spec, at, key, Op::Removed, a, out),
            (None, None) => {}
        }
    }
}

/// What a resource is, read from its serde shape.
struct Shape {
    value: Value,
}

impl Shape {
    fn of<T: Serialize>(x: &T) -> Shape {
        Shape {
            value: serde_json::to_value(x).unwrap_or(Value::Null),
        }
    }

    fn str(&self, field: &str) -> Option<String> {
        self.value.get(field)?.as_str().map(str::to_string)
    }

    fn name(&self) -> Option<String> {
        self.value
            .get("tags")
            .and_then(|t| t.get("Name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.str("name"))
    }

    /// The ids a finding may name the resource by. Names only for resources AWS
    /// names by ARN (Network Firewall, load balancers, EKS), which findings name by
    /// name: an EC2 group or tag name is not unique (every VPC has a `default`).
    fn keys(&self, key: &str) -> Vec<String> {
        let mut keys = vec![key.to_string()];
        let fields: &[&str] = if key.starts_with("arn:") {
            &["id", "arn", "name"]
        } else {
            &["id", "arn"]
        };
        for &f in fields {
            if let Some(v) = self.str(f) {
                if !keys.contains(&v) {
                    keys.push(v);
                }
            }
        }
        keys
    }

    /// Every attribute but the members, as `field -> text`.
    fn attributes(&self, member_fields: &[&str]) -> BTreeMap<String, String> {
        let Some(map) = self.value.as_object() else {
            return BTreeMap::new();
        };
        map.iter()
            .filter(|(k, _)| !member_fields.contains(&k.as_str()) && !NOISE.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), text(v)))
            .collect()
    }

    /// A one-line description of a resource added or removed: its plain attributes.
    fn summary(&self, key: &str, member_fields: &[&str]) -> String {
        let Some(map) = self.value.as_object() else {
            return key.to_string();
        };
        let skip = ["id", "arn", "tags", "name"];
        let parts: Vec<String> = map
            .iter()
            .filter(|(k, _)| {
                !member_fields.contains(&k.as_str())
                    && !NOISE.contains(&k.as_str())
                    && !skip.contains(&k.as_str())
            })
            .filter(|(_, v)| match v {
                Value::Null => false,
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                _ => true,
            })
            .map(|(k, v)| format!("{k}: {}", text(v)))
            .collect();
        let mut s = parts.join("; ");
        const LIMIT: usize = 300;
        if s.len() > LIMIT {
            let cut = (0..=LIMIT)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s.truncate(cut);
            s.push_str(" ...");
        }
        s
    }
}

/// A JSON value as text: strings bare, the rest compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn base<T: Serialize>(
    spec: &Spec<T>,
    at: Place,
    key: &str,
    shape: &Shape,
) -> (Change, Vec<String>) {
    (
        Change {
            id: String::new(),
            kind: spec.kind,
            op: Op::Changed,
            resource: key.to_string(),
            name: shape.name().filter(|n| n != key),
            account: at.account.to_string(),
            region: at.region.to_string(),
            vpc: shape.str("vpc_id"),
            before: None,
            after: None,
        },
        shape.keys(key),
    )
}

/// A resource added or removed, then each of its rules with it.
fn whole<T: Serialize>(spec: &Spec<T>, at: Place, key: &str, op: Op, x: &T, out: &mut Vec<Found>) {
    let shape = Shape::of(x);
    let (mut change, keys) = base(spec, at, key, &shape);
    change.op = op;
    let text = Some(shape.summary(key, spec.member_fields));
    match op {
        Op::Removed => change.before = text,
        _ => change.after = text,
    }
    for m in dedup((spec.members)(x)) {
        let mut c = change.clone();
        c.kind = m.kind;
        let text = Some(m.text);
        (c.before, c.after) = match op {
            Op::Removed => (text, None),
            _ => (None, text),
        };
        out.push(Found {
            change: c,
            keys: keys.clone(),
            refs: m.refs,
        });
    }
    out.push(Found {
        change,
        keys,
        refs: Vec::new(),
    });
}

/// A resource in both, not equal: its attributes one by one, its rules as sets.
fn changed<T: Serialize>(spec: &Spec<T>, at: Place, key: &str, a: &T, b: &T, out: &mut Vec<Found>) {
    let (sa, sb) = (Shape::of(a), Shape::of(b));
    let (change, keys) = base(spec, at, key, &sb);
    let (aa, ab) = (
        sa.attributes(spec.member_fields),
        sb.attributes(spec.member_fields),
    );
    let fields: BTreeSet<&String> = aa.keys().chain(ab.keys()).collect();
    for f in fields {
        let (x, y) = (aa.get(f), ab.get(f));
        if x != y {
            let mut c = change.clone();
            c.before = x.map(|v| format!("{f}: {v}"));
            c.after = y.map(|v| format!("{f}: {v}"));
            out.push(Found {
                change: c,
                keys: keys.clone(),
                refs: Vec::new(),
            });
        }
    }
    let (ma, mb) = (dedup((spec.members)(a)), dedup((spec.members)(b)));
    let texts = |ms: &[Member]| -> BTreeSet<String> { ms.iter().map(|m| m.text.clone()).collect() };
    let (ta, tb) = (texts(&ma), texts(&mb));
    for (m, op) in ma
        .into_iter()
        .filter(|m| !tb.contains(&m.text))
        .map(|m| (m, Op::Removed))
        .chain(
            mb.into_iter()
                .filter(|m| !ta.contains(&m.text))
                .map(|m| (m, Op::Added)),
        )
    {
        let mut c = change.clone();
        c.kind = m.kind;
        c.op = op;
        let text = Some(m.text);
        (c.before, c.after) = match op {
            Op::Removed => (text, None),
            _ => (None, text),
        };
        out.push(Found {
            change: c,
            keys: keys.clone(),
            refs: m.refs,
        });
    }
}

/// Members with the same text once (a rule listed twice is one rule).
fn dedup(ms: Vec<Member>) -> Vec<Member> {
    let mut seen = BTreeSet::new();
    ms.into_iter()
        .filter(|m| seen.insert((m.kind, m.text.clone())))
        .collect()
}
