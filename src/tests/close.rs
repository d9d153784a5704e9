//! How connections end (`src/link/`, `src/failure.rs`): close codes that refuse, the server's
//! `redirect`, `scaledown` and `serverclose`, a draining node, and `disconnect()`.

use super::support::*;

/// A visitor whose socket is open and `connect` sent, not answered. Returns the socket.
fn handshaking(id: u32) -> u32 {
    page();
    new(1, id, V1);
    m(id, "connect", "[]");
    let socket = resolve(&log());
    opened(socket);
    log();
    socket
}

#[test]
fn refusing_close_codes_stop_and_report() {
    for (code, detail) in [(4401, "authorization"), (4403, "error"), (4400, "error")] {
        let socket = handshaking(7);
        closed(socket, code);
        let lines = log();
        let handshake_timer = lines[0].clone();
        assert!(
            handshake_timer.starts_with("release "),
            "{code}: {lines:#?}"
        );
        assert_eq!(
            lines[1..],
            [
                "listen false",
                "hold 7 false",
                &onerror(7, "connfail", detail)
            ],
            "{code}"
        );
        window(win::ONLINE);
        assert_eq!(log(), Vec::<String>::new(), "{code}: stopped");
    }
}

#[test]
fn other_close_codes_retry() {
    for code in [1000, 1001, 1006, 1011, 4429] {
        let socket = handshaking(7);
        closed(socket, code);
        let lines = log();
        let (_, ms) = retry_timer(&lines);
        assert!((500..1000).contains(&ms), "{code}: {lines:#?}");
        assert_eq!(
            emits(&lines, 7),
            [r#"onerror [{"error":"connfail","detail":"connection"}]"#],
            "{code}"
        );
    }
}

#[test]
fn a_refusal_the_server_explained_is_reported_once_and_not_retried() {
    let socket = handshaking(7);
    frame(
        socket,
        r#"{"type":"error","data":{"error":"connfail","detail":"authorization"}}"#,
    );
    assert_eq!(log(), [onerror(7, "connfail", "authorization")]);
    closed(socket, 4401);
    let lines = log();
    assert!(emits(&lines, 7).is_empty(), "{lines:#?}");
    assert!(timers(&lines).is_empty(), "{lines:#?}");
    assert!(has(&lines, "listen false"), "{lines:#?}");
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
}

#[test]
fn a_visitor_retries_a_draining_node() {
    page();
    new(1, 7, V1);
    m(7, "presence", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    reply(id_of(&log(), "fetch"), 503, "");
    let lines = log();
    let (retry, ms) = retry_timer(&lines);
    assert_eq!(
        lines,
        [
            format!("timer {retry} {ms}"),
            onerror(7, "connfail", "error")
        ]
    );
    fire(retry);
    let socket = complete(&log());
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("true"));
    let _ = socket;
}

#[test]
fn redirect_opens_the_named_host_without_resolving() {
    let socket = connected_visitor(7);
    frame(
        socket,
        r#"{"type":"redirect","data":{"direct":"node2.example:8443"}}"#,
    );
    let lines = log();
    let next = id_of(&lines, "open");
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert_eq!(
        lines.last().unwrap(),
        &format!("open {next} wss://node2.example:8443/visitorws")
    );
    assert!(
        !has(&lines, "microtask") && !has(&lines, "fetch"),
        "{lines:#?}"
    );
    assert!(emits(&lines, 7).is_empty(), "{lines:#?}");
    // The attempt after the redirected one resolves again.
    closed(next, 1006);
    fire(retry_timer(&log()).0);
    assert!(has(&log(), "microtask"));
}

#[test]
fn a_redirect_without_a_host_is_ignored() {
    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"redirect","data":{}}"#);
    assert_eq!(log(), ["warn ignored a frame of the wrong shape"]);
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("true"));
}

#[test]
fn scaledown_reconnects_at_once() {
    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"scaledown"}"#);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert!(timers(&lines).is_empty(), "no backoff: {lines:#?}");
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
    assert!(emits(&lines, 7).is_empty(), "{lines:#?}");
}

#[test]
fn serverclose_while_visible_is_final() {
    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"serverclose"}"#);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert_eq!(
        lines[lines.len() - 3..],
        ["listen false", "hold 7 false", "emit 7 onclose []"]
    );
    closed(socket, 1000);
    window(win::ONLINE);
    set_hidden(false);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn disconnect_leaves_nothing_armed() {
    page();
    new(1, 7, V1);
    m(7, "presence", "[]");
    let socket = resolve(&log());
    let keepalive = timer_for(&handshake(socket), 25_000);
    set_hidden(true);
    let hidden = timer_for(&log(), 600_000);
    m(7, "disconnect", "[]");
    let mut lines = log();
    lines.sort();
    let mut expected = vec![
        format!("release {socket}"),
        format!("release {keepalive}"),
        format!("release {hidden}"),
        "listen false".into(),
        "hold 7 false".into(),
    ];
    expected.sort();
    assert_eq!(lines, expected);
    closed(socket, 1006);
    fire(keepalive);
    fire(hidden);
    window(win::ONLINE);
    set_hidden(false);
    assert_eq!(log(), Vec::<String>::new());
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
}

#[test]
fn disconnect_while_backing_off_clears_the_retry() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    let retry = retry_timer(&log()).0;
    m(7, "disconnect", "[]");
    assert_eq!(
        log(),
        [
            format!("release {retry}"),
            "listen false".into(),
            "hold 7 false".into()
        ]
    );
    fire(retry);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn disconnect_while_resolving_aborts_the_request() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let settings = id_of(&log(), "fetch");
    m(7, "disconnect", "[]");
    assert_eq!(
        log(),
        [
            format!("release {settings}"),
            "listen false".into(),
            "hold 7 false".into()
        ]
    );
    reply(settings, 200, SETTINGS);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn a_refused_presence_request_stops() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    reply(id_of(&log(), "fetch"), 400, r#"{"err":"invalidparameter"}"#);
    assert_eq!(
        log(),
        [
            "listen false",
            "hold 7 false",
            &onerror(7, "connfail", "error")
        ]
    );
}

#[test]
fn a_reply_of_the_wrong_shape_is_retried() {
    for (settings, found) in [
        (r#"{"presenceUrl":"presence.example"}"#, FOUND),
        (SETTINGS, r#"{"direct":"x"}"#),
    ] {
        page();
        new(1, 7, V1);
        m(7, "connect", "[]");
        fire(id_of(&log(), "microtask"));
        reply(id_of(&log(), "fetch"), 200, settings);
        if settings == SETTINGS {
            reply(id_of(&log(), "fetch"), 200, found);
        }
        let lines = log();
        let (_, ms) = retry_timer(&lines);
        assert!((500..1000).contains(&ms), "{lines:#?}");
        assert_eq!(
            emits(&lines, 7),
            [r#"onerror [{"error":"connfail","detail":"error"}]"#]
        );
    }
}

#[test]
fn a_refusal_is_reported_even_after_an_outage_was() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    fire(retry_timer(&log()).0);
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 0, "");
    let lines = log();
    assert_eq!(
        emits(&lines, 7),
        [r#"onerror [{"error":"connfail","detail":"connection"}]"#]
    );
    fire(retry_timer(&lines).0);
    let socket = resolve(&log());
    opened(socket);
    log();
    closed(socket, 4401);
    assert_eq!(
        emits(&log(), 7),
        [r#"onerror [{"error":"connfail","detail":"authorization"}]"#]
    );
}

#[test]
fn a_redirected_agent_says_connect_with_the_token_it_holds_now() {
    let socket = connected_agent(9);
    m(0, "setToken", r#"["NEWER"]"#);
    frame(
        socket,
        r#"{"type":"redirect","data":{"direct":"node2.example"}}"#,
    );
    let next = id_of(&log(), "open");
    opened(next);
    let hello = sent(&log(), next);
    assert_eq!(hello.len(), 1);
    assert!(hello[0].contains(r#""authorization":"NEWER""#), "{hello:?}");
}
