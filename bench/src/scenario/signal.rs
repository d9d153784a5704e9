//! `signal`: N visitors connected; K agents, each watching a different visitor, signal it at a
//! total rate S. Figures: agent → visitor latency and agent → ack latency; every signal must be
//! acked `ok` and reach its visitor exactly once.

use super::{keep_alive, probe, read_probe, Counters, Recorder, Track};
use crate::cli::SignalArgs;
use crate::client::{self, visitor_id, Role, Ws};
use crate::latency::Latency;
use crate::plan::{ScenarioPlan, WorkerResult};
use crate::report::{Check, Report, Target as Goal};
use crate::run::{Coordinator, Shares};
use crate::worker::{own_cpu_us, spread, turn, Ctx, Phase, Turn};
use glance_protocol::{AckId, ClientFrame, ServerFrame};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

/// Coordinator side.
pub async fn run(args: &SignalArgs) -> Result<Report, String> {
    let n = args.visitors.max(1);
    let k = args.agents.clamp(1, n);
    let mut coord = Coordinator::prepare(&args.target, n + k, true).await?;
    let shares = Shares::even(n, coord.workers);
    // Agent j watches visitor j·n/k: spread over the whole population (and so over the workers).
    let watched: Vec<usize> = (0..k).map(|j| j * n / k).collect();
    let per_agent_rate = args.rate / k as f64;
    let plans = coord.plans(&shares, |_, (first, count)| ScenarioPlan::Signal {
        targets: watched
            .iter()
            .copied()
            .filter(|v| (first..first + count).contains(v))
            .collect(),
        per_agent_rate,
        duration: args.duration,
        warmup: args.warmup,
    });
    let out = coord.execute(plans, args.duration).await?;
    let mut report = Report::new("signal", &coord, &out);
    report.param("visitors", n);
    report.param("agents", k);
    report.param("rate", args.rate);
    report.param("duration_secs", args.duration);

    let sum = |f: fn(&WorkerResult) -> u64| out.results.iter().map(f).sum::<u64>();
    let (sent, delivered, lost, dup) = (
        sum(|r| r.sent),
        sum(|r| r.delivered),
        sum(|r| r.lost),
        sum(|r| r.duplicated),
    );
    let (ok, refused, missing) = (
        sum(|r| r.acks_ok),
        sum(|r| r.acks_refused),
        sum(|r| r.acks_missing),
    );
    let closes = sum(|r| r.unexpected_closes);
    let (mut latency, mut acks) = (Latency::default(), Latency::default());
    for r in &out.results {
        latency.merge(&Latency::from_wire(&r.latency));
        acks.merge(&Latency::from_wire(&r.ack_latency));
    }
    let lat = latency.summary();
    report.figure(
        "visitors_connected",
        out.connected().saturating_sub(k) as f64,
        "",
    );
    report.figure("signals_sent", sent as f64, "");
    report.figure(
        "signals_per_sec",
        sent as f64 / args.duration.max(1e-9),
        "/s",
    );
    report.figure("signals_delivered", delivered as f64, "");
    report.figure("acks_ok", ok as f64, "");
    report.redis_per("signal", sent);
    if let Some(s) = &out.server {
        report.figure("server_cpu", s.active.cores(), "cores");
        report.figure(
            "server_cpu_per_signal",
            s.active.cpu_us as f64 / sent.max(1) as f64,
            "µs",
        );
        report.figure("server_rss", s.after.rss_bytes as f64 / 1048576.0, "MiB");
    }
    report.latency.insert("agent_to_visitor", lat);
    report.latency.insert("agent_to_ack", acks.summary());
    report.goal(Goal::at_most("signal latency p99", lat.p99_ms, 5.0, "ms"));
    report.check(Check::new(
        "all connections opened",
        out.failed() == 0,
        out.failure_detail(),
    ));
    report.check(Check::new(
        "every signal acked ok",
        ok == sent && refused == 0 && missing == 0,
        format!("{ok} ok, {refused} refused, {missing} missing of {sent}"),
    ));
    report.check(Check::new(
        "no lost signals",
        lost == 0,
        format!("{lost} lost"),
    ));
    report.check(Check::new(
        "no duplicated signals",
        dup == 0,
        format!("{dup} duplicated"),
    ));
    report.check(Check::new(
        "no connection dropped",
        closes == 0,
        format!("{closes} closed"),
    ));
    coord.shutdown(out).await;
    Ok(report)
}

/// An agent's counters.
#[derive(Default)]
struct AgentCounts {
    sent: AtomicU64,
    ok: AtomicU64,
    refused: AtomicU64,
}

/// Worker side.
pub async fn work(mut ctx: Ctx, targets: Vec<usize>, rate: f64, duration: f64, warmup: f64) {
    let counters = Arc::new(Counters::default());
    let delivery = Arc::new(Recorder::new(warmup, ctx.phase.subscribe()));
    let acks = Arc::new(Recorder::new(warmup, ctx.phase.subscribe()));
    let (first, count) = (ctx.plan.first, ctx.plan.count);
    let tracks: Vec<Arc<Track>> = (0..count).map(|_| Arc::new(Track::default())).collect();
    // Visitors first: they must be present when signals come.
    for i in first..first + count {
        let (opener, id, phase) = (
            ctx.opener(),
            visitor_id(&ctx.plan.nonce, i),
            ctx.phase.subscribe(),
        );
        let (counters, delivery, track) = (
            counters.clone(),
            delivery.clone(),
            tracks[i - first].clone(),
        );
        ctx.tasks.spawn(async move {
            let Ok((ws, keepalive)) = opener.open(Role::Visitor, &id).await else {
                return;
            };
            keep_alive(
                ws,
                keepalive,
                spread(i - first, count, keepalive),
                phase,
                &counters,
                |frame| {
                    if let ServerFrame::Signal(Some(data)) = frame {
                        if let Some((seq, t)) = read_probe(&data) {
                            track.observe(seq);
                            delivery.arrived(t);
                        }
                    }
                },
            )
            .await;
        });
    }
    ctx.wait_opens().await;
    let period = Duration::from_secs_f64(1.0 / rate.max(1e-6));
    let mut agents = Vec::new();
    for (j, &v) in targets.iter().enumerate() {
        let agent = Arc::new(AgentCounts::default());
        agents.push((v - first, agent.clone()));
        let (opener, id, phase) = (
            ctx.opener(),
            visitor_id(&ctx.plan.nonce, v),
            ctx.phase.subscribe(),
        );
        let (counters, acks) = (counters.clone(), acks.clone());
        let offset = spread(j, targets.len(), period);
        ctx.tasks.spawn(async move {
            let Ok((ws, keepalive)) = opener.open(Role::Agent, &id).await else {
                return;
            };
            let plan = Signalling {
                period,
                offset,
                duration: Duration::from_secs_f64(duration),
                keepalive,
            };
            signal_visitor(ws, plan, phase, &counters, &agent, &acks).await;
        });
    }
    ctx.ready().await;
    if ctx.start().await.is_none() {
        return;
    }
    let cpu0 = own_cpu_us();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(duration)).await;
    let total = |f: fn(&AgentCounts) -> &AtomicU64| {
        agents
            .iter()
            .map(|(_, a)| f(a).load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let delivered = || {
        tracks
            .iter()
            .map(|t| t.received.load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let until = Instant::now() + Duration::from_secs(5);
    while (total(|a| &a.ok) + total(|a| &a.refused) < total(|a| &a.sent)
        || delivered() < total(|a| &a.sent))
        && Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = total(|a| &a.sent);
    let (ok, refused) = (total(|a| &a.ok), total(|a| &a.refused));
    let result = WorkerResult {
        unexpected_closes: counters.unexpected_closes.load(Ordering::Relaxed),
        keepalives: counters.keepalives.load(Ordering::Relaxed),
        sent,
        delivered: delivered(),
        lost: agents
            .iter()
            .map(|(v, a)| tracks[*v].lost(a.sent.load(Ordering::Relaxed)))
            .sum(),
        duplicated: tracks
            .iter()
            .map(|t| t.duplicated.load(Ordering::Relaxed))
            .sum(),
        latency: delivery.histogram().to_wire(),
        acks_ok: ok,
        acks_refused: refused,
        acks_missing: sent.saturating_sub(ok + refused),
        ack_latency: acks.histogram().to_wire(),
        active_secs: t0.elapsed().as_secs_f64(),
        tool_cpu_us: own_cpu_us().saturating_sub(cpu0),
        ..WorkerResult::default()
    };
    ctx.finish(result).await;
}

/// An agent's signalling schedule.
struct Signalling {
    period: Duration,
    offset: Duration,
    duration: Duration,
    keepalive: Duration,
}

/// Sends `signal {seq, t}` with `id = seq` every `period` during the run and matches the acks.
async fn signal_visitor(
    mut ws: Ws,
    plan: Signalling,
    mut phase: watch::Receiver<Phase>,
    counters: &Counters,
    agent: &AgentCounts,
    acks: &Recorder,
) {
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let (mut next_send, mut end) = (far, far);
    let mut next_keepalive = Instant::now() + plan.keepalive;
    let mut pending: HashMap<u64, u64> = HashMap::new();
    let mut seq = 0u64;
    loop {
        tokio::select! {
            () = sleep_until(next_send) => {
                seq += 1;
                let data = probe(seq);
                let sent_us = read_probe(&data).map_or(0, |(_, t)| t);
                let frame = ClientFrame::Signal { id: Some(AckId::Num(seq)), data: Some(data) };
                if client::send(&mut ws, &frame).await.is_err() {
                    Counters::bump(&counters.unexpected_closes);
                    return;
                }
                pending.insert(seq, sent_us);
                agent.sent.store(seq, Ordering::Relaxed);
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
            frame = client::recv(&mut ws) => match frame {
                Some(Ok(ServerFrame::Ack(ack))) => {
                    let AckId::Num(id) = ack.id else { continue };
                    let Some(sent_us) = pending.remove(&id) else { continue };
                    if ack.ok == Some(true) {
                        agent.ok.fetch_add(1, Ordering::Relaxed);
                        acks.arrived(sent_us);
                    } else {
                        agent.refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Some(_) => {}
                None => {
                    if *phase.borrow() != Phase::Stopping {
                        Counters::bump(&counters.unexpected_closes);
                    }
                    return;
                }
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
