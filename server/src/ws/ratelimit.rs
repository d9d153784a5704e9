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

    /// Takes one token; false when the connection is over its rate.
    pub fn allow(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f32();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(20.0, 40.0, t0);
        assert!((0..40).all(|_| r.allow(t0)));
        assert!(!r.allow(t0));
        assert!(r.allow(t0 + Duration::from_millis(60)));
        assert!(!r.allow(t0 + Duration::from_millis(60)));
    }
}
