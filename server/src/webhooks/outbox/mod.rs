//! Where events wait until their endpoint took them: written before the first attempt, removed
//! after the last, so a restart, a slow receiver or a node loss loses nothing (at-least-once).
//!
//! Two implementations behind one trait: a redb file for the single node ([`file`]) and Redis
//! streams shared by a cluster ([`redis`]). Each endpoint's messages form one queue, taken in
//! order from its head by one worker at a time (in a cluster: the node holding the endpoint's
//! lease), which is what keeps each visitor's events in order.

pub mod file;
pub mod redis;

use super::event::Message;
use async_trait::async_trait;
use std::time::Duration;

/// Where a message sits in its endpoint's queue (a sequence number, or a stream entry id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot(pub String);

/// The head of an endpoint's queue.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Its place.
    pub slot: Slot,
    /// The message.
    pub message: Message,
}

/// How much an endpoint's queue holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// Messages.
    pub events: u64,
    /// Bytes, as stored.
    pub bytes: u64,
}

/// Messages dropped from the front of a queue to keep it within its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The endpoint.
    pub endpoint: String,
    /// How many.
    pub count: u64,
}

/// The outbox backend failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("webhook outbox: {0}")]
pub struct OutboxError(pub String);

pub(crate) fn backend<E: std::fmt::Display>(e: E) -> OutboxError {
    OutboxError(e.to_string())
}

/// The queues of every endpoint.
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Appends messages, each to its endpoint's queue, in the given order, durably before it
    /// returns. A queue past its bounds loses its oldest messages: reported back.
    async fn append(&self, batch: Vec<(String, Message)>) -> Result<Vec<Dropped>, OutboxError>;

    /// The oldest message of `endpoint`, if there is one and this node may deliver it (in a
    /// cluster: it holds, or now takes, the endpoint's lease; the call renews it).
    async fn head(&self, endpoint: &str) -> Result<Option<Pending>, OutboxError>;

    /// Removes a message that was delivered or given up (nothing if it is already gone).
    async fn remove(&self, endpoint: &str, slot: &Slot) -> Result<(), OutboxError>;

    /// What `endpoint`'s queue holds.
    async fn depth(&self, endpoint: &str) -> Result<Depth, OutboxError>;

    /// How long the writer may gather events before an append: worth it where an append costs a
    /// disk flush whatever its size (the file), not where each message is its own command.
    fn write_window(&self) -> Duration {
        Duration::ZERO
    }
}

/// Per-endpoint bounds.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Messages.
    pub max_events: u64,
    /// Bytes.
    pub max_bytes: u64,
}
