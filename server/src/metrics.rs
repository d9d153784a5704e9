//! Prometheus metrics at `/metrics` (§7).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

type Label = [(&'static str, &'static str); 1];
/// Labels with a value known only at run time (webhook endpoints).
type Labels = Vec<(&'static str, String)>;

/// All metrics of one server.
pub struct Metrics {
    registry: Registry,
    connections: Family<Label, Gauge>,
    tcp_connections: Gauge,
    frames_in: Counter,
    frames_out: Counter,
    signals: Family<Label, Counter>,
    auth_failures: Family<Label, Counter>,
    disconnects: Family<Label, Counter>,
    relay_latency: Histogram,
    webhooks: WebhookMetrics,
}

/// The webhook families (see `register_webhooks`).
#[derive(Default)]
struct WebhookMetrics {
    attempts: Family<Labels, Counter>,
    results: Family<Labels, Counter>,
    dropped: Family<Labels, Counter>,
    outbox_events: Family<Labels, Gauge>,
    outbox_bytes: Family<Labels, Gauge>,
    oldest: Family<Labels, Gauge<f64, std::sync::atomic::AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh metrics, registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("presence");
        let connections = Family::<Label, Gauge>::default();
        let tcp_connections = Gauge::default();
        let frames_in = Counter::default();
        let frames_out = Counter::default();
        let signals = Family::<Label, Counter>::default();
        let auth_failures = Family::<Label, Counter>::default();
        let disconnects = Family::<Label, Counter>::default();
        // 50 µs .. ~1.6 s
        let relay_latency = Histogram::new(
            prometheus_client::metrics::histogram::exponential_buckets(0.00005, 2.0, 16),
        );
        registry.register(
            "connections",
            "Open WebSocket connections by role",
            connections.clone(),
        );
        registry.register(
            "tcp_connections",
            "Admitted TCP connections (HTTP and WebSocket)",
            tcp_connections.clone(),
        );
        registry.register("frames_in", "Frames received", frames_in.clone());
        registry.register("frames_out", "Frames sent", frames_out.clone());
        registry.register(
            "signals",
            "Signals and invokes by outcome (delivered, held, expired, notpresent, requeued, dropped)",
            signals.clone(),
        );
        registry.register(
            "auth_failures",
            "Refused authorizations by reason",
            auth_failures.clone(),
        );
        registry.register(
            "disconnects",
            "Connections and requests the server cut or refused, by reason",
            disconnects.clone(),
        );
        registry.register(
            "relay_latency_seconds",
            "Time from receiving a visitor frame to queueing it for every watching agent",
            relay_latency.clone(),
        );
        let webhooks = WebhookMetrics::default();
        register_webhooks(&mut registry, &webhooks);
        Self {
            webhooks,
            registry,
            connections,
            tcp_connections,
            frames_in,
            frames_out,
            signals,
            auth_failures,
            disconnects,
            relay_latency,
        }
    }

    /// A connection of `role` opened (+1) or closed (-1).
    pub fn connection(&self, role: &'static str, delta: i64) {
        self.connections
            .get_or_create(&[("role", role)])
            .inc_by(delta);
    }
    /// An admitted TCP connection opened (+1) or closed (-1).
    pub fn tcp_connection(&self, delta: i64) {
        self.tcp_connections.inc_by(delta);
    }
    /// A frame was received.
    pub fn frame_in(&self) {
        self.frames_in.inc();
    }
    /// Frames were sent.
    pub fn frames_out(&self, n: u64) {
        self.frames_out.inc_by(n);
    }
    /// A signal ended as `outcome`.
    pub fn signal(&self, outcome: &'static str) {
        self.signals.get_or_create(&[("outcome", outcome)]).inc();
    }
    /// An authorization was refused.
    pub fn auth_failure(&self, reason: &'static str) {
        self.auth_failures
            .get_or_create(&[("reason", reason)])
            .inc();
    }
    /// The server closed a connection.
    pub fn disconnect(&self, reason: &'static str) {
        self.disconnects.get_or_create(&[("reason", reason)]).inc();
    }
    /// One relay took `d`.
    pub fn relay(&self, d: Duration) {
        self.relay_latency.observe(d.as_secs_f64());
    }

    /// A webhook attempt to `endpoint` ended with `status` (HTTP code, `timeout`, `connect`).
    pub fn webhook_attempt(&self, endpoint: &str, status: &str) {
        self.webhooks
            .attempts
            .get_or_create(&vec![
                ("endpoint", endpoint.to_owned()),
                ("status", status.to_owned()),
            ])
            .inc();
    }
    /// A webhook message to `endpoint` is done: `succeeded`, `failed` (refused) or `expired`.
    pub fn webhook_result(&self, endpoint: &str, result: &'static str) {
        self.webhooks
            .results
            .get_or_create(&vec![
                ("endpoint", endpoint.to_owned()),
                ("result", result.to_owned()),
            ])
            .inc();
    }
    /// `n` webhook messages for `endpoint` were dropped: `bounds` (outbox full, the oldest go)
    /// or `queue` (the queue to the outbox was full).
    pub fn webhook_dropped(&self, endpoint: &str, reason: &'static str, n: u64) {
        self.webhooks
            .dropped
            .get_or_create(&vec![
                ("endpoint", endpoint.to_owned()),
                ("reason", reason.to_owned()),
            ])
            .inc_by(n);
    }
    /// What `endpoint`'s outbox holds, and the age of its oldest message.
    pub fn webhook_outbox(&self, endpoint: &str, events: u64, bytes: u64, oldest: Duration) {
        let l = vec![("endpoint", endpoint.to_owned())];
        let w = &self.webhooks;
        w.outbox_events.get_or_create(&l).set(events as i64);
        w.outbox_bytes.get_or_create(&l).set(bytes as i64);
        w.oldest.get_or_create(&l).set(oldest.as_secs_f64());
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

fn register_webhooks(registry: &mut Registry, w: &WebhookMetrics) {
    registry.register(
        "webhook_attempts",
        "Webhook delivery attempts by endpoint and status (HTTP code, timeout, connect)",
        w.attempts.clone(),
    );
    registry.register(
        "webhook_results",
        "Webhook messages done by endpoint and result (succeeded, failed, expired)",
        w.results.clone(),
    );
    registry.register(
        "webhook_dropped",
        "Webhook messages dropped by endpoint and reason (bounds, queue)",
        w.dropped.clone(),
    );
    registry.register(
        "webhook_outbox_events",
        "Webhook messages waiting in the outbox, by endpoint",
        w.outbox_events.clone(),
    );
    registry.register(
        "webhook_outbox_bytes",
        "Bytes of webhook messages waiting in the outbox, by endpoint",
        w.outbox_bytes.clone(),
    );
    registry.register(
        "webhook_oldest_pending_seconds",
        "Age of the oldest webhook message waiting, by endpoint",
        w.oldest.clone(),
    );
}
