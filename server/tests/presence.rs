//! Presence semantics (§3) over real sockets: relay and merge, `visitorsock` vs `visitorconn`
//! across a page navigation, focus and `blur`, held signals, invokes and acks, the agent's snapshot,
//! the frames and query strings of the original clients.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Grace and hold of the test configuration.
const GRACE: f64 = 0.4;

#[tokio::test]
async fn presence_is_merged_stamped_and_relayed() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    assert_eq!(
        agent.expect_next("visitorsock", WAIT).await["data"],
        json!({"connected": true})
    );
    assert_eq!(
        agent.expect_next("visitorconn", WAIT).await["data"],
        json!({"connected": true})
    );

    let before = presence_server::store::now_ms();
    visitor.send(json!({"type": "presence", "data": {"url": "https://shop.example.com/a", "name": "Ann", "n": 1}})).await;
    let first = agent.expect_next("presence", WAIT).await["data"].clone();
    assert_eq!(first["url"], "https://shop.example.com/a");
    assert_eq!(first["name"], "Ann");
    assert_eq!(first["n"], 1);
    assert_eq!(first["visitorpresent"], true);
    let stamp = first["timestamp"].as_u64().expect("timestamp in ms");
    assert!(
        stamp >= before && stamp <= presence_server::store::now_ms(),
        "timestamp {stamp} is the server's time"
    );

    // A later update overwrites its keys and keeps the others; the visitor cannot forge the stamps.
    visitor.send(json!({"type": "presence", "data": {"url": "https://shop.example.com/b", "cart": 3, "visitorpresent": false, "timestamp": 5}})).await;
    let merged = agent.expect_next("presence", WAIT).await["data"].clone();
    assert_eq!(merged["url"], "https://shop.example.com/b");
    assert_eq!(merged["name"], "Ann", "earlier keys stay");
    assert_eq!(merged["n"], 1);
    assert_eq!(merged["cart"], 3);
    assert_eq!(merged["visitorpresent"], true);
    assert!(merged["timestamp"].as_u64().expect("timestamp") >= stamp);

    // The REST view is the same merged map.
    let token = agent_token(GROUP);
    let info = server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await
        .body;
    for key in ["url", "name", "n", "cart", "visitorpresent", "timestamp"] {
        assert_eq!(info[key], merged[key], "lookup {key}");
    }

    // Events and visibility are relayed as they are.
    visitor
        .send(json!({"type": "terms", "data": {"status": "accepted"}}))
        .await;
    assert_eq!(
        agent.expect_next("terms", WAIT).await["data"],
        json!({"status": "accepted"})
    );
    visitor
        .send(json!({"type": "visitorsessionstart", "data": {"sessionkey": "v1"}}))
        .await;
    assert_eq!(
        agent.expect_next("visitorsessionstart", WAIT).await["data"],
        json!({"sessionkey": "v1"})
    );
    visitor
        .send(json!({"type": "visitorsessionend", "data": {}}))
        .await;
    agent.expect_next("visitorsessionend", WAIT).await;
    visitor
        .send(json!({"type": "visitorerror", "data": {"msg": "oops"}}))
        .await;
    assert_eq!(
        agent.expect_next("visitorerror", WAIT).await["data"],
        json!({"msg": "oops"})
    );
    visitor
        .send(json!({"type": "c_cart", "data": {"items": [1, 2]}}))
        .await;
    assert_eq!(
        agent.expect_next("c_cart", WAIT).await["data"],
        json!({"items": [1, 2]})
    );
    visitor
        .send(json!({"type": "visibility", "data": {"visibility": "hidden"}}))
        .await;
    assert_eq!(
        agent.expect_next("visibility", WAIT).await["data"],
        json!({"visibility": "hidden"})
    );
}

#[tokio::test]
async fn every_agent_of_a_visitor_gets_the_relay() {
    let server = Server::start().await;
    let mut agents = vec![
        server.agent("v1").await,
        server.agent("v1").await,
        server.agent("v1").await,
    ];
    let mut bystander = server.agent("v2").await;
    let mut visitor = server.visitor("v1").await;
    visitor
        .send(json!({"type": "presence", "data": {"k": "x"}}))
        .await;
    for agent in &mut agents {
        assert_eq!(agent.expect("presence", WAIT).await["data"]["k"], "x");
    }
    let seen = bystander.expect_none("presence", QUIET).await;
    assert!(
        seen.is_empty(),
        "another visitor's agent saw frames: {seen:?}"
    );
}

#[tokio::test]
async fn navigation_within_grace_does_not_flap_visitorconn() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let visitor = server.visitor("v1").await;
    agent.expect_next("visitorsock", WAIT).await;
    agent.expect_next("visitorconn", WAIT).await;

    // The page navigates: the socket closes and a new one opens at once.
    visitor.close().await;
    assert_eq!(
        agent.expect_next("visitorsock", WAIT).await["data"],
        json!({"connected": false})
    );
    let _visitor = server.visitor("v1").await;
    assert_eq!(
        agent.expect_next("visitorsock", WAIT).await["data"],
        json!({"connected": true})
    );
    // No visitorconn at all: neither false (within grace) nor a second true.
    let seen = agent.expect_none("visitorconn", secs(GRACE * 2.0)).await;
    assert!(seen.is_empty(), "{seen:?}");

    // Findvisitor said present throughout.
    let token = agent_token(GROUP);
    let found = server
        .get_auth(
            &format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await
        .body;
    assert_eq!(found["visitorfound"], true);
}

#[tokio::test]
async fn leaving_sends_visitorconn_false_only_after_grace() {
    let server = Server::start().await;
    let token = agent_token(GROUP);
    let find = format!("/findvisitor?groupid={GROUP}&visitorid=v1");
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    visitor
        .send(json!({"type": "presence", "data": {"url": "u"}}))
        .await;
    agent.expect("presence", WAIT).await;

    visitor.close().await;
    let closed_at = Instant::now();
    assert_eq!(
        agent.expect_next("visitorsock", WAIT).await["data"],
        json!({"connected": false})
    );
    // Still present during the grace period.
    assert_eq!(
        server.get_auth(&find, &token).await.body["visitorfound"],
        true
    );
    agent.expect_none("visitorconn", secs(GRACE * 0.6)).await;
    let conn = agent.expect_next("visitorconn", WAIT).await;
    assert_eq!(conn["data"], json!({"connected": false}));
    assert!(
        closed_at.elapsed() >= secs(GRACE),
        "visitorconn false came {:?} after the close",
        closed_at.elapsed()
    );
    // Then absent everywhere.
    assert_eq!(
        server.get_auth(&find, &token).await.body["visitorfound"],
        false
    );
    assert_eq!(
        server
            .get_auth(
                &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
                &token
            )
            .await
            .body,
        json!({})
    );

    // Coming back is a new presence: visitorsock and visitorconn true, and old data is gone.
    let mut visitor = server.visitor("v1").await;
    assert_eq!(
        agent.expect_next("visitorsock", WAIT).await["data"],
        json!({"connected": true})
    );
    assert_eq!(
        agent.expect_next("visitorconn", WAIT).await["data"],
        json!({"connected": true})
    );
    visitor
        .send(json!({"type": "presence", "data": {"n": 2}}))
        .await;
    let presence = agent.expect_next("presence", WAIT).await;
    assert!(
        presence["data"].get("url").is_none(),
        "presence of the earlier visit was kept: {presence}"
    );
}

#[tokio::test]
async fn a_second_tab_closing_sends_nothing() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let _tab1 = server.visitor("v1").await;
    agent.expect_next("visitorsock", WAIT).await;
    agent.expect_next("visitorconn", WAIT).await;
    let tab2 = server.visitor("v1").await;
    tab2.close().await;
    agent.expect_silence(secs(GRACE * 2.0)).await;
}

#[tokio::test]
async fn focus_follows_the_most_recently_active_connection() {
    let server = Server::start().await;
    let token = agent_token(GROUP);
    let signal = |n: u32| json!({"mtype": "signal", "data": {"n": n}});
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");

    let mut a = server.visitor("v1").await;
    let mut b = server.visitor("v1").await;
    // The newest connection has focus; the older one is told.
    a.expect_next("blur", WAIT).await;
    assert_eq!(
        server.post_auth(&path, &token, &signal(1)).await.status,
        200
    );
    assert_eq!(b.expect_next("signal", WAIT).await["data"], json!({"n": 1}));
    a.expect_silence(QUIET).await;

    // A takes focus back by sending presence.
    a.send(json!({"type": "presence", "data": {"url": "a"}}))
        .await;
    b.expect_next("blur", WAIT).await;
    assert_eq!(
        server.post_auth(&path, &token, &signal(2)).await.status,
        200
    );
    assert_eq!(a.expect_next("signal", WAIT).await["data"], json!({"n": 2}));
    b.expect_silence(QUIET).await;

    // An event and a visibility change move focus too; activity of the focused one sends nothing.
    b.send(json!({"type": "c_click", "data": {}})).await;
    a.expect_next("blur", WAIT).await;
    b.send(json!({"type": "presence", "data": {"url": "b"}}))
        .await;
    a.expect_silence(QUIET).await;
    a.send(json!({"type": "visibility", "data": {"visibility": "visible"}}))
        .await;
    b.expect_next("blur", WAIT).await;

    // When the focused connection closes, the other one gets the signals.
    a.close().await;
    eventually(WAIT, "the visitor has one socket", || {
        server.running.state().store.local_connections().0 == 1
    })
    .await;
    assert_eq!(
        server.post_auth(&path, &token, &signal(3)).await.status,
        200
    );
    assert_eq!(b.expect_next("signal", WAIT).await["data"], json!({"n": 3}));
}

#[tokio::test]
async fn signals_are_held_for_a_visitor_between_pages() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let visitor = server.visitor("v1").await;
    visitor.close().await;
    agent.expect("visitorsock", WAIT).await;
    agent.expect("visitorsock", WAIT).await;

    // Over the socket: two signals and an invoke, acked as accepted.
    agent
        .send(json!({"type": "signal", "id": 1, "data": {"n": 1}}))
        .await;
    agent.send(json!({"type": "invoke", "id": 2, "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {"sessionKey": "k"}}})).await;
    agent
        .send(json!({"type": "signal", "id": 3, "data": {"n": 3}}))
        .await;
    for id in 1..=3 {
        assert_eq!(
            agent.expect("ack", WAIT).await["data"],
            json!({"id": id, "ok": true})
        );
    }
    // Over REST as well.
    let token = agent_token(GROUP);
    let rest = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
            &json!({"mtype": "signal", "data": {"n": 4}}),
        )
        .await;
    assert_eq!(rest.status, 200);
    assert_eq!(rest.body, json!({}));

    // The next page gets them, in order, right after `connected`.
    let mut visitor = server.visitor("v1").await;
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"n": 1})
    );
    let invoke = visitor.expect_next("invoke", WAIT).await;
    assert_eq!(
        invoke["data"],
        json!({"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {"sessionKey": "k"}})
    );
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"n": 3})
    );
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"n": 4})
    );
    // Delivered once only.
    visitor.close().await;
    let mut visitor = server.visitor("v1").await;
    visitor.expect_none("signal", QUIET).await;
}

#[tokio::test]
async fn held_signals_expire_and_late_signals_are_refused() {
    let server = Server::start().await;
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    let mut agent = server.agent("v1").await;
    let visitor = server.visitor("v1").await;
    visitor.close().await;

    // Held, but the visitor comes back after the hold window: dropped.
    agent
        .send(json!({"type": "signal", "id": "held", "data": {"n": 1}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": "held", "ok": true})
    );
    tokio::time::sleep(secs(GRACE + 0.3)).await;

    // After the hold window: refused on both paths.
    agent
        .send(json!({"type": "signal", "id": "late", "data": {"n": 2}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": "late", "error": "visitornotpresent"})
    );
    let rest = server
        .post_auth(&path, &token, &json!({"mtype": "signal", "data": {"n": 3}}))
        .await;
    assert_eq!(rest.status, 404);
    assert_eq!(rest.body, json!({"err": "visitornotpresent"}));

    let mut visitor = server.visitor("v1").await;
    visitor.expect_none("signal", QUIET).await;

    // A visitor never seen is refused at once.
    let never = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=nobody"),
            &token,
            &json!({"mtype": "signal"}),
        )
        .await;
    assert_eq!(never.status, 404);
    assert_eq!(never.body["err"], "visitornotpresent");
}

#[tokio::test]
async fn invokes_are_checked_and_acked() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;

    agent.send(json!({"type": "invoke", "id": 7, "data": {"func": "GLANCE_COBROWSE.Custom.openChat", "args": {"topic": "help"}}})).await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 7, "ok": true})
    );
    let invoke = visitor.expect_next("invoke", WAIT).await;
    assert_eq!(
        invoke["data"],
        json!({"func": "GLANCE_COBROWSE.Custom.openChat", "args": {"topic": "help"}})
    );

    // A function outside the allowed prefixes, or bad args: refused, nothing reaches the visitor.
    agent
        .send(json!({"type": "invoke", "id": 8, "data": {"func": "window.alert", "args": {}}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 8, "error": "invalidparameter"})
    );
    agent
        .send(json!({"type": "invoke", "id": 9, "data": {"func": "GLANCE.x", "args": [1]}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 9, "error": "invalidparameter"})
    );
    visitor.expect_silence(QUIET).await;

    // Without an id there is no ack; a bad invoke is answered with an error frame instead.
    agent
        .send(json!({"type": "signal", "data": {"quiet": true}}))
        .await;
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"quiet": true})
    );
    agent
        .send(json!({"type": "invoke", "data": {"func": "eval"}}))
        .await;
    let error = agent.expect_next("error", WAIT).await;
    assert_eq!(error["data"]["error"], "invalidparameter");

    // REST invokes follow the same rules.
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    let ok = server
        .post_auth(
            &path,
            &token,
            &json!({"mtype": "invoke", "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms"}}),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        visitor.expect_next("invoke", WAIT).await["data"]["func"],
        "GLANCE.Cobrowse.Visitor.showTerms"
    );
    let bad = server
        .post_auth(
            &path,
            &token,
            &json!({"mtype": "invoke", "data": {"func": "document.write"}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["err"], "invalidparameter");
    let bad_kind = server
        .post_auth(&path, &token, &json!({"mtype": "explode"}))
        .await;
    assert_eq!(bad_kind.status, 400);
    visitor.expect_silence(QUIET).await;
}

#[tokio::test]
async fn an_agent_gets_a_snapshot_of_a_present_visitor() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    visitor.send(json!({"type": "presence", "data": {"url": "https://shop.example.com/", "platform": "mac"}})).await;
    visitor
        .send(json!({"type": "visibility", "data": {"visibility": "hidden"}}))
        .await;
    let token = agent_token(GROUP);
    let lookup = format!("/lookupvisitor?groupid={GROUP}&visitorid=v1");
    wait_for(&server, &lookup, &token, |v| v["platform"] == "mac").await;

    let mut agent = server.agent("v1").await;
    assert_eq!(
        agent.expect_next("visitorconn", WAIT).await["data"],
        json!({"connected": true})
    );
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"],
        json!({"connected": true})
    );
    let presence = agent.expect("presence", WAIT).await;
    assert_eq!(presence["data"]["url"], "https://shop.example.com/");
    assert_eq!(presence["data"]["visitorpresent"], true);
    assert_eq!(
        agent.expect("visibility", WAIT).await["data"],
        json!({"visibility": "hidden"})
    );

    // An agent that connects while the visitor is between pages learns that too.
    visitor.close().await;
    let mut between = server.agent("v1").await;
    assert_eq!(
        between.expect_next("visitorconn", WAIT).await["data"],
        json!({"connected": true})
    );
    assert_eq!(
        between.expect("visitorsock", WAIT).await["data"],
        json!({"connected": false})
    );
    assert_eq!(
        between.expect("presence", WAIT).await["data"]["url"],
        "https://shop.example.com/"
    );

    // An agent that connects before its visitor gets nothing but `connected`.
    let mut early = server.agent("v2").await;
    early.expect_silence(QUIET).await;
}

#[tokio::test]
async fn the_original_clients_frames_and_query_strings_work() {
    let server = Server::start().await;
    // Visitor: the connect frame of the original script, group as a number and as a string.
    let mut visitor = server
        .open("/visitorws", Some("https://shop.example.com"))
        .await;
    visitor
        .send_text(r#"{"type":"connect","groupid":12345,"visitorid":"v1","version":"6.33.0"}"#)
        .await;
    let connected = visitor.expect_next("connected", WAIT).await;
    assert_eq!(connected["keepalive"], 25);
    assert_eq!(
        connected["data"],
        json!({"groupid": 12345, "visitorid": "v1"})
    );
    visitor.send_text(r#"{"type":"k"}"#).await;
    visitor
        .send_text(
            r#"{"mtype":"presence","type":"presence","data":{"url":"https://shop.example.com/"}}"#,
        )
        .await;
    let mut second = server.open("/visitorws", None).await;
    second
        .send_text(r#"{"type":"connect","groupid":"12345","visitorid":"v2","version":"6.33.0"}"#)
        .await;
    second.expect_next("connected", WAIT).await;

    // Agent: connect with the token, keepalive, and a signal carrying both `type` and `mtype`.
    let mut agent = server.open("/agent", Some(AGENT_ORIGIN)).await;
    let token = agent_token(GROUP);
    agent.send(json!({"type": "connect", "groupid": 12345, "visitorid": "v1", "authorization": token, "version": "6.33.0"})).await;
    agent.expect_next("connected", WAIT).await;
    agent.send_text(r#"{"type":"k"}"#).await;
    agent
        .send_text(r#"{"type":"signal","mtype":"signal","data":{"hello":"world"}}"#)
        .await;
    assert_eq!(
        visitor.expect("signal", WAIT).await["data"],
        json!({"hello": "world"})
    );
    // JSON in a binary frame is accepted too.
    agent
        .send_binary(br#"{"type":"signal","data":{"bin":1}}"#)
        .await;
    assert_eq!(
        visitor.expect("signal", WAIT).await["data"],
        json!({"bin": 1})
    );

    // REST with the query string the original scripts build (`&&ver=`).
    let q = format!("?groupid={GROUP}&visitorid=v1&&ver=6.33.0");
    let presence = server
        .request(
            reqwest::Method::POST,
            &format!("/presence{q}"),
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(presence.status, 200, "{}", presence.body);
    assert_eq!(presence.body, json!({"directserver": server.host()}));
    let lookup = server.get_auth(&format!("/lookupvisitor{q}"), &token).await;
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.body["visitorid"], "v1");
    let find = server.get_auth(&format!("/findvisitor{q}"), &token).await;
    assert_eq!(find.body["visitorfound"], true);
    let signal = server
        .post_auth(
            &format!("/signalvisitor{q}"),
            &token,
            &json!({"mtype": "signal", "data": {"rest": true}}),
        )
        .await;
    assert_eq!(signal.status, 200);
    assert_eq!(
        visitor.expect("signal", WAIT).await["data"],
        json!({"rest": true})
    );
}

#[tokio::test]
async fn lookupvisitor_findvisitor_and_query_shapes() {
    let server = Server::start().await;
    let token = agent_token(GROUP);
    let host = server.host();

    // Absent.
    let absent = server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await;
    assert_eq!(absent.status, 200);
    assert_eq!(absent.body, json!({}));
    let find = server
        .get_auth(
            &format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await
        .body;
    assert_eq!(
        find,
        json!({"visitorfound": false, "directserver": host, "direct": host})
    );
    assert_eq!(
        server
            .get_auth(&format!("/query?groupid={GROUP}"), &token)
            .await
            .body,
        json!({"visitors": []})
    );

    // Present, with the presence the browser module sends.
    let mut v1 = server.visitor("v1").await;
    v1.send(json!({"type": "presence", "data": {"url": "https://shop.example.com/p", "browser": "Chrome", "browserver": "120", "platform": "mac", "name": "Ann"}})).await;
    let mut v2 = server.visitor("v2").await;
    v2.send(json!({"type": "presence", "data": {"url": "https://shop.example.com/q", "browser": "Firefox", "browserver": "121", "platform": "win"}})).await;
    let lookup = format!("/lookupvisitor?groupid={GROUP}&visitorid=v1");
    let info = wait_for(&server, &lookup, &token, |v| v["name"] == "Ann").await;
    assert_eq!(info["visitorid"], "v1");
    assert_eq!(info["groupid"], GROUP);
    assert_eq!(info["visitorpresent"], true);
    assert!(info["timestamp"].is_u64());
    assert_eq!(info["directserver"], host);
    assert_eq!(info["direct"], host);
    assert_eq!(info["url"], "https://shop.example.com/p");
    assert_eq!(info["browser"], "Chrome");
    assert_eq!(info["browserver"], "120");
    assert_eq!(info["platform"], "mac");
    let find = server
        .get_auth(
            &format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await
        .body;
    assert_eq!(
        find,
        json!({"visitorfound": true, "directserver": host, "direct": host})
    );

    wait_for(
        &server,
        &format!("/lookupvisitor?groupid={GROUP}&visitorid=v2"),
        &token,
        |v| v["platform"] == "win",
    )
    .await;
    let all = server
        .get_auth(&format!("/query?groupid={GROUP}"), &token)
        .await
        .body;
    let visitors = all["visitors"].as_array().expect("visitors");
    assert_eq!(visitors.len(), 2, "{all}");
    assert_eq!(visitors[0]["visitorid"], "v1");
    assert_eq!(visitors[0]["browser"], "Chrome");
    assert_eq!(visitors[0]["visitorpresent"], true);
    assert_eq!(visitors[1]["visitorid"], "v2");
    // Filters: a presence field, the visitor id, both, and one that matches nobody.
    let ids = |body: &Value| -> Vec<String> {
        body["visitors"]
            .as_array()
            .expect("visitors")
            .iter()
            .map(|v| v["visitorid"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        ids(&server
            .get_auth(&format!("/query?groupid={GROUP}&platform=win"), &token)
            .await
            .body),
        ["v2"]
    );
    assert_eq!(
        ids(&server
            .get_auth(&format!("/query?groupid={GROUP}&visitorid=v1"), &token)
            .await
            .body),
        ["v1"]
    );
    assert_eq!(
        ids(&server
            .get_auth(
                &format!("/query?groupid={GROUP}&visitorid=v1&platform=win"),
                &token
            )
            .await
            .body),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&server
            .get_auth(
                &format!("/query?groupid={GROUP}&browser=Chrome&ver=6.33.0"),
                &token
            )
            .await
            .body),
        ["v1"]
    );

    // Bad parameters.
    let bad = server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=bad%20id"),
            &token,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["err"], "invalidparameter");
    let missing = server.get_auth("/query", &token).await;
    assert_eq!(missing.status, 400);
}

#[tokio::test]
async fn visitor_settings_presence_and_unique_visitor_endpoints() {
    let server = Server::start().await;
    let settings = |g: u32| {
        format!("/services/authorizationservice/GetVisitorSettings3?groupid={g}&site=production&service=presence")
    };
    let known = server.get(&settings(GROUP)).await;
    assert_eq!(known.status, 200);
    assert_eq!(known.body["presenceUrl"], server.host());
    assert_eq!(known.body["isPresenceLoadBalanced"], true);
    for group in [4242, OFF_GROUP] {
        let reply = server.get(&settings(group)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["presenceUrl"], "", "group {group}");
    }

    let presence = server
        .request(
            reqwest::Method::POST,
            &format!("/presence?groupid={GROUP}&visitorid=v1"),
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(
        presence.body,
        json!({"directserver": server.host()}),
        "no httpsport beside a port"
    );
    let unknown = server
        .request(
            reqwest::Method::POST,
            "/presence?groupid=4242&visitorid=v1",
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(unknown.status, 400);

    let unique = server
        .get(&format!("/uniquevisitor?groupid={GROUP}"))
        .await
        .body;
    let digits = unique["uniqueid"].as_str().expect("uniqueid");
    assert!(
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        "{unique}"
    );
    assert_eq!(unique["visitorid"], format!("UNQ-{digits}"));
    assert!(unique["guesttoken"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        unique["timeout"], 1,
        "the configured unique timeout, in seconds"
    );
    assert_eq!(server.get("/uniquevisitor?groupid=4242").await.status, 400);
}

/// Polls a Bearer GET until `check` holds; returns the body.
async fn wait_for(
    server: &Server,
    path: &str,
    token: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let body = server.get_auth(path, token).await.body;
        if check(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never matched; last: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
