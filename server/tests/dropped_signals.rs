//! Signals dropped at a slow-consumer cut (issue 13 §5): an ack means queued, so the agent that
//! sent a signal still queued for a visitor when that visitor's connection is cut gets a late
//! `ack {id, error: "visitornotpresent"}` naming it.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::MaybeTlsStream;

/// A visitor socket whose TCP receive buffer is tiny and that is never read until the test says.
async fn stuck_visitor(server: &Server, visitor: &str) -> Ws {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let tcp = socket
        .connect(server.running.addr())
        .await
        .expect("connect");
    let req = format!("{}/visitorws", server.running.ws_url())
        .into_client_request()
        .expect("URL");
    let (stream, _) = tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(tcp))
        .await
        .expect("upgrade");
    let mut ws = Ws::from_stream(stream);
    ws.send_text(connect_frame(GROUP, visitor, None, None))
        .await;
    ws.expect_next("connected", WAIT).await;
    ws
}

/// Reads the agent's frames until the `ok` ack for `id`; drop notices seen on the way are kept.
async fn ack_of(agent: &mut Ws, id: u64, notices: &mut Vec<u64>) -> Value {
    loop {
        let ack = agent.expect("ack", WAIT).await;
        // A refusal is a drop notice, never the ack being waited for: the signal that found the
        // visitor's queue full is told at once, so its notice comes before its own `ok`.
        if ack["data"]["id"] == id && ack["data"].get("error").is_none() {
            return ack;
        }
        record_notice(&ack, notices);
    }
}

fn record_notice(ack: &Value, notices: &mut Vec<u64>) {
    assert_eq!(
        ack["data"]["error"], "visitornotpresent",
        "unexpected ack: {ack}"
    );
    notices.push(ack["data"]["id"].as_u64().expect("numeric id"));
}

/// Small queues, no rate limit: the visitor is cut after a few unread signals.
fn cut_config(mut config: presence_server::Config) -> presence_server::Config {
    config.limits.outbound_queue = 8;
    config.limits.rate = 100_000.0;
    config.limits.burst = 100_000.0;
    config
}

#[tokio::test]
async fn the_agent_is_told_which_signals_a_cut_visitor_never_got() {
    let server = Server::with(cut_config(config())).await;
    agent_told_of_a_cut(&server, &server).await;
}

/// The visitor on one node, its agent on another: the notices go back through Redis to the
/// agent's node.
#[tokio::test]
async fn an_agent_on_another_node_is_told_too() {
    let redis = RedisServer::start().await;
    let visitor_node = Server::with(cut_config(redis.node_config("n1"))).await;
    let agent_node = Server::with(cut_config(redis.node_config("n2"))).await;
    agent_told_of_a_cut(&visitor_node, &agent_node).await;
}

async fn agent_told_of_a_cut(visitor_node: &Server, agent_node: &Server) {
    let server = visitor_node;
    let mut visitor = stuck_visitor(server, "v1").await;
    let mut agent = agent_node.agent("v1").await;
    agent.expect("visitorconn", WAIT).await;

    // Signal, one ack at a time, until the visitor is cut: every signal acked `ok` before the
    // cut was seen was queued for that connection, so it was either written or is told about.
    let pad = "x".repeat(16_000);
    let mut acked = BTreeSet::new();
    let mut notices = Vec::new();
    let started = Instant::now();
    for id in 0u64.. {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no cut after {id} signals"
        );
        agent
            .send(json!({"type": "signal", "id": id, "data": {"i": id, "pad": pad}}))
            .await;
        ack_of(&mut agent, id, &mut notices).await;
        acked.insert(id);
        if server.running.state().store.local_connections().0 == 0 {
            break;
        }
    }

    // The late notices (some may have come above already).
    while let Some(Event::Frame(f)) = agent.next(Duration::from_millis(500)).await {
        if f["type"] == "ack" {
            record_notice(&f, &mut notices);
        }
    }
    let noticed: BTreeSet<u64> = notices.iter().copied().collect();
    assert_eq!(
        noticed.len(),
        notices.len(),
        "one notice per signal: {notices:?}"
    );
    assert!(
        !noticed.is_empty(),
        "a cut with signals queued tells the agent"
    );
    assert!(noticed.is_subset(&acked), "notices only for acked signals");

    // What reached the visitor's socket, read now: every acked signal is either there or noticed.
    let (_, frames) = visitor.expect_close(Duration::from_secs(5)).await;
    let received: BTreeSet<u64> = frames
        .iter()
        .filter(|f| f["type"] == "signal")
        .filter_map(|f| f["data"]["i"].as_u64())
        .collect();
    let accounted: BTreeSet<u64> = received.union(&noticed).copied().collect();
    let lost: Vec<u64> = acked.difference(&accounted).copied().collect();
    assert!(
        lost.is_empty(),
        "acked, never received, never noticed: {lost:?}; noticed {noticed:?}"
    );
    // A notice may name a signal of the batch whose write the cut interrupted (it may have
    // reached the visitor's socket buffer); never more than that one batch.
    let both = received.intersection(&noticed).count();
    assert!(both <= 8 + 1, "{both} signals both received and noticed");
    eprintln!(
        "acked {}, received {}, noticed {}, both {both}",
        acked.len(),
        received.len(),
        noticed.len()
    );
}
