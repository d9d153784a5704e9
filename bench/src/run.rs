//! The coordinator: starts (or finds) the server, spreads the sockets over worker processes,
//! steps the workers through connect → start → result → stop, and samples the server's
//! `/proc` figures at each step.

use crate::cli::TargetArgs;
use crate::figures::figures;
pub use crate::figures::{NodeFigures, ServerFigures};
use crate::plan::{Ready, ScenarioPlan, WorkerMsg, WorkerPlan, WorkerResult};
use crate::procstat::{self, ProcSample};
use crate::redisstat::{RedisDelta, RedisFigures};
use crate::spawn::{spawn_worker, WorkerProc};
use crate::target::Target;
use crate::timeline::Reading;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

/// Sockets a process keeps free of its open-file cap for everything else (listener, epoll, logs,
/// pipes, /proc reads).
const FD_RESERVE: u64 = 100;
/// Longest the connect phase may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(900);

/// A run being prepared or under way.
pub struct Coordinator {
    /// The server.
    pub target: Target,
    /// Worker processes.
    pub workers: usize,
    /// The open-file cap of each tool process.
    pub tool_fd_cap: u64,
    /// The open-file cap of the server process, when known.
    pub server_fd_cap: Option<u64>,
    /// Agent token.
    pub token: Option<String>,
    /// Makes visitor ids unique to this run.
    pub nonce: String,
    /// Source addresses.
    pub sources: Vec<Ipv4Addr>,
    /// Things the reader must know (caps, warnings).
    pub notes: Vec<String>,
    /// Nodes visitor sockets are spread over (the target first, then `--also-url`), one per worker.
    pub visitor_nodes: Vec<Node>,
    /// The node agents connect to, when not the target (`--agent-url`).
    pub agent_node: Option<Node>,
    /// The cluster's Redis (`--redis`).
    pub redis: Option<SocketAddr>,
    /// Read the server's RSS and open files this often over the timed part (`soak`); the
    /// readings land in [`Outcome::timeline`].
    pub sample_every: Option<Duration>,
    connect_concurrency: usize,
}

/// A server node of a cluster run.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its pid, when known.
    pub pid: Option<u32>,
}

/// Visitor index ranges `(first, count)`, one per worker.
pub struct Shares(pub Vec<(usize, usize)>);

impl Shares {
    /// `n` visitors split evenly over `workers`.
    pub fn even(n: usize, workers: usize) -> Self {
        let w = workers.max(1);
        Self(
            (0..w)
                .map(|i| (n * i / w, n * (i + 1) / w - n * i / w))
                .collect(),
        )
    }
}

/// What a run produced.
pub struct Outcome {
    /// Each worker's connect phase.
    pub readies: Vec<Ready>,
    /// Each worker's result.
    pub results: Vec<WorkerResult>,
    /// Server figures (when its pid is known).
    pub server: Option<ServerFigures>,
    /// Spawning the workers → all ready.
    pub connect_wall_secs: f64,
    /// Per-node figures when the run spans several nodes (visitor nodes in order, then the agent node).
    pub nodes: Vec<NodeFigures>,
    /// Redis over the run (`--redis`).
    pub redis: Option<RedisFigures>,
    /// The server's readings over the timed part, with [`Coordinator::sample_every`].
    pub timeline: Vec<Reading>,
    workers: Vec<WorkerProc>,
}

impl Outcome {
    /// Sockets open.
    pub fn connected(&self) -> usize {
        self.readies.iter().map(|r| r.connected).sum()
    }
    /// Sockets that failed to open.
    pub fn failed(&self) -> usize {
        self.readies.iter().map(|r| r.failed).sum()
    }
    /// "N failed, first: …".
    pub fn failure_detail(&self) -> String {
        let first = self.readies.iter().find_map(|r| r.first_error.clone());
        match first {
            None => format!("{} opened", self.connected()),
            Some(e) => format!("{} failed; first error: {e}", self.failed()),
        }
    }
    /// Sockets opened per second (all workers in parallel).
    pub fn connect_rate(&self) -> f64 {
        let secs = self
            .readies
            .iter()
            .map(|r| r.connect_secs)
            .fold(0.0, f64::max);
        if secs > 0.0 {
            self.connected() as f64 / secs
        } else {
            0.0
        }
    }
}

impl Coordinator {
    /// Plans the processes for `sockets` client sockets, starts or finds the server, and mints
    /// an agent token when `agents`.
    pub async fn prepare(args: &TargetArgs, sockets: usize, agents: bool) -> Result<Self, String> {
        let tool_fd_cap = procstat::raise_open_file_limit();
        let per_worker = tool_fd_cap.saturating_sub(FD_RESERVE).max(1) as usize;
        let needed = sockets.div_ceil(per_worker);
        let workers = args.workers.unwrap_or(needed.max(2)).max(1);
        let mut notes = vec![format!(
            "every process is capped at {tool_fd_cap} open files and cannot raise it: the tool spreads its {sockets} sockets over {workers} worker processes (at most {per_worker} each)"
        )];
        if sockets.div_ceil(workers) > per_worker {
            return Err(format!(
                "{sockets} sockets over {workers} workers is more than {per_worker} per process (open-file cap {tool_fd_cap}): use --workers {needed} or more"
            ));
        }
        let nonce = format!("{:x}", crate::clock::mono_us() % 0xffff_ffff);
        let target = Target::new(args, &nonce).await?;
        let mut visitor_nodes = vec![Node {
            addr: target.addr,
            pid: target.pid,
        }];
        for (i, url) in args.also_urls.iter().enumerate() {
            visitor_nodes.push(Node {
                addr: crate::target::parse_url(url)?,
                pid: args.also_server_pids.get(i).copied(),
            });
        }
        let agent_node = match &args.agent_url {
            Some(url) => Some(Node {
                addr: crate::target::parse_url(url)?,
                pid: args.agent_server_pid,
            }),
            None => None,
        };
        // One node per worker: as many workers as nodes at least, and a multiple of them.
        let nodes = visitor_nodes.len();
        let workers = workers.max(nodes).div_ceil(nodes) * nodes;
        if nodes > 1 {
            notes.push(format!(
                "visitor sockets spread over {nodes} nodes, worker w → node w mod {nodes}"
            ));
        }
        if let Some(a) = &agent_node {
            notes.push(format!(
                "agents connect to another node, {}: every delivery crosses nodes through Redis",
                a.addr
            ));
        }
        let redis = args
            .redis
            .as_deref()
            .map(crate::redisstat::parse)
            .transpose()?;
        let server_fd_cap = target.pid.and_then(procstat::open_file_limit);
        if let Some(cap) = server_fd_cap {
            let most = cap.saturating_sub(FD_RESERVE);
            notes.push(format!("the server process is capped at {cap} open files: one server holds at most about {most} sockets"));
            if sockets.div_ceil(nodes) as u64 > most {
                notes.push(format!(
                    "WARNING: {sockets} sockets asked for, more than one server process can hold: connections past about {most} will be refused (EMFILE on the server's accept)"
                ));
            }
        }
        let token = if agents {
            Some(target.token("bench-agent").await?)
        } else {
            None
        };
        let sources = (0..args.sources.max(1))
            .map(|i| Ipv4Addr::new(127, 0, 0, 10u8.saturating_add(i)))
            .collect();
        Ok(Self {
            target,
            workers,
            tool_fd_cap,
            server_fd_cap,
            token,
            nonce,
            sources,
            notes,
            visitor_nodes,
            agent_node,
            redis,
            sample_every: None,
            connect_concurrency: args.connect_concurrency,
        })
    }

    /// One plan per share.
    pub fn plans(
        &self,
        shares: &Shares,
        scenario: impl Fn(usize, (usize, usize)) -> ScenarioPlan,
    ) -> Vec<WorkerPlan> {
        shares
            .0
            .iter()
            .enumerate()
            .map(|(w, &(first, count))| WorkerPlan {
                server: self.visitor_nodes[w % self.visitor_nodes.len()].addr,
                agent_server: self.agent_node.map(|n| n.addr),
                group: self.target.group,
                token: self.token.clone(),
                nonce: self.nonce.clone(),
                sources: self.sources.clone(),
                connect_concurrency: self.connect_concurrency,
                first,
                count,
                scenario: scenario(w, (first, count)),
            })
            .collect()
    }

    /// Runs the plans: connect, settle, start, `duration` seconds, results.
    pub async fn execute(
        &mut self,
        plans: Vec<WorkerPlan>,
        duration: f64,
    ) -> Result<Outcome, String> {
        let pid = self.target.pid;
        let sample = move || pid.and_then(procstat::sample);
        // Every node's pid, when the run spans several (the first is the target's).
        let mut all: Vec<(&'static str, Node)> = Vec::new();
        if self.visitor_nodes.len() > 1 || self.agent_node.is_some() {
            all.extend(self.visitor_nodes.iter().map(|n| ("visitors", *n)));
            all.extend(self.agent_node.iter().map(|n| ("agents", *n)));
        }
        let pids: Vec<Option<u32>> = all.iter().map(|(_, n)| n.pid).collect();
        let sample_all = move || -> Vec<Option<ProcSample>> {
            pids.iter().map(|p| p.and_then(procstat::sample)).collect()
        };
        let all_before = sample_all();
        let redis = self.redis;
        let redis_sample = || async move {
            match redis {
                Some(a) => crate::redisstat::sample(a).await,
                None => None,
            }
        };
        let redis_before = redis_sample().await;
        let before = sample();
        let t0 = Instant::now();
        let mut workers = Vec::new();
        for plan in &plans {
            let mut w = spawn_worker()?;
            w.say(&serde_json::to_string(plan).map_err(|e| e.to_string())?)
                .await?;
            workers.push(w);
        }
        let mut readies = Vec::new();
        for w in &mut workers {
            match tokio::time::timeout(CONNECT_TIMEOUT, w.hear())
                .await
                .map_err(|_| "connect phase timed out".to_string())??
            {
                WorkerMsg::Ready(r) => readies.push(r),
                WorkerMsg::Failed(e) => return Err(format!("worker failed: {e}")),
                WorkerMsg::Result(_) => return Err("worker answered out of turn".into()),
            }
        }
        let connect_wall_secs = t0.elapsed().as_secs_f64();
        let connect_end = sample();
        let all_connect_end = sample_all();
        let redis_connect_end = redis_sample().await;
        // Let the server's allocator and the sockets settle before reading its memory.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let connected_at = sample();
        let all_connected_at = sample_all();
        let redis_connected_at = redis_sample().await;
        for w in &mut workers {
            w.say("start").await?;
        }
        let start = sample();
        let all_start = sample_all();
        let redis_start = redis_sample().await;
        let timeline = timeline(pid, self.sample_every, Duration::from_secs_f64(duration)).await;
        let end = sample();
        let all_end = sample_all();
        let redis_end = redis_sample().await;
        let mut results = Vec::new();
        for w in &mut workers {
            match tokio::time::timeout(Duration::from_secs(120), w.hear())
                .await
                .map_err(|_| "a worker did not report".to_string())??
            {
                WorkerMsg::Result(r) => results.push(r),
                WorkerMsg::Failed(e) => return Err(format!("worker failed: {e}")),
                WorkerMsg::Ready(_) => return Err("worker answered out of turn".into()),
            }
        }
        let server = figures(before, connect_end, connected_at, start, end);
        let nodes = all
            .iter()
            .enumerate()
            .map(|(i, (role, n))| NodeFigures {
                role,
                addr: n.addr.to_string(),
                pid: n.pid,
                figures: figures(
                    all_before[i],
                    all_connect_end[i],
                    all_connected_at[i],
                    all_start[i],
                    all_end[i],
                ),
            })
            .collect();
        let redis = match (
            redis_before,
            redis_connect_end,
            redis_connected_at,
            redis_start,
            redis_end,
        ) {
            (Some(b), Some(ce), Some(c), Some(s), Some(e)) => Some(RedisFigures {
                idle_window: RedisDelta::between(&ce, &c),
                connecting: RedisDelta::between(&b, &ce),
                active: RedisDelta::between(&s, &e),
            }),
            _ => {
                if self.redis.is_some() {
                    self.notes.push("WARNING: --redis given but Redis did not answer INFO at every step: no Redis figures".into());
                }
                None
            }
        };
        Ok(Outcome {
            readies,
            results,
            server,
            connect_wall_secs,
            nodes,
            redis,
            timeline,
            workers,
        })
    }

    /// Tells the workers to close their sockets, waits for them, stops the server.
    pub async fn shutdown(self, mut out: Outcome) {
        for w in &mut out.workers {
            let _ = w.say("stop").await;
        }
        for w in &mut out.workers {
            if tokio::time::timeout(Duration::from_secs(30), w.child.wait())
                .await
                .is_err()
            {
                let _ = w.child.kill().await;
            }
        }
        self.target.stop().await;
    }
}

/// Waits `duration`, reading `pid` every `every` (from the start, and once at the end).
async fn timeline(pid: Option<u32>, every: Option<Duration>, duration: Duration) -> Vec<Reading> {
    let (Some(pid), Some(every)) = (pid, every) else {
        tokio::time::sleep(duration).await;
        return Vec::new();
    };
    let t0 = Instant::now();
    let mut readings: Vec<Reading> = Reading::take(pid, 0.0).into_iter().collect();
    let mut next = t0 + every;
    while next < t0 + duration {
        tokio::time::sleep_until(next.into()).await;
        readings.extend(Reading::take(pid, t0.elapsed().as_secs_f64()));
        next += every;
    }
    tokio::time::sleep_until((t0 + duration).into()).await;
    readings.extend(Reading::take(pid, t0.elapsed().as_secs_f64()));
    readings
}
