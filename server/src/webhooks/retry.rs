//! What an attempt's result means, and how long to wait before the next one.
//!
//! Retried: timeouts, connection errors, 408, 429 (after its `Retry-After`) and 5xx. Final: any
//! other status (2xx delivered; 3xx, since redirects are not followed, and other 4xx refused).
//! Delays grow exponentially from `retry_initial` up to `retry_max_delay`, each drawn between
//! half and all of its step ("equal jitter"), so receivers coming back are not hit by every
//! retry at once.

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use std::time::{Duration, SystemTime};

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx.
    Delivered,
    /// Refused for good (the status is kept for the record).
    Final,
    /// Try again, after at least this (the receiver's `Retry-After`, if it sent one).
    Retry(Option<Duration>),
}

/// The verdict on an HTTP answer.
pub fn judge(status: StatusCode, headers: &HeaderMap) -> Verdict {
    if status.is_success() {
        return Verdict::Delivered;
    }
    match status.as_u16() {
        408 | 500..=599 => Verdict::Retry(retry_after(headers)),
        429 => Verdict::Retry(retry_after(headers)),
        _ => Verdict::Final,
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The retry schedule of one endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First delay.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Backoff {
    /// The delay before attempt `failures + 1`, `failures` ≥ 1; never less than a `Retry-After`
    /// (capped at `max`).
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let step = self
            .initial
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.max);
        let jittered = step.mul_f64(rand::rng().random_range(0.5..=1.0));
        match retry_after {
            Some(after) => after.min(self.max).max(jittered),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn classifies_statuses() {
        let none = HeaderMap::new();
        assert_eq!(judge(StatusCode::OK, &none), Verdict::Delivered);
        assert_eq!(judge(StatusCode::NO_CONTENT, &none), Verdict::Delivered);
        assert_eq!(judge(StatusCode::BAD_REQUEST, &none), Verdict::Final);
        assert_eq!(judge(StatusCode::GONE, &none), Verdict::Final);
        assert_eq!(judge(StatusCode::FOUND, &none), Verdict::Final);
        assert_eq!(
            judge(StatusCode::REQUEST_TIMEOUT, &none),
            Verdict::Retry(None)
        );
        assert_eq!(judge(StatusCode::BAD_GATEWAY, &none), Verdict::Retry(None));
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            judge(StatusCode::TOO_MANY_REQUESTS, &h),
            Verdict::Retry(Some(Duration::from_secs(7)))
        );
    }

    #[test]
    fn delays_grow_with_jitter_and_honour_retry_after() {
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        for failures in 1..10 {
            let step = Duration::from_secs(1 << (failures - 1)).min(b.max);
            let d = b.delay(failures, None);
            assert!(d >= step / 2 && d <= step, "{failures}: {d:?}");
        }
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(30))),
            Duration::from_secs(30)
        );
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(999))),
            Duration::from_secs(60)
        );
    }
}
