//! Pair mode: both ends given. Every (source, destination) pair, deduplicated by
//! lateral class (members of a class answer alike), gets its exact services; each
//! allowed one is a path, hop by hop from the per-connection engine. When none is
//! allowed, the closest blocked or unknown pair explains why.

use std::collections::BTreeMap;

use crate::answer::reach::{Mode, Path, ReachReport, Verdict};

use super::super::path::internet_paths;
use super::super::path::DEFAULT_EPHEMERAL;
use super::super::sets::{ServicePoint, ServiceSet};
use super::super::verdict::describe_point;
use super::evaluate::{Conn, Shown};
use super::hops::{blocked_at, from_reason, hops, ordered_hops, undecided, Shape};
use super::select::{Resolved, Target};
use super::service::service_items;
use super::{report, Index, QueryError};

/// How many unknown pairs are explained one by one.
const EXPLAINED_UNKNOWNS: usize = 16;

impl<'m, 'a> Index<'m, 'a> {
    /// Pairs of ENIs, one per distinct (source class, destination class), skipping an
    /// ENI paired with itself.
    fn class_pairs(&self, from: &[usize], to: &[usize]) -> Vec<(usize, usize)> {
        let firsts = |side: &[usize]| {
            let mut by_class: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &i in side {
                let v = by_class.entry(self.enis[i].class).or_default();
                // Two members are enough to pair a class with itself.
                if v.len() < 2 {
                    v.push(i);
                }
            }
            by_class
        };
        let (src, dst) = (firsts(from), firsts(to));
        let mut out = Vec::new();
        for s in src.values() {
            for d in dst.values() {
                let pick = s
                    .iter()
                    .find_map(|&a| d.iter().find(|&&b| b != a).map(|&b| (a, b)));
                out.extend(pick);
            }
        }
        out
    }

    fn conns(&self, f: &Target<'a>, t: &Target<'a>) -> Result<Vec<Conn>, QueryError> {
        Ok(match (f, t) {
            (Target::Internet(_), Target::Internet(_)) => {
                return Err(QueryError::Unsupported(
                    "from the internet to the internet is not a question about this inventory"
                        .into(),
                ))
            }
            (Target::Internet(c), Target::Enis { enis, .. }) => {
                let mut seen = BTreeMap::new();
                for &b in enis {
                    seen.entry(self.enis[b].class).or_insert(b);
                }
                seen.into_values().map(|b| Conn::In(*c, b)).collect()
            }
            (Target::Enis { enis, .. }, Target::Internet(d)) => {
                let mut seen = BTreeMap::new();
                for &a in enis {
                    seen.entry(self.enis[a].class).or_insert(a);
                }
                seen.into_values().map(|a| Conn::Out(a, *d)).collect()
            }
            (Target::Enis { enis: a, .. }, Target::Enis { enis: b, .. }) => self
                .class_pairs(a, b)
                .into_iter()
                .map(|(a, b)| Conn::Private(a, b))
                .collect(),
            (Target::Pod { .. }, _) | (_, Target::Pod { .. }) => {
                return Err(QueryError::Unsupported(
                    "pods are answered by pod_pair".into(),
                ))
            }
        })
    }

    fn ends(&self, conn: Conn) -> (String, String) {
        let id = |i: usize| self.enis[i].eni.id.clone();
        let net =
            |ip: Option<std::net::IpAddr>| ip.map_or("internet".to_string(), |a| a.to_string());
        match conn {
            Conn::Private(a, b) => (id(a), id(b)),
            Conn::In(c, b) => (net(c), id(b)),
            Conn::Out(a, d) => (id(a), net(d)),
        }
    }

    /// How `conn`'s hops are ordered.
    fn shape(&self, conn: Conn) -> Shape<'a> {
        match conn {
            Conn::Private(a, b) => Shape::Private {
                src: self.enis[a].eni.id.as_str(),
                dst: self.enis[b].eni.id.as_str(),
            },
            Conn::In(..) => Shape::FromInternet,
            Conn::Out(..) => Shape::ToInternet,
        }
    }

    pub(crate) fn pair(
        &self,
        f: Resolved<'a>,
        t: Resolved<'a>,
        asked: &ServiceSet,
    ) -> Result<ReachReport, QueryError> {
        if matches!(f.target, Target::Pod { .. }) || matches!(t.target, Target::Pod { .. }) {
            return self.pod_pair(f, t, asked);
        }
        let mut rep = report(
            Mode::Pair,
            Some(f.endpoint.clone()),
            Some(t.endpoint.clone()),
            asked,
        );
        if let (Target::Internet(client), Target::Enis { lb: Some(lb), .. }) =
            (&f.target, &t.target)
        {
            self.through_load_balancer(&mut rep, lb, *client, asked);
            return Ok(rep);
        }
        let conns = self.conns(&f.target, &t.target)?;
        if conns.is_empty() {
            return Err(QueryError::Unsupported(format!(
                "\"{}\" and \"{}\" leave no pair of distinct network interfaces to ask about",
                f.endpoint.selector, t.endpoint.selector
            )));
        }
        let shown: Vec<(Conn, Shown)> = conns
            .into_iter()
            .map(|c| (c, self.shown(c, asked)))
            .collect();
        let mut services = ServiceSet::empty();
        for (conn, s) in &shown {
            if s.exact.proven.is_empty() {
                continue;
            }
            services = services.union(&s.exact.proven);
            let (from, to) = self.ends(*conn);
            rep.paths.push(Path {
                from,
                to,
                verdict: Verdict::Allowed,
                services: service_items(&s.exact.proven),
                hops: s
                    .eval
                    .as_ref()
                    .map(|e| ordered_hops(e, self.shape(*conn)))
                    .unwrap_or_default(),
            });
        }
        if !rep.paths.is_empty() {
            rep.verdict = Verdict::Allowed;
            rep.services = service_items(&services);
            return Ok(rep);
        }
        let unknowns: Vec<&(Conn, Shown)> = shown
            .iter()
            .filter(|(_, s)| !s.exact.maybe.is_empty())
            .collect();
        if !unknowns.is_empty() {
            rep.verdict = Verdict::Unknown;
            for (i, (conn, s)) in unknowns.iter().take(EXPLAINED_UNKNOWNS).enumerate() {
                let point = self.explain_point(*conn, asked, &s.exact);
                let eval = point.map(|p| self.evaluate(*conn, p, None).0);
                let mut found = match &eval {
                    Some(e) if e.is_unknown() => undecided(e),
                    _ => Vec::new(),
                };
                if found.is_empty() {
                    found.push(from_reason(s.exact.reason.as_deref()));
                }
                for u in found {
                    if !rep.unknown.contains(&u) {
                        rep.unknown.push(u);
                    }
                }
                if i == 0 {
                    let (from, to) = self.ends(*conn);
                    rep.paths.push(Path {
                        from,
                        to,
                        verdict: Verdict::Unknown,
                        services: service_items(&s.exact.maybe),
                        hops: eval
                            .as_ref()
                            .map(|e| ordered_hops(e, self.shape(*conn)))
                            .unwrap_or_default(),
                    });
                }
            }
            return Ok(rep);
        }
        // Blocked everywhere: the pair that got furthest explains it.
        let Some((conn, s)) = shown.iter().max_by_key(|(_, s)| s.exact.stage) else {
            return Ok(rep);
        };
        if let Some(p) = self.explain_point(*conn, asked, &s.exact) {
            let (eval, ctx) = self.evaluate(*conn, p, None);
            let (from, to) = self.ends(*conn);
            rep.blocked_at = blocked_at(&eval, &ctx, &|eni| self.group_labels(eni));
            rep.paths.push(Path {
                from,
                to,
                verdict: match eval.verdict {
                    super::super::verdict::Verdict::Unknown { .. } => Verdict::Unknown,
                    _ => Verdict::Blocked,
                },
                services: Vec::new(),
                hops: ordered_hops(&eval, self.shape(*conn)),
            });
        }
        Ok(rep)
    }

    /// The internet through load balancer `lb` to its targets.
    fn through_load_balancer(
        &self,
        rep: &mut ReachReport,
        lb: &crate::inventory::LoadBalancer,
        client: Option<std::net::IpAddr>,
        asked: &ServiceSet,
    ) {
        let paths = internet_paths(self.model, self.inv, DEFAULT_EPHEMERAL);
        let mut services = ServiceSet::empty();
        let mut any_unknown: Option<(String, String)> = None;
        let mut blocked: Option<(
            String,
            String,
            ServicePoint,
            super::super::verdict::Evaluation,
        )> = None;
        for p in paths.iter().filter(|p| p.load_balancer.arn == lb.arn) {
            // A path without a service point is one the engine could not open (its
            // listeners were not collected): unknown, never skipped into "blocked".
            if p.point.is_none() && p.evaluation.is_unknown() {
                let to = lb.name.clone();
                any_unknown.get_or_insert(("internet".to_string(), to));
                rep.unknown.extend(undecided(&p.evaluation));
                continue;
            }
            let Some(point) = p.point.filter(|pt| asked.contains(*pt)) else {
                continue;
            };
            let from = client.map_or("internet".to_string(), |c| c.to_string());
            let to = p
                .target_eni
                .map(|e| e.id.clone())
                .or_else(|| p.target_id.map(str::to_string))
                .unwrap_or_else(|| lb.name.clone());
            let client_ok = client.is_none_or(|c| p.sources.contains(c));
            if p.evaluation.is_allowed() && client_ok {
                services = services.union(&ServiceSet::from_point(point));
                rep.paths.push(Path {
                    from,
                    to,
                    verdict: Verdict::Allowed,
                    services: service_items(&ServiceSet::from_point(point)),
                    hops: hops(&p.evaluation),
                });
            } else if p.evaluation.is_unknown() {
                any_unknown.get_or_insert((from, to));
                rep.unknown.extend(undecided(&p.evaluation));
            } else if blocked.is_none() {
                blocked = Some((from, to, point, p.evaluation.clone()));
            }
        }
        rep.unknown.sort_by(|a, b| {
            (&a.code, &a.resource, &a.reason).cmp(&(&b.code, &b.resource, &b.reason))
        });
        rep.unknown.dedup();
        if !rep.paths.is_empty() {
            rep.verdict = Verdict::Allowed;
            rep.services = service_items(&services);
            rep.unknown.clear();
        } else if any_unknown.is_some() {
            rep.verdict = Verdict::Unknown;
        } else if let Some((from, to, point, eval)) = blocked {
            let service = describe_point(point);
            let ctx = super::change::Context {
                src: from.clone(),
                dst: to.clone(),
                service,
            };
            rep.blocked_at = blocked_at(&eval, &ctx, &|eni| self.group_labels(eni));
            rep.paths.push(Path {
                from,
                to,
                verdict: Verdict::Blocked,
                services: Vec::new(),
                hops: hops(&eval),
            });
        }
    }
}
