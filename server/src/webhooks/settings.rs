//! Webhook configuration: `[webhooks]` (server-wide: timeouts, retries, bounds, the outbox file,
//! the SSRF switch) and each group's `[[groups.webhooks]]` endpoints.

use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// `[webhooks]`, in seconds where a time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// One delivery attempt: connect, send, and the receiver's answer.
    pub timeout: f64,
    /// Retries stop this long after the event (then it is dropped and counted).
    pub max_retry_time: f64,
    /// First retry delay; each next one doubles, with jitter.
    pub retry_initial: f64,
    /// Longest delay between two attempts (a `Retry-After` is capped to it too).
    pub retry_max_delay: f64,
    /// Events kept per endpoint while its receiver does not take them; past it the oldest are
    /// dropped, counted and logged.
    pub max_events: usize,
    /// Bytes kept per endpoint (event bodies); past it the oldest are dropped.
    pub max_bytes: usize,
    /// The single node's outbox (a redb file). A cluster keeps its outbox in Redis.
    pub outbox: PathBuf,
    /// Events waiting to be written to the outbox; past it new events are dropped and counted
    /// (the store never waits for the disk).
    pub queue: usize,
    /// Let endpoints reach loopback and private addresses. Off: a group admin cannot make the
    /// server call into its own network.
    pub allow_private: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            timeout: 10.0,
            max_retry_time: 86_400.0,
            retry_initial: 1.0,
            retry_max_delay: 600.0,
            max_events: 10_000,
            max_bytes: 16 << 20,
            outbox: PathBuf::from("data/webhooks.redb"),
            queue: 16_384,
            allow_private: false,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

impl WebhookSettings {
    /// Attempt timeout.
    pub fn timeout(&self) -> Duration {
        secs(self.timeout)
    }
    /// Retry window.
    pub fn max_retry_time(&self) -> Duration {
        secs(self.max_retry_time)
    }
    /// First retry delay.
    pub fn retry_initial(&self) -> Duration {
        secs(self.retry_initial)
    }
    /// Longest retry delay.
    pub fn retry_max_delay(&self) -> Duration {
        secs(self.retry_max_delay)
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v, lo, hi) in [
            ("timeout", self.timeout, 0.05, 300.0),
            ("max_retry_time", self.max_retry_time, 0.0, 7.0 * 86_400.0),
            ("retry_initial", self.retry_initial, 0.01, 3_600.0),
            ("retry_max_delay", self.retry_max_delay, 0.01, 86_400.0),
        ] {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                return Err(format!("webhooks.{name} must be {lo}..{hi} seconds"));
            }
        }
        if self.max_events == 0 || self.max_bytes < 1024 || self.queue == 0 {
            return Err(
                "webhooks: max_events and queue must be positive, max_bytes at least 1024".into(),
            );
        }
        Ok(())
    }
}

/// `[[groups.webhooks]]`: one endpoint of a group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// Where to POST.
    pub url: String,
    /// The signing secret, `whsec_<base64>`.
    #[serde(default)]
    pub secret: Option<String>,
    /// Secrets during a rotation (every one signs each message); with `secret`, both count.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Event names to send (`terms.*`, `c_*` allowed); unset: all.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}
