//! Small conversions between Redis replies, store errors and frames.

use crate::store::StoreError;
use fred::prelude::*;
use glance_protocol::{JsonServerFrame, SockData};

/// A Redis failure as the store reports it.
pub(super) fn unavailable(e: fred::error::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The JSON text of a frame, as the scripts publish it.
pub(super) fn frame(f: &JsonServerFrame) -> String {
    f.to_json()
}

/// A `visitorsock` / `visitorconn` frame.
pub(super) fn sock_frame(kind: fn(SockData) -> JsonServerFrame, connected: bool) -> String {
    frame(&kind(SockData { connected }))
}

/// The integer status of a script reply (`{status, ...}`).
pub(super) fn status(reply: &[Value]) -> i64 {
    reply.first().and_then(|v| v.as_i64()).unwrap_or(-99)
}

/// A text element of a script reply ('' when missing).
pub(super) fn text(v: Option<&Value>) -> String {
    v.and_then(|v| v.as_string()).unwrap_or_default()
}
