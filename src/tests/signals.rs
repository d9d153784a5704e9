//! An agent's one-shot calls (`src/agent.rs`, `src/resolve.rs`): signals and invokes over the
//! socket with an ack id and a 10 s ack timeout, over REST when the socket is not open;
//! `lookupVisitor` and `query`; what 401 and 503 do to the object.

use super::support::*;

const SIGNAL: &str = r#"[{"data":{"hello":1}}]"#;

/// A page holding [`TOKEN`] with agent 9 (`v1`) that is not connected.
fn agent() {
    page();
    m(0, "setToken", &format!(r#"["{TOKEN}"]"#));
    new(0, 9, V1);
}

/// Runs the request `lines` deferred to a microtask (answering the settings lookup first);
/// returns the request's log line.
fn request(lines: &[String]) -> String {
    fire(id_of(lines, "microtask"));
    let mut lines = log();
    if has(&lines, "GetVisitorSettings3") {
        reply(id_of(&lines, "fetch"), 200, SETTINGS);
        lines = log();
    }
    assert_eq!(lines.len(), 1, "{lines:#?}");
    lines[0].clone()
}

fn id(line: &str) -> u32 {
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn signals_go_over_rest_when_the_socket_is_not_open() {
    agent();
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let lines = log();
    let microtask = id_of(&lines, "microtask");
    assert_eq!(
        lines,
        [format!("microtask {microtask}"), "hold 9 true".into()],
        "held while it waits"
    );
    let line = request(&lines);
    assert_eq!(
        line,
        format!(
            r#"fetch {} POST https://presence.example/signalvisitor?groupid=12345&visitorid=v1 bearer={TOKEN} {{"mtype":"signal","data":{{"hello":1}}}}"#,
            id(&line)
        )
    );
    reply(id(&line), 200, "{}");
    assert_eq!(log(), ["hold 9 false", "emit 50 onsuccess [] last"]);

    m_opts(
        9,
        "invokeVisitor",
        r#"[{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"a":1}}]"#,
        51,
    );
    let line = request(&log());
    assert!(
        line.ends_with(r#"{"mtype":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"a":1}}}"#),
        "{line}"
    );
    reply(id(&line), 404, r#"{"err":"visitornotpresent"}"#);
    assert_eq!(
        log(),
        [
            "hold 9 false",
            r#"emit 51 onfail ["visitornotpresent"] last"#
        ]
    );
}

#[test]
fn rest_signal_failures_map_to_fail_codes() {
    for (status, code) in [
        (0, "connection"),
        (400, "invalidparameter"),
        (500, "error"),
        (403, "authorization"),
    ] {
        agent();
        m_opts(9, "signalVisitor", SIGNAL, 50);
        let line = request(&log());
        reply(id(&line), status, "");
        assert_eq!(
            emits(&log(), 50),
            [format!(r#"onfail ["{code}"] last"#)],
            "{status}"
        );
    }
}

#[test]
fn socket_signals_carry_an_ack_id() {
    let socket = connected_agent(9);
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let lines = log();
    let ack = timer_for(&lines, 10_000);
    assert_eq!(
        lines,
        [
            format!("timer {ack} 10000"),
            send_line(socket, r#"{"type":"signal","id":1,"data":{"hello":1}}"#),
        ]
    );
    frame(socket, r#"{"type":"ack","data":{"id":1,"ok":true}}"#);
    assert_eq!(
        log(),
        [format!("release {ack}"), "emit 50 onsuccess [] last".into()]
    );
    frame(socket, r#"{"type":"ack","data":{"id":1,"ok":true}}"#);
    assert_eq!(log(), Vec::<String>::new(), "a second ack is ignored");

    let refusals = [
        ("visitornotpresent", "visitornotpresent"),
        ("origin", "authorization"),
        ("frametoolarge", "invalidparameter"),
        ("serviceunavailable", "serviceunavailable"),
        ("whatever", "error"),
    ];
    for (n, (error, code)) in refusals.into_iter().enumerate() {
        let n = n + 2;
        m_opts(9, "signalVisitor", SIGNAL, 60 + n as u32);
        let lines = log();
        assert_eq!(
            sent(&lines, socket),
            [format!(
                r#"{{"type":"signal","id":{n},"data":{{"hello":1}}}}"#
            )]
        );
        frame(
            socket,
            &format!(r#"{{"type":"ack","data":{{"id":{n},"error":"{error}"}}}}"#),
        );
        assert_eq!(
            emits(&log(), 60 + n as u32),
            [format!(r#"onfail ["{code}"] last"#)],
            "{error}"
        );
    }
    m_opts(9, "signalVisitor", "[{}]", 70);
    assert_eq!(sent(&log(), socket), [r#"{"type":"signal","id":7}"#]);
    frame(socket, r#"{"type":"ack","data":{"id":7}}"#);
    assert_eq!(
        emits(&log(), 70),
        [r#"onfail ["error"] last"#],
        "neither ok nor error"
    );
}

#[test]
fn invoke_goes_out_with_its_id() {
    let socket = connected_agent(9);
    m_opts(
        9,
        "invokeVisitor",
        r#"[{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"a":1}}]"#,
        50,
    );
    assert_eq!(
        sent(&log(), socket),
        [
            r#"{"type":"invoke","id":1,"data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"a":1}}}"#
        ]
    );
    for func in [r#""window.alert""#, r#""GLANCE.constructor""#, "null"] {
        m_opts(9, "invokeVisitor", &format!(r#"[{{"func":{func}}}]"#), 51);
        assert_eq!(
            log(),
            [r#"emit 51 onfail ["invalidparameter"] last"#],
            "{func}"
        );
    }
}

#[test]
fn an_overdue_ack_fails_the_signal() {
    let socket = connected_agent(9);
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let ack = timer_for(&log(), 10_000);
    fire(ack);
    assert_eq!(log(), [r#"emit 50 onfail ["connection"] last"#]);
    frame(socket, r#"{"type":"ack","data":{"id":1,"ok":true}}"#);
    assert_eq!(log(), Vec::<String>::new(), "too late");
}

#[test]
fn losing_the_socket_fails_socket_signals_but_not_rest_ones() {
    agent();
    m_opts(9, "signalVisitor", SIGNAL, 40);
    let rest = request(&log());
    m(9, "connect", "[]");
    let socket = complete(&log());
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let ack = timer_for(&log(), 10_000);
    closed(socket, 1006);
    let lines = log();
    assert!(has(&lines, &format!("release {ack}")), "{lines:#?}");
    assert_eq!(emits(&lines, 50), [r#"onfail ["connection"] last"#]);
    assert!(emits(&lines, 40).is_empty(), "{lines:#?}");
    assert!((500..1000).contains(&retry_timer(&lines).1), "{lines:#?}");
    reply(id(&rest), 200, "{}");
    assert_eq!(emits(&log(), 40), ["onsuccess [] last"]);
}

#[test]
fn redirect_scaledown_and_set_visitor_id_fail_socket_signals() {
    let frames = [
        r#"{"type":"redirect","data":{"direct":"node2.example"}}"#,
        r#"{"type":"scaledown"}"#,
        r#"{"type":"serverclose"}"#,
    ];
    for text in frames {
        let socket = connected_agent(9);
        m_opts(9, "signalVisitor", SIGNAL, 50);
        log();
        frame(socket, text);
        assert_eq!(
            emits(&log(), 50),
            [r#"onfail ["connection"] last"#],
            "{text}"
        );
    }
    let _ = connected_agent(9);
    m_opts(9, "signalVisitor", SIGNAL, 50);
    log();
    m(9, "setVisitorId", r#"["v2"]"#);
    assert_eq!(emits(&log(), 50), [r#"onfail ["connection"] last"#]);
}

#[test]
fn signals_that_cannot_be_sent_fail_at_once() {
    agent();
    m_opts(9, "signalVisitor", "", 50);
    assert_eq!(
        log(),
        [r#"emit 50 onfail ["invalidparameter"] last"#],
        "JSON could not carry the data"
    );
    page();
    new(0, 9, "{}");
    m_opts(9, "signalVisitor", SIGNAL, 51);
    assert_eq!(
        log(),
        [r#"emit 51 onfail ["invalidparameter"] last"#],
        "no visitor"
    );
    m_opts(9, "lookupVisitor", "[{}]", 52);
    assert_eq!(
        log(),
        [r#"emit 52 onfail ["invalidparameter"] last"#],
        "no visitor"
    );
}

#[test]
fn without_a_token_a_signal_fails_with_authorization() {
    page();
    new(0, 9, V1);
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let lines = log();
    assert!(
        emits(&lines, 50).is_empty(),
        "not inside the call: {lines:#?}"
    );
    fire(id_of(&lines, "microtask"));
    assert_eq!(emits(&log(), 50), [r#"onfail ["authorization"] last"#]);
}

#[test]
fn a_503_makes_the_agent_unavailable() {
    agent();
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let line = request(&log());
    reply(id(&line), 503, "");
    assert_eq!(emits(&log(), 50), [r#"onfail ["serviceunavailable"] last"#]);
    m_opts(9, "signalVisitor", SIGNAL, 51);
    assert_eq!(
        log(),
        [r#"emit 51 onfail ["serviceunavailable"] last"#],
        "no request"
    );
    m_opts(9, "lookupVisitor", "[{}]", 52);
    assert_eq!(log(), [r#"emit 52 onfail ["serviceunavailable"] last"#]);
    m(9, "connect", "[]");
    assert_eq!(log(), [onerror(9, "connfail", "error")]);
}

/// Agent 9 connected once with [`TOKEN`] (so it knows the token its resolve step used), now
/// down.
fn agent_that_connected() {
    agent();
    m(9, "connect", "[]");
    let socket = complete(&log());
    closed(socket, 1006);
    log();
}

#[test]
fn a_refused_rest_signal_keeps_a_token_set_since() {
    agent_that_connected();
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let line = request(&log());
    assert!(line.contains(&format!("bearer={TOKEN}")), "{line}");
    m(0, "setToken", r#"["NEWER"]"#);
    reply(id(&line), 401, "");
    assert_eq!(emits(&log(), 50), [r#"onfail ["authorization"] last"#]);
    assert_eq!(m(0, "gettoken", "[]").as_deref(), Some(r#""NEWER""#));
}

#[test]
fn a_refused_rest_signal_of_an_agent_that_never_connected_keeps_a_token_set_since() {
    agent();
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let line = request(&log());
    assert!(line.contains(&format!("bearer={TOKEN}")), "{line}");
    m(0, "setToken", r#"["NEWER"]"#);
    reply(id(&line), 401, "");
    assert_eq!(emits(&log(), 50), [r#"onfail ["authorization"] last"#]);
    assert_eq!(m(0, "gettoken", "[]").as_deref(), Some(r#""NEWER""#));
}

#[test]
fn a_refused_rest_signal_clears_the_token_it_used() {
    agent_that_connected();
    m(0, "setToken", r#"["NEWER"]"#);
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let line = request(&log());
    assert!(line.contains("bearer=NEWER"), "{line}");
    reply(id(&line), 401, "");
    log();
    assert_eq!(m(0, "gettoken", "[]"), None, "the refused token goes");
}

#[test]
fn a_refused_lookup_keeps_a_token_set_since() {
    agent();
    m_opts(9, "lookupVisitor", "[{}]", 50);
    let line = request(&log());
    m(0, "setToken", r#"["NEWER"]"#);
    reply(id(&line), 401, "");
    assert_eq!(emits(&log(), 50), [r#"onfail ["authorization"] last"#]);
    assert_eq!(m(0, "gettoken", "[]").as_deref(), Some(r#""NEWER""#));
}

#[test]
fn lookup_visitor_and_query() {
    agent();
    m_opts(9, "lookupVisitor", "[{}]", 50);
    let lines = log();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("hold 9 true"),
        "the object stays until its callbacks have run"
    );
    let line = request(&lines);
    assert_eq!(
        line,
        format!("fetch {} GET https://presence.example/lookupvisitor?groupid=12345&visitorid=v1 bearer={TOKEN} ", id(&line))
    );
    reply(
        id(&line),
        200,
        r#"{"visitorid":"v1","visitorpresent":true}"#,
    );
    assert_eq!(
        log(),
        [
            "hold 9 false",
            r#"emit 50 onsuccess [{"visitorid":"v1","visitorpresent":true}] last"#
        ]
    );

    m_opts(9, "lookupVisitor", "[{}]", 51);
    let line = request(&log());
    reply(id(&line), 200, "");
    assert_eq!(
        log(),
        ["hold 9 false", "emit 51 onsuccess [{}] last"],
        "an empty body is {{}}"
    );

    m_opts(9, "query", r#"[{"visitorid":"v7"}]"#, 52);
    let line = request(&log());
    assert!(
        line.contains("GET https://presence.example/query?groupid=12345&visitorid=v7 bearer="),
        "{line}"
    );
    reply(id(&line), 404, "");
    assert_eq!(
        log(),
        [
            "hold 9 false",
            r#"emit 52 onfail ["visitornotpresent"] last"#
        ]
    );

    m_opts(9, "query", "[{}]", 53);
    let line = request(&log());
    assert!(
        line.contains("GET https://presence.example/query?groupid=12345 bearer="),
        "{line}"
    );
    reply(id(&line), 401, "");
    assert_eq!(
        log(),
        ["hold 9 false", r#"emit 53 onfail ["authorization"] last"#]
    );
    assert_eq!(m(0, "gettoken", "[]"), None, "a 401 clears the token");
}

#[test]
fn a_rest_signal_goes_to_the_visitor_of_the_call() {
    agent();
    m_opts(9, "signalVisitor", SIGNAL, 50);
    let lines = log();
    m(9, "setVisitorId", r#"["v2"]"#);
    let line = request(&lines);
    assert!(
        line.contains("/signalvisitor?groupid=12345&visitorid=v1 "),
        "{line}"
    );
}

#[test]
fn after_a_503_a_connected_agent_makes_no_further_requests() {
    agent();
    m(9, "connect", "[]");
    let socket = complete(&log());
    m_opts(9, "lookupVisitor", "[{}]", 50);
    let line = request(&log());
    reply(id(&line), 503, "");
    assert_eq!(emits(&log(), 50), [r#"onfail ["serviceunavailable"] last"#]);
    // The socket drops: the reconnect's resolve step asks nothing.
    closed(socket, 1006);
    let (retry, _) = retry_timer(&log());
    fire(retry);
    fire(id_of(&log(), "microtask"));
    let lines = log();
    assert!(!has(&lines, "fetch"), "{lines:#?}");
    assert!(!has(&lines, "open"), "{lines:#?}");
    // Neither does a new visitor.
    m(9, "setVisitorId", r#"["v2"]"#);
    let lines = log();
    for id in lines.iter().filter(|l| l.starts_with("microtask")) {
        fire(id.split(' ').nth(1).unwrap().parse().unwrap());
    }
    assert!(!has(&log(), "fetch"));
}

#[test]
fn signals_larger_than_the_server_takes_fail_at_once() {
    let big = "x".repeat(70_000);
    let data = format!(r#"[{{"data":"{big}"}}]"#);
    agent();
    m_opts(9, "signalVisitor", &data, 50);
    assert_eq!(
        log(),
        [r#"emit 50 onfail ["invalidparameter"] last"#],
        "REST"
    );
    let socket = connected_agent(9);
    m_opts(9, "signalVisitor", &data, 51);
    let lines = log();
    assert!(sent(&lines, socket).is_empty(), "{lines:#?}");
    assert_eq!(emits(&lines, 51), [r#"onfail ["invalidparameter"] last"#]);
}
