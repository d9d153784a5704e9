//! Webhooks, single node: retries and their backoff (500, then 429 with `Retry-After`, then
//! 200), a receiver down then up, a server SIGKILLed with events pending, the bounded outbox,
//! and the SSRF refusal. The receiver verifies with the `standardwebhooks` library.

mod common;
#[path = "webhooks/harness.rs"]
mod harness;

use common::{Server, API_KEY, GROUP, SECRET, WAIT};
use harness::{
    delivered, endpoint, guests, metric, metrics, types, wait_metric, with_webhook, Answers,
    Receiver, ServerProc, TempDir, SECRET_A,
};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

const ARRIVAL: Duration = Duration::from_secs(15);

/// The test configuration sending `unique.created` to `receiver`.
fn guest_codes_to(dir: &TempDir, receiver: &Receiver) -> presence_server::Config {
    with_webhook(
        common::config(),
        &dir.0,
        endpoint(&receiver.url(), &[SECRET_A], Some(&["unique.created"])),
    )
}

fn at(r: &Value) -> i64 {
    r["at"].as_i64().expect("at")
}

#[tokio::test]
async fn backoff_honours_500_then_429_retry_after_then_200() {
    let dir = TempDir::new("backoff");
    let answers = Answers {
        script: vec!["500".into(), "429:2".into()],
        hang: false,
    };
    let receiver = Receiver::start(&dir.0, &[SECRET_A], answers);
    let mut config = guest_codes_to(&dir, &receiver);
    // Above the Retry-After: a longer one would be capped to it.
    config.webhooks.retry_max_delay = 5.0;
    let server = Server::with(config).await;
    guests(&server.http, &server.url(""), GROUP, 1).await;
    let records = receiver
        .wait_until(ARRIVAL, "the 200", |r| !delivered(r).is_empty())
        .await;
    let statuses: Vec<i64> = records
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 429, 200]);
    let ids: HashSet<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "a retry keeps its webhook-id");
    assert!(records.iter().all(|r| r["verified"] == true));
    // The first retry waits at least half of retry_initial (0.1 s); the one after the 429 at
    // least its Retry-After (2 s). (Receiver clock, ms: a few ms of slack for its rounding.)
    assert!(at(&records[1]) - at(&records[0]) >= 45, "{records:#?}");
    assert!(at(&records[2]) - at(&records[1]) >= 2_000, "{records:#?}");
    // Each attempt is signed anew, with its own time.
    let ts: Vec<i64> = records
        .iter()
        .map(|r| r["timestamp"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ts[2] > ts[1], "{ts:?}");
    // The receiver records before it answers: the server counts the 200 a moment later.
    let addr = server.host();
    wait_metric(
        &server.http,
        &addr,
        "presence_webhook_results_total",
        &["result=\"succeeded\""],
        1.0,
    )
    .await;
    let text = metrics(&server.http, &addr).await;
    for status in ["500", "429", "200"] {
        let label = format!("status=\"{status}\"");
        let n = metric(&text, "presence_webhook_attempts_total", &[&label]);
        assert_eq!(n, 1.0, "attempts answered {status}");
    }
}

#[tokio::test]
async fn a_4xx_is_final() {
    let dir = TempDir::new("final");
    let answers = Answers {
        script: vec!["410".into()],
        hang: false,
    };
    let receiver = Receiver::start(&dir.0, &[SECRET_A], answers);
    let config = guest_codes_to(&dir, &receiver);
    let server = Server::with(config).await;
    guests(&server.http, &server.url(""), GROUP, 2).await;
    let records = receiver.wait_until(ARRIVAL, "both", |r| r.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.records().len(),
        2,
        "the 410 is not retried: {records:#?}"
    );
    assert_eq!(records[0]["status"], 410);
    assert_eq!(records[1]["status"], 200);
    assert_ne!(records[0]["id"], records[1]["id"]);
}

#[tokio::test]
async fn a_receiver_down_then_up_gets_everything_in_order() {
    let dir = TempDir::new("down");
    let mut receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    receiver.stop();
    let config = with_webhook(
        common::config(),
        &dir.0,
        endpoint(&receiver.url(), &[SECRET_A], Some(&["c_*"])),
    );
    let server = Server::with(config).await;
    let mut visitor = server.visitor("v1").await;
    for i in 0..20 {
        visitor
            .send(json!({"type": format!("c_step{i}"), "data": {"i": i}}))
            .await;
    }
    // The receiver is down: attempts fail to connect and are retried.
    let until = std::time::Instant::now() + ARRIVAL;
    loop {
        let text = metrics(&server.http, &server.host()).await;
        if metric(
            &text,
            "presence_webhook_attempts_total",
            &["status=\"connect\""],
        ) >= 2.0
        {
            break;
        }
        assert!(std::time::Instant::now() < until, "no failed attempt");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receiver.restart(Answers::default());
    receiver
        .wait_until(ARRIVAL, "all 20", |r| delivered(r).len() >= 20)
        .await;
    // Anything more would arrive now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let records = receiver.records();
    let got = delivered(&records);
    let want: Vec<String> = (0..20).map(|i| format!("c_step{i}")).collect();
    assert_eq!(types(&got), want, "in order, each once");
    let ids: HashSet<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 20);
    drop(visitor);
}

#[tokio::test]
async fn events_pending_at_a_sigkill_are_delivered_after_the_restart() {
    let dir = TempDir::new("sigkill");
    let mut receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    receiver.stop();
    let config = format!(
        r#"
        listen = "127.0.0.1:0"
        jwt_secret = "{SECRET}"
        [webhooks]
        allow_private = true
        retry_initial = 0.1
        retry_max_delay = 0.5
        outbox = "{outbox}"
        [[groups]]
        id = {GROUP}
        api_key = "{API_KEY}"
        [[groups.webhooks]]
        url = "{url}"
        secret = "{SECRET_A}"
        events = ["unique.created"]
        "#,
        outbox = dir.join("outbox.redb").display(),
        url = receiver.url(),
    );
    let http = reqwest::Client::new();
    let mut node = ServerProc::start(&dir.0, "node", &config).await;
    let codes = guests(&http, &format!("http://{}", node.addr), GROUP, 10).await;
    // Pending: written, attempted, failed.
    let until = std::time::Instant::now() + ARRIVAL;
    loop {
        let text = metrics(&http, &node.addr).await;
        if metric(&text, "presence_webhook_outbox_events", &[]) >= 10.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "events not in the outbox"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    node.kill();
    receiver.restart(Answers::default());
    let _node = ServerProc::start(&dir.0, "node", &config).await;
    let records = receiver
        .wait_until(ARRIVAL, "the 10 pending", |r| delivered(r).len() >= 10)
        .await;
    let got: Vec<String> = delivered(&records)
        .iter()
        .map(|r| r["data"]["visitorid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, codes, "all of them, in order");
}

#[tokio::test]
async fn a_receiver_that_never_answers_holds_at_most_the_cap() {
    const CAP: usize = 20;
    let dir = TempDir::new("bounded");
    let answers = Answers {
        script: Vec::new(),
        hang: true,
    };
    let receiver = Receiver::start(&dir.0, &[SECRET_A], answers);
    let mut config = guest_codes_to(&dir, &receiver);
    config.webhooks.max_events = CAP;
    config.webhooks.timeout = 0.3;
    let server = Server::with(config).await;
    guests(&server.http, &server.url(""), GROUP, 10 * CAP).await;
    let until = std::time::Instant::now() + ARRIVAL;
    let (dropped, depth) = loop {
        let text = metrics(&server.http, &server.host()).await;
        let dropped = metric(
            &text,
            "presence_webhook_dropped_total",
            &["reason=\"bounds\""],
        );
        let depth = metric(&text, "presence_webhook_outbox_events", &[]);
        assert!(depth <= CAP as f64, "outbox over its cap: {depth}");
        if dropped + depth == (10 * CAP) as f64 {
            break (dropped, depth);
        }
        assert!(
            std::time::Instant::now() < until,
            "dropped {dropped} + depth {depth}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(dropped >= (9 * CAP) as f64, "{dropped}");
    assert!(depth <= CAP as f64);
    assert!(delivered(&receiver.records()).is_empty());
}

#[tokio::test]
async fn private_endpoints_are_refused_at_start_and_nothing_is_sent() {
    let dir = TempDir::new("ssrf");
    let receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    for url in [
        "http://10.0.0.1/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        format!("http://127.0.0.1:{}/hook", receiver.port),
        format!("http://localhost:{}/hook", receiver.port),
    ] {
        let mut config = with_webhook(common::config(), &dir.0, endpoint(&url, &[SECRET_A], None));
        config.webhooks.allow_private = false;
        let err = match presence_server::start(config).await {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("private") && err.contains("allow_private"),
            "{err}"
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        receiver.records().is_empty(),
        "a refused endpoint got traffic"
    );
    // The same loopback endpoint with the operator's permission works.
    let config = guest_codes_to(&dir, &receiver);
    let server = Server::with(config).await;
    guests(&server.http, &server.url(""), GROUP, 1).await;
    receiver
        .wait_until(WAIT, "the allowed delivery", |r| delivered(r).len() == 1)
        .await;
}
