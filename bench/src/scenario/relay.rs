//! `relay`: V visitors send presence updates at a total rate R; A agents watch each visitor.
//! Figures: deliveries per second at the agents and visitor → agent latency; every update must
//! reach every agent of its visitor exactly once.

use super::{keep_alive, probe, read_probe, Counters, Recorder, Track};
use crate::cli::RelayArgs;
use crate::client::{self, visitor_id, Role, Ws};
use crate::latency::Latency;
use crate::plan::{ScenarioPlan, WorkerResult};
use crate::report::{Check, Report, Target as Goal};
use crate::run::{Coordinator, Shares};
use crate::worker::{own_cpu_us, spread, turn, Ctx, Phase, Turn};
use glance_protocol::{ClientFrame, ServerFrame, VisitorEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

/// Coordinator side.
pub async fn run(args: &RelayArgs) -> Result<Report, String> {
    let (v, a) = (args.visitors.max(1), args.agents_per_visitor);
    let mut coord = Coordinator::prepare(&args.target, v * (1 + a), true).await?;
    let per_visitor_rate = args.rate / v as f64;
    let plans = coord.plans(&Shares::even(v, coord.workers), |_, _| {
        ScenarioPlan::Relay {
            agents_per_visitor: a,
            per_visitor_rate,
            duration: args.duration,
            warmup: args.warmup,
            custom: false,
        }
    });
    let out = coord.execute(plans, args.duration).await?;
    let mut report = Report::new("relay", &coord, &out);
    report.param("visitors", v);
    report.param("agents_per_visitor", a);
    report.param("agents", v * a);
    report.param("rate", args.rate);
    report.param("duration_secs", args.duration);

    let sum = |f: fn(&WorkerResult) -> u64| out.results.iter().map(f).sum::<u64>();
    let (sent, delivered, lost, dup) = (
        sum(|r| r.sent),
        sum(|r| r.delivered),
        sum(|r| r.lost),
        sum(|r| r.duplicated),
    );
    let closes = sum(|r| r.unexpected_closes);
    let window = out
        .results
        .iter()
        .map(|r| r.active_secs)
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut latency = Latency::default();
    for r in &out.results {
        latency.merge(&Latency::from_wire(&r.latency));
    }
    let lat = latency.summary();
    let delivered_rate = delivered as f64 / window;
    report.figure("updates_sent", sent as f64, "");
    report.figure(
        "updates_sent_per_sec",
        sent as f64 / args.duration.max(1e-9),
        "/s",
    );
    report.figure("deliveries", delivered as f64, "");
    report.figure("deliveries_per_sec", delivered_rate, "/s");
    report.figure("delivery_window", window, "s");
    if let Some(s) = &out.server {
        report.figure("server_cpu", s.active.cores(), "cores");
        report.figure(
            "server_cpu_per_delivery",
            s.active.cpu_us as f64 / delivered.max(1) as f64,
            "µs",
        );
        report.figure("server_rss", s.after.rss_bytes as f64 / 1048576.0, "MiB");
    }
    for n in &out.nodes {
        if let (Some(f), "agents") = (&n.figures, n.role) {
            report.figure("agent_node_cpu", f.active.cores(), "cores");
            report.figure(
                "agent_node_cpu_per_delivery",
                f.active.cpu_us as f64 / delivered.max(1) as f64,
                "µs",
            );
            report.figure(
                "agent_node_rss",
                f.after.rss_bytes as f64 / 1048576.0,
                "MiB",
            );
        }
    }
    report.latency.insert("visitor_to_agent", lat);
    report.redis_per("update", sent);
    report.redis_per("delivery", delivered);
    report.goal(Goal::at_least(
        "relayed presence deliveries per second",
        delivered_rate,
        100_000.0,
        "/s",
    ));
    report.goal(Goal::at_most("relay latency p99", lat.p99_ms, 10.0, "ms"));
    report.check(Check::new(
        "all connections opened",
        out.failed() == 0,
        out.failure_detail(),
    ));
    report.check(Check::new(
        "no lost deliveries",
        lost == 0,
        format!("{lost} lost of {}", sent * a as u64),
    ));
    report.check(Check::new(
        "no duplicated deliveries",
        dup == 0,
        format!("{dup} duplicated"),
    ));
    report.check(Check::new(
        "every update reached every agent",
        delivered == sent * a as u64,
        format!("{delivered} of {}", sent * a as u64),
    ));
    report.check(Check::new(
        "no connection dropped",
        closes == 0,
        format!("{closes} closed"),
    ));
    coord.shutdown(out).await;
    Ok(report)
}

/// What each visitor sends.
pub struct Send {
    /// Frames per second.
    pub rate: f64,
    /// Seconds of sending.
    pub duration: f64,
    /// `c_bench` events instead of `presence`.
    pub custom: bool,
}

/// Worker side.
pub async fn work(mut ctx: Ctx, agents_per_visitor: usize, send: Send, warmup: f64) {
    let Send {
        rate,
        duration,
        custom,
    } = send;
    let counters = Arc::new(Counters::default());
    let recorder = Arc::new(Recorder::new(warmup, ctx.phase.subscribe()));
    let (first, count) = (ctx.plan.first, ctx.plan.count);
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..count).map(|_| AtomicU64::new(0)).collect());
    let mut tracks = Vec::new();
    // Agents first, so that they see every update from the first.
    for i in first..first + count {
        for _ in 0..agents_per_visitor {
            let track = Arc::new(Track::default());
            tracks.push((i - first, track.clone()));
            let (opener, id, phase) = (
                ctx.opener(),
                visitor_id(&ctx.plan.nonce, i),
                ctx.phase.subscribe(),
            );
            let (counters, recorder) = (counters.clone(), recorder.clone());
            ctx.tasks.spawn(async move {
                let Ok((ws, keepalive)) = opener.open(Role::Agent, &id).await else {
                    return;
                };
                let first_keepalive = spread(i - first, count, keepalive);
                keep_alive(ws, keepalive, first_keepalive, phase, &counters, |frame| {
                    let data = match frame {
                        ServerFrame::Presence(data) => data,
                        ServerFrame::Custom {
                            data: Some(data), ..
                        } => data,
                        _ => return,
                    };
                    if let Some((seq, t)) = read_probe(&data) {
                        track.observe(seq);
                        recorder.arrived(t);
                    }
                })
                .await;
            });
        }
    }
    ctx.wait_opens().await;
    let period = Duration::from_secs_f64(1.0 / rate.max(1e-6));
    for i in first..first + count {
        let (opener, id, phase) = (
            ctx.opener(),
            visitor_id(&ctx.plan.nonce, i),
            ctx.phase.subscribe(),
        );
        let (counters, sent) = (counters.clone(), sent.clone());
        let offset = spread(i - first, count, period);
        ctx.tasks.spawn(async move {
            let Ok((ws, keepalive)) = opener.open(Role::Visitor, &id).await else {
                return;
            };
            let plan = Sending {
                period,
                offset,
                duration: Duration::from_secs_f64(duration),
                keepalive,
                custom,
            };
            send_presence(ws, plan, phase, &counters, &sent[i - first]).await;
        });
    }
    ctx.ready().await;
    let Some(start_us) = ctx.start().await else {
        return;
    };
    let cpu0 = own_cpu_us();
    tokio::time::sleep(Duration::from_secs_f64(duration)).await;
    // Let the last updates arrive: until every agent has all of its visitor's, or 5 s.
    let expected = || -> u64 {
        tracks
            .iter()
            .map(|(v, _)| sent[*v].load(Ordering::Relaxed))
            .sum()
    };
    let received = || -> u64 {
        tracks
            .iter()
            .map(|(_, t)| t.received.load(Ordering::Relaxed))
            .sum()
    };
    let until = Instant::now() + Duration::from_secs(5);
    while received() < expected() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let last_us = recorder.last_us.load(Ordering::Relaxed);
    let result = WorkerResult {
        unexpected_closes: counters.unexpected_closes.load(Ordering::Relaxed),
        keepalives: counters.keepalives.load(Ordering::Relaxed),
        sent: sent.iter().map(|s| s.load(Ordering::Relaxed)).sum(),
        delivered: received(),
        lost: tracks
            .iter()
            .map(|(v, t)| t.lost(sent[*v].load(Ordering::Relaxed)))
            .sum(),
        duplicated: tracks
            .iter()
            .map(|(_, t)| t.duplicated.load(Ordering::Relaxed))
            .sum(),
        latency: recorder.histogram().to_wire(),
        active_secs: (last_us.saturating_sub(start_us) as f64 / 1e6).max(duration),
        tool_cpu_us: own_cpu_us().saturating_sub(cpu0),
        ..WorkerResult::default()
    };
    ctx.finish(result).await;
}

/// A visitor's sending schedule.
struct Sending {
    period: Duration,
    offset: Duration,
    duration: Duration,
    keepalive: Duration,
    custom: bool,
}

/// Sends `{seq, t}` presence every `period` during the run (never bursting to catch up: a late
/// send pushes the next one back), keepalives throughout, until the run stops.
async fn send_presence(
    mut ws: Ws,
    plan: Sending,
    mut phase: watch::Receiver<Phase>,
    counters: &Counters,
    sent: &AtomicU64,
) {
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let (mut next_send, mut end) = (far, far);
    let mut next_keepalive = Instant::now() + plan.keepalive;
    let mut seq = 0u64;
    loop {
        tokio::select! {
            () = sleep_until(next_send) => {
                seq += 1;
                let frame = if plan.custom {
                    ClientFrame::Event(VisitorEvent::Custom { name: "c_bench".into(), data: Some(probe(seq)) })
                } else {
                    ClientFrame::Presence(probe(seq))
                };
                if client::send(&mut ws, &frame).await.is_err() {
                    Counters::bump(&counters.unexpected_closes);
                    return;
                }
                sent.store(seq, Ordering::Relaxed);
                next_send = (next_send + plan.period).max(Instant::now());
                if next_send >= end {
                    next_send = far;
                }
            }
            () = sleep_until(next_keepalive) => {
                next_keepalive += plan.keepalive;
                if client::send(&mut ws, &ClientFrame::Keepalive).await.is_err() {
                    Counters::bump(&counters.unexpected_closes);
                    return;
                }
                Counters::bump(&counters.keepalives);
            }
            frame = client::recv(&mut ws) => if frame.is_none() {
                if *phase.borrow() != Phase::Stopping {
                    Counters::bump(&counters.unexpected_closes);
                }
                return;
            },
            changed = phase.changed() => match turn(changed, &phase) {
                Turn::Start(t0) => {
                    next_send = t0 + plan.offset;
                    end = t0 + plan.duration;
                }
                Turn::Stop => {
                    client::close(ws).await;
                    return;
                }
                Turn::Gone => return,
                Turn::Stay => {}
            },
        }
    }
}
