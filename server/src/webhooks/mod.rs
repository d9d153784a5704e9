//! Webhooks: the group's back end (its CRM, routing or analytics) hears each presence, terms,
//! session and agent transition the server decides, as a signed Standard Webhooks POST, and
//! never loses one to a restart, a slow receiver or a node loss (docs/WEBHOOKS.md).
//!
//! The path of an event: the code deciding a transition calls [`Webhooks::emit`], which never
//! waits: it addresses the event to the group's endpoints that want it and queues it (bounded;
//! full: dropped and counted). One writer task appends what is queued to the [`outbox`] (a redb
//! file, or Redis streams in a cluster) in batches, durably, then wakes the endpoints' [`delivery`]
//! workers, which send each endpoint's messages in order and remove them once done.

pub mod delivery;
pub mod endpoint;
pub mod event;
pub mod hooks;
pub mod outbox;
pub mod recent;
pub mod retry;
pub mod settings;
pub mod sign;
pub mod ssrf;
pub mod unique;
pub mod verify;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;
use endpoint::Endpoint;
use event::{Event, Message};
use glance_protocol::GroupId;
use outbox::{Bounds, Outbox};
use recent::{DeliveryRecord, Recent};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};

/// Messages the writer appends in one outbox transaction at most.
const WRITE_BATCH: usize = 512;

/// Webhooks could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A bad `[webhooks]` or `[[groups.webhooks]]` entry (including an SSRF refusal).
    #[error("invalid webhook configuration: {0}")]
    Config(String),
    /// The outbox cannot be opened.
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
}

struct Route {
    endpoint: Arc<Endpoint>,
    wake: Arc<Notify>,
    recent: Arc<Recent>,
}

struct Engine {
    routes: HashMap<GroupId, Vec<Route>>,
    queue: mpsc::Sender<Vec<(String, Message)>>,
    metrics: Arc<Metrics>,
    uniques: OnceLock<unique::UniqueDeadlines>,
}

/// The handle every emitter holds: cheap to clone; off (does nothing) when no group has an
/// endpoint.
#[derive(Clone, Default)]
pub struct Webhooks(Option<Arc<Engine>>);

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Webhooks(on)"
        } else {
            "Webhooks(off)"
        })
    }
}

/// The configured endpoints, checked (URLs, SSRF on address literals, secrets, event names).
pub fn endpoints(config: &Config) -> Result<Vec<Endpoint>, WebhookError> {
    config.webhooks.validate().map_err(WebhookError::Config)?;
    let mut out = Vec::new();
    for g in &config.groups {
        let group = GroupId::new(g.id).map_err(|e| WebhookError::Config(e.to_string()))?;
        for e in &g.webhooks {
            let endpoint = Endpoint::new(group, e, config.webhooks.allow_private)
                .map_err(WebhookError::Config)?;
            if out.iter().any(|o: &Endpoint| o.id == endpoint.id) {
                return Err(WebhookError::Config(format!(
                    "group {group} lists webhook {} twice",
                    e.url
                )));
            }
            out.push(endpoint);
        }
    }
    Ok(out)
}

/// The outbound HTTP client: rustls, the attempt timeout, no redirects, no proxies (a proxy
/// would bypass the address checks), and the SSRF resolver unless private addresses are allowed.
fn client(config: &Config) -> Result<reqwest::Client, WebhookError> {
    let s = &config.webhooks;
    let mut builder = reqwest::Client::builder()
        .timeout(s.timeout())
        .connect_timeout(s.timeout())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!(
            "presence-server/",
            env!("CARGO_PKG_VERSION"),
            " (webhooks)"
        ))
        .pool_idle_timeout(Duration::from_secs(30));
    if !s.allow_private {
        builder = builder.dns_resolver(Arc::new(ssrf::GuardedResolver));
    }
    builder
        .build()
        .map_err(|e| WebhookError::Config(format!("HTTP client: {e}")))
}

impl Webhooks {
    /// Checks the endpoints, opens the outbox and starts the writer and one worker per endpoint.
    /// `node`: this process's unique name in a cluster (the lease holder's name).
    pub async fn start(
        config: &Config,
        node: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Self, WebhookError> {
        let list = endpoints(config)?;
        if list.is_empty() {
            return Ok(Self::default());
        }
        let s = &config.webhooks;
        if !s.allow_private {
            for e in &list {
                ssrf::check_resolved(&e.url)
                    .await
                    .map_err(|e| WebhookError::Config(e.to_string()))?;
            }
        }
        let bounds = Bounds {
            max_events: s.max_events as u64,
            max_bytes: s.max_bytes as u64,
        };
        let redis = config.cluster.as_ref().and_then(|c| c.redis_url.as_deref());
        let outbox: Arc<dyn Outbox> = match redis {
            Some(url) => {
                Arc::new(outbox::redis::RedisOutbox::connect(url, node.to_owned(), bounds).await?)
            }
            None => Arc::new(outbox::file::FileOutbox::open(&s.outbox, bounds)?),
        };
        let client = client(config)?;
        let (queue, rx) = mpsc::channel(s.queue);
        let mut routes: HashMap<GroupId, Vec<Route>> = HashMap::new();
        let mut wakes = HashMap::new();
        for e in list {
            tracing::info!(endpoint = %e.id, group = %e.group, url = %e.url, "webhook endpoint");
            let route = Route {
                endpoint: Arc::new(e),
                wake: Arc::new(Notify::new()),
                recent: Arc::new(Recent::default()),
            };
            wakes.insert(route.endpoint.id.clone(), route.wake.clone());
            let worker = delivery::Worker {
                endpoint: route.endpoint.clone(),
                outbox: outbox.clone(),
                client: client.clone(),
                backoff: retry::Backoff {
                    initial: s.retry_initial(),
                    max: s.retry_max_delay(),
                },
                max_retry_time: s.max_retry_time(),
                metrics: metrics.clone(),
                wake: route.wake.clone(),
                recent: route.recent.clone(),
                gauged: None,
            };
            tokio::spawn(worker.run());
            routes.entry(route.endpoint.group).or_default().push(route);
        }
        tokio::spawn(write(rx, outbox, wakes, metrics.clone()));
        Ok(Self(Some(Arc::new(Engine {
            routes,
            queue,
            metrics,
            uniques: OnceLock::new(),
        }))))
    }

    /// Whether any endpoint of `group` takes events named `name` (to skip building the rest).
    pub fn wants(&self, group: GroupId, name: &str) -> bool {
        let Some(engine) = &self.0 else {
            return false;
        };
        engine
            .routes
            .get(&group)
            .is_some_and(|r| r.iter().any(|r| r.endpoint.filter.accepts(name)))
    }

    /// Queues `event` for every endpoint of its group that takes it. Never waits: when the
    /// queue to the outbox is full the event is dropped, counted and logged.
    pub fn emit(&self, event: Event) {
        let Some(engine) = &self.0 else {
            return;
        };
        let Some(routes) = engine.routes.get(&event.group) else {
            return;
        };
        let name = event.kind.name().to_owned();
        let targets: Vec<&Route> = routes
            .iter()
            .filter(|r| r.endpoint.filter.accepts(&name))
            .collect();
        if targets.is_empty() {
            return;
        }
        let message = event.into_message();
        let batch: Vec<(String, Message)> = targets
            .iter()
            .map(|r| (r.endpoint.id.clone(), message.clone()))
            .collect();
        if engine.queue.try_send(batch).is_err() {
            for r in targets {
                engine.metrics.webhook_dropped(&r.endpoint.id, "queue", 1);
            }
            tracing::warn!(event = name, "webhook queue full: event dropped");
        }
    }

    /// Gives the engine the store it asks whether guest codes are still live (`unique.expired`);
    /// once, after the store is open (the store itself holds this handle).
    pub fn attach_store(&self, store: Arc<dyn Store>) {
        if let Some(engine) = &self.0 {
            let _ = engine
                .uniques
                .set(unique::UniqueDeadlines::start(self.clone(), store));
        }
    }

    /// A guest code this node handed out, live until `until_ms`: followed for `unique.expired`.
    pub fn unique_deadline(&self, group: GroupId, number: u64, until_ms: u64) {
        if !self.wants(group, "unique.expired") {
            return;
        }
        if let Some(u) = self.0.as_ref().and_then(|e| e.uniques.get()) {
            u.follow(group, number, until_ms);
        }
    }

    /// The recent deliveries of `group`'s endpoints, newest first.
    pub fn recent(&self, group: GroupId) -> Vec<DeliveryRecord> {
        let Some(routes) = self.0.as_ref().and_then(|e| e.routes.get(&group)) else {
            return Vec::new();
        };
        let mut all: Vec<DeliveryRecord> = routes.iter().flat_map(|r| r.recent.list()).collect();
        all.sort_by_key(|r| std::cmp::Reverse(r.at_ms));
        all
    }

    /// How many endpoints `group` has.
    pub fn endpoint_count(&self, group: GroupId) -> usize {
        self.0
            .as_ref()
            .and_then(|e| e.routes.get(&group))
            .map_or(0, Vec::len)
    }
}

/// The writer: appends queued messages to the outbox in batches, durably, then wakes the
/// endpoints' workers. An outbox error is retried (events wait in the queue meanwhile).
async fn write(
    mut rx: mpsc::Receiver<Vec<(String, Message)>>,
    outbox: Arc<dyn Outbox>,
    wakes: HashMap<String, Arc<Notify>>,
    metrics: Arc<Metrics>,
) {
    let mut events = Vec::with_capacity(64);
    loop {
        if rx.recv_many(&mut events, WRITE_BATCH).await == 0 {
            return;
        }
        let window = outbox.write_window();
        if events.len() < WRITE_BATCH && !window.is_zero() {
            tokio::time::sleep(window).await;
            while events.len() < WRITE_BATCH {
                match rx.try_recv() {
                    Ok(e) => events.push(e),
                    Err(_) => break,
                }
            }
        }
        let batch: Vec<(String, Message)> = events.drain(..).flatten().collect();
        let mut touched: Vec<String> = batch.iter().map(|(e, _)| e.clone()).collect();
        touched.dedup();
        loop {
            match outbox.append(batch.clone()).await {
                Ok(dropped) => {
                    for d in dropped {
                        metrics.webhook_dropped(&d.endpoint, "bounds", d.count);
                        tracing::warn!(endpoint = %d.endpoint, count = d.count, "webhook outbox full: oldest events dropped");
                    }
                    break;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot write webhook events; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        for e in touched {
            if let Some(w) = wakes.get(&e) {
                w.notify_one();
            }
        }
    }
}
