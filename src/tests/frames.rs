//! Golden tests of the wire: the module writes the protocol crate's `ClientFrame`s and request
//! types through serde (`frames.rs`, `resolve.rs`, `auth.rs`, `agent.rs`), and reads server
//! frames by type over its free-form value (`frames::read`), because it relays types it has no
//! special handling for. Every client frame the module writes is the serde `ClientFrame` it
//! means, text and field order included; every `ServerFrame` serde writes reads back with
//! [`frames::read`]; the REST bodies the module sends are the protocol crate's request types,
//! and the replies as serde writes them are what the module reads. A change of the wire in
//! `protocol/` fails here until the module follows.

use super::support::*;
use crate::frames::{self, Incoming};
use crate::value::Value as Ours;
use crate::visitor::{checked_event, EventRule};
use glance_protocol::{
    AckData, AckId, AuthorizeRequest, ClientFrame, ConnectFrame, ConnectedData, ErrorBody,
    ErrorCode, ErrorData, FindReply, GroupId, InvokeData, JsonClientFrame, JsonServerFrame,
    PresenceReply, RedirectData, ServerFrame, SignalKind, SignalRequest, SockData, TermsData,
    TermsStatus, UniqueVisitor, Visibility, VisibilityData, VisitorEvent, VisitorId,
    VisitorSettings, VisitorSettingsExtra,
};
use serde_json::{json, Value};

/// The `version` the module sends in `connect`.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn group() -> GroupId {
    GroupId::new(12345).unwrap()
}

fn visitor_id(id: &str) -> VisitorId {
    VisitorId::parse(id).unwrap()
}

/// A serde value as the module's [`Ours`].
fn ours(value: &Value) -> Ours {
    crate::codec::parse(&value.to_string()).unwrap_or_else(|| panic!("the module refuses {value}"))
}

/// `text`, written by the module, is `expected` to the protocol crate, and is exactly the text
/// serde writes for `expected`.
fn client_golden(text: &str, expected: &JsonClientFrame) {
    let parsed = JsonClientFrame::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("the protocol crate refuses {text}: {e}"));
    assert_eq!(&parsed, expected, "{text}");
    assert_eq!(text, expected.to_json(), "the text of {expected:?}");
}

/// The client frame in `text` (sent by the module), as the protocol crate reads it.
fn client_frame(text: &str) -> JsonClientFrame {
    JsonClientFrame::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("the protocol crate refuses {text}: {e}"))
}

/// The visitor event `kind` with `data`, as the protocol crate names it.
fn visitor_event(kind: &str, data: Option<Value>) -> VisitorEvent<Value> {
    match kind {
        "visitorsessionstart" => VisitorEvent::SessionStart(data),
        "visitorsessionend" => VisitorEvent::SessionEnd(data),
        "visitorerror" => VisitorEvent::VisitorError(data),
        name => VisitorEvent::Custom {
            name: name.into(),
            data,
        },
    }
}

// -------------------------------------------------------------------------------------------------
// Client frames: what the module writes is what serde writes
// -------------------------------------------------------------------------------------------------

#[test]
fn connect_of_a_visitor_carries_its_guest_token() {
    client_golden(
        &frames::connect(12345, "UNQ-42", "guest.1", false).unwrap(),
        &ClientFrame::Connect(ConnectFrame {
            groupid: group(),
            visitorid: visitor_id("UNQ-42"),
            guesttoken: Some("guest.1".into()),
            authorization: None,
            version: Some(VERSION.into()),
        }),
    );
    client_golden(
        &frames::connect(u32::MAX, "v-1", "", false).unwrap(),
        &ClientFrame::Connect(ConnectFrame {
            groupid: GroupId::new(u32::MAX).unwrap(),
            visitorid: visitor_id("v-1"),
            guesttoken: None,
            authorization: None,
            version: Some(VERSION.into()),
        }),
    );
}

#[test]
fn connect_of_an_agent_carries_its_authorization() {
    client_golden(
        &frames::connect(12345, "v1", "eyJhbGciOi.x.y", true).unwrap(),
        &ClientFrame::Connect(ConnectFrame {
            groupid: group(),
            visitorid: visitor_id("v1"),
            guesttoken: None,
            authorization: Some("eyJhbGciOi.x.y".into()),
            version: Some(VERSION.into()),
        }),
    );
}

#[test]
fn keepalive() {
    client_golden(&frames::keepalive(), &ClientFrame::Keepalive);
}

#[test]
fn presence() {
    let map = json!({
        "url": "https://shop.example/a?b=1", "browser": "chrome", "browserver": "120",
        "platform": "win", "user-name": "Ann \"A\" \u{e9}", "n": 3, "x": -1.5, "ok": true, "none": null,
    });
    client_golden(
        &frames::event("presence", Some(ours(&map))),
        &ClientFrame::Presence(map),
    );
}

#[test]
fn visibility_hidden_and_visible() {
    for (hidden, visibility) in [(true, Visibility::Hidden), (false, Visibility::Visible)] {
        client_golden(
            &frames::visibility(hidden),
            &ClientFrame::Visibility(VisibilityData { visibility }),
        );
    }
}

#[test]
fn terms_send_their_status_only() {
    for status in [
        TermsStatus::Displayed,
        TermsStatus::Accepted,
        TermsStatus::Declined,
    ] {
        for rule in [EventRule::Fire, EventRule::SignalAgent] {
            let given = json!({"status": status.as_str(), "other": 1});
            let data = checked_event("terms", Some(ours(&given)), rule).unwrap();
            client_golden(
                &frames::event("terms", data),
                &ClientFrame::Event(VisitorEvent::Terms(TermsData { status })),
            );
        }
    }
    // What the module refuses, the protocol crate refuses too.
    for refused in [json!({"status": "maybe"}), json!({}), json!({"status": 1})] {
        assert!(checked_event("terms", Some(ours(&refused)), EventRule::Fire).is_err());
        let text = json!({"type": "terms", "data": refused}).to_string();
        assert!(JsonClientFrame::parse(text.as_bytes()).is_err(), "{text}");
    }
    assert!(checked_event("terms", None, EventRule::Fire).is_err());
    assert!(JsonClientFrame::parse(br#"{"type":"terms"}"#).is_err());
}

#[test]
fn session_and_error_events_with_and_without_data() {
    let data = json!({"sessionkey": "1234", "n": [1, {"a": null}]});
    for kind in ["visitorsessionstart", "visitorsessionend", "visitorerror"] {
        for data in [Some(data.clone()), None] {
            let written = checked_event(kind, data.as_ref().map(ours), EventRule::Fire).unwrap();
            client_golden(
                &frames::event(kind, written),
                &ClientFrame::Event(visitor_event(kind, data)),
            );
        }
    }
}

#[test]
fn custom_events_with_and_without_data() {
    let data = json!({"cart": 3, "items": ["a", "b"], "note": "x\ny"});
    for name in ["c_cart", "c_a", "c_Checkout_2"] {
        for rule in [EventRule::Fire, EventRule::SignalAgent] {
            for data in [Some(data.clone()), None] {
                let written = checked_event(name, data.as_ref().map(ours), rule).unwrap();
                client_golden(
                    &frames::event(name, written),
                    &ClientFrame::Event(visitor_event(name, data)),
                );
            }
        }
    }
    // Names the module refuses, the protocol crate refuses too.
    for name in ["cart", "c_", "visitorsessionstartx"] {
        assert!(
            checked_event(name, None, EventRule::Fire).is_err(),
            "{name}"
        );
        let text = json!({"type": name}).to_string();
        assert!(JsonClientFrame::parse(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn signal_with_and_without_data() {
    let data = json!({"a": 1, "b": ["x", {"c": false}], "d": null});
    for id in [1, 7, u32::MAX] {
        client_golden(
            &frames::signal("signal", id, Some(ours(&data))),
            &ClientFrame::Signal {
                id: Some(AckId::Num(u64::from(id))),
                data: Some(data.clone()),
            },
        );
        client_golden(
            &frames::signal("signal", id, None),
            &ClientFrame::Signal {
                id: Some(AckId::Num(u64::from(id))),
                data: None,
            },
        );
    }
}

#[test]
fn invoke_with_and_without_args() {
    let args = json!({"x": 1, "y": {"z": "w"}});
    for func in [
        "GLANCE.Cobrowse.Visitor.showTerms",
        "GLANCE_COBROWSE.Custom.openChat",
    ] {
        client_golden(
            &frames::signal(
                "invoke",
                4,
                Some(frames::invoke_data(func, Some(ours(&args)))),
            ),
            &ClientFrame::Invoke {
                id: Some(AckId::Num(4)),
                data: InvokeData {
                    func: func.into(),
                    args: Some(args.clone()),
                },
            },
        );
        client_golden(
            &frames::signal("invoke", 5, Some(frames::invoke_data(func, None))),
            &ClientFrame::Invoke {
                id: Some(AckId::Num(5)),
                data: InvokeData {
                    func: func.into(),
                    args: None,
                },
            },
        );
    }
}

/// Each kind of client frame has a case above; a new kind fails to compile here until it has one.
#[allow(dead_code)]
fn every_client_frame_has_a_case(frame: &JsonClientFrame) {
    match frame {
        ClientFrame::Connect(_)
        | ClientFrame::Keepalive
        | ClientFrame::Presence(_)
        | ClientFrame::Visibility(_)
        | ClientFrame::Event(
            VisitorEvent::Terms(_)
            | VisitorEvent::SessionStart(_)
            | VisitorEvent::SessionEnd(_)
            | VisitorEvent::VisitorError(_)
            | VisitorEvent::Custom { .. },
        )
        | ClientFrame::Signal { .. }
        | ClientFrame::Invoke { .. } => {}
    }
}

// -------------------------------------------------------------------------------------------------
// Client frames as the module sends them, through the exports
// -------------------------------------------------------------------------------------------------

/// Visitor `v1` (page object 7) connected; its socket.
fn connected_visitor() -> u32 {
    page();
    new(1, 7, r#"{"visitorid":"v1"}"#);
    m(7, "connect", "[]");
    let socket = connect(7, &log());
    log();
    socket
}

/// Agent of `v1` with token `tok` (page object 5), connected; its socket.
fn connected_agent() -> u32 {
    page();
    m(0, "setToken", r#"["tok"]"#);
    new(0, 5, r#"{"visitorid":"v1"}"#);
    m(5, "connect", "[]");
    let socket = connect(5, &log());
    log();
    socket
}

#[test]
fn a_visitor_sends_protocol_frames() {
    let socket = connected_visitor();
    m(7, "presence", r#"[{"data":{"name":"Ann","n":3}}]"#);
    m(7, "signalVisibility", "[false]");
    m(7, "signalVisibility", "[true]");
    m(7, "fire", r#"["terms",{"status":"accepted","extra":1}]"#);
    m(7, "fire", r#"["visitorsessionstart",{"sessionkey":"k"}]"#);
    m(7, "fire", r#"["visitorerror"]"#);
    m(7, "signalAgent", r#"["c_cart",{"items":2}]"#);
    let sent = sent_on(&log(), socket);
    assert_eq!(sent.len(), 7, "{sent:#?}");
    let presence = client_frame(&sent[0]);
    let ClientFrame::Presence(map) = &presence else {
        panic!("{presence:?}")
    };
    assert_eq!(map["name"], "Ann");
    assert_eq!(map["n"], 3);
    assert_eq!(sent[0], presence.to_json());
    let visibility = |visibility| ClientFrame::Visibility(VisibilityData { visibility });
    client_golden(&sent[1], &visibility(Visibility::Hidden));
    client_golden(&sent[2], &visibility(Visibility::Visible));
    client_golden(
        &sent[3],
        &ClientFrame::Event(VisitorEvent::Terms(TermsData {
            status: TermsStatus::Accepted,
        })),
    );
    client_golden(
        &sent[4],
        &ClientFrame::Event(VisitorEvent::SessionStart(Some(json!({"sessionkey": "k"})))),
    );
    client_golden(
        &sent[5],
        &ClientFrame::Event(VisitorEvent::VisitorError(None)),
    );
    client_golden(
        &sent[6],
        &ClientFrame::Event(VisitorEvent::Custom {
            name: "c_cart".into(),
            data: Some(json!({"items": 2})),
        }),
    );
}

#[test]
fn an_agent_sends_protocol_frames_and_reads_protocol_acks() {
    let socket = connected_agent();
    m_opts(5, "signalVisitor", r#"[{"data":{"a":1}}]"#, 9);
    m_opts(5, "signalVisitor", "[{}]", 10);
    m_opts(
        5,
        "invokeVisitor",
        r#"[{"func":"GLANCE.x.y","args":{"b":2}}]"#,
        11,
    );
    m_opts(5, "invokeVisitor", r#"[{"func":"GLANCE.x.z"}]"#, 12);
    let sent = sent_on(&log(), socket);
    assert_eq!(sent.len(), 4, "{sent:#?}");
    let ids: Vec<AckId> =
        sent.iter()
            .map(|text| match client_frame(text) {
                ClientFrame::Signal { id: Some(id), .. }
                | ClientFrame::Invoke { id: Some(id), .. } => id,
                other => panic!("{other:?}"),
            })
            .collect();
    client_golden(
        &sent[0],
        &ClientFrame::Signal {
            id: Some(ids[0].clone()),
            data: Some(json!({"a": 1})),
        },
    );
    client_golden(
        &sent[1],
        &ClientFrame::Signal {
            id: Some(ids[1].clone()),
            data: None,
        },
    );
    let invoke = |id: &AckId, func: &str, args| ClientFrame::Invoke {
        id: Some(id.clone()),
        data: InvokeData {
            func: func.into(),
            args,
        },
    };
    client_golden(
        &sent[2],
        &invoke(&ids[2], "GLANCE.x.y", Some(json!({"b": 2}))),
    );
    client_golden(&sent[3], &invoke(&ids[3], "GLANCE.x.z", None));

    // The acks, as the server writes them, settle each call.
    let acks = [
        (AckData::ok(ids[0].clone()), r#"emit 9 onsuccess [] last"#),
        (
            AckData::refused(ids[1].clone(), ErrorCode::VisitorNotPresent),
            r#"emit 10 onfail ["visitornotpresent"] last"#,
        ),
        (
            AckData::refused(ids[2].clone(), ErrorCode::InvalidParameter),
            r#"emit 11 onfail ["invalidparameter"] last"#,
        ),
        (AckData::ok(ids[3].clone()), r#"emit 12 onsuccess [] last"#),
    ];
    for (ack, settled) in acks {
        frame(socket, &ServerFrame::<Value>::Ack(ack).to_json());
        let lines = log();
        assert!(has(&lines, settled), "{settled}: {lines:#?}");
    }
}

#[test]
fn null_payloads_are_written_as_serde_writes_them() {
    let socket = connected_agent();
    m_opts(5, "signalVisitor", r#"[{"data":null}]"#, 9);
    m_opts(
        5,
        "invokeVisitor",
        r#"[{"func":"GLANCE.x","args":null}]"#,
        10,
    );
    let sent = sent_on(&log(), socket);
    assert_eq!(sent.len(), 2, "{sent:#?}");
    for text in &sent {
        let parsed = client_frame(text);
        assert_eq!(*text, parsed.to_json());
    }
    // The same over REST: `{mtype:"signal", data:null}`.
    page();
    m(0, "setToken", r#"["tok"]"#);
    new(0, 5, r#"{"visitorid":"v1"}"#);
    m_opts(5, "signalVisitor", r#"[{"data":null}]"#, 9);
    let fetch = fetch_line(&through_settings(&log()), "/signalvisitor");
    let body: SignalRequest<Value> = serde_json::from_str(&fetch.body).unwrap();
    assert_eq!(fetch.body, serde_json::to_string(&body).unwrap());
}

// -------------------------------------------------------------------------------------------------
// Server frames: everything serde writes reads back
// -------------------------------------------------------------------------------------------------

/// `frame`, as the protocol crate writes it, reads back with its type, keepalive and data.
fn reads_back(frame: &JsonServerFrame) -> Incoming {
    let text = frame.to_json();
    let read = frames::read(&text).unwrap_or_else(|| panic!("the module refuses {text}"));
    let keepalive = match frame {
        ServerFrame::Connected { keepalive, .. } => *keepalive,
        _ => 25,
    };
    let data = serde_json::to_value(frame).unwrap().get("data").map(ours);
    assert_eq!(
        (read.kind(), read.data(), read.keepalive),
        (frame.kind(), data.as_ref(), keepalive),
        "{text}"
    );
    read
}

/// A whole number field of the frame's data (as the agent reads an ack's `id`).
fn whole_field(read: &Incoming, key: &str) -> Option<u32> {
    match read.field(key)? {
        Ours::Number(n) => crate::value::whole_u32(*n),
        _ => None,
    }
}

fn connected(keepalive: u32) -> JsonServerFrame {
    ServerFrame::Connected {
        keepalive,
        data: ConnectedData {
            groupid: group(),
            visitorid: visitor_id("v1"),
        },
    }
}

/// One frame of every kind the protocol crate has, with and without optional parts.
fn every_server_frame() -> Vec<JsonServerFrame> {
    let data = json!({"a": 1, "b": ["x", null], "c": {"d": true}});
    let invoke = |args| InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args,
    };
    vec![
        connected(25),
        connected(40),
        connected(0),
        connected(u32::MAX),
        ServerFrame::Ack(AckData::ok(AckId::Num(7))),
        ServerFrame::Ack(AckData::refused(
            AckId::Num(8),
            ErrorCode::VisitorNotPresent,
        )),
        ServerFrame::Ack(AckData::refused(
            AckId::Str("s9".into()),
            ErrorCode::InvalidParameter,
        )),
        ServerFrame::connfail(ErrorCode::Authorization),
        ServerFrame::error(ErrorCode::UnknownType, "unknown frame type: x"),
        ServerFrame::Error(ErrorData {
            error: ErrorCode::RateLimited,
            detail: None,
        }),
        ServerFrame::VisitorSock(SockData { connected: true }),
        ServerFrame::VisitorSock(SockData { connected: false }),
        ServerFrame::VisitorConn(SockData { connected: true }),
        ServerFrame::VisitorConn(SockData { connected: false }),
        ServerFrame::Presence(
            json!({"visitorpresent": true, "timestamp": 1_700_000_000_000_u64,
            "url": "https://a.example/", "browser": "chrome", "name": "Ann"}),
        ),
        ServerFrame::Visibility(VisibilityData {
            visibility: Visibility::Hidden,
        }),
        ServerFrame::Visibility(VisibilityData {
            visibility: Visibility::Visible,
        }),
        ServerFrame::Terms(TermsData {
            status: TermsStatus::Displayed,
        }),
        ServerFrame::Terms(TermsData {
            status: TermsStatus::Accepted,
        }),
        ServerFrame::Terms(TermsData {
            status: TermsStatus::Declined,
        }),
        ServerFrame::SessionStart(Some(json!({"sessionkey": "1234"}))),
        ServerFrame::SessionStart(None),
        ServerFrame::SessionEnd(Some(json!({"sessionkey": "1234"}))),
        ServerFrame::SessionEnd(None),
        ServerFrame::VisitorError(Some(json!({"error": "x"}))),
        ServerFrame::VisitorError(None),
        ServerFrame::Custom {
            name: "c_cart".into(),
            data: Some(data.clone()),
        },
        ServerFrame::Custom {
            name: "c_x".into(),
            data: None,
        },
        ServerFrame::Signal(Some(data.clone())),
        ServerFrame::Signal(None),
        ServerFrame::Invoke(invoke(Some(json!({"x": 1})))),
        ServerFrame::Invoke(invoke(None)),
        ServerFrame::Blur,
        ServerFrame::Redirect(RedirectData {
            direct: "node2.example:8443".into(),
        }),
        ServerFrame::ServerClose,
        ServerFrame::ScaleDown,
    ]
}

/// Each kind of server frame is in [`every_server_frame`]; a new kind fails to compile here until
/// it is.
#[allow(dead_code)]
fn every_server_frame_has_a_case(frame: &JsonServerFrame) {
    match frame {
        ServerFrame::Connected { .. }
        | ServerFrame::Error(_)
        | ServerFrame::Ack(_)
        | ServerFrame::VisitorSock(_)
        | ServerFrame::VisitorConn(_)
        | ServerFrame::Presence(_)
        | ServerFrame::Visibility(_)
        | ServerFrame::Terms(_)
        | ServerFrame::SessionStart(_)
        | ServerFrame::SessionEnd(_)
        | ServerFrame::VisitorError(_)
        | ServerFrame::Custom { .. }
        | ServerFrame::Signal(_)
        | ServerFrame::Invoke(_)
        | ServerFrame::Blur
        | ServerFrame::Redirect(_)
        | ServerFrame::ServerClose
        | ServerFrame::ScaleDown => {}
    }
}

#[test]
fn every_server_frame_reads_back() {
    let frames = every_server_frame();
    let mut kinds: Vec<_> = frames.iter().map(core::mem::discriminant).collect();
    kinds.dedup();
    assert_eq!(kinds.len(), 18, "one kind of frame is missing");
    for frame in &frames {
        reads_back(frame);
    }
}

#[test]
fn the_fields_the_module_reads_are_where_serde_writes_them() {
    for keepalive in [25, 40, 0, u32::MAX] {
        let read = reads_back(&connected(keepalive));
        assert_eq!(read.keepalive, keepalive);
        assert_eq!(
            read.payload(),
            ours(&json!({"groupid": 12345, "visitorid": "v1"}))
        );
    }

    let ok = reads_back(&ServerFrame::Ack(AckData::ok(AckId::Num(7))));
    assert_eq!(whole_field(&ok, "id"), Some(7));
    assert_eq!(ok.field("ok"), Some(&Ours::Bool(true)));
    assert_eq!(ok.text("error"), None);
    for code in [ErrorCode::VisitorNotPresent, ErrorCode::InvalidParameter] {
        let refused = reads_back(&ServerFrame::Ack(AckData::refused(AckId::Num(8), code)));
        assert_eq!(whole_field(&refused, "id"), Some(8));
        assert_eq!(refused.field("ok"), None);
        assert_eq!(refused.text("error"), Some(code.as_str()));
    }

    let connfail = reads_back(&ServerFrame::connfail(ErrorCode::Authorization));
    assert_eq!(connfail.text("error"), Some("connfail"));
    assert_eq!(connfail.text("detail"), Some("authorization"));

    for connected in [true, false] {
        for frame in [
            ServerFrame::VisitorSock(SockData { connected }),
            ServerFrame::VisitorConn(SockData { connected }),
        ] {
            assert_eq!(
                reads_back(&frame).field("connected"),
                Some(&Ours::Bool(connected))
            );
        }
    }

    let hidden = reads_back(&ServerFrame::Visibility(VisibilityData {
        visibility: Visibility::Hidden,
    }));
    assert_eq!(hidden.text("visibility"), Some("hidden"));
    let terms = reads_back(&ServerFrame::Terms(TermsData {
        status: TermsStatus::Declined,
    }));
    assert_eq!(terms.text("status"), Some("declined"));

    let invoke = reads_back(&ServerFrame::Invoke(InvokeData {
        func: "GLANCE.x".into(),
        args: Some(json!({"y": 1})),
    }));
    assert_eq!(invoke.text("func"), Some("GLANCE.x"));
    assert_eq!(invoke.field("args"), Some(&ours(&json!({"y": 1}))));

    let redirect = reads_back(&ServerFrame::Redirect(RedirectData {
        direct: "node2.example:8443".into(),
    }));
    assert_eq!(redirect.text("direct"), Some("node2.example:8443"));

    // Frames without data hand the page `{}`.
    for frame in [
        ServerFrame::Signal(None),
        ServerFrame::SessionStart(None),
        ServerFrame::Custom {
            name: "c_x".into(),
            data: None,
        },
        ServerFrame::Blur,
    ] {
        let read = reads_back(&frame);
        assert_eq!(read.data(), None);
        assert_eq!(read.payload(), Ours::Object(vec![]));
    }
}

#[test]
fn mtype_takes_precedence_over_type() {
    let cases = [
        (r#"{"type":"presence","mtype":"blur"}"#, "blur"),
        (r#"{"mtype":"scaledown","type":"serverclose"}"#, "scaledown"),
        (r#"{"mtype":null,"type":"blur"}"#, "blur"),
        (r#"{"mtype":"blur"}"#, "blur"),
        (r#"{"type":"blur","mtype":"c_x","data":{"a":1}}"#, "c_x"),
    ];
    for (text, kind) in cases {
        let serde = JsonServerFrame::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("the protocol crate refuses {text}: {e}"));
        assert_eq!(serde.kind(), kind, "{text}");
        let read = frames::read(text).unwrap_or_else(|| panic!("the module refuses {text}"));
        assert_eq!(read.kind(), kind, "{text}");
    }
}

#[test]
fn keepalive_defaults_to_25_as_in_the_protocol_crate() {
    let text = r#"{"type":"connected","data":{"groupid":12345,"visitorid":"v1"}}"#;
    assert_eq!(
        JsonServerFrame::parse(text.as_bytes()).unwrap(),
        connected(25)
    );
    assert_eq!(frames::read(text).unwrap().keepalive, 25);
}

#[test]
fn refuses_what_the_protocol_crate_refuses() {
    let refused = [
        // Not JSON, or not an object.
        "",
        "not json",
        r#"{"type":"blur""#,
        r#"{"type":"blur"} x"#,
        "null",
        "42",
        r#""blur""#,
        // No type.
        "{}",
        r#"{"data":{"a":1}}"#,
        r#"{"type":null}"#,
        r#"{"type":null,"mtype":null}"#,
        // A type that is not a string.
        r#"{"type":5}"#,
        r#"{"type":true}"#,
        r#"{"type":["blur"]}"#,
        r#"{"type":{"t":"blur"}}"#,
        r#"{"mtype":5,"type":"blur"}"#,
        r#"{"type":5,"mtype":"blur"}"#,
        // A keepalive that is not a whole u32.
        r#"{"type":"connected","keepalive":2.5,"data":{"groupid":12345,"visitorid":"v1"}}"#,
        r#"{"type":"connected","keepalive":-1,"data":{"groupid":12345,"visitorid":"v1"}}"#,
        r#"{"type":"connected","keepalive":4294967296,"data":{"groupid":12345,"visitorid":"v1"}}"#,
        r#"{"type":"connected","keepalive":"25","data":{"groupid":12345,"visitorid":"v1"}}"#,
        r#"{"type":"connected","keepalive":true,"data":{"groupid":12345,"visitorid":"v1"}}"#,
        r#"{"type":"blur","keepalive":0.5}"#,
    ];
    for text in refused {
        assert!(
            JsonServerFrame::parse(text.as_bytes()).is_err(),
            "the protocol crate reads {text}"
        );
        assert_eq!(frames::read(text), None, "the module reads {text}");
    }
    // A frame is a JSON object (§5). serde's derived reader also takes an array as the envelope's
    // fields in order, so the protocol crate reads this one; the module does not.
    assert_eq!(frames::read(r#"["blur"]"#), None);
}

#[test]
fn server_frames_reach_the_page() {
    let socket = connected_agent();
    let relayed = [
        (
            ServerFrame::VisitorConn(SockData { connected: true }),
            r#"emit 5 onvisitorconn [{"connected":true}]"#,
        ),
        (
            ServerFrame::Presence(json!({"visitorpresent": true, "name": "Ann"})),
            r#"emit 5 onpresence [{"visitorpresent":true,"name":"Ann"}]"#,
        ),
        (
            ServerFrame::Terms(TermsData {
                status: TermsStatus::Accepted,
            }),
            r#"emit 5 onterms [{"status":"accepted"}]"#,
        ),
        (
            ServerFrame::Custom {
                name: "c_cart".into(),
                data: None,
            },
            r#"emit 5 onc_cart [{}]"#,
        ),
        (
            ServerFrame::connfail(ErrorCode::Authorization),
            r#"emit 5 onerror [{"error":"connfail","detail":"authorization"}]"#,
        ),
    ];
    for (server_frame, emitted) in relayed {
        frame(socket, &server_frame.to_json());
        let lines = log();
        assert!(has(&lines, emitted), "{emitted}: {lines:#?}");
    }

    let socket = connected_visitor();
    let invoke = ServerFrame::<Value>::Invoke(InvokeData {
        func: "GLANCE.Custom.go".into(),
        args: Some(json!({"x": 1})),
    });
    frame(socket, &invoke.to_json());
    let lines = log();
    assert!(
        has(&lines, r#"call GLANCE.Custom.go [{"x":1,"remote":true}]"#),
        "{lines:#?}"
    );
    frame(socket, &ServerFrame::<Value>::Blur.to_json());
    let lines = log();
    assert!(has(&lines, "emit 7 onblur []"), "{lines:#?}");
    let redirect = ServerFrame::<Value>::Redirect(RedirectData {
        direct: "node3.example:9443".into(),
    });
    frame(socket, &redirect.to_json());
    let lines = log();
    assert!(
        has(&lines, " wss://node3.example:9443/visitorws"),
        "{lines:#?}"
    );
}

// -------------------------------------------------------------------------------------------------
// REST bodies
// -------------------------------------------------------------------------------------------------

/// The settings reply as the server writes it: `VisitorSettings` with `VisitorSettingsExtra`
/// flattened into it.
fn settings_reply(presence_url: &str, terms_url: Option<&str>) -> String {
    let mut reply = serde_json::to_value(VisitorSettings {
        presence_url: presence_url.into(),
        is_presence_load_balanced: true,
    })
    .unwrap();
    let extra = serde_json::to_value(VisitorSettingsExtra {
        terms_url: terms_url.map(Into::into),
    })
    .unwrap();
    if let (Value::Object(reply), Value::Object(extra)) = (&mut reply, extra) {
        reply.extend(extra);
    }
    reply.to_string()
}

/// Visitor `v1` (page object 7) asked to connect, with the settings lookup answered by `settings`.
fn visitor_after_settings(settings: &str) -> Vec<String> {
    page();
    new(1, 7, r#"{"visitorid":"v1"}"#);
    m(7, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let lookup = fetch_line(&log(), "/GetVisitorSettings3");
    assert_eq!(lookup.method, "GET");
    reply(lookup.id, 200, settings);
    log()
}

/// The terms URL the module kept from the settings reply.
fn kept_terms_url() -> Option<String> {
    crate::page::with(|p| p.shared.settings.first().and_then(|s| s.terms_url.clone()))
}

#[test]
fn the_settings_reply_gives_the_presence_host_and_terms_url() {
    let lines = visitor_after_settings(&settings_reply(
        "presence.example:8443",
        Some("https://t.example/terms"),
    ));
    let presence = fetch_line(&lines, "/presence?");
    assert_eq!(
        presence.url,
        "https://presence.example:8443/presence?groupid=12345&visitorid=v1"
    );
    assert_eq!(kept_terms_url().as_deref(), Some("https://t.example/terms"));

    // Without the extra field (the server skips it when the group has no terms URL).
    let reply = settings_reply("presence.example", None);
    assert!(!reply.contains("termsUrl"), "{reply}");
    let lines = visitor_after_settings(&reply);
    assert_eq!(
        fetch_line(&lines, "/presence?").url,
        "https://presence.example/presence?groupid=12345&visitorid=v1"
    );
    assert_eq!(kept_terms_url(), None);

    // Presence off for the group: no socket host to ask for.
    let lines = visitor_after_settings(&settings_reply("", None));
    assert!(!has(&lines, "/presence?"), "{lines:#?}");
}

#[test]
fn the_presence_reply_names_the_visitor_socket() {
    let lines = visitor_after_settings(&settings_reply("presence.example", None));
    let presence = fetch_line(&lines, "/presence?");
    assert_eq!(
        (presence.method.as_str(), presence.body.as_str()),
        ("POST", "{}")
    );
    let body = PresenceReply {
        directserver: "node1.example:9443".into(),
    };
    reply(presence.id, 200, &serde_json::to_string(&body).unwrap());
    let lines = log();
    assert!(
        has(&lines, " wss://node1.example:9443/visitorws"),
        "{lines:#?}"
    );
    let socket = id_of(&lines, "open");
    opened(socket);
    let sent = sent_on(&log(), socket);
    client_golden(
        &sent[0],
        &ClientFrame::Connect(ConnectFrame {
            groupid: group(),
            visitorid: visitor_id("v1"),
            guesttoken: None,
            authorization: None,
            version: Some(VERSION.into()),
        }),
    );
}

#[test]
fn the_find_reply_names_the_agent_socket() {
    page();
    m(0, "setToken", r#"["tok"]"#);
    new(0, 5, r#"{"visitorid":"v1"}"#);
    m(5, "connect", "[]");
    fire(id_of(&log(), "microtask"));
    let lookup = fetch_line(&log(), "/GetVisitorSettings3");
    reply(lookup.id, 200, &settings_reply("presence.example", None));
    let find = fetch_line(&log(), "/findvisitor");
    assert_eq!(
        (
            find.method.as_str(),
            find.url.as_str(),
            find.bearer.as_str()
        ),
        (
            "GET",
            "https://presence.example/findvisitor?groupid=12345&visitorid=v1",
            "tok"
        )
    );
    // Not found yet: the agent still opens its socket where the reply says.
    let body = FindReply {
        visitorfound: false,
        directserver: "node2.example:8443".into(),
        direct: "node2.example:8443".into(),
    };
    reply(find.id, 200, &serde_json::to_string(&body).unwrap());
    let lines = log();
    assert!(has(&lines, " wss://node2.example:8443/agent"), "{lines:#?}");
    let socket = id_of(&lines, "open");
    opened(socket);
    let sent = sent_on(&log(), socket);
    client_golden(
        &sent[0],
        &ClientFrame::Connect(ConnectFrame {
            groupid: group(),
            visitorid: visitor_id("v1"),
            guesttoken: None,
            authorization: Some("tok".into()),
            version: Some(VERSION.into()),
        }),
    );
    frame(socket, &connected(40).to_json());
    let lines = log();
    assert!(
        has(
            &lines,
            r#"emit 5 onconnected [{"groupid":12345,"visitorid":"v1"}]"#
        ),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("timer ") && l.ends_with(" 40000")),
        "{lines:#?}"
    );
}

#[test]
fn the_unique_visitor_reply_gives_the_id_and_guest_token() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", "[{}]");
    let lines = through_settings(&log());
    let unique = fetch_line(&lines, "/uniquevisitor");
    assert_eq!(
        (unique.method.as_str(), unique.url.as_str()),
        (
            "GET",
            "https://presence.example/uniquevisitor?groupid=12345"
        )
    );
    let body = UniqueVisitor {
        visitorid: visitor_id("UNQ-42"),
        uniqueid: "42".into(),
        guesttoken: "guest.42".into(),
        timeout: 300,
    };
    reply(unique.id, 200, &serde_json::to_string(&body).unwrap());
    let lines = log();
    assert!(has(&lines, r#"emit 7 onuniqueid ["42",300]"#), "{lines:#?}");
    fire(id_of(&lines, "microtask"));
    let presence = fetch_line(&log(), "/presence?");
    assert!(
        presence
            .url
            .ends_with("/presence?groupid=12345&visitorid=UNQ-42"),
        "{presence:?}"
    );
    reply(presence.id, 200, r#"{"directserver":"node1.example"}"#);
    let socket = id_of(&log(), "open");
    opened(socket);
    let sent = sent_on(&log(), socket);
    client_golden(
        &sent[0],
        &ClientFrame::Connect(ConnectFrame {
            groupid: group(),
            visitorid: visitor_id("UNQ-42"),
            guesttoken: Some("guest.42".into()),
            authorization: None,
            version: Some(VERSION.into()),
        }),
    );
}

/// What agent `v1` with token `tok`, not connected, sends for `method(args)` (options 9): its
/// `/signalvisitor` request.
fn rest_signal(method: &str, args: &str) -> FetchLine {
    page();
    m(0, "setToken", r#"["tok"]"#);
    new(0, 5, r#"{"visitorid":"v1"}"#);
    m_opts(5, method, args, 9);
    fetch_line(&through_settings(&log()), "/signalvisitor")
}

#[test]
fn signals_over_rest_are_signal_requests() {
    let request = |mtype, data| SignalRequest::<Value> { mtype, data };
    let cases = [
        (
            "signalVisitor",
            r#"[{"data":{"a":1,"b":["x",{"c":null}]}}]"#,
            request(
                SignalKind::Signal,
                Some(json!({"a": 1, "b": ["x", {"c": null}]})),
            ),
        ),
        ("signalVisitor", "[{}]", request(SignalKind::Signal, None)),
        (
            "invokeVisitor",
            r#"[{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{"x":1}}]"#,
            request(
                SignalKind::Invoke,
                Some(json!({"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {"x": 1}})),
            ),
        ),
        (
            "invokeVisitor",
            r#"[{"func":"GLANCE_COBROWSE.Custom.openChat"}]"#,
            request(
                SignalKind::Invoke,
                Some(json!({"func": "GLANCE_COBROWSE.Custom.openChat"})),
            ),
        ),
    ];
    for (method, args, expected) in cases {
        let fetch = rest_signal(method, args);
        assert_eq!(
            (
                fetch.method.as_str(),
                fetch.url.as_str(),
                fetch.bearer.as_str()
            ),
            (
                "POST",
                "https://presence.example/signalvisitor?groupid=12345&visitorid=v1",
                "tok"
            )
        );
        let body: SignalRequest<Value> = serde_json::from_str(&fetch.body)
            .unwrap_or_else(|e| panic!("the protocol crate refuses {}: {e}", fetch.body));
        assert_eq!(body, expected, "{method}({args})");
        assert_eq!(fetch.body, serde_json::to_string(&expected).unwrap());
        if let (SignalKind::Invoke, Some(data)) = (body.mtype, body.data) {
            // What the server turns into the visitor's `invoke` frame.
            let call: InvokeData<Value> = serde_json::from_value(data).unwrap();
            assert!(call.func.starts_with("GLANCE"), "{call:?}");
        }
        // The server's answers: `{}` accepted, 404 `{err:"visitornotpresent"}`.
        reply(fetch.id, 200, "{}");
        let lines = log();
        assert!(has(&lines, "emit 9 onsuccess [] last"), "{lines:#?}");
    }
    let fetch = rest_signal("signalVisitor", r#"[{"data":{"a":1}}]"#);
    let absent = ErrorBody {
        err: ErrorCode::VisitorNotPresent,
        msg: None,
    };
    reply(fetch.id, 404, &serde_json::to_string(&absent).unwrap());
    let lines = log();
    assert!(
        has(&lines, r#"emit 9 onfail ["visitornotpresent"] last"#),
        "{lines:#?}"
    );
}

/// The Authorize request of `GLANCE.Authorization.authorize(args)` (options 9).
fn authorize(args: &str) -> FetchLine {
    page();
    m_opts(0, "authorize", args, 9);
    fetch_line(&log(), "/rest/Authorize")
}

#[test]
fn authorize_sends_an_authorize_request() {
    let request = |partnerid: &str, partneruserid: &str, loginkey: &str| AuthorizeRequest {
        partnerid: partnerid.into(),
        partneruserid: partneruserid.into(),
        loginkey: loginkey.into(),
    };
    let cases = [
        (
            r#"[{"credentials":{"partnerid":"12345","partneruserid":"ann@x","loginkey":"$1$1700000000$abc"}}]"#,
            request("12345", "ann@x", "$1$1700000000$abc"),
        ),
        // Numbers as the original clients send them, as text.
        (
            r#"[{"credentials":{"partnerid":12345,"partneruserid":42,"loginkey":"$1$1$s"}}]"#,
            request("12345", "42", "$1$1$s"),
        ),
        // Without a partner id: the group's.
        (
            r#"[{"credentials":{"partneruserid":"ann","loginkey":"k"}}]"#,
            request("12345", "ann", "k"),
        ),
    ];
    for (args, expected) in cases {
        let fetch = authorize(args);
        assert_eq!((fetch.method.as_str(), fetch.bearer.as_str()), ("POST", ""));
        assert!(
            fetch.url.starts_with(
                "https://svc.example/services/AuthorizationService.svc/rest/Authorize?groupid=12345&service=presence&duration="
            ),
            "{fetch:?}"
        );
        let body: AuthorizeRequest = serde_json::from_str(&fetch.body)
            .unwrap_or_else(|e| panic!("the protocol crate refuses {}: {e}", fetch.body));
        assert_eq!(body, expected, "{args}");
        assert_eq!(fetch.body, serde_json::to_string(&expected).unwrap());
    }
}

#[test]
fn the_authorize_reply_is_the_token_as_a_json_string() {
    let fetch = authorize(r#"[{"credentials":{"partneruserid":"ann","loginkey":"k"}}]"#);
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJnIjoxfQ.c2ln";
    reply(fetch.id, 200, &serde_json::to_string(token).unwrap());
    let lines = log();
    assert!(has(&lines, "emit 9 onsuccess [] last"), "{lines:#?}");
    assert_eq!(
        m(0, "gettoken", "[]"),
        Some(serde_json::to_string(token).unwrap())
    );

    let fetch = authorize(r#"[{"credentials":{"partneruserid":"ann","loginkey":"k"}}]"#);
    let refused = ErrorBody {
        err: ErrorCode::Authorization,
        msg: Some("invalid login key".into()),
    };
    reply(fetch.id, 401, &serde_json::to_string(&refused).unwrap());
    let lines = log();
    assert!(
        has(&lines, r#"emit 9 onfail ["authorization"] last"#),
        "{lines:#?}"
    );
}
