//! `vpcaudit reach --format dot`: each path as a chain of its hops (pair mode), or the
//! source with an edge to everything it reaches (one end omitted), as Graphviz DOT.
//! Every id and label goes through [`quote`], as in the attack-path drawing.

use super::dot::quote;
use crate::answer::reach::{Mode, ReachReport, Verdict};

pub fn render(report: &ReachReport) -> String {
    let mut out = String::new();
    out.push_str("digraph \"vpcaudit reach\" {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, ");
    out.push_str(&format!(
        "label={}];\n",
        quote(&format!(
            "vpcaudit reach: {} ({})",
            report.verdict, report.asked
        ))
    ));
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=filled, fillcolor=\"#eeeeee\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    match report.mode {
        Mode::Pair => pair(&mut out, report),
        Mode::From | Mode::To => fan(&mut out, report),
    }
    out.push_str("}\n");
    out
}

fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "#2e7d32",
        Verdict::Blocked => "#c62828",
        Verdict::Unknown => "#ef6c00",
    }
}

/// One cluster per path: source, each hop, destination, in order.
fn pair(out: &mut String, report: &ReachReport) {
    for (i, p) in report.paths.iter().enumerate() {
        out.push_str(&format!("  subgraph cluster_{i} {{\n"));
        out.push_str(&format!(
            "    label={};\n",
            quote(&format!(
                "path {}: {} ({})",
                i + 1,
                p.verdict,
                p.services.join("; ")
            ))
        ));
        let src = format!("p{i}_from");
        out.push_str(&format!(
            "    {} [label={}];\n",
            quote(&src),
            quote(&p.from)
        ));
        let mut prev = src;
        for h in &p.hops {
            let id = format!("p{i}_h{}", h.number);
            let label = match &h.code {
                Some(code) => format!("{}. {}\n{}\n{code}", h.number, h.resource, h.decision),
                None => format!("{}. {}\n{}", h.number, h.resource, h.decision),
            };
            out.push_str(&format!(
                "    {} [label={}, color={}];\n",
                quote(&id),
                quote(&label),
                quote(colour(h.verdict))
            ));
            out.push_str(&format!("    {} -> {};\n", quote(&prev), quote(&id)));
            prev = id;
        }
        let dst = format!("p{i}_to");
        out.push_str(&format!("    {} [label={}];\n", quote(&dst), quote(&p.to)));
        out.push_str(&format!(
            "    {} -> {} [color={}];\n",
            quote(&prev),
            quote(&dst),
            quote(colour(p.verdict))
        ));
        out.push_str("  }\n");
    }
}

/// The asked end in the middle, an edge per reached resource labelled with its
/// services (through the ENIs in between, when it took several hops).
fn fan(out: &mut String, report: &ReachReport) {
    let centre = match report.mode {
        Mode::From => report.from.as_ref(),
        _ => report.to.as_ref(),
    }
    .map(|e| e.selector.clone())
    .unwrap_or_default();
    out.push_str(&format!("  {} [fillcolor=\"#bbdefb\"];\n", quote(&centre)));
    for r in &report.reached {
        out.push_str(&format!(
            "  {} [label={}];\n",
            quote(&r.resource),
            quote(&match &r.name {
                Some(n) => format!("{}\n{n}", r.resource),
                None => r.resource.clone(),
            })
        ));
        let mut chain: Vec<&str> = vec![centre.as_str()];
        chain.extend(r.via.iter().map(String::as_str));
        chain.push(r.resource.as_str());
        if report.mode == Mode::To {
            chain.reverse();
        }
        let label = r.services.join("; ");
        for w in chain.windows(2) {
            out.push_str(&format!(
                "  {} -> {} [label={}, color={}];\n",
                quote(w[0]),
                quote(w[1]),
                quote(&label),
                quote(colour(r.verdict))
            ));
        }
    }
}
