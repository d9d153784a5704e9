//! One visitor in the in-memory store: its sockets (by activity), focus, presence, held signals
//! and watching agents.

use crate::outbox::Outbox;
use crate::store::{ConnId, Stamped};
use axum::extract::ws::Utf8Bytes;
use glance_protocol::{JsonServerFrame, PresenceMap, ServerFrame, Visibility};
use std::collections::VecDeque;
use std::time::Instant;

pub(super) struct Socket {
    pub(super) conn: ConnId,
    pub(super) outbox: Outbox,
    /// Activity sequence number: the highest is the most recently active.
    pub(super) active: u64,
}

#[derive(Default)]
pub(super) struct VisitorEntry {
    pub(super) sockets: Vec<Socket>,
    pub(super) focus: Option<ConnId>,
    pub(super) presence: PresenceMap,
    pub(super) updated_ms: u64,
    pub(super) visibility: Option<Visibility>,
    /// `visitorconn true` was sent and no `false` since.
    pub(super) present: bool,
    /// `visitor.present` went out for this presence (at its first presence data).
    pub(super) announced: bool,
    /// When the last socket closed (while there is none).
    pub(super) absent_since: Option<Instant>,
    /// Bumped at every last-socket close, so a stale grace timer does nothing.
    pub(super) absence: u64,
    pub(super) held: VecDeque<(Instant, Utf8Bytes)>,
    pub(super) agents: Vec<(ConnId, Outbox)>,
}

impl VisitorEntry {
    pub(super) fn to_agents(&self, frame: &Utf8Bytes) {
        for (_, outbox) in &self.agents {
            // A full outbox marks that agent for disconnection; others are unaffected.
            let _ = outbox.frame(frame);
        }
    }

    pub(super) fn stamped(&self) -> Stamped<'_> {
        Stamped {
            map: &self.presence,
            timestamp: self.updated_ms,
        }
    }

    /// Moves focus to `conn`, sending `blur` to the connection that had it.
    pub(super) fn focus_on(&mut self, conn: ConnId, seq: u64) {
        if let Some(prev) = self.focus.filter(|f| *f != conn) {
            if let Some(s) = self.sockets.iter().find(|s| s.conn == prev) {
                let _ = s.outbox.frame(&frame(&ServerFrame::Blur));
            }
        }
        self.focus = Some(conn);
        if let Some(s) = self.sockets.iter_mut().find(|s| s.conn == conn) {
            s.active = seq;
        }
    }

    pub(super) fn idle(&self) -> bool {
        self.sockets.is_empty() && !self.present && self.held.is_empty() && self.agents.is_empty()
    }
}

/// Serializes a server frame once, to be shared by every receiver.
pub(crate) fn frame(f: &JsonServerFrame) -> Utf8Bytes {
    f.to_json().into()
}

pub(super) fn presence_frame(e: &VisitorEntry) -> Utf8Bytes {
    // Serializing a JSON map cannot fail.
    let text = serde_json::to_string(&ServerFrame::Presence(e.stamped())).unwrap_or_default();
    text.into()
}
