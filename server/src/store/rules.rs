//! The rules both stores apply: timings of absence and held signals, and per-visitor limits.

use crate::webhooks::Webhooks;
use glance_protocol::PresenceLimits;
use std::time::Duration;

/// Rules the store applies.
#[derive(Debug, Clone)]
pub struct StoreRules {
    /// Navigation grace.
    pub grace: Duration,
    /// Signal hold window.
    pub hold: Duration,
    /// Presence limits for the merged map.
    pub presence: PresenceLimits,
    /// Held signals per visitor.
    pub held_signals: usize,
    /// Agents per visitor.
    pub agents_per_visitor: usize,
    /// Sockets per visitor.
    pub sockets_per_visitor: usize,
    /// Where `visitor.present` / `visitor.absent` go (the store decides them).
    pub webhooks: Webhooks,
}
