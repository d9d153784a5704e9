//! `GLANCE.Presence.Agent`'s connection (`src/agent.rs`): the token in `connect`, the visitor's
//! events relayed to the page, refusals, 503, `setVisitorId`, `serverclose`, window events.

use super::support::*;

/// An agent `id` watching `v1` on a fresh page holding [`TOKEN`], asked to connect. Returns the
/// log of the call.
fn connecting(id: u32) -> Vec<String> {
    page();
    m(0, "setToken", &format!(r#"["{TOKEN}"]"#));
    new(0, id, V1);
    m(id, "connect", "[]");
    log()
}

/// Runs the resolve step `lines` started up to the `/findvisitor` request; returns its id.
fn findvisitor(lines: &[String]) -> u32 {
    fire(id_of(lines, "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    let lines = log();
    id_of(&lines, "fetch")
}

fn gettoken() -> Option<String> {
    m(0, "gettoken", "[]")
}

#[test]
fn connect_opens_the_agent_socket_and_sends_the_token() {
    let lines = connecting(9);
    assert_eq!(lines[..2], ["listen true", "hold 9 true"], "{lines:#?}");
    let request = findvisitor(&lines);
    reply(
        request,
        200,
        r#"{"visitorfound":false,"directserver":"node1.example","direct":"node1.example"}"#,
    );
    let lines = log();
    let socket = id_of(&lines, "open");
    assert_eq!(lines, [format!("open {socket} wss://node1.example/agent")]);
    opened(socket);
    let lines = log();
    assert_eq!(
        sent(&lines, socket),
        [format!(
            r#"{{"type":"connect","groupid":12345,"visitorid":"v1","authorization":"{TOKEN}","version":"0.1.0"}}"#
        )]
    );
    frame(socket, CONNECTED);
    let lines = log();
    assert_eq!(
        emits(&lines, 9),
        [r#"onconnected [{"groupid":12345,"visitorid":"v1"}]"#]
    );
    assert_eq!(m(9, "isconnected", "[]").as_deref(), Some("true"));
}

#[test]
fn the_findvisitor_request_carries_the_token() {
    let lines = connecting(9);
    fire(id_of(&lines, "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    let lines = log();
    let request = id_of(&lines, "fetch");
    assert_eq!(
        lines,
        [format!("fetch {request} GET https://presence.example/findvisitor?groupid=12345&visitorid=v1 bearer={TOKEN} ")]
    );
}

#[test]
fn without_a_token_connect_is_refused_without_a_request() {
    page();
    new(0, 9, V1);
    m(9, "connect", "[]");
    let lines = log();
    assert!(
        emits(&lines, 9).is_empty(),
        "nothing runs inside the call: {lines:#?}"
    );
    fire(id_of(&lines, "microtask"));
    assert_eq!(
        log(),
        [
            "listen false",
            "hold 9 false",
            &onerror(9, "connfail", "authorization")
        ]
    );
}

#[test]
fn visitor_events_reach_their_handlers() {
    let socket = connected_agent(9);
    let cases = [
        (
            r#"{"type":"visitorconn","data":{"connected":true}}"#,
            r#"emit 9 onvisitorconn [{"connected":true}]"#,
        ),
        (
            r#"{"type":"visitorsock","data":{"connected":false}}"#,
            r#"emit 9 onvisitorsock [{"connected":false}]"#,
        ),
        (
            r#"{"type":"presence","data":{"url":"x"}}"#,
            r#"emit 9 onpresence [{"url":"x"}]"#,
        ),
        (
            r#"{"type":"visibility","data":{"visibility":"hidden"}}"#,
            r#"emit 9 onvisibility [{"visibility":"hidden"}]"#,
        ),
        (
            r#"{"type":"terms","data":{"status":"declined"}}"#,
            r#"emit 9 onterms [{"status":"declined"}]"#,
        ),
        (
            r#"{"type":"visitorsessionstart","data":{"sessionkey":"k"}}"#,
            r#"emit 9 onvisitorsessionstart [{"sessionkey":"k"}]"#,
        ),
        (
            r#"{"type":"visitorsessionend"}"#,
            "emit 9 onvisitorsessionend [{}]",
        ),
        (
            r#"{"type":"visitorerror","data":{"e":1}}"#,
            r#"emit 9 onvisitorerror [{"e":1}]"#,
        ),
        (r#"{"type":"c_cart"}"#, "emit 9 onc_cart [{}]"),
        (r#"{"type":"future","data":1}"#, "emit 9 onfuture [1]"),
        (
            r#"{"type":"error","data":{"error":"ratelimited"}}"#,
            r#"emit 9 onerror [{"error":"ratelimited"}]"#,
        ),
    ];
    for (text, line) in cases {
        frame(socket, text);
        assert_eq!(log(), [line], "{text}");
    }
    frame(socket, "{");
    assert_eq!(log(), ["warn ignored a frame of the wrong shape"]);
}

#[test]
fn a_401_on_findvisitor_clears_the_token_and_stops() {
    let lines = connecting(9);
    let request = findvisitor(&lines);
    reply(request, 401, r#"{"err":"authorization"}"#);
    let lines = log();
    assert_eq!(
        lines,
        [
            "listen false",
            "hold 9 false",
            &onerror(9, "connfail", "authorization")
        ]
    );
    assert_eq!(gettoken(), None);
    assert_eq!(m(0, "authorized", "[]").as_deref(), Some("false"));
    window(win::ONLINE);
    assert_eq!(log(), Vec::<String>::new(), "no retry");
}

#[test]
fn a_refusal_clears_only_the_token_it_used() {
    let lines = connecting(9);
    let request = findvisitor(&lines);
    // The page got a new token while the request with the old one was out.
    m(0, "setToken", r#"["NEWER"]"#);
    reply(request, 403, "");
    assert!(has(&log(), "connfail"));
    assert_eq!(gettoken().as_deref(), Some(r#""NEWER""#));
}

#[test]
fn a_4401_close_clears_the_token_and_other_refusals_do_not() {
    let lines = connecting(9);
    let socket = resolve(&lines);
    opened(socket);
    closed(socket, 4403);
    assert!(has(&log(), &onerror(9, "connfail", "error")));
    assert_eq!(gettoken().as_deref(), Some(r#""TOKEN""#));

    let lines = connecting(9);
    let socket = resolve(&lines);
    opened(socket);
    log();
    frame(
        socket,
        r#"{"type":"error","data":{"error":"connfail","detail":"authorization"}}"#,
    );
    assert_eq!(log(), [onerror(9, "connfail", "authorization")]);
    closed(socket, 4401);
    let lines = log();
    assert!(emits(&lines, 9).is_empty(), "reported once: {lines:#?}");
    assert!(has(&lines, "listen false"), "{lines:#?}");
    assert_eq!(gettoken(), None);
}

#[test]
fn a_connfail_frame_reports_only_documented_details() {
    let socket = connected_agent(9);
    frame(
        socket,
        r#"{"type":"error","data":{"error":"connfail","detail":"origin"}}"#,
    );
    assert_eq!(log(), [onerror(9, "connfail", "error")]);
}

#[test]
fn a_503_on_findvisitor_makes_the_agent_unavailable() {
    let lines = connecting(9);
    let request = findvisitor(&lines);
    reply(request, 503, "");
    assert_eq!(
        log(),
        [
            "listen false",
            "hold 9 false",
            &onerror(9, "connfail", "error")
        ]
    );
    m(9, "connect", "[]");
    assert_eq!(
        log(),
        [onerror(9, "connfail", "error")],
        "no further requests"
    );
    m_opts(9, "signalVisitor", r#"[{"data":{}}]"#, 50);
    assert_eq!(log(), [r#"emit 50 onfail ["serviceunavailable"] last"#]);
}

#[test]
fn set_visitor_id_reconnects_to_the_new_visitor() {
    let socket = connected_agent(9);
    m(9, "setVisitorId", r#"["v1"]"#);
    assert_eq!(log(), Vec::<String>::new(), "the same visitor");
    m(9, "setVisitorId", r#"["v2"]"#);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    fire(id_of(&lines, "microtask"));
    assert!(has(&log(), "/findvisitor?groupid=12345&visitorid=v2"));
    m(9, "setVisitorId", r#"["bad id"]"#);
    assert_eq!(
        log(),
        [onerror(
            9,
            "invalidparameter",
            "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~"
        )]
    );
}

#[test]
fn an_agent_without_a_visitor_cannot_connect() {
    page();
    m(0, "setToken", r#"["T"]"#);
    new(0, 9, "{}");
    m(9, "connect", "[]");
    assert_eq!(
        log(),
        [onerror(
            9,
            "invalidparameter",
            "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~"
        )]
    );
    m(9, "setVisitorId", r#"["v3"]"#);
    assert_eq!(log(), Vec::<String>::new(), "not connected: recorded only");
    m(9, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    assert!(has(&log(), "visitorid=v3"));
}

#[test]
fn uniqueid_names_the_unique_visitor() {
    page();
    m(0, "setToken", r#"["T"]"#);
    new(0, 9, r#"{"uniqueid":"42"}"#);
    m(9, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    assert!(has(
        &log(),
        "/findvisitor?groupid=12345&visitorid=UNQ-42 bearer=T"
    ));
}

#[test]
fn serverclose_fires_onclose_and_stays_closed() {
    let socket = connected_agent(9);
    frame(socket, r#"{"type":"serverclose"}"#);
    let lines = log();
    assert_eq!(lines[0], format!("release {socket}"), "{lines:#?}");
    assert_eq!(lines.last().unwrap(), "emit 9 onclose []");
    assert!(has(&lines, "listen false"), "{lines:#?}");
    window(win::ONLINE);
    set_hidden(false);
    assert_eq!(log(), Vec::<String>::new());
    assert_eq!(m(9, "isconnected", "[]").as_deref(), Some("false"));
}

#[test]
fn visible_wakes_a_waiting_agent_and_focus_or_hidden_do_nothing() {
    let socket = connected_agent(9);
    closed(socket, 1006);
    let retry = retry_timer(&log()).0;
    set_hidden(true);
    window(win::FOCUS);
    window(win::PAGEHIDE);
    window(win::PAGESHOW);
    assert_eq!(log(), Vec::<String>::new());
    set_hidden(false);
    let lines = log();
    assert_eq!(lines[0], format!("release {retry}"), "{lines:#?}");
    assert_eq!(starting(&lines, "microtask").len(), 1, "{lines:#?}");
}

#[test]
fn a_bad_configuration_refuses_connect() {
    page();
    crate::host::set_fact(
        crate::host::Read::GlobalConfig,
        "",
        Some(r#"{"groupid":"x","ws":"https://svc.example"}"#),
    );
    new(0, 9, V1);
    m(9, "connect", "[]");
    assert_eq!(
        log(),
        [onerror(
            9,
            "invalidparameter",
            "groupid must be a positive integer"
        )]
    );
    m(9, "disconnect", "[]");
    m(9, "setVisitorId", r#"["v2"]"#);
    assert_eq!(
        log(),
        [onerror(
            9,
            "invalidparameter",
            "groupid must be a positive integer"
        )]
    );
}
