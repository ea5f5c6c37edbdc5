//! splitmix64: a tiny deterministic generator, and AWS-shaped ids drawn from it.

/// The splitmix64 output function: a bijection on `u64`, so distinct inputs give
/// distinct outputs.
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64 random numbers.
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }
}

/// Unique AWS-shaped ids: `prefix-` and 17 hex digits, the first one `0` as in
/// AWS's long ids. Every id comes from one counter through [`mix`], so no two ids
/// of a generator are equal whatever their prefix.
pub(super) struct Ids {
    base: u64,
    issued: u64,
}

impl Ids {
    pub fn new(seed: u64) -> Ids {
        Ids {
            base: mix(seed ^ 0x1d5_1d5),
            issued: 0,
        }
    }

    pub fn next(&mut self, prefix: &str) -> String {
        format!("{prefix}-{:017x}", self.raw())
    }

    /// The next unique 64-bit value, for ids of another shape.
    pub fn raw(&mut self) -> u64 {
        self.issued += 1;
        mix(self.base.wrapping_add(self.issued))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_aws_shaped_and_distinct() {
        let mut ids = Ids::new(7);
        let a = ids.next("vpc");
        let b = ids.next("vpc");
        assert_ne!(a, b);
        assert_eq!(a.len(), "vpc-".len() + 17);
        assert!(a["vpc-".len()..].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(a.starts_with("vpc-0"));
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(3), Rng::new(3));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert!((0..1000).all(|_| a.unit() < 1.0));
    }
}
