//! A connection's bounded outbound queue.
//!
//! Producers (the store relaying presence, signals, blur) never wait: [`Outbox::push`] either
//! queues or, when the queue is full, marks the connection as overflowed and wakes it so its task
//! disconnects it as a slow consumer (§6). An idle outbox holds no heap buffer.

use crate::store::ConnId;
use axum::extract::ws::Utf8Bytes;
use glance_protocol::{AckData, AckId, ErrorCode, ServerFrame};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Something for a connection's task to do.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// Send this JSON text frame.
    Frame(Utf8Bytes),
    /// Send this `signal` / `invoke` frame to a visitor. Never written because the connection
    /// ended first: placed again through the store (a navigation, §3.4), or, for a connection cut
    /// as a slow consumer, its sender (if it can be told) is told.
    Signal(Utf8Bytes, Option<DropNotice>),
    /// A unique visitor was extended: its id now lives until this Unix time (ms).
    UniqueDeadline(u64),
    /// The node entered this phase (draining: send `scaledown`; closing: close).
    Phase(crate::state::Phase),
}

/// The agent connection that sent a signal over its socket, and the ack id it gave: told with a
/// late `ack {id, error: "visitornotpresent"}` when the signal is dropped before it was written
/// to the visitor's socket.
#[derive(Clone)]
pub struct DropNotice {
    /// The signal's ack id.
    pub id: AckId,
    /// Where its sender is.
    pub to: NoticeTo,
}

/// Where the agent that sent a signal is.
#[derive(Clone)]
pub enum NoticeTo {
    /// On this node. Holds the agent's outbox, never its task: an agent gone by then is told
    /// nothing, and the outbox is freed with the visitor's queue.
    Local { agent: Outbox, conn: ConnId },
    /// On another node of a cluster, told through that node (the Redis store's route).
    Remote(Arc<dyn RemoteAgent>),
}

/// A route back to an agent connection on another node.
pub trait RemoteAgent: Send + Sync {
    /// Tells the agent that its signal `id` was dropped unsent; never waits.
    fn tell(&self, id: &AckId);
}

impl DropNotice {
    /// A notice for agent connection `conn` of this node, whose queue is `agent`.
    pub fn local(id: AckId, agent: Outbox, conn: ConnId) -> Self {
        Self {
            id,
            to: NoticeTo::Local { agent, conn },
        }
    }

    /// Queues the late refusal on the agent's connection; never waits. It is queued past the
    /// agent's capacity: a cut visitor's notices come in one burst (up to that visitor's queue
    /// and one write batch, each for a signal this agent sent), which must not cut the agent too.
    pub fn send(self) {
        match self.to {
            NoticeTo::Local { agent, .. } => {
                let ack = ServerFrame::<serde_json::Value>::Ack(AckData::refused(
                    self.id,
                    ErrorCode::VisitorNotPresent,
                ));
                agent.push_past_capacity(Outgoing::Frame(ack.to_json().into()));
            }
            NoticeTo::Remote(route) => route.tell(&self.id),
        }
    }
}

impl std::fmt::Debug for DropNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DropNotice").field("id", &self.id).finish()
    }
}

impl Outgoing {
    /// A signal frame for a visitor, with the sender to tell if it is dropped (if any).
    pub fn signal(frame: Utf8Bytes, notice: Option<DropNotice>) -> Self {
        Self::Signal(frame, notice)
    }
}

/// The frame could not be queued: the connection is now marked overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("outbound queue full")]
pub struct Overflow;

struct Inner {
    queue: Mutex<VecDeque<Outgoing>>,
    /// Woken at every push and at the overflow. The one task that waits checks the condition it
    /// waits for (something queued, or overflowed) before sleeping, so a wake-up taken by the
    /// other wait loses nothing (one `Notify` per connection, not two: idle connections are many).
    notify: Notify,
    overflowed: AtomicBool,
    capacity: usize,
}

/// Sending half and receiving half in one cheap handle (clone to share with the store).
#[derive(Clone)]
pub struct Outbox(Arc<Inner>);

impl Outbox {
    /// An empty outbox holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        Self(Arc::new(Inner {
            queue: Mutex::new(VecDeque::new()),
            notify: Notify::new(),
            overflowed: AtomicBool::new(false),
            capacity: capacity.max(1),
        }))
    }

    /// Queues an item; never waits. On a full queue the connection is marked overflowed.
    pub fn push(&self, item: Outgoing) -> Result<(), Overflow> {
        let result = {
            let mut q = self.lock();
            if q.len() >= self.0.capacity {
                self.0.overflowed.store(true, Ordering::Release);
                // Never queued: its sender is told now (the agent's queue is another lock).
                if let Outgoing::Signal(_, Some(notice)) = item {
                    drop(q);
                    notice.send();
                }
                Err(Overflow)
            } else {
                q.push_back(item);
                Ok(())
            }
        };
        self.0.notify.notify_one();
        result
    }

    /// Queues an item even on a full queue (a connection already cut gets nothing). Only for
    /// items whose number is bounded elsewhere (drop notices: one per signal the agent sent).
    fn push_past_capacity(&self, item: Outgoing) {
        if self.overflowed() {
            return;
        }
        self.lock().push_back(item);
        self.0.notify.notify_one();
    }

    /// Queues a frame.
    pub fn frame(&self, text: &Utf8Bytes) -> Result<(), Overflow> {
        self.push(Outgoing::Frame(text.clone()))
    }

    /// Takes everything queued, in order; frees the queue's buffer when it was large.
    pub fn take(&self) -> VecDeque<Outgoing> {
        std::mem::take(&mut *self.lock())
    }

    /// Marks the connection as one that missed frames, as a full queue does: its task
    /// disconnects it as a slow consumer, and the client reconnects to a fresh state.
    pub fn cut(&self) {
        self.0.overflowed.store(true, Ordering::Release);
        self.0.notify.notify_one();
    }

    /// Whether a producer found the queue full.
    pub fn overflowed(&self) -> bool {
        self.0.overflowed.load(Ordering::Acquire)
    }

    /// Waits until something is queued or an overflow happened (at once if so already). May
    /// return with nothing queued (a wake-up left by an item already taken): callers loop.
    /// Not written with [`Self::wait_until`]: every idle connection waits here, in the smallest
    /// future that will do.
    pub async fn ready(&self) {
        let notified = self.0.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if !self.overflowed() && self.lock().is_empty() {
            notified.await;
        }
    }

    /// Waits until a producer found the queue full (at once if one already has). Lets a task
    /// that is blocked writing to a peer notice that the peer cannot keep up.
    pub async fn overflowed_wait(&self) {
        self.wait_until(|| self.overflowed()).await
    }

    /// Sleeps until `done()` holds. Registers for the next wake-up before each check, so a push
    /// between the check and the sleep still wakes it.
    async fn wait_until(&self, done: impl Fn() -> bool) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done() {
                return;
            }
            notified.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Outgoing>> {
        // A poisoned lock means a panic elsewhere while pushing; the queue itself is intact.
        self.0.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Empties the queue of a connection that has ended: every signal still in it is dropped
    /// unsent, so its sender is told; returns how many were.
    pub fn drop_unsent(&self) -> usize {
        let notices = self.take_signals().into_iter().filter_map(|(_, n)| n);
        notices.map(DropNotice::send).count()
    }

    /// Empties the queue of a connection that has ended and returns the signals still in it,
    /// in order, with their senders' notices.
    pub fn take_signals(&self) -> Vec<(Utf8Bytes, Option<DropNotice>)> {
        let signals = self.take().into_iter().filter_map(|item| match item {
            Outgoing::Signal(frame, notice) => Some((frame, notice)),
            _ => None,
        });
        signals.collect()
    }

    /// Whether two handles are the same outbox.
    pub fn same(&self, other: &Outbox) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_marks_overflow() {
        let o = Outbox::new(2);
        let t: Utf8Bytes = "x".into();
        assert!(o.frame(&t).is_ok());
        assert!(o.frame(&t).is_ok());
        assert_eq!(o.frame(&t), Err(Overflow));
        assert!(o.overflowed());
        assert_eq!(o.take().len(), 2);
    }

    #[tokio::test]
    async fn overflow_wakes_a_waiter_once_overflowed() {
        let o = Outbox::new(1);
        let t: Utf8Bytes = "x".into();
        let waiter = tokio::spawn({
            let o = o.clone();
            async move { o.overflowed_wait().await }
        });
        assert!(o.frame(&t).is_ok());
        assert_eq!(o.frame(&t), Err(Overflow));
        tokio::time::timeout(std::time::Duration::from_secs(1), waiter)
            .await
            .expect("woken")
            .expect("joined");
        // Already overflowed: returns at once.
        tokio::time::timeout(std::time::Duration::from_secs(1), o.overflowed_wait())
            .await
            .expect("at once");
    }

    #[tokio::test]
    async fn ready_sees_a_queued_frame_whose_wake_up_another_wait_took() {
        let o = Outbox::new(4);
        let t: Utf8Bytes = "x".into();
        assert!(o.frame(&t).is_ok());
        // The write path's wait takes the push's wake-up, and keeps waiting: not overflowed.
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), o.overflowed_wait()).await;
        assert!(waited.is_err());
        // The loop's wait still sees the queued frame, at once.
        tokio::time::timeout(std::time::Duration::from_secs(1), o.ready())
            .await
            .expect("at once");
        assert_eq!(o.take().len(), 1);
    }
}
