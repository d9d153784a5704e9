//! What the page holds (`src/page.rs`, `src/dispatch.rs`): page calls run after the step that
//! queued them and in order, objects held while active, window listeners shared, a collected
//! object freed with its resources, and `boot`.

use super::support::*;
use crate::dispatch::boot as start;
use crate::host::{self, Read};
use crate::page::{self, Effect};

#[test]
fn page_calls_run_after_the_steps_host_calls() {
    // The failure is reported first inside the step, yet its handler runs after the step's
    // own host calls: page code never runs with the state borrowed.
    page();
    new(0, 9, V1);
    m(9, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    assert_eq!(
        log(),
        [
            "listen false",
            "hold 9 false",
            &onerror(9, "connfail", "authorization")
        ]
    );

    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"serverclose"}"#);
    let lines = log();
    assert_eq!(lines.last().unwrap(), "emit 7 onclose []", "{lines:#?}");
}

#[test]
fn requests_and_their_failures_never_happen_inside_the_call() {
    page();
    new(0, 9, V1);
    for (method, args) in [
        ("connect", "[]"),
        ("lookupVisitor", "[{}]"),
        ("query", "[{}]"),
        ("signalVisitor", r#"[{"data":1}]"#),
    ] {
        m_opts(9, method, args, 50);
        let lines = log();
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with("emit") && !l.starts_with("fetch")),
            "{method}: {lines:#?}"
        );
        assert_eq!(
            starting(&lines, "microtask").len(),
            1,
            "{method}: {lines:#?}"
        );
    }
}

#[test]
fn page_calls_run_oldest_first() {
    page();
    // Calls queued by an earlier step (still waiting) run before the ones of the next step.
    page::with(|p| p.shared.outbox.push_back(Effect::Warn("first".into())));
    new(1, 7, "{}");
    m(7, "connect", "[]");
    assert_eq!(
        log(),
        [
            "warn first",
            &onerror(
                7,
                "invalidparameter",
                "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~"
            )
        ]
    );
    // Within a step, in the order they were queued.
    let socket = connected_visitor(7);
    m(0, "showTerms", "[{}]");
    log();
    dialog(true);
    let lines = log();
    assert_eq!(
        lines[1..],
        [
            "dialog closed",
            r#"call GLANCE.Cobrowse.Visitor.startSession [{"sessionKey":"v1"}]"#
        ]
    );
    let _ = socket;
}

#[test]
fn window_listeners_are_shared_by_the_active_objects() {
    page();
    new(1, 7, V1);
    new(1, 8, r#"{"visitorid":"v2"}"#);
    m(7, "connect", "[]");
    assert_eq!(log()[..2], ["listen true", "hold 7 true"]);
    m(8, "connect", "[]");
    let lines = log();
    assert!(!has(&lines, "listen"), "already listening: {lines:#?}");
    assert!(has(&lines, "hold 8 true"));
    m(7, "disconnect", "[]");
    let lines = log();
    assert!(
        !has(&lines, "listen") && has(&lines, "hold 7 false"),
        "{lines:#?}"
    );
    m(8, "disconnect", "[]");
    assert!(has(&log(), "listen false"));
}

#[test]
fn window_events_reach_only_active_objects() {
    let first = connected_visitor(7);
    new(1, 8, r#"{"visitorid":"v2"}"#);
    set_hidden(true);
    let lines = log();
    assert_eq!(sent(&lines, first), [visibility_frame(true)]);
    assert_eq!(lines.len(), 2, "object 8 is idle: {lines:#?}");
}

#[test]
fn an_agent_is_held_while_active_or_while_a_signal_waits() {
    page();
    m(0, "setToken", r#"["T"]"#);
    new(0, 9, V1);
    m(9, "connect", "[]");
    let resolving = id_of(&log(), "microtask");
    m_opts(9, "signalVisitor", r#"[{"data":1}]"#, 50);
    let signal = id_of(&log(), "microtask");
    m(9, "disconnect", "[]");
    assert_eq!(
        log(),
        [format!("release {resolving}"), "listen false".into()],
        "still held"
    );
    fire(signal);
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    reply(id_of(&log(), "fetch"), 200, "{}");
    assert_eq!(log(), ["hold 9 false", "emit 50 onsuccess [] last"]);
}

#[test]
fn a_collected_agent_frees_its_socket_timers_and_waiting_calls() {
    let socket = connected_agent(9);
    m_opts(9, "signalVisitor", r#"[{"data":1}]"#, 50);
    let ack = timer_for(&log(), 10_000);
    m(9, "disconnect", "[]");
    log();
    // Connect again so that the object holds a socket, a keepalive and a waiting signal.
    m(9, "connect", "[]");
    let socket2 = complete(&log());
    m_opts(9, "signalVisitor", r#"[{"data":2}]"#, 51);
    let ack2 = timer_for(&log(), 10_000);
    m_opts(9, "lookupVisitor", "[{}]", 52);
    let lookup = id_of(&log(), "microtask");
    collected(9);
    let lines = log();
    for line in [
        format!("release {socket2}"),
        format!("release {ack2}"),
        format!("release {lookup}"),
    ] {
        assert!(lines.contains(&line), "{line}: {lines:#?}");
    }
    assert!(has(&lines, "listen false"), "{lines:#?}");
    assert_eq!(
        emits(&lines, 51),
        [" [] last"],
        "the host forgets the waiting call's options"
    );
    assert_eq!(emits(&lines, 52), [" [] last"], "and the lookup's");
    // Nothing of it reports any more.
    frame(socket2, r#"{"type":"ack","data":{"id":2,"ok":true}}"#);
    closed(socket2, 1006);
    fire(ack2);
    fire(lookup);
    fire(ack);
    closed(socket, 1006);
    assert_eq!(log(), Vec::<String>::new());
    assert_eq!(m(9, "isconnected", "[]"), None, "the object is gone");
    collected(9);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn a_collected_visitor_is_no_longer_the_active_one() {
    let _ = connected_visitor(7);
    m(0, "showTerms", "[{}]");
    log();
    collected(7);
    let lines = log();
    assert!(has(&lines, "listen false"), "{lines:#?}");
    dialog(true);
    assert_eq!(
        log(),
        ["dialog closed"],
        "its dialog closes with nothing to report"
    );
    m(0, "showTerms", "[{}]");
    assert_eq!(log(), ["warn showTerms: no GLANCE.Presence.Visitor"]);
}

#[test]
fn a_collected_object_keeps_other_objects_resources() {
    let socket = connected_visitor(7);
    new(1, 8, r#"{"visitorid":"v2"}"#);
    collected(8);
    assert_eq!(log(), Vec::<String>::new(), "object 8 held nothing");
    m(7, "fire", r#"["c_x"]"#);
    assert_eq!(log(), [send_line(socket, r#"{"type":"c_x"}"#)]);
}

#[test]
fn start_records_the_script_origin_and_reads_data_presence() {
    page();
    host::set_fact(Read::GlobalConfig, "", Some(r#"{"groupid":12345}"#));
    assert!(!start("https://cdn.example:8443/glance-presence.js"));
    new(1, 7, V1);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let lines = log();
    assert!(has(&lines, "GET https://cdn.example:8443/services/authorizationservice/GetVisitorSettings3?groupid=12345"), "{lines:#?}");

    host::set_fact(
        Read::Attributes,
        "glance-cobrowse",
        Some(r#"{"data-presence":"on"}"#),
    );
    assert!(start(""));
    new(1, 8, V1);
    m(8, "connect", "[]");
    assert_eq!(
        log(),
        [onerror(
            8,
            "invalidparameter",
            "ws must be host[:port] or http(s)://host[:port]"
        )],
        "no script, no ws"
    );
}
