//! Golden tests: the exact JSON text of every WebSocket frame (§5), the frames exactly as the
//! original Glance clients send them, and the errors bad frames produce.
//!
//! Each golden test checks both directions: our value serializes to the literal text byte for byte,
//! and the literal text parses back to the same value.

use glance_protocol::{
    AckData, AckFloat, AckId, ClientFrame, CloseCode, ConnectFrame, ConnectedData, ErrorCode,
    ErrorData, FrameError, GroupId, InvokeData, JsonClientFrame, JsonServerFrame, RedirectData,
    ServerFrame, SockData, TermsData, TermsStatus, ValidationError, Visibility, VisibilityData,
    VisitorEvent, VisitorId,
};
use serde_json::{json, Value};

fn group() -> GroupId {
    GroupId::new(12345).unwrap()
}

fn visitor(id: &str) -> VisitorId {
    VisitorId::parse(id).unwrap()
}

fn parse_client(text: &str) -> JsonClientFrame {
    JsonClientFrame::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text} does not parse: {e}"))
}

fn parse_server(text: &str) -> JsonServerFrame {
    JsonServerFrame::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text} does not parse: {e}"))
}

/// `frame` is written as exactly `text`, and `text` reads back as `frame`.
fn client_golden(frame: JsonClientFrame, text: &str) {
    assert_eq!(frame.to_json(), text);
    assert_eq!(serde_json::to_string(&frame).unwrap(), text);
    assert_eq!(parse_client(text), frame, "parse-back of {text}");
}

/// `frame` is written as exactly `text`, and `text` reads back as `frame`.
fn server_golden(frame: JsonServerFrame, text: &str) {
    assert_eq!(frame.to_json(), text);
    assert_eq!(serde_json::to_string(&frame).unwrap(), text);
    assert_eq!(parse_server(text), frame, "parse-back of {text}");
}

/// The error a client frame is refused with.
fn client_error(text: &str) -> glance_protocol::ParseError {
    match JsonClientFrame::parse(text.as_bytes()) {
        Ok(frame) => panic!("{text} parsed as {frame:?}"),
        Err(e) => e,
    }
}

fn frame_error(text: &str) -> FrameError {
    match client_error(text) {
        glance_protocol::ParseError::Frame(f) => f,
        other => panic!("{text}: expected a frame error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Server → client frames
// ---------------------------------------------------------------------------------------------

#[test]
fn server_connected() {
    let data = ConnectedData {
        groupid: group(),
        visitorid: visitor("v1"),
    };
    server_golden(
        ServerFrame::Connected {
            keepalive: 25,
            data,
        },
        r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"v1"}}"#,
    );
}

#[test]
fn server_error() {
    server_golden(
        ServerFrame::connfail(ErrorCode::Authorization),
        r#"{"type":"error","data":{"error":"connfail","detail":"authorization"}}"#,
    );
    server_golden(
        ServerFrame::error(
            ErrorCode::InvalidParameter,
            "presence has more than 20 properties",
        ),
        r#"{"type":"error","data":{"error":"invalidparameter","detail":"presence has more than 20 properties"}}"#,
    );
    server_golden(
        ServerFrame::Error(ErrorData {
            error: ErrorCode::UnknownType,
            detail: None,
        }),
        r#"{"type":"error","data":{"error":"unknowntype"}}"#,
    );
}

#[test]
fn server_ack() {
    server_golden(
        ServerFrame::Ack(AckData::ok(AckId::Num(7))),
        r#"{"type":"ack","data":{"id":7,"ok":true}}"#,
    );
    server_golden(
        ServerFrame::Ack(AckData::refused(
            AckId::Num(7),
            ErrorCode::VisitorNotPresent,
        )),
        r#"{"type":"ack","data":{"id":7,"error":"visitornotpresent"}}"#,
    );
    server_golden(
        ServerFrame::Ack(AckData::ok(AckId::Str("s-1".into()))),
        r#"{"type":"ack","data":{"id":"s-1","ok":true}}"#,
    );
}

#[test]
fn server_visitor_sock_and_conn() {
    for connected in [true, false] {
        server_golden(
            ServerFrame::VisitorSock(SockData { connected }),
            &format!(r#"{{"type":"visitorsock","data":{{"connected":{connected}}}}}"#),
        );
        server_golden(
            ServerFrame::VisitorConn(SockData { connected }),
            &format!(r#"{{"type":"visitorconn","data":{{"connected":{connected}}}}}"#),
        );
    }
}

#[test]
fn server_presence_keeps_key_order() {
    let data = json!({"visitorpresent": true, "timestamp": 1700000000000u64, "url": "https://a.example/x?y=1",
        "browser": "chrome", "browserver": "120", "platform": "win", "name": "Ann"});
    server_golden(
        ServerFrame::Presence(data),
        r#"{"type":"presence","data":{"visitorpresent":true,"timestamp":1700000000000,"url":"https://a.example/x?y=1","browser":"chrome","browserver":"120","platform":"win","name":"Ann"}}"#,
    );
}

#[test]
fn server_visibility_and_terms() {
    server_golden(
        ServerFrame::Visibility(VisibilityData {
            visibility: Visibility::Hidden,
        }),
        r#"{"type":"visibility","data":{"visibility":"hidden"}}"#,
    );
    server_golden(
        ServerFrame::Visibility(VisibilityData {
            visibility: Visibility::Visible,
        }),
        r#"{"type":"visibility","data":{"visibility":"visible"}}"#,
    );
    for (status, text) in [
        (TermsStatus::Displayed, "displayed"),
        (TermsStatus::Accepted, "accepted"),
        (TermsStatus::Declined, "declined"),
    ] {
        server_golden(
            ServerFrame::Terms(TermsData { status }),
            &format!(r#"{{"type":"terms","data":{{"status":"{text}"}}}}"#),
        );
    }
}

#[test]
fn server_session_events() {
    server_golden(
        ServerFrame::SessionStart(Some(json!({"sessionkey": "v1"}))),
        r#"{"type":"visitorsessionstart","data":{"sessionkey":"v1"}}"#,
    );
    server_golden(
        ServerFrame::SessionStart(None),
        r#"{"type":"visitorsessionstart"}"#,
    );
    server_golden(
        ServerFrame::SessionEnd(Some(json!({"sessionkey": "v1"}))),
        r#"{"type":"visitorsessionend","data":{"sessionkey":"v1"}}"#,
    );
    server_golden(
        ServerFrame::SessionEnd(None),
        r#"{"type":"visitorsessionend"}"#,
    );
    server_golden(
        ServerFrame::VisitorError(Some(json!({"msg": "boom"}))),
        r#"{"type":"visitorerror","data":{"msg":"boom"}}"#,
    );
    server_golden(
        ServerFrame::VisitorError(None),
        r#"{"type":"visitorerror"}"#,
    );
}

#[test]
fn server_custom_event() {
    server_golden(
        ServerFrame::Custom {
            name: "c_cart".into(),
            data: Some(json!({"items": 3})),
        },
        r#"{"type":"c_cart","data":{"items":3}}"#,
    );
    server_golden(
        ServerFrame::Custom {
            name: "c_ping".into(),
            data: None,
        },
        r#"{"type":"c_ping"}"#,
    );
}

#[test]
fn server_signal_and_invoke() {
    server_golden(
        ServerFrame::Signal(Some(json!({"x": 1}))),
        r#"{"type":"signal","data":{"x":1}}"#,
    );
    server_golden(ServerFrame::Signal(None), r#"{"type":"signal"}"#);
    let invoke = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args: Some(json!({})),
    };
    server_golden(
        ServerFrame::Invoke(invoke),
        r#"{"type":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{}}}"#,
    );
    let no_args = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.stopSession".into(),
        args: None,
    };
    server_golden(
        ServerFrame::Invoke(no_args),
        r#"{"type":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.stopSession"}}"#,
    );
}

#[test]
fn server_control_frames() {
    server_golden(ServerFrame::Blur, r#"{"type":"blur"}"#);
    server_golden(ServerFrame::ServerClose, r#"{"type":"serverclose"}"#);
    server_golden(ServerFrame::ScaleDown, r#"{"type":"scaledown"}"#);
    server_golden(
        ServerFrame::Redirect(RedirectData {
            direct: "pr0002.example.com:8443".into(),
        }),
        r#"{"type":"redirect","data":{"direct":"pr0002.example.com:8443"}}"#,
    );
}

#[test]
fn server_frame_errors() {
    assert!(matches!(
        JsonServerFrame::parse(br#"{"type":"nope"}"#),
        Err(glance_protocol::ParseError::Frame(FrameError::UnknownType(t))) if t == "nope"
    ));
    let missing = JsonServerFrame::parse(br#"{"type":"ack"}"#).unwrap_err();
    assert_eq!(missing.code(), ErrorCode::InvalidParameter);
    let wrong = JsonServerFrame::parse(br#"{"type":"visitorsock","data":{"connected":"yes"}}"#)
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::InvalidParameter);
}

// ---------------------------------------------------------------------------------------------
// Client → server frames
// ---------------------------------------------------------------------------------------------

fn connect(
    guesttoken: Option<&str>,
    authorization: Option<&str>,
    version: Option<&str>,
) -> JsonClientFrame {
    ClientFrame::Connect(ConnectFrame {
        groupid: group(),
        visitorid: visitor("v1"),
        guesttoken: guesttoken.map(str::to_owned),
        authorization: authorization.map(str::to_owned),
        version: version.map(str::to_owned),
    })
}

#[test]
fn client_connect() {
    client_golden(
        connect(None, None, Some("6.33.0")),
        r#"{"type":"connect","groupid":12345,"visitorid":"v1","version":"6.33.0"}"#,
    );
    client_golden(
        connect(None, None, None),
        r#"{"type":"connect","groupid":12345,"visitorid":"v1"}"#,
    );
    client_golden(
        connect(Some("gt"), Some("jwt"), Some("1.0")),
        r#"{"type":"connect","groupid":12345,"visitorid":"v1","guesttoken":"gt","authorization":"jwt","version":"1.0"}"#,
    );
}

#[test]
fn client_keepalive() {
    client_golden(ClientFrame::Keepalive, r#"{"type":"k"}"#);
}

#[test]
fn client_presence() {
    client_golden(
        ClientFrame::Presence(json!({"url": "https://a.example/", "platform": "mac", "n": 2})),
        r#"{"type":"presence","data":{"url":"https://a.example/","platform":"mac","n":2}}"#,
    );
}

#[test]
fn client_visibility() {
    client_golden(
        ClientFrame::Visibility(VisibilityData {
            visibility: Visibility::Hidden,
        }),
        r#"{"type":"visibility","data":{"visibility":"hidden"}}"#,
    );
    client_golden(
        ClientFrame::Visibility(VisibilityData {
            visibility: Visibility::Visible,
        }),
        r#"{"type":"visibility","data":{"visibility":"visible"}}"#,
    );
}

#[test]
fn client_events() {
    client_golden(
        ClientFrame::Event(VisitorEvent::Terms(TermsData {
            status: TermsStatus::Accepted,
        })),
        r#"{"type":"terms","data":{"status":"accepted"}}"#,
    );
    client_golden(
        ClientFrame::Event(VisitorEvent::SessionStart(Some(
            json!({"sessionkey": "v1"}),
        ))),
        r#"{"type":"visitorsessionstart","data":{"sessionkey":"v1"}}"#,
    );
    client_golden(
        ClientFrame::Event(VisitorEvent::SessionEnd(None)),
        r#"{"type":"visitorsessionend"}"#,
    );
    client_golden(
        ClientFrame::Event(VisitorEvent::VisitorError(Some(json!({"msg": "x"})))),
        r#"{"type":"visitorerror","data":{"msg":"x"}}"#,
    );
    client_golden(
        ClientFrame::Event(VisitorEvent::Custom {
            name: "c_cart".into(),
            data: Some(json!({"sku": "A-1"})),
        }),
        r#"{"type":"c_cart","data":{"sku":"A-1"}}"#,
    );
}

#[test]
fn client_signal() {
    client_golden(
        ClientFrame::Signal {
            id: Some(AckId::Num(7)),
            data: Some(json!({"x": 1})),
        },
        r#"{"type":"signal","id":7,"data":{"x":1}}"#,
    );
    client_golden(
        ClientFrame::Signal {
            id: None,
            data: None,
        },
        r#"{"type":"signal"}"#,
    );
}

/// Every JSON scalar is an ack id, and the ack carries it back as the same JSON text.
#[test]
fn ack_ids_are_any_json_scalar() {
    let cases = [
        (AckId::Num(7), "7"),
        (AckId::Num(u64::MAX), "18446744073709551615"),
        (AckId::Neg(-3), "-3"),
        (AckId::Float(AckFloat(1.5)), "1.5"),
        (AckId::Float(AckFloat(-0.25)), "-0.25"),
        (AckId::Bool(true), "true"),
        (AckId::Bool(false), "false"),
        (AckId::Str("s-1".into()), r#""s-1""#),
        (AckId::Str(String::new()), r#""""#),
    ];
    for (id, text) in cases {
        client_golden(
            ClientFrame::Signal {
                id: Some(id.clone()),
                data: None,
            },
            &format!(r#"{{"type":"signal","id":{text}}}"#),
        );
        client_golden(
            ClientFrame::Invoke {
                id: Some(id.clone()),
                data: InvokeData {
                    func: "GLANCE.f".into(),
                    args: None,
                },
            },
            &format!(r#"{{"type":"invoke","id":{text},"data":{{"func":"GLANCE.f"}}}}"#),
        );
        server_golden(
            ServerFrame::Ack(AckData::refused(id, ErrorCode::InvalidParameter)),
            &format!(r#"{{"type":"ack","data":{{"id":{text},"error":"invalidparameter"}}}}"#),
        );
    }
    // `null` is no id; an object or an array is not one.
    assert_eq!(
        parse_client(r#"{"type":"signal","id":null}"#),
        ClientFrame::Signal {
            id: None,
            data: None
        }
    );
    for id in ["{}", "[1]"] {
        let text = format!(r#"{{"type":"signal","id":{id}}}"#);
        assert!(JsonClientFrame::parse(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn client_invoke() {
    let data = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args: Some(json!({})),
    };
    client_golden(
        ClientFrame::Invoke {
            id: Some(AckId::Num(3)),
            data,
        },
        r#"{"type":"invoke","id":3,"data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{}}}"#,
    );
}

#[test]
fn visitor_event_kinds() {
    let kinds: Vec<String> = [
        VisitorEvent::<Value>::Terms(TermsData {
            status: TermsStatus::Declined,
        }),
        VisitorEvent::SessionStart(None),
        VisitorEvent::SessionEnd(None),
        VisitorEvent::VisitorError(None),
        VisitorEvent::Custom {
            name: "c_x".into(),
            data: None,
        },
    ]
    .iter()
    .map(|e| e.kind().to_owned())
    .collect();
    assert_eq!(
        kinds,
        [
            "terms",
            "visitorsessionstart",
            "visitorsessionend",
            "visitorerror",
            "c_x"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Frames exactly as the original clients send them
// ---------------------------------------------------------------------------------------------

#[test]
fn original_connect_with_numeric_or_string_group() {
    let expected = connect(None, None, Some("6.33.0"));
    let numeric = r#"{"type":"connect","groupid":12345,"visitorid":"v1","version":"6.33.0"}"#;
    let string = r#"{"type":"connect","groupid":"12345","visitorid":"v1","version":"6.33.0"}"#;
    assert_eq!(parse_client(numeric), expected);
    assert_eq!(parse_client(string), expected);
    // Whatever form came in, the group goes out as a number.
    assert_eq!(parse_client(string).to_json(), numeric);
}

#[test]
fn original_frames_with_extra_fields() {
    // Unknown fields (timestamps, client flags) are ignored.
    let text = r#"{"type":"connect","groupid":12345,"visitorid":"v1","version":"6.33.0","ts":1,"role":"visitor"}"#;
    assert_eq!(parse_client(text), connect(None, None, Some("6.33.0")));
    assert_eq!(
        parse_client(r#"{"type":"k","ts":17}"#),
        ClientFrame::Keepalive
    );
}

#[test]
fn original_keepalive() {
    assert_eq!(parse_client(r#"{"type":"k"}"#), ClientFrame::Keepalive);
    assert_eq!(parse_client(r#"{"mtype":"k"}"#), ClientFrame::Keepalive);
}

#[test]
fn mtype_wins_over_type() {
    assert_eq!(
        parse_client(r#"{"type":"signal","mtype":"signal","data":{"x":1}}"#),
        ClientFrame::Signal {
            id: None,
            data: Some(json!({"x": 1}))
        }
    );
    assert_eq!(
        parse_client(r#"{"type":"foo","mtype":"presence","data":{}}"#),
        ClientFrame::Presence(json!({}))
    );
    assert_eq!(
        parse_server(r#"{"type":"foo","mtype":"blur"}"#),
        ServerFrame::Blur
    );
}

#[test]
fn original_custom_events() {
    assert_eq!(
        parse_client(r#"{"type":"c_checkout","data":{"total":"19.99"}}"#),
        ClientFrame::Event(VisitorEvent::Custom {
            name: "c_checkout".into(),
            data: Some(json!({"total": "19.99"}))
        })
    );
    assert_eq!(
        parse_client(r#"{"type":"c_Step-2_done"}"#),
        ClientFrame::Event(VisitorEvent::Custom {
            name: "c_Step-2_done".into(),
            data: None
        })
    );
}

#[test]
fn original_invoke() {
    let frame = parse_client(
        r#"{"type":"invoke","id":3,"data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{}}}"#,
    );
    let data = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args: Some(json!({})),
    };
    assert_eq!(
        frame,
        ClientFrame::Invoke {
            id: Some(AckId::Num(3)),
            data
        }
    );
    let no_args =
        parse_client(r#"{"type":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.stopSession"}}"#);
    let data = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.stopSession".into(),
        args: None,
    };
    assert_eq!(no_args, ClientFrame::Invoke { id: None, data });
}

#[test]
fn original_terms_and_visibility() {
    assert_eq!(
        parse_client(r#"{"type":"terms","data":{"status":"displayed"}}"#),
        ClientFrame::Event(VisitorEvent::Terms(TermsData {
            status: TermsStatus::Displayed
        }))
    );
    assert_eq!(
        parse_client(r#"{"type":"visibility","data":{"visibility":"hidden"}}"#),
        ClientFrame::Visibility(VisibilityData {
            visibility: Visibility::Hidden
        })
    );
}

#[test]
fn binary_frames_holding_json_parse() {
    let bytes: Vec<u8> = br#"{"type":"k"}"#.to_vec();
    assert_eq!(
        JsonClientFrame::parse(&bytes).unwrap(),
        ClientFrame::Keepalive
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_type() {
    for text in [r#"{}"#, r#"{"data":{}}"#, r#"{"type":null}"#] {
        assert_eq!(frame_error(text), FrameError::MissingType, "{text}");
        assert_eq!(client_error(text).code(), ErrorCode::UnknownType, "{text}");
    }
}

#[test]
fn unknown_type() {
    assert_eq!(
        frame_error(r#"{"type":"foo"}"#),
        FrameError::UnknownType("foo".into())
    );
    // Server-only types are unknown to the client parser.
    for ty in ["blur", "ack", "connected", "serverclose", "K", ""] {
        let text = format!(r#"{{"type":"{ty}"}}"#);
        assert_eq!(
            frame_error(&text),
            FrameError::UnknownType(ty.into()),
            "{text}"
        );
        assert_eq!(client_error(&text).code(), ErrorCode::UnknownType, "{text}");
    }
}

#[test]
fn bad_visibility() {
    for text in [
        r#"{"type":"visibility","data":{"visibility":"minimized"}}"#,
        r#"{"type":"visibility","data":{"visibility":"Hidden"}}"#,
        r#"{"type":"visibility","data":{}}"#,
        r#"{"type":"visibility","data":"hidden"}"#,
        r#"{"type":"visibility"}"#,
    ] {
        assert!(
            matches!(frame_error(text), FrameError::Invalid { ty, .. } if ty == "visibility"),
            "{text}"
        );
        assert_eq!(
            client_error(text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
}

#[test]
fn bad_terms_status() {
    for text in [
        r#"{"type":"terms","data":{"status":"maybe"}}"#,
        r#"{"type":"terms","data":{"status":1}}"#,
        r#"{"type":"terms","data":{}}"#,
        r#"{"type":"terms"}"#,
    ] {
        assert!(
            matches!(frame_error(text), FrameError::Invalid { ty, .. } if ty == "terms"),
            "{text}"
        );
        assert_eq!(
            client_error(text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
}

#[test]
fn invalid_json() {
    let texts: [&[u8]; 6] = [
        b"",
        b"not json",
        br#"{"type":"#,
        br#"{"type":"k"} x"#,
        br#"{"type":"k",}"#,
        b"{\"type\":\"\xff\"}",
    ];
    for text in texts {
        let err = JsonClientFrame::parse(text).unwrap_err();
        assert!(
            matches!(err, glance_protocol::ParseError::Json(_)),
            "{text:?}"
        );
        assert_eq!(err.code(), ErrorCode::InvalidJson, "{text:?}");
    }
}

#[test]
fn wrong_shapes() {
    // JSON, but not a frame object.
    for text in [
        r#"[1,2]"#,
        r#""k""#,
        r#"42"#,
        r#"null"#,
        r#"{"type":5}"#,
        // Any scalar is an ack id (see `ack_ids_are_any_json_scalar`); a structure is not.
        r#"{"type":"signal","id":{"n":1}}"#,
    ] {
        assert_eq!(
            client_error(text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
    // Bad connect fields.
    for text in [
        r#"{"type":"connect","visitorid":"v1"}"#,
        r#"{"type":"connect","groupid":12345}"#,
        r#"{"type":"connect","groupid":0,"visitorid":"v1"}"#,
        r#"{"type":"connect","groupid":"abc","visitorid":"v1"}"#,
        r#"{"type":"connect","groupid":12345,"visitorid":"a b"}"#,
        r#"{"type":"connect","groupid":12345,"visitorid":""}"#,
    ] {
        assert_eq!(
            client_error(text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
    assert_eq!(
        frame_error(r#"{"type":"connect","visitorid":"v1"}"#),
        FrameError::Invalid {
            ty: "connect".into(),
            reason: ValidationError::GroupId
        }
    );
    assert_eq!(
        frame_error(r#"{"type":"connect","groupid":12345}"#),
        FrameError::Invalid {
            ty: "connect".into(),
            reason: ValidationError::VisitorId
        }
    );
    // Payloads a type requires.
    for text in [
        r#"{"type":"presence"}"#,
        r#"{"type":"invoke"}"#,
        r#"{"type":"invoke","data":{"args":{}}}"#,
        r#"{"type":"invoke","data":{"func":7}}"#,
    ] {
        assert!(
            matches!(frame_error(text), FrameError::Invalid { .. }),
            "{text}"
        );
        assert_eq!(
            client_error(text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
}

#[test]
fn bad_custom_event_names() {
    for name in ["c_", "c_a b", "c_é", "c_a.b"] {
        let text = format!(r#"{{"type":"{name}","data":{{}}}}"#);
        assert_eq!(
            frame_error(&text),
            FrameError::Invalid {
                ty: name.into(),
                reason: ValidationError::CustomEventName
            },
            "{text}"
        );
        assert_eq!(
            client_error(&text).code(),
            ErrorCode::InvalidParameter,
            "{text}"
        );
    }
    let too_long = format!(r#"{{"type":"c_{}"}}"#, "x".repeat(63));
    assert_eq!(client_error(&too_long).code(), ErrorCode::InvalidParameter);
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

#[test]
fn error_codes_spell_the_same_everywhere() {
    use ErrorCode::*;
    let all = [
        (Authorization, "authorization"),
        (Origin, "origin"),
        (InvalidParameter, "invalidparameter"),
        (VisitorNotPresent, "visitornotpresent"),
        (UnknownGroup, "unknowngroup"),
        (ServiceUnavailable, "serviceunavailable"),
        (RateLimited, "ratelimited"),
        (SlowConsumer, "slowconsumer"),
        (FrameTooLarge, "frametoolarge"),
        (InvalidJson, "invalidjson"),
        (UnknownType, "unknowntype"),
        (ExpectedConnect, "expectedconnect"),
        (Timeout, "timeout"),
        (Connfail, "connfail"),
        (Error, "error"),
    ];
    for (code, text) in all {
        assert_eq!(code.as_str(), text);
        assert_eq!(code.to_string(), text);
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{text}\""));
        assert_eq!(
            serde_json::from_str::<ErrorCode>(&format!("\"{text}\"")).unwrap(),
            code
        );
    }
}

#[test]
fn close_codes() {
    assert_eq!(CloseCode::BadRequest as u16, 4400);
    assert_eq!(CloseCode::Authorization as u16, 4401);
    assert_eq!(CloseCode::Origin as u16, 4403);
    assert_eq!(CloseCode::TooMany as u16, 4429);
    assert_eq!(CloseCode::Draining as u16, 4503);
    assert_eq!(CloseCode::ProtocolError as u16, 1002);
    assert_eq!(CloseCode::InvalidData as u16, 1007);
}
