//! One end given: everything the source reaches (`from`) or everything that reaches
//! the destination (`to`), per lateral class rather than per ENI, breadth-first
//! through reached ENIs up to `max_hops` (a reached ENI, once compromised, is a new
//! source; for `to`, an ENI that reaches the destination is a new destination).

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::answer::reach::{Mode, ReachReport, Reached, Verdict};

use super::super::sets::{IpSet, ServiceSet};
use super::evaluate::Conn;
use super::exact::Exact;
use super::kind::name_of;
use super::select::{Resolved, Target};
use super::service::service_items;
use super::{report, Index, QueryError};

/// How many distinct unknown reasons the answer lists.
const UNKNOWN_REASONS: usize = 16;

/// Which end the question gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    From,
    To,
}

/// What one class (or the internet) got, at the level it was first reached.
#[derive(Debug, Clone)]
struct Got {
    verdict: Verdict,
    services: ServiceSet,
    reason: Option<String>,
    hops: usize,
    via: Vec<String>,
}

/// Allowed before unknown before blocked.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Allowed => 0,
        Verdict::Unknown => 1,
        Verdict::Blocked => 2,
    }
}

fn merge(into: &mut Option<Got>, exact: &Exact, hops: usize, via: &[String]) {
    let verdict = exact.verdict();
    if verdict == Verdict::Blocked {
        return;
    }
    let services = if verdict == Verdict::Allowed {
        exact.proven.clone()
    } else {
        exact.maybe.clone()
    };
    match into {
        None => {
            *into = Some(Got {
                verdict,
                services,
                reason: exact.reason.clone().filter(|_| verdict == Verdict::Unknown),
                hops,
                via: via.to_vec(),
            })
        }
        Some(g) if g.hops == hops && verdict == g.verdict => {
            g.services = g.services.union(&services)
        }
        Some(g) if g.hops == hops && rank(verdict) < rank(g.verdict) => {
            *g = Got {
                verdict,
                services,
                reason: None,
                hops,
                via: via.to_vec(),
            }
        }
        Some(_) => {}
    }
}

/// The pivots (by index) whose address lies in `peers`, from `by_addr` sorted.
fn candidates(peers: &IpSet, by_addr: &[(IpAddr, usize)]) -> Vec<usize> {
    let mut out = Vec::new();
    for net in peers.to_cidrs() {
        let (lo, hi) = (net.network(), net.broadcast());
        let start = by_addr.partition_point(|(a, _)| *a < lo);
        out.extend(
            by_addr[start..]
                .iter()
                .take_while(|(a, _)| *a <= hi)
                .map(|(_, k)| *k),
        );
    }
    out
}

impl<'m, 'a> Index<'m, 'a> {
    /// A member of class `c` other than ENI `not` (the class's first otherwise).
    fn member_besides(&self, c: usize, not: usize) -> Option<usize> {
        self.classes[c].members.iter().copied().find(|&m| m != not)
    }

    /// The first member of class `c` that is a host (see `Kinds::is_host`): the
    /// ENI a compromise of the class moves on from.
    fn host_member(&self, c: usize) -> Option<usize> {
        self.classes[c]
            .members
            .iter()
            .copied()
            .find(|&m| self.kinds.is_host(self.enis[m].eni))
    }

    pub(crate) fn sweep(
        &self,
        side: Resolved<'a>,
        way: Way,
        asked: &ServiceSet,
        max_hops: usize,
    ) -> Result<ReachReport, QueryError> {
        let mut rep = match way {
            Way::From => report(Mode::From, Some(side.endpoint.clone()), None, asked),
            Way::To => report(Mode::To, None, Some(side.endpoint.clone()), asked),
        };
        let n = self.classes.len();
        let mut got: Vec<Option<Got>> = vec![None; n];
        let mut internet: Option<Got> = None;
        // The given ENIs are not listed as reached; their classes' other members are.
        let (given, internet_side): (Vec<usize>, Option<Option<IpAddr>>) = match &side.target {
            Target::Enis { enis, .. } => (enis.clone(), None),
            Target::Internet(ip) => (Vec::new(), Some(*ip)),
            Target::Pod { .. } => {
                return Err(QueryError::Unsupported(
                    "from-only/to-only questions about pods are not supported yet: give both \
                     --from and --to"
                        .into(),
                ))
            }
        };
        if let Some(ip) = internet_side {
            // Level 1 from (or to) the internet, class by class. To the internet,
            // once per egress class where the way out is straight through the
            // class's own subnet (see `Shown::direct`), else once per egress class
            // and location (address atoms: what a NAT gateway's subnet or a
            // transit gateway may tell apart).
            let mut direct: HashMap<usize, Exact> = HashMap::new();
            let mut located: HashMap<(usize, usize), Exact> = HashMap::new();
            for (c, class) in self.classes.iter().enumerate() {
                let m = class.members[0];
                let exact = match way {
                    Way::From => self.internet_in(m, ip, asked).0,
                    Way::To => match direct
                        .get(&class.egress)
                        .or_else(|| located.get(&(class.egress, class.loc)))
                    {
                        Some(x) => x.clone(),
                        None => {
                            let s = self.shown(Conn::Out(m, ip), asked);
                            if s.direct {
                                direct.insert(class.egress, s.exact.clone());
                            } else {
                                located.insert((class.egress, class.loc), s.exact.clone());
                            }
                            s.exact
                        }
                    },
                };
                merge(&mut got[c], &exact, 1, &[]);
            }
        } else {
            let mut seen = BTreeMap::new();
            for &i in &given {
                seen.entry(self.enis[i].class).or_insert(i);
            }
            let ends: Vec<usize> = seen.into_values().collect();
            self.level(&ends, way, asked, 1, &[], &mut got);
            for &e in &ends {
                let exact = match way {
                    Way::From => self.shown(Conn::Out(e, None), asked).exact,
                    Way::To => self.internet_in(e, None, asked).0,
                };
                merge(&mut internet, &exact, 1, &[]);
            }
        }
        // Breadth-first through what was proven reached: each class not proven
        // reached yet against every pivot of the last level its rules admit, the
        // services the union over them (an earlier unknown is upgraded by a later
        // proof). Only hosts pivot: a load balancer node, a NAT gateway, an endpoint
        // or a managed service's interface is not taken over, as the lateral checks
        // hold.
        let allowed = |g: &Option<Got>| g.as_ref().is_some_and(|g| g.verdict == Verdict::Allowed);
        let mut frontier: Vec<usize> = (0..n)
            .filter(|&c| allowed(&got[c]) && self.host_member(c).is_some())
            .collect();
        for level in 2..=max_hops {
            let pivots: Vec<(usize, Vec<String>)> = frontier
                .iter()
                .filter_map(|&c| {
                    let g = got[c].as_ref()?;
                    let pivot = self.host_member(c)?;
                    let mut via = g.via.clone();
                    match way {
                        Way::From => via.push(self.enis[pivot].eni.id.clone()),
                        Way::To => via.insert(0, self.enis[pivot].eni.id.clone()),
                    }
                    Some((pivot, via))
                })
                .collect();
            // By ENI id, so that `via` is the first pivot in that order.
            let mut pivots = pivots;
            pivots.sort_by(|a, b| self.enis[a.0].eni.id.cmp(&self.enis[b.0].eni.id));
            // Pivots by address, so each class meets only the pivots its rules
            // admit (ingress peers for `from`, egress peers for `to`).
            let mut by_addr: Vec<(IpAddr, usize)> = Vec::new();
            for (k, (pivot, _)) in pivots.iter().enumerate() {
                let e = self.enis[*pivot].eni;
                let v4 = e.private_ipv4s.first().map(|&a| IpAddr::from(a));
                let v6 = e.ipv6s.first().map(|&a| IpAddr::from(a));
                by_addr.extend(v4.into_iter().chain(v6).map(|a| (a, k)));
            }
            by_addr.sort_unstable();
            let mut next = Vec::new();
            // Pivots by the peers set that admits them: classes of one group set
            // share their peers.
            let mut admitted: HashMap<&IpSet, Vec<usize>> = HashMap::new();
            // Per location of a pivot, whether its NACLs and routes toward the
            // current class may pass anything: `seen[loc] == c + 1` marks it known
            // for class `c` (no clearing between classes).
            let nlocs = self.classes.iter().map(|x| x.loc + 1).max().unwrap_or(0);
            let (mut seen, mut open) = (vec![0usize; nlocs], vec![false; nlocs]);
            let pivot_locs: Vec<usize> = pivots
                .iter()
                .map(|(p, _)| self.classes[self.enis[*p].class].loc)
                .collect();
            for (c, slot) in got.iter_mut().enumerate() {
                if allowed(slot) {
                    continue;
                }
                let other = self.classes[c].members[0];
                let peers = match way {
                    Way::From => self.classes[c].inn_peers.as_ref(),
                    Way::To => self.classes[c].out_peers.as_ref(),
                };
                let all: Vec<usize>;
                let candidates: &[usize] = match peers {
                    Some(p) => admitted.entry(p).or_insert_with(|| {
                        let mut v = candidates(p, &by_addr);
                        v.sort_unstable();
                        v.dedup();
                        v
                    }),
                    None => {
                        all = (0..pivots.len()).collect();
                        &all
                    }
                };
                let mut fresh: Option<Got> = None;
                for &k in candidates {
                    let (pivot, via) = &pivots[k];
                    // Pivots sharing a location share the NACLs and routes toward
                    // `c`: one look at those turns the whole location away.
                    let loc = pivot_locs[k];
                    if seen[loc] != c + 1 {
                        seen[loc] = c + 1;
                        open[loc] = match way {
                            Way::From => self.net_open(*pivot, other),
                            Way::To => self.net_open(other, *pivot),
                        };
                    }
                    if !open[loc] {
                        continue;
                    }
                    let exact = match way {
                        Way::From => self.exact(*pivot, other, asked),
                        Way::To => self.exact(other, *pivot, asked),
                    };
                    merge(&mut fresh, &exact, level, via);
                }
                let Some(fresh) = fresh else { continue };
                if fresh.verdict == Verdict::Allowed {
                    if self.host_member(c).is_some() {
                        next.push(c);
                    }
                    *slot = Some(fresh);
                } else if slot.is_none() {
                    *slot = Some(fresh);
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        self.rows(&mut rep, &got, internet, &given);
        Ok(rep)
    }

    /// One level: every class against each of `ends` (sources for `from`,
    /// destinations for `to`), recorded where nothing was recorded before.
    fn level(
        &self,
        ends: &[usize],
        way: Way,
        asked: &ServiceSet,
        hops: usize,
        via: &[String],
        got: &mut [Option<Got>],
    ) {
        for &e in ends {
            let ec = self.enis[e].class;
            for (c, slot) in got.iter_mut().enumerate() {
                let other = if c == ec {
                    match self.member_besides(c, e) {
                        Some(m) => m,
                        None => continue,
                    }
                } else {
                    self.classes[c].members[0]
                };
                let exact = match way {
                    Way::From => self.exact(e, other, asked),
                    Way::To => self.exact(other, e, asked),
                };
                merge(slot, &exact, hops, via);
            }
        }
    }

    fn rows(
        &self,
        rep: &mut ReachReport,
        got: &[Option<Got>],
        internet: Option<Got>,
        given: &[usize],
    ) {
        let mut services = ServiceSet::empty();
        let mut verdict = Verdict::Blocked;
        let mut row = |g: &Got,
                       account: &str,
                       region: &str,
                       vpc: &str,
                       resource: &str,
                       kind: String,
                       name| {
            services = services.union(&g.services);
            if rank(g.verdict) < rank(verdict) {
                verdict = g.verdict;
            }
            Reached {
                account_id: account.to_string(),
                region: region.to_string(),
                vpc: vpc.to_string(),
                resource: resource.to_string(),
                kind,
                name,
                verdict: g.verdict,
                services: service_items(&g.services),
                hops: g.hops,
                via: g.via.clone(),
                reason: g.reason.clone(),
            }
        };
        let mut out = Vec::new();
        for (c, g) in got.iter().enumerate() {
            let Some(g) = g else { continue };
            for &m in &self.classes[c].members {
                if given.contains(&m) {
                    continue;
                }
                let e = &self.enis[m];
                out.push(row(
                    g,
                    e.account,
                    e.region,
                    &e.eni.vpc_id,
                    &e.eni.id,
                    self.kinds.of(e.eni),
                    name_of(e.eni),
                ));
            }
        }
        if let Some(g) = &internet {
            out.push(row(
                g,
                "",
                "",
                "internet",
                "internet",
                "internet".to_string(),
                None,
            ));
        }
        out.sort_by(|a, b| {
            (&a.account_id, &a.region, &a.vpc, &a.resource).cmp(&(
                &b.account_id,
                &b.region,
                &b.vpc,
                &b.resource,
            ))
        });
        // Each distinct reason something is unknown, once.
        for x in out.iter().filter(|x| x.verdict == Verdict::Unknown) {
            let u = super::hops::from_reason(x.reason.as_deref());
            if rep.unknown.len() < UNKNOWN_REASONS && !rep.unknown.contains(&u) {
                rep.unknown.push(u);
            }
        }
        rep.verdict = if out.is_empty() {
            Verdict::Blocked
        } else {
            verdict
        };
        rep.services = service_items(&services);
        rep.reached = out;
    }
}

#[cfg(test)]
mod tests {
    use crate::answer::reach::{ReachReport, Verdict};
    use crate::inventory::{Inventory, L4Match, Protocol, RouteTarget};
    use crate::reach::testkit::*;
    use crate::reach::Model;

    use super::super::{Index, Question};

    fn from(inv: &Inventory, eni: &str, hops: u8) -> ReachReport {
        let model = Model::build(inv);
        let index = Index::build(&model, inv);
        index
            .ask(&Question {
                from: Some(eni.into()),
                to: None,
                service: None,
                max_hops: hops,
            })
            .expect("answers")
    }

    /// (verdict, hops, via, services) of `eni` in the answer.
    fn row(r: &ReachReport, eni: &str) -> Option<(Verdict, usize, Vec<String>, Vec<String>)> {
        r.reached
            .iter()
            .find(|x| x.resource == eni)
            .map(|x| (x.verdict, x.hops, x.via.clone(), x.services.clone()))
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// One subnet, open NACL, local routes; sg-1 lets everything out and nothing in.
    fn base() -> Kit {
        Kit::new()
            .vpc("vpc-1")
            .subnet("subnet-1", "vpc-1")
            .route_table("rtb-1", "vpc-1", true, &[])
            .routes("rtb-1", vec![route("10.0.0.0/16", RouteTarget::Local)])
            .nacl(open_acl("acl-open"), "vpc-1", true, &[])
            .group(
                "sg-1",
                "one",
                vec![egress(
                    "sgr-1",
                    Protocol::All,
                    L4Match::Any,
                    cidr("0.0.0.0/0"),
                )],
            )
    }

    /// e1 -> mid on tcp 443, mid -> t on tcp 5432 (from mid's group only).
    fn through(mid_description: Option<&str>) -> Inventory {
        let kit = base()
            .group(
                "sg-mid",
                "mid",
                vec![
                    egress("sgr-2", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                    ingress("sgr-3", Protocol::Tcp, ports(443, 443), group_peer("sg-1")),
                ],
            )
            .group(
                "sg-t",
                "t",
                vec![ingress(
                    "sgr-4",
                    Protocol::Tcp,
                    ports(5432, 5432),
                    group_peer("sg-mid"),
                )],
            )
            .eni("eni-e1", &["10.0.1.1"], &["sg-1"])
            .eni("eni-mid", &["10.0.1.2"], &["sg-mid"]);
        let kit = match mid_description {
            Some(d) => kit.described(d),
            None => kit,
        };
        kit.eni("eni-t", &["10.0.1.3"], &["sg-t"]).inv
    }

    #[test]
    fn only_hosts_are_pivots() {
        // A host in the middle is taken over and leads on to t.
        let r = from(&through(None), "eni-e1", 3);
        assert_eq!(
            row(&r, "eni-t"),
            Some((Verdict::Allowed, 2, s(&["eni-mid"]), s(&["tcp 5432"])))
        );
        // A load balancer node (or any managed interface) is reached, not taken over.
        for d in ["ELB app/web/1", "RDSNetworkInterface"] {
            let r = from(&through(Some(d)), "eni-e1", 3);
            assert_eq!(
                row(&r, "eni-mid"),
                Some((Verdict::Allowed, 1, vec![], s(&["tcp 443"]))),
                "{d}"
            );
            assert_eq!(row(&r, "eni-t"), None, "{d}: {r:#?}");
        }
    }

    #[test]
    fn services_past_the_first_hop_are_the_union_over_every_pivot() {
        // e1 takes over p1 and p2 (ssh); t admits tcp 80 from p1, tcp 443 from p2.
        let peer =
            |id: &str, sg: &str, p: u16| ingress(id, Protocol::Tcp, ports(p, p), group_peer(sg));
        let open = |id: &str| egress(id, Protocol::All, L4Match::Any, cidr("0.0.0.0/0"));
        let inv = base()
            .group(
                "sg-p1",
                "p1",
                vec![open("sgr-2"), peer("sgr-3", "sg-1", 22)],
            )
            .group(
                "sg-p2",
                "p2",
                vec![open("sgr-4"), peer("sgr-5", "sg-1", 22)],
            )
            .group(
                "sg-t",
                "t",
                vec![peer("sgr-6", "sg-p2", 443), peer("sgr-7", "sg-p1", 80)],
            )
            .eni("eni-e1", &["10.0.1.1"], &["sg-1"])
            .eni("eni-p2", &["10.0.1.2"], &["sg-p2"])
            .eni("eni-p1", &["10.0.1.3"], &["sg-p1"])
            .eni("eni-t", &["10.0.1.4"], &["sg-t"])
            .inv;
        let r = from(&inv, "eni-e1", 2);
        assert_eq!(
            row(&r, "eni-t"),
            Some((Verdict::Allowed, 2, s(&["eni-p1"]), s(&["tcp 80, 443"])))
        );
    }

    #[test]
    fn an_unknown_first_hop_is_upgraded_by_a_later_proof() {
        // e1's subnet routes t's subnet through a middlebox (unknown); p1, in a
        // subnet with local routes only, reaches t on tcp 5432.
        let inv = base()
            .subnet("subnet-2", "vpc-1")
            .subnet("subnet-3", "vpc-1")
            .route_table("rtb-mb", "vpc-1", false, &["subnet-1"])
            .routes(
                "rtb-mb",
                vec![
                    route("10.0.0.0/16", RouteTarget::Local),
                    route(
                        "10.0.3.0/24",
                        RouteTarget::NetworkInterface("eni-mb".into()),
                    ),
                ],
            )
            .group(
                "sg-p",
                "p",
                vec![
                    egress("sgr-2", Protocol::All, L4Match::Any, cidr("0.0.0.0/0")),
                    ingress("sgr-3", Protocol::Tcp, ports(22, 22), group_peer("sg-1")),
                ],
            )
            .group(
                "sg-t",
                "t",
                vec![ingress(
                    "sgr-4",
                    Protocol::Tcp,
                    ports(5432, 5432),
                    cidr("10.0.0.0/16"),
                )],
            )
            .eni("eni-e1", &["10.0.1.1"], &["sg-1"])
            .eni("eni-mb", &["10.0.1.99"], &["sg-1"])
            .eni("eni-p1", &["10.0.2.1"], &["sg-p"])
            .placed("vpc-1", "subnet-2")
            .eni("eni-t", &["10.0.3.1"], &["sg-t"])
            .placed("vpc-1", "subnet-3")
            .inv;
        let r = from(&inv, "eni-e1", 1);
        assert_eq!(
            row(&r, "eni-t").map(|x| x.0),
            Some(Verdict::Unknown),
            "{r:#?}"
        );
        let r = from(&inv, "eni-e1", 2);
        assert_eq!(
            row(&r, "eni-t"),
            Some((Verdict::Allowed, 2, s(&["eni-p1"]), s(&["tcp 5432"])))
        );
    }
}
