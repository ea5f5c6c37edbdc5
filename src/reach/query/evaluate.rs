//! The per-connection engine (`reach::path`) on one representative point: to confirm
//! each piece of an exact service set, and to explain a blocked or unknown answer
//! with the same steps the checks use.

use std::net::IpAddr;

use crate::answer::reach::Layer;

use super::super::firewall::port_cuts;
use super::super::path::{eni_to_eni, eni_to_internet, internet_to_eni};
use super::super::sets::{public_internet, FlowSet, IpSet, ServicePoint, ServiceSet};
use super::super::verdict::{describe_point, Evaluation};
use super::change::Context;
use super::exact::{addresses, first_addr, some_public, Exact};
use super::hops::layer_of;
use super::represent::representative;
use super::service::{pieces, split_at};
use super::Index;

/// Why services past the first point of a piece are undecided when the firewall's
/// rules could not be read for the ports they tell apart.
const PER_PORT: &str = "Network Firewall rules decide per port: ask with --port";

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

/// The names of the firewall policies an evaluation applied (`firewall policy
/// NAME` steps), and whether it met a Network Firewall at all.
fn firewalls_met(e: &Evaluation) -> (bool, Vec<&str>) {
    let met = e
        .steps
        .iter()
        .any(|s| layer_of(s) == Layer::NetworkFirewall);
    let mut names: Vec<&str> = e
        .steps
        .iter()
        .filter_map(|s| s.component.strip_prefix("firewall policy "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    names.sort_unstable();
    names.dedup();
    (met, names)
}

impl<'m, 'a> Index<'m, 'a> {
    /// Where the firewalls `e` passed through may answer ports differently: `None`
    /// when it met none, `Err` when their rules' ports are not all known.
    fn firewall_cuts(&self, e: &Evaluation) -> Option<Result<Vec<u16>, String>> {
        let (met, names) = firewalls_met(e);
        if !met {
            return None;
        }
        if names.is_empty() {
            return Some(Err("the firewall's policy was not applied".into()));
        }
        let mut cuts = Vec::new();
        for name in names {
            let mut found = false;
            for (_, ri) in self.inv.regions() {
                let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
                for policy in ri.firewall_policies.iter().filter(|p| p.name == name) {
                    found = true;
                    match port_cuts(policy, &lookup) {
                        Ok(c) => cuts.extend(c),
                        Err(r) => return Some(Err(r)),
                    }
                }
            }
            if !found {
                return Some(Err(format!(
                    "firewall policy {name} is not in the inventory"
                )));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        Some(Ok(cuts))
    }

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
            // A firewall may tell ports of the piece apart: one evaluation per part
            // its rules cannot, else only `p` is known.
            let mut decided: Vec<(ServiceSet, Evaluation)> = Vec::new();
            match self.firewall_cuts(&e) {
                None => decided.push((piece, e)),
                Some(Ok(cuts)) => {
                    for part in split_at(&piece, &cuts) {
                        if part.contains(p) {
                            decided.push((part, e.clone()));
                        } else if let Some(q) = part.first() {
                            let (f, _) = self.evaluate(conn, q, flows.as_ref());
                            decided.push((part, f));
                        }
                    }
                }
                Some(Err(_)) => {
                    let one = ServiceSet::from_point(p);
                    let rest = piece.difference(&one);
                    if !rest.is_empty() {
                        exact.maybe = exact.maybe.union(&rest);
                        exact.reason.get_or_insert_with(|| PER_PORT.to_string());
                    }
                    decided.push((one, e));
                }
            }
            for (piece, e) in decided {
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
                    // The egress candidates are only groups and NACL: the rest of
                    // the way (routes, NAT, gateways, firewall) is the engine's to
                    // decide.
                    exact.stage = exact.stage.max(2);
                }
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

#[cfg(test)]
mod tests {
    use crate::inventory::{Inventory, RuleSource};
    use crate::reach::sets::{ServicePoint, ServiceSet};
    use crate::reach::Model;

    use super::super::{Index, Question};

    /// The demo with `drop tcp any any -> any 5432` ahead of the pass-all rule of
    /// the egress firewall's first stateful group.
    fn demo_dropping_5432() -> Inventory {
        demo_with(|rules| format!("drop tcp any any -> any 5432 (sid:99;)\n{rules}"))
    }

    fn demo_with(edit: impl Fn(&str) -> String) -> Inventory {
        let mut inv = crate::demo::inventory().expect("the demo loads");
        let mut edited = false;
        for a in &mut inv.accounts {
            for r in &mut a.regions {
                for g in &mut r.firewall_rule_groups {
                    if let (true, RuleSource::RulesString { rules }) =
                        (g.name == "lk-pass-all", &mut g.source)
                    {
                        *rules = edit(rules);
                        edited = true;
                    }
                }
            }
        }
        assert!(edited, "the demo has the lk-pass-all group");
        inv
    }

    const SRC: &str = "eni-decf2fbabf8c76c10";

    /// What `shown` proves from the source to the internet, and what the report says.
    fn allowed(inv: &Inventory, port: Option<&str>) -> (ServiceSet, Vec<String>) {
        let model = Model::build(inv);
        let index = Index::build(&model, inv);
        let asked = port.map_or_else(ServiceSet::all, |p| {
            super::super::parse_service(p).expect("parses")
        });
        let a = index
            .enis
            .iter()
            .position(|e| e.eni.id == SRC)
            .expect("the demo has the source");
        let proven = index.shown(super::Conn::Out(a, None), &asked).exact.proven;
        let r = index
            .ask(&Question {
                from: Some(SRC.into()),
                to: Some("internet".into()),
                service: port.map(str::to_string),
                max_hops: 1,
            })
            .expect("answers");
        (proven, r.services)
    }

    #[test]
    fn a_firewall_dropping_one_port_leaves_it_out_of_the_services() {
        let inv = demo_dropping_5432();
        for port in [None, Some("tcp/5000-6000")] {
            let (proven, words) = allowed(&inv, port);
            assert!(
                !proven.contains(ServicePoint::Tcp(5432)),
                "{port:?}: {proven}"
            );
            assert!(
                proven.contains(ServicePoint::Tcp(5431)),
                "{port:?}: {proven}"
            );
            assert!(
                proven.contains(ServicePoint::Tcp(5433)),
                "{port:?}: {proven}"
            );
            assert!(words.iter().any(|w| w.contains("5433")), "{words:?}");
        }
        let (proven, words) = allowed(&inv, Some("tcp/5432"));
        assert!(proven.is_empty() && words.is_empty(), "{proven} {words:?}");
        // Without the drop rule the whole of TCP goes out, as before.
        let demo = crate::demo::inventory().expect("the demo loads");
        let (proven, _) = allowed(&demo, None);
        assert!(proven.contains(ServicePoint::Tcp(5432)), "{proven}");
    }

    #[test]
    fn ports_a_firewall_rule_names_unreadably_are_undecided_past_the_first() {
        // After the pass-all rule: never reached, but its ports cannot be known.
        let inv = demo_with(|rules| format!("{rules}drop tcp any any -> any $NOPE (sid:98;)\n"));
        let model = Model::build(&inv);
        let index = Index::build(&model, &inv);
        let a = index
            .enis
            .iter()
            .position(|e| e.eni.id == SRC)
            .expect("the demo has the source");
        let tcp = super::super::parse_service("tcp").expect("parses");
        let x = index.shown(super::Conn::Out(a, None), &tcp).exact;
        assert_eq!(x.proven, ServiceSet::from_point(ServicePoint::Tcp(0)));
        assert!(x.maybe.contains(ServicePoint::Tcp(5432)), "{}", x.maybe);
        assert_eq!(x.reason.as_deref(), Some(super::PER_PORT));
    }

    #[test]
    fn split_at_cuts_ported_pieces_only() {
        use crate::inventory::{L4Match, PortRange, Protocol};
        let tcp = ServiceSet::from_rule(
            Protocol::Tcp,
            L4Match::Ports(PortRange {
                from: 5000,
                to: 6000,
            }),
        );
        let parts = super::split_at(&tcp, &[53, 5432, 5433]);
        let words: Vec<String> = parts.iter().map(ServiceSet::to_string).collect();
        assert_eq!(words, ["tcp 5000-5431", "tcp 5432", "tcp 5433-6000"]);
        let icmp = ServiceSet::from_rule(Protocol::Icmp, L4Match::Any);
        assert_eq!(super::split_at(&icmp, &[5432]), vec![icmp]);
    }
}
