//! `webhooks`: V visitors fire custom `c_bench` events at a total rate R; the group has one
//! webhook endpoint, a receiver in this process that verifies every signature and answers 200.
//! Figures: events/s the server delivers (from the receiver's first to its last request) and the
//! server's CPU per event over the whole run (the events' relay, the outbox writes, the signed
//! POSTs). `--off` runs the same load with no endpoint: the difference is what webhooks cost.
//! Every event must arrive once, signed.

use super::receiver::Receiver;
use crate::cli::WebhooksArgs;
use crate::plan::{ScenarioPlan, WorkerResult};
use crate::procstat;
use crate::report::{Check, Report};
use crate::run::{Coordinator, Shares};
use std::time::{Duration, Instant};

/// Coordinator side.
pub async fn run(args: &WebhooksArgs) -> Result<Report, String> {
    let v = args.visitors.max(1);
    let receiver = Receiver::start().await?;
    let outbox = std::env::temp_dir().join(format!("presence-bench-{}.redb", std::process::id()));
    let _ = std::fs::remove_file(&outbox);
    let mut target = args.target.clone();
    if !args.off {
        target.extra_toml = format!(
            "\n[[groups.webhooks]]\nurl = \"http://{}/hook\"\nsecret = \"{}\"\nevents = [\"c_*\"]\n\
             \n[webhooks]\nallow_private = true\noutbox = \"{}\"\nmax_events = 1000000\n\
             max_bytes = 1073741824\n",
            receiver.addr,
            receiver.secret,
            outbox.display()
        );
    }
    let mut coord = Coordinator::prepare(&target, v, false).await?;
    let cpu0 = coord.target.pid.and_then(procstat::sample);
    let plans = coord.plans(&Shares::even(v, coord.workers), |_, _| {
        ScenarioPlan::Relay {
            agents_per_visitor: 0,
            per_visitor_rate: args.rate / v as f64,
            duration: args.duration,
            warmup: args.warmup,
            custom: true,
        }
    });
    let out = coord.execute(plans, args.duration).await?;
    let sent: u64 = out.results.iter().map(|r: &WorkerResult| r.sent).sum();
    // Deliveries go on after the load stops: wait for all of them (or the drain timeout).
    let until = Instant::now() + Duration::from_secs_f64(args.drain_timeout);
    while !args.off && receiver.counts().1 < sent && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu1 = coord.target.pid.and_then(procstat::sample);
    let (requests, distinct, invalid, window) = receiver.counts();
    let mut report = Report::new("webhooks", &coord, &out);
    report.param("visitors", v);
    report.param("rate", args.rate);
    report.param("duration_secs", args.duration);
    report.param("webhooks", !args.off);
    report.figure("events_sent", sent as f64, "");
    report.figure(
        "events_sent_per_sec",
        sent as f64 / args.duration.max(1e-9),
        "/s",
    );
    if let (Some(a), Some(b)) = (&cpu0, &cpu1) {
        let cpu_us = procstat::ProcDelta::between(a, b).cpu_us;
        report.figure(
            "server_cpu_per_event",
            cpu_us as f64 / sent.max(1) as f64,
            "µs",
        );
        report.figure("server_rss", b.rss_bytes as f64 / 1048576.0, "MiB");
    }
    if !args.off {
        report.figure("webhooks_delivered", distinct as f64, "");
        report.figure(
            "delivered_per_sec",
            distinct as f64 / window.max(1e-9),
            "/s",
        );
        report.figure("delivery_window", window, "s");
        report.check(Check::new(
            "every event delivered, once",
            distinct >= sent && requests == distinct,
            format!("{distinct} distinct of {sent} sent, {requests} requests"),
        ));
        report.check(Check::new(
            "every signature valid",
            invalid == 0,
            format!("{invalid} invalid"),
        ));
    }
    report.check(Check::new(
        "all connections opened",
        out.failed() == 0,
        out.failure_detail(),
    ));
    coord.shutdown(out).await;
    let _ = std::fs::remove_file(&outbox);
    Ok(report)
}
