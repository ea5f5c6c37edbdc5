//! The query engine behind `vpcaudit reach`: one question (`--from`, `--to`,
//! `--port`, `--max-hops`) answered as a [`ReachReport`].
//!
//! [`Index::build`] prepares, once per inventory, what every question needs: the
//! selector lookups, the ENIs' lateral classes (ENIs no rule can tell apart as either
//! end of a private connection) with their security-group flows, and every NACL's
//! flows. A question then works per class, not per ENI:
//!
//! - [`exact`]: the exact services allowed between two ENIs (security groups both
//!   ways, both NACLs with the replies on the client's ephemeral ports, routing), as
//!   sets; the NACL and routing part depends only on the two locations and is
//!   memoised;
//! - [`pair`]: both ends given; every allowed service piece is confirmed by the
//!   per-connection engine (`reach::path`), whose steps become the hops;
//! - [`sweep`]: one end given; everything reached (or reaching), breadth-first up
//!   to `max_hops`;
//! - [`select`]: what a selector names; [`service`]: the `--port` syntax;
//!   [`hops`], [`change`], [`kind`]: how the answer is worded.
//!
//! Ends: an interface endpoint or a load balancer as a private destination is its
//! ENIs (what `eni_to_interface_endpoint` evaluates per endpoint ENI); the internet
//! to a load balancer follows `reach::path::internet_paths` (listener, node, target).
//! The internet as a whole (`internet`, no address) is answered with an address the
//! rules admit for each service piece, so "reaches the internet" means "reaches some
//! public address".
//!
//! Network Firewall: private paths (same VPC, peering, transit gateway) that route
//! through a firewall endpoint are a middlebox route the engine does not follow, so
//! they are `unknown` with that reason. Paths to and from the internet that pass a
//! firewall split each service piece at the ports the policy's rules name
//! (`firewall::port_cuts`) and decide every part at its own first point; when the
//! cuts cannot be read, only the first point is proven and the rest of the piece is
//! undecided ("ask with --port").

mod change;
mod evaluate;
mod exact;
mod hops;
mod kind;
mod pair;
mod pods;
mod represent;
mod select;
mod service;
mod sweep;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_pods;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::answer::reach::{Endpoint, ReachReport, REACH_SCHEMA};
use crate::inventory::{Direction, Inventory, NetworkInterface};

use super::exposure::ExposureCache;
use super::lateral::lateral_classes;
use super::model::{FastMap, Model};
use super::nacl;
use super::security_group::allowed_flows;
use super::sets::{FlowSet, IpSet, ServiceSet};

pub use service::{parse_service, service_items};

/// A question as the command line asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `--port` as written; `None` for every service.
    pub service: Option<String>,
    /// How many compromised ENIs deep a one-sided question follows (1: direct only).
    pub max_hops: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// `--from`/`--to` names nothing in the inventory; the closest matches (at most 5)
    /// help.
    #[error("no ENI, instance, IP address, subnet, security group, tag, VPC endpoint, NAT gateway, load balancer or Kubernetes pod matches \"{selector}\"{}", closest(.suggestions))]
    UnknownEndpoint {
        selector: String,
        suggestions: Vec<String>,
    },
    #[error("bad --port \"{given}\": {reason}")]
    BadService { given: String, reason: String },
    #[error("give --from, --to or both")]
    NoEndpoint,
    /// The selector names something, but no network interface stands for it.
    #[error("\"{selector}\" ({kind}) has no network interface in the inventory")]
    NoInterfaces { selector: String, kind: String },
    /// `ns/name` names a pod in several clusters.
    #[error("\"{selector}\" is a pod in clusters {}: write CLUSTER:{selector}", .clusters.join(" and "))]
    AmbiguousPod {
        selector: String,
        clusters: Vec<String>,
    },
    /// The pod has no address to reach or be reached from.
    #[error("pod \"{selector}\" {why}: nothing reaches it and it reaches nothing")]
    PodWithoutAddress { selector: String, why: String },
    /// A question the engine cannot ask, e.g. from the internet to the internet.
    #[error("{0}")]
    Unsupported(String),
}

fn closest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (closest: {})", suggestions.join(", "))
    }
}

/// One ENI of the inventory, where it lives, and its lateral class.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EniRef<'a> {
    pub eni: &'a NetworkInterface,
    pub account: &'a str,
    pub region: &'a str,
    pub class: usize,
}

/// ENIs no rule tells apart as either end of a private connection.
pub(crate) struct Class {
    /// Indexes into [`Index::enis`], sorted by ENI id.
    pub members: Vec<usize>,
    /// Index of the class's location (account, region, subnet, address atoms).
    pub loc: usize,
    /// Index of what a connection to the internet reads of the class when it leaves
    /// straight through its own subnet (account, region, subnet, egress flows, public
    /// address, families): classes sharing it answer such a connection alike.
    pub egress: usize,
    /// Security-group flows out and in, or why unknown.
    pub out: Result<FlowSet, String>,
    pub inn: Result<FlowSet, String>,
    /// The peers `out` and `inn` allow anything with, to turn most pairs away
    /// without computing services.
    pub out_peers: Option<IpSet>,
    pub inn_peers: Option<IpSet>,
}

/// Everything prepared once per inventory so that a question is fast.
pub struct Index<'m, 'a> {
    pub(crate) model: &'m Model<'a>,
    pub(crate) inv: &'a Inventory,
    pub(crate) enis: Vec<EniRef<'a>>,
    pub(crate) classes: Vec<Class>,
    pub(crate) selectors: select::Selectors<'a>,
    /// NACL id -> allowed flows (ingress, egress).
    pub(crate) acls: FastMap<&'a str, Arc<(FlowSet, FlowSet)>>,
    pub(crate) kinds: kind::Kinds<'a>,
    /// (source location, destination location) -> NACL and routing part.
    pub(crate) net: Mutex<FastMap<(usize, usize), exact::NetPart>>,
    pub(crate) exposure: Mutex<ExposureCache<'m, 'a>>,
    /// The Kubernetes clusters, for pod selectors.
    pub(crate) pods: pods::Pods<'a>,
}

impl<'m, 'a> Index<'m, 'a> {
    pub fn build(model: &'m Model<'a>, inv: &'a Inventory) -> Self {
        let mut enis = Vec::new();
        let mut by_id = FastMap::default();
        let mut classes = Vec::new();
        let mut locs: HashMap<_, usize> = HashMap::new();
        let mut egress_keys: HashMap<_, usize> = HashMap::new();
        for lc in lateral_classes(model, inv) {
            let k = &lc.key;
            let loc_key = (
                k.class.account_id.clone(),
                k.class.region.clone(),
                k.class.subnet_id.clone(),
                k.v4_atom,
                k.v6_atom,
            );
            let next = locs.len();
            let loc = *locs.entry(loc_key).or_insert(next);
            let class = classes.len();
            let mut members = Vec::with_capacity(lc.enis.len());
            for id in &lc.enis {
                let Ok((rm, eni)) = model.locate_eni(id) else {
                    continue;
                };
                by_id.insert(eni.id.as_str(), enis.len());
                members.push(enis.len());
                enis.push(EniRef {
                    eni,
                    account: rm.account_id,
                    region: rm.region,
                    class,
                });
            }
            let Some(&rep) = members.first() else {
                continue;
            };
            let rep_id = enis[rep].eni.id.as_str();
            let out = allowed_flows(model, rep_id, Direction::Egress);
            let inn = allowed_flows(model, rep_id, Direction::Ingress);
            // Groups with the same egress flows let out the same; a class whose
            // flows are unknown is a key of its own.
            let egress_key = (
                (
                    k.class.account_id.clone(),
                    k.class.region.clone(),
                    k.class.subnet_id.clone(),
                ),
                (k.class.public_ipv4, k.class.ipv6),
                (k.v4_atom.is_some(), k.v6_atom.is_some()),
                out.as_ref().map_err(|_| class).cloned(),
            );
            let next = egress_keys.len();
            let egress = *egress_keys.entry(egress_key).or_insert(next);
            classes.push(Class {
                members,
                loc,
                egress,
                out_peers: out.as_ref().ok().map(FlowSet::addresses),
                inn_peers: inn.as_ref().ok().map(FlowSet::addresses),
                out,
                inn,
            });
        }
        let mut acls = FastMap::default();
        for (_, ri) in inv.regions() {
            for acl in &ri.network_acls {
                acls.entry(acl.id.as_str()).or_insert_with(|| {
                    Arc::new((
                        nacl::allowed_flows(acl, Direction::Ingress),
                        nacl::allowed_flows(acl, Direction::Egress),
                    ))
                });
            }
        }
        let selectors = select::Selectors::build(inv, &enis, &by_id);
        Index {
            model,
            inv,
            kinds: kind::Kinds::build(inv),
            enis,
            classes,
            selectors,
            acls,
            net: Mutex::new(FastMap::default()),
            exposure: Mutex::new(ExposureCache::new(model, inv)),
            pods: pods::Pods::build(inv),
        }
    }

    /// Answers one question.
    pub fn ask(&self, q: &Question) -> Result<ReachReport, QueryError> {
        let asked = match q.service.as_deref() {
            Some(s) => parse_service(s)?,
            None => ServiceSet::all(),
        };
        let from = q.from.as_deref().map(|s| self.resolve(s)).transpose()?;
        let to = q.to.as_deref().map(|s| self.resolve(s)).transpose()?;
        let max_hops = usize::from(q.max_hops.max(1));
        // A one-sided question about something with no ENI (a load balancer whose
        // nodes were not collected) has nothing to start from: an empty list would
        // read as "reaches nothing". A pair says unknown instead.
        let one_sided_without_enis = |r: &select::Resolved| matches!(&r.target, select::Target::Enis { enis, .. } if enis.is_empty());
        if let (Some(r), None) | (None, Some(r)) = (&from, &to) {
            if one_sided_without_enis(r) {
                return Err(QueryError::NoInterfaces {
                    selector: r.endpoint.selector.clone(),
                    kind: r.endpoint.kind.clone(),
                });
            }
        }
        match (from, to) {
            (Some(f), Some(t)) => self.pair(f, t, &asked),
            (Some(f), None) => self.sweep(f, sweep::Way::From, &asked, max_hops),
            (None, Some(t)) => self.sweep(t, sweep::Way::To, &asked, max_hops),
            (None, None) => Err(QueryError::NoEndpoint),
        }
    }

    /// The security groups of ENI `eni_id`, labelled as the engine labels them
    /// (`sg-1 (db)`); empty when the ENI is not in the inventory.
    pub(crate) fn group_labels(&self, eni_id: &str) -> Vec<String> {
        let Ok((rm, eni)) = self.model.locate_eni(eni_id) else {
            return Vec::new();
        };
        eni.security_group_ids
            .iter()
            .map(|g| match rm.security_group(g) {
                Some(sg) => super::security_group::group_label(sg),
                None => g.clone(),
            })
            .collect()
    }
}

/// A report with nothing decided yet.
pub(crate) fn report(
    mode: crate::answer::reach::Mode,
    from: Option<Endpoint>,
    to: Option<Endpoint>,
    asked: &ServiceSet,
) -> ReachReport {
    ReachReport {
        schema: REACH_SCHEMA.to_string(),
        mode,
        from,
        to,
        asked: asked.to_string(),
        verdict: crate::answer::reach::Verdict::Blocked,
        services: Vec::new(),
        paths: Vec::new(),
        blocked_at: None,
        unknown: Vec::new(),
        reached: Vec::new(),
    }
}
