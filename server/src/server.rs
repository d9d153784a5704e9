//! Starting, draining and stopping a server.

use crate::accept::Admit;
use crate::auth::Tokens;
use crate::config::{Config, ConfigError};
use crate::http::app;
use crate::metrics::Metrics;
use crate::outbox::Outgoing;
use crate::state::{AppState, Phase};
use crate::store::StoreRules;
use crate::store::{MemoryStore, RedisStore, Store};
use crate::tls::{server_config, TlsError};
use crate::webhooks::{WebhookError, Webhooks};
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::Handle;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad TLS material.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The listener could not bind.
    #[error("cannot listen on {addr}: {detail}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        detail: String,
    },
    /// The cluster configuration is incomplete.
    #[error("{0}")]
    Cluster(String),
    /// The Redis store could not start.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Webhooks could not start (a bad endpoint, or the outbox).
    #[error(transparent)]
    Webhooks(#[from] WebhookError),
}

/// A running server.
pub struct RunningServer {
    addr: SocketAddr,
    tls: bool,
    handle: Handle,
    phase: watch::Sender<Phase>,
    state: Arc<AppState>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr` or `https://addr`.
    pub fn http_url(&self) -> String {
        format!(
            "{}://{}",
            if self.tls { "https" } else { "http" },
            self.addr
        )
    }

    /// `ws://addr` or `wss://addr`.
    pub fn ws_url(&self) -> String {
        format!("{}://{}", if self.tls { "wss" } else { "ws" }, self.addr)
    }

    /// The shared state (for tests and the bench tool).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Drains (§7): stop accepting, send `scaledown` to every client, wait until they left or the
    /// drain deadline passed, then close the rest and stop.
    pub async fn drain(self) {
        let deadline = self.state.config.timings.drain();
        tracing::info!(?deadline, "draining");
        let _ = self.phase.send(Phase::Draining);
        self.state
            .store
            .broadcast_local(Outgoing::Phase(Phase::Draining));
        self.handle.graceful_shutdown(Some(deadline));
        let until = Instant::now() + deadline;
        while Instant::now() < until && self.state.store.local_connections() != (0, 0) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.phase.send(Phase::Closing);
        self.state
            .store
            .broadcast_local(Outgoing::Phase(Phase::Closing));
        // Give sockets a moment to send their close frames.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = self.task.await;
        tracing::info!("stopped");
    }

    /// Stops at once, without `scaledown`.
    pub async fn shutdown(self) {
        let _ = self.phase.send(Phase::Closing);
        self.state
            .store
            .broadcast_local(Outgoing::Phase(Phase::Closing));
        self.handle.shutdown();
        let _ = self.task.await;
    }
}

/// The in-memory store, or the Redis store when `[cluster] redis_url` is set.
async fn open_store(
    config: &Config,
    node: String,
    rules: StoreRules,
    metrics: Arc<Metrics>,
) -> Result<Arc<dyn Store>, StartError> {
    let Some(url) = config.cluster.as_ref().and_then(|c| c.redis_url.as_deref()) else {
        return Ok(Arc::new(MemoryStore::new(rules, metrics)));
    };
    if config.jwt_secret.is_none() {
        return Err(StartError::Cluster(
            "[cluster] needs jwt_secret: every node must verify the others' tokens".into(),
        ));
    }
    tracing::info!(node, "cluster mode: state in Redis");
    Ok(Arc::new(
        RedisStore::connect(url, node, rules, metrics).await?,
    ))
}

/// This process's name among the nodes (in Redis, and as the webhook lease holder): the node
/// name, or the process id, plus a random part. One identity per process: connection ids start
/// again at 1 on every start, so a node restarted under the same name must not inherit the socket
/// references its previous run left in Redis (the other nodes reap those once the old run's
/// liveness key expires), nor think it still holds a lease.
fn run_name(config: &Config) -> String {
    let name = config
        .cluster
        .as_ref()
        .and_then(|c| c.node_name.clone())
        .unwrap_or_else(|| format!("node-{}", std::process::id()));
    let run: u32 = rand::random();
    format!("{name}.{run:08x}")
}

/// HTTP/1.1 only (WebSockets ride on its upgrades; ALPN offers nothing else), with a timer so
/// that hyper's header-read timeout runs: without one hyper silently skips it.
fn configure_http(builder: &mut Builder<TokioExecutor>, header_timeout: Duration) {
    let mut http1 = std::mem::replace(builder, Builder::new(TokioExecutor::new())).http1_only();
    http1
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    *builder = http1;
}

/// Builds the state and starts serving. Returns once the listener is bound.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    config.validate()?;
    let groups = config.groups()?;
    let secret = match &config.jwt_secret {
        Some(s) => s.as_bytes().to_vec(),
        None => {
            let bytes: [u8; 32] = rand::random();
            bytes.to_vec()
        }
    };
    let metrics = Arc::new(Metrics::new());
    let node = run_name(&config);
    let webhooks = Webhooks::start(&config, &node, metrics.clone()).await?;
    let rules = StoreRules {
        grace: config.timings.grace(),
        hold: config.timings.hold(),
        presence: config.limits.presence(),
        held_signals: config.limits.held_signals,
        agents_per_visitor: config.limits.agents_per_visitor,
        sockets_per_visitor: config.limits.sockets_per_visitor,
        webhooks: webhooks.clone(),
    };
    let store = open_store(&config, node, rules, metrics.clone()).await?;
    webhooks.attach_store(store.clone());
    let (phase_tx, phase_rx) = watch::channel(Phase::Running);
    let tls = match &config.tls {
        Some(t) => Some(server_config(t)?),
        None => None,
    };
    let listen = config.listen;
    let listener = std::net::TcpListener::bind(listen).map_err(|e| StartError::Bind {
        addr: listen,
        detail: e.to_string(),
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| StartError::Bind {
            addr: listen,
            detail: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| StartError::Bind {
        addr: listen,
        detail: e.to_string(),
    })?;
    let state = Arc::new(AppState::new(
        addr,
        config,
        groups,
        store,
        Tokens::new(&secret),
        metrics,
        phase_rx,
        webhooks,
    ));
    let router = app(state.clone());
    let handle = Handle::new();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let limits = &state.config.limits;
    let admit = Admit::new(
        state.admission.clone(),
        limits.idle_timeout(),
        limits.header_timeout(),
    );
    let header_timeout = limits.header_timeout();
    let task = match tls.clone() {
        Some(cfg) => {
            let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(cfg))
                .handshake_timeout(header_timeout)
                .acceptor(admit);
            let mut server = axum_server::from_tcp(listener)
                .acceptor(acceptor)
                .handle(handle.clone());
            configure_http(server.http_builder(), header_timeout);
            tokio::spawn(async move { server.serve(service).await })
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .acceptor(admit)
                .handle(handle.clone());
            configure_http(server.http_builder(), header_timeout);
            tokio::spawn(async move { server.serve(service).await })
        }
    };
    Ok(RunningServer {
        addr,
        tls: tls.is_some(),
        handle,
        phase: phase_tx,
        state,
        task,
    })
}
