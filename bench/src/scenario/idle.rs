//! `idle`: N visitor connections that only send keepalives. The figures are the server's: RSS
//! and CPU per held connection, and the connect rate.

use super::{keep_alive, Counters};
use crate::cli::IdleArgs;
use crate::client::{visitor_id, Role};
use crate::plan::{ScenarioPlan, WorkerResult};
use crate::report::{Check, Report, Target as Goal};
use crate::run::{Coordinator, Shares};
use crate::worker::{own_cpu_us, spread, Ctx};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Coordinator side.
pub async fn run(args: &IdleArgs) -> Result<Report, String> {
    let n = args.connections;
    let mut coord = Coordinator::prepare(&args.target, n, false).await?;
    let shares = Shares::even(n, coord.workers);
    let plans = coord.plans(&shares, |_, _| ScenarioPlan::Idle { hold: args.hold });
    let out = coord.execute(plans, args.hold).await?;
    let mut report = Report::new("idle", &coord, &out);
    report.param("connections", n);
    report.param("hold_secs", args.hold);
    report.param("keepalive_secs", args.target.keepalive);

    let held = out.connected();
    let closes: u64 = out.results.iter().map(|r| r.unexpected_closes).sum();
    let keepalives: u64 = out.results.iter().map(|r| r.keepalives).sum();
    report.figure("connections_held", held as f64, "");
    report.figure("connect_rate", out.connect_rate(), "conn/s");
    report.figure("keepalives_sent", keepalives as f64, "");
    let nodes = coord.visitor_nodes.len();
    // Several nodes: the per-node figures below replace the single-server ones.
    if let Some(s) = out.server.as_ref().filter(|_| nodes == 1) {
        let per_conn_rss = s.connected.rss_growth_bytes as f64 / held.max(1) as f64;
        let per_conn_cpu =
            s.active.cpu_us as f64 / s.active.wall_secs.max(1e-9) / held.max(1) as f64;
        report.figure(
            "server_rss_before_mib",
            s.before.rss_bytes as f64 / 1048576.0,
            "MiB",
        );
        report.figure(
            "server_rss_held_mib",
            s.after.rss_bytes as f64 / 1048576.0,
            "MiB",
        );
        report.figure("server_rss_per_connection", per_conn_rss, "bytes");
        report.figure("server_cpu_per_connection", per_conn_cpu, "µs/s");
        report.figure(
            "server_cpu_connect_phase",
            s.connecting.cpu_us as f64 / held.max(1) as f64,
            "µs/conn",
        );
        report.figure(
            "server_cpu_hold_total",
            s.active.cores() * 100.0,
            "% of a core",
        );
        let gib16 = 16.0 * 1024.0 * 1024.0 * 1024.0;
        report.figure(
            "connections_in_16_gib",
            (gib16 - s.before.rss_bytes as f64) / per_conn_rss.max(1.0),
            "conn",
        );
        report.goal(Goal::at_most(
            "server RSS per idle connection",
            per_conn_rss,
            4096.0,
            "bytes",
        ));
        report.goal(Goal::at_most(
            "server CPU per idle connection",
            per_conn_cpu,
            1.0,
            "µs/s",
        ));
    }
    if nodes > 1 {
        // Worker w held its sockets on node w mod nodes.
        let mut per_node = vec![0usize; nodes];
        for (w, r) in out.readies.iter().enumerate() {
            per_node[w % nodes] += r.connected;
        }
        report.figure("nodes", nodes as f64, "");
        let mut growth_total = 0u64;
        let mut rss_total = 0u64;
        for (i, node) in out
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == "visitors")
        {
            report.node_figure(
                format!("node{i}_connections_held"),
                per_node[i] as f64,
                "conn",
            );
            if let Some(f) = &node.figures {
                growth_total += f.connected.rss_growth_bytes.max(0) as u64;
                rss_total += f.after.rss_bytes;
                report.node_figure(
                    format!("node{i}_rss_held_mib"),
                    f.after.rss_bytes as f64 / 1048576.0,
                    "MiB",
                );
                report.node_figure(
                    format!("node{i}_rss_per_connection"),
                    f.connected.rss_growth_bytes as f64 / per_node[i].max(1) as f64,
                    "bytes",
                );
                report.node_figure(
                    format!("node{i}_cpu_per_connection"),
                    f.active.cpu_us as f64
                        / f.active.wall_secs.max(1e-9)
                        / per_node[i].max(1) as f64,
                    "µs/s",
                );
            }
        }
        report.figure(
            "all_nodes_rss_held_mib",
            rss_total as f64 / 1048576.0,
            "MiB",
        );
        report.figure(
            "all_nodes_rss_per_connection",
            growth_total as f64 / held.max(1) as f64,
            "bytes",
        );
        report.goal(Goal::at_most(
            "server RSS per idle connection (all nodes)",
            growth_total as f64 / held.max(1) as f64,
            4096.0,
            "bytes",
        ));
        report.goal(Goal::at_least(
            "idle connections held by all nodes",
            held as f64,
            n as f64,
            "conn",
        ));
    } else {
        report.goal(Goal::at_least(
            "idle connections held by one server",
            held as f64,
            n as f64,
            "conn",
        ));
    }
    report.redis_per("connection", held as u64);
    report.check(Check::new(
        "all connections opened",
        out.failed() == 0,
        out.failure_detail(),
    ));
    report.check(Check::new(
        "no connection dropped while held",
        closes == 0,
        format!("{closes} closed"),
    ));
    coord.shutdown(out).await;
    Ok(report)
}

/// Worker side.
pub async fn work(mut ctx: Ctx, hold: f64) {
    let counters = Arc::new(Counters::default());
    let (first, count) = (ctx.plan.first, ctx.plan.count);
    for i in first..first + count {
        let opener = ctx.opener();
        let id = visitor_id(&ctx.plan.nonce, i);
        let phase = ctx.phase.subscribe();
        let counters = counters.clone();
        ctx.tasks.spawn(async move {
            let Ok((ws, keepalive)) = opener.open(Role::Visitor, &id).await else {
                return;
            };
            // Spread keepalives over the interval, as independent pages would.
            let first_keepalive = spread(i - first, count, keepalive);
            keep_alive(ws, keepalive, first_keepalive, phase, &counters, |_| {}).await;
        });
    }
    ctx.ready().await;
    if ctx.start().await.is_none() {
        return;
    }
    let (cpu0, t0) = (own_cpu_us(), Instant::now());
    tokio::time::sleep(Duration::from_secs_f64(hold)).await;
    let result = WorkerResult {
        unexpected_closes: counters.unexpected_closes.load(Ordering::Relaxed),
        keepalives: counters.keepalives.load(Ordering::Relaxed),
        active_secs: t0.elapsed().as_secs_f64(),
        tool_cpu_us: own_cpu_us().saturating_sub(cpu0),
        ..WorkerResult::default()
    };
    ctx.finish(result).await;
}
