//! `GLANCE.Presence.Visitor`'s calls (`src/visitor.rs`): presence limits, event rules of `fire`
//! and `signalAgent`, `setVisitorId`, invokes from agents and the frames relayed to the page.

use super::support::*;

const CUSTOM: &str =
    "custom event names start with c_ and have 1..62 more characters of A-Z a-z 0-9 _ -";

#[test]
fn presence_over_the_limits_sends_nothing() {
    page();
    new(1, 7, V1);
    let many: Vec<String> = (0..21).map(|i| format!(r#""k{i}":1"#)).collect();
    m(
        7,
        "presence",
        &format!(r#"[{{"data":{{{}}}}}]"#, many.join(",")),
    );
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "presence has more than 20 properties"
        )]
    );
    m(7, "presence", r#"[{"data":{"obj":{"a":1}}}]"#);
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "presence value of 'obj' must be a string or a number"
        )]
    );
    let long = "x".repeat(2001);
    m(
        7,
        "presence",
        &format!(r#"[{{"data":{{"note":"{long}"}}}}]"#),
    );
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "presence value of 'note' is longer than 2000 characters"
        )]
    );
    assert_eq!(m(7, "isconnected", "[]").as_deref(), Some("false"));
    // Nothing was queued either.
    m(7, "connect", "[]");
    let socket = resolve(&log());
    assert!(sent(&handshake(socket), socket).is_empty());
}

#[test]
fn a_visitor_without_an_id_cannot_connect() {
    page();
    new(1, 7, "{}");
    let refused = onerror(
        7,
        "invalidparameter",
        "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~",
    );
    m(7, "presence", "[]");
    assert_eq!(log(), std::slice::from_ref(&refused));
    m(7, "connect", "[]");
    assert_eq!(log(), std::slice::from_ref(&refused));
    m(7, "setVisitorId", r#"["not valid!"]"#);
    assert_eq!(log(), [refused]);
    m(7, "setVisitorId", "[42]");
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "a number is an id; not connected, so nothing else"
    );
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    assert!(has(&log(), "GetVisitorSettings3"));
}

#[test]
fn a_bad_configuration_refuses_every_call_but_disconnect() {
    page();
    crate::host::set_fact(
        crate::host::Read::GlobalConfig,
        "",
        Some(r#"{"ws":"https://svc.example"}"#),
    );
    new(1, 7, V1);
    m(7, "presence", "[]");
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "groupid must be a positive integer"
        )]
    );
    m(7, "fire", r#"["c_x",{}]"#);
    assert_eq!(
        log(),
        [onerror(
            7,
            "invalidparameter",
            "groupid must be a positive integer"
        )]
    );
    m(7, "disconnect", "[]");
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn set_visitor_id_reconnects_with_the_new_id() {
    let socket = connected_visitor(7);
    m(7, "setVisitorId", r#"["v1"]"#);
    assert_eq!(log(), Vec::<String>::new(), "the same id");
    m(7, "setVisitorId", r#"["v2"]"#);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    fire(id_of(&lines, "microtask"));
    let lines = log();
    assert!(
        has(&lines, "/presence?groupid=12345&visitorid=v2"),
        "{lines:#?}"
    );
    reply(id_of(&lines, "fetch"), 200, FOUND);
    let socket = id_of(&log(), "open");
    opened(socket);
    assert_eq!(
        sent(&log(), socket),
        [r#"{"type":"connect","groupid":12345,"visitorid":"v2","version":"0.1.0"}"#]
    );
}

#[test]
fn set_visitor_id_while_disconnected_only_records_it() {
    page();
    new(1, 7, V1);
    m(7, "setVisitorId", r#"["v2"]"#);
    assert_eq!(log(), Vec::<String>::new());
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    assert!(has(&log(), "visitorid=v2"));
}

#[test]
fn fire_and_signal_agent_follow_the_event_rules() {
    let socket = connected_visitor(7);
    let cases = [
        (
            "fire",
            r#"["visitorsessionstart",{"k":1}]"#,
            Ok(r#"{"type":"visitorsessionstart","data":{"k":1}}"#),
        ),
        (
            "fire",
            r#"["visitorerror"]"#,
            Ok(r#"{"type":"visitorerror"}"#),
        ),
        ("signalAgent", r#"["visitorsessionstart",{}]"#, Err(CUSTOM)),
        (
            "signalAgent",
            r#"["terms",{"status":"accepted","x":1}]"#,
            Ok(r#"{"type":"terms","data":{"status":"accepted"}}"#),
        ),
        (
            "fire",
            r#"["terms",{"status":"displayed"}]"#,
            Ok(r#"{"type":"terms","data":{"status":"displayed"}}"#),
        ),
        (
            "signalAgent",
            r#"["terms",{"status":"maybe"}]"#,
            Err("terms status must be displayed, accepted or declined"),
        ),
        ("signalAgent", r#"["terms"]"#, Err("terms needs {status}")),
        (
            "signalAgent",
            r#"["c_cart",{"n":1}]"#,
            Ok(r#"{"type":"c_cart","data":{"n":1}}"#),
        ),
        (
            "signalAgent",
            r#"["c_cart",null]"#,
            Ok(r#"{"type":"c_cart"}"#),
        ),
        ("signalAgent", r#"["cart",{}]"#, Err(CUSTOM)),
        ("fire", r#"["presence",{}]"#, Err(CUSTOM)),
        ("fire", "[]", Err(CUSTOM)),
    ];
    for (method, args, expected) in cases {
        m(7, method, args);
        let lines = log();
        match expected {
            Ok(frame) => assert_eq!(lines, [send_line(socket, frame)], "{method}{args}"),
            Err(detail) => assert_eq!(
                lines,
                [onerror(7, "invalidparameter", detail)],
                "{method}{args}"
            ),
        }
    }
}

#[test]
fn allowed_invokes_run_with_args_remote_true() {
    let socket = connected_visitor(7);
    let cases = [
        (
            r#"{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"a":1}}"#,
            r#"call GLANCE.Cobrowse.Visitor.showTerms [{"a":1,"remote":true}]"#,
        ),
        (
            r#"{"func":"GLANCE.Cobrowse.Visitor.showTerms"}"#,
            r#"call GLANCE.Cobrowse.Visitor.showTerms [{"remote":true}]"#,
        ),
        (
            r#"{"func":"GLANCE.x","args":null}"#,
            r#"call GLANCE.x [{"remote":true}]"#,
        ),
        (
            r#"{"func":"GLANCE_COBROWSE.Custom.go","args":{"remote":false}}"#,
            r#"call GLANCE_COBROWSE.Custom.go [{"remote":true}]"#,
        ),
    ];
    for (data, call) in cases {
        frame(socket, &format!(r#"{{"type":"invoke","data":{data}}}"#));
        assert_eq!(log(), [call], "{data}");
    }
    frame(
        socket,
        r#"{"type":"invoke","data":{"func":"GLANCE.missing"}}"#,
    );
    assert_eq!(
        log(),
        [
            r#"call GLANCE.missing [{"remote":true}]"#,
            "warn GLANCE.missing is not a function"
        ]
    );
}

#[test]
fn other_invokes_are_refused_and_logged() {
    let socket = connected_visitor(7);
    let refused = "' refused: not a GLANCE. or GLANCE_COBROWSE.Custom. function";
    let cases = [
        "window.alert",
        "GLANCEX.y",
        "GLANCE.__proto__.x",
        "GLANCE..x",
    ]
    .map(|func| (func, format!("warn invoke of '{func}{refused}")));
    for (func, warning) in cases {
        frame(
            socket,
            &format!(r#"{{"type":"invoke","data":{{"func":"{func}"}}}}"#),
        );
        assert_eq!(log(), [warning], "{func}");
    }
    frame(socket, r#"{"type":"invoke","data":{}}"#);
    assert_eq!(log(), ["warn ignored a frame of the wrong shape"]);
}

#[test]
fn server_frames_reach_their_handlers() {
    let socket = connected_visitor(7);
    let cases = [
        (
            r#"{"type":"signal","data":{"x":1}}"#,
            r#"emit 7 onsignal [{"x":1}]"#,
        ),
        (r#"{"type":"signal"}"#, "emit 7 onsignal [{}]"),
        (
            r#"{"mtype":"c_offer","type":"ignored","data":[1]}"#,
            "emit 7 onc_offer [[1]]",
        ),
        (r#"{"type":"future","data":null}"#, "emit 7 onfuture [{}]"),
        (
            r#"{"type":"error","data":{"error":"ratelimited"}}"#,
            r#"emit 7 onerror [{"error":"ratelimited"}]"#,
        ),
        (r#"{"type":"blur","data":{"x":1}}"#, "emit 7 onblur []"),
    ];
    for (text, line) in cases {
        frame(socket, text);
        assert_eq!(log(), [line], "{text}");
    }
    for text in [
        "not json",
        "[1]",
        r#"{"type":3}"#,
        r#"{"data":{}}"#,
        r#"{"type":"connected","keepalive":"x"}"#,
    ] {
        frame(socket, text);
        assert_eq!(log(), ["warn ignored a frame of the wrong shape"], "{text}");
    }
}

#[test]
fn a_configured_guest_token_goes_with_its_visitor_only() {
    page();
    new(1, 7, r#"{"uniqueid":"5","guesttoken":"gt"}"#);
    m(7, "connect", "[]");
    let socket = resolve(&log());
    opened(socket);
    assert_eq!(
        sent(&log(), socket),
        [
            r#"{"type":"connect","groupid":12345,"visitorid":"UNQ-5","guesttoken":"gt","version":"0.1.0"}"#
        ]
    );
    m(7, "setVisitorId", r#"["v2"]"#);
    let socket = resolve(&log());
    opened(socket);
    assert_eq!(
        sent(&log(), socket),
        [r#"{"type":"connect","groupid":12345,"visitorid":"v2","version":"0.1.0"}"#]
    );
}

#[test]
fn presence_data_json_cannot_carry_sends_nothing() {
    page();
    new(1, 7, V1);
    // The loader passes "" when JSON.stringify fails (a cycle, a BigInt).
    for method in ["presence", "connectUnique"] {
        m(7, method, "");
        assert_eq!(
            log(),
            [onerror(7, "invalidparameter", "presence data must be JSON")],
            "{method}"
        );
    }
}
