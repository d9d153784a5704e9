//! The report of a run: JSON for machines, a table for people.

use crate::latency::LatencySummary;
use crate::redisstat::RedisFigures;
use crate::run::{Coordinator, NodeFigures, Outcome, ServerFigures};
use crate::timeline::Reading;
pub use crate::verdict::{Check, Target};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One run's report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `idle`, `relay`, `signal`, `churn` or `soak`.
    pub scenario: &'static str,
    /// The scenario's parameters.
    pub params: BTreeMap<&'static str, Value>,
    /// Where it ran.
    pub machine: Machine,
    /// How the tool ran.
    pub setup: Setup,
    /// Caps and warnings.
    pub notes: Vec<String>,
    /// Measured figures, in order.
    pub figures: Vec<Figure>,
    /// Latency percentiles by name.
    pub latency: BTreeMap<&'static str, LatencySummary>,
    /// Targets of issue 5 and whether they were met (speed: informative).
    pub targets: Vec<Target>,
    /// Correctness checks (the exit code follows them).
    pub checks: Vec<Check>,
    /// Raw server readings.
    pub server: Option<ServerFigures>,
    /// Per-node readings when the run spans several nodes (`--agent-url`, `--also-url`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeFigures>,
    /// Redis readings (`--redis`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisFigures>,
    /// Soak: the server's readings over the timed part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Reading>,
    /// Soak: the server before anyone came and after everyone left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_state: Option<[Reading; 2]>,
}

/// The machine.
#[derive(Debug, Serialize)]
pub struct Machine {
    /// Cores the tool and the server share.
    pub cores: usize,
    /// `/proc/loadavg` when the run started.
    pub loadavg_at_start: String,
    /// Kernel.
    pub kernel: String,
}

/// How the tool ran.
#[derive(Debug, Serialize)]
pub struct Setup {
    /// `started` (by the tool) or `url`.
    pub server: &'static str,
    /// Server address.
    pub addr: String,
    /// Server pid, when known.
    pub server_pid: Option<u32>,
    /// The server's log, when the tool started it.
    pub server_log: Option<String>,
    /// Worker processes.
    pub workers: usize,
    /// Source addresses.
    pub sources: usize,
    /// Open-file cap of each tool process.
    pub tool_fd_cap: u64,
    /// Open-file cap of the server, when known.
    pub server_fd_cap: Option<u64>,
    /// Spawning the workers → all sockets open, seconds.
    pub connect_wall_secs: f64,
    /// Tool CPU over the timed part, in cores (all workers).
    pub tool_cores: f64,
}

/// A measured number.
#[derive(Debug, Serialize)]
pub struct Figure {
    /// Name.
    pub name: std::borrow::Cow<'static, str>,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: &'static str,
}

impl Report {
    /// An empty report for a finished run.
    pub fn new(scenario: &'static str, coord: &Coordinator, out: &Outcome) -> Self {
        let active: f64 = out
            .results
            .iter()
            .map(|r| r.active_secs)
            .fold(0.0, f64::max);
        let tool_cpu: u64 = out.results.iter().map(|r| r.tool_cpu_us).sum();
        Self {
            scenario,
            params: BTreeMap::new(),
            machine: Machine {
                cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
                loadavg_at_start: std::fs::read_to_string("/proc/loadavg")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            },
            setup: Setup {
                server: if coord.target.started() {
                    "started"
                } else {
                    "url"
                },
                addr: coord.target.addr.to_string(),
                server_pid: coord.target.pid,
                server_log: coord
                    .target
                    .dir
                    .as_ref()
                    .map(|d| d.join("server.log").display().to_string()),
                workers: coord.workers,
                sources: coord.sources.len(),
                tool_fd_cap: coord.tool_fd_cap,
                server_fd_cap: coord.server_fd_cap,
                connect_wall_secs: out.connect_wall_secs,
                tool_cores: if active > 0.0 {
                    tool_cpu as f64 / 1e6 / active
                } else {
                    0.0
                },
            },
            notes: coord.notes.clone(),
            figures: Vec::new(),
            latency: BTreeMap::new(),
            targets: Vec::new(),
            checks: Vec::new(),
            server: out.server.clone(),
            nodes: out.nodes.clone(),
            redis: out.redis.clone(),
            timeline: Vec::new(),
            end_state: None,
        }
    }

    /// Adds a parameter.
    pub fn param(&mut self, name: &'static str, value: impl Into<Value>) {
        self.params.insert(name, value.into());
    }
    /// Adds a figure.
    pub fn figure(&mut self, name: &'static str, value: f64, unit: &'static str) {
        self.figures.push(Figure {
            name: name.into(),
            value,
            unit,
        });
    }
    /// Adds a figure with a computed name (e.g. per node).
    pub fn node_figure(&mut self, name: String, value: f64, unit: &'static str) {
        self.figures.push(Figure {
            name: name.into(),
            value,
            unit,
        });
    }
    /// Redis commands and bytes per `unit` over the timed part (`count` units), gross, and the
    /// background rate measured with every socket open and no load.
    pub fn redis_per(&mut self, unit: &str, count: u64) {
        let Some(r) = self.redis.clone() else { return };
        let n = count.max(1) as f64;
        let a = &r.active;
        self.node_figure(
            format!("redis_commands_per_{unit}"),
            a.total_calls as f64 / n,
            "",
        );
        self.node_figure(
            format!("redis_bytes_in_per_{unit}"),
            a.net_in_bytes as f64 / n,
            "B",
        );
        self.node_figure(
            format!("redis_bytes_out_per_{unit}"),
            a.net_out_bytes as f64 / n,
            "B",
        );
        let mut top: Vec<(&String, &u64)> = a.calls.iter().collect();
        top.sort_by(|x, y| y.1.cmp(x.1));
        for (name, calls) in top.into_iter().take(6) {
            self.node_figure(format!("redis_{name}_per_{unit}"), *calls as f64 / n, "");
        }
        if self
            .figures
            .iter()
            .any(|f| f.name == "redis_commands_per_sec")
        {
            return;
        }
        self.figure(
            "redis_commands_per_sec",
            a.total_calls as f64 / a.wall_secs.max(1e-9),
            "/s",
        );
        let idle = &r.idle_window;
        let w = idle.wall_secs.max(1e-9);
        self.figure(
            "redis_background_commands_per_sec",
            idle.total_calls as f64 / w,
            "/s",
        );
        self.figure(
            "redis_background_bytes_per_sec",
            (idle.net_in_bytes + idle.net_out_bytes) as f64 / w,
            "B/s",
        );
        self.figure(
            "redis_connect_phase_commands",
            r.connecting.total_calls as f64,
            "",
        );
    }
    /// Adds a target.
    pub fn goal(&mut self, t: Target) {
        self.targets.push(t);
    }
    /// Adds a check.
    pub fn check(&mut self, c: Check) {
        self.checks.push(c);
    }
    /// Whether every correctness check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The readable table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "== presence-bench {} ==", self.scenario);
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(s, "params   {}", params.join(" "));
        let _ = writeln!(
            s,
            "setup    server {} at {} (pid {}), {} workers, {} source addresses, {} cores, load {}",
            self.setup.server,
            self.setup.addr,
            self.setup.server_pid.map_or("?".into(), |p| p.to_string()),
            self.setup.workers,
            self.setup.sources,
            self.machine.cores,
            self.machine.loadavg_at_start
        );
        for n in &self.notes {
            let _ = writeln!(s, "note     {n}");
        }
        let _ = writeln!(s, "{:-<78}", "");
        for f in &self.figures {
            let _ = writeln!(s, "{:<40} {:>16} {}", f.name, fmt_num(f.value), f.unit);
        }
        let _ = writeln!(
            s,
            "{:<40} {:>16} cores",
            "tool_cpu (all workers)",
            fmt_num(self.setup.tool_cores)
        );
        for n in &self.nodes {
            let pid = n.pid.map_or("?".into(), |p| p.to_string());
            match &n.figures {
                Some(f) => {
                    let _ = writeln!(
                        s,
                        "node     {:<8} {} (pid {pid}): RSS {:.1} → {:.1} MiB, CPU {} cores over the timed part",
                        n.role,
                        n.addr,
                        f.before.rss_bytes as f64 / 1048576.0,
                        f.after.rss_bytes as f64 / 1048576.0,
                        fmt_num(f.active.cores())
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "node     {:<8} {} (pid {pid}): no /proc figures",
                        n.role, n.addr
                    );
                }
            }
        }
        if !self.latency.is_empty() {
            let _ = writeln!(s, "{:-<78}", "");
            let _ = writeln!(
                s,
                "{:<22} {:>10} {:>9} {:>9} {:>9} {:>9}   (ms)",
                "latency", "count", "p50", "p99", "p99.9", "max"
            );
            for (name, l) in &self.latency {
                let _ = writeln!(
                    s,
                    "{:<22} {:>10} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
                    name, l.count, l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms
                );
            }
        }
        if !self.targets.is_empty() {
            let _ = writeln!(s, "{:-<78}", "");
            for t in &self.targets {
                let verdict = if t.met { "met" } else { "MISSED" };
                let _ = writeln!(
                    s,
                    "target   {:<40} {} {} {}: {} {}",
                    t.name,
                    t.op,
                    fmt_num(t.target),
                    t.unit,
                    fmt_num(t.measured),
                    verdict
                );
            }
        }
        let _ = writeln!(s, "{:-<78}", "");
        for c in &self.checks {
            let _ = writeln!(
                s,
                "check    {:<40} {}  ({})",
                c.name,
                if c.ok { "ok" } else { "FAILED" },
                c.detail
            );
        }
        s
    }
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}
