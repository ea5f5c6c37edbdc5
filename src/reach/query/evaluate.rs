//! The per-connection engine (`reach::path`) on one representative point: to confirm
//! each piece of an exact service set, and to explain a blocked or unknown answer
//! with the same steps the checks use.

use std::net::IpAddr;

use crate::answer::reach::Layer;

use super::super::path::{eni_to_eni, eni_to_internet, internet_to_eni};
use super::super::sets::{public_internet, FlowSet, IpSet, ServicePoint, ServiceSet};
use super::super::verdict::{describe_point, Evaluation};
use super::change::Context;
use super::exact::{addresses, first_addr, some_public, Exact};
use super::hops::layer_of;
use super::represent::representative;
use super::service::pieces;
use super::Index;

/// Which connection a pair of ends is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Conn {
    /// ENI to ENI over private addresses.
    Private(usize, usize),
    /// The internet (or one client) to an ENI.
    In(Option<IpAddr>, usize),
    /// An ENI to the internet (or one address).
    Out(usize, Option<IpAddr>),
}

/// An answer for one connection, with the evaluation that shows it.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub exact: Exact,
    pub eval: Option<Evaluation>,
    /// For a connection to the internet: every evaluation left straight through the
    /// ENI's own subnet (its NACL and route table, then a gateway), so the source's
    /// address played no part and the answer holds for its whole egress class.
    pub direct: bool,
}

/// Whether an evaluation toward the internet from a subnet with NACL `acl` and
/// route table `table` met nothing else that could read the source address (a NAT
/// gateway's subnet, a firewall, a transit gateway, an appliance).
fn leaves_directly(e: &Evaluation, acl: &str, table: &str) -> bool {
    e.steps.iter().all(|step| {
        let first = step.component.split_whitespace().next().unwrap_or_default();
        match layer_of(step) {
            Layer::Connection
            | Layer::SecurityGroup
            | Layer::InternetGateway
            | Layer::EgressOnlyInternetGateway => true,
            Layer::NetworkAcl => first == acl,
            Layer::RouteTable => first == table,
            _ => false,
        }
    })
}

impl<'m, 'a> Index<'m, 'a> {
    fn id(&self, i: usize) -> &'a str {
        self.enis[i].eni.id.as_str()
    }

    /// One evaluation of `conn` at `p`, with the addresses it used.
    pub(crate) fn evaluate(
        &self,
        conn: Conn,
        p: ServicePoint,
        flows: Option<&FlowSet>,
    ) -> (Evaluation, Context) {
        let service = describe_point(p);
        match conn {
            Conn::Private(a, b) => {
                let (src, dst) = match (self.end(a), self.end(b)) {
                    (Some(ea), Some(eb)) => addresses(&ea, &eb)
                        .map(|(s, d)| (s.to_string(), d.to_string()))
                        .unwrap_or_else(|| (self.id(a).to_string(), self.id(b).to_string())),
                    _ => (self.id(a).to_string(), self.id(b).to_string()),
                };
                let e = eni_to_eni(self.model, self.inv, self.id(a), self.id(b), p);
                (e, Context { src, dst, service })
            }
            Conn::In(client, b) => {
                let eni = self.enis[b].eni;
                let v6 = eni.public_ipv4s.is_empty() && !eni.ipv6s.is_empty();
                let client = client
                    .or_else(|| flows.and_then(|f| first_addr(&f.addresses_for(p))))
                    .or_else(|| {
                        let inn = self.classes[self.enis[b].class].inn.as_ref().ok()?;
                        first_addr(&inn.addresses_for(p).intersection(public_internet()))
                    })
                    .or_else(|| some_public(v6));
                let Some(client) = client else {
                    return (
                        Evaluation::unknown("no internet address to test from", vec![]),
                        Context {
                            src: "internet".into(),
                            dst: self.id(b).into(),
                            service,
                        },
                    );
                };
                let e = internet_to_eni(self.model, self.inv, self.id(b), client, p);
                let dst = self.id(b).to_string();
                (
                    e,
                    Context {
                        src: client.to_string(),
                        dst,
                        service,
                    },
                )
            }
            Conn::Out(a, dst) => {
                let eni = self.enis[a].eni;
                let v6 = eni.private_ipv4s.is_empty() && !eni.ipv6s.is_empty();
                let dst = dst
                    .or_else(|| flows.and_then(|f| first_addr(&f.addresses_for(p))))
                    .or_else(|| {
                        let out = self.classes[self.enis[a].class].out.as_ref().ok()?;
                        first_addr(&out.addresses_for(p).intersection(public_internet()))
                    })
                    .or_else(|| some_public(v6));
                let src = eni
                    .private_ipv4s
                    .first()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| self.id(a).to_string());
                let Some(dst) = dst else {
                    return (
                        Evaluation::unknown("no internet address to test", vec![]),
                        Context {
                            src,
                            dst: "internet".into(),
                            service,
                        },
                    );
                };
                let e = eni_to_internet(self.model, self.inv, self.id(a), dst, p, None);
                (
                    e,
                    Context {
                        src,
                        dst: dst.to_string(),
                        service,
                    },
                )
            }
        }
    }

    /// The exact answer for `conn`, each proven piece confirmed by the per-connection
    /// engine (a piece it does not allow moves to `maybe` or out), with the first
    /// allowed evaluation.
    pub(crate) fn shown(&self, conn: Conn, asked: &ServiceSet) -> Shown {
        let (mut exact, flows) = match conn {
            Conn::Private(a, b) => (self.exact(a, b, asked), None),
            Conn::In(client, b) => {
                let (x, f) = self.internet_in(b, client, asked);
                (x, f)
            }
            Conn::Out(a, dst) => match self.to_internet_candidates(a, dst, asked) {
                Ok(f) => {
                    let services = match dst {
                        Some(d) => f.services_for(d),
                        None => f.services(),
                    };
                    let x = Exact {
                        proven: services,
                        stage: 1,
                        ..Exact::default()
                    };
                    (x, Some(f))
                }
                Err(r) => (
                    Exact {
                        maybe: asked.clone(),
                        reason: Some(r),
                        ..Exact::default()
                    },
                    None,
                ),
            },
        };
        let mut first: Option<Evaluation> = None;
        let mut proven = ServiceSet::empty();
        let own = match conn {
            Conn::Out(a, _) if flows.is_some() => self
                .end(a)
                .and_then(|end| Some((end.acl().ok()?.id.clone(), end.table().ok()?.id.clone()))),
            _ => None,
        };
        let mut direct = own.is_some();
        for piece in pieces(&exact.proven) {
            let Some(p) = piece.first() else { continue };
            let (e, _) = self.evaluate(conn, p, flows.as_ref());
            direct = direct
                && own
                    .as_ref()
                    .is_some_and(|(acl, table)| leaves_directly(&e, acl, table));
            if e.is_allowed() {
                proven = proven.union(&piece);
                if first.is_none() {
                    first = Some(e);
                }
            } else if e.is_unknown() {
                exact.maybe = exact.maybe.union(&piece);
                if exact.reason.is_none() {
                    if let super::super::verdict::Verdict::Unknown { reason } = &e.verdict {
                        exact.reason = Some(reason.clone());
                    }
                }
            } else if matches!(conn, Conn::Out(..)) {
                // The egress candidates are only groups and NACL: the rest of the
                // way (routes, NAT, gateways, firewall) is the engine's to decide.
                exact.stage = exact.stage.max(2);
            }
        }
        exact.proven = proven;
        Shown {
            exact,
            eval: first,
            direct,
        }
    }

    /// The point that shows best why `conn` is not allowed: one that gets past as
    /// many layers as possible, else one a rule of either end was written for (the
    /// destination's ingress first: what it admits from someone), else a well-known
    /// port of the asked set.
    pub(crate) fn explain_point(
        &self,
        conn: Conn,
        asked: &ServiceSet,
        exact: &Exact,
    ) -> Option<ServicePoint> {
        if !exact.maybe.is_empty() {
            return representative(std::slice::from_ref(&exact.maybe), asked);
        }
        let mut candidates: Vec<ServiceSet> = Vec::new();
        match conn {
            Conn::Private(a, b) => {
                let out = self.classes[self.enis[a].class].out.as_ref().ok();
                let inn = self.classes[self.enis[b].class].inn.as_ref().ok();
                let ends = self.end(a).zip(self.end(b));
                let addrs = ends.as_ref().and_then(|(ea, eb)| addresses(ea, eb));
                let out_there = out.zip(addrs).map(|(f, (_, dst))| f.services_for(dst));
                let inn_here = inn.zip(addrs).map(|(f, (src, _))| f.services_for(src));
                let admitted = inn.map(FlowSet::services);
                if let (Some(o), Some(i)) = (&out_there, &inn_here) {
                    // Past both groups and both NACLs: blocked by routing.
                    if let Some(acl) = self.acl_pass(a, b) {
                        candidates.push(o.intersection(i).intersection(&acl));
                    }
                    candidates.push(o.intersection(i));
                }
                if let (Some(o), Some(i)) = (&out_there, &admitted) {
                    candidates.push(o.intersection(i));
                }
                candidates.extend(admitted);
                candidates.extend(inn_here);
                candidates.extend(out_there);
            }
            Conn::In(_, b) => {
                if let Ok(i) = &self.classes[self.enis[b].class].inn {
                    candidates.push(
                        i.intersection(&FlowSet::from_box(
                            public_internet().clone(),
                            asked.clone(),
                        ))
                        .services(),
                    );
                    candidates.push(i.services());
                }
            }
            Conn::Out(a, _) => {
                if let Ok(o) = &self.classes[self.enis[a].class].out {
                    let scope: IpSet = public_internet().clone();
                    candidates.push(
                        o.intersection(&FlowSet::from_box(scope, asked.clone()))
                            .services(),
                    );
                    candidates.push(o.services());
                }
            }
        }
        representative(&candidates, asked)
    }
}
