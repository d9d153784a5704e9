//! The presence state (§3) behind one trait, so a shared Redis implementation can stand beside the
//! in-memory default.
//!
//! The store owns every rule that spans connections: which sockets a visitor has, focus and
//! `blur`, merged presence, the navigation grace, held signals, and which agents watch whom. It
//! delivers frames by pushing into connections' [`Outbox`]es, never waiting, so a state change and
//! the frames it causes happen atomically and in one order for every observer.

pub mod memory;
mod record;
mod redis;
mod rules;
pub mod unique;

pub use memory::MemoryStore;
pub use record::{Stamped, VisitorKey};
pub use redis::RedisStore;
pub use rules::StoreRules;

use crate::outbox::{DropNotice, Outbox, Outgoing};
use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
use glance_protocol::{
    GroupId, PresenceMap, ValidationError, VisibilityData, VisitorEvent, VisitorId,
};

/// Identifies a connection on this node.
pub type ConnId = u64;

/// Something a visitor connection reports.
#[derive(Debug, Clone)]
pub enum VisitorUpdate {
    /// A presence patch (validated by the caller against the per-map limits).
    Presence(PresenceMap),
    /// A visibility change.
    Visibility(VisibilityData),
    /// `terms`, `visitorsession*`, `visitorerror`, `c_*`.
    Event(VisitorEvent<serde_json::Value>),
}

/// One page of a group's present visitors.
#[derive(Debug, Clone, Default)]
pub struct QueryPage {
    /// The visitors, in id order.
    pub visitors: Vec<(VisitorId, PresenceMap)>,
    /// The id the next page starts after; `None` on the last page.
    pub next: Option<VisitorId>,
}

/// What happened to a signal or invoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalOutcome {
    /// Queued to the visitor's focused connection.
    Delivered,
    /// The visitor is between pages: held for the hold window.
    Held,
    /// The visitor was not seen within the hold window.
    NotPresent,
}

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The update breaks a limit (e.g. merged presence too large).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Too many sockets or agents for one visitor.
    #[error("too many {0} for this visitor")]
    TooMany(&'static str),
    /// The shared backend cannot be reached.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// The presence state. Every method is atomic with respect to the frames it causes.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A visitor socket finished its `connect`. Sends `visitorsock`/`visitorconn true` to the
    /// visitor's agents as needed, `blur` to the connection losing focus, and any held signals to
    /// this one.
    async fn visitor_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError>;

    /// A visitor socket closed. The last one sends `visitorsock false` now and starts the grace
    /// period after which `visitorconn false` follows, unless the visitor comes back.
    async fn visitor_close(&self, key: &VisitorKey, conn: ConnId);

    /// A visitor connection reported something: it takes focus, and the update is relayed.
    async fn visitor_update(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        update: VisitorUpdate,
    ) -> Result<(), StoreError>;

    /// An agent socket watches `key`. Sends the visitor's current state to it.
    async fn agent_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError>;

    /// An agent socket closed.
    async fn agent_close(&self, key: &VisitorKey, conn: ConnId);

    /// Routes a `signal` / `invoke` frame (already serialized) to the visitor's focused connection,
    /// or holds it, or refuses it (§3.4). `notice`: whom to tell if a delivered frame is then
    /// dropped unsent from the visitor's queue (only a connection on this node can be told; a
    /// held signal, or one relayed to another node, carries no notice).
    async fn signal(
        &self,
        key: &VisitorKey,
        frame: Utf8Bytes,
        notice: Option<DropNotice>,
    ) -> Result<SignalOutcome, StoreError>;

    /// The merged presence (stamped) of a present visitor.
    async fn lookup(&self, key: &VisitorKey) -> Result<Option<PresenceMap>, StoreError>;

    /// One page of the present visitors of a group, with their stamped presence, in visitor id
    /// order: at most `limit` of those after `after`. Reads only that group's index.
    async fn query(
        &self,
        group: GroupId,
        after: Option<&VisitorId>,
        limit: usize,
    ) -> Result<QueryPage, StoreError>;

    /// A fresh unique visitor number: random, 9 digits, not live (no other guest holds it), now
    /// live with `claim` until `until_ms` (ms since the epoch).
    async fn claim_unique(&self, claim: u64, until_ms: u64) -> Result<u64, StoreError>;

    /// Renews unique visitor `key`, held with `claim`, to `until_ms` and tells its connections
    /// (the session closes with `serverclose` at its deadline). `false` when the id is no longer
    /// live with that claim (it lapsed, or was handed out again): the guest must get a new one.
    async fn renew_unique(
        &self,
        key: &VisitorKey,
        claim: u64,
        until_ms: u64,
    ) -> Result<bool, StoreError>;

    /// When unique visitor `number` lapses (ms since the epoch), or `None` when it is not live.
    async fn unique_until(&self, number: u64) -> Result<Option<u64>, StoreError>;

    /// Pushes `item` to every connection registered on this node (drain).
    fn broadcast_local(&self, item: Outgoing);

    /// Whether the backend is reachable (for `/readyz`).
    fn ready(&self) -> bool;

    /// Connections registered on this node (visitors, agents).
    fn local_connections(&self) -> (usize, usize);
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
