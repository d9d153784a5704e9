//! What every handler shares.

use crate::admission::{file_limit, Admission};
use crate::auth::Tokens;
use crate::config::{Config, Group};
use crate::metrics::Metrics;
use crate::origin::{own_origins, OriginPattern};
use crate::quota::TokenQuotas;
use crate::store::Store;
use crate::webhooks::Webhooks;
use glance_protocol::GroupId;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

/// Lifecycle of the node, watched by every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Serving.
    Running,
    /// SIGTERM: `scaledown` sent, no new connections, clients leaving.
    Draining,
    /// The drain deadline passed: close whatever is left.
    Closing,
}

/// Shared server state.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Groups by id.
    pub groups: HashMap<GroupId, Group>,
    /// Presence state.
    pub store: Arc<dyn Store>,
    /// Token issuer / verifier.
    pub tokens: Tokens,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Node lifecycle.
    pub phase: watch::Receiver<Phase>,
    /// Agent origins of groups that name none (see [`own_origins`]).
    own_origins: Vec<OriginPattern>,
    /// TCP connection caps.
    pub admission: Arc<Admission>,
    /// Per-token quotas of agent sockets and REST calls.
    pub quotas: Arc<TokenQuotas>,
    /// Webhook events out.
    pub webhooks: Webhooks,
    next_conn: AtomicU64,
}

impl AppState {
    /// Assembles the state; `bound` is the address the listener got.
    #[allow(clippy::too_many_arguments)] // one per shared part; a builder would add nothing
    pub fn new(
        bound: SocketAddr,
        config: Config,
        groups: HashMap<GroupId, Group>,
        store: Arc<dyn Store>,
        tokens: Tokens,
        metrics: Arc<Metrics>,
        phase: watch::Receiver<Phase>,
        webhooks: Webhooks,
    ) -> Self {
        // The connection caps stay below the process's file limit (see `admission.rs`).
        let admission = Admission::new(&config.limits, file_limit(), metrics.clone());
        let own_origins = own_origins(config.public_host.as_deref(), bound);
        Self {
            quotas: TokenQuotas::new(
                config.limits.agent_sockets_per_token,
                config.limits.requests_per_token,
            ),
            config,
            groups,
            store,
            tokens,
            metrics,
            phase,
            own_origins,
            admission,
            webhooks,
            next_conn: AtomicU64::new(1),
        }
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// A group with presence on.
    pub fn presence_group(&self, id: GroupId) -> Option<&Group> {
        self.groups.get(&id).filter(|g| g.presence)
    }

    /// Whether the node is draining or closing.
    pub fn draining(&self) -> bool {
        *self.phase.borrow() != Phase::Running
    }

    /// Whether `origin` may use the agent API of `group`: one of its agent origins, or, when it
    /// names none, one of the server's own origins (from configuration, never from `Host`).
    pub fn agent_origin_allowed(&self, group: &Group, origin: &str) -> bool {
        group
            .agent_origins
            .as_deref()
            .unwrap_or(&self.own_origins)
            .iter()
            .any(|p| p.matches(origin))
    }

    /// `host[:port]` clients should use: the configured public host, else the request's `Host`.
    pub fn public_host(&self, host: Option<&str>) -> String {
        self.config
            .public_host
            .clone()
            .or_else(|| host.map(str::to_owned))
            .unwrap_or_else(|| self.config.listen.to_string())
    }
}

/// The state as handlers hold it.
pub type SharedState = Arc<AppState>;
