//! A small seeded PRNG: SplitMix64 (Steele, Lea, Flood 2014; public domain
//! reference by Sebastiano Vigna). Fast, 64-bit state, good enough for
//! synthetic data; never for anything secret.

/// Deterministic random numbers. The same seed gives the same sequence on
/// every platform.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// An independent stream derived from this seed and a label, so that
    /// adding draws in one part of the simulator does not shift another.
    pub fn fork(&self, label: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
        for b in label.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng::new(self.state ^ h);
        r.next_u64();
        r
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift (the tiny bias
    /// is irrelevant here).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    #[inline]
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index into `weights`, chosen with probability proportional to each weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total.max(1));
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// A random GUID, lower-case and hyphenated, with the version-4 bits set.
    pub fn guid(&mut self) -> String {
        let mut s = String::with_capacity(36);
        self.guid_into(&mut s);
        s
    }

    /// Appends a random GUID to `out` without allocating.
    pub fn guid_into(&mut self, out: &mut String) {
        let hi = (self.next_u64() & !0xf000) | 0x4000; // version 4
        let lo = (self.next_u64() & !(0xc000 << 48)) | (0x8000 << 48); // variant 10
        push_guid(out, hi, lo);
    }

    /// Appends `n` random characters of the base64url alphabet (Entra's
    /// unique token identifiers look like `LsK9o4dlp065CignnK6MAA`).
    pub fn token_into(&mut self, out: &mut String, n: usize) {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = 0u64;
        let mut left = 0;
        for _ in 0..n {
            if left < 6 {
                bits = self.next_u64();
                left = 64;
            }
            out.push(A[(bits & 63) as usize] as char);
            bits >>= 6;
            left -= 6;
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes a GUID from its two 64-bit halves: 8-4-4-4-12 lower-case hex.
pub fn push_guid(out: &mut String, hi: u64, lo: u64) {
    let mut buf = [0u8; 36];
    let mut j = 0;
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            buf[j] = b'-';
            j += 1;
        }
        let nibble = if i < 16 { (hi >> (60 - 4 * i)) & 15 } else { (lo >> (60 - 4 * (i - 16))) & 15 };
        buf[j] = HEX[nibble as usize];
        j += 1;
    }
    // Only ASCII hex digits and hyphens were written.
    out.push_str(std::str::from_utf8(&buf).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_forks_differ() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut f1 = Rng::new(7).fork("users");
        let mut f2 = Rng::new(7).fork("apps");
        assert_ne!(f1.next_u64(), f2.next_u64());
        // SplitMix64 reference value for seed 0 (first output).
        assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn guids_are_well_formed_v4() {
        let mut r = Rng::new(1);
        for _ in 0..100 {
            let g = r.guid();
            assert_eq!(g.len(), 36);
            let b = g.as_bytes();
            assert_eq!(b[14], b'4');
            assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{g}");
            assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        let mut r = Rng::new(3);
        let mut counts = [0u32; 3];
        for _ in 0..10_000 {
            assert!(r.below(10) < 10);
            counts[r.weighted(&[1, 0, 3])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > counts[0] * 2);
    }
}
