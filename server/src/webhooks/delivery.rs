//! One worker per endpoint: it takes the head of the endpoint's queue, POSTs it signed, retries
//! it as [`retry`](super::retry) says until it is delivered, refused or out of time, removes it,
//! and goes on with the next. One message in flight per endpoint is what keeps every visitor's
//! events in order (a receiver that is down holds everything back, then gets it all in order).

use super::endpoint::Endpoint;
use super::event::Message;
use super::outbox::{Outbox, Pending};
use super::recent::{DeliveryRecord, Recent};
use super::retry::{judge, Backoff, Verdict};
use super::sign::signature;
use crate::metrics::Metrics;
use crate::store::now_ms;
use reqwest::header::CONTENT_TYPE;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How often an idle worker looks at its queue even unwoken: in a cluster other nodes append,
/// and a lease must be renewed (or taken over from a dead node).
const IDLE_POLL: Duration = Duration::from_millis(500);
/// How often the depth gauges are refreshed.
const GAUGE_EVERY: Duration = Duration::from_millis(500);
/// Bytes of a receiver's answer read (to reuse the connection); the rest is dropped.
const MAX_ANSWER: usize = 64 * 1024;

/// The delivery worker of one endpoint.
pub struct Worker {
    /// The endpoint.
    pub endpoint: Arc<Endpoint>,
    /// Its queue.
    pub outbox: Arc<dyn Outbox>,
    /// The shared HTTP client (timeouts, no redirects, the SSRF resolver).
    pub client: reqwest::Client,
    /// Retry delays.
    pub backoff: Backoff,
    /// Retries stop this long after the event.
    pub max_retry_time: Duration,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Woken when messages are appended on this node.
    pub wake: Arc<Notify>,
    /// The console's record.
    pub recent: Arc<Recent>,
    /// Last refresh of the gauges.
    pub gauged: Option<Instant>,
}

impl Worker {
    /// Runs until the process ends.
    pub async fn run(mut self) {
        loop {
            match self.outbox.head(&self.endpoint.id).await {
                Ok(Some(pending)) => {
                    self.gauges(Some(&pending.message)).await;
                    self.deliver(pending).await;
                }
                Ok(None) => {
                    self.gauges(None).await;
                    let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
                }
                Err(e) => {
                    tracing::warn!(endpoint = %self.endpoint.id, error = %e, "webhook outbox unreadable; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn gauges(&mut self, head: Option<&Message>) {
        if self.gauged.is_some_and(|t| t.elapsed() < GAUGE_EVERY) {
            return;
        }
        self.gauged = Some(Instant::now());
        if let Ok(depth) = self.outbox.depth(&self.endpoint.id).await {
            let age = head.map(Message::age).unwrap_or_default();
            self.metrics
                .webhook_outbox(&self.endpoint.id, depth.events, depth.bytes, age);
        }
    }

    async fn deliver(&mut self, pending: Pending) {
        let id = self.endpoint.id.clone();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let started = Instant::now();
            let (verdict, status) = self.attempt(&pending.message).await;
            let latency = started.elapsed();
            self.metrics.webhook_attempt(&id, &status);
            let state = match &verdict {
                Verdict::Delivered => "delivered",
                Verdict::Final => "failed",
                Verdict::Retry(_) => "retrying",
            };
            let mut record = DeliveryRecord {
                id: pending.message.id.clone(),
                event: pending.message.kind.clone(),
                endpoint: id.clone(),
                state,
                status: status.clone(),
                attempts,
                latency_ms: latency.as_millis() as u64,
                at_ms: now_ms(),
            };
            let wait = match verdict {
                Verdict::Delivered => {
                    self.metrics.webhook_result(&id, "succeeded");
                    None
                }
                Verdict::Final => {
                    self.metrics.webhook_result(&id, "failed");
                    tracing::warn!(endpoint = %id, message = %pending.message.id, status, "webhook refused: dropped");
                    None
                }
                Verdict::Retry(after) => {
                    let delay = self.backoff.delay(attempts, after);
                    if pending.message.age() + delay > self.max_retry_time {
                        record.state = "expired";
                        self.metrics.webhook_result(&id, "expired");
                        tracing::warn!(endpoint = %id, message = %pending.message.id, attempts, "webhook retries exhausted: dropped");
                        None
                    } else {
                        Some(delay)
                    }
                }
            };
            self.recent.record(record);
            let Some(delay) = wait else {
                if let Err(e) = self.outbox.remove(&id, &pending.slot).await {
                    // It stays at the head and goes out once more: allowed (at-least-once).
                    tracing::warn!(endpoint = %id, error = %e, "cannot remove a delivered webhook");
                }
                return;
            };
            if !self.hold(&pending, delay).await {
                return;
            }
        }
    }

    /// Waits `delay` before a retry, checking each second that the message is still this
    /// worker's head (it may have been dropped by the bounds, or, in a cluster, the lease lost).
    /// The checks also renew the lease.
    async fn hold(&mut self, pending: &Pending, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            tokio::time::sleep(left.min(Duration::from_secs(1))).await;
            match self.outbox.head(&self.endpoint.id).await {
                Ok(Some(head)) if head.slot == pending.slot => {
                    self.gauges(Some(&head.message)).await;
                }
                Ok(_) => return false,
                // Keep waiting: the outbox may be back by the next look.
                Err(_) => {}
            }
        }
    }

    /// One POST. The signature is made now, with the current timestamp (receivers refuse old
    /// ones), over the body fixed at the event.
    async fn attempt(&self, m: &Message) -> (Verdict, String) {
        let timestamp = crate::http::unix_now();
        let sig = signature(&self.endpoint.secrets, &m.id, timestamp, m.body.as_bytes());
        let sent = self
            .client
            .post(self.endpoint.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &m.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", sig)
            .body(m.body.clone())
            .send()
            .await;
        match sent {
            Ok(mut res) => {
                let status = res.status();
                let verdict = judge(status, res.headers());
                let mut read = 0;
                while let Ok(Some(chunk)) = res.chunk().await {
                    read += chunk.len();
                    if read > MAX_ANSWER {
                        break;
                    }
                }
                (verdict, status.as_u16().to_string())
            }
            Err(e) if e.is_timeout() => (Verdict::Retry(None), "timeout".into()),
            Err(_) => (Verdict::Retry(None), "connect".into()),
        }
    }
}
