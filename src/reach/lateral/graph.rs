//! The class graph: which lateral class can open which catalogue services on which,
//! for every pair of classes, without evaluating every pair from scratch.
//!
//! A hop's answer is the intersection of four parts: the source's egress rules at
//! the destination's address, the destination's ingress rules at the source's
//! address, both NACLs (request and replies), and the routes both ways. The pair
//! loop is organised so each part is computed once per what it depends on:
//!
//! - security-group rules naming addresses (CIDRs, prefix lists) are constant over an
//!   address atom, so they are evaluated once per class and *location* (subnet and
//!   atom) by sweeping the rule ranges over the locations sorted by address;
//! - rules naming groups only match the groups' members, a few classes each; those
//!   pairs are found from the members' addresses and evaluated one by one;
//! - NACLs and routes depend on the two locations only (routes on even less: the two
//!   route tables, VPCs, AZs and routing atoms), so they are computed once per
//!   location pair, routes memoised;
//! - classes without IPv4, and the pair of two members of one class, are evaluated
//!   one by one.
//!
//! Every part calls the same engine functions as the per-ENI query
//! ([`crate::reach::path::eni_to_eni`]), and the tests compare the two on every pair.

use std::net::IpAddr;
use std::ops::Range;
use std::sync::Arc;

use crate::inventory::{Direction, Inventory, PortRange};

use super::super::model::{FastMap, Model};
use super::super::nacl;
use super::super::path::private::{routing_answer, Answer, RoutingMemo};
use super::super::path::End;
use super::super::security_group::allowed_flows_split;
use super::atoms::Atoms;
use super::bits::{nacl_pass, AclPieces, Catalogue, Compiled};
use super::{lateral_classes, LateralClass};

/// The class graph of an estate would not fit the memory it may use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{classes} lateral classes over {locations} locations: the class graph would take \
     {} MiB, more than the {} MiB it may use",
    .bytes >> 20,
    .budget >> 20
)]
pub struct TooLarge {
    pub classes: usize,
    pub locations: usize,
    pub bytes: u64,
    pub budget: u64,
}

/// Which class opens which catalogue services on which, proven or possibly.
pub struct Graph {
    /// Ordered by location (subnet and address atom), IPv4 ones by address first.
    pub classes: Vec<LateralClass>,
    pub catalogue: Catalogue,
    /// Classes whose groups or NACL could not be evaluated at all, with why.
    pub unknown_classes: Vec<(usize, String)>,
    words: usize,
    proven: Vec<u64>,
    proven_in: Vec<u64>,
    maybe: Vec<u64>,
    maybe_in: Vec<u64>,
    /// Per row of each matrix above, which of its words are not zero (bit `w` for
    /// word `w`, [`summary`]): walks skip the empty stretches of a row, so their cost
    /// follows the edges rather than the square of the classes.
    proven_sum: Vec<u64>,
    proven_in_sum: Vec<u64>,
    maybe_sum: Vec<u64>,
    maybe_in_sum: Vec<u64>,
    by_eni: FastMap<String, usize>,
}

struct Flows {
    out_addr: Compiled,
    out_group: Compiled,
    in_addr: Compiled,
    in_group: Compiled,
}

#[derive(Clone)]
struct Side<'m, 'a> {
    end: End<'m, 'a>,
    v4: Option<IpAddr>,
    v6: Option<IpAddr>,
    flows: Arc<Flows>,
    /// Index into [`Acls::pieces`].
    acl: usize,
}

/// Every NACL in use, as (ingress, egress) pieces.
struct Acls<'a> {
    index: FastMap<&'a str, usize>,
    pieces: Vec<(AclPieces, AclPieces)>,
}

impl<'a> Acls<'a> {
    fn new() -> Self {
        Acls {
            index: FastMap::default(),
            pieces: Vec::new(),
        }
    }
}

/// Route answers from memoised parts (see [`routing_answer`]).
struct RouteCache<'a, 'r> {
    atoms: &'r Atoms,
    memo: RoutingMemo<'a>,
}

impl<'a, 'r> RouteCache<'a, 'r> {
    fn new(atoms: &'r Atoms) -> Self {
        RouteCache {
            atoms,
            memo: RoutingMemo::default(),
        }
    }

    fn answer(&mut self, a: &Side<'_, 'a>, b: &Side<'_, 'a>, src: IpAddr, dst: IpAddr) -> Answer {
        let same_region = std::ptr::eq(a.end.rm, b.end.rm);
        let atoms = (self.atoms.of(src), self.atoms.of(dst));
        routing_answer(&a.end, &b.end, src, dst, same_region, atoms, &mut self.memo)
    }
}

/// Classes sharing a subnet and address atoms: NACLs and routes treat them alike.
struct Location {
    classes: Range<usize>,
    /// Primary IPv4 address of the first class's representative, if the classes
    /// have IPv4.
    v4: Option<u32>,
}

/// The IPv4 pair when both ends have one, else the IPv6 pair.
fn family(a: &Side, b: &Side) -> Option<(IpAddr, IpAddr)> {
    match (a.v4, b.v4) {
        (Some(s), Some(d)) => Some((s, d)),
        _ => Some((a.v6?, b.v6?)),
    }
}

/// Proven and possible points from `a` to `b`, evaluated pair by pair.
fn pair<'a>(
    a: &Side<'_, 'a>,
    b: &Side<'_, 'a>,
    acls: &Acls,
    routes: &mut RouteCache<'a, '_>,
) -> (u64, u64) {
    let Some((src, dst)) = family(a, b) else {
        return (0, 0);
    };
    let sg = (a.flows.out_addr.at(dst) | a.flows.out_group.at(dst))
        & (b.flows.in_addr.at(src) | b.flows.in_group.at(src));
    if sg == 0 {
        return (0, 0);
    }
    let bits = sg & acl_bits(a, b, src, dst, acls);
    if bits == 0 {
        return (0, 0);
    }
    match routes.answer(a, b, src, dst) {
        Answer::Allowed => (bits, 0),
        Answer::Unknown => (0, bits),
        Answer::Blocked => (0, 0),
    }
}

/// The points both NACLs pass; all of them inside one subnet (no NACL is crossed).
fn acl_bits(a: &Side, b: &Side, src: IpAddr, dst: IpAddr, acls: &Acls) -> u64 {
    if std::ptr::eq(a.end.rm, b.end.rm) && a.end.eni.subnet_id == b.end.eni.subnet_id {
        return u64::MAX;
    }
    let (a_in, a_out) = &acls.pieces[a.acl];
    let (b_in, b_out) = &acls.pieces[b.acl];
    nacl_pass(a_out.at(dst), b_in.at(src), b_out.at(src), a_in.at(dst))
}

fn side<'m, 'a>(
    model: &'m Model<'a>,
    inv: &'a Inventory,
    eni: &str,
    cat: &Catalogue,
    acls: &mut Acls<'a>,
    replies: &[(u64, crate::reach::sets::ServiceSet)],
) -> Result<Side<'m, 'a>, String> {
    side_parts(model, inv, eni, cat).map(|parts| parts.into_side(cat, acls, replies))
}

/// A [`Side`] but for its NACL's index: what can be worked out on any thread.
struct SideParts<'m, 'a> {
    end: End<'m, 'a>,
    acl: &'a crate::inventory::NetworkAcl,
    flows: Flows,
}

fn side_parts<'m, 'a>(
    model: &'m Model<'a>,
    inv: &'a Inventory,
    eni: &str,
    cat: &Catalogue,
) -> Result<SideParts<'m, 'a>, String> {
    let end = End::locate(model, inv, eni)?;
    let acl = end.acl()?;
    let (out_addr, out_group) = allowed_flows_split(model, eni, Direction::Egress)?;
    let (in_addr, in_group) = allowed_flows_split(model, eni, Direction::Ingress)?;
    Ok(SideParts {
        end,
        acl,
        flows: Flows {
            out_addr: Compiled::of(&out_addr, cat),
            out_group: Compiled::of(&out_group, cat),
            in_addr: Compiled::of(&in_addr, cat),
            in_group: Compiled::of(&in_group, cat),
        },
    })
}

impl<'m, 'a> SideParts<'m, 'a> {
    fn into_side(
        self,
        cat: &Catalogue,
        acls: &mut Acls<'a>,
        replies: &[(u64, crate::reach::sets::ServiceSet)],
    ) -> Side<'m, 'a> {
        let acl = self.acl;
        let next = acls.pieces.len();
        let acl_index = *acls.index.entry(acl.id.as_str()).or_insert(next);
        if acl_index == next {
            acls.pieces.push((
                AclPieces::new(nacl::allowed_flows(acl, Direction::Ingress), cat, replies),
                AclPieces::new(nacl::allowed_flows(acl, Direction::Egress), cat, replies),
            ));
        }
        Side {
            v4: self.end.private_ip(false),
            v6: self.end.private_ip(true),
            end: self.end,
            flows: Arc::new(self.flows),
            acl: acl_index,
        }
    }
}

fn v4_bits(addr: Option<IpAddr>) -> Option<u32> {
    match addr {
        Some(IpAddr::V4(a)) => Some(u32::from(a)),
        _ => None,
    }
}

/// The rows of the reversed edges.
fn transpose(rows: &[u64], n: usize, words: usize) -> Vec<u64> {
    let mut out = vec![0u64; n * words];
    for a in 0..n {
        for w in 0..words {
            let mut bits = rows[a * words + w];
            while bits != 0 {
                let b = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                set(&mut out, words, b, a);
            }
        }
    }
    out
}

/// Bitset rows: `rows[a * words + b / 64]` bit `b % 64`.
fn set(rows: &mut [u64], words: usize, a: usize, b: usize) {
    rows[a * words + b / 64] |= 1 << (b % 64);
}

/// Which words of `bits` are not zero, as a bitset of `bits.len().div_ceil(64)` words.
pub(super) fn summary(bits: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; bits.len().div_ceil(64)];
    for (w, &word) in bits.iter().enumerate() {
        if word != 0 {
            out[w / 64] |= 1 << (w % 64);
        }
    }
    out
}

/// [`summary`] of each row of `rows`, one after the other.
fn summarise(rows: &[u64], words: usize) -> Vec<u64> {
    rows.chunks(words).flat_map(summary).collect()
}

fn get(rows: &[u64], words: usize, a: usize, b: usize) -> bool {
    rows[a * words + b / 64] & (1 << (b % 64)) != 0
}

impl Graph {
    /// The graph of every class of the inventory over `catalogue`, with clients on
    /// `ephemeral` ports, unless its tables would take more than `budget` bytes.
    pub fn build(
        model: &Model,
        inv: &Inventory,
        catalogue: Catalogue,
        ephemeral: PortRange,
        budget: u64,
    ) -> Result<Graph, TooLarge> {
        let started = std::time::Instant::now();
        let cat = &catalogue;
        let replies = cat.replies(ephemeral);
        let mut acls = Acls::new();
        let unordered = lateral_classes(model, inv);
        // The groups' flows on every core; NACLs numbered in class order after.
        let parts: Vec<Result<SideParts, String>> = {
            use rayon::prelude::*;
            unordered
                .par_iter()
                .map(|c| side_parts(model, inv, &c.enis[0], cat))
                .collect()
        };
        let sides_unordered: Vec<Result<Side, String>> = parts
            .into_iter()
            .map(|p| p.map(|p| p.into_side(cat, &mut acls, &replies)))
            .collect();

        // Order classes by location: IPv4 locations by address, then the rest.
        let loc_key = |i: usize| {
            let c = &unordered[i];
            (
                c.key.class.account_id.as_str(),
                c.key.class.region.as_str(),
                c.key.class.subnet_id.as_str(),
                c.key.v4_atom,
                c.key.v6_atom,
            )
        };
        let rep_v4 = |i: usize| match &sides_unordered[i] {
            Ok(s) => v4_bits(s.v4),
            Err(_) => model
                .locate_eni(&unordered[i].enis[0])
                .ok()
                .and_then(|(_, e)| e.private_ipv4s.first().map(|&a| u32::from(a))),
        };
        let mut by_loc: FastMap<_, Vec<usize>> = FastMap::default();
        for i in 0..unordered.len() {
            by_loc.entry(loc_key(i)).or_default().push(i);
        }
        let mut locs: Vec<(Option<u32>, _, Vec<usize>)> = by_loc
            .into_iter()
            .map(|(k, members)| (members.iter().find_map(|&i| rep_v4(i)), k, members))
            .collect();
        locs.sort_by(|x, y| (x.0.is_none(), x.0, x.1).cmp(&(y.0.is_none(), y.0, y.1)));
        let mut order = Vec::with_capacity(unordered.len());
        let mut locations = Vec::with_capacity(locs.len());
        for (v4, _, members) in &locs {
            let start = order.len();
            order.extend(members.iter().copied());
            locations.push(Location {
                classes: start..order.len(),
                v4: *v4,
            });
        }
        let mut slots: Vec<Option<LateralClass>> = unordered.into_iter().map(Some).collect();
        let mut side_slots: Vec<Option<Result<Side, String>>> =
            sides_unordered.into_iter().map(Some).collect();
        let mut classes = Vec::with_capacity(order.len());
        let mut sides = Vec::with_capacity(order.len());
        for &i in &order {
            classes.extend(slots[i].take());
            sides.extend(side_slots[i].take());
        }
        let n = classes.len();
        let words = n.div_ceil(64).max(1);
        tracing::debug!(
            classes = n,
            locations = locations.len(),
            "lateral: classes and sides in {:?}",
            started.elapsed()
        );
        let unknown_classes: Vec<(usize, String)> = sides
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().err().map(|e| (i, e.clone())))
            .collect();
        let sides: Vec<Option<Side>> = sides.into_iter().map(Result::ok).collect();

        let v4_locs = locations.iter().take_while(|l| l.v4.is_some()).count();
        // Four n-by-n bit matrices and the ingress table (a word per IPv4 location and
        // class): asked for beyond the budget, the allocation would abort the process.
        let bytes = 8 * (4 * n as u64 * words as u64 + v4_locs as u64 * n as u64);
        if bytes > budget {
            return Err(TooLarge {
                classes: n,
                locations: locations.len(),
                bytes,
                budget,
            });
        }
        let loc_addrs: Vec<u32> = locations[..v4_locs].iter().filter_map(|l| l.v4).collect();

        // Ingress rules naming addresses, per (source location, destination class).
        let mut ingress = vec![0u64; v4_locs * n];
        let mut row = vec![0u64; v4_locs];
        for (b, s) in sides.iter().enumerate() {
            let Some(s) = s else { continue };
            if s.v4.is_none() {
                continue;
            }
            row.iter_mut().for_each(|r| *r = 0);
            s.flows.in_addr.sweep_v4(&loc_addrs, &mut row);
            for (l, bits) in row.iter().enumerate() {
                ingress[l * n + b] = *bits;
            }
        }

        tracing::debug!("lateral: ingress table in {:?}", started.elapsed());
        let routing_atoms = Atoms::routing(inv);
        let mut proven = vec![0u64; n * words];
        let mut maybe = vec![0u64; n * words];
        let profiles = route_profiles(&sides, &locations[..v4_locs], &routing_atoms);
        let dense = Dense {
            sides: &sides,
            locations: &locations[..v4_locs],
            loc_addrs: &loc_addrs,
            ingress: &ingress,
            acls: &acls,
            n,
            words,
            atoms: &routing_atoms,
            profiles: &profiles,
        };
        // Source locations in chunks, on every core: each chunk owns its rows.
        {
            use rayon::prelude::*;
            let chunk = v4_locs.div_ceil(64).max(1);
            let mut jobs = Vec::new();
            let (mut p_rest, mut m_rest) = (&mut proven[..], &mut maybe[..]);
            let mut first = 0;
            for start in (0..v4_locs).step_by(chunk) {
                let end = (start + chunk).min(v4_locs);
                let last = locations[end - 1].classes.end;
                let (p, pr) = std::mem::take(&mut p_rest).split_at_mut((last - first) * words);
                let (m, mr) = std::mem::take(&mut m_rest).split_at_mut((last - first) * words);
                jobs.push((start..end, first, p, m));
                (p_rest, m_rest, first) = (pr, mr, last);
            }
            jobs.into_par_iter()
                .for_each(|(locs, first, p, m)| dense.run(locs, first, p, m));
        }

        tracing::debug!("lateral: address pairs in {:?}", started.elapsed());
        // Rules naming groups: the members' classes, pair by pair.
        let mut routes = RouteCache::new(&routing_atoms);
        let mut class_addrs: Vec<(u32, usize)> = sides
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((v4_bits(s.as_ref()?.v4)?, i)))
            .collect();
        class_addrs.sort_unstable();
        let sorted_addrs: Vec<u32> = class_addrs.iter().map(|(a, _)| *a).collect();
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for (i, s) in sides.iter().enumerate() {
            let Some(s) = s else { continue };
            for (hit, _) in s.flows.in_group.hits_v4(&sorted_addrs) {
                candidates.push((class_addrs[hit].1, i));
            }
            for (hit, _) in s.flows.out_group.hits_v4(&sorted_addrs) {
                candidates.push((i, class_addrs[hit].1));
            }
        }
        // Classes without IPv4 talk IPv6 to everyone with IPv6.
        let v6_only: Vec<usize> = (0..n)
            .filter(|&i| {
                sides[i]
                    .as_ref()
                    .is_some_and(|s| s.v4.is_none() && s.v6.is_some())
            })
            .collect();
        let with_v6: Vec<usize> = (0..n)
            .filter(|&i| sides[i].as_ref().is_some_and(|s| s.v6.is_some()))
            .collect();
        for &a in &v6_only {
            for &b in &with_v6 {
                candidates.push((a, b));
                candidates.push((b, a));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        tracing::debug!(pairs = candidates.len(), "lateral: group-reference pairs");
        for (a, b) in candidates {
            if a == b {
                continue;
            }
            let (Some(sa), Some(sb)) = (&sides[a], &sides[b]) else {
                continue;
            };
            let (p, m) = pair(sa, sb, &acls, &mut routes);
            if p != 0 {
                set(&mut proven, words, a, b);
            } else if m != 0 && !get(&proven, words, a, b) {
                set(&mut maybe, words, a, b);
            }
        }
        // Two members of one class: the second member stands for the destination.
        for (i, c) in classes.iter().enumerate() {
            let (Some(sa), Some(second)) = (&sides[i], c.enis.get(1)) else {
                continue;
            };
            let Ok(end) = End::locate(model, inv, second) else {
                continue;
            };
            let sb = Side {
                v4: end.private_ip(false),
                v6: end.private_ip(true),
                end,
                ..sa.clone()
            };
            let (p, m) = pair(sa, &sb, &acls, &mut routes);
            if p != 0 {
                set(&mut proven, words, i, i);
            } else if m != 0 {
                set(&mut maybe, words, i, i);
            }
        }
        // A proven edge is not also a possible one.
        for (m, p) in maybe.iter_mut().zip(&proven) {
            *m &= !p;
        }
        let (proven_in, maybe_in) = rayon::join(
            || transpose(&proven, n, words),
            || transpose(&maybe, n, words),
        );
        tracing::debug!(
            edges = proven.iter().map(|w| w.count_ones()).sum::<u32>(),
            "lateral: graph in {:?}",
            started.elapsed()
        );
        let by_eni = classes
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.enis.iter().map(move |e| (e.clone(), i)))
            .collect();
        Ok(Graph {
            classes,
            catalogue,
            unknown_classes,
            words,
            proven_sum: summarise(&proven, words),
            proven_in_sum: summarise(&proven_in, words),
            maybe_sum: summarise(&maybe, words),
            maybe_in_sum: summarise(&maybe_in, words),
            proven,
            proven_in,
            maybe,
            maybe_in,
            by_eni,
        })
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The class of an ENI.
    pub fn class_of(&self, eni: &str) -> Option<usize> {
        self.by_eni.get(eni).copied()
    }

    /// Words per bitset row.
    pub fn words(&self) -> usize {
        self.words
    }

    /// Whether every ENI of `a` can open some catalogue service on every ENI of `b`.
    pub fn proven(&self, a: usize, b: usize) -> bool {
        get(&self.proven, self.words, a, b)
    }

    /// Whether the engine could not decide, and `a` may reach `b`.
    pub fn maybe(&self, a: usize, b: usize) -> bool {
        get(&self.maybe, self.words, a, b)
    }

    /// Classes `a` reaches, as a bitset.
    pub fn out_row(&self, a: usize) -> &[u64] {
        &self.proven[a * self.words..(a + 1) * self.words]
    }

    /// Classes `a` may reach (undecided), as a bitset.
    pub fn maybe_row(&self, a: usize) -> &[u64] {
        &self.maybe[a * self.words..(a + 1) * self.words]
    }

    /// Classes that reach `b`, as a bitset.
    pub fn in_row(&self, b: usize) -> &[u64] {
        &self.proven_in[b * self.words..(b + 1) * self.words]
    }

    /// Classes that may reach `b` (undecided), as a bitset.
    pub fn maybe_in_row(&self, b: usize) -> &[u64] {
        &self.maybe_in[b * self.words..(b + 1) * self.words]
    }

    /// Words of a row's summary (see [`Graph::out_row_summary`]).
    fn summary_words(&self) -> usize {
        self.words.div_ceil(64)
    }

    /// Which words of [`Graph::out_row`] are not zero, as a bitset.
    pub fn out_row_summary(&self, a: usize) -> &[u64] {
        let s = self.summary_words();
        &self.proven_sum[a * s..(a + 1) * s]
    }

    /// Which words of [`Graph::maybe_row`] are not zero.
    pub fn maybe_row_summary(&self, a: usize) -> &[u64] {
        let s = self.summary_words();
        &self.maybe_sum[a * s..(a + 1) * s]
    }

    /// Which words of [`Graph::in_row`] are not zero.
    pub fn in_row_summary(&self, b: usize) -> &[u64] {
        let s = self.summary_words();
        &self.proven_in_sum[b * s..(b + 1) * s]
    }

    /// Which words of [`Graph::maybe_in_row`] are not zero.
    pub fn maybe_in_row_summary(&self, b: usize) -> &[u64] {
        let s = self.summary_words();
        &self.maybe_in_sum[b * s..(b + 1) * s]
    }

    /// Number of proven edges.
    pub fn edge_count(&self) -> usize {
        self.proven.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// What a location's route answers depend on: the region, VPC, route table and AZ
/// of its subnet and the routing atom of its address (see [`routing_answer`]'s
/// memo), interned: two locations with one profile route alike to and from anyone.
fn route_profiles(sides: &[Option<Side>], locations: &[Location], atoms: &Atoms) -> Profiles {
    type Key<'x> = (usize, &'x str, Option<usize>, Option<&'x str>, usize);
    let mut index: FastMap<Key, usize> = FastMap::default();
    let mut of = Vec::with_capacity(locations.len());
    for loc in locations {
        let rep = loc.classes.clone().find_map(|c| sides[c].as_ref());
        let key = rep.and_then(|r| {
            let ip = r.v4?;
            Some((
                r.end.rm as *const _ as usize,
                r.end.eni.vpc_id.as_str(),
                r.end.table().ok().map(|t| t as *const _ as usize),
                r.end
                    .rm
                    .subnet(&r.end.eni.subnet_id)
                    .map(|s| s.availability_zone),
                atoms.of(ip),
            ))
        });
        of.push(key.map(|k| {
            let next = index.len();
            *index.entry(k).or_insert(next)
        }));
    }
    Profiles { of }
}

struct Profiles {
    /// Per location; `None` without a representative with IPv4.
    of: Vec<Option<usize>>,
}

/// The pair loop over IPv4 locations; see the module documentation.
struct Dense<'s, 'm, 'a> {
    sides: &'s [Option<Side<'m, 'a>>],
    locations: &'s [Location],
    loc_addrs: &'s [u32],
    /// `ingress[location * n + class]`.
    ingress: &'s [u64],
    acls: &'s Acls<'a>,
    n: usize,
    words: usize,
    atoms: &'s Atoms,
    profiles: &'s Profiles,
}

impl<'s, 'm, 'a> Dense<'s, 'm, 'a> {
    /// Rows of the classes of `locs`, written to `proven` and `maybe`, whose first
    /// row is class `first`.
    fn run(&self, locs: Range<usize>, first: usize, proven: &mut [u64], maybe: &mut [u64]) {
        let mut routes = RouteCache::new(self.atoms);
        // Route answers by (source profile, destination profile), as met: a table of
        // every pair would cost the square of the profiles in every job.
        let mut by_profile: FastMap<(usize, usize), Answer> = FastMap::default();
        let nl = self.locations.len();
        let (mut row_p, mut row_m) = (vec![0u64; nl], vec![0u64; nl]);
        for la in locs {
            let loc_a = &self.locations[la];
            let Some(rep_a) = loc_a.classes.clone().find_map(|c| self.sides[c].as_ref()) else {
                continue;
            };
            let (Some(src), Some(pa)) = (rep_a.v4, self.profiles.of[la]) else {
                continue;
            };
            // NACLs and routes for this source location to every other.
            for (lb, loc_b) in self.locations.iter().enumerate() {
                row_p[lb] = 0;
                row_m[lb] = 0;
                let Some(rep_b) = loc_b.classes.clone().find_map(|c| self.sides[c].as_ref()) else {
                    continue;
                };
                let (Some(dst), Some(pb)) = (rep_b.v4, self.profiles.of[lb]) else {
                    continue;
                };
                let nb = acl_bits(rep_a, rep_b, src, dst, self.acls);
                if nb == 0 {
                    continue;
                }
                let answer = *by_profile
                    .entry((pa, pb))
                    .or_insert_with(|| routes.answer(rep_a, rep_b, src, dst));
                match answer {
                    Answer::Allowed => row_p[lb] = nb,
                    Answer::Unknown => row_m[lb] = nb,
                    Answer::Blocked => {}
                }
            }
            let ingress = &self.ingress[la * self.n..(la + 1) * self.n];
            // Classes of this location whose egress rules allow the same points at
            // every location have the same row but for each other's bits.
            let mut seen: FastMap<Vec<u64>, usize> = FastMap::default();
            for a in loc_a.classes.clone() {
                let Some(sa) = &self.sides[a] else { continue };
                let mut egress = vec![0u64; nl];
                sa.flows.out_addr.sweep_v4(self.loc_addrs, &mut egress);
                let row = (a - first) * self.words;
                if let Some(&twin) = seen.get(&egress) {
                    let from = (twin - first) * self.words;
                    proven.copy_within(from..from + self.words, row);
                    maybe.copy_within(from..from + self.words, row);
                    let (w, bit) = (row + a / 64, 1u64 << (a % 64));
                    proven[w] &= !bit;
                    maybe[w] &= !bit;
                    // The twin's row left the twin out; this one decides it.
                    let (pb, mb) = (egress[la] & row_p[la], egress[la] & row_m[la]);
                    mark(
                        proven,
                        maybe,
                        row,
                        twin,
                        pb & ingress[twin],
                        mb & ingress[twin],
                    );
                    continue;
                }
                for (lb, loc_b) in self.locations.iter().enumerate() {
                    let (pb, mb) = (egress[lb] & row_p[lb], egress[lb] & row_m[lb]);
                    if pb | mb == 0 {
                        continue;
                    }
                    for b in loc_b.classes.clone() {
                        if b == a || self.sides[b].is_none() {
                            continue;
                        }
                        mark(proven, maybe, row, b, pb & ingress[b], mb & ingress[b]);
                    }
                }
                seen.insert(egress, a);
            }
        }
    }
}

/// Sets bit `b` of the row at `row` in `proven` when the `proven_bits` points pass,
/// else in `maybe` when the `maybe_bits` ones do.
fn mark(
    proven: &mut [u64],
    maybe: &mut [u64],
    row: usize,
    b: usize,
    proven_bits: u64,
    maybe_bits: u64,
) {
    let (w, bit) = (row + b / 64, 1u64 << (b % 64));
    if proven_bits != 0 {
        proven[w] |= bit;
    } else if maybe_bits != 0 {
        maybe[w] |= bit;
    }
}

/// Pair-by-pair evaluation of catalogue points between ENIs, reusing what it has
/// computed (groups, NACLs, routes) across calls.
pub struct Pairs<'m, 'a> {
    model: &'m Model<'a>,
    inv: &'a Inventory,
    catalogue: Catalogue,
    replies: Vec<(u64, crate::reach::sets::ServiceSet)>,
    acls: Acls<'a>,
    atoms: Atoms,
    memo: RoutingMemo<'a>,
    sides: FastMap<String, Result<Side<'m, 'a>, String>>,
}

impl<'m, 'a> Pairs<'m, 'a> {
    pub fn new(
        model: &'m Model<'a>,
        inv: &'a Inventory,
        catalogue: &Catalogue,
        ephemeral: PortRange,
    ) -> Self {
        Pairs {
            model,
            inv,
            replies: catalogue.replies(ephemeral),
            catalogue: catalogue.clone(),
            acls: Acls::new(),
            atoms: Atoms::routing(inv),
            memo: RoutingMemo::default(),
            sides: FastMap::default(),
        }
    }

    fn side(&mut self, eni: &str) -> Result<Side<'m, 'a>, String> {
        if let Some(s) = self.sides.get(eni) {
            return s.clone();
        }
        let s = side(
            self.model,
            self.inv,
            eni,
            &self.catalogue,
            &mut self.acls,
            &self.replies,
        );
        self.sides.insert(eni.to_string(), s.clone());
        s
    }

    /// Proven and possible points from `src_eni` to `dst_eni`.
    pub fn points(&mut self, src_eni: &str, dst_eni: &str) -> Result<(u64, u64), String> {
        let a = self.side(src_eni)?;
        let b = self.side(dst_eni)?;
        let mut routes = RouteCache {
            atoms: &self.atoms,
            memo: std::mem::take(&mut self.memo),
        };
        let answer = pair(&a, &b, &self.acls, &mut routes);
        self.memo = routes.memo;
        Ok(answer)
    }
}

/// Proven and possible catalogue points from `src_eni` to `dst_eni`, evaluated
/// directly (for reports, and as the reference the graph is tested against).
pub fn pair_points(
    model: &Model,
    inv: &Inventory,
    src_eni: &str,
    dst_eni: &str,
    catalogue: &Catalogue,
    ephemeral: PortRange,
) -> Result<(u64, u64), String> {
    Pairs::new(model, inv, catalogue, ephemeral).points(src_eni, dst_eni)
}
