//! The last deliveries of each endpoint, for the console: what was sent, how it ended, after how
//! many attempts and how long the last one took. A fixed ring per endpoint.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Deliveries kept per endpoint.
pub const RECENT: usize = 50;

/// One finished (or retrying) delivery.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    /// `webhook-id`.
    pub id: String,
    /// Event name.
    pub event: String,
    /// The endpoint's id.
    pub endpoint: String,
    /// `delivered`, `retrying`, `failed` or `expired`.
    pub state: &'static str,
    /// HTTP status of the last attempt, or `timeout` / `connect` / `refused`.
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Duration of the last attempt, ms.
    pub latency_ms: u64,
    /// When the last attempt ended, ms since the epoch.
    pub at_ms: u64,
}

/// The ring of one endpoint.
#[derive(Debug, Default)]
pub struct Recent(Mutex<VecDeque<DeliveryRecord>>);

impl Recent {
    /// Records `r`, replacing the entry of the same message (a retry updates its line).
    pub fn record(&self, r: DeliveryRecord) {
        let mut ring = self.0.lock().unwrap_or_else(|e| e.into_inner());
        ring.retain(|old| old.id != r.id);
        if ring.len() >= RECENT {
            ring.pop_front();
        }
        ring.push_back(r);
    }

    /// Newest first.
    pub fn list(&self) -> Vec<DeliveryRecord> {
        let ring = self.0.lock().unwrap_or_else(|e| e.into_inner());
        ring.iter().rev().cloned().collect()
    }
}
