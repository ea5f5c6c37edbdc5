//! Walking the class graph: what one class reaches within some hops, and the
//! shortest path to each class reached.

use super::graph::{summary, Graph};

/// Classes reached from one start, by distance (`layers[0]` is the start).
#[derive(Debug, Clone)]
pub struct Reach {
    /// The start classes (`layers[0]`).
    starts: Vec<u64>,
    layers: Vec<Vec<u64>>,
    with_maybe: bool,
}

fn has(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

fn ones(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut word = word;
        std::iter::from_fn(move || {
            if word == 0 {
                return None;
            }
            let i = word.trailing_zeros() as usize;
            word &= word - 1;
            Some(w * 64 + i)
        })
    })
}

/// Whether `row` and `other` share a bit, reading only the words both summaries name.
fn meets(row: &[u64], row_sum: &[u64], other: &[u64], other_sum: &[u64]) -> bool {
    row_sum
        .iter()
        .zip(other_sum)
        .enumerate()
        .any(|(s, (a, b))| ones(&[a & b]).any(|w| row[s * 64 + w] & other[s * 64 + w] != 0))
}

/// `into |= row`, over the words `row_sum` names.
fn or_into(into: &mut [u64], row: &[u64], row_sum: &[u64]) {
    for w in ones(row_sum) {
        into[w] |= row[w];
    }
}

impl Graph {
    /// The classes some class of `from` has an edge to (a bitset), e.g. what any
    /// pivot can reach: a walk can only reach those after its first hop.
    pub fn reachable_from(&self, from: &[u64], with_maybe: bool) -> Vec<u64> {
        let mut out = vec![0u64; self.words()];
        for b in 0..self.len() {
            let hit = |row: &[u64]| row.iter().zip(from).any(|(r, m)| r & m != 0);
            if hit(self.in_row(b)) || (with_maybe && hit(self.maybe_in_row(b))) {
                out[b / 64] |= 1 << (b % 64);
            }
        }
        out
    }

    /// Breadth-first from `start` up to `max_hops` hops, moving on only from the start
    /// and from classes in `pivots` (a bitset: hosts an attacker can take over), and
    /// looking only for classes in `wanted` (a bitset: the pivots and the classes the
    /// caller counts). `with_maybe` also follows edges the engine could not decide.
    pub fn reach(
        &self,
        start: usize,
        max_hops: usize,
        pivots: &[u64],
        wanted: &[u64],
        with_maybe: bool,
    ) -> Reach {
        let mut starts = vec![0u64; self.words()];
        starts[start / 64] |= 1 << (start % 64);
        self.reach_from(&starts, max_hops, pivots, wanted, with_maybe)
    }

    /// [`Graph::reach`] from several start classes at once (a bitset): the distance
    /// of each class is to its nearest start.
    pub fn reach_from(
        &self,
        starts: &[u64],
        max_hops: usize,
        pivots: &[u64],
        wanted: &[u64],
        with_maybe: bool,
    ) -> Reach {
        let words = self.words();
        let mut visited = starts.to_vec();
        let mut layers = vec![starts.to_vec()];
        // Classes still to find: wanted, not yet visited.
        let mut todo: Vec<u64> = wanted.iter().zip(&visited).map(|(w, v)| w & !v).collect();
        let mut unvisited: usize = todo.iter().map(|w| w.count_ones() as usize).sum();
        for _ in 0..max_hops {
            let frontier = &layers[layers.len() - 1];
            // Only the start and pivots move on.
            let mut movers = frontier.clone();
            if layers.len() > 1 {
                for (m, p) in movers.iter_mut().zip(pivots) {
                    *m &= p;
                }
            }
            let movers_count: usize = movers.iter().map(|w| w.count_ones() as usize).sum();
            let movers_sum = summary(&movers);
            let mut next = vec![0u64; words];
            // Top-down costs a row per mover; bottom-up a search per unvisited class,
            // usually cut short: pick the cheaper (direction-optimising BFS). Either way
            // only the words both sides have bits in are read.
            if movers_count * 4 > unvisited {
                for b in ones(&todo) {
                    if meets(self.in_row(b), self.in_row_summary(b), &movers, &movers_sum)
                        || (with_maybe
                            && meets(
                                self.maybe_in_row(b),
                                self.maybe_in_row_summary(b),
                                &movers,
                                &movers_sum,
                            ))
                    {
                        next[b / 64] |= 1 << (b % 64);
                    }
                }
            } else {
                for a in ones(&movers) {
                    or_into(&mut next, self.out_row(a), self.out_row_summary(a));
                    if with_maybe {
                        or_into(&mut next, self.maybe_row(a), self.maybe_row_summary(a));
                    }
                }
            }
            let mut any = false;
            for ((n, v), t) in next.iter_mut().zip(visited.iter_mut()).zip(todo.iter_mut()) {
                *n &= *t;
                *v |= *n;
                *t &= !*n;
                any |= *n != 0;
            }
            if !any {
                break;
            }
            unvisited -= next.iter().map(|w| w.count_ones() as usize).sum::<usize>();
            layers.push(next);
        }
        Reach {
            starts: starts.to_vec(),
            layers,
            with_maybe,
        }
    }
}

impl Reach {
    /// Hops from the start to `class`, if reached.
    pub fn distance(&self, class: usize) -> Option<usize> {
        self.layers.iter().position(|l| has(l, class))
    }

    /// Every class reached (not the start) with its distance, nearest first.
    pub fn reached(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.layers
            .iter()
            .enumerate()
            .skip(1)
            .flat_map(|(d, l)| ones(l).map(move |c| (c, d)))
    }

    /// A shortest path from the start to `to` (both included): at each step back, the
    /// smallest class of the previous layer that can move on and has the edge.
    pub fn path(&self, graph: &Graph, pivots: &[u64], to: usize) -> Option<Vec<usize>> {
        let d = self.distance(to)?;
        let mut path = vec![to];
        let mut current = to;
        for k in (0..d).rev() {
            let prev = ones(&self.layers[k]).find(|&p| {
                (has(&self.starts, p) || has(pivots, p))
                    && (graph.proven(p, current) || (self.with_maybe && graph.maybe(p, current)))
            })?;
            path.push(prev);
            current = prev;
        }
        path.reverse();
        Some(path)
    }
}
