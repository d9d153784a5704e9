//! Latency histograms (HdrHistogram) that travel from workers to the coordinator.
//!
//! Percentiles of several processes cannot be averaged, so each worker sends its whole histogram
//! as `(value, count)` pairs and the coordinator merges them.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Highest latency recorded, microseconds (larger values are clamped): one minute.
const MAX_US: u64 = 60_000_000;

/// A histogram of microseconds, 3 significant digits.
#[derive(Debug, Clone)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        // 1 µs .. 60 s at 3 significant digits is a valid configuration.
        Self(Histogram::new_with_bounds(1, MAX_US, 3).expect("valid histogram bounds"))
    }
}

impl Latency {
    /// Records one latency.
    pub fn record(&mut self, us: u64) {
        self.0.saturating_record(us.clamp(1, MAX_US));
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Latency) {
        // Both have the same bounds, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// The wire form.
    pub fn to_wire(&self) -> WireLatency {
        WireLatency(
            self.0
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value()))
                .collect(),
        )
    }

    /// Back from the wire form.
    pub fn from_wire(w: &WireLatency) -> Self {
        let mut h = Self::default();
        for &(value, count) in &w.0 {
            let _ = h.0.record_n(value.clamp(1, MAX_US), count);
        }
        h
    }

    /// The summary the report shows.
    pub fn summary(&self) -> LatencySummary {
        let h = &self.0;
        let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        LatencySummary {
            count: h.len(),
            p50_ms: ms(0.5),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            max_ms: h.max() as f64 / 1000.0,
            mean_ms: h.mean() / 1000.0,
        }
    }
}

/// `(microseconds, count)` pairs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WireLatency(pub Vec<(u64, u64)>);

/// Percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LatencySummary {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
    /// Mean.
    pub mean_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_the_wire_and_merges() {
        let mut a = Latency::default();
        for us in 1..=1000 {
            a.record(us);
        }
        let b = Latency::from_wire(&a.to_wire());
        let mut m = Latency::default();
        m.merge(&a);
        m.merge(&b);
        assert_eq!(m.summary().count, 2000);
        assert!((m.summary().p50_ms - 0.5).abs() < 0.01);
    }
}
