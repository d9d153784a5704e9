//! Invokes stay inside the namespace on the server too (§2.4, issue 13 §4): a path that walks out
//! of `GLANCE.` / `GLANCE_COBROWSE.Custom.` through `constructor`, `prototype` or a `__*` segment
//! is refused with `invalidparameter` over the agent socket and over `POST /signalvisitor`, and
//! never reaches the visitor (the original visitor scripts would walk it).

mod common;

use common::*;
use serde_json::json;

/// The paths of the issue: each passes a prefix check and leaves the namespace when walked.
const ESCAPES: [&str; 6] = [
    "GLANCE.constructor.constructor",
    "GLANCE.__proto__.x",
    "GLANCE.a.prototype",
    "GLANCE_COBROWSE.Custom.constructor",
    "GLANCE.__x",
    "GLANCE.Cobrowse.__defineGetter__",
];

#[tokio::test]
async fn escaping_invokes_are_refused_on_the_socket() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;
    for (id, func) in ESCAPES.iter().enumerate() {
        agent
            .send(json!({"type": "invoke", "id": id, "data": {"func": func, "args": {}}}))
            .await;
        assert_eq!(
            agent.expect("ack", WAIT).await["data"],
            json!({"id": id, "error": "invalidparameter"}),
            "{func}"
        );
    }
    visitor.expect_silence(QUIET).await;

    // The socket stays usable: an invoke inside the namespace is acked and delivered.
    agent
        .send(json!({"type": "invoke", "id": 99, "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms"}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 99, "ok": true})
    );
    assert_eq!(
        visitor.expect_next("invoke", WAIT).await["data"]["func"],
        "GLANCE.Cobrowse.Visitor.showTerms"
    );
}

#[tokio::test]
async fn escaping_invokes_are_refused_over_rest() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    for func in ESCAPES {
        let reply = server
            .post_auth(
                &path,
                &token,
                &json!({"mtype": "invoke", "data": {"func": func, "args": {}}}),
            )
            .await;
        assert_eq!(reply.status, 400, "{func}: {}", reply.body);
        assert_eq!(reply.body["err"], "invalidparameter", "{func}");
    }
    visitor.expect_silence(QUIET).await;
}
