//! Exactly-once accounting of a numbered stream (presence updates, signals) at one receiver.
//!
//! The sender numbers its messages 1, 2, 3, … and puts the number (`seq`) and its send time
//! (`t`, [`crate::clock::mono_us`]) in the payload. One TCP stream keeps order, so a receiver
//! expects each number once, ascending: a number at or below the last one seen is a duplicate; a
//! number never seen by the end is lost (sent minus received).

use crate::latency::Latency;
use crate::worker::Phase;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::sync::watch;

/// One receiver's view of one sender.
#[derive(Debug, Default)]
pub struct Track {
    /// Distinct messages received in order.
    pub received: AtomicU64,
    /// Messages at or below the last number seen.
    pub duplicated: AtomicU64,
    last: AtomicU64,
}

impl Track {
    /// Accounts for message `seq`.
    pub fn observe(&self, seq: u64) {
        if seq > self.last.load(Ordering::Relaxed) {
            self.last.store(seq, Ordering::Relaxed);
            self.received.fetch_add(1, Ordering::Relaxed);
        } else {
            self.duplicated.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Messages of `sent` that never arrived.
    pub fn lost(&self, sent: u64) -> u64 {
        sent.saturating_sub(self.received.load(Ordering::Relaxed))
    }
}

/// `{"seq": n, "t": µs}`: the probe payload.
pub fn probe(seq: u64) -> Value {
    serde_json::json!({ "seq": seq, "t": crate::clock::mono_us() })
}

/// Reads `seq` and `t` back out of a payload.
pub fn read_probe(data: &Value) -> Option<(u64, u64)> {
    Some((data.get("seq")?.as_u64()?, data.get("t")?.as_u64()?))
}

/// Latency recording shared by a worker's receivers, skipping the warm-up.
pub struct Recorder {
    hist: Mutex<Latency>,
    warmup_us: u64,
    phase: watch::Receiver<Phase>,
    /// Last time anything was recorded (`mono_us`), to measure the delivery window.
    pub last_us: AtomicU64,
}

impl Recorder {
    /// A recorder that ignores messages sent in the first `warmup` seconds of the run.
    pub fn new(warmup: f64, phase: watch::Receiver<Phase>) -> Self {
        Self {
            hist: Mutex::new(Latency::default()),
            warmup_us: (warmup * 1e6) as u64,
            phase,
            last_us: AtomicU64::new(0),
        }
    }

    /// A message sent at `sent_us` arrived now.
    pub fn arrived(&self, sent_us: u64) {
        let now = crate::clock::mono_us();
        self.last_us.fetch_max(now, Ordering::Relaxed);
        let Phase::Running(start) = *self.phase.borrow() else {
            return;
        };
        if sent_us >= start + self.warmup_us {
            // Recording never panics, so the lock is never poisoned; recover anyway.
            self.hist
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .record(now.saturating_sub(sent_us));
        }
    }

    /// The histogram so far.
    pub fn histogram(&self) -> Latency {
        self.hist.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
