//! Frames to the server: sent at once while the socket is open, queued while it is down (at most
//! [`QUEUE_CAPACITY`], the oldest dropped first; the latest presence and visibility replace
//! queued ones), refused before sending when larger than the server takes.

use super::{take_first, Conn, Phase};
use crate::host;
use crate::page::Shared;
use glance_protocol::MAX_FRAME_BYTES;

/// Frames kept while the socket is down; the oldest go first.
pub const QUEUE_CAPACITY: usize = 64;
/// Why a frame is refused before it is sent.
pub const TOO_LARGE: &str = "the frame is larger than 64 KiB";
/// The queue slot of a frame: a newer frame of the same slot replaces a queued one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Any other frame.
    None,
    /// `presence`: the latest presence replaces older ones.
    Presence,
    /// `visibility`.
    Visibility,
}

impl Conn {
    /// Sends `frame` now if open, else queues it (replacing a queued frame of the same `slot`):
    /// also when the socket is closing and its close has not been reported yet. A frame larger
    /// than the server takes is refused with `onerror` (invalidparameter).
    pub fn send(&mut self, sh: &mut Shared, slot: Slot, frame: String) {
        if frame.len() > MAX_FRAME_BYTES {
            return sh.error(self.id, "invalidparameter", TOO_LARGE);
        }
        if self.phase == Phase::Open && host::ws_send(self.socket, &frame) {
            return;
        }
        if slot != Slot::None {
            take_first(&mut self.queue, |(s, _)| *s == slot);
        }
        if self.queue.len() >= QUEUE_CAPACITY {
            take_first(&mut self.queue, |_| true);
            sh.warn("send queue full: dropped the oldest frame");
        }
        self.queue.push((slot, frame));
    }

    /// Whether a frame of `slot` is waiting.
    pub fn has_queued(&self, slot: Slot) -> bool {
        self.queue.iter().any(|(s, _)| *s == slot)
    }

    /// Frames waiting for the socket.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Writes a frame on the open socket.
    pub fn write(&mut self, sh: &mut Shared, frame: &str) {
        if !host::ws_send(self.socket, frame) {
            sh.warn("frame not sent: the socket is not open");
        }
    }
}
