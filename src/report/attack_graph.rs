//! The union of every finding's attack path as one graph, for the DOT and HTML
//! renderers.
//!
//! - Nodes are deduplicated by ENI id. An ENI that plays different roles on different
//!   paths keeps the strongest one: **foothold, then jewel, then pivot**. A foothold is
//!   where an attack starts, so every one must stay visible as an entry point even when
//!   it is also a step on someone else's path; a crown jewel is what the paths are
//!   about, so it outranks a mere stepping stone. (A jewel that is also a pivot is still
//!   drawn as a jewel, with the edges that leave it.)
//! - Edges are deduplicated by `(from, to)` ENI ids, with the union of their services.
//! - Groups are the VPCs (account, region, VPC id) the nodes live in.
//!
//! Everything is sorted (nodes by ENI id, edges by `(from, to)`, groups by
//! `(account, region, vpc)`, services as strings), and attributes that could differ
//! between occurrences of one ENI are chosen by a fixed rule, so the graph and
//! everything drawn from it does not depend on the order of the findings.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{AttackPath, Finding, NodeRole, PathNode};

/// One ENI of the union graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    pub eni: String,
    pub name: Option<String>,
    /// The strongest role over every path (see the module documentation).
    pub role: NodeRole,
    pub account: String,
    pub region: String,
    pub vpc: String,
    pub subnet: String,
    pub address: String,
    pub why: Option<String>,
    /// The smallest index of this ENI on any path: 0 for a foothold, 1 for one hop
    /// away from one, and so on.
    pub hop: usize,
    /// How many paths go through this ENI.
    pub paths: usize,
}

/// One deduplicated edge: `from` opens `services` to `to` on at least one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// The union over the paths, sorted and deduplicated.
    pub services: Vec<String>,
    /// How many paths take this edge.
    pub paths: usize,
}

/// A VPC with the graph's nodes in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcGroup {
    pub account: String,
    pub region: String,
    pub vpc: String,
    /// Indices into [`AttackGraph::nodes`], ascending (so sorted by ENI id).
    pub nodes: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttackGraph {
    /// Sorted by ENI id.
    pub nodes: Vec<GraphNode>,
    /// Sorted by `(from, to)`.
    pub edges: Vec<GraphEdge>,
    /// Sorted by `(account, region, vpc)`.
    pub groups: Vec<VpcGroup>,
    /// How many paths went into the graph.
    pub path_count: usize,
}

/// Foothold beats jewel beats pivot: smaller is stronger.
pub fn role_rank(role: NodeRole) -> u8 {
    match role {
        NodeRole::Foothold => 0,
        NodeRole::Jewel => 1,
        NodeRole::Pivot => 2,
    }
}

pub fn role_str(role: NodeRole) -> &'static str {
    match role {
        NodeRole::Foothold => "foothold",
        NodeRole::Pivot => "pivot",
        NodeRole::Jewel => "jewel",
    }
}

impl AttackGraph {
    /// The union of the paths of every finding that has one.
    pub fn from_findings(findings: &[Finding]) -> AttackGraph {
        AttackGraph::from_paths(findings.iter().filter_map(|f| f.path.as_ref()))
    }

    pub fn from_paths<'a>(paths: impl IntoIterator<Item = &'a AttackPath>) -> AttackGraph {
        let mut nodes: BTreeMap<&str, GraphNode> = BTreeMap::new();
        let mut edges: BTreeMap<(&str, &str), (BTreeSet<&str>, usize)> = BTreeMap::new();
        let mut path_count = 0;
        for path in paths {
            path_count += 1;
            let mut seen_here: BTreeSet<&str> = BTreeSet::new();
            for (index, node) in path.nodes.iter().enumerate() {
                let first_on_path = seen_here.insert(node.eni.as_str());
                match nodes.get_mut(node.eni.as_str()) {
                    Some(existing) => {
                        merge(existing, node, index);
                        if first_on_path {
                            existing.paths += 1;
                        }
                    }
                    None => {
                        nodes.insert(node.eni.as_str(), new_node(node, index));
                    }
                }
            }
            let mut edges_here: BTreeSet<(&str, &str)> = BTreeSet::new();
            for hop in &path.hops {
                // Indices come from the analysis; one out of range is skipped, never
                // a panic.
                let (Some(from), Some(to)) = (path.nodes.get(hop.from), path.nodes.get(hop.to))
                else {
                    continue;
                };
                let key = (from.eni.as_str(), to.eni.as_str());
                let entry = edges.entry(key).or_default();
                entry.0.extend(hop.services.iter().map(String::as_str));
                if edges_here.insert(key) {
                    entry.1 += 1;
                }
            }
        }

        let nodes: Vec<GraphNode> = nodes.into_values().collect();
        let edges = edges
            .into_iter()
            .map(|((from, to), (services, paths))| GraphEdge {
                from: from.to_string(),
                to: to.to_string(),
                services: services.into_iter().map(str::to_string).collect(),
                paths,
            })
            .collect();
        let mut groups: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            groups
                .entry((n.account.as_str(), n.region.as_str(), n.vpc.as_str()))
                .or_default()
                .push(i);
        }
        let groups = groups
            .into_iter()
            .map(|((account, region, vpc), nodes)| VpcGroup {
                account: account.to_string(),
                region: region.to_string(),
                vpc: vpc.to_string(),
                nodes,
            })
            .collect();
        AttackGraph {
            nodes,
            edges,
            groups,
            path_count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The index of an ENI in [`AttackGraph::nodes`].
    pub fn index_of(&self, eni: &str) -> Option<usize> {
        self.nodes
            .binary_search_by(|n| n.eni.as_str().cmp(eni))
            .ok()
    }
}

fn new_node(node: &PathNode, index: usize) -> GraphNode {
    GraphNode {
        eni: node.eni.clone(),
        name: node.name.clone(),
        role: node.role,
        account: node.account.clone(),
        region: node.region.clone(),
        vpc: node.vpc.clone(),
        subnet: node.subnet.clone(),
        address: node.address.clone(),
        why: node.why.clone(),
        hop: index,
        paths: 1,
    }
}

/// The sort key of one occurrence of an ENI: the strongest role wins, then the
/// smallest of everything else, so the result is independent of the order of paths.
type OccurrenceKey<'a> = (
    u8,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);

fn occurrence_key_node(n: &GraphNode) -> OccurrenceKey<'_> {
    (
        role_rank(n.role),
        &n.account,
        &n.region,
        &n.vpc,
        &n.subnet,
        &n.address,
        n.name.as_deref(),
        n.why.as_deref(),
    )
}

fn occurrence_key_path(n: &PathNode) -> OccurrenceKey<'_> {
    (
        role_rank(n.role),
        &n.account,
        &n.region,
        &n.vpc,
        &n.subnet,
        &n.address,
        n.name.as_deref(),
        n.why.as_deref(),
    )
}

fn merge(existing: &mut GraphNode, node: &PathNode, index: usize) {
    let replace = occurrence_key_path(node) < occurrence_key_node(existing);
    let hop = existing.hop.min(index);
    let paths = existing.paths;
    // A name seen on any occurrence is kept (the smallest, if several).
    let name = min_some(existing.name.take(), node.name.clone());
    let why = match role_rank(node.role).cmp(&role_rank(existing.role)) {
        // A stronger role brings its own reason; a weaker one's is not about this role.
        std::cmp::Ordering::Less => node.why.clone(),
        std::cmp::Ordering::Equal => min_some(existing.why.take(), node.why.clone()),
        std::cmp::Ordering::Greater => existing.why.take(),
    };
    if replace {
        *existing = new_node(node, hop);
    }
    existing.hop = hop;
    existing.paths = paths;
    existing.name = name;
    existing.why = why;
}

fn min_some(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{AttackPath, BlastRadius, Finding, PathHop, PathNode, Status};

    pub fn node(eni: &str, role: NodeRole, vpc: &str, name: Option<&str>) -> PathNode {
        PathNode {
            eni: eni.to_string(),
            name: name.map(str::to_string),
            role,
            account: "111122223333".to_string(),
            region: "us-east-1".to_string(),
            vpc: vpc.to_string(),
            subnet: format!("subnet-{vpc}"),
            address: format!("10.0.0.{}", eni.len()),
            why: match role {
                NodeRole::Foothold => Some("internet: tcp/22".to_string()),
                NodeRole::Jewel => Some("RDS/Aurora".to_string()),
                NodeRole::Pivot => None,
            },
        }
    }

    pub fn path(nodes: Vec<PathNode>, services: &[&[&str]]) -> AttackPath {
        let hops = (0..nodes.len().saturating_sub(1))
            .map(|i| PathHop {
                from: i,
                to: i + 1,
                services: services
                    .get(i)
                    .map(|s| s.iter().map(|x| x.to_string()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        AttackPath { nodes, hops }
    }

    pub fn finding(check: &str, resource: &str, path: Option<AttackPath>) -> Finding {
        Finding {
            status: Status::Fail,
            title: "A crown jewel is reachable from a foothold".to_string(),
            message: format!("{resource} reaches a crown jewel"),
            account: "111122223333".to_string(),
            region: "us-east-1".to_string(),
            remediation: "Close the ports.".to_string(),
            fingerprint: crate::finding::fingerprint(&[check, resource]),
            path,
            ..Finding::sample(check, "AWS::EC2::NetworkInterface", resource)
        }
    }

    pub fn blast(resource: &str, within: Vec<usize>) -> Finding {
        let mut f = finding("lateral-blast-radius", resource, None);
        f.blast_radius = Some(BlastRadius {
            max_hops: within.len(),
            within,
        });
        f
    }

    /// Two paths sharing a pivot and a jewel, across two VPCs:
    /// web-a -> app -> db (ssh, then postgres); web-b -> app -> db (ssh, then mysql).
    pub fn sample() -> Vec<Finding> {
        use NodeRole::*;
        let p1 = path(
            vec![
                node("eni-web-a", Foothold, "vpc-front", Some("web a")),
                node("eni-app", Pivot, "vpc-front", Some("app")),
                node("eni-db", Jewel, "vpc-data", Some("orders db")),
            ],
            &[&["tcp/22"], &["tcp/5432"]],
        );
        let p2 = path(
            vec![
                node("eni-web-b", Foothold, "vpc-front", None),
                node("eni-app", Pivot, "vpc-front", Some("app")),
                node("eni-db", Jewel, "vpc-data", Some("orders db")),
            ],
            &[&["tcp/22", "tcp/80"], &["tcp/3306"]],
        );
        vec![
            finding("lateral-movement-path", "eni-web-a", Some(p1)),
            finding("lateral-movement-path", "eni-web-b", Some(p2)),
            blast("eni-web-a", vec![0, 1, 1]),
            finding("egress-world-open", "sg-1", None),
        ]
    }

    #[test]
    fn union_deduplicates_nodes_and_edges() {
        let g = AttackGraph::from_findings(&sample());
        assert_eq!(g.path_count, 2);
        let enis: Vec<&str> = g.nodes.iter().map(|n| n.eni.as_str()).collect();
        assert_eq!(enis, ["eni-app", "eni-db", "eni-web-a", "eni-web-b"]);
        let app = &g.nodes[0];
        assert_eq!((app.role, app.hop, app.paths), (NodeRole::Pivot, 1, 2));
        let edges: Vec<(&str, &str, Vec<&str>, usize)> = g
            .edges
            .iter()
            .map(|e| {
                (
                    e.from.as_str(),
                    e.to.as_str(),
                    e.services.iter().map(String::as_str).collect(),
                    e.paths,
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                ("eni-app", "eni-db", vec!["tcp/3306", "tcp/5432"], 2),
                ("eni-web-a", "eni-app", vec!["tcp/22"], 1),
                ("eni-web-b", "eni-app", vec!["tcp/22", "tcp/80"], 1),
            ]
        );
        let groups: Vec<(&str, Vec<usize>)> = g
            .groups
            .iter()
            .map(|gr| (gr.vpc.as_str(), gr.nodes.clone()))
            .collect();
        assert_eq!(
            groups,
            [("vpc-data", vec![1]), ("vpc-front", vec![0, 2, 3])]
        );
        assert_eq!(g.index_of("eni-db"), Some(1));
        assert_eq!(g.index_of("eni-nope"), None);
    }

    #[test]
    fn strongest_role_wins_foothold_then_jewel_then_pivot() {
        use NodeRole::*;
        // eni-x: pivot on one path, foothold on another; eni-y: pivot and jewel.
        let a = path(
            vec![
                node("eni-f", Foothold, "vpc-1", None),
                node("eni-x", Pivot, "vpc-1", Some("x as pivot")),
                node("eni-y", Pivot, "vpc-1", None),
                node("eni-j", Jewel, "vpc-1", None),
            ],
            &[&["tcp/22"], &["tcp/22"], &["tcp/22"]],
        );
        let b = path(
            vec![
                node("eni-x", Foothold, "vpc-1", None),
                node("eni-y", Jewel, "vpc-1", Some("y")),
            ],
            &[&["tcp/443"]],
        );
        for order in [vec![a.clone(), b.clone()], vec![b, a]] {
            let g = AttackGraph::from_paths(order.iter());
            let x = &g.nodes[g.index_of("eni-x").unwrap()];
            assert_eq!((x.role, x.hop, x.paths), (Foothold, 0, 2));
            assert_eq!(x.why.as_deref(), Some("internet: tcp/22"));
            // The name seen on the pivot occurrence is not lost.
            assert_eq!(x.name.as_deref(), Some("x as pivot"));
            let y = &g.nodes[g.index_of("eni-y").unwrap()];
            assert_eq!((y.role, y.hop), (Jewel, 1));
            assert_eq!(y.why.as_deref(), Some("RDS/Aurora"));
        }
        assert!(role_rank(Foothold) < role_rank(Jewel));
        assert!(role_rank(Jewel) < role_rank(Pivot));
    }

    #[test]
    fn order_of_findings_does_not_matter() {
        let mut f = sample();
        let g1 = AttackGraph::from_findings(&f);
        f.reverse();
        let g2 = AttackGraph::from_findings(&f);
        assert_eq!(g1, g2);
    }

    #[test]
    fn bad_hop_indices_are_skipped_and_no_paths_is_empty() {
        let mut p = path(
            vec![
                node("eni-a", NodeRole::Foothold, "vpc-1", None),
                node("eni-b", NodeRole::Jewel, "vpc-1", None),
            ],
            &[&["tcp/22"]],
        );
        p.hops.push(crate::finding::PathHop {
            from: 1,
            to: 7,
            services: vec!["tcp/1".to_string()],
        });
        let g = AttackGraph::from_paths([&p]);
        assert_eq!(g.edges.len(), 1);
        assert!(AttackGraph::from_findings(&[]).is_empty());
    }
}
