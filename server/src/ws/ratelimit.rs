//! Per-connection frame rate limit: a token bucket (§6: 20/s with bursts).

use std::time::Instant;

/// A token bucket refilled at `rate` per second up to `burst`.
#[derive(Debug, Clone)]
pub struct RateLimit {
    rate: f32,
    burst: f32,
    tokens: f32,
    last: Instant,
}

impl RateLimit {
    /// A full bucket.
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        Self {
            rate: rate as f32,
            burst: burst as f32,
            tokens: burst as f32,
            last: now,
        }
    }

    /// Takes one token. Over the rate the frame is refused, and each refused frame is owed:
    /// a connection that keeps sending until it owes a whole burst is cut off.
    pub fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f32();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Verdict::Allow
        } else if self.tokens >= -self.burst {
            Verdict::Refuse
        } else {
            Verdict::Cut
        }
    }
}

/// What to do with one incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the rate.
    Allow,
    /// Over it: refuse this frame (an `error` frame), keep the connection.
    Refuse,
    /// Far over it (a flood): close the connection.
    Cut,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate_then_refusals_then_cut() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(20.0, 40.0, t0);
        assert!((0..40).all(|_| r.check(t0) == Verdict::Allow));
        // Over the burst: refused, up to a whole burst owed ...
        assert!((0..40).all(|_| r.check(t0) == Verdict::Refuse));
        // ... then cut off.
        assert_eq!(r.check(t0), Verdict::Cut);
    }

    #[test]
    fn a_short_excess_is_forgiven_at_the_rate() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(20.0, 40.0, t0);
        assert!((0..40).all(|_| r.check(t0) == Verdict::Allow));
        assert_eq!(r.check(t0), Verdict::Refuse);
        // 1 owed + 1 to take: after 100 ms (2 tokens) the next frame passes.
        assert_eq!(r.check(t0 + Duration::from_millis(100)), Verdict::Allow);
        assert_eq!(r.check(t0 + Duration::from_millis(100)), Verdict::Refuse);
    }
}
