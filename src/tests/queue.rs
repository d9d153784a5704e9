//! Frames sent while the socket is down (`Conn::send`): queued in order, at most 64, the latest
//! presence and visibility replacing queued ones; what a reconnect tells the server again.

use super::support::*;
use crate::host;

/// `{type:"c_tick", data:{i}}`.
fn tick(i: usize) -> String {
    format!(r#"{{"type":"c_tick","data":{{"i":{i}}}}}"#)
}

#[test]
fn the_queue_keeps_the_newest_64_frames() {
    page();
    new(1, 7, V1);
    for i in 0..74 {
        m(7, "fire", &format!(r#"["c_tick",{{"i":{i}}}]"#));
    }
    let lines = log();
    let full = "warn send queue full: dropped the oldest frame";
    assert_eq!(
        lines.iter().filter(|l| *l == full).count(),
        10,
        "{lines:#?}"
    );
    assert_eq!(lines.len(), 10, "firing does not connect: {lines:#?}");

    m(7, "connect", "[]");
    let socket = resolve(&log());
    opened(socket);
    let lines = log();
    assert_eq!(
        sent(&lines, socket).len(),
        1,
        "only `connect` before `connected`: {lines:#?}"
    );
    frame(socket, CONNECTED);
    let lines = log();
    let expected: Vec<String> = (10..74).map(tick).collect();
    assert_eq!(sent(&lines, socket), expected);
}

#[test]
fn presence_and_visibility_replace_their_queued_frame() {
    page();
    new(1, 7, V1);
    m(7, "presence", r#"[{"data":{"p":1}}]"#);
    m(7, "fire", r#"["c_e",{"n":1}]"#);
    m(7, "signalVisibility", "[false]");
    m(7, "presence", r#"[{"data":{"p":2}}]"#);
    m(7, "signalVisibility", "[true]");
    let socket = resolve(&log());
    let lines = handshake(socket);
    let presence = r#"{"type":"presence","data":{"url":"https://shop.example/","browser":"other","browserver":"","platform":"other","p":2}}"#;
    assert_eq!(
        sent(&lines, socket),
        [
            r#"{"type":"c_e","data":{"n":1}}"#,
            presence,
            &visibility_frame(false)
        ],
        "the older presence and visibility are gone, and nothing is sent twice"
    );
}

#[test]
fn a_newer_presence_queued_while_down_is_the_one_sent_after_a_reconnect() {
    let socket = connected_visitor(7);
    closed(socket, 1006);
    let retry = retry_timer(&log()).0;
    m(7, "presence", r#"[{"data":{"p":2}}]"#);
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "queued, and already reconnecting"
    );
    fire(retry);
    let socket = resolve(&log());
    let lines = handshake(socket);
    assert_eq!(
        sent(&lines, socket),
        [
            r#"{"type":"presence","data":{"url":"https://shop.example/","browser":"other","browserver":"","platform":"other","p":2}}"#
        ]
    );
}

#[test]
fn the_hidden_state_is_sent_again_after_a_reconnect() {
    let socket = connected_visitor(7);
    set_hidden(true);
    let lines = log();
    assert_eq!(sent(&lines, socket), [visibility_frame(true)]);
    closed(socket, 1006);
    fire(retry_timer(&log()).0);
    let socket = resolve(&log());
    let lines = handshake(socket);
    assert_eq!(
        sent(&lines, socket),
        [
            r#"{"type":"presence","data":{"url":"https://shop.example/","browser":"other","browserver":"","platform":"other"}}"#
                .to_string(),
            visibility_frame(true),
        ]
    );
}

#[test]
fn a_visibility_queued_while_down_wins_over_the_hidden_state() {
    let socket = connected_visitor(7);
    set_hidden(true);
    closed(socket, 1006);
    let retry = retry_timer(&log()).0;
    // Desktop-style explicit visibility while down: the page's word is the latest.
    m(7, "signalVisibility", "[true]");
    fire(retry);
    let socket = resolve(&log());
    let lines = handshake(socket);
    let frames = sent(&lines, socket);
    assert_eq!(
        frames.iter().filter(|f| f.contains("visibility")).count(),
        1,
        "{frames:#?}"
    );
    assert_eq!(
        frames[0],
        visibility_frame(false),
        "queued frames go first: {frames:#?}"
    );
}

#[test]
fn disconnect_forgets_queued_frames() {
    page();
    new(1, 7, V1);
    m(7, "fire", r#"["c_old",{}]"#);
    m(7, "disconnect", "[]");
    m(7, "connect", "[]");
    let socket = resolve(&log());
    let lines = handshake(socket);
    assert!(sent(&lines, socket).is_empty(), "{lines:#?}");
}

#[test]
fn frames_go_straight_out_while_open() {
    let socket = connected_visitor(7);
    m(7, "fire", r#"["c_now",{"a":1}]"#);
    assert_eq!(
        log(),
        [send_line(socket, r#"{"type":"c_now","data":{"a":1}}"#)]
    );
}

#[test]
fn a_frame_the_closing_socket_refuses_is_queued_for_the_next_one() {
    let socket = connected_visitor(7);
    host::closing(socket);
    m(7, "fire", r#"["c_note",{"n":1}]"#);
    let lines = log();
    assert!(!has(&lines, "warn"), "{lines:#?}");
    closed(socket, 1006);
    let (retry, _) = retry_timer(&log());
    fire(retry);
    let socket2 = resolve(&log());
    let lines = handshake(socket2);
    assert!(
        lines.contains(&send_line(socket2, r#"{"type":"c_note","data":{"n":1}}"#)),
        "{lines:#?}"
    );
}

#[test]
fn frames_larger_than_the_server_takes_are_refused() {
    let socket = connected_visitor(7);
    let big = "x".repeat(70_000);
    m(7, "fire", &format!(r#"["c_big",{{"text":"{big}"}}]"#));
    let lines = log();
    assert!(sent(&lines, socket).is_empty(), "{lines:#?}");
    assert_eq!(
        lines,
        [onerror(
            7,
            "invalidparameter",
            "the frame is larger than 64 KiB"
        )]
    );
}
