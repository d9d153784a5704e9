//! `soak`: visitors come and go for a long time. Each of `visitors` slots runs sessions one after
//! another: a new visitor connects, its agent connects and signals it every few seconds, the
//! visitor navigates (closes and reopens within the grace) every few seconds, and after the
//! session both leave. The server's RSS and open files are read every `--sample-every` seconds;
//! the report gives the readings, their least-squares slope, and the state once everyone has left
//! against the state before anyone came. Checks: every signal acked `ok` and delivered exactly
//! once, every open and reopen succeeded, no socket dropped.

use super::{probe, read_probe};
use crate::cli::SoakArgs;
use crate::client::{self, visitor_id, Role, Ws};
use crate::plan::{ScenarioPlan, SoakPlan, WorkerResult};
use crate::report::{Check, Report};
use crate::run::{Coordinator, Shares};
use crate::timeline::{self, Reading};
use crate::worker::{own_cpu_us, Ctx};
use glance_protocol::{AckId, ClientFrame, ServerFrame, VisitorId};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, sleep_until, Instant};

/// Coordinator side.
pub async fn run(args: &SoakArgs) -> Result<Report, String> {
    let v = args.visitors.max(1);
    let mut coord = Coordinator::prepare(&args.target, 2 * v, true).await?;
    coord.sample_every = Some(Duration::from_secs_f64(args.sample_every.max(0.5)));
    let plan = SoakPlan {
        session: args.session,
        navigate_every: args.navigate_every,
        signal_every: args.signal_every,
        gap_ms: args.gap_ms,
        duration: args.duration,
    };
    let pid = coord.target.pid;
    let before = pid.and_then(|p| Reading::take(p, 0.0));
    let plans = coord.plans(&Shares::even(v, coord.workers), |_, _| {
        ScenarioPlan::Soak(plan)
    });
    let out = coord.execute(plans, args.duration).await?;
    // Everyone has left when the workers report. Wait out the navigation grace and the presence
    // hold, then read the end state.
    let left_at = Instant::now();
    sleep(Duration::from_secs_f64(args.target.grace + 7.0)).await;
    let after = pid.and_then(|p| Reading::take(p, args.duration + left_at.elapsed().as_secs_f64()));

    let mut report = Report::new("soak", &coord, &out);
    report.param("visitors", v);
    report.param("session_secs", args.session);
    report.param("navigate_every_secs", args.navigate_every);
    report.param("signal_every_secs", args.signal_every);
    report.param("gap_ms", args.gap_ms);
    report.param("duration_secs", args.duration);
    report.param("sample_every_secs", args.sample_every);
    report.param("grace_secs", args.target.grace);
    figures(&mut report, &out.timeline, before, after);
    let sum = |f: fn(&WorkerResult) -> u64| out.results.iter().map(f).sum::<u64>();
    let (sessions, navs, failed_navs, failed_opens) = (
        sum(|r| r.sessions),
        sum(|r| r.navigations),
        sum(|r| r.failed_reconnects),
        sum(|r| r.failed_opens),
    );
    let (sent, delivered, lost, dup) = (
        sum(|r| r.sent),
        sum(|r| r.delivered),
        sum(|r| r.lost),
        sum(|r| r.duplicated),
    );
    let lost_nav = sum(|r| r.lost_at_navigation);
    let (ok, refused, missing) = (
        sum(|r| r.acks_ok),
        sum(|r| r.acks_refused),
        sum(|r| r.acks_missing),
    );
    let closes = sum(|r| r.unexpected_closes);
    report.figure("sessions", sessions as f64, "");
    report.figure("navigations", navs as f64, "");
    report.figure("signals_sent", sent as f64, "");
    report.figure("signals_delivered", delivered as f64, "");
    report.figure("signals_lost_at_navigation", lost_nav as f64, "");
    report.check(Check::new(
        "sessions ran",
        sessions > 0 && sent > 0 && navs > 0,
        format!("{sessions} sessions, {navs} navigations, {sent} signals"),
    ));
    report.check(Check::new(
        "every open and reopen succeeded",
        failed_opens == 0 && failed_navs == 0,
        format!("{failed_opens} opens, {failed_navs} reopens failed"),
    ));
    report.check(Check::new(
        "every signal acked ok",
        ok == sent && refused == 0 && missing == 0,
        format!("{ok} ok, {refused} refused, {missing} missing of {sent}"),
    ));
    report.check(Check::new(
        "every signal delivered once, navigations included",
        lost == 0 && lost_nav == 0 && dup == 0 && delivered == sent,
        format!(
            "{delivered} delivered, {lost} lost, {lost_nav} lost at a navigation, {dup} duplicated of {sent}"
        ),
    ));
    report.check(Check::new(
        "no socket dropped",
        closes == 0,
        format!("{closes} closed"),
    ));
    report.check(Check::new(
        "server readings taken",
        pid.is_none() || (before.is_some() && after.is_some() && out.timeline.len() >= 2),
        format!("{} readings", out.timeline.len()),
    ));
    coord.shutdown(out).await;
    Ok(report)
}

/// The memory figures: slopes over the run (and its second half, past the allocator's warm-up),
/// and the end state against the start.
fn figures(report: &mut Report, line: &[Reading], before: Option<Reading>, after: Option<Reading>) {
    const MIB: f64 = 1048576.0;
    if let Some(s) = timeline::rss_bytes_per_min(line) {
        report.figure("rss_slope", s, "B/min");
    }
    let half = line.len() / 2;
    if let Some(s) = timeline::rss_bytes_per_min(&line[half..]) {
        report.figure("rss_slope_second_half", s, "B/min");
    }
    if let Some(s) = timeline::open_files_per_min(line) {
        report.figure("open_files_slope", s, "/min");
    }
    if let (Some(lo), Some(hi)) = (
        line.iter().map(|r| r.rss_bytes).min(),
        line.iter().map(|r| r.rss_bytes).max(),
    ) {
        report.figure("rss_min_under_load", lo as f64 / MIB, "MiB");
        report.figure("rss_max_under_load", hi as f64 / MIB, "MiB");
    }
    if let (Some(b), Some(a)) = (before, after) {
        report.figure("rss_before", b.rss_bytes as f64 / MIB, "MiB");
        report.figure("rss_after_all_left", a.rss_bytes as f64 / MIB, "MiB");
        report.figure("open_files_before", b.open_files as f64, "");
        report.figure("open_files_after_all_left", a.open_files as f64, "");
    }
    report.timeline = line.to_vec();
    report.end_state = before.zip(after).map(|(b, a)| [b, a]);
}

/// A worker's totals.
#[derive(Default)]
struct Seen {
    sessions: AtomicU64,
    navigations: AtomicU64,
    failed_navs: AtomicU64,
    failed_opens: AtomicU64,
    closes: AtomicU64,
    sent: AtomicU64,
    delivered: AtomicU64,
    duplicated: AtomicU64,
    ok: AtomicU64,
    refused: AtomicU64,
    lost_at_navigation: AtomicU64,
    lost_otherwise: AtomicU64,
}

impl Seen {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// Worker side: sessions start with the timed part (no sockets before it).
pub async fn work(mut ctx: Ctx, plan: SoakPlan) {
    ctx.ready().await;
    if ctx.start().await.is_none() {
        return;
    }
    let cpu0 = own_cpu_us();
    let t0 = Instant::now();
    let until = t0 + Duration::from_secs_f64(plan.duration);
    let seen = Arc::new(Seen::default());
    let mut slots = JoinSet::new();
    let (first, count) = (ctx.plan.first, ctx.plan.count);
    for slot in first..first + count {
        let (dialer, nonce, seen) = (ctx.dialer.clone(), ctx.plan.nonce.clone(), seen.clone());
        // Slots start spread over one session so that sessions do not line up.
        let offset =
            crate::worker::spread(slot - first, count, Duration::from_secs_f64(plan.session));
        slots.spawn(async move {
            sleep(offset).await;
            let mut rng = slot as u64 * 2 + 1;
            let mut k = 0usize;
            while Instant::now() < until {
                let id = visitor_id(&nonce, slot * 1_000_000 + k);
                let len = Duration::from_secs_f64(plan.session).mul_f64(0.5 + jitter(&mut rng));
                let end = (Instant::now() + len).min(until);
                session(&dialer, &id, &plan, end, &seen).await;
                k += 1;
            }
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(90) + (until - t0), async {
        while slots.join_next().await.is_some() {}
    })
    .await;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let (sent, delivered, dup) = (
        load(&seen.sent),
        load(&seen.delivered),
        load(&seen.duplicated),
    );
    let (ok, refused) = (load(&seen.ok), load(&seen.refused));
    let result = WorkerResult {
        unexpected_closes: load(&seen.closes),
        sent,
        delivered,
        lost: load(&seen.lost_otherwise),
        lost_at_navigation: load(&seen.lost_at_navigation),
        duplicated: dup,
        acks_ok: ok,
        acks_refused: refused,
        acks_missing: sent.saturating_sub(ok + refused),
        navigations: load(&seen.navigations),
        failed_reconnects: load(&seen.failed_navs),
        sessions: load(&seen.sessions),
        failed_opens: load(&seen.failed_opens),
        active_secs: t0.elapsed().as_secs_f64(),
        tool_cpu_us: own_cpu_us().saturating_sub(cpu0),
        ..WorkerResult::default()
    };
    ctx.finish(result).await;
}

/// 0..1, xorshift64: cheap and deterministic per slot.
fn jitter(seed: &mut u64) -> f64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % 1000) as f64 / 1000.0
}

/// One visitor's session until `end`: its agent signals it, it navigates; then both leave.
async fn session(
    dialer: &client::Dialer,
    id: &VisitorId,
    plan: &SoakPlan,
    end: Instant,
    seen: &Seen,
) {
    let (mut visitor, keepalive) = match dialer.open(Role::Visitor, id).await {
        Ok(opened) => opened,
        Err(e) => return open_failed(seen, id, e).await,
    };
    let (mut agent, _) = match dialer.open(Role::Agent, id).await {
        Ok(opened) => opened,
        Err(e) => {
            client::close(visitor).await;
            return open_failed(seen, id, e).await;
        }
    };
    let (nav_every, sig_every) = (
        Duration::from_secs_f64(plan.navigate_every),
        Duration::from_secs_f64(plan.signal_every),
    );
    let now = Instant::now();
    let (mut next_nav, mut next_sig, mut next_ka) =
        (now + nav_every, now + sig_every, now + keepalive);
    let mut track = Delivered::default();
    let mut pending: HashSet<u64> = HashSet::new();
    let mut seq = 0u64;
    let mut broken = false;
    while !broken {
        tokio::select! {
            () = sleep_until(end) => break,
            () = sleep_until(next_sig) => {
                seq += 1;
                let frame = ClientFrame::Signal { id: Some(AckId::Num(seq)), data: Some(probe(seq)) };
                broken = client::send(&mut agent, &frame).await.is_err();
                pending.insert(seq);
                next_sig += sig_every;
            }
            () = sleep_until(next_nav) => {
                // Signals sent and not yet seen when the page goes: see `Delivered::at_navigation`.
                track.at_navigation.extend((1..=seq).filter(|s| !track.seen.contains(s)));
                close_visitor(visitor, &mut track).await;
                sleep(Duration::from_millis(plan.gap_ms)).await;
                match dialer.open(Role::Visitor, id).await {
                    Ok((ws, _)) => visitor = ws,
                    Err(e) => {
                        eprintln!("presence-bench: reopen {id}: {e}");
                        Seen::add(&seen.failed_navs, 1);
                        return client::close(agent).await;
                    }
                }
                Seen::add(&seen.navigations, 1);
                next_nav += nav_every;
            }
            () = sleep_until(next_ka) => {
                broken = client::send(&mut visitor, &ClientFrame::Keepalive).await.is_err()
                    || client::send(&mut agent, &ClientFrame::Keepalive).await.is_err();
                next_ka += keepalive;
            }
            frame = client::recv(&mut visitor) => broken = !on_visitor(frame, &mut track),
            frame = client::recv(&mut agent) => broken = !on_agent(frame, &mut pending, seen),
        }
    }
    // The session is over: wait (briefly) for the last acks and deliveries, then both leave.
    let drain_until = Instant::now() + Duration::from_secs(5);
    while !broken && (!pending.is_empty() || (track.seen.len() as u64) < seq) {
        tokio::select! {
            () = sleep_until(drain_until) => break,
            frame = client::recv(&mut visitor) => broken = !on_visitor(frame, &mut track),
            frame = client::recv(&mut agent) => broken = !on_agent(frame, &mut pending, seen),
        }
    }
    if broken {
        Seen::add(&seen.closes, 1);
    }
    close_visitor(visitor, &mut track).await;
    client::close(agent).await;
    Seen::add(&seen.sent, seq);
    let lost: Vec<u64> = (1..=seq).filter(|s| !track.seen.contains(s)).collect();
    let at_nav = lost
        .iter()
        .filter(|s| track.at_navigation.contains(s))
        .count() as u64;
    Seen::add(&seen.delivered, track.seen.len() as u64);
    Seen::add(&seen.duplicated, track.duplicated);
    Seen::add(&seen.lost_at_navigation, at_nav);
    Seen::add(&seen.lost_otherwise, lost.len() as u64 - at_nav);
    Seen::add(&seen.sessions, 1);
}

/// Counts a failed open, says why, and pauses the slot a second (no retry storm).
async fn open_failed(seen: &Seen, id: &VisitorId, e: client::OpenError) {
    eprintln!("presence-bench: open {id}: {e}");
    Seen::add(&seen.failed_opens, 1);
    sleep(Duration::from_secs(1)).await;
}

/// Closes a visitor's socket as a navigating page does, still counting the signals the server
/// wrote to it before it saw the close (they were delivered, and are not sent again).
async fn close_visitor(mut ws: Ws, track: &mut Delivered) {
    let _ = ws.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while on_visitor(client::recv(&mut ws).await, track) {}
    })
    .await;
}

/// The signals one visitor received, by number.
#[derive(Default)]
struct Delivered {
    seen: HashSet<u64>,
    duplicated: u64,
    /// Signals sent but not yet received when the visitor's page closed its socket: the server
    /// holds what it had not written for the next page (§3.4), so none may be lost. Counted
    /// apart from other losses, to tell the two failures apart.
    at_navigation: HashSet<u64>,
}

/// A visitor frame; false when the socket closed.
fn on_visitor(
    frame: Option<Result<glance_protocol::JsonServerFrame, String>>,
    track: &mut Delivered,
) -> bool {
    match frame {
        Some(Ok(ServerFrame::Signal(Some(data)))) => {
            if let Some((seq, _)) = read_probe(&data) {
                if !track.seen.insert(seq) {
                    track.duplicated += 1;
                }
            }
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// An agent frame; false when the socket closed.
fn on_agent(
    frame: Option<Result<glance_protocol::JsonServerFrame, String>>,
    pending: &mut HashSet<u64>,
    seen: &Seen,
) -> bool {
    match frame {
        Some(Ok(ServerFrame::Ack(ack))) => {
            if let AckId::Num(id) = ack.id {
                if pending.remove(&id) {
                    let counter = if ack.ok == Some(true) {
                        &seen.ok
                    } else {
                        &seen.refused
                    };
                    Seen::add(counter, 1);
                }
            }
            true
        }
        Some(_) => true,
        None => false,
    }
}
