//! Walking the class graph: what one class reaches within some hops, and the
//! shortest path to each class reached.

use super::graph::Graph;

/// Classes reached from one start, by distance (`layers[0]` is the start).
#[derive(Debug, Clone)]
pub struct Reach {
    start: usize,
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

impl Graph {
    /// Breadth-first from `start` up to `max_hops` hops, moving on only from the start
    /// and from classes in `pivots` (a bitset: hosts an attacker can take over).
    /// `with_maybe` also follows edges the engine could not decide.
    pub fn reach(&self, start: usize, max_hops: usize, pivots: &[u64], with_maybe: bool) -> Reach {
        let words = self.words();
        let mut visited = vec![0u64; words];
        let mut first = vec![0u64; words];
        first[start / 64] |= 1 << (start % 64);
        visited[start / 64] |= 1 << (start % 64);
        let mut layers = vec![first];
        for _ in 0..max_hops {
            let frontier = &layers[layers.len() - 1];
            let mut next = vec![0u64; words];
            for a in ones(frontier) {
                if a != start && !has(pivots, a) {
                    continue;
                }
                for (n, o) in next.iter_mut().zip(self.out_row(a)) {
                    *n |= o;
                }
                if with_maybe {
                    for (n, o) in next.iter_mut().zip(self.maybe_row(a)) {
                        *n |= o;
                    }
                }
            }
            let mut any = false;
            for (n, v) in next.iter_mut().zip(visited.iter_mut()) {
                *n &= !*v;
                *v |= *n;
                any |= *n != 0;
            }
            if !any {
                break;
            }
            layers.push(next);
        }
        Reach {
            start,
            layers,
            with_maybe,
        }
    }
}

impl Reach {
    pub fn start(&self) -> usize {
        self.start
    }

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
                (p == self.start || has(pivots, p))
                    && (graph.proven(p, current) || (self.with_maybe && graph.maybe(p, current)))
            })?;
            path.push(prev);
            current = prev;
        }
        path.reverse();
        Some(path)
    }
}
