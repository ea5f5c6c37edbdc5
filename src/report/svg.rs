//! The attack-path graph as inline SVG, laid out without any library: one column per
//! hop distance (footholds on the left, pivots by their smallest hop index over all
//! paths, crown jewels on the right) and one horizontal band per VPC, nodes sorted by
//! ENI id within a band. Every text goes through the HTML page's escaping.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::attack_graph::{role_str, AttackGraph, GraphEdge, GraphNode};
use super::html::{esc, esc_block, fit, shorten};
use crate::finding::NodeRole;

const MARGIN: i64 = 16;
const LEGEND_H: i64 = 40;
const HEAD_H: i64 = 24;
const NODE_W: i64 = 232;
const NODE_H: i64 = 60;
const COL_GAP: i64 = 150;
const ROW_GAP: i64 = 16;
const BAND_PAD_X: i64 = 16;
const BAND_LABEL_H: i64 = 28;
const BAND_PAD_B: i64 = 14;
const BAND_GAP: i64 = 14;

/// Where everything goes: node boxes (top-left corners, by node index), VPC bands and
/// column headings.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Layout {
    width: i64,
    height: i64,
    /// `(x, y)` of each node's box, indexed like `AttackGraph::nodes`.
    nodes: Vec<(i64, i64)>,
    /// `(group index, y, height)`.
    bands: Vec<(usize, i64, i64)>,
    /// `(centre x, heading)`.
    columns: Vec<(i64, String)>,
}

/// The column of each node: footholds 0, pivots by their hop index (distinct hop
/// indices packed into consecutive columns), crown jewels last.
fn columns(graph: &AttackGraph) -> (Vec<usize>, Vec<String>) {
    let pivot_hops: BTreeSet<usize> = graph
        .nodes
        .iter()
        .filter(|n| n.role == NodeRole::Pivot)
        .map(|n| n.hop.max(1))
        .collect();
    let pivot_col: BTreeMap<usize, usize> = pivot_hops
        .iter()
        .enumerate()
        .map(|(i, hop)| (*hop, i + 1))
        .collect();
    let jewel_col = pivot_hops.len() + 1;
    let cols: Vec<usize> = graph
        .nodes
        .iter()
        .map(|n| match n.role {
            NodeRole::Foothold => 0,
            NodeRole::Pivot => pivot_col.get(&n.hop.max(1)).copied().unwrap_or(1),
            NodeRole::Jewel => jewel_col,
        })
        .collect();
    let mut headings = vec!["footholds".to_string()];
    headings.extend(pivot_hops.iter().map(|h| {
        if *h == 1 {
            "pivots: 1 hop".to_string()
        } else {
            format!("pivots: {h} hops")
        }
    }));
    headings.push("crown jewels".to_string());
    (cols, headings)
}

pub(super) fn layout(graph: &AttackGraph) -> Layout {
    let (cols, headings) = columns(graph);
    let ncols = headings.len() as i64;
    let col_x = |c: usize| MARGIN + BAND_PAD_X + c as i64 * (NODE_W + COL_GAP);
    let width = 2 * MARGIN + 2 * BAND_PAD_X + ncols * NODE_W + (ncols - 1) * COL_GAP;
    let mut nodes = vec![(0, 0); graph.nodes.len()];
    let mut bands = Vec::new();
    let mut y = MARGIN + LEGEND_H + HEAD_H;
    for (gi, group) in graph.groups.iter().enumerate() {
        // Group nodes are sorted by ENI id, so rows within a column are too.
        let mut row_in_col: BTreeMap<usize, i64> = BTreeMap::new();
        for &n in &group.nodes {
            let Some(&c) = cols.get(n) else { continue };
            let row = row_in_col.entry(c).or_insert(0);
            if let Some(slot) = nodes.get_mut(n) {
                *slot = (col_x(c), y + BAND_LABEL_H + *row * (NODE_H + ROW_GAP));
            }
            *row += 1;
        }
        let rows = row_in_col.values().copied().max().unwrap_or(1).max(1);
        let h = BAND_LABEL_H + rows * NODE_H + (rows - 1) * ROW_GAP + BAND_PAD_B;
        bands.push((gi, y, h));
        y += h + BAND_GAP;
    }
    let height = y - BAND_GAP + MARGIN;
    let columns = headings
        .into_iter()
        .enumerate()
        .map(|(c, h)| (col_x(c) + NODE_W / 2, h))
        .collect();
    Layout {
        width,
        height,
        nodes,
        bands,
        columns,
    }
}

pub(super) fn attack_paths(out: &mut String, graph: &AttackGraph) {
    out.push_str("<section id=\"attack-paths\">\n<h2>Attack paths</h2>\n");
    if graph.is_empty() {
        out.push_str(
            "<p class=\"empty\">No attack paths: no crown jewel is reachable from a foothold \
             (or the <code>lateral-movement-path</code> check did not run).</p>\n</section>\n",
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} path(s) over {} ENI(s) and {} edge(s) in {} VPC(s). \
         Hover a box or an arrow for details.</p>",
        graph.path_count,
        graph.nodes.len(),
        graph.edges.len(),
        graph.groups.len()
    );
    let lay = layout(graph);
    let _ = writeln!(
        out,
        "<div class=\"graph\"><svg id=\"attack-graph\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"attack-path graph\">",
        w = lay.width,
        h = lay.height
    );
    legend(out);
    for (x, heading) in &lay.columns {
        let _ = writeln!(
            out,
            "<text class=\"col\" x=\"{x}\" y=\"{}\">{}</text>",
            MARGIN + LEGEND_H + 12,
            esc(heading)
        );
    }
    for (gi, y, h) in &lay.bands {
        let Some(g) = graph.groups.get(*gi) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<g class=\"vpc\" data-vpc=\"{}\"><title>{}</title>\
             <rect class=\"band\" x=\"{MARGIN}\" y=\"{y}\" width=\"{}\" height=\"{h}\" rx=\"8\"/>\
             <text class=\"band\" x=\"{}\" y=\"{}\">{}</text></g>",
            esc(&g.vpc),
            esc(&format!("{} in {} / {}", g.vpc, g.account, g.region)),
            lay.width - 2 * MARGIN,
            MARGIN + 10,
            y + 18,
            esc(&band_title(graph, *gi)),
        );
    }
    // Labels stay off the boxes, the band titles and each other where they can.
    let mut obstacles: Vec<Rect> = lay
        .nodes
        .iter()
        .map(|&(x, y)| Rect {
            x: x - 4,
            y: y - 4,
            w: NODE_W + 8,
            h: NODE_H + 8,
        })
        .collect();
    obstacles.extend(lay.bands.iter().map(|&(gi, y, _)| Rect {
        x: MARGIN,
        y,
        w: 20 + 7 * band_title(graph, gi).chars().count() as i64,
        h: BAND_LABEL_H - 4,
    }));
    let mut labels = Vec::new();
    for edge in &graph.edges {
        let (Some(a), Some(b)) = (graph.index_of(&edge.from), graph.index_of(&edge.to)) else {
            continue;
        };
        let (Some(&(ax, ay)), Some(&(bx, by))) = (lay.nodes.get(a), lay.nodes.get(b)) else {
            continue;
        };
        draw_edge(
            out,
            edge,
            (ax + NODE_W, ay + NODE_H / 2),
            (bx, by + NODE_H / 2),
            &obstacles,
            &mut labels,
        );
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        if let Some(&(x, y)) = lay.nodes.get(i) {
            draw_node(out, node, x, y);
        }
    }
    out.push_str("</svg></div>\n</section>\n");
}

/// A band's title (not yet HTML-escaped): `vpc-1 · 111122223333 / us-east-1`.
fn band_title(graph: &AttackGraph, group: usize) -> String {
    match graph.groups.get(group) {
        Some(g) => format!(
            "{} \u{b7} {} / {}",
            shorten(&g.vpc, 40),
            shorten(&g.account, 20),
            shorten(&g.region, 20)
        ),
        None => String::new(),
    }
}

fn legend(out: &mut String) {
    let y = MARGIN;
    out.push_str("<g class=\"legend\">");
    let mut x = MARGIN;
    for (role, text) in [
        (
            NodeRole::Foothold,
            "foothold: reachable from the internet or untrusted",
        ),
        (NodeRole::Pivot, "pivot: a host to move through"),
        (NodeRole::Jewel, "crown jewel"),
    ] {
        let _ = write!(
            out,
            "<g class=\"{}\" transform=\"translate({x},{y})\">{}<text x=\"40\" y=\"15\">{}</text></g>",
            role_str(role),
            shape(role, 32, 20),
            esc(text)
        );
        x += 48 + 7 * text.len() as i64;
    }
    let _ = write!(
        out,
        "<g class=\"edge\" transform=\"translate({x},{y})\">\
         <path d=\"M0 10 L30 10\"/><polygon points=\"38,10 29,5 29,15\"/>\
         <text x=\"46\" y=\"15\" style=\"text-anchor: start\">allowed service(s)</text></g>"
    );
    out.push_str("</g>\n");
}

/// The outline of a role, `w` by `h`, at the origin.
fn shape(role: NodeRole, w: i64, h: i64) -> String {
    match role {
        NodeRole::Foothold => {
            format!("<rect class=\"shape\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" rx=\"2\"/>")
        }
        NodeRole::Pivot => format!(
            "<rect class=\"shape\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" rx=\"{}\"/>",
            h / 2
        ),
        NodeRole::Jewel => {
            let c = (h / 4).max(4);
            format!(
                "<polygon class=\"shape\" points=\"{c},0 {},0 {w},{c} {w},{} {},{h} {c},{h} 0,{} 0,{c}\"/>",
                w - c,
                h - c,
                w - c,
                h - c
            )
        }
    }
}

fn draw_node(out: &mut String, node: &GraphNode, x: i64, y: i64) {
    let role = role_str(node.role);
    let mut title = format!("{} ({role})", node.eni);
    if let Some(name) = &node.name {
        title.push_str(&format!("\nName: {name}"));
    }
    if let Some(why) = &node.why {
        title.push_str(&format!("\nwhy: {why}"));
    }
    title.push_str(&format!(
        "\naddress: {}\nsubnet: {}\nVPC: {} ({} / {})\non {} path(s)",
        node.address, node.subnet, node.vpc, node.account, node.region, node.paths
    ));
    let _ = write!(
        out,
        "<g class=\"node {role}\" data-eni=\"{}\" data-role=\"{role}\" \
         transform=\"translate({x},{y})\"><title>{}</title>{}",
        esc(&node.eni),
        esc_block(&title),
        shape(node.role, NODE_W, NODE_H)
    );
    let _ = write!(
        out,
        "<text class=\"eni\" x=\"14\" y=\"19\">{}</text>",
        fit(&node.eni, 28)
    );
    match &node.name {
        Some(name) => {
            let _ = write!(
                out,
                "<text class=\"name\" x=\"14\" y=\"36\">{}</text>",
                fit(name, 32)
            );
        }
        None => out.push_str("<text class=\"noname\" x=\"14\" y=\"36\">(no Name tag)</text>"),
    }
    let third = match &node.why {
        Some(why) => format!("{} · {why}", node.address),
        None => node.address.clone(),
    };
    let _ = writeln!(
        out,
        "<text class=\"addr\" x=\"14\" y=\"52\">{}</text></g>",
        fit(&third, 36)
    );
}

/// An axis-aligned box, for keeping edge labels off nodes, band titles and each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// Where along a curve a label may go, most preferred first: the middle, then
/// outwards.
const LABEL_AT: [f64; 15] = [
    0.5, 0.44, 0.56, 0.38, 0.62, 0.32, 0.68, 0.26, 0.74, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9,
];
const LABEL_H: i64 = 16;

fn draw_edge(
    out: &mut String,
    edge: &GraphEdge,
    (x1, y1): (i64, i64),
    (x2, y2): (i64, i64),
    obstacles: &[Rect],
    labels: &mut Vec<Rect>,
) {
    const ARROW: i64 = 9;
    let xe = x2 - ARROW;
    let d = ((xe - x1).abs() / 2).max(60);
    let services = edge.services.join(", ");
    let label = if edge.services.len() > 3 {
        format!(
            "{} +{}",
            edge.services[..3].join(", "),
            edge.services.len() - 3
        )
    } else {
        services.clone()
    };
    let shown_len = label.chars().count().min(30) as i64;
    let label = fit(&label, 30);
    let bw = shown_len * 7 + 10;
    // The cubic Bézier from (x1, y1) to (xe, y2) with horizontal tangents at both ends.
    let at = |t: f64| -> (i64, i64) {
        let u = 1.0 - t;
        let (p0, p1, p2, p3) = (x1 as f64, (x1 + d) as f64, (xe - d) as f64, xe as f64);
        let x = u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3;
        let (q0, q3) = (y1 as f64, y2 as f64);
        let y = u * u * u * q0 + 3.0 * u * u * t * q0 + 3.0 * u * t * t * q3 + t * t * t * q3;
        (x.round() as i64, y.round() as i64)
    };
    let boxed = |(x, y): (i64, i64)| Rect {
        x: x - bw / 2,
        y: y - LABEL_H / 2,
        w: bw,
        h: LABEL_H,
    };
    let spot = LABEL_AT
        .iter()
        .map(|&t| boxed(at(t)))
        .find(|r| !obstacles.iter().chain(labels.iter()).any(|o| r.overlaps(o)))
        .unwrap_or_else(|| boxed(at(0.5)));
    labels.push(spot);
    let _ = writeln!(
        out,
        "<g class=\"edge\" data-from=\"{}\" data-to=\"{}\" data-services=\"{}\">\
         <title>{}</title>\
         <path d=\"M{x1} {y1} C{} {y1}, {} {y2}, {xe} {y2}\"/>\
         <polygon points=\"{x2},{y2} {xe},{} {xe},{}\"/>\
         <rect x=\"{}\" y=\"{}\" width=\"{bw}\" height=\"{LABEL_H}\" rx=\"3\"/>\
         <text x=\"{}\" y=\"{}\">{label}</text></g>",
        esc(&edge.from),
        esc(&edge.to),
        esc(&services),
        esc(&format!(
            "{} -> {}: {} ({} path(s))",
            edge.from, edge.to, services, edge.paths
        )),
        x1 + d,
        xe - d,
        y2 - 5,
        y2 + 5,
        spot.x,
        spot.y,
        spot.x + bw / 2,
        spot.y + 12,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::attack_graph::tests::{node, path};

    #[test]
    fn layout_puts_footholds_left_jewels_right_pivots_by_hop() {
        use NodeRole::*;
        let p = path(
            vec![
                node("eni-f", Foothold, "vpc-1", None),
                node("eni-p1", Pivot, "vpc-1", None),
                node("eni-p2", Pivot, "vpc-2", None),
                node("eni-j", Jewel, "vpc-2", None),
            ],
            &[&["tcp/22"], &["tcp/22"], &["tcp/22"]],
        );
        let q = path(
            vec![
                node("eni-g", Foothold, "vpc-1", None),
                node("eni-j2", Jewel, "vpc-1", None),
            ],
            &[&["tcp/443"]],
        );
        let g = AttackGraph::from_paths([&p, &q]);
        let lay = layout(&g);
        let x = |eni: &str| lay.nodes[g.index_of(eni).unwrap()].0;
        let y = |eni: &str| lay.nodes[g.index_of(eni).unwrap()].1;
        assert!(x("eni-f") < x("eni-p1"));
        assert!(x("eni-p1") < x("eni-p2"));
        assert!(x("eni-p2") < x("eni-j"));
        assert_eq!(x("eni-f"), x("eni-g"));
        assert_eq!(x("eni-j"), x("eni-j2"));
        // vpc-1 is the first band: two footholds stacked, so it is two rows high.
        assert!(y("eni-f") < y("eni-g"));
        assert!(y("eni-g") < y("eni-p2"));
        assert_eq!(lay.bands.len(), 2);
        let (_, band1_y, band1_h) = lay.bands[0];
        assert!(band1_y + band1_h <= lay.bands[1].1);
        let headings: Vec<&str> = lay.columns.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(
            headings,
            [
                "footholds",
                "pivots: 1 hop",
                "pivots: 2 hops",
                "crown jewels"
            ]
        );
        // Nothing overlaps: every box is inside the drawing and boxes are disjoint.
        for (i, &(ax, ay)) in lay.nodes.iter().enumerate() {
            assert!(ax >= 0 && ay >= 0 && ax + NODE_W <= lay.width && ay + NODE_H <= lay.height);
            for &(bx, by) in &lay.nodes[i + 1..] {
                assert!(
                    ax + NODE_W <= bx
                        || bx + NODE_W <= ax
                        || ay + NODE_H <= by
                        || by + NODE_H <= ay
                );
            }
        }
    }
}
