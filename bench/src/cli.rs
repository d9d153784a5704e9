//! Command-line interface: one subcommand per scenario, plus the hidden `worker`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// `presence-bench <scenario> [options]`
#[derive(Debug, Parser)]
#[command(
    name = "presence-bench",
    version,
    about = "Load tool for the presence server (speaks the real wire protocol)"
)]
pub struct Cli {
    /// The scenario.
    #[command(subcommand)]
    pub command: Command,
}

/// Scenarios.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Hold N idle visitor connections (connect, then keepalives only); server RSS and CPU per connection.
    Idle(IdleArgs),
    /// V visitors send presence at a total rate R, A agents watch each: deliveries/s and latency.
    Relay(RelayArgs),
    /// K agents signal connected visitors: signal latency and acks.
    Signal(SignalArgs),
    /// Visitors navigate (close and reopen their socket): CPU per navigation, no visitorconn flaps.
    Churn(ChurnArgs),
    /// Visitors come, navigate, are signalled and leave for a long time: server RSS and open files over time.
    Soak(SoakArgs),
    /// Visitors fire custom events, each a webhook to a local receiver: events/s delivered and CPU per event.
    Webhooks(WebhooksArgs),
    /// Internal: one worker process of a run (reads its plan on stdin).
    #[command(hide = true)]
    Worker,
}

/// Where the server is, and how the tool spreads its sockets.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Target a running server at this URL (http://host:port) instead of starting one.
    #[arg(long)]
    pub url: Option<String>,
    /// With --url: the server's pid, for its memory and CPU figures (/proc/<pid>).
    #[arg(long, requires = "url")]
    pub server_pid: Option<u32>,
    /// With --url: agents connect to this node of the same cluster instead (relay, signal, churn),
    /// so that every delivery crosses nodes through Redis. Visitors stay on --url.
    #[arg(long, requires = "url")]
    pub agent_url: Option<String>,
    /// With --agent-url: that node's pid, for its memory and CPU figures.
    #[arg(long, requires = "agent_url")]
    pub agent_server_pid: Option<u32>,
    /// With --url: more nodes of the same cluster (repeatable). Visitor sockets are spread over
    /// --url and these, one node per worker process (idle: aggregate connections over nodes).
    #[arg(long = "also-url", requires = "url")]
    pub also_urls: Vec<String>,
    /// The pids of the --also-url nodes, in the same order (repeatable).
    #[arg(long = "also-server-pid", requires = "url")]
    pub also_server_pids: Vec<u32>,
    /// The cluster's Redis (redis://host:port): read `INFO commandstats` / `INFO stats` around the
    /// run and report Redis commands and bytes per unit of work.
    #[arg(long)]
    pub redis: Option<String>,
    /// With --url: the API key of --group, to mint the agents' token.
    #[arg(long, default_value = presence_server::config::DEMO_API_KEY)]
    pub api_key: String,
    /// The group.
    #[arg(long, default_value_t = 12345)]
    pub group: u32,
    /// TOML appended to the configuration of a server the tool starts, after its group (a
    /// scenario's own settings, e.g. the group's webhook endpoint).
    #[arg(skip)]
    pub extra_toml: String,
    /// The server binary to start (default: presence-server beside this binary).
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Keepalive interval told to clients, seconds (server the tool starts).
    #[arg(long, default_value_t = 25.0)]
    pub keepalive: f64,
    /// Navigation grace, seconds (server the tool starts).
    #[arg(long, default_value_t = 5.0)]
    pub grace: f64,
    /// Worker processes holding the tool's sockets (default: enough for the open-file cap, at least 2).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Source addresses 127.0.0.x to spread client sockets over (about 28k ports each).
    #[arg(long, default_value_t = 16)]
    pub sources: u8,
    /// WebSocket handshakes in flight per worker.
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
    /// Also write the JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// `idle`.
#[derive(Debug, Clone, Args)]
pub struct IdleArgs {
    /// Visitor connections to open and hold.
    #[arg(long, short = 'n', default_value_t = 19_000)]
    pub connections: usize,
    /// Seconds to hold them once all are open (CPU is measured over this window).
    #[arg(long, default_value_t = 60.0)]
    pub hold: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `relay`.
#[derive(Debug, Clone, Args)]
pub struct RelayArgs {
    /// Visitors sending presence.
    #[arg(long, default_value_t = 1_000)]
    pub visitors: usize,
    /// Agents watching each visitor (K = visitors × this).
    #[arg(long, default_value_t = 10)]
    pub agents_per_visitor: usize,
    /// Presence updates per second, all visitors together (deliveries/s = rate × agents per visitor).
    #[arg(long, default_value_t = 10_000.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Seconds at the start left out of the latency histogram.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `webhooks`.
#[derive(Debug, Clone, Args)]
pub struct WebhooksArgs {
    /// Visitors firing events.
    #[arg(long, default_value_t = 50)]
    pub visitors: usize,
    /// Events per second, all visitors together.
    #[arg(long, default_value_t = 2_000.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds at the start left out of the latency histogram.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// No webhook endpoint: the same load, for the baseline CPU per event.
    #[arg(long)]
    pub off: bool,
    /// Seconds to wait, after the load, for the last deliveries.
    #[arg(long, default_value_t = 60.0)]
    pub drain_timeout: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `signal`.
#[derive(Debug, Clone, Args)]
pub struct SignalArgs {
    /// Visitors connected (idle, with keepalives).
    #[arg(long, default_value_t = 10_000)]
    pub visitors: usize,
    /// Agents, each watching and signalling a different visitor.
    #[arg(long, default_value_t = 100)]
    pub agents: usize,
    /// Signals per second, all agents together.
    #[arg(long, default_value_t = 1_000.0)]
    pub rate: f64,
    /// Seconds of signalling.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Seconds at the start left out of the latency histograms.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `churn`.
#[derive(Debug, Clone, Args)]
pub struct ChurnArgs {
    /// Visitors navigating.
    #[arg(long, default_value_t = 1_000)]
    pub visitors: usize,
    /// Agents watching each visitor.
    #[arg(long, default_value_t = 1)]
    pub agents_per_visitor: usize,
    /// Mean seconds between two navigations of one visitor.
    #[arg(long, default_value_t = 3.0)]
    pub period: f64,
    /// Milliseconds between closing the old socket and opening the new one (page load).
    #[arg(long, default_value_t = 50)]
    pub gap_ms: u64,
    /// Seconds of navigating.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `soak`.
#[derive(Debug, Clone, Args)]
pub struct SoakArgs {
    /// Visitors at any time: each slot runs one session after another.
    #[arg(long, default_value_t = 100)]
    pub visitors: usize,
    /// Mean seconds of a session (connect, navigate, be signalled, leave); 0.5 to 1.5 of it.
    #[arg(long, default_value_t = 20.0)]
    pub session: f64,
    /// Seconds between two navigations of a visitor (close, reopen within the grace).
    #[arg(long, default_value_t = 5.0)]
    pub navigate_every: f64,
    /// Seconds between two signals of a visitor's agent.
    #[arg(long, default_value_t = 2.0)]
    pub signal_every: f64,
    /// Milliseconds between closing the old socket and opening the new one (page load).
    #[arg(long, default_value_t = 50)]
    pub gap_ms: u64,
    /// Seconds of sessions.
    #[arg(long, default_value_t = 1800.0)]
    pub duration: f64,
    /// Seconds between two readings of the server's RSS and open files.
    #[arg(long, default_value_t = 10.0)]
    pub sample_every: f64,
    #[command(flatten)]
    pub target: TargetArgs,
}
