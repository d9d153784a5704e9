//! Limits and bad input (§6), and the server's own deadlines (§3.5, §3.6, §4.3): presence size
//! rules, frame size, rate limit, the bounded outbound queue, malformed frames, the keepalive
//! timeout, the hidden limit, and the unique visitor timeout.

mod common;

use common::*;
use glance_protocol::CloseCode;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::MaybeTlsStream;

const BAD_REQUEST: u16 = CloseCode::BadRequest as u16;

/// A presence map of `n` properties `p0..`, each value `len` characters long.
fn props(n: usize, len: usize) -> Value {
    let map: Map<String, Value> = (0..n)
        .map(|i| (format!("p{i}"), Value::String("x".repeat(len))))
        .collect();
    Value::Object(map)
}

/// Sends a presence patch that must be refused with `invalidparameter`, the connection kept.
async fn assert_presence_refused(visitor: &mut Ws, agent: &mut Ws, data: Value, what: &str) {
    visitor
        .send(json!({"type": "presence", "data": data}))
        .await;
    let error = visitor.expect_next("error", WAIT).await;
    assert_eq!(
        error["data"]["error"], "invalidparameter",
        "{what}: {error}"
    );
    assert!(
        error["data"]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{what}: the error says why"
    );
    let seen = agent
        .expect_none("presence", Duration::from_millis(100))
        .await;
    assert!(seen.is_empty(), "{what}: {seen:?}");
}

/// Sends a presence patch that must be accepted and relayed.
async fn assert_presence_accepted(
    visitor: &mut Ws,
    agent: &mut Ws,
    data: Value,
    what: &str,
) -> Value {
    visitor
        .send(json!({"type": "presence", "data": data}))
        .await;
    match agent.next(WAIT).await {
        Some(Event::Frame(f)) if f["type"] == "presence" => f["data"].clone(),
        other => panic!("{what}: expected the presence relayed, got {other:?}"),
    }
}

#[tokio::test]
async fn presence_size_rules() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;
    agent.expect("visitorconn", WAIT).await;
    agent.expect("presence", WAIT).await;

    assert_presence_refused(&mut visitor, &mut agent, props(21, 1), "21 properties").await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "n".repeat(65): "x" }),
        "name of 65",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "big": "x".repeat(2001) }),
        "value of 2001",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "list": [1] }),
        "array value",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "obj": {"a": 1} }),
        "object value",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        props(6, 1990),
        "11,952 characters in all",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!("not a map"),
        "not an object",
    )
    .await;

    // Exactly at the limits: accepted.
    assert_presence_accepted(&mut visitor, &mut agent, props(20, 1), "20 properties").await;
    // The merged map is checked too: 20 properties + 1 more is too many…
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "extra": "x" }),
        "merged 21 properties",
    )
    .await;
    // …and removing keys (null) makes room again.
    let mut patch: Map<String, Value> = (0..10).map(|i| (format!("p{i}"), Value::Null)).collect();
    patch.insert("n".repeat(64), Value::String("x".into()));
    let merged =
        assert_presence_accepted(&mut visitor, &mut agent, Value::Object(patch), "name of 64")
            .await;
    assert!(merged.get("p0").is_none(), "{merged}");
    assert_eq!(merged["n".repeat(64)], "x");
    let mut patch: Map<String, Value> = (10..20).map(|i| (format!("p{i}"), Value::Null)).collect();
    patch.insert("n".repeat(64), Value::Null);
    patch.insert("big".into(), Value::String("x".repeat(2000)));
    let merged = assert_presence_accepted(
        &mut visitor,
        &mut agent,
        Value::Object(patch),
        "value of 2000",
    )
    .await;
    assert_eq!(merged["big"].as_str().map(str::len), Some(2000));
    assert!(merged.get("p0").is_none());
    // 2,003 characters so far; four more values of 2,000 overflow the 10,000 total.
    assert_presence_accepted(
        &mut visitor,
        &mut agent,
        props(3, 2000),
        "merged 8,009 characters",
    )
    .await;
    assert_presence_refused(
        &mut visitor,
        &mut agent,
        json!({ "more": "x".repeat(2000) }),
        "merged 10,013 characters",
    )
    .await;
    let token = agent_token(GROUP);
    let kept = server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await
        .body;
    assert!(
        kept.get("more").is_none(),
        "a refused patch changes nothing: {kept}"
    );
    assert_eq!(kept["big"].as_str().map(str::len), Some(2000));

    // Custom event names.
    for bad in ["c_", "c_a b", &format!("c_{}", "x".repeat(63))] {
        visitor.send(json!({"type": bad, "data": {}})).await;
        assert_eq!(
            visitor.expect_next("error", WAIT).await["data"]["error"],
            "invalidparameter",
            "event '{bad}'"
        );
    }
    visitor
        .send(json!({"type": format!("c_{}", "x".repeat(62)), "data": {}}))
        .await;
    agent.expect(&format!("c_{}", "x".repeat(62)), WAIT).await;
}

#[tokio::test]
async fn oversized_frames_close_the_connection() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    let mut other = server.visitor("v2").await;
    agent.expect("visitorconn", WAIT).await;

    // Just under 64 KiB is read (and refused for its content, the connection kept).
    let under =
        json!({"type": "presence", "data": {"big": "x".repeat(64 * 1024 - 100)}}).to_string();
    assert!(under.len() < 64 * 1024);
    visitor.send_text(under).await;
    assert_eq!(
        visitor.expect_next("error", WAIT).await["data"]["error"],
        "invalidparameter"
    );
    // Over 64 KiB closes.
    let over = json!({"type": "presence", "data": {"big": "x".repeat(64 * 1024)}}).to_string();
    visitor.send_text(over).await;
    visitor
        .expect_refused("frametoolarge", CloseCode::TooLarge as u16)
        .await;
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"]["connected"],
        false
    );

    // As the first frame too.
    let mut fresh = server.open("/visitorws", None).await;
    fresh.send_text("x".repeat(70 * 1024)).await;
    fresh
        .expect_refused("frametoolarge", CloseCode::TooLarge as u16)
        .await;

    // Nobody else noticed.
    other.send(json!({"type": "k"})).await;
    other.expect_silence(QUIET).await;
}

#[tokio::test]
async fn frames_over_the_rate_are_refused_and_the_connection_kept() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    agent.expect("visitorconn", WAIT).await;
    // The `connect` frame took a token too (the bucket runs from the upgrade): a moment at the
    // rate (20/s) fills the bucket to its burst again, whatever the handshake took.
    tokio::time::sleep(Duration::from_millis(100)).await;
    // 45 at once: the burst (40) passes, the 5 over it are refused one by one.
    for i in 0..45 {
        visitor
            .send(json!({"type": "presence", "data": {"i": i}}))
            .await;
    }
    for _ in 0..5 {
        let error = visitor.expect("error", WAIT).await;
        assert_eq!(error["data"]["error"], "ratelimited");
    }
    for i in 0..40 {
        assert_eq!(agent.expect("presence", WAIT).await["data"]["i"], i);
    }
    agent.expect_silence(QUIET).await;
    // Still connected: after a pause the next frame goes through.
    tokio::time::sleep(Duration::from_millis(500)).await;
    visitor
        .send(json!({"type": "presence", "data": {"after": true}}))
        .await;
    assert_eq!(agent.expect("presence", WAIT).await["data"]["after"], true);
}

#[tokio::test]
async fn the_rate_limit_cuts_off_a_flooding_connection() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let mut polite = server.visitor("v1").await;
    agent.expect("visitorconn", WAIT).await;
    // A burst within the limit (40) is fine.
    for i in 0..30 {
        polite
            .send(json!({"type": "presence", "data": {"i": i}}))
            .await;
    }
    for _ in 0..30 {
        agent.expect("presence", WAIT).await;
    }
    polite.expect_silence(QUIET).await;

    let mut flood = server.visitor("v2").await;
    for _ in 0..100 {
        // The server may close before all are sent: ignore send errors.
        let _ = futures_util::SinkExt::send(
            &mut flood.stream,
            tokio_tungstenite::tungstenite::Message::text(r#"{"type":"k"}"#),
        )
        .await;
    }
    flood
        .expect_refused("ratelimited", CloseCode::TooMany as u16)
        .await;

    // The polite visitor is unaffected.
    polite
        .send(json!({"type": "presence", "data": {"after": true}}))
        .await;
    assert_eq!(agent.expect("presence", WAIT).await["data"]["after"], true);
}

/// An agent socket whose TCP receive buffer is tiny, so that a peer not reading it backs up fast.
async fn slow_agent(server: &Server, visitor: &str) -> Ws {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let tcp = socket
        .connect(server.running.addr())
        .await
        .expect("connect");
    let mut req = format!("{}/agent", server.running.ws_url())
        .into_client_request()
        .expect("URL");
    req.headers_mut()
        .insert("origin", AGENT_ORIGIN.parse().expect("origin"));
    let (stream, _) = tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(tcp))
        .await
        .expect("upgrade");
    let mut ws = Ws::from_stream(stream);
    ws.send_text(connect_frame(
        GROUP,
        visitor,
        Some(&agent_token(GROUP)),
        None,
    ))
    .await;
    ws.expect_next("connected", WAIT).await;
    ws
}

#[tokio::test]
async fn a_consumer_that_cannot_keep_up_is_disconnected() {
    const FRAMES: usize = 300;
    let mut config = config();
    config.limits.outbound_queue = 8;
    config.limits.rate = 100_000.0;
    config.limits.burst = 100_000.0;
    config.limits.max_value = 60_000;
    config.limits.max_total = 60_000;
    let server = Server::with(config).await;
    let mut visitor = server.visitor("v1").await;
    let mut stuck = slow_agent(&server, "v1").await;
    stuck.expect("visitorconn", WAIT).await;
    stuck.expect("presence", WAIT).await;
    let mut healthy = server.agent("v1").await;
    healthy.expect("presence", WAIT).await;
    let reader = tokio::spawn(async move {
        for _ in 0..FRAMES {
            healthy.expect("presence", WAIT).await;
        }
        healthy
    });

    // ~15 MB of presence for an agent that never reads; paced so a reading agent keeps up.
    let blob = "x".repeat(50_000);
    let started = Instant::now();
    for i in 0..FRAMES {
        visitor
            .send(json!({"type": "presence", "data": {"blob": blob, "i": i}}))
            .await;
        if i % 4 == 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let mut healthy = reader.await.expect("the reading agent got every frame");
    let connections = || server.running.state().store.local_connections();
    eventually(Duration::from_secs(3), "the stuck agent is cut off", || {
        connections() == (1, 1)
    })
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cut off after {:?}",
        started.elapsed()
    );

    // Reading now: far fewer frames than were sent, then the reason and the close.
    let (code, frames) = stuck.expect_close(Duration::from_secs(5)).await;
    let presences = frames.iter().filter(|f| f["type"] == "presence").count();
    assert!(
        presences < FRAMES / 2,
        "{presences} of {FRAMES} frames were buffered for a stuck agent"
    );
    if let Some(last) = frames.last().filter(|f| f["type"] == "error") {
        assert_eq!(last["data"]["error"], "slowconsumer");
    }
    assert!(matches!(code, None | Some(4429)), "close code {code:?}");

    // The visitor and the other agent carry on.
    visitor
        .send(json!({"type": "presence", "data": {"blob": "small"}}))
        .await;
    assert_eq!(
        healthy.expect("presence", WAIT).await["data"]["blob"],
        "small"
    );
}

#[tokio::test]
async fn malformed_frames_are_refused_and_the_connection_kept() {
    let server = Server::start().await;
    let mut agent = server.agent("v1").await;
    let mut visitor = server.visitor("v1").await;
    agent.expect("visitorconn", WAIT).await;

    let cases = [
        ("{not json", "invalidjson"),
        (
            r#"{"type":"presence","data":{"a":1}} trailing"#,
            "invalidjson",
        ),
        ("[1,2]", "invalidparameter"),
        (r#"{"data":{}}"#, "unknowntype"),
        (r#"{"type":"explode"}"#, "unknowntype"),
        // Types a visitor may not send.
        (r#"{"type":"signal","data":{}}"#, "unknowntype"),
        (
            r#"{"type":"invoke","data":{"func":"GLANCE.x"}}"#,
            "unknowntype",
        ),
        (
            r#"{"type":"connect","groupid":12345,"visitorid":"v1"}"#,
            "unknowntype",
        ),
        (
            r#"{"type":"visibility","data":{"visibility":"sideways"}}"#,
            "invalidparameter",
        ),
        (r#"{"type":"terms","data":{}}"#, "invalidparameter"),
    ];
    for (text, error) in cases {
        visitor.send_text(text).await;
        let frame = visitor.expect_next("error", WAIT).await;
        assert_eq!(frame["data"]["error"], error, "{text}: {frame}");
    }
    // Agents may not send visitor frames.
    agent
        .send(json!({"type": "presence", "data": {"x": 1}}))
        .await;
    assert_eq!(
        agent.expect_next("error", WAIT).await["data"]["error"],
        "unknowntype"
    );
    agent.send_text("{oops").await;
    assert_eq!(
        agent.expect_next("error", WAIT).await["data"]["error"],
        "invalidjson"
    );

    // Both connections still work, and nothing leaked to the agent.
    visitor
        .send(json!({"type": "presence", "data": {"ok": true}}))
        .await;
    let next = agent.expect_next("presence", WAIT).await;
    assert_eq!(next["data"]["ok"], true);
    agent
        .send(json!({"type": "signal", "id": 1, "data": {}}))
        .await;
    assert_eq!(agent.expect_next("ack", WAIT).await["data"]["ok"], true);
    visitor.expect_next("signal", WAIT).await;
}

#[tokio::test]
async fn a_bad_first_frame_is_refused_with_4400() {
    let server = Server::start().await;
    let cases = [
        (
            "/visitorws",
            r#"{"type":"presence","data":{}}"#.to_owned(),
            "expectedconnect",
        ),
        (
            "/visitorws",
            r#"{"type":"k"}"#.to_owned(),
            "expectedconnect",
        ),
        (
            "/agent",
            r#"{"type":"signal","data":{}}"#.to_owned(),
            "expectedconnect",
        ),
        ("/visitorws", "{not json".to_owned(), "invalidjson"),
        (
            "/visitorws",
            r#"{"type":"connect","groupid":12345,"visitorid":"bad id!"}"#.to_owned(),
            "invalidparameter",
        ),
        (
            "/visitorws",
            r#"{"type":"connect","groupid":0,"visitorid":"v1"}"#.to_owned(),
            "invalidparameter",
        ),
        (
            "/visitorws",
            r#"{"type":"connect","visitorid":"v1"}"#.to_owned(),
            "invalidparameter",
        ),
        (
            "/visitorws",
            connect_frame(4242, "v1", None, None),
            "unknowngroup",
        ),
        (
            "/visitorws",
            connect_frame(OFF_GROUP, "v1", None, None),
            "unknowngroup",
        ),
        (
            "/agent",
            connect_frame(4242, "v1", Some(&agent_token(4242)), None),
            "unknowngroup",
        ),
    ];
    for (path, text, detail) in cases {
        let mut ws = server.open(path, Some(AGENT_ORIGIN)).await;
        ws.send_text(text.clone()).await;
        let (code, frames) = ws.expect_close(WAIT).await;
        assert_eq!(code, Some(BAD_REQUEST), "{path} {text}: {frames:?}");
        assert_eq!(frames.len(), 1, "{text}: {frames:?}");
        assert_eq!(
            frames[0]["data"],
            json!({"error": "connfail", "detail": detail}),
            "{path} {text}"
        );
    }
    // The server is fine afterwards.
    server.visitor("v1").await;
}

#[tokio::test]
async fn a_socket_that_never_connects_is_closed() {
    let mut config = config();
    config.timings.connect_timeout = 0.3;
    let server = Server::with(config).await;
    let mut ws = server.open("/visitorws", None).await;
    let opened = Instant::now();
    ws.expect_refused("timeout", CloseCode::Timeout as u16)
        .await;
    assert!(
        opened.elapsed() >= Duration::from_millis(250),
        "closed after {:?}",
        opened.elapsed()
    );
}

#[tokio::test]
async fn a_silent_connection_is_closed_as_dead() {
    let mut config = config();
    config.timings.keepalive = 1.0;
    config.timings.liveness_slack = 0.2;
    let server = Server::with(config).await;
    let liveness = secs(2.2);
    let mut watcher = server.agent("v1").await;
    let mut silent = server.visitor("v1").await;
    let mut silent_agent = server.agent("v2").await;
    let mut chatty = server.open("/visitorws", None).await;
    chatty
        .send_text(connect_frame(GROUP, "v3", None, None))
        .await;
    assert_eq!(
        chatty.expect_next("connected", WAIT).await["keepalive"],
        1,
        "the configured keepalive is told"
    );
    watcher.expect("visitorconn", WAIT).await;
    let opened = Instant::now();

    // The watching agent and a third visitor send keepalives; they must outlive the silent ones.
    let keep_talking = tokio::spawn(async move {
        let mut sock_false = None;
        while opened.elapsed() < liveness + secs(0.8) {
            chatty.send(json!({"type": "k"})).await;
            watcher.send(json!({"type": "k"})).await;
            if let Some(Event::Frame(f)) = watcher.next(secs(0.4)).await {
                if f["type"] == "visitorsock" {
                    sock_false = Some(f["data"]["connected"].clone());
                }
            }
        }
        (chatty, watcher, sock_false)
    });
    let (code, _) = silent.expect_close(liveness + secs(2.0)).await;
    let after = opened.elapsed();
    assert_eq!(code, Some(CloseCode::Timeout as u16));
    assert!(
        after >= secs(2.0),
        "closed after {after:?}, before 2 × keepalive + slack"
    );
    let (code, _) = silent_agent.expect_close(WAIT).await;
    assert_eq!(code, Some(CloseCode::Timeout as u16));

    let (mut chatty, mut watcher, sock_false) = keep_talking
        .await
        .expect("the talking connections kept their sockets");
    assert_eq!(
        sock_false,
        Some(json!(false)),
        "the watching agent saw the dead visitor's socket go"
    );
    for ws in [&mut chatty, &mut watcher] {
        ws.send(json!({"type": "k"})).await;
        assert!(
            ws.next(QUIET).await.is_none(),
            "a talking connection was closed"
        );
    }
}

#[tokio::test]
async fn a_hidden_connection_is_closed_after_the_hidden_limit() {
    let server = Server::start().await;
    let limit = secs(0.5);
    let mut agent = server.agent("v1").await;
    let mut hidden = server.visitor("v1").await;
    let mut back = server.visitor("v2").await;
    agent.expect("visitorconn", WAIT).await;

    let started = Instant::now();
    hidden
        .send(json!({"type": "visibility", "data": {"visibility": "hidden"}}))
        .await;
    back.send(json!({"type": "visibility", "data": {"visibility": "hidden"}}))
        .await;
    tokio::time::sleep(secs(0.2)).await;
    back.send(json!({"type": "visibility", "data": {"visibility": "visible"}}))
        .await;
    // Hidden stays present and signalable meanwhile.
    let token = agent_token(GROUP);
    let signal = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
            &json!({"mtype": "signal", "data": {}}),
        )
        .await;
    assert_eq!(signal.status, 200);

    let (code, frames) = hidden.expect_close(limit + WAIT).await;
    let after = started.elapsed();
    assert!(after >= secs(0.45), "closed after {after:?}");
    assert_eq!(
        frames.last().map(|f| f["type"].clone()),
        Some(json!("serverclose")),
        "{frames:?}"
    );
    assert_eq!(code, Some(normal_close()));
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"]["connected"],
        false
    );

    // The one that became visible again stays.
    back.expect_silence(limit).await;
}

#[tokio::test]
async fn a_unique_visitor_times_out_unless_extended() {
    let server = &Server::start().await;
    let new_unique = || async {
        server
            .get(&format!("/uniquevisitor?groupid={GROUP}"))
            .await
            .body
    };
    let connect_unique = |unique: Value| async move {
        let mut ws = server.open("/visitorws", None).await;
        let id = unique["visitorid"].as_str().expect("visitorid");
        ws.send_text(connect_frame(
            GROUP,
            id,
            None,
            unique["guesttoken"].as_str(),
        ))
        .await;
        ws.expect_next("connected", WAIT).await;
        ws
    };
    // The guest token expires on a whole second, 1..2 s after it is issued (timeout 1 s).
    let lapsing = new_unique().await;
    let extended = new_unique().await;
    let issued = Instant::now();
    let mut lapsing_ws = connect_unique(lapsing.clone()).await;
    let mut extended_ws = connect_unique(extended.clone()).await;
    let lapsing_closed = tokio::spawn(async move {
        let closed = lapsing_ws.expect_close(WAIT).await;
        (closed, issued.elapsed())
    });
    let id = extended["visitorid"]
        .as_str()
        .expect("visitorid")
        .to_owned();

    let extend = |token: String| {
        let path = format!("/uniquevisitor?groupid={GROUP}&visitorid={id}&guesttoken={token}");
        async move { server.get(&path).await }
    };
    tokio::time::sleep(secs(0.6)).await;
    let first = extend(extended["guesttoken"].as_str().expect("token").to_owned()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.body["visitorid"],
        id.as_str(),
        "extending keeps the id"
    );
    assert_eq!(first.body["timeout"], 1);
    // Extend again with the renewed token before the first extension runs out.
    tokio::time::sleep(secs(1.3).saturating_sub(issued.elapsed())).await;
    let second = extend(first.body["guesttoken"].as_str().expect("token").to_owned()).await;
    assert_eq!(second.status, 200, "{}", second.body);

    let ((code, frames), lapsed) = lapsing_closed
        .await
        .expect("the unextended visitor is closed");
    assert!(lapsed >= secs(0.95), "closed after {lapsed:?}");
    assert_eq!(
        frames.last().map(|f| f["type"].clone()),
        Some(json!("serverclose")),
        "{frames:?}"
    );
    assert_eq!(code, Some(normal_close()));

    // The extended one outlives every deadline its first token allowed.
    tokio::time::sleep(secs(2.1).saturating_sub(issued.elapsed())).await;
    if let Some(e) = extended_ws.next(Duration::ZERO).await {
        panic!(
            "the extended visitor is no longer connected at {:?}: {e:?}",
            issued.elapsed()
        );
    }
    let (code, frames) = extended_ws.expect_close(WAIT).await;
    assert_eq!(
        frames.last().map(|f| f["type"].clone()),
        Some(json!("serverclose"))
    );
    assert_eq!(code, Some(normal_close()));

    // Extending needs the right token.
    let wrong = server
        .get(&format!(
            "/uniquevisitor?groupid={GROUP}&visitorid={id}&guesttoken=garbage"
        ))
        .await;
    assert_eq!(wrong.status, 401);
    let half = server
        .get(&format!("/uniquevisitor?groupid={GROUP}&visitorid={id}"))
        .await;
    assert_eq!(half.status, 400);
}

#[tokio::test]
async fn too_many_sockets_or_agents_for_one_visitor_are_refused() {
    let mut config = config();
    config.limits.sockets_per_visitor = 2;
    config.limits.agents_per_visitor = 1;
    let server = Server::with(config).await;
    let _tab1 = server.visitor("v1").await;
    let tab2 = server.visitor("v1").await;
    let mut tab3 = server.open("/visitorws", None).await;
    tab3.send_text(connect_frame(GROUP, "v1", None, None)).await;
    tab3.expect_refused("ratelimited", CloseCode::TooMany as u16)
        .await;
    let _agent = server.agent("v1").await;
    let mut second = server.open("/agent", Some(AGENT_ORIGIN)).await;
    second
        .send_text(connect_frame(GROUP, "v1", Some(&agent_token(GROUP)), None))
        .await;
    second
        .expect_refused("ratelimited", CloseCode::TooMany as u16)
        .await;

    // The limits are per visitor, and a freed place can be taken again.
    let _other = server.visitor("v2").await;
    let _other_agent = server.agent("v2").await;
    tab2.close().await;
    eventually(WAIT, "the closed tab is gone", || {
        server.running.state().store.local_connections().0 == 2
    })
    .await;
    server.visitor("v1").await;
}

#[tokio::test]
async fn held_signals_are_bounded_keeping_the_newest() {
    let mut config = config();
    config.limits.held_signals = 2;
    let server = Server::with(config).await;
    let mut agent = server.agent("v1").await;
    server.visitor("v1").await.close().await;
    agent.expect("visitorsock", WAIT).await;
    for id in 1..=3 {
        agent
            .send(json!({"type": "signal", "id": id, "data": {"n": id}}))
            .await;
        assert_eq!(agent.expect("ack", WAIT).await["data"]["ok"], true);
    }
    let mut visitor = server.visitor("v1").await;
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"n": 2})
    );
    assert_eq!(
        visitor.expect_next("signal", WAIT).await["data"],
        json!({"n": 3})
    );
    visitor.expect_silence(QUIET).await;
}

#[tokio::test]
async fn oversized_rest_bodies_are_refused() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    let huge = json!({"mtype": "signal", "data": {"blob": "x".repeat(100 * 1024)}});
    let reply = server.post_auth(&path, &token, &huge).await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    let bad_json = server
        .request(
            reqwest::Method::POST,
            &path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(bad_json.status, 400, "a signal needs a body with mtype");
    visitor.expect_silence(QUIET).await;
    let ok = server
        .post_auth(
            &path,
            &token,
            &json!({"mtype": "signal", "data": {"small": 1}}),
        )
        .await;
    assert_eq!(ok.status, 200);
    visitor.expect_next("signal", WAIT).await;
}
