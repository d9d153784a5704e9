//! Reconnect delays: exponential backoff with jitter (§2.3).
//!
//! Attempt `n` (0-based) waits a random time in `[ceiling/2, ceiling)` where
//! `ceiling = min(FIRST_MS * 2^n, CAP_MS)`. The first retry therefore happens within a second, and
//! no wait exceeds 30 s. The lower half keeps a crowd of clients that lost the same server from
//! coming back in the same instant; the upper half keeps each one reasonably prompt.

/// Ceiling of the first retry's delay.
pub const FIRST_MS: u32 = 1_000;
/// Longest delay.
pub const CAP_MS: u32 = 30_000;

/// A tiny deterministic generator (xorshift64*): enough to spread retries, seeded by the shell from
/// `Math.random()` and fixed in tests.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator from a seed (0 is replaced, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next value in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let out = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (out >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The backoff of one connection: counts failed attempts since the last successful connect.
#[derive(Debug, Clone)]
pub struct Backoff {
    failures: u32,
    jitter: Jitter,
}

impl Backoff {
    /// A fresh backoff.
    pub fn new(jitter: Jitter) -> Self {
        Self {
            failures: 0,
            jitter,
        }
    }

    /// The delay before the next attempt, in milliseconds; counts one more failure.
    pub fn next_delay_ms(&mut self) -> u32 {
        let ceiling = FIRST_MS
            .saturating_mul(1u32 << self.failures.min(15))
            .min(CAP_MS);
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        half + (self.jitter.next_unit() * f64::from(ceiling - half)) as u32
    }

    /// A successful connect: the next failure starts from the first delay again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last reset.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_retry_within_a_second_and_capped() {
        for seed in 1..200 {
            let mut b = Backoff::new(Jitter::new(seed));
            let first = b.next_delay_ms();
            assert!((500..1000).contains(&first), "{first}");
            let mut last = 0;
            for _ in 0..40 {
                last = b.next_delay_ms();
                assert!(last < CAP_MS);
            }
            assert!(last >= CAP_MS / 2);
        }
    }

    #[test]
    fn grows_and_resets() {
        let mut b = Backoff::new(Jitter::new(7));
        let ceilings = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
        for ceiling in ceilings {
            let d = b.next_delay_ms();
            assert!(d >= ceiling / 2 && d < ceiling, "{d} for {ceiling}");
        }
        b.reset();
        assert!(b.next_delay_ms() < 1000);
    }

    #[test]
    fn jitter_spreads() {
        let mut j = Jitter::new(42);
        let values: Vec<f64> = (0..1000).map(|_| j.next_unit()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let mean = values.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean));
    }
}
