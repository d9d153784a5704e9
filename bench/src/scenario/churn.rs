//! `churn`: visitors navigate: every few seconds each closes its socket and opens a new one after
//! a short page-load gap, then sends presence again. Figures: server CPU per navigation; no agent
//! may ever see `visitorconn false` (the navigation grace must hide every navigation).

use super::{keep_alive, Counters};
use crate::cli::ChurnArgs;
use crate::client::{self, visitor_id, Role, Ws};
use crate::latency::Latency;
use crate::plan::{ScenarioPlan, WorkerResult};
use crate::report::{Check, Report};
use crate::run::{Coordinator, Shares};
use crate::worker::{own_cpu_us, spread, turn, Ctx, Opener, Phase, Turn};
use glance_protocol::{ClientFrame, ServerFrame, VisitorId};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{sleep, sleep_until, Instant};

/// Coordinator side.
pub async fn run(args: &ChurnArgs) -> Result<Report, String> {
    let (v, a) = (args.visitors.max(1), args.agents_per_visitor);
    let mut coord = Coordinator::prepare(&args.target, v * (1 + a), a > 0).await?;
    let settle = args.target.grace + 1.5;
    let plans = coord.plans(&Shares::even(v, coord.workers), |_, _| {
        ScenarioPlan::Churn {
            agents_per_visitor: a,
            period: args.period,
            gap_ms: args.gap_ms,
            duration: args.duration,
            settle,
        }
    });
    let out = coord.execute(plans, args.duration).await?;
    let mut report = Report::new("churn", &coord, &out);
    report.param("visitors", v);
    report.param("agents_per_visitor", a);
    report.param("period_secs", args.period);
    report.param("gap_ms", args.gap_ms);
    report.param("duration_secs", args.duration);
    report.param("grace_secs", args.target.grace);

    let sum = |f: fn(&WorkerResult) -> u64| out.results.iter().map(f).sum::<u64>();
    let navs = sum(|r| r.navigations);
    let failed = sum(|r| r.failed_reconnects);
    let (conn_false, sock_false, sock_true) = (
        sum(|r| r.visitorconn_false),
        sum(|r| r.visitorsock_false),
        sum(|r| r.visitorsock_true),
    );
    let closes = sum(|r| r.unexpected_closes);
    let mut reconnect = Latency::default();
    for r in &out.results {
        reconnect.merge(&Latency::from_wire(&r.reconnect_latency));
    }
    report.figure("navigations", navs as f64, "");
    report.figure(
        "navigations_per_sec",
        navs as f64 / args.duration.max(1e-9),
        "/s",
    );
    report.figure("visitorsock_false_seen", sock_false as f64, "");
    report.figure("visitorsock_true_seen", sock_true as f64, "");
    report.figure("visitorconn_false_seen", conn_false as f64, "");
    report.redis_per("navigation", navs);
    if let Some(s) = &out.server {
        let per_nav = s.active.cpu_us as f64 / navs.max(1) as f64;
        report.figure("server_cpu", s.active.cores(), "cores");
        report.figure("server_cpu_per_navigation", per_nav, "µs");
        report.figure("server_rss", s.after.rss_bytes as f64 / 1048576.0, "MiB");
    }
    report
        .latency
        .insert("close_to_connected", reconnect.summary());
    report.check(Check::new(
        "all connections opened",
        out.failed() == 0,
        out.failure_detail(),
    ));
    report.check(Check::new(
        "every navigation reconnected",
        failed == 0,
        format!("{failed} failed of {navs}"),
    ));
    report.check(Check::new(
        "no visitorconn false reached an agent",
        conn_false == 0,
        format!("{conn_false} seen"),
    ));
    report.check(Check::new(
        "visitorsock false/true balanced",
        sock_false == sock_true,
        format!("{sock_false} false, {sock_true} true"),
    ));
    report.check(Check::new(
        "no agent connection dropped",
        closes == 0,
        format!("{closes} closed"),
    ));
    coord.shutdown(out).await;
    Ok(report)
}

/// Worker side counters.
#[derive(Default)]
struct Seen {
    navigations: AtomicU64,
    failed: AtomicU64,
    conn_false: AtomicU64,
    sock_false: AtomicU64,
    sock_true: AtomicU64,
    reconnect: Mutex<Latency>,
}

/// Worker side.
pub async fn work(
    mut ctx: Ctx,
    agents_per_visitor: usize,
    period: f64,
    gap_ms: u64,
    duration: f64,
    settle: f64,
) {
    let counters = Arc::new(Counters::default());
    let seen = Arc::new(Seen::default());
    let (first, count) = (ctx.plan.first, ctx.plan.count);
    for i in first..first + count {
        for _ in 0..agents_per_visitor {
            let (opener, id, phase) = (
                ctx.opener(),
                visitor_id(&ctx.plan.nonce, i),
                ctx.phase.subscribe(),
            );
            let (counters, seen, running) = (counters.clone(), seen.clone(), ctx.phase.subscribe());
            ctx.tasks.spawn(async move {
                let Ok((ws, keepalive)) = opener.open(Role::Agent, &id).await else {
                    return;
                };
                keep_alive(
                    ws,
                    keepalive,
                    spread(i - first, count, keepalive),
                    phase,
                    &counters,
                    |frame| match frame {
                        // Only what navigations cause: not the visitor's first arrival.
                        _ if !matches!(*running.borrow(), Phase::Running(_)) => {}
                        ServerFrame::VisitorConn(d) if !d.connected => {
                            Counters::bump(&seen.conn_false)
                        }
                        ServerFrame::VisitorSock(d) if d.connected => {
                            Counters::bump(&seen.sock_true)
                        }
                        ServerFrame::VisitorSock(_) => Counters::bump(&seen.sock_false),
                        _ => {}
                    },
                )
                .await;
            });
        }
    }
    ctx.wait_opens().await;
    // Visitors' socket closes are the point of the scenario: they are not counted as drops.
    let visitor_counters = Arc::new(Counters::default());
    for i in first..first + count {
        let (opener, id, phase) = (
            ctx.opener(),
            visitor_id(&ctx.plan.nonce, i),
            ctx.phase.subscribe(),
        );
        let (seen, visitor_counters) = (seen.clone(), visitor_counters.clone());
        let plan = Navigating {
            period: Duration::from_secs_f64(period),
            first: spread(i - first, count, Duration::from_secs_f64(period)),
            gap: Duration::from_millis(gap_ms),
            duration: Duration::from_secs_f64(duration),
            seed: i as u64 + 1,
        };
        ctx.tasks.spawn(async move {
            let Ok((ws, keepalive)) = opener.open(Role::Visitor, &id).await else {
                return;
            };
            navigate(
                ws,
                keepalive,
                &opener,
                &id,
                plan,
                phase,
                &seen,
                &visitor_counters,
            )
            .await;
        });
    }
    ctx.ready().await;
    if ctx.start().await.is_none() {
        return;
    }
    let cpu0 = own_cpu_us();
    let t0 = Instant::now();
    // Navigations stop after `duration`; a flap would show `grace` after the last close.
    tokio::time::sleep(Duration::from_secs_f64(duration + settle)).await;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let result = WorkerResult {
        unexpected_closes: load(&counters.unexpected_closes),
        keepalives: load(&counters.keepalives) + load(&visitor_counters.keepalives),
        navigations: load(&seen.navigations),
        failed_reconnects: load(&seen.failed),
        visitorconn_false: load(&seen.conn_false),
        visitorsock_false: load(&seen.sock_false),
        visitorsock_true: load(&seen.sock_true),
        reconnect_latency: seen
            .reconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .to_wire(),
        active_secs: t0.elapsed().as_secs_f64(),
        tool_cpu_us: own_cpu_us().saturating_sub(cpu0),
        ..WorkerResult::default()
    };
    ctx.finish(result).await;
}

/// A visitor's navigation schedule.
struct Navigating {
    period: Duration,
    first: Duration,
    gap: Duration,
    duration: Duration,
    /// Varies each visitor's intervals (0.5 to 1.5 periods) so navigations do not line up.
    seed: u64,
}

impl Navigating {
    fn next_interval(&mut self) -> Duration {
        // xorshift64: cheap, deterministic per visitor.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.period
            .mul_f64(0.5 + (self.seed % 1000) as f64 / 1000.0)
    }
}

/// Holds a visitor's socket and, during the run, navigates: close, wait `gap`, reopen, send
/// presence. After the run the socket stays open until the run stops.
#[allow(clippy::too_many_arguments)]
async fn navigate(
    mut ws: Ws,
    keepalive: Duration,
    opener: &Opener,
    id: &VisitorId,
    mut plan: Navigating,
    mut phase: watch::Receiver<Phase>,
    seen: &Seen,
    counters: &Counters,
) {
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let (mut next_nav, mut end) = (far, far);
    let mut page = 0u64;
    let _ = client::send(
        &mut ws,
        &ClientFrame::Presence(serde_json::json!({ "page": page })),
    )
    .await;
    loop {
        let mut next_keepalive = Instant::now() + keepalive;
        let navigate_now = loop {
            tokio::select! {
                () = sleep_until(next_nav) => break true,
                () = sleep_until(next_keepalive) => {
                    next_keepalive += keepalive;
                    let _ = client::send(&mut ws, &ClientFrame::Keepalive).await;
                    Counters::bump(&counters.keepalives);
                }
                frame = client::recv(&mut ws) => if frame.is_none() { return },
                changed = phase.changed() => match turn(changed, &phase) {
                    Turn::Start(t0) => {
                        next_nav = t0 + plan.first;
                        end = t0 + plan.duration;
                    }
                    Turn::Stop => break false,
                    Turn::Gone => return,
                    Turn::Stay => {}
                },
            }
        };
        if !navigate_now {
            client::close(ws).await;
            return;
        }
        let t0 = Instant::now();
        client::close(ws).await;
        sleep(plan.gap).await;
        ws = match reopen(opener, id, seen).await {
            Some(ws) => ws,
            None => return,
        };
        seen.reconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(t0.elapsed().as_micros() as u64);
        Counters::bump(&seen.navigations);
        page += 1;
        let _ = client::send(
            &mut ws,
            &ClientFrame::Presence(serde_json::json!({ "page": page })),
        )
        .await;
        next_nav = Instant::now() + plan.next_interval();
        if next_nav >= end {
            next_nav = far;
        }
    }
}

/// Opens the visitor's socket again; a failure is counted, and retried twice.
async fn reopen(opener: &Opener, id: &VisitorId, seen: &Seen) -> Option<Ws> {
    for _ in 0..3 {
        match opener.dialer.open(Role::Visitor, id).await {
            Ok((ws, _)) => return Some(ws),
            Err(e) => {
                Counters::bump(&seen.failed);
                eprintln!("presence-bench: reopen {id}: {e}");
                sleep(Duration::from_millis(200)).await;
            }
        }
    }
    None
}
