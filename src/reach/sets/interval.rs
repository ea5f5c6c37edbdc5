//! Sets of unsigned integers stored as sorted, disjoint, coalesced inclusive intervals.
//!
//! Every operation is a linear merge over the interval lists; no operation ever
//! touches individual elements, so a set over `u128` costs the same as one over `u16`.

use std::fmt;
use std::hash::Hash;

/// An unsigned integer type usable as the universe of an [`IntervalSet`].
pub trait Bound: Copy + Ord + Hash + fmt::Debug + fmt::Display {
    /// Smallest value of the universe.
    const MIN: Self;
    /// Largest value of the universe.
    const MAX: Self;
    /// `self + 1`; only called when `self < MAX`.
    fn succ(self) -> Self;
    /// `self - 1`; only called when `self > MIN`.
    fn pred(self) -> Self;
    /// The value widened to `u128`.
    fn to_u128(self) -> u128;
}

macro_rules! impl_bound {
    ($($t:ty),*) => {$(
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Self {
                self + 1
            }
            fn pred(self) -> Self {
                self - 1
            }
            fn to_u128(self) -> u128 {
                u128::from(self)
            }
        }
    )*};
}

impl_bound!(u8, u16, u32, u64, u128);

/// A set of values of `T`, kept as sorted, disjoint, non-adjacent inclusive intervals.
///
/// Because the representation is canonical, `==` is set equality.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntervalSet<T: Bound> {
    // Invariant: each (lo, hi) has lo <= hi, and for consecutive a, b: a.1 + 1 < b.0.
    ranges: Vec<(T, T)>,
}

impl<T: Bound> Default for IntervalSet<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Bound> IntervalSet<T> {
    /// The empty set.
    pub fn empty() -> Self {
        IntervalSet { ranges: Vec::new() }
    }

    /// The whole universe `T::MIN..=T::MAX`.
    pub fn full() -> Self {
        IntervalSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// The inclusive range `lo..=hi`; empty when `lo > hi`.
    pub fn from_range(lo: T, hi: T) -> Self {
        if lo > hi {
            return Self::empty();
        }
        IntervalSet {
            ranges: vec![(lo, hi)],
        }
    }

    /// The single value `v`.
    pub fn single(v: T) -> Self {
        Self::from_range(v, v)
    }

    /// The union of many inclusive ranges (in any order, possibly overlapping).
    ///
    /// Sorts once and coalesces, so building from n ranges costs O(n log n) rather
    /// than n successive unions.
    pub fn from_ranges<I: IntoIterator<Item = (T, T)>>(ranges: I) -> Self {
        let mut v: Vec<(T, T)> = ranges.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        v.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for r in v {
            push_coalescing(&mut out, r);
        }
        IntervalSet { ranges: out }
    }

    /// The intervals, sorted and non-adjacent.
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// Number of maximal intervals (not elements).
    pub fn interval_count(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the set has no element.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether the set is the whole universe.
    pub fn is_full(&self) -> bool {
        self.ranges.len() == 1 && self.ranges[0] == (T::MIN, T::MAX)
    }

    /// Number of elements, or `None` when that number is 2^128.
    ///
    /// Only the full `u128` universe has 2^128 elements; every other set over any
    /// supported type fits in a `u128`, so `None` means exactly "all of `u128`".
    pub fn len(&self) -> Option<u128> {
        self.ranges.iter().try_fold(0u128, |acc, &(lo, hi)| {
            (hi.to_u128() - lo.to_u128())
                .checked_add(1)
                .and_then(|n| acc.checked_add(n))
        })
    }

    /// Number of elements as a float (2^128 for the full `u128` universe); for ratios.
    pub fn len_f64(&self) -> f64 {
        self.ranges
            .iter()
            .map(|&(lo, hi)| (hi.to_u128() - lo.to_u128()) as f64 + 1.0)
            .sum()
    }

    /// Whether `v` is in the set (binary search).
    pub fn contains(&self, v: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < v);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
    }

    /// Elements in either set.
    pub fn union(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        // Merge by start so coalescing only ever looks at the last output interval.
        while i < a.len() || j < b.len() {
            let next = if j >= b.len() || (i < a.len() && a[i].0 <= b[j].0) {
                i += 1;
                a[i - 1]
            } else {
                j += 1;
                b[j - 1]
            };
            push_coalescing(&mut out, next);
        }
        IntervalSet { ranges: out }
    }

    /// Elements in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            // Pieces of two coalesced sets can never touch, so no coalescing needed.
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { ranges: out }
    }

    /// Whether the sets share at least one element.
    pub fn intersects(&self, other: &Self) -> bool {
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i].0.max(b[j].0) <= a[i].1.min(b[j].1) {
                return true;
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Elements in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        let b = &other.ranges;
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            // `other` intervals wholly before this one can't matter for later ones either.
            while j < b.len() && b[j].1 < lo {
                j += 1;
            }
            let mut cur = Some(lo); // next value not yet decided; None = past `hi`
            let mut k = j;
            while let Some(c) = cur {
                if k >= b.len() || b[k].0 > hi {
                    out.push((c, hi));
                    break;
                }
                let (blo, bhi) = b[k];
                if blo > c {
                    out.push((c, blo.pred()));
                }
                cur = if bhi >= hi { None } else { Some(bhi.succ()) };
                k += 1;
            }
            // b[k-1] may extend into the next interval of `self`, so resume from it.
            j = k.saturating_sub(1).max(j);
        }
        IntervalSet { ranges: out }
    }

    /// Elements of the universe not in `self`.
    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN); // first value not yet accounted for
        for &(lo, hi) in &self.ranges {
            if let Some(n) = next {
                if lo > n {
                    out.push((n, lo.pred()));
                }
            }
            next = if hi == T::MAX { None } else { Some(hi.succ()) };
        }
        if let Some(n) = next {
            out.push((n, T::MAX));
        }
        IntervalSet { ranges: out }
    }

    /// Whether every element of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        let b = &other.ranges;
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            while j < b.len() && b[j].1 < lo {
                j += 1;
            }
            // `other` is coalesced, so a contained interval lies inside one of its intervals.
            match b.get(j) {
                Some(&(blo, bhi)) if blo <= lo && hi <= bhi => {}
                _ => return false,
            }
        }
        true
    }
}

/// Appends `r` (whose start is >= every start already in `out`), merging when it
/// overlaps or touches the last interval.
fn push_coalescing<T: Bound>(out: &mut Vec<(T, T)>, r: (T, T)) {
    if let Some(last) = out.last_mut() {
        if last.1 == T::MAX || r.0 <= last.1.succ() {
            last.1 = last.1.max(r.1);
            return;
        }
    }
    out.push(r);
}

impl<T: Bound> fmt::Debug for IntervalSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn s16(r: &[(u16, u16)]) -> IntervalSet<u16> {
        IntervalSet::from_ranges(r.iter().copied())
    }

    #[test]
    fn range_20_30_covers_22() {
        let s = IntervalSet::from_range(20u16, 30);
        assert!(s.contains(22));
        assert!(s.contains(20) && s.contains(30));
        assert!(!s.contains(19) && !s.contains(31));
    }

    #[test]
    fn reversed_range_is_empty() {
        assert!(IntervalSet::from_range(5u16, 4).is_empty());
    }

    #[test]
    fn empty_and_full_are_complements() {
        let e = IntervalSet::<u16>::empty();
        let f = IntervalSet::<u16>::full();
        assert!(e.is_empty() && !e.is_full());
        assert!(f.is_full() && !f.is_empty());
        assert_eq!(e.complement(), f);
        assert_eq!(f.complement(), e);
        assert_eq!(e.len(), Some(0));
        assert_eq!(f.len(), Some(65536));
    }

    #[test]
    fn adjacent_intervals_coalesce() {
        let a = IntervalSet::from_range(0u16, 9);
        let b = IntervalSet::from_range(10u16, 20);
        assert_eq!(a.union(&b).ranges(), &[(0, 20)]);
        assert_eq!(s16(&[(10, 20), (0, 9), (21, 21)]).ranges(), &[(0, 21)]);
    }

    #[test]
    fn non_adjacent_intervals_stay_apart() {
        assert_eq!(s16(&[(0, 8), (10, 20)]).interval_count(), 2);
    }

    #[test]
    fn union_at_max_value_does_not_overflow() {
        let a = IntervalSet::from_range(65000u16, 65535);
        let b = IntervalSet::from_range(65535u16, 65535);
        assert_eq!(a.union(&b).ranges(), &[(65000, 65535)]);
        assert_eq!(b.union(&a).ranges(), &[(65000, 65535)]);
    }

    #[test]
    fn complement_touches_zero_and_max() {
        let s = s16(&[(0, 0), (65535, 65535)]);
        assert_eq!(s.complement().ranges(), &[(1, 65534)]);
        let mid = s16(&[(5, 10)]);
        assert_eq!(mid.complement().ranges(), &[(0, 4), (11, 65535)]);
    }

    #[test]
    fn difference_splits_and_trims() {
        let a = s16(&[(0, 100)]);
        let b = s16(&[(0, 9), (50, 59), (95, 200)]);
        assert_eq!(a.difference(&b).ranges(), &[(10, 49), (60, 94)]);
        assert!(a.difference(&IntervalSet::full()).is_empty());
        assert_eq!(a.difference(&IntervalSet::empty()), a);
    }

    #[test]
    fn difference_with_one_interval_spanning_several() {
        let a = s16(&[(0, 5), (10, 15), (20, 25)]);
        let b = s16(&[(3, 22)]);
        assert_eq!(a.difference(&b).ranges(), &[(0, 2), (23, 25)]);
    }

    #[test]
    fn intersection_of_interleaved_sets() {
        let a = s16(&[(0, 10), (20, 30)]);
        let b = s16(&[(5, 25)]);
        assert_eq!(a.intersection(&b).ranges(), &[(5, 10), (20, 25)]);
        assert!(a.intersects(&b));
        assert!(!a.intersects(&s16(&[(11, 19)])));
    }

    #[test]
    fn subset_needs_every_interval_inside() {
        let big = s16(&[(0, 10), (20, 30)]);
        assert!(s16(&[(1, 2), (25, 30)]).is_subset(&big));
        assert!(!s16(&[(5, 15)]).is_subset(&big));
        assert!(IntervalSet::empty().is_subset(&big));
        assert!(big.is_subset(&IntervalSet::full()));
    }

    #[test]
    fn full_u128_has_no_u128_length() {
        let f = IntervalSet::<u128>::full();
        assert_eq!(f.len(), None);
        assert_eq!(f.len_f64(), 2f64.powi(128));
        let almost = f.difference(&IntervalSet::single(0));
        assert_eq!(almost.len(), Some(u128::MAX));
    }

    #[test]
    fn contains_at_extremes() {
        let s = IntervalSet::<u32>::full();
        assert!(s.contains(0) && s.contains(u32::MAX));
        assert!(!IntervalSet::<u32>::empty().contains(0));
    }

    fn brute(s: &IntervalSet<u16>) -> BTreeSet<u16> {
        s.ranges().iter().flat_map(|&(lo, hi)| lo..=hi).collect()
    }

    // Small universe (0..=300) so brute-force sets stay tiny; complement is taken
    // within the real u16 universe and then clipped to it.
    fn small_set() -> impl Strategy<Value = IntervalSet<u16>> {
        prop::collection::vec((0u16..=300, 0u16..=20), 0..6).prop_map(|v| {
            IntervalSet::from_ranges(v.into_iter().map(|(lo, w)| (lo, (lo + w).min(300))))
        })
    }

    fn well_formed(s: &IntervalSet<u16>) -> bool {
        s.ranges().iter().all(|r| r.0 <= r.1) && s.ranges().windows(2).all(|w| w[0].1 + 1 < w[1].0)
    }

    proptest! {
        #[test]
        fn ops_match_btreeset(a in small_set(), b in small_set()) {
            let (ba, bb) = (brute(&a), brute(&b));
            let u = a.union(&b);
            let i = a.intersection(&b);
            let d = a.difference(&b);
            prop_assert!(well_formed(&u) && well_formed(&i) && well_formed(&d));
            prop_assert_eq!(brute(&u), &ba | &bb);
            prop_assert_eq!(brute(&i), &ba & &bb);
            prop_assert_eq!(brute(&d), &ba - &bb);
            prop_assert_eq!(a.is_subset(&b), ba.is_subset(&bb));
            prop_assert_eq!(a.intersects(&b), !ba.is_disjoint(&bb));
            prop_assert_eq!(a.len(), Some(ba.len() as u128));
            let universe = IntervalSet::from_range(0u16, 300);
            let c = a.complement().intersection(&universe);
            let bu: BTreeSet<u16> = (0..=300).collect();
            prop_assert_eq!(brute(&c), &bu - &ba);
            prop_assert_eq!(a.complement().complement(), a.clone());
        }

        #[test]
        fn contains_matches_btreeset(a in small_set(), v in 0u16..=310) {
            prop_assert_eq!(a.contains(v), brute(&a).contains(&v));
        }
    }
}
