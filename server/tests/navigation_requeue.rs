//! Signals queued for a visitor's socket as the page navigates away (§3.4, issue 13 §7): what the
//! server never wrote to the closing socket is held and delivered on the next page, so every
//! signal acked `ok` reaches the visitor once, however the navigation and the signals interleave.

mod common;

use common::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// Signals the agent sends, paced so that some always arrive as a navigation closes a socket.
const SIGNALS: u64 = 4_000;
const NAVIGATIONS: usize = 20;

/// Reads the agent's frames until every id in `0..SIGNALS` has its answer; returns the ids acked
/// `ok` and never refused afterwards (a late refusal is a drop notice: final).
async fn ok_acks(agent: &mut Ws) -> BTreeSet<u64> {
    let mut ok = BTreeSet::new();
    let mut refused = BTreeSet::new();
    while ((ok.len() + refused.len()) as u64) < SIGNALS {
        let ack = agent.expect("ack", WAIT).await;
        let id = ack["data"]["id"].as_u64().expect("numeric id");
        if ack["data"]["ok"] == true {
            ok.insert(id);
        } else {
            refused.insert(id);
        }
    }
    // Late notices for signals dropped after their `ok`.
    while let Some(Event::Frame(f)) = agent.next(Duration::from_millis(500)).await {
        if f["type"] == "ack" && f["data"]["error"].is_string() {
            refused.insert(f["data"]["id"].as_u64().expect("numeric id"));
        }
    }
    &ok - &refused
}

fn signal_ids(frames: &[serde_json::Value], into: &mut Vec<u64>) {
    let ids = frames
        .iter()
        .filter(|f| f["type"] == "signal")
        .filter_map(|f| f["data"]["i"].as_u64());
    into.extend(ids);
}

// Several workers: the agent's signals are handled while the visitor's close is.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn every_acked_signal_survives_navigations() {
    let mut config = config();
    config.limits.rate = 100_000.0;
    config.limits.burst = 100_000.0;
    config.limits.held_signals = 10_000;
    let server = Server::with(config).await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;
    agent.expect("visitorconn", WAIT).await;

    // The agent signals in a steady stream from its own task...
    let sender = tokio::spawn(async move {
        for i in 0..SIGNALS {
            agent
                .send(json!({"type": "signal", "id": i, "data": {"i": i}}))
                .await;
            if i % 10 == 9 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        ok_acks(&mut agent).await
    });

    // ...while the visitor navigates: reads a while, closes (reading what the server wrote until
    // its close), and reconnects a few milliseconds later.
    let mut received = Vec::new();
    for _ in 0..NAVIGATIONS {
        let page_until = std::time::Instant::now() + Duration::from_millis(20);
        loop {
            let left = page_until.saturating_duration_since(std::time::Instant::now());
            match visitor.next(left).await {
                Some(Event::Frame(f)) => signal_ids(&[f], &mut received),
                Some(Event::Closed(code)) => panic!("the visitor's socket closed: {code:?}"),
                None => break,
            }
        }
        let _ = visitor.stream.close(None).await;
        let (_, frames) = visitor.expect_close(WAIT).await;
        signal_ids(&frames, &mut received);
        tokio::time::sleep(Duration::from_millis(3)).await;
        visitor = server.visitor("v1").await;
    }
    let acked = sender.await.expect("agent task");
    while let Some(Event::Frame(f)) = visitor.next(Duration::from_millis(500)).await {
        signal_ids(&[f], &mut received);
    }

    let unique: BTreeSet<u64> = received.iter().copied().collect();
    assert_eq!(unique.len(), received.len(), "a signal delivered twice");
    let lost: Vec<u64> = acked.difference(&unique).copied().collect();
    assert!(
        lost.is_empty(),
        "{} of {} acked signals never reached the visitor: {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(20)]
    );
    // Nothing is refused either, not even late: a navigation is not a drop (no `visitornotpresent`
    // notice for a signal that was queued as the old socket closed).
    assert_eq!(
        acked.len() as u64,
        SIGNALS,
        "every signal acked ok and never refused"
    );
    let requeued = server.running.state().metrics.render();
    eprintln!(
        "acked {}, received {}; {}",
        acked.len(),
        unique.len(),
        requeued
            .lines()
            .filter(|l| l.starts_with("presence_signals"))
            .collect::<Vec<_>>()
            .join("; ")
    );
}
