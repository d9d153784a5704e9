//! A worker process: holds its share of the sockets and runs its share of a scenario.
//!
//! The tool cannot hold all its sockets in one process (every process is capped at 20,000 open
//! files), so the coordinator re-executes itself as `presence-bench worker` once per share. A
//! worker is single-threaded: the machine's cores are for the server and the other workers.

use crate::client::{Dialer, OpenError};
use crate::plan::{Ready, ScenarioPlan, WorkerMsg, WorkerPlan, WorkerResult};
use crate::scenario;
use glance_protocol::GroupId;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

/// Where a run is; every connection task watches it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Opening sockets.
    Connecting,
    /// The timed part, started at this `clock::mono_us()`.
    Running(u64),
    /// Close everything.
    Stopping,
}

/// What a sending task does when the phase changes.
pub enum Turn {
    /// The timed part starts now.
    Start(tokio::time::Instant),
    /// Close the socket and end.
    Stop,
    /// The coordinator is gone: end at once.
    Gone,
    /// Nothing to do.
    Stay,
}

/// Reads a phase change (`changed` is the result of `phase.changed()`).
pub fn turn(
    changed: Result<(), tokio::sync::watch::error::RecvError>,
    phase: &tokio::sync::watch::Receiver<Phase>,
) -> Turn {
    if changed.is_err() {
        return Turn::Gone;
    }
    let now = *phase.borrow();
    match now {
        Phase::Running(_) => Turn::Start(tokio::time::Instant::now()),
        Phase::Stopping => Turn::Stop,
        Phase::Connecting => Turn::Stay,
    }
}

/// What every scenario's worker side shares.
pub struct Ctx {
    /// The plan.
    pub plan: WorkerPlan,
    /// Opens sockets.
    pub dialer: Arc<Dialer>,
    /// Limits handshakes in flight.
    pub gate: Arc<Semaphore>,
    /// The run's phase.
    pub phase: watch::Sender<Phase>,
    /// Connection tasks.
    pub tasks: JoinSet<()>,
    ready_tx: mpsc::UnboundedSender<Result<(), String>>,
    ready_rx: mpsc::UnboundedReceiver<Result<(), String>>,
    expected: usize,
    opened: Ready,
    connect_started: Option<Instant>,
    stdin: Lines<BufReader<Stdin>>,
}

impl Ctx {
    /// A handle a connection task reports its open (or failure) through.
    pub fn opener(&mut self) -> Opener {
        self.expected += 1;
        self.connect_started.get_or_insert_with(Instant::now);
        Opener {
            tx: self.ready_tx.clone(),
            gate: self.gate.clone(),
            dialer: self.dialer.clone(),
        }
    }

    /// Waits until every opener so far has reported (e.g. agents before their visitors connect).
    pub async fn wait_opens(&mut self) {
        let started = *self.connect_started.get_or_insert_with(Instant::now);
        // (Set by the first opener: the connect phase starts when the first socket is asked for.)
        let ready = &mut self.opened;
        while ready.connected + ready.failed < self.expected {
            match self.ready_rx.recv().await {
                Some(Ok(())) => ready.connected += 1,
                Some(Err(e)) => {
                    ready.failed += 1;
                    ready.first_error.get_or_insert(e);
                }
                None => break,
            }
        }
        ready.connect_secs = started.elapsed().as_secs_f64();
    }

    /// Waits for every opener to report, then tells the coordinator.
    pub async fn ready(&mut self) {
        self.wait_opens().await;
        emit(&WorkerMsg::Ready(self.opened.clone()));
    }

    /// Waits for `start`, then enters the timed part. Returns its start time (`mono_us`).
    pub async fn start(&mut self) -> Option<u64> {
        self.expect("start").await?;
        let now = crate::clock::mono_us();
        let _ = self.phase.send(Phase::Running(now));
        Some(now)
    }

    /// Reports the result, waits for `stop`, then closes every socket.
    pub async fn finish(mut self, result: WorkerResult) {
        emit(&WorkerMsg::Result(result));
        let _ = self.expect("stop").await;
        let _ = self.phase.send(Phase::Stopping);
        let _ = tokio::time::timeout(Duration::from_secs(15), async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
    }

    async fn expect(&mut self, word: &str) -> Option<()> {
        loop {
            let line = self.stdin.next_line().await.ok()??;
            if line.trim() == word {
                return Some(());
            }
        }
    }
}

/// Opens one socket under the handshake gate and reports the outcome once.
#[derive(Clone)]
pub struct Opener {
    tx: mpsc::UnboundedSender<Result<(), String>>,
    gate: Arc<Semaphore>,
    /// The dialer (also for reopening, in churn).
    pub dialer: Arc<Dialer>,
}

impl Opener {
    /// Opens and reports.
    pub async fn open(
        &self,
        role: crate::client::Role,
        visitor: &glance_protocol::VisitorId,
    ) -> Result<(crate::client::Ws, Duration), OpenError> {
        let opened = {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = self.gate.acquire().await;
            self.dialer.open(role, visitor).await
        };
        let _ = self
            .tx
            .send(opened.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        opened
    }
}

/// Writes one line to the coordinator.
pub fn emit(msg: &WorkerMsg) {
    // A message is plain data: serializing cannot fail.
    let line = serde_json::to_string(msg).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// `presence-bench worker`: reads the plan, runs it.
pub fn main() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            emit(&WorkerMsg::Failed(format!("runtime: {e}")));
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let mut stdin = BufReader::new(tokio::io::stdin()).lines();
        let plan: WorkerPlan = match stdin.next_line().await {
            Ok(Some(line)) => match serde_json::from_str(&line) {
                Ok(p) => p,
                Err(e) => {
                    emit(&WorkerMsg::Failed(format!("bad plan: {e}")));
                    return ExitCode::from(2);
                }
            },
            _ => return ExitCode::from(2),
        };
        let Ok(group) = GroupId::new(plan.group) else {
            emit(&WorkerMsg::Failed(format!("bad group {}", plan.group)));
            return ExitCode::from(2);
        };
        let dialer = Arc::new(Dialer::new(
            plan.server,
            plan.agent_server,
            plan.sources.clone(),
            group,
            plan.token.clone(),
        ));
        let (ready_tx, ready_rx) = mpsc::unbounded_channel();
        let ctx = Ctx {
            gate: Arc::new(Semaphore::new(plan.connect_concurrency.max(1))),
            phase: watch::channel(Phase::Connecting).0,
            tasks: JoinSet::new(),
            dialer,
            ready_tx,
            ready_rx,
            expected: 0,
            opened: Ready::default(),
            connect_started: None,
            stdin,
            plan,
        };
        match ctx.plan.scenario.clone() {
            ScenarioPlan::Idle { hold } => scenario::idle::work(ctx, hold).await,
            ScenarioPlan::Relay {
                agents_per_visitor,
                per_visitor_rate,
                duration,
                warmup,
                custom,
            } => {
                let send = scenario::relay::Send {
                    rate: per_visitor_rate,
                    duration,
                    custom,
                };
                scenario::relay::work(ctx, agents_per_visitor, send, warmup).await
            }
            ScenarioPlan::Signal {
                targets,
                per_agent_rate,
                duration,
                warmup,
            } => scenario::signal::work(ctx, targets, per_agent_rate, duration, warmup).await,
            ScenarioPlan::Churn {
                agents_per_visitor,
                period,
                gap_ms,
                duration,
                settle,
            } => {
                scenario::churn::work(ctx, agents_per_visitor, period, gap_ms, duration, settle)
                    .await
            }
            ScenarioPlan::Soak(plan) => scenario::soak::work(ctx, plan).await,
        }
        ExitCode::SUCCESS
    })
}

/// CPU this process has used, µs.
pub fn own_cpu_us() -> u64 {
    crate::procstat::sample(std::process::id()).map_or(0, |s| s.cpu_us)
}

/// Spreads `index` of `count` evenly over `period` (a deterministic phase offset).
pub fn spread(index: usize, count: usize, period: Duration) -> Duration {
    period.mul_f64(index as f64 / count.max(1) as f64)
}
