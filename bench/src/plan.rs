//! What the coordinator tells a worker process, and what the worker answers.
//!
//! Protocol over the worker's stdin / stdout, one JSON value or word per line:
//! coordinator → `WorkerPlan`; worker → `WorkerMsg::Ready` once its sockets are open;
//! coordinator → `start`; worker runs its timed part → `WorkerMsg::Result`;
//! coordinator → `stop`; the worker closes its sockets and exits.

use crate::latency::WireLatency;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};

/// One worker's share of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerPlan {
    /// The server's address (visitors; agents too unless `agent_server`).
    pub server: SocketAddr,
    /// Where agents connect, when not `server` (another node of the cluster).
    #[serde(default)]
    pub agent_server: Option<SocketAddr>,
    /// The group.
    pub group: u32,
    /// Agent token (scenarios with agents).
    pub token: Option<String>,
    /// Makes visitor ids unique to this run: `b<nonce>-<index>`.
    pub nonce: String,
    /// Source addresses to bind client sockets to.
    pub sources: Vec<Ipv4Addr>,
    /// Handshakes in flight.
    pub connect_concurrency: usize,
    /// First visitor index of this worker.
    pub first: usize,
    /// Visitors of this worker.
    pub count: usize,
    /// What to do with them.
    pub scenario: ScenarioPlan,
}

/// Scenario-specific part of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ScenarioPlan {
    /// Hold idle visitors for `hold` seconds.
    Idle {
        /// Seconds.
        hold: f64,
    },
    /// Visitors send presence, agents watch.
    Relay {
        /// Agents per visitor.
        agents_per_visitor: usize,
        /// Updates per second per visitor.
        per_visitor_rate: f64,
        /// Seconds of sending.
        duration: f64,
        /// Seconds not recorded in the histogram.
        warmup: f64,
        /// Send a custom `c_bench` event instead of `presence` (the `webhooks` scenario: each
        /// one is a webhook event, where a presence update is not).
        #[serde(default)]
        custom: bool,
    },
    /// Agents signal visitors.
    Signal {
        /// Visitor indexes (within this worker's range) that have an agent.
        targets: Vec<usize>,
        /// Signals per second per agent.
        per_agent_rate: f64,
        /// Seconds of signalling.
        duration: f64,
        /// Seconds not recorded in the histograms.
        warmup: f64,
    },
    /// Visitors navigate, agents watch for flaps.
    Churn {
        /// Agents per visitor.
        agents_per_visitor: usize,
        /// Mean seconds between navigations.
        period: f64,
        /// Milliseconds between close and reopen.
        gap_ms: u64,
        /// Seconds of navigating.
        duration: f64,
        /// Seconds to wait after the last navigation before counting flaps (> grace).
        settle: f64,
    },
    /// Visitor sessions one after another: connect, navigate, be signalled, leave.
    Soak(SoakPlan),
}

/// One worker's soak: `count` slots, each running sessions until `duration` is over.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SoakPlan {
    /// Mean seconds of a session.
    pub session: f64,
    /// Seconds between navigations.
    pub navigate_every: f64,
    /// Seconds between signals.
    pub signal_every: f64,
    /// Milliseconds between close and reopen.
    pub gap_ms: u64,
    /// Seconds of sessions.
    pub duration: f64,
}

/// A line from a worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum WorkerMsg {
    /// Sockets are open (or failed).
    Ready(Ready),
    /// The timed part is over.
    Result(WorkerResult),
    /// The worker cannot go on.
    Failed(String),
}

/// The connect phase of one worker.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ready {
    /// Sockets open and answered `connected`.
    pub connected: usize,
    /// Sockets that failed.
    pub failed: usize,
    /// The first failure, for the report.
    pub first_error: Option<String>,
    /// Seconds from the first connect to the last answer.
    pub connect_secs: f64,
}

/// What a worker measured. Counters are totals over the worker's sockets.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkerResult {
    /// Sockets the server closed (or that broke) while they should have stayed open.
    pub unexpected_closes: u64,
    /// Keepalives sent.
    pub keepalives: u64,
    /// Presence updates / signals sent.
    pub sent: u64,
    /// Deliveries counted at the receivers (distinct, in order).
    pub delivered: u64,
    /// Deliveries that never arrived.
    pub lost: u64,
    /// Deliveries that arrived twice (or out of order).
    pub duplicated: u64,
    /// Delivery latency, µs.
    pub latency: WireLatency,
    /// Signal: accepted acks.
    pub acks_ok: u64,
    /// Signal: refused acks.
    pub acks_refused: u64,
    /// Signal: signals with no ack.
    pub acks_missing: u64,
    /// Signal: agent send → ack, µs.
    pub ack_latency: WireLatency,
    /// Churn: navigations done.
    pub navigations: u64,
    /// Churn: reopen attempts that failed.
    pub failed_reconnects: u64,
    /// Churn: `visitorconn false` frames agents saw (must be 0).
    pub visitorconn_false: u64,
    /// Churn: `visitorsock false` frames agents saw.
    pub visitorsock_false: u64,
    /// Churn: `visitorsock true` frames agents saw.
    pub visitorsock_true: u64,
    /// Churn: close → `connected` again, µs.
    pub reconnect_latency: WireLatency,
    /// Soak: sessions run to their end (visitor left).
    #[serde(default)]
    pub sessions: u64,
    /// Soak: signals acked `ok` but never delivered, in flight when the visitor navigated.
    #[serde(default)]
    pub lost_at_navigation: u64,
    /// Soak: sockets that could not be opened.
    #[serde(default)]
    pub failed_opens: u64,
    /// Seconds the sending part actually took.
    pub active_secs: f64,
    /// The worker's own CPU over its timed part, µs.
    pub tool_cpu_us: u64,
}
