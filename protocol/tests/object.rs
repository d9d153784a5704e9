//! The browser's codec ([`WireValue`]) against the serde form: the same field names, the same
//! shapes, the same refusals. Frames are checked in `golden.rs` (every golden frame goes through
//! both codecs); this file covers the REST bodies, the payloads handed to pages and the spellings.

use glance_protocol::{
    AckData, AckId, AuthorizeRequest, ConnectedData, ErrorCode, ErrorData, FindReply, FrameError,
    FromWire, GroupId, InvokeData, PresenceReply, ServerFrame, SignalKind, SignalRequest, SockData,
    TermsData, TermsStatus, ToWire, UniqueVisitor, Visibility, VisibilityData, VisitorId,
    VisitorSettings, VisitorSettingsExtra,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use std::fmt::Debug;

/// `text` reads as the same value through serde and through the object codec.
fn reads_alike<T: FromWire + DeserializeOwned + PartialEq + Debug>(text: &str) -> T {
    let by_serde: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let value: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        T::from_wire(&value).as_ref(),
        Some(&by_serde),
        "object codec of {text}"
    );
    by_serde
}

/// serde refuses `text`, and so does the object codec.
fn refused_alike<T: FromWire + DeserializeOwned + Debug>(text: &str) {
    assert!(
        serde_json::from_str::<T>(text).is_err(),
        "serde accepts {text}"
    );
    let value: Value = serde_json::from_str(text).unwrap();
    assert!(
        T::from_wire(&value).is_none(),
        "object codec accepts {text}"
    );
}

/// `value` is written as the same text through serde and through the object codec.
fn writes_alike<T: ToWire + Serialize>(value: &T) {
    assert_eq!(
        value.to_wire::<Value>().to_string(),
        serde_json::to_string(value).unwrap()
    );
}

#[test]
fn replies() {
    reads_alike::<VisitorSettings>(
        r#"{"presenceUrl":"p.example:443","isPresenceLoadBalanced":true}"#,
    );
    reads_alike::<VisitorSettings>(
        r#"{"presenceUrl":"","isPresenceLoadBalanced":true,"termsUrl":"https://t"}"#,
    );
    refused_alike::<VisitorSettings>(r#"{"presenceUrl":"p.example:443"}"#);
    refused_alike::<VisitorSettings>(r#"{"presenceUrl":null,"isPresenceLoadBalanced":true}"#);
    let extra = reads_alike::<VisitorSettingsExtra>(
        r#"{"presenceUrl":"","termsUrl":"https://t.example/terms"}"#,
    );
    assert_eq!(extra.terms_url.as_deref(), Some("https://t.example/terms"));
    reads_alike::<VisitorSettingsExtra>(r#"{"termsUrl":null}"#);
    reads_alike::<VisitorSettingsExtra>(r#"{}"#);
    refused_alike::<VisitorSettingsExtra>(r#"{"termsUrl":5}"#);
    reads_alike::<PresenceReply>(r#"{"directserver":"h:8080"}"#);
    refused_alike::<PresenceReply>(r#"{"direct":"h:8080"}"#);
    reads_alike::<FindReply>(r#"{"visitorfound":false,"directserver":"h:1","direct":"h:1"}"#);
    refused_alike::<FindReply>(r#"{"visitorfound":"no","directserver":"h:1","direct":"h:1"}"#);
    reads_alike::<UniqueVisitor>(
        r#"{"visitorid":"UNQ-4711","uniqueid":"4711","guesttoken":"g","timeout":300}"#,
    );
    refused_alike::<UniqueVisitor>(
        r#"{"visitorid":"UNQ-4711","uniqueid":"4711","guesttoken":"g","timeout":1.5}"#,
    );
    refused_alike::<UniqueVisitor>(
        r#"{"visitorid":"a b","uniqueid":"4711","guesttoken":"g","timeout":300}"#,
    );
}

#[test]
fn ids_as_serde_reads_them() {
    let connected = |text: &str| reads_alike::<ConnectedData>(text);
    assert_eq!(
        connected(r#"{"groupid":12345,"visitorid":"v1"}"#)
            .groupid
            .get(),
        12345
    );
    assert_eq!(
        connected(r#"{"groupid":"12345","visitorid":42}"#)
            .visitorid
            .as_str(),
        "42"
    );
    refused_alike::<ConnectedData>(r#"{"groupid":0,"visitorid":"v1"}"#);
    refused_alike::<ConnectedData>(r#"{"groupid":1.5,"visitorid":"v1"}"#);
    refused_alike::<ConnectedData>(r#"{"groupid":1,"visitorid":""}"#);
    reads_alike::<AckData>(r#"{"id":7,"ok":true}"#);
    reads_alike::<AckData>(r#"{"id":"s-1","error":"visitornotpresent"}"#);
    refused_alike::<AckData>(r#"{"id":-1,"ok":true}"#);
    refused_alike::<AckData>(r#"{"id":7,"error":"nosuchcode"}"#);
}

#[test]
fn requests() {
    writes_alike(&AuthorizeRequest {
        partnerid: "12345".into(),
        partneruserid: "agent-1".into(),
        loginkey: "$1$1$x".into(),
    });
    for (mtype, data) in [
        (SignalKind::Signal, Some(json!({"x": 1}))),
        (SignalKind::Invoke, None),
    ] {
        let request = SignalRequest { mtype, data };
        assert_eq!(
            request.to_wire_with(Value::clone).to_string(),
            serde_json::to_string(&request).unwrap()
        );
    }
    let call = InvokeData {
        func: "GLANCE.x".into(),
        args: Some(json!({"a": 1})),
    };
    assert_eq!(
        call.to_wire_with(Value::clone).to_string(),
        serde_json::to_string(&call).unwrap()
    );
}

#[test]
fn page_payloads() {
    writes_alike(&SockData { connected: true });
    writes_alike(&VisibilityData {
        visibility: Visibility::Hidden,
    });
    writes_alike(&TermsData {
        status: TermsStatus::Declined,
    });
    writes_alike(&ConnectedData {
        groupid: GroupId::new(7).unwrap(),
        visitorid: VisitorId::parse("v").unwrap(),
    });
    writes_alike(&ErrorData {
        error: ErrorCode::Connfail,
        detail: Some("authorization".into()),
    });
    writes_alike(&ErrorData {
        error: ErrorCode::InvalidParameter,
        detail: None,
    });
    reads_alike::<TermsData>(r#"{"status":"accepted"}"#);
    refused_alike::<TermsData>(r#"{"status":"maybe"}"#);
    reads_alike::<ErrorData>(r#"{"error":"connfail","detail":null}"#);
}

#[test]
fn spellings_match_serde() {
    let spelled = |v: &dyn erased::Spelled| v.serde_text();
    for code in ErrorCode::ALL {
        assert_eq!(spelled(&code), code.as_str());
        assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
    }
    for v in [Visibility::Visible, Visibility::Hidden] {
        assert_eq!(spelled(&v), v.as_str());
        assert_eq!(Visibility::parse(v.as_str()), Some(v));
    }
    for s in [
        TermsStatus::Displayed,
        TermsStatus::Accepted,
        TermsStatus::Declined,
    ] {
        assert_eq!(spelled(&s), s.as_str());
        assert_eq!(TermsStatus::parse(s.as_str()), Some(s));
    }
    for k in [SignalKind::Signal, SignalKind::Invoke] {
        assert_eq!(spelled(&k), k.as_str());
    }
}

#[test]
fn frame_refusals() {
    let read = |v: Value| ServerFrame::<Value>::from_wire(&v);
    assert_eq!(read(json!({"data": {}})), Err(FrameError::MissingType));
    assert_eq!(
        read(json!({"type": "nope"})),
        Err(FrameError::UnknownType("nope".into()))
    );
    assert!(matches!(
        read(json!({"type": "ack", "data": {"ok": true}})),
        Err(FrameError::Invalid { .. })
    ));
    assert!(matches!(
        read(json!({"type": 5})),
        Err(FrameError::Invalid { .. })
    ));
    assert!(matches!(
        read(json!({"type": "connected", "keepalive": -1, "data": {}})),
        Err(FrameError::Invalid { .. })
    ));
    // `mtype` wins over `type`, as in the serde form.
    assert_eq!(
        read(json!({"type": "k", "mtype": "blur"})),
        Ok(ServerFrame::Blur)
    );
    assert_eq!(
        read(json!({"type": "ack", "data": {"id": 3, "ok": true}})),
        Ok(ServerFrame::Ack(AckData::ok(AckId::Num(3))))
    );
}

mod erased {
    /// The JSON string serde writes for a unit enum value.
    pub trait Spelled {
        fn serde_text(&self) -> String;
    }
    impl<T: serde::Serialize> Spelled for T {
        fn serde_text(&self) -> String {
            serde_json::to_value(self)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        }
    }
}
