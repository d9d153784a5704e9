//! A visitor's visibility and focus (`visitor::window`): hidden and visible, the 10-minute hidden
//! limit, `serverclose` while hidden, `blur` and window `focus`, `pagehide` / `pageshow`.

use super::support::*;
use crate::host::{self, Read};

/// 10 minutes.
const HIDDEN_LIMIT: u32 = 600_000;

#[test]
fn hidden_is_sent_and_arms_the_hidden_limit() {
    let socket = connected_visitor(7);
    set_hidden(true);
    let lines = log();
    let limit = timer_for(&lines, HIDDEN_LIMIT);
    assert_eq!(
        lines,
        [
            format!("timer {limit} {HIDDEN_LIMIT}"),
            send_line(socket, &visibility_frame(true))
        ]
    );
    assert_eq!(
        m(7, "isconnected", "[]").as_deref(),
        Some("true"),
        "hidden visitors stay present"
    );

    set_hidden(false);
    assert_eq!(
        log(),
        [
            format!("release {limit}"),
            send_line(socket, &visibility_frame(false))
        ]
    );
    fire(limit);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn the_hidden_limit_closes_and_becoming_visible_reconnects() {
    let socket = connected_visitor(7);
    set_hidden(true);
    let limit = timer_for(&log(), HIDDEN_LIMIT);
    fire(limit);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert!(
        !has(&lines, "listen false"),
        "still listening for visibility: {lines:#?}"
    );
    assert!(
        timers(&lines).is_empty() && !has(&lines, "microtask"),
        "{lines:#?}"
    );
    assert!(emits(&lines, 7).is_empty(), "{lines:#?}");
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
    window(win::ONLINE);
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "dormant: `online` does not wake it"
    );

    set_hidden(false);
    let lines = log();
    assert_eq!(
        starting(&lines, "microtask").len(),
        1,
        "at once: {lines:#?}"
    );
    let socket = resolve(&lines);
    let lines = handshake(socket);
    let frames = sent(&lines, socket);
    assert_eq!(frames[0], visibility_frame(false), "{frames:#?}");
    assert!(
        frames[1].starts_with(r#"{"type":"presence""#),
        "{frames:#?}"
    );
    assert_eq!(frames.len(), 2);
}

#[test]
fn a_visitor_created_hidden_arms_the_limit_when_it_connects() {
    page();
    host::set_fact(Read::Visibility, "", Some("hidden"));
    new(1, 7, V1);
    m(7, "presence", "[]");
    let lines = log();
    let limit = timer_for(&lines, HIDDEN_LIMIT);
    let socket = resolve(&lines);
    let lines = handshake(socket);
    let frames = sent(&lines, socket);
    assert_eq!(frames.len(), 2, "{frames:#?}");
    assert_eq!(
        frames[1],
        visibility_frame(true),
        "the server learns it is hidden"
    );
    fire(limit);
    assert_eq!(log()[0], format!("release {socket}"));
}

#[test]
fn serverclose_while_hidden_waits_for_visible() {
    let socket = connected_visitor(7);
    set_hidden(true);
    log();
    frame(socket, r#"{"type":"serverclose"}"#);
    let lines = log();
    assert_eq!(lines.last().unwrap(), "emit 7 onclose []");
    assert!(!has(&lines, "listen false"), "{lines:#?}");
    set_hidden(false);
    let lines = log();
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
}

#[test]
fn hidden_changes_of_a_disconnected_visitor_send_nothing() {
    page();
    new(1, 7, V1);
    set_hidden(true);
    set_hidden(false);
    assert_eq!(log(), Vec::<String>::new(), "not listening");
    let socket = connected_visitor(7);
    m(7, "disconnect", "[]");
    log();
    set_hidden(true);
    assert_eq!(log(), Vec::<String>::new());
    let _ = socket;
}

#[test]
fn blur_then_window_focus_takes_focus_back() {
    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"blur"}"#);
    assert_eq!(log(), ["emit 7 onblur []"]);
    window(win::FOCUS);
    assert_eq!(log(), [send_line(socket, &visibility_frame(false))]);
    window(win::FOCUS);
    assert_eq!(log(), Vec::<String>::new(), "already focused");
}

#[test]
fn activity_after_blur_takes_focus_back_itself() {
    for activity in [
        ("presence", "[]"),
        ("fire", r#"["c_x"]"#),
        ("signalVisibility", "[true]"),
    ] {
        let socket = connected_visitor(7);
        frame(socket, r#"{"type":"blur"}"#);
        m(7, activity.0, activity.1);
        log();
        window(win::FOCUS);
        assert_eq!(log(), Vec::<String>::new(), "{activity:?}");
    }
}

#[test]
fn focus_while_hidden_sends_nothing() {
    let socket = connected_visitor(7);
    frame(socket, r#"{"type":"blur"}"#);
    host::set_fact(Read::Visibility, "", Some("hidden"));
    window(win::VISIBILITY);
    log();
    window(win::FOCUS);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn focus_before_any_blur_sends_nothing() {
    // A new connection is the focused one (§3.3): a window `focus` has nothing to take back.
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    let start = log();
    window(win::FOCUS);
    assert_eq!(log(), Vec::<String>::new());
    let socket = resolve(&start);
    let lines = handshake(socket);
    assert!(
        sent(&lines, socket).is_empty(),
        "nothing was queued: {lines:#?}"
    );
}

#[test]
fn the_hidden_state_of_an_unloading_page_is_not_sent() {
    let socket = connected_visitor(7);
    window(win::PAGEHIDE);
    assert_eq!(log(), Vec::<String>::new());
    set_hidden(true);
    let lines = log();
    assert!(
        sent(&lines, socket).is_empty(),
        "a navigation is not the visitor leaving"
    );
    assert!(timers(&lines).is_empty(), "{lines:#?}");
}

#[test]
fn a_page_back_from_the_cache_reports_visible() {
    let socket = connected_visitor(7);
    window(win::PAGEHIDE);
    set_hidden(true);
    set_hidden(false);
    assert_eq!(log(), Vec::<String>::new());
    window(win::PAGESHOW);
    assert_eq!(log(), [send_line(socket, &visibility_frame(false))]);
    window(win::PAGESHOW);
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "a pageshow without pagehide changes nothing"
    );
}

#[test]
fn signal_visibility_sends_what_the_page_says() {
    let socket = connected_visitor(7);
    m(7, "signalVisibility", "[false]");
    assert_eq!(log(), [send_line(socket, &visibility_frame(true))]);
    m(7, "signalVisibility", r#"["yes"]"#);
    assert_eq!(log(), [send_line(socket, &visibility_frame(false))]);
    m(7, "signalVisibility", "[0]");
    assert_eq!(log(), [send_line(socket, &visibility_frame(true))]);
}

#[test]
fn a_visitor_hidden_before_it_connects_arms_the_limit() {
    page();
    new(1, 7, V1);
    // The page is hidden before `presence()`; the idle visitor hears no `visibilitychange`.
    set_hidden(true);
    assert_eq!(log(), Vec::<String>::new());
    m(7, "presence", "[]");
    let lines = log();
    let limit = timer_for(&lines, HIDDEN_LIMIT);
    let socket = resolve(&lines);
    let frames = sent(&handshake(socket), socket);
    assert_eq!(
        frames.last().unwrap(),
        &visibility_frame(true),
        "{frames:#?}"
    );
    let _ = limit;
}

#[test]
fn presence_while_asleep_and_hidden_waits_for_visible() {
    let socket = connected_visitor(7);
    set_hidden(true);
    fire(timer_for(&log(), HIDDEN_LIMIT));
    assert!(log().contains(&format!("release {socket}")));
    m(7, "presence", r#"[{"data":{"step":2}}]"#);
    m(7, "connect", "[]");
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "no reconnect, no new hidden limit while still hidden"
    );
    set_hidden(false);
    let socket = resolve(&log());
    let frames = sent(&handshake(socket), socket);
    assert!(
        frames.iter().any(|f| f.contains(r#""step":2"#)),
        "the newest presence goes out: {frames:#?}"
    );
}

#[test]
fn a_visitor_disconnected_on_pagehide_follows_visibility_again_once_it_reconnects() {
    let socket = connected_visitor(7);
    window(win::PAGEHIDE);
    m(7, "disconnect", "[]");
    log();
    // Back from the back-forward cache: the page reconnects (the pageshow went unheard).
    m(7, "presence", "[]");
    let socket2 = complete(&log());
    assert_ne!(socket, socket2);
    set_hidden(true);
    let lines = log();
    assert!(
        lines.contains(&send_line(socket2, &visibility_frame(true))),
        "{lines:#?}"
    );
    timer_for(&lines, HIDDEN_LIMIT);
}
