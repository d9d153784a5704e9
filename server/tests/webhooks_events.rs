//! Webhooks, single node: every event type, produced by a real visitor and agent over real
//! WebSockets and REST, reaches a real receiver that verifies it with the `standardwebhooks`
//! library; once each, in order per visitor, and a navigation makes no absent/present pair.

mod common;
#[path = "webhooks/harness.rs"]
mod harness;

use common::{agent_token, connect_frame, Server, GROUP, WAIT};
use harness::{
    delivered, endpoint, types, with_webhook, Answers, Receiver, TempDir, SECRET_A, SECRET_B,
};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

/// Long enough for the grace (0.4 s), the unique timeout (1 s) and delivery.
const ARRIVAL: Duration = Duration::from_secs(10);

#[tokio::test]
async fn every_event_type_arrives_once_signed_and_in_order() {
    let dir = TempDir::new("events");
    // Two secrets: the receiver checks both signatures (a rotation).
    let receiver = Receiver::start(&dir.0, &[SECRET_A, SECRET_B], Answers::default());
    let config = with_webhook(
        common::config(),
        &dir.0,
        endpoint(&receiver.url(), &[SECRET_A, SECRET_B], None),
    );
    let server = Server::with(config).await;

    // A visitor arrives, is watched by an agent, and does everything a visitor can.
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    visitor
        .send(json!({"type": "presence", "data": {"url": "https://shop.example.com/a", "name": "Ada"}}))
        .await;
    agent.expect("presence", WAIT).await;
    for frame in [
        json!({"type": "visibility", "data": {"visibility": "hidden"}}),
        json!({"type": "visibility", "data": {"visibility": "visible"}}),
        json!({"type": "terms", "data": {"status": "displayed"}}),
        json!({"type": "terms", "data": {"status": "declined"}}),
        json!({"type": "terms", "data": {"status": "displayed"}}),
        json!({"type": "terms", "data": {"status": "accepted"}}),
        json!({"type": "visitorsessionstart", "data": {"sessionkey": "v1"}}),
        json!({"type": "c_cart", "data": {"items": [1, 2]}}),
        json!({"type": "visitorerror", "data": {"code": "e1"}}),
        json!({"type": "visitorsessionend", "data": {"sessionkey": "v1"}}),
    ] {
        let ty = frame["type"].as_str().unwrap().to_owned();
        visitor.send(frame).await;
        agent.expect(&ty, WAIT).await;
    }
    // The agent signals and invokes over its socket, then signals over REST.
    agent
        .send(json!({"type": "signal", "id": 1, "data": {"hello": "v1"}}))
        .await;
    agent.expect("ack", WAIT).await;
    agent
        .send(json!({"type": "invoke", "id": 2, "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {}}}))
        .await;
    agent.expect("ack", WAIT).await;
    let rest = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=v1"),
            &agent_token(GROUP),
            &json!({"mtype": "signal", "data": {"via": "rest"}}),
        )
        .await;
    assert_eq!(rest.status, 200);
    visitor.expect("signal", WAIT).await;

    // A navigation: the socket closes and a new one opens within the grace.
    visitor.close().await;
    let mut visitor = server.visitor("v1").await;
    visitor
        .send(json!({"type": "presence", "data": {"url": "https://shop.example.com/b"}}))
        .await;
    agent.expect("presence", WAIT).await;
    // Then the visitor leaves for good.
    visitor.close().await;

    // A guest code, handed out and left to lapse (unique timeout 1 s in the test config).
    let unique = server
        .get(&format!(
            "/uniquevisitor?groupid={GROUP}&visitorid=undefined"
        ))
        .await;
    assert_eq!(unique.status, 200);
    let guest = unique.body["visitorid"].as_str().unwrap().to_owned();

    let expected_v1 = [
        "visitor.present",
        "visitor.hidden",
        "visitor.visible",
        "terms.displayed",
        "terms.declined",
        "terms.displayed",
        "terms.accepted",
        "session.start",
        "c_cart",
        "visitor.error",
        "session.end",
        "agent.signal",
        "agent.invoke",
        "agent.signal",
        "visitor.absent",
    ];
    let records = receiver
        .wait_until(ARRIVAL, "every event", |r| {
            let d = delivered(r);
            types(&d).contains(&"visitor.absent".to_owned())
                && types(&d).contains(&"unique.expired".to_owned())
        })
        .await;
    // Nothing more comes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let records = if receiver.records().len() > records.len() {
        receiver.records()
    } else {
        records
    };
    assert!(
        records
            .iter()
            .all(|r| r["verified"] == true && r["signatures"] == 2),
        "{records:#?}"
    );
    assert!(records
        .iter()
        .all(|r| r["contentType"] == "application/json"));
    let all = delivered(&records);
    assert_eq!(all.len(), records.len(), "every request answered 200 once");
    let ids: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        all.len(),
        "each event once, with its own webhook-id"
    );

    let of = |visitor: &str| -> Vec<&Value> {
        all.iter()
            .copied()
            .filter(|r| r["data"]["visitorid"] == visitor)
            .collect()
    };
    let v1 = of("v1");
    assert_eq!(
        types(&v1),
        expected_v1,
        "v1's events in order, no absent/present at the navigation"
    );
    assert!(v1.iter().all(|r| r["data"]["groupid"] == GROUP));

    // Shapes.
    let present = v1[0];
    assert_eq!(
        present["data"]["presence"]["url"],
        "https://shop.example.com/a"
    );
    assert_eq!(present["data"]["presence"]["name"], "Ada");
    assert_eq!(present["data"]["presence"]["visitorpresent"], true);
    let absent = v1[14];
    assert_eq!(
        absent["data"]["presence"]["url"],
        "https://shop.example.com/b"
    );
    assert!(absent["data"]["lastseen"].as_u64().unwrap() > 0);
    assert_eq!(v1[8]["data"]["data"]["items"], json!([1, 2]));
    assert_eq!(v1[11]["data"]["agent"], "agent-1");
    assert_eq!(v1[11]["data"]["via"], "socket");
    assert_eq!(v1[11]["data"]["outcome"], "delivered");
    assert_eq!(v1[11]["data"]["data"]["hello"], "v1");
    assert_eq!(v1[12]["data"]["func"], "GLANCE.Cobrowse.Visitor.showTerms");
    assert_eq!(v1[13]["data"]["via"], "rest");
    assert!(v1[0]["eventTimestamp"].as_str().unwrap().ends_with('Z'));

    let g = of(&guest);
    assert_eq!(types(&g), ["unique.created", "unique.expired"]);
    assert_eq!(g[0]["data"]["uniqueid"], guest.trim_start_matches("UNQ-"));
    drop(agent);

    // `presence-server webhook-verify` agrees with the library on a real delivery.
    let raw = all[0]["raw"].as_str().unwrap();
    let (out, ok) = verify_cli(raw, SECRET_B);
    assert!(
        ok && out.starts_with(&format!("valid: {}", all[0]["id"].as_str().unwrap())),
        "{out}"
    );
    let (out, ok) = verify_cli(&raw.replace("visitor.present", "visitor.absent"), SECRET_A);
    assert!(
        !ok && out.starts_with("invalid: no signature matches"),
        "{out}"
    );
}

/// Runs `presence-server webhook-verify --secret S --any-time` on `request`.
fn verify_cli(request: &str, secret: &str) -> (String, bool) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_presence-server"))
        .args(["webhook-verify", "--any-time", "--secret", secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("presence-server binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.as_bytes())
        .expect("write the request");
    let out = child.wait_with_output().expect("webhook-verify runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.success(),
    )
}

#[tokio::test]
async fn a_group_gets_only_the_events_it_asked_for() {
    let dir = TempDir::new("filter");
    let receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    let config = with_webhook(
        common::config(),
        &dir.0,
        endpoint(
            &receiver.url(),
            &[SECRET_A],
            Some(&["terms.*", "visitor.absent"]),
        ),
    );
    let server = Server::with(config).await;
    let mut visitor = server.visitor("v2").await;
    visitor
        .send(json!({"type": "presence", "data": {"url": "https://x.example.com/"}}))
        .await;
    visitor.send(json!({"type": "c_other", "data": {}})).await;
    visitor
        .send(json!({"type": "terms", "data": {"status": "accepted"}}))
        .await;
    visitor.close().await;
    let records = receiver
        .wait_until(ARRIVAL, "the absence", |r| {
            types(&delivered(r)).contains(&"visitor.absent".to_owned())
        })
        .await;
    assert_eq!(
        types(&delivered(&records)),
        ["terms.accepted", "visitor.absent"]
    );
    // Another group's visitor sends nothing to this endpoint.
    let mut other = server.open("/visitorws", None).await;
    other
        .send_text(connect_frame(common::OTHER_GROUP, "v3", None, None))
        .await;
    other.expect_next("connected", WAIT).await;
    other
        .send(json!({"type": "terms", "data": {"status": "accepted"}}))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.records().len(), 2);
}

#[tokio::test]
async fn the_console_sends_a_test_event_and_lists_deliveries() {
    let dir = TempDir::new("console");
    let receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    let config = with_webhook(
        common::config(),
        &dir.0,
        // The filter does not stop the test event.
        endpoint(&receiver.url(), &[SECRET_A], Some(&["visitor.absent"])),
    );
    let server = Server::with(config).await;
    let token = agent_token(GROUP);
    let sent = server
        .post_auth(
            &format!("/webhooks/test?groupid={GROUP}"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["queued"], 1);
    let records = receiver
        .wait_until(WAIT, "the test event", |r| delivered(r).len() == 1)
        .await;
    assert_eq!(records[0]["type"], "webhook.test");
    assert_eq!(records[0]["data"]["agent"], "agent-1");
    assert_eq!(records[0]["data"]["groupid"], GROUP);

    // The worker records the delivery once the receiver answered.
    let mut listed = Value::Null;
    for _ in 0..50 {
        listed = server
            .get_auth(&format!("/webhooks/deliveries?groupid={GROUP}"), &token)
            .await
            .body;
        if listed["deliveries"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed["endpoints"], 1);
    let d = &listed["deliveries"][0];
    assert_eq!(d["event"], "webhook.test");
    assert_eq!(d["state"], "delivered");
    assert_eq!(d["status"], "200");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["id"], records[0]["id"]);

    // Another group's token, and a group without endpoints.
    let other = agent_token(common::OTHER_GROUP);
    let refused = server
        .get_auth(&format!("/webhooks/deliveries?groupid={GROUP}"), &other)
        .await;
    assert_eq!(refused.status, 401);
    let none = server
        .post_auth(
            &format!("/webhooks/test?groupid={}", common::OTHER_GROUP),
            &other,
            &json!({}),
        )
        .await;
    assert_eq!(none.status, 400);
    assert_eq!(none.body["err"], "invalidparameter");
}

#[tokio::test]
async fn a_renewed_guest_code_expires_at_its_new_deadline() {
    let dir = TempDir::new("renew");
    let receiver = Receiver::start(&dir.0, &[SECRET_A], Answers::default());
    let config = with_webhook(
        common::config(),
        &dir.0,
        endpoint(&receiver.url(), &[SECRET_A], Some(&["unique.*"])),
    );
    let server = Server::with(config).await;
    let code = server
        .get(&format!(
            "/uniquevisitor?groupid={GROUP}&visitorid=undefined"
        ))
        .await;
    let (visitor, token) = (
        code.body["visitorid"].as_str().unwrap().to_owned(),
        code.body["guesttoken"].as_str().unwrap().to_owned(),
    );
    let created = receiver
        .wait_until(WAIT, "unique.created", |r| delivered(r).len() == 1)
        .await;
    let first_deadline = created[0]["data"]["expires"].as_i64().unwrap();
    // Renewed halfway through its 1 s: it now lapses a second after the renewal.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let renewed = server
        .get(&format!(
            "/uniquevisitor?groupid={GROUP}&visitorid={visitor}&guesttoken={token}"
        ))
        .await;
    assert_eq!(renewed.status, 200);
    let records = receiver
        .wait_until(ARRIVAL, "unique.expired", |r| delivered(r).len() == 2)
        .await;
    assert_eq!(
        types(&delivered(&records)),
        ["unique.created", "unique.expired"]
    );
    // Not at the first deadline: at least 400 ms after it (the renewal moved it by ~500 ms).
    let expired_at = records[1]["at"].as_i64().unwrap();
    assert!(
        expired_at >= first_deadline + 400,
        "{expired_at} vs {first_deadline}"
    );
    assert_eq!(records[1]["data"]["visitorid"], visitor.as_str());
}
