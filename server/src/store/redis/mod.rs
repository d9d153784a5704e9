//! The Redis store: several nodes behind a load balancer share the presence state (§8).
//!
//! State lives in Redis and changes through Lua scripts ([`lua`]) that also publish the frames
//! they cause on the visitor's sharded channel, so every node sees one order. A node subscribes to
//! the channel of a visitor only while one of its agents watches that visitor, so Redis traffic
//! follows what is watched. Frames for one connection (signals, `blur`, extensions) go to the
//! channel of the node holding it ([`local`]). Nodes heartbeat; a node that stops is reaped by
//! another, which closes its sockets so agents see the visitors leave ([`nodes`]).

mod agents;
mod keys;
mod local;
mod lua;
mod message;
mod nodes;
mod reply;
mod route;
mod sockets;
mod state;
mod unique;

use reply::{frame, status, text, unavailable};

use super::StoreRules;
use super::{
    ConnId, QueryPage, SignalOutcome, Stamped, Store, StoreError, VisitorKey, VisitorUpdate,
};
use crate::metrics::Metrics;
use crate::outbox::{DropNotice, Outbox, Outgoing};
use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use fred::types::scripts::Script;
use glance_protocol::{GroupId, PresenceMap, ServerFrame, Visibility, VisitorId};
use keys::{sock_ref, VisitorKeys};
use local::Local;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Attempts of the presence compare-and-set before giving up.
const PRESENCE_ATTEMPTS: usize = 8;

struct Scripts {
    open: Script,
    close: Script,
    tick: Script,
    overdue: Script,
    agent_take: Script,
    agent_give: Script,
    event: Script,
    presence: Script,
    signal: Script,
    query: Script,
    renew_unique: Script,
}

pub(crate) struct Inner {
    client: Client,
    sub: SubscriberClient,
    node: String,
    rules: StoreRules,
    metrics: Arc<Metrics>,
    local: Mutex<Local>,
    /// Set when a closed socket could not be unregistered: the heartbeat reconciles.
    reconcile: AtomicBool,
    /// Set after the first heartbeat.
    alive_once: AtomicBool,
    /// Serializes (un)subscriptions so the subscribed set follows the local agents.
    subscribing: tokio::sync::Mutex<()>,
    scripts: Scripts,
}

/// The Redis [`Store`].
#[derive(Clone)]
pub struct RedisStore(Arc<Inner>);

impl RedisStore {
    /// Connects to Redis at `url` as node `node` and starts the subscriber, heartbeat and reaper.
    pub async fn connect(
        url: &str,
        node: String,
        rules: StoreRules,
        metrics: Arc<Metrics>,
    ) -> Result<Self, StoreError> {
        if node.is_empty() || node.contains(['#', '|', ':']) {
            return Err(StoreError::Unavailable(format!(
                "node name '{node}' must be non-empty without # | :"
            )));
        }
        let config = Config::from_url(url).map_err(unavailable)?;
        let mut builder = Builder::from_config(config);
        builder
            .with_performance_config(|p| {
                // Slots are allocated up front, in several channels per client: 8k is ~ a few MB
                // and far more than the dispatcher (which only queues into outboxes) falls behind.
                p.broadcast_channel_capacity = 1 << 13;
                p.default_command_timeout = Duration::from_secs(2);
            })
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.max_command_attempts = 2;
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let client = builder.build().map_err(unavailable)?;
        let sub = builder.build_subscriber_client().map_err(unavailable)?;
        client.init().await.map_err(unavailable)?;
        sub.init().await.map_err(unavailable)?;
        let scripts = Scripts {
            open: Script::from_lua(lua::open()),
            close: Script::from_lua(lua::close()),
            tick: Script::from_lua(lua::absence_tick()),
            overdue: Script::from_lua(lua::overdue()),
            agent_take: Script::from_lua(lua::agent_take()),
            agent_give: Script::from_lua(lua::agent_give()),
            event: Script::from_lua(lua::event()),
            presence: Script::from_lua(lua::presence()),
            signal: Script::from_lua(lua::signal()),
            query: Script::from_lua(lua::query()),
            renew_unique: Script::from_lua(unique::RENEW),
        };
        let inner = Inner {
            client,
            sub,
            node,
            rules,
            metrics,
            local: Mutex::new(Local::default()),
            reconcile: AtomicBool::new(false),
            alive_once: AtomicBool::new(false),
            subscribing: tokio::sync::Mutex::new(()),
            scripts,
        };
        let store = Self(Arc::new(inner));
        store.start_background().await?;
        Ok(store)
    }

    fn local(&self) -> MutexGuard<'_, Local> {
        // Short, panic-free critical sections: recover from poisoning.
        self.0.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn client(&self) -> &Client {
        &self.0.client
    }

    /// Runs a script, returning its array reply.
    async fn run(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<Vec<Value>, StoreError> {
        let reply: Value = script
            .evalsha_with_reload(self.client(), keys, args)
            .await
            .map_err(unavailable)?;
        Ok(match reply {
            Value::Array(items) => items,
            other => vec![other],
        })
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn visitor_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        self.local().add_visitor(conn, key.clone(), outbox.clone());
        let reply = match self.register(key, conn).await {
            Ok(r) => r,
            Err(e) => {
                self.local().remove_visitor(conn);
                // The script may have run even though its reply was lost.
                self.0.reconcile.store(true, Ordering::Release);
                return Err(e);
            }
        };
        if status(&reply) == -1 {
            self.local().remove_visitor(conn);
            return Err(StoreError::TooMany("sockets"));
        }
        for held in reply.iter().skip(2) {
            if let Some(f) = held.as_string() {
                let _ = outbox.push(Outgoing::Frame(f.into()));
                self.0.metrics.signal("delivered");
            }
        }
        let previous = text(reply.get(1));
        if previous != sock_ref(&self.0.node, conn) {
            self.blur(&previous).await;
        }
        Ok(())
    }

    async fn visitor_close(&self, key: &VisitorKey, conn: ConnId) {
        self.local().remove_visitor(conn);
        let r = sock_ref(&self.0.node, conn);
        if let Err(e) = self.close_sock(key, &self.0.node.clone(), &r).await {
            // The socket stays listed under this node until the heartbeat reconciles the node's
            // sockets with the local ones (or, if this node dies, until it is reaped).
            tracing::warn!(error = %e, "cannot unregister a closed socket: will reconcile");
            self.0.reconcile.store(true, Ordering::Release);
        }
    }

    async fn visitor_update(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        update: VisitorUpdate,
    ) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let r = sock_ref(&self.0.node, conn);
        let previous = match update {
            VisitorUpdate::Presence(patch) => self.update_presence(key, &r, patch).await?,
            VisitorUpdate::Visibility(v) => {
                let vis = match v.visibility {
                    Visibility::Hidden => "hidden",
                    Visibility::Visible => "visible",
                };
                self.relay(key, r, frame(&ServerFrame::Visibility(v)), vis)
                    .await?
            }
            VisitorUpdate::Event(ev) => {
                self.relay(key, r, frame(&super::memory::relay_event(ev)), "")
                    .await?
            }
        };
        self.blur(&previous).await;
        self.0.metrics.relay(started.elapsed());
        Ok(())
    }

    async fn agent_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        let channel = VisitorKeys::of(key).channel;
        self.take_agent_place(key).await?;
        // Subscribe before reading the snapshot: an event in between arrives twice at worst,
        // never not at all.
        self.local().add_agent(&channel, conn, outbox.clone());
        if let Err(e) = self.sync_subscription(&channel).await {
            self.local().remove_agent(&channel, conn);
            self.give_agent_place(key).await;
            return Err(e);
        }
        let snapshot = self.agent_snapshot(key, &outbox).await;
        if snapshot.is_err() {
            // Refused: the session never calls agent_close, so undo the registration here.
            self.agent_close(key, conn).await;
        }
        snapshot
    }

    async fn agent_close(&self, key: &VisitorKey, conn: ConnId) {
        let channel = VisitorKeys::of(key).channel;
        self.local().remove_agent(&channel, conn);
        self.give_agent_place(key).await;
        if let Err(e) = self.sync_subscription(&channel).await {
            tracing::warn!(error = %e, "cannot unsubscribe");
        }
    }

    async fn signal(
        &self,
        key: &VisitorKey,
        frame: Utf8Bytes,
        notice: Option<DropNotice>,
    ) -> Result<SignalOutcome, StoreError> {
        let k = VisitorKeys::of(key);
        let args = vec![
            frame.to_string(),
            self.0.rules.hold.as_millis().to_string(),
            self.0.rules.held_signals.to_string(),
        ];
        let reply = self
            .run(&self.0.scripts.signal, vec![k.state, k.socks, k.held], args)
            .await?;
        let outcome = match status(&reply) {
            1 => {
                let payload = Outgoing::signal(frame, notice);
                self.to_sock(&text(reply.get(1)), payload, Some(&k.channel))
                    .await;
                SignalOutcome::Delivered
            }
            2 => SignalOutcome::Held,
            _ => SignalOutcome::NotPresent,
        };
        self.0.metrics.signal(match outcome {
            SignalOutcome::Delivered => "delivered",
            SignalOutcome::Held => "held",
            SignalOutcome::NotPresent => "notpresent",
        });
        Ok(outcome)
    }

    async fn lookup(&self, key: &VisitorKey) -> Result<Option<PresenceMap>, StoreError> {
        let state = self.state(key).await?;
        Ok(state.present.then(|| {
            Stamped {
                map: &state.presence,
                timestamp: state.ts,
            }
            .to_map()
        }))
    }

    async fn query(
        &self,
        group: GroupId,
        after: Option<&VisitorId>,
        limit: usize,
    ) -> Result<QueryPage, StoreError> {
        let after = after.map(|v| v.to_string()).unwrap_or_default();
        let reply = self
            .run(
                &self.0.scripts.query,
                vec![keys::group_index(group)],
                vec![group.to_string(), after, limit.to_string()],
            )
            .await?;
        let mut page = QueryPage {
            next: VisitorId::parse(&text(reply.first())).ok(),
            ..QueryPage::default()
        };
        for chunk in reply.get(1..).unwrap_or_default().chunks(3) {
            let (Some(vid), Some(presence), Some(ts)) = (chunk.first(), chunk.get(1), chunk.get(2))
            else {
                continue;
            };
            let Ok(visitor) = VisitorId::parse(&vid.as_string().unwrap_or_default()) else {
                continue;
            };
            let map: PresenceMap =
                serde_json::from_str(&presence.as_string().unwrap_or_default()).unwrap_or_default();
            let ts = ts.as_string().and_then(|t| t.parse().ok()).unwrap_or(0);
            page.visitors.push((
                visitor,
                Stamped {
                    map: &map,
                    timestamp: ts,
                }
                .to_map(),
            ));
        }
        Ok(page)
    }

    async fn claim_unique(&self, claim: u64, until_ms: u64) -> Result<u64, StoreError> {
        self.claim_unique_id(claim, until_ms).await
    }

    async fn renew_unique(
        &self,
        key: &VisitorKey,
        claim: u64,
        until_ms: u64,
    ) -> Result<bool, StoreError> {
        self.renew_unique_id(key, claim, until_ms).await
    }

    async fn unique_until(&self, number: u64) -> Result<Option<u64>, StoreError> {
        self.unique_id_until(number).await
    }

    fn broadcast_local(&self, item: Outgoing) {
        self.local().broadcast(item);
    }

    fn ready(&self) -> bool {
        self.0.client.is_connected() && self.0.sub.is_connected()
    }

    fn local_connections(&self) -> (usize, usize) {
        self.local().counts()
    }
}
