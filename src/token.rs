//! The authorization token an agent holds (§2.1): where it comes from and when it expires.

/// Shortest and longest token lifetime a page may ask for, in minutes.
pub const DURATION_RANGE: (u32, u32) = (1, 120);

/// What `localStorage["glanceauth"]` holds: `{token, expires, groupid?}` (the shell writes it).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    /// The token, as the Authorize reply gave it.
    pub token: String,
    /// Expiry, milliseconds since the epoch.
    pub expires: f64,
    /// The group it was issued for.
    pub groupid: Option<u32>,
}

impl StoredToken {
    /// A token obtained at `now_ms`, valid for `duration` minutes.
    pub fn new(token: String, now_ms: f64, duration: u32, groupid: Option<u32>) -> Self {
        Self {
            token,
            expires: now_ms + f64::from(duration) * 60_000.0,
            groupid,
        }
    }

    /// Whether it can still be used at `now_ms` for `groupid` (any group when `None`).
    pub fn valid_for(&self, now_ms: f64, groupid: Option<u32>) -> bool {
        let group_ok = match (groupid, self.groupid) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        };
        group_ok && !self.token.is_empty() && now_ms < self.expires
    }
}

/// Clamps a requested duration (minutes) to 1..120; missing or unreadable means the maximum.
pub fn clamp_duration(requested: Option<f64>) -> u32 {
    let (lo, hi) = DURATION_RANGE;
    match requested {
        // Clamped, then rounded half away from zero (`f64::round` is not in `core`; the value is
        // positive here, so adding a half and truncating rounds the same way).
        Some(m) if m.is_finite() => (m.max(f64::from(lo)).min(f64::from(hi)) + 0.5) as u32,
        _ => hi,
    }
}

/// The token to use, in the order of §2.1: `data-authtoken`, then `setToken`, then storage.
pub fn pick_token<'a>(
    configured: Option<&'a str>,
    set: Option<&'a str>,
    stored: Option<&'a StoredToken>,
    now_ms: f64,
) -> Option<&'a str> {
    configured
        .filter(|t| !t.is_empty())
        .or(set.filter(|t| !t.is_empty()))
        .or(stored
            .filter(|s| s.valid_for(now_ms, None))
            .map(|s| s.token.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_clamp() {
        assert_eq!(clamp_duration(Some(0.0)), 1);
        assert_eq!(clamp_duration(Some(500.0)), 120);
        assert_eq!(clamp_duration(Some(30.0)), 30);
        assert_eq!(clamp_duration(None), 120);
        assert_eq!(clamp_duration(Some(f64::NAN)), 120);
    }

    #[test]
    fn expiry_and_group() {
        let t = StoredToken::new("tok".into(), 1_000.0, 2, Some(12345));
        assert!(t.valid_for(1_000.0 + 119_000.0, Some(12345)));
        assert!(!t.valid_for(1_000.0 + 120_000.0, Some(12345)));
        assert!(!t.valid_for(1_000.0, Some(1)));
        assert!(t.valid_for(1_000.0, None));
    }

    #[test]
    fn token_order() {
        let stored = StoredToken::new("stored".into(), 0.0, 10, None);
        assert_eq!(
            pick_token(Some("cfg"), Some("set"), Some(&stored), 1.0),
            Some("cfg")
        );
        assert_eq!(
            pick_token(None, Some("set"), Some(&stored), 1.0),
            Some("set")
        );
        assert_eq!(
            pick_token(Some(""), None, Some(&stored), 1.0),
            Some("stored")
        );
        assert_eq!(pick_token(None, None, Some(&stored), 1e12), None);
    }
}
