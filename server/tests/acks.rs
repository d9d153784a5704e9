//! Ack ids (§5): an agent may number its signals and invokes with any JSON scalar, and every
//! answer, accepted or refused, carries that id back as the same JSON value.

mod common;

use common::*;
use serde_json::{json, Value};

/// The ids an agent may use, as JSON text exactly as sent.
const IDS: [&str; 8] = [
    "7", "-1", "1.5", "-2.5e-3", "true", "false", r#""s-1""#, r#""""#,
];

/// Sends `frame` (JSON text with `{id}` in place of the id) for every id and checks each ack.
async fn assert_acked(agent: &mut Ws, frame: &str, expect: &dyn Fn(Value) -> Value) {
    for text in IDS {
        agent.send_text(frame.replace("{id}", text)).await;
        let id: Value = serde_json::from_str(text).expect("id JSON");
        let ack = agent.expect("ack", WAIT).await;
        assert_eq!(ack["data"], expect(id), "id {text}");
    }
}

async fn every_scalar_id_is_echoed(server: Server) {
    // The id never enters the store (the session keeps it and answers), so one store suffices.
    let mut agent = server.agent("v1").await;
    // Visitor absent: refused, with the id.
    let signal = r#"{"type":"signal","id":{id},"data":{"n":1}}"#;
    assert_acked(
        &mut agent,
        signal,
        &|id| json!({"id": id, "error": "visitornotpresent"}),
    )
    .await;
    let mut visitor = server.visitor("v1").await;
    agent.expect("visitorconn", WAIT).await;
    // Present: accepted, with the id, and delivered.
    assert_acked(&mut agent, signal, &|id| json!({"id": id, "ok": true})).await;
    for _ in IDS {
        assert_eq!(
            visitor.expect("signal", WAIT).await["data"],
            json!({"n": 1})
        );
    }
    let invoke = r#"{"type":"invoke","id":{id},"data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{}}}"#;
    assert_acked(&mut agent, invoke, &|id| json!({"id": id, "ok": true})).await;
    // A refused invoke answers with its id too.
    let bad = r#"{"type":"invoke","id":{id},"data":{"func":"window.alert","args":{}}}"#;
    assert_acked(
        &mut agent,
        bad,
        &|id| json!({"id": id, "error": "invalidparameter"}),
    )
    .await;
    // A structure is not an id: an `error` frame, and the connection stays.
    agent
        .send(json!({"type": "signal", "id": {"n": 1}, "data": {}}))
        .await;
    let error = agent.expect_next("error", WAIT).await;
    assert_eq!(error["data"]["error"], "invalidparameter");
    agent
        .send(json!({"type": "signal", "id": 8, "data": {}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 8, "ok": true})
    );
}

#[tokio::test]
async fn every_scalar_id_is_echoed_as_sent() {
    let mut config = config();
    config.limits.burst = 200.0;
    every_scalar_id_is_echoed(Server::with(config).await).await;
}
