//! Golden tests of the HTTP API bodies (§4) and of query strings as the original clients build them.

use glance_protocol::{
    AuthorizeQuery, AuthorizeRequest, ErrorBody, ErrorCode, FindReply, GroupId, LookupReply,
    PresenceReply, QueriedVisitor, QueryReply, SignalKind, SignalRequest, UniqueVisitor,
    UniqueVisitorQuery, VisitorId, VisitorInfo, VisitorQuery, VisitorSettings,
    VisitorSettingsQuery,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use std::fmt::Debug;

/// `value` is written as exactly `text`, and `text` reads back as `value`.
fn golden<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T, text: &str) {
    assert_eq!(serde_json::to_string(&value).unwrap(), text);
    let back: T =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{text} does not parse: {e}"));
    assert_eq!(back, value, "parse-back of {text}");
}

fn query<T: DeserializeOwned>(q: &str) -> Result<T, serde_urlencoded::de::Error> {
    serde_urlencoded::from_str(q)
}

fn group() -> GroupId {
    GroupId::new(12345).unwrap()
}

fn visitor(id: &str) -> VisitorId {
    VisitorId::parse(id).unwrap()
}

#[test]
fn visitor_settings() {
    golden(
        VisitorSettings {
            presence_url: "presence.example.com:443".into(),
            is_presence_load_balanced: true,
        },
        r#"{"presenceUrl":"presence.example.com:443","isPresenceLoadBalanced":true}"#,
    );
    golden(
        VisitorSettings {
            presence_url: String::new(),
            is_presence_load_balanced: true,
        },
        r#"{"presenceUrl":"","isPresenceLoadBalanced":true}"#,
    );
}

#[test]
fn presence_reply() {
    golden(
        PresenceReply {
            directserver: "pr0001.example.com:8443".into(),
        },
        r#"{"directserver":"pr0001.example.com:8443"}"#,
    );
}

#[test]
fn lookup_reply_absent_is_empty_object() {
    golden(LookupReply::<Value> { visitor: None }, "{}");
}

#[test]
fn lookup_reply_present_is_flat() {
    let presence = json!({"visitorpresent": true, "timestamp": 1700000000000u64, "url": "https://a.example/",
        "browser": "firefox", "browserver": "121", "platform": "linux", "name": "Ann"});
    let info = VisitorInfo {
        visitorid: visitor("v1"),
        groupid: group(),
        directserver: "h.example:8080".into(),
        direct: "h.example:8080".into(),
        presence,
    };
    golden(
        LookupReply {
            visitor: Some(info),
        },
        r#"{"visitorid":"v1","groupid":12345,"directserver":"h.example:8080","direct":"h.example:8080","visitorpresent":true,"timestamp":1700000000000,"url":"https://a.example/","browser":"firefox","browserver":"121","platform":"linux","name":"Ann"}"#,
    );
}

#[test]
fn find_reply() {
    golden(
        FindReply {
            visitorfound: true,
            directserver: "h:8080".into(),
            direct: "h:8080".into(),
        },
        r#"{"visitorfound":true,"directserver":"h:8080","direct":"h:8080"}"#,
    );
    golden(
        FindReply {
            visitorfound: false,
            directserver: "h:8080".into(),
            direct: "h:8080".into(),
        },
        r#"{"visitorfound":false,"directserver":"h:8080","direct":"h:8080"}"#,
    );
}

#[test]
fn unique_visitor() {
    golden(
        UniqueVisitor {
            visitorid: VisitorId::unique(4711),
            uniqueid: "4711".into(),
            guesttoken: "gt.x-y".into(),
            timeout: 300,
        },
        r#"{"visitorid":"UNQ-4711","uniqueid":"4711","guesttoken":"gt.x-y","timeout":300}"#,
    );
}

#[test]
fn signal_request() {
    golden(
        SignalRequest {
            mtype: SignalKind::Signal,
            data: Some(json!({"x": 1})),
        },
        r#"{"mtype":"signal","data":{"x":1}}"#,
    );
    golden(
        SignalRequest {
            mtype: SignalKind::Invoke,
            data: Some(json!({"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {}})),
        },
        r#"{"mtype":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.showTerms","args":{}}}"#,
    );
    golden(
        SignalRequest::<Value> {
            mtype: SignalKind::Signal,
            data: None,
        },
        r#"{"mtype":"signal"}"#,
    );
    assert!(
        serde_json::from_str::<SignalRequest<Value>>(r#"{"mtype":"presence","data":{}}"#).is_err()
    );
    assert!(serde_json::from_str::<SignalRequest<Value>>(r#"{"data":{}}"#).is_err());
}

#[test]
fn query_reply() {
    let visitors = vec![
        QueriedVisitor {
            visitorid: visitor("v1"),
            presence: json!({"url": "https://a.example/", "name": "Ann"}),
        },
        QueriedVisitor {
            visitorid: visitor("UNQ-9"),
            presence: json!({}),
        },
    ];
    golden(
        QueryReply {
            visitors,
            cursor: None,
        },
        r#"{"visitors":[{"visitorid":"v1","url":"https://a.example/","name":"Ann"},{"visitorid":"UNQ-9"}]}"#,
    );
    golden(
        QueryReply::<Value> {
            visitors: vec![],
            cursor: None,
        },
        r#"{"visitors":[]}"#,
    );
}

#[test]
fn error_body() {
    golden(
        ErrorBody {
            err: ErrorCode::InvalidParameter,
            msg: Some("visitorid must be 1..100 characters".into()),
        },
        r#"{"err":"invalidparameter","msg":"visitorid must be 1..100 characters"}"#,
    );
    golden(
        ErrorBody {
            err: ErrorCode::Authorization,
            msg: None,
        },
        r#"{"err":"authorization"}"#,
    );
    golden(
        ErrorBody {
            err: ErrorCode::VisitorNotPresent,
            msg: None,
        },
        r#"{"err":"visitornotpresent"}"#,
    );
}

#[test]
fn authorize_request_partnerid_number_or_string() {
    let expected = AuthorizeRequest {
        partnerid: "12345".into(),
        partneruserid: "agent@example.com".into(),
        loginkey: "$1$1700000000$abc".into(),
    };
    let as_string = r#"{"partnerid":"12345","partneruserid":"agent@example.com","loginkey":"$1$1700000000$abc"}"#;
    let as_number =
        r#"{"partnerid":12345,"partneruserid":"agent@example.com","loginkey":"$1$1700000000$abc"}"#;
    golden(expected.clone(), as_string);
    assert_eq!(
        serde_json::from_str::<AuthorizeRequest>(as_number).unwrap(),
        expected
    );
    let numeric_user = r#"{"partnerid":12345.0,"partneruserid":42,"loginkey":"k"}"#;
    let parsed: AuthorizeRequest = serde_json::from_str(numeric_user).unwrap();
    assert_eq!(
        (parsed.partnerid.as_str(), parsed.partneruserid.as_str()),
        ("12345", "42")
    );
    assert!(
        serde_json::from_str::<AuthorizeRequest>(r#"{"partnerid":12345,"partneruserid":"a"}"#)
            .is_err()
    );
    assert!(serde_json::from_str::<AuthorizeRequest>(
        r#"{"partnerid":true,"partneruserid":"a","loginkey":"k"}"#
    )
    .is_err());
}

// ---------------------------------------------------------------------------------------------
// Query strings
// ---------------------------------------------------------------------------------------------

#[test]
fn visitor_query_as_original_clients_build_it() {
    let expected = VisitorQuery {
        groupid: group(),
        visitorid: visitor("v1"),
    };
    for q in [
        "groupid=12345&visitorid=v1&&ver=6.33.0",
        "groupid=12345&visitorid=v1",
        "visitorid=v1&groupid=12345&ver=6.33.0&_=1700000000000",
        "&groupid=12345&visitorid=v1&",
    ] {
        assert_eq!(query::<VisitorQuery>(q).unwrap(), expected, "{q}");
    }
    let unique = query::<VisitorQuery>("groupid=12345&visitorid=UNQ-123&&ver=6.33.0").unwrap();
    assert_eq!(unique.visitorid.unique_digits(), Some("123"));
    assert_eq!(
        serde_urlencoded::to_string(&expected).unwrap(),
        "groupid=12345&visitorid=v1"
    );
}

#[test]
fn visitor_query_rejects_bad_ids() {
    for q in [
        "groupid=12345&visitorid=a%20b",
        "groupid=12345&visitorid=a+b",
        "groupid=12345&visitorid=",
        "groupid=12345&visitorid=v%C3%B6",
        "groupid=12345&visitorid=a.b",
        "groupid=12345",
        "groupid=0&visitorid=v1",
        "groupid=abc&visitorid=v1",
        "groupid=&visitorid=v1",
        "visitorid=v1",
    ] {
        assert!(query::<VisitorQuery>(q).is_err(), "{q} was accepted");
    }
    let long = format!("groupid=12345&visitorid={}", "x".repeat(101));
    assert!(query::<VisitorQuery>(&long).is_err());
}

#[test]
fn other_queries() {
    let settings =
        query::<VisitorSettingsQuery>("groupid=12345&site=production&service=presence").unwrap();
    assert_eq!(
        settings,
        VisitorSettingsQuery {
            groupid: group(),
            site: Some("production".into()),
            service: Some("presence".into())
        }
    );
    let authorize =
        query::<AuthorizeQuery>("groupid=12345&service=presence&duration=60&site=staging").unwrap();
    assert_eq!(
        authorize,
        AuthorizeQuery {
            groupid: group(),
            service: Some("presence".into()),
            duration: Some("60".into()),
            site: Some("staging".into()),
        }
    );
    let new_unique = query::<UniqueVisitorQuery>("groupid=12345").unwrap();
    assert_eq!(
        new_unique,
        UniqueVisitorQuery {
            groupid: group(),
            visitorid: None,
            guesttoken: None
        }
    );
    let extend =
        query::<UniqueVisitorQuery>("groupid=12345&visitorid=UNQ-77&guesttoken=a.b-c").unwrap();
    assert_eq!(extend.visitorid, Some(visitor("UNQ-77")));
    assert_eq!(extend.guesttoken.as_deref(), Some("a.b-c"));
    // The original scripts' `connectUnique()` asks for a new id with `visitorid=undefined`.
    for asks_new in [
        "groupid=12345&visitorid=undefined&&ver=6.33.0",
        "groupid=12345&visitorid=&&ver=6.33.0",
        "groupid=12345&&ver=5.7.9",
    ] {
        let q = query::<UniqueVisitorQuery>(asks_new).unwrap();
        assert_eq!(q.visitorid, None, "{asks_new}");
        assert_eq!(q.groupid, group());
    }
    assert!(query::<UniqueVisitorQuery>("groupid=12345&visitorid=a%20b").is_err());
}
