//! Unique visitors: `connectUnique` and `extendUnique`.

use super::support::*;

#[test]
fn connect_unique_reports_the_id_and_connects_with_it() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", r#"[{"data":{"u":1}}]"#);
    let lines = through_settings(&log());
    assert!(has(&lines, "/uniquevisitor?groupid=12345"), "{lines:#?}");
    reply(
        id_of(&lines, "fetch"),
        200,
        r#"{"visitorid":"UNQ-42","uniqueid":"42","guesttoken":"g","timeout":300}"#,
    );
    let lines = log();
    assert!(has(&lines, r#"emit 7 onuniqueid ["42",300]"#), "{lines:#?}");
    fire(id_of(&lines, "microtask"));
    let lines = log();
    assert!(
        has(&lines, "/presence?groupid=12345&visitorid=UNQ-42"),
        "{lines:#?}"
    );
}

#[test]
fn a_unique_visitor_connects_with_its_guest_token() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", r#"[{"data":{"u":1}}]"#);
    let lines = through_settings(&log());
    reply(
        id_of(&lines, "fetch"),
        200,
        r#"{"visitorid":"UNQ-42","uniqueid":"42","guesttoken":"g","timeout":300}"#,
    );
    let lines = log();
    fire(id_of(&lines, "microtask"));
    let lines = log();
    reply(
        id_of(&lines, "fetch"),
        200,
        r#"{"directserver":"node1.example"}"#,
    );
    let lines = log();
    let socket = id_of(&lines, "open");
    opened(socket);
    let lines = log();
    assert!(has(&lines, r#""guesttoken":"g""#), "{lines:#?}");
    frame(
        socket,
        r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"UNQ-42"}}"#,
    );
    let lines = log();
    assert!(has(&lines, "emit 7 onconnected"), "{lines:#?}");
    assert!(has(&lines, r#""u":1"#), "{lines:#?}");
}

/// The `/uniquevisitor` reply for id 42 with guest token `g`.
fn unique_reply(guest: &str) -> String {
    format!(r#"{{"visitorid":"UNQ-42","uniqueid":"42","guesttoken":"{guest}","timeout":300}}"#)
}

/// Visitor 7 that connected as `UNQ-42` with guest token `g1`. Returns its socket.
fn connected_unique() -> u32 {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", "[]");
    let lines = through_settings(&log());
    reply(id_of(&lines, "fetch"), 200, &unique_reply("g1"));
    let lines = log();
    let socket = resolve(&lines);
    opened(socket);
    log();
    frame(
        socket,
        r#"{"type":"connected","data":{"groupid":12345,"visitorid":"UNQ-42"}}"#,
    );
    log();
    socket
}

#[test]
fn a_reply_after_disconnect_is_dropped() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", "[]");
    let request = id_of(&through_settings(&log()), "fetch");
    m(7, "disconnect", "[]");
    assert!(
        log().contains(&format!("release {request}")),
        "the request is aborted"
    );
    reply(request, 200, &unique_reply("g"));
    assert_eq!(log(), Vec::<String>::new(), "no onuniqueid, no connection");

    // A failure after `disconnect()` is not reported either; a new call works again.
    m(7, "connectUnique", "[]");
    fire(id_of(&log(), "microtask"));
    let request = id_of(&log(), "fetch");
    m(7, "disconnect", "[]");
    log();
    reply(request, 0, "");
    assert_eq!(log(), Vec::<String>::new());
    m(7, "connectUnique", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, &unique_reply("g"));
    assert!(has(&log(), r#"emit 7 onuniqueid ["42",300]"#));
}

#[test]
fn extend_unique_renews_the_guest_token_without_reconnecting() {
    let socket = connected_unique();
    m(7, "extendUnique", "[]");
    fire(id_of(&log(), "microtask"));
    let lines = log();
    let request = id_of(&lines, "fetch");
    assert_eq!(
        lines,
        [format!("fetch {request} GET https://presence.example/uniquevisitor?groupid=12345&visitorid=UNQ-42&guesttoken=g1 bearer= ")]
    );
    reply(request, 200, &unique_reply("g2"));
    assert_eq!(log(), [r#"emit 7 onuniqueid ["42",300]"#], "no reconnect");
    // The next connection presents the renewed token.
    closed(socket, 1006);
    fire(retry_timer(&log()).0);
    let socket = resolve(&log());
    opened(socket);
    assert_eq!(
        sent(&log(), socket),
        [
            r#"{"type":"connect","groupid":12345,"visitorid":"UNQ-42","guesttoken":"g2","version":"0.1.0"}"#
        ]
    );
}

#[test]
fn extend_unique_needs_a_unique_visitor() {
    page();
    new(1, 7, V1);
    m(7, "extendUnique", "[]");
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "extendUnique needs a unique visitor (connectUnique first)"
        )]
    );
    // A configured unique id without its guest token cannot be extended either.
    new(1, 8, r#"{"uniqueid":"42"}"#);
    m(8, "extendUnique", "[]");
    assert_eq!(
        log(),
        [onerror(
            8,
            "invalidparameter",
            "extendUnique needs a unique visitor (connectUnique first)"
        )]
    );
}

#[test]
fn a_failed_unique_request_reports_connfail() {
    for (status, body, detail) in [
        (0, "", "connection"),
        (500, "", "error"),
        (200, r#"{"visitorid":"UNQ-42"}"#, "error"),
    ] {
        page();
        new(1, 7, "{}");
        m(7, "connectUnique", "[]");
        let request = id_of(&through_settings(&log()), "fetch");
        reply(request, status, body);
        assert_eq!(log(), [onerror(7, "connfail", detail)], "{status} {body}");
    }
}

#[test]
fn a_new_unique_id_replaces_the_connected_visitor() {
    let socket = connected_visitor(7);
    m(7, "connectUnique", r#"[{"data":{"u":2}}]"#);
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, &unique_reply("g"));
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert_eq!(lines.last().unwrap(), r#"emit 7 onuniqueid ["42",300]"#);
    let socket = resolve(&lines);
    opened(socket);
    assert_eq!(
        sent(&log(), socket),
        [
            r#"{"type":"connect","groupid":12345,"visitorid":"UNQ-42","guesttoken":"g","version":"0.1.0"}"#
        ]
    );
    frame(
        socket,
        r#"{"type":"connected","data":{"groupid":12345,"visitorid":"UNQ-42"}}"#,
    );
    assert_eq!(
        sent(&log(), socket),
        [
            r#"{"type":"presence","data":{"url":"https://shop.example/","browser":"other","browserver":"","platform":"other","u":2}}"#
        ],
        "only the newest presence"
    );
}

#[test]
fn disconnect_stops_a_connect_unique_before_it_asks() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", "[]");
    let microtask = id_of(&log(), "microtask");
    m(7, "disconnect", "[]");
    assert_eq!(log(), [format!("release {microtask}")]);
    fire(microtask);
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "no settings lookup, no /uniquevisitor"
    );
    // Between the settings lookup and /uniquevisitor too.
    m(7, "connectUnique", "[]");
    fire(id_of(&log(), "microtask"));
    let settings = id_of(&log(), "fetch");
    m(7, "disconnect", "[]");
    assert_eq!(log(), [format!("release {settings}")]);
    reply(settings, 200, SETTINGS);
    assert_eq!(log(), Vec::<String>::new());
}
