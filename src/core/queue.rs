//! The bounded queue of frames sent while the socket is down (§2.3).
//!
//! Frames of a *replaceable* kind (presence, visibility) keep only their latest value: a newer one
//! removes the queued older one, since the server only cares about the current state. When the
//! queue is full the oldest frame is dropped: a page that fires events in a loop while offline must
//! not grow memory without bound, and the newest events are the most relevant.

#[allow(unused_imports)]
use crate::prelude::*;

/// How many frames wait at most.
pub const QUEUE_CAPACITY: usize = 64;

/// Kinds whose queued value is replaced rather than appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Presence updates: the latest wins.
    Presence,
    /// Visibility updates: the latest wins.
    Visibility,
}

/// A bounded FIFO of frames.
///
/// A `Vec`, not a `VecDeque`: with at most [`QUEUE_CAPACITY`] frames, shifting on a drop from the
/// front costs nothing noticeable, and the ring buffer's code (~3 KB of wasm) stays out of the
/// browser module.
#[derive(Debug, Clone)]
pub struct SendQueue<F> {
    items: Vec<(Option<Slot>, F)>,
    capacity: usize,
}

impl<F> Default for SendQueue<F> {
    fn default() -> Self {
        Self::with_capacity(QUEUE_CAPACITY)
    }
}

impl<F> SendQueue<F> {
    /// A queue holding at most `capacity` frames (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::new(),
            capacity: capacity.max(1),
        }
    }

    /// Appends a frame. Returns the number of frames dropped to make room (0 or 1).
    pub fn push(&mut self, slot: Option<Slot>, frame: F) -> usize {
        if let Some(slot) = slot {
            self.items.retain(|(s, _)| *s != Some(slot));
        }
        let mut dropped = 0;
        if self.items.len() >= self.capacity {
            dropped = self.items.len() + 1 - self.capacity;
            self.items.drain(..dropped);
        }
        self.items.push((slot, frame));
        dropped
    }

    /// Whether a frame of `slot` is waiting.
    pub fn has(&self, slot: Slot) -> bool {
        self.items.iter().any(|(s, _)| *s == Some(slot))
    }

    /// Takes every frame, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = F> + '_ {
        self.items.drain(..).map(|(_, f)| f)
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_replacement() {
        let mut q = SendQueue::default();
        q.push(Some(Slot::Presence), "p1");
        q.push(None, "e1");
        q.push(Some(Slot::Visibility), "hidden");
        q.push(Some(Slot::Presence), "p2");
        q.push(Some(Slot::Visibility), "visible");
        assert_eq!(q.drain().collect::<Vec<_>>(), ["e1", "p2", "visible"]);
        assert!(q.is_empty());
    }

    #[test]
    fn bounded_drops_oldest() {
        let mut q = SendQueue::with_capacity(3);
        let dropped: usize = (0..5).map(|i| q.push(None, i)).sum();
        assert_eq!(dropped, 2);
        assert_eq!(q.drain().collect::<Vec<_>>(), [2, 3, 4]);
    }
}
