//! Property tests of the protocol's parsers (issue 13 §7): the frame decoder and the login-key
//! format never panic on arbitrary or near-valid input, refuse it only with their documented typed
//! errors, never build a value larger than a bounded multiple of their input, and read back every
//! valid value they write.
//!
//! Case counts stay modest (256 per property) so `cargo test --workspace` stays fast.

use glance_protocol::{
    AckFloat, AckId, ClientFrame, ConnectFrame, ErrorCode, GroupId, InvokeData, JsonClientFrame,
    LoginKey, ParseError, TermsData, TermsStatus, ValidationError, Visibility, VisibilityData,
    VisitorEvent, VisitorId, LOGIN_KEY_SIG_LEN,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// A JSON number that survives text and back exactly: integers, and halves/quarters (exact in
/// binary, printed exactly by serde_json).
fn exact_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1_000_000i32..1_000_000, 1u8..4)
            .prop_map(|(n, q)| Value::from(f64::from(n) + f64::from(q) / 4.0)),
    ]
}

/// Any JSON value of bounded depth and width (no `null` at the top: a frame's `data: null` is no
/// data, so it would not round-trip as `Some(null)`).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        exact_number(),
        ".{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((".{0,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn non_null_value() -> impl Strategy<Value = Value> {
    json_value().prop_filter("null data is no data", |v| !v.is_null())
}

fn object_value() -> impl Strategy<Value = Value> {
    prop::collection::vec(("[a-z]{1,8}", json_value()), 0..6)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

fn visitor_id() -> impl Strategy<Value = VisitorId> {
    "[A-Za-z0-9_~-]{1,100}".prop_map(|s| VisitorId::parse(&s).expect("the regex is the rule"))
}

fn group_id() -> impl Strategy<Value = GroupId> {
    (1u32..=u32::MAX).prop_map(|g| GroupId::new(g).expect("positive"))
}

fn ack_id() -> impl Strategy<Value = AckId> {
    prop_oneof![
        any::<u64>().prop_map(AckId::Num),
        (i64::MIN..0).prop_map(AckId::Neg),
        (-1_000_000i32..1_000_000).prop_map(|n| AckId::Float(AckFloat(f64::from(n) + 0.5))),
        any::<bool>().prop_map(AckId::Bool),
        ".{0,12}".prop_map(AckId::Str),
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(".{0,24}")
}

/// Every valid client frame.
fn client_frame() -> impl Strategy<Value = JsonClientFrame> {
    let data = || prop::option::of(non_null_value());
    prop_oneof![
        (group_id(), visitor_id(), opt_text(), opt_text(), opt_text()).prop_map(
            |(groupid, visitorid, guesttoken, authorization, version)| {
                ClientFrame::Connect(ConnectFrame {
                    groupid,
                    visitorid,
                    guesttoken,
                    authorization,
                    version,
                })
            }
        ),
        Just(ClientFrame::Keepalive),
        object_value().prop_map(ClientFrame::Presence),
        prop_oneof![Just(Visibility::Visible), Just(Visibility::Hidden)]
            .prop_map(|visibility| ClientFrame::Visibility(VisibilityData { visibility })),
        prop_oneof![
            Just(TermsStatus::Displayed),
            Just(TermsStatus::Accepted),
            Just(TermsStatus::Declined)
        ]
        .prop_map(|status| ClientFrame::Event(VisitorEvent::Terms(TermsData { status }))),
        data().prop_map(|d| ClientFrame::Event(VisitorEvent::SessionStart(d))),
        data().prop_map(|d| ClientFrame::Event(VisitorEvent::SessionEnd(d))),
        data().prop_map(|d| ClientFrame::Event(VisitorEvent::VisitorError(d))),
        ("c_[A-Za-z0-9_-]{1,62}", data())
            .prop_map(|(name, data)| ClientFrame::Event(VisitorEvent::Custom { name, data })),
        (prop::option::of(ack_id()), data())
            .prop_map(|(id, data)| ClientFrame::Signal { id, data }),
        (
            prop::option::of(ack_id()),
            "GLANCE[A-Za-z.]{0,20}",
            prop::option::of(non_null_value())
        )
            .prop_map(|(id, func, args)| ClientFrame::Invoke {
                id,
                data: InvokeData { func, args },
            }),
    ]
}

/// Frame types, known and unknown, for near-valid envelopes.
fn frame_type() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "connect",
            "k",
            "presence",
            "visibility",
            "terms",
            "visitorsessionstart",
            "visitorsessionend",
            "visitorerror",
            "signal",
            "invoke",
            "c_",
            "c_ok",
            "c_bad name",
            "connected",
            "",
        ])
        .prop_map(str::to_owned),
        "c_.{0,70}",
        ".{0,12}",
    ]
}

/// A JSON object with the envelope's field names and random values of any type: the shape of a
/// real frame, the values of none in particular.
fn near_valid_envelope() -> impl Strategy<Value = Value> {
    let field = prop::sample::select(vec![
        "type",
        "mtype",
        "groupid",
        "visitorid",
        "guesttoken",
        "authorization",
        "version",
        "id",
        "keepalive",
        "data",
        "extra",
    ]);
    let typed_value = prop_oneof![
        3 => frame_type().prop_map(Value::String),
        1 => json_value(),
    ];
    (
        frame_type(),
        prop::collection::vec((field, json_value()), 0..6),
        prop::option::of(typed_value),
    )
        .prop_map(|(ty, fields, mtype)| {
            let mut map = Map::new();
            map.insert("type".into(), Value::String(ty));
            if let Some(m) = mtype {
                map.insert("mtype".into(), m);
            }
            for (k, v) in fields {
                map.insert(k.into(), v);
            }
            Value::Object(map)
        })
}

/// One byte-level edit of a text.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Insert(Index, u8),
    Replace(Index, u8),
    Truncate(Index),
    Duplicate(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to JSON more often than chance would pick them.
    let byte = prop_oneof![
        prop::sample::select(b"{}[]\":,\\ 0-e.tnu\x00\xff".to_vec()),
        any::<u8>(),
    ];
    prop_oneof![
        any::<Index>().prop_map(Mutation::Delete),
        (any::<Index>(), byte.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), byte).prop_map(|(i, b)| Mutation::Replace(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
    ]
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    if text.is_empty() {
        return;
    }
    let n = text.len();
    match m {
        Mutation::Delete(i) => {
            text.remove(i.index(n));
        }
        Mutation::Insert(i, b) => text.insert(i.index(n + 1), *b),
        Mutation::Replace(i, b) => text[i.index(n)] = *b,
        Mutation::Truncate(i) => text.truncate(i.index(n)),
        Mutation::Duplicate(a, b) => {
            let (a, b) = (a.index(n), b.index(n));
            let piece = text[a.min(b)..a.max(b)].to_vec();
            text.splice(a.max(b)..a.max(b), piece);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The frame decoder
// ---------------------------------------------------------------------------------------------

/// What every outcome of `JsonClientFrame::parse` must satisfy: an error carries one of the three
/// documented codes with a message; a frame is bounded by its input (its JSON text is at most a
/// small multiple of the input: numbers like `1e15` print longer than they are written, nothing
/// else grows) and reads back as itself.
fn check_decoded(input: &[u8], outcome: Result<JsonClientFrame, ParseError>) {
    match outcome {
        Err(e) => {
            let code = e.code();
            assert!(
                matches!(
                    code,
                    ErrorCode::InvalidJson | ErrorCode::InvalidParameter | ErrorCode::UnknownType
                ),
                "undocumented code {code:?} for {e}"
            );
            assert!(!e.to_string().is_empty());
        }
        Ok(frame) => {
            let text = frame.to_json();
            assert!(
                text.len() <= 8 * input.len() + 64,
                "{} bytes of input became {} bytes: {text}",
                input.len(),
                text.len()
            );
            let again = JsonClientFrame::parse(text.as_bytes()).expect("our own text parses");
            assert_eq!(again, frame, "re-read of {text}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..512)) {
        check_decoded(&input, JsonClientFrame::parse(&input));
    }

    #[test]
    fn arbitrary_text_never_panics(input in ".{0,256}") {
        check_decoded(input.as_bytes(), JsonClientFrame::parse(input.as_bytes()));
    }

    #[test]
    fn valid_frames_round_trip(frame in client_frame()) {
        let text = frame.to_json();
        let parsed = JsonClientFrame::parse(text.as_bytes());
        prop_assert_eq!(parsed.as_ref().ok(), Some(&frame), "{} -> {:?}", text, parsed);
    }

    #[test]
    fn mutated_frames_never_panic(
        frame in client_frame(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut text = frame.to_json().into_bytes();
        for m in &edits {
            apply(&mut text, m);
        }
        check_decoded(&text, JsonClientFrame::parse(&text));
    }

    #[test]
    fn near_valid_envelopes_never_panic(envelope in near_valid_envelope()) {
        let text = envelope.to_string();
        check_decoded(text.as_bytes(), JsonClientFrame::parse(text.as_bytes()));
    }

    /// Deep nesting is refused by the JSON reader's recursion limit, not by the stack.
    #[test]
    fn deep_nesting_is_refused_not_overflowed(depth in 0usize..20_000, open in "[\\[{]") {
        let mut text = String::from(r#"{"type":"presence","data":"#);
        for _ in 0..depth {
            text.push_str(if open == "[" { "[" } else { r#"{"a":"# });
        }
        check_decoded(text.as_bytes(), JsonClientFrame::parse(text.as_bytes()));
    }
}

// ---------------------------------------------------------------------------------------------
// The login-key format
// ---------------------------------------------------------------------------------------------

/// The rule, written independently of the parser: `$1$`, 1..12 digits, `$`, 43 characters of
/// either Base64 alphabet.
fn is_login_key(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("$1$") else {
        return false;
    };
    let Some((digits, sig)) = rest.split_once('$') else {
        return false;
    };
    (1..=12).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && sig.len() == LOGIN_KEY_SIG_LEN
        && sig
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/-_".contains(&b))
}

fn near_valid_login_key() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["$1$", "$2$", "$1", "1$", "", "$$1$"]),
        prop_oneof!["[0-9]{0,14}", ".{0,6}"],
        prop::sample::select(vec!["$", "", "$$"]),
        prop_oneof!["[A-Za-z0-9+/_-]{40,46}", "[A-Za-z0-9+/_-]{43}", ".{0,50}"],
    )
        .prop_map(|(v, e, sep, sig)| format!("{v}{e}{sep}{sig}"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn login_key_arbitrary_text(key in ".{0,80}") {
        check_login_key(&key);
    }

    #[test]
    fn login_key_near_valid(key in near_valid_login_key()) {
        check_login_key(&key);
    }

    #[test]
    fn login_keys_round_trip(expires in 0u64..=999_999_999_999, sig in "[A-Za-z0-9+/_-]{43}") {
        let text = format!("$1${expires}${sig}");
        let key = LoginKey::parse(&text).expect("a well-formed key");
        prop_assert_eq!(key.expires, expires);
        prop_assert_eq!(key.expires_text, expires.to_string());
        prop_assert_eq!(key.sig, sig.as_str());
        prop_assert_eq!(format!("$1${}${}", key.expires_text, key.sig), text);
    }
}

/// The parser accepts exactly the keys of the rule; its parts are slices of the input (nothing
/// allocated); a refusal is [`ValidationError::LoginKey`].
fn check_login_key(text: &str) {
    match LoginKey::parse(text) {
        Ok(key) => {
            assert!(is_login_key(text), "accepted {text:?}");
            assert_eq!(key.expires_text.parse::<u64>().ok(), Some(key.expires));
            let range = text.as_bytes().as_ptr_range();
            assert!(
                range.contains(&key.sig.as_ptr()) && range.contains(&key.expires_text.as_ptr())
            );
        }
        Err(e) => {
            assert_eq!(e, ValidationError::LoginKey);
            assert!(!is_login_key(text), "refused {text:?}");
        }
    }
}
