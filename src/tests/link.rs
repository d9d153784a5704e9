//! The connection life cycle both roles share (`src/link/`): resolve, open, `connect`,
//! keepalive, handshake timeout, backoff, refusals, redirects, `disconnect()`. Driven through a
//! visitor unless the rule is the agent's.

use super::support::*;
use crate::host::{self, Read};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36";

#[test]
fn presence_connects_then_sends_the_merged_map() {
    page();
    host::set_fact(Read::UserAgent, "", Some(CHROME));
    new(1, 7, r#"{"visitorid":"v1","user":{"name":"Ann"}}"#);
    m(7, "presence", r#"[{"data":{"cart":2}}]"#);
    let lines = log();
    // Nothing is sent, nothing requested inside the call: the resolve step runs from a microtask.
    assert_eq!(lines[..2], ["listen true", "hold 7 true"], "{lines:#?}");
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
    assert_eq!(lines.len(), 3, "{lines:#?}");

    fire(id_of(&lines, "microtask"));
    let lines = log();
    let settings = id_of(&lines, "fetch");
    assert_eq!(
        lines,
        [format!(
            "fetch {settings} GET https://svc.example/services/authorizationservice/GetVisitorSettings3?groupid=12345&site=production&service=presence bearer= "
        )]
    );
    reply(settings, 200, SETTINGS);
    let lines = log();
    let request = id_of(&lines, "fetch");
    assert_eq!(
        lines,
        [format!("fetch {request} POST https://presence.example/presence?groupid=12345&visitorid=v1 bearer= {{}}")]
    );
    reply(request, 200, FOUND);
    let lines = log();
    let socket = id_of(&lines, "open");
    assert_eq!(
        lines,
        [format!("open {socket} wss://node1.example/visitorws")]
    );

    opened(socket);
    let lines = log();
    let handshake = timer_for(&lines, 10_000);
    assert_eq!(
        lines,
        [
            send_line(
                socket,
                r#"{"type":"connect","groupid":12345,"visitorid":"v1","version":"0.1.0"}"#
            ),
            format!("timer {handshake} 10000"),
        ]
    );
    frame(socket, CONNECTED);
    let lines = log();
    let keepalive = timer_for(&lines, 25_000);
    assert_eq!(
        lines,
        [
            format!("release {handshake}"),
            format!("timer {keepalive} 25000"),
            send_line(
                socket,
                r#"{"type":"presence","data":{"name":"Ann","url":"https://shop.example/","browser":"chrome","browserver":"131","platform":"linux","cart":2}}"#
            ),
            r#"emit 7 onconnected [{"groupid":12345,"visitorid":"v1"}]"#.into(),
        ]
    );
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("true"));
}

#[test]
fn isconnected_follows_the_handshake() {
    page();
    new(1, 7, V1);
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
    m(7, "connect", "[]");
    let socket = resolve(&log());
    opened(socket);
    assert_eq!(
        m(7, "isconnected", "[]").as_deref(),
        Some("false"),
        "not before `connected`"
    );
    frame(socket, CONNECTED);
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("true"));
    closed(socket, 1006);
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
}

#[test]
fn connect_is_a_no_op_while_on_its_way() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    let start = log();
    m(7, "connect", "[]");
    assert_eq!(log(), Vec::<String>::new(), "resolving");
    let socket = complete(&start);
    m(7, "connect", "[]");
    assert_eq!(log(), Vec::<String>::new(), "connected");
    closed(socket, 1006);
    log();
    m(7, "connect", "[]");
    assert_eq!(log(), Vec::<String>::new(), "backing off");
}

#[test]
fn the_handshake_times_out_after_10_s() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    let socket = resolve(&log());
    opened(socket);
    let handshake = timer_for(&log(), 10_000);
    fire(handshake);
    let lines = log();
    let (retry, ms) = retry_timer(&lines);
    assert_eq!(
        lines,
        [
            format!("release {socket}"),
            format!("timer {retry} {ms}"),
            onerror(7, "connfail", "connection"),
        ]
    );
    assert!((500..1000).contains(&ms), "{ms}");
    closed(socket, 1006);
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "the released socket reports nothing"
    );
}

#[test]
fn keepalives_follow_the_servers_interval() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    let socket = resolve(&log());
    let keepalive = timer_for(&handshake(socket), 25_000);
    fire(keepalive);
    let lines = log();
    let next = timer_for(&lines, 25_000);
    assert_eq!(
        lines,
        [
            send_line(socket, r#"{"type":"k"}"#),
            format!("timer {next} 25000")
        ]
    );

    // A later connection uses what its own `connected` says.
    closed(socket, 1006);
    let lines = log();
    assert!(has(&lines, &format!("release {next}")), "{lines:#?}");
    fire(next);
    assert_eq!(log(), Vec::<String>::new(), "no keepalive while down");
    fire(retry_timer(&lines).0);
    let socket = resolve(&log());
    opened(socket);
    log();
    frame(socket, r#"{"type":"connected","keepalive":40,"data":{}}"#);
    let keepalive = timer_for(&log(), 40_000);
    fire(keepalive);
    let lines = log();
    let next = timer_for(&lines, 40_000);
    assert_eq!(
        lines,
        [
            send_line(socket, r#"{"type":"k"}"#),
            format!("timer {next} 40000")
        ]
    );
}

#[test]
fn nokeepalive_sends_no_keepalive() {
    page();
    new(1, 7, r#"{"visitorid":"v1","nokeepalive":true}"#);
    m(7, "connect", "[]");
    let socket = resolve(&log());
    let lines = handshake(socket);
    assert!(timers(&lines).is_empty(), "{lines:#?}");

    page();
    m(0, "setToken", r#"["T"]"#);
    host::set_fact(
        Read::Attributes,
        "glance-cobrowse",
        Some(r#"{"data-nokeepalive":""}"#),
    );
    new(0, 9, V1);
    m(9, "connect", "[]");
    let socket = resolve(&log());
    let lines = handshake(socket);
    assert!(timers(&lines).is_empty(), "agent: {lines:#?}");
}

#[test]
fn losing_an_open_socket_retries_within_a_second_and_sends_presence_again() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    let lines = log();
    assert!(
        emits(&lines, 7).is_empty(),
        "losing an open socket is not a connfail: {lines:#?}"
    );
    let (retry, ms) = retry_timer(&lines);
    assert!(
        (500..1000).contains(&ms),
        "first retry within a second: {ms}"
    );
    fire(retry);
    let lines = log();
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
    let socket = resolve(&lines);
    opened(socket);
    log();
    frame(socket, CONNECTED);
    let lines = log();
    assert_eq!(
        sent(&lines, socket),
        [
            r#"{"type":"presence","data":{"url":"https://shop.example/","browser":"other","browserver":"","platform":"other"}}"#
        ]
    );
}

#[test]
fn failed_attempts_back_off_to_the_cap_and_report_once() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    let mut retry = retry_timer(&log()).0;
    let (mut delays, mut reports) = (vec![], vec![]);
    for _ in 0..12 {
        fire(retry);
        fire(id_of(&log(), "microtask"));
        // Settings are cached: the attempt asks the presence service directly.
        let lines = log();
        assert!(
            has(&lines, "POST https://presence.example/presence"),
            "{lines:#?}"
        );
        reply(id_of(&lines, "fetch"), 0, "");
        let lines = log();
        reports.extend(emits(&lines, 7));
        let (id, ms) = retry_timer(&lines);
        (retry, delays) = (id, [delays, vec![ms]].concat());
    }
    assert_eq!(
        reports,
        [r#"onerror [{"error":"connfail","detail":"connection"}]"#]
    );
    // Attempt n waits in [ceiling/2, ceiling), ceiling = min(1 s * 2^n, 30 s).
    for (n, ms) in delays.iter().enumerate() {
        let ceiling = (1000u32 << (n + 1).min(15)).min(30_000);
        assert!(
            (ceiling / 2..ceiling).contains(ms),
            "attempt {n}: {delays:?}"
        );
    }
    assert!(delays[7..].iter().all(|ms| *ms >= 15_000), "{delays:?}");
}

#[test]
fn a_connect_starts_the_backoff_over() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    let retry = retry_timer(&log()).0;
    fire(retry);
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 0, "");
    let (retry, ms) = retry_timer(&log());
    assert!((1000..2000).contains(&ms), "second failure: {ms}");
    fire(retry);
    let socket = complete(&log());
    closed(socket, 1006);
    let lines = log();
    assert!((500..1000).contains(&retry_timer(&lines).1), "{lines:#?}");
    assert!(emits(&lines, 7).is_empty(), "a new outage: {lines:#?}");
}

#[test]
fn online_skips_the_wait() {
    let socket = connected_visitor(7);
    closed(socket, 1001);
    let retry = retry_timer(&log()).0;
    window(win::ONLINE);
    let lines = log();
    assert_eq!(lines[0], format!("release {retry}"), "{lines:#?}");
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
    window(win::ONLINE);
    assert_eq!(log(), Vec::<String>::new(), "already resolving");
}

#[test]
fn becoming_visible_skips_the_wait() {
    let socket = connected_visitor(7);
    closed(socket, 1001);
    let retry = retry_timer(&log()).0;
    set_hidden(false);
    let lines = log();
    assert!(has(&lines, &format!("release {retry}")), "{lines:#?}");
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
}

#[test]
fn results_of_a_dropped_attempt_are_ignored() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    let first = id_of(&log(), "fetch");
    m(7, "setVisitorId", r#"["v2"]"#);
    let lines = log();
    assert_eq!(
        lines[0],
        format!("release {first}"),
        "the request is aborted: {lines:#?}"
    );
    let second = id_of(&lines, "microtask");
    reply(first, 200, FOUND);
    assert_eq!(log(), Vec::<String>::new(), "the old attempt's answer");
    fire(second);
    let lines = log();
    assert!(
        has(&lines, "/presence?groupid=12345&visitorid=v2"),
        "{lines:#?}"
    );
    reply(id_of(&lines, "fetch"), 200, FOUND);
    assert!(has(&log(), "open "));
}

#[test]
fn a_refused_socket_url_is_a_failed_attempt() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    reply(
        id_of(&log(), "fetch"),
        200,
        r#"{"directserver":"bad host"}"#,
    );
    let lines = log();
    let (retry, ms) = retry_timer(&lines);
    assert_eq!(
        lines,
        [
            format!("open {} wss://bad host/visitorws", id_of(&lines, "open")),
            format!("timer {retry} {ms}"),
            onerror(7, "connfail", "connection"),
        ]
    );
}

#[test]
fn presence_off_for_the_group_stops() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(
        id_of(&log(), "fetch"),
        200,
        r#"{"presenceUrl":"","isPresenceLoadBalanced":false}"#,
    );
    let lines = log();
    assert_eq!(
        lines,
        [
            "listen false",
            "hold 7 false",
            &onerror(7, "connfail", "error")
        ]
    );
}

#[test]
fn settings_are_asked_once_per_page_and_presenceserver_skips_them() {
    let _ = connected_visitor(7);
    new(1, 8, r#"{"visitorid":"v2"}"#);
    m(8, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let lines = log();
    assert_eq!(starting(&lines, "fetch").len(), 1, "{lines:#?}");
    assert!(has(
        &lines,
        "POST https://presence.example/presence?groupid=12345&visitorid=v2"
    ));

    page();
    new(
        1,
        9,
        r#"{"visitorid":"v1","presenceserver":"http://p.example:8080"}"#,
    );
    m(9, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let lines = log();
    assert!(
        has(
            &lines,
            "POST http://p.example:8080/presence?groupid=12345&visitorid=v1"
        ),
        "{lines:#?}"
    );
}

#[test]
fn a_repeated_connected_changes_nothing() {
    let socket = connected_visitor(7);
    frame(socket, CONNECTED);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn an_enormous_keepalive_is_capped_at_a_day() {
    page();
    new(1, 7, V1);
    m(7, "presence", "[]");
    let socket = resolve(&log());
    opened(socket);
    log();
    frame(
        socket,
        r#"{"type":"connected","keepalive":4294967,"data":{}}"#,
    );
    let lines = log();
    // One keepalive timer of a day (timer_for asserts there is exactly one).
    timer_for(&lines, 86_400_000);
}
