//! Webhooks in a cluster: a real `redis-server` and real `presence-server` processes sharing it.
//! Each event reaches the endpoint once, not once per node; a node SIGKILLed with events pending
//! leaves them to another node, which delivers them. The receiver verifies with the
//! `standardwebhooks` library.

mod common;
#[path = "webhooks/harness.rs"]
mod harness;

use common::{agent_token, connect_frame, RedisServer, Ws, API_KEY, GROUP, SECRET, WAIT};
use harness::{
    delivered, guests, metric, metrics, types, wait_metric, Answers, Receiver, ServerProc, TempDir,
    SECRET_A,
};
use serde_json::json;
use std::time::{Duration, Instant};

/// Generous: a dead node's lease lapses after 3 s, then retries.
const ARRIVAL: Duration = Duration::from_secs(20);

fn node_config(i: usize, redis: &RedisServer, url: &str, events: &str) -> String {
    format!(
        r#"
        listen = "127.0.0.1:0"
        jwt_secret = "{SECRET}"
        [timings]
        grace = 0.5
        hold = 0.5
        [webhooks]
        allow_private = true
        retry_initial = 0.1
        retry_max_delay = 0.5
        [[groups]]
        id = {GROUP}
        api_key = "{API_KEY}"
        allow_no_origin = true
        [[groups.webhooks]]
        url = "{url}"
        secret = "{SECRET_A}"
        events = {events}
        [cluster]
        redis_url = "{redis}"
        node_name = "n{i}"
        "#,
        redis = redis.url,
    )
}

async fn socket(addr: &str, path: &str, visitor: &str, token: Option<&str>) -> Ws {
    let (stream, _) = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::connect_async(format!("ws://{addr}{path}")),
    )
    .await
    .expect("upgrade in time")
    .expect("upgrade");
    let mut ws = Ws::from_stream(stream);
    ws.send_text(connect_frame(GROUP, visitor, token, None))
        .await;
    ws.expect_next("connected", WAIT).await;
    ws
}

#[tokio::test]
async fn each_event_reaches_the_endpoint_once_not_once_per_node() {
    let dir = TempDir::new("cluster-once");
    let redis = RedisServer::start().await;
    let receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    let events = r#"["visitor.*", "c_*", "agent.signal"]"#;
    let n0 = ServerProc::start(
        &dir.0,
        "n0",
        &node_config(0, &redis, &receiver.url(), events),
    )
    .await;
    let n1 = ServerProc::start(
        &dir.0,
        "n1",
        &node_config(1, &redis, &receiver.url(), events),
    )
    .await;

    // The visitor on node 0, its agent on node 1.
    let token = agent_token(GROUP);
    let mut agent = socket(&n1.addr, "/agent", "cv1", Some(&token)).await;
    let mut visitor = socket(&n0.addr, "/visitorws", "cv1", None).await;
    visitor
        .send(json!({"type": "presence", "data": {"url": "https://shop.example.com/"}}))
        .await;
    agent.expect("presence", WAIT).await;
    visitor
        .send(json!({"type": "c_cart", "data": {"n": 1}}))
        .await;
    agent.expect("c_cart", WAIT).await;
    let rest = reqwest::Client::new()
        .post(format!(
            "http://{}/signalvisitor?groupid={GROUP}&visitorid=cv1",
            n1.addr
        ))
        .bearer_auth(&token)
        .json(&json!({"mtype": "signal", "data": {"from": "n1"}}))
        .send()
        .await
        .expect("signalvisitor");
    assert_eq!(rest.status(), 200);
    visitor.expect("signal", WAIT).await;
    visitor.close().await;

    receiver
        .wait_until(ARRIVAL, "the absence", |r| {
            types(&delivered(r)).contains(&"visitor.absent".to_owned())
        })
        .await;
    // A copy from the other node would come now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let records = receiver.records();
    assert_eq!(
        types(&delivered(&records)),
        [
            "visitor.present",
            "c_cart",
            "agent.signal",
            "visitor.absent"
        ],
        "{records:#?}"
    );
    assert_eq!(records.len(), 4, "once each, nothing retried");
    drop((agent, n0, n1));
}

#[tokio::test]
async fn a_killed_node_leaves_its_pending_events_to_another() {
    let dir = TempDir::new("cluster-kill");
    let redis = RedisServer::start().await;
    let mut receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    receiver.stop();
    let events = r#"["unique.created"]"#;
    let http = reqwest::Client::new();
    // Node 0 starts first and takes the endpoint's lease at its first look at the queue.
    let mut n0 = ServerProc::start(
        &dir.0,
        "n0",
        &node_config(0, &redis, &receiver.url(), events),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let n1 = ServerProc::start(
        &dir.0,
        "n1",
        &node_config(1, &redis, &receiver.url(), events),
    )
    .await;
    // Events from both nodes, into the one stream.
    let mut codes = guests(&http, &format!("http://{}", n0.addr), GROUP, 5).await;
    codes.extend(guests(&http, &format!("http://{}", n1.addr), GROUP, 5).await);
    // Node 0 is the one trying (and failing: the receiver is down); node 1 waits.
    let until = Instant::now() + ARRIVAL;
    loop {
        let text = metrics(&http, &n0.addr).await;
        if metric(
            &text,
            "presence_webhook_attempts_total",
            &["status=\"connect\""],
        ) >= 2.0
        {
            break;
        }
        assert!(Instant::now() < until, "node 0 never attempted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = metrics(&http, &n1.addr).await;
    assert_eq!(metric(&text, "presence_webhook_attempts_total", &[]), 0.0);
    n0.kill();
    receiver.restart(Answers::default());
    let records = receiver
        .wait_until(ARRIVAL, "the 10 pending", |r| delivered(r).len() >= 10)
        .await;
    let got: Vec<String> = delivered(&records)
        .iter()
        .map(|r| r["data"]["visitorid"].as_str().unwrap().to_owned())
        .collect();
    // Each once; each node's in the order it made them (the two nodes' events, of different
    // visitors, interleave as each node's writer appended them).
    let mut sorted = got.clone();
    sorted.sort();
    let mut want = codes.clone();
    want.sort();
    assert_eq!(sorted, want, "all, once");
    for node in [&codes[..5], &codes[5..]] {
        let order: Vec<&String> = got.iter().filter(|c| node.contains(c)).collect();
        assert_eq!(
            order,
            node.iter().collect::<Vec<_>>(),
            "one node's events in order"
        );
    }
    // Node 1 delivered them (it counts each once the receiver answered).
    let succeeded = ["result=\"succeeded\""];
    wait_metric(
        &http,
        &n1.addr,
        "presence_webhook_results_total",
        &succeeded,
        10.0,
    )
    .await;
    let text = metrics(&http, &n1.addr).await;
    assert_eq!(
        metric(&text, "presence_webhook_results_total", &succeeded),
        10.0
    );
}
