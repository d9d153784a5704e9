//! Validation rules: identities (§3.1), presence limits (§6) and the login key format (§4.2).

use glance_protocol::{
    check_custom_event_name, GroupId, LoginKey, PresenceLimits, PresenceMap, PresenceValue,
    ValidationError, VisitorId, LOGIN_KEY_SIG_LEN, UNIQUE_PREFIX,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Visitor ids
// ---------------------------------------------------------------------------------------------

#[test]
fn visitor_id_accepts_the_allowed_alphabet() {
    for id in ["v", "v1", "ABCxyz0189", "a-b_c~d", "~", "-", "_", "UNQ-123"] {
        let parsed = VisitorId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(parsed.as_str(), id);
        assert_eq!(parsed.to_string(), id);
    }
}

#[test]
fn visitor_id_length_bounds() {
    assert!(VisitorId::parse(&"a".repeat(100)).is_ok());
    assert_eq!(
        VisitorId::parse(&"a".repeat(101)),
        Err(ValidationError::VisitorId)
    );
    assert_eq!(VisitorId::parse(""), Err(ValidationError::VisitorId));
}

#[test]
fn visitor_id_rejects_other_characters() {
    for id in [
        " ", "a b", " v1", "v1 ", "v1\n", "a.b", "a/b", "a+b", "a@b", "a%20b", "a$b", "é",
        "visitör", "日本", "a\u{0}",
    ] {
        assert_eq!(
            VisitorId::parse(id),
            Err(ValidationError::VisitorId),
            "{id:?}"
        );
    }
    // 50 two-byte characters are 100 bytes but still not allowed.
    assert!(VisitorId::parse(&"é".repeat(50)).is_err());
}

#[test]
fn visitor_id_from_json() {
    let read = |text: &str| serde_json::from_str::<VisitorId>(text);
    assert_eq!(read(r#""v1""#).unwrap().as_str(), "v1");
    // Pages sometimes use numeric ids.
    assert_eq!(read("42").unwrap().as_str(), "42");
    assert_eq!(read("42.0").unwrap().as_str(), "42");
    for bad in [r#""a b""#, r#""""#, "1.5", "true", "null", "{}", "[]"] {
        assert!(read(bad).is_err(), "{bad} was accepted");
    }
    assert_eq!(
        serde_json::to_string(&VisitorId::parse("v1").unwrap()).unwrap(),
        r#""v1""#
    );
}

// ---------------------------------------------------------------------------------------------
// Group ids
// ---------------------------------------------------------------------------------------------

#[test]
fn group_id_rules() {
    assert_eq!(GroupId::new(0), Err(ValidationError::GroupId));
    assert_eq!(GroupId::new(1).unwrap().get(), 1);
    assert_eq!(GroupId::parse("12345").unwrap().get(), 12345);
    assert_eq!(GroupId::parse("4294967295").unwrap().get(), u32::MAX);
    assert_eq!(GroupId::parse("12345").unwrap().to_string(), "12345");
    for bad in [
        "",
        "0",
        "00",
        "-5",
        "+5",
        "12a",
        "1.0",
        "1e3",
        "0x10",
        "4294967296",
        "99999999999",
        "１２",
    ] {
        assert_eq!(
            GroupId::parse(bad),
            Err(ValidationError::GroupId),
            "{bad:?}"
        );
    }
}

#[test]
fn group_id_from_json() {
    let read = |text: &str| serde_json::from_str::<GroupId>(text);
    assert_eq!(read("12345").unwrap().get(), 12345);
    assert_eq!(read(r#""12345""#).unwrap().get(), 12345);
    // Browsers hand numbers over as doubles.
    assert_eq!(read("12345.0").unwrap().get(), 12345);
    for bad in [
        "0",
        "-1",
        "1.5",
        "4294967296",
        r#""abc""#,
        r#""""#,
        r#""-1""#,
        "true",
        "null",
        "[]",
    ] {
        assert!(read(bad).is_err(), "{bad} was accepted");
    }
    // Whatever form came in, it goes out as a number.
    assert_eq!(
        serde_json::to_string(&read(r#""12345""#).unwrap()).unwrap(),
        "12345"
    );
}

// ---------------------------------------------------------------------------------------------
// Unique visitor ids
// ---------------------------------------------------------------------------------------------

#[test]
fn unique_ids() {
    assert_eq!(UNIQUE_PREFIX, "UNQ-");
    let id = VisitorId::unique(123_456);
    assert_eq!(id.as_str(), "UNQ-123456");
    assert_eq!(id.unique_digits(), Some("123456"));
    assert_eq!(VisitorId::parse("UNQ-123456").unwrap(), id);
    assert_eq!(
        VisitorId::unique(u64::MAX).unique_digits(),
        Some("18446744073709551615")
    );
    for plain in ["v1", "UNQ-", "UNQ-12a", "unq-123", "UNQ123", "XUNQ-1"] {
        assert_eq!(
            VisitorId::parse(plain).unwrap().unique_digits(),
            None,
            "{plain}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Presence limits
// ---------------------------------------------------------------------------------------------

fn check(map: Value) -> Result<(), ValidationError> {
    let Value::Object(map) = map else {
        panic!("not a map")
    };
    PresenceLimits::default().check_json(&map)
}

fn map_of(entries: impl IntoIterator<Item = (String, Value)>) -> PresenceMap {
    entries.into_iter().collect()
}

#[test]
fn default_limits_are_the_spec() {
    assert_eq!(
        PresenceLimits::default(),
        PresenceLimits {
            max_properties: 20,
            max_name: 64,
            max_value: 2000,
            max_total: 10_000
        }
    );
}

#[test]
fn property_count() {
    let limits = PresenceLimits::default();
    let twenty = map_of((0..20).map(|i| (format!("p{i}"), json!("x"))));
    assert_eq!(limits.check_json(&twenty), Ok(()));
    let twenty_one = map_of((0..21).map(|i| (format!("p{i}"), json!("x"))));
    assert_eq!(
        limits.check_json(&twenty_one),
        Err(ValidationError::TooManyProperties(20))
    );
    assert_eq!(limits.check_json(&PresenceMap::new()), Ok(()));
}

#[test]
fn name_length() {
    assert_eq!(check(json!({ "n".repeat(64): "x" })), Ok(()));
    assert_eq!(
        check(json!({ "n".repeat(65): "x" })),
        Err(ValidationError::PropertyName(64))
    );
    assert_eq!(
        check(json!({ "": "x" })),
        Err(ValidationError::PropertyName(64))
    );
    // Counted in characters, not bytes.
    assert_eq!(check(json!({ "é".repeat(64): "x" })), Ok(()));
}

#[test]
fn value_length() {
    assert_eq!(check(json!({ "v": "x".repeat(2000) })), Ok(()));
    assert_eq!(
        check(json!({ "v": "x".repeat(2001) })),
        Err(ValidationError::ValueTooLong {
            name: "v".into(),
            max: 2000
        })
    );
    // Counted in characters, not bytes.
    assert_eq!(check(json!({ "v": "é".repeat(2000) })), Ok(()));
    assert!(check(json!({ "v": "é".repeat(2001) })).is_err());
}

#[test]
fn total_length_boundary() {
    // Five properties of 1 + 1999 characters: exactly 10,000.
    let at_limit = map_of((0..5).map(|i| (i.to_string(), json!("x".repeat(1999)))));
    assert_eq!(PresenceLimits::default().check_json(&at_limit), Ok(()));
    let mut over = at_limit.clone();
    over.insert("z".into(), json!(""));
    assert_eq!(
        PresenceLimits::default().check_json(&over),
        Err(ValidationError::PresenceTooLarge(10_000))
    );
}

#[test]
fn value_types() {
    assert_eq!(
        check(
            json!({"s": "x", "n": 12345, "f": 1.5, "neg": -3, "t": true, "no": false, "null": null})
        ),
        Ok(())
    );
    assert_eq!(
        check(json!({"o": {"a": 1}})),
        Err(ValidationError::ValueType("o".into()))
    );
    assert_eq!(
        check(json!({"a": [1, 2]})),
        Err(ValidationError::ValueType("a".into()))
    );
    assert_eq!(
        check(json!({"o": {}})),
        Err(ValidationError::ValueType("o".into()))
    );
}

#[test]
fn numbers_count_their_decimal_form() {
    let limits = PresenceLimits {
        max_properties: 20,
        max_name: 64,
        max_value: 5,
        max_total: 10_000,
    };
    assert_eq!(limits.check([("n", PresenceValue::Num(12345.0))]), Ok(()));
    assert!(limits.check([("n", PresenceValue::Num(123456.0))]).is_err());
    assert_eq!(limits.check([("n", PresenceValue::Num(-1234.0))]), Ok(()));
    assert!(limits.check([("n", PresenceValue::Num(-12345.0))]).is_err());
}

#[test]
fn custom_limits() {
    let limits = PresenceLimits {
        max_properties: 2,
        max_name: 3,
        max_value: 4,
        max_total: 10,
    };
    assert_eq!(
        limits.check([
            ("abc", PresenceValue::Str("abcd")),
            ("a", PresenceValue::Null)
        ]),
        Ok(())
    );
    assert_eq!(
        limits.check([("abcd", PresenceValue::Null)]),
        Err(ValidationError::PropertyName(3))
    );
    assert_eq!(
        limits.check([("a", PresenceValue::Str("abcde"))]),
        Err(ValidationError::ValueTooLong {
            name: "a".into(),
            max: 4
        })
    );
    assert_eq!(
        limits.check([
            ("a", PresenceValue::Null),
            ("b", PresenceValue::Null),
            ("c", PresenceValue::Null)
        ]),
        Err(ValidationError::TooManyProperties(2))
    );
    assert_eq!(
        limits.check([
            ("abc", PresenceValue::Str("abcd")),
            ("ab", PresenceValue::Str("ab"))
        ]),
        Err(ValidationError::PresenceTooLarge(10))
    );
    assert_eq!(
        limits.check([("a", PresenceValue::Other)]),
        Err(ValidationError::ValueType("a".into()))
    );
}

#[test]
fn custom_event_names() {
    for good in ["c_x", "c_cart", "c_Step-2_done", "c__"] {
        assert_eq!(check_custom_event_name(good), Ok(()), "{good}");
    }
    assert_eq!(
        check_custom_event_name(&format!("c_{}", "x".repeat(62))),
        Ok(())
    );
    for bad in [
        "c_", "c_a b", "cart", "C_x", "c-x", "_c_x", "c_é", "c_a.b", "c_a\n",
    ] {
        assert_eq!(
            check_custom_event_name(bad),
            Err(ValidationError::CustomEventName),
            "{bad:?}"
        );
    }
    assert!(check_custom_event_name(&format!("c_{}", "x".repeat(63))).is_err());
}

// ---------------------------------------------------------------------------------------------
// Login keys
// ---------------------------------------------------------------------------------------------

/// 43 characters using the standard alphabet's `+` and `/`.
const STANDARD_SIG: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123+/9";
/// 43 characters using the URL-safe alphabet's `-` and `_`.
const URL_SAFE_SIG: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_9";

#[test]
fn login_key_good() {
    assert_eq!(STANDARD_SIG.len(), LOGIN_KEY_SIG_LEN);
    for sig in [STANDARD_SIG, URL_SAFE_SIG] {
        let text = format!("$1$1700000000${sig}");
        let key = LoginKey::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            key,
            LoginKey {
                expires: 1_700_000_000,
                expires_text: "1700000000",
                sig
            }
        );
    }
}

#[test]
fn login_key_bad_version_or_shape() {
    for text in [
        format!("$2$1700000000${STANDARD_SIG}"),
        format!("$0$1700000000${STANDARD_SIG}"),
        format!("1$1700000000${STANDARD_SIG}"),
        format!("$1${STANDARD_SIG}"),
        "$1$1700000000".to_owned(),
        String::new(),
    ] {
        assert_eq!(
            LoginKey::parse(&text),
            Err(ValidationError::LoginKey),
            "{text}"
        );
    }
}

#[test]
fn login_key_bad_expiry() {
    for expires in [
        "",
        "17000x0000",
        "-1700000000",
        " 1700000000",
        "1.5",
        "1234567890123",
    ] {
        let text = format!("$1${expires}${STANDARD_SIG}");
        assert_eq!(
            LoginKey::parse(&text),
            Err(ValidationError::LoginKey),
            "{text}"
        );
    }
}

#[test]
fn login_key_bad_signature() {
    let sig_42 = &STANDARD_SIG[..42];
    let sig_44 = format!("{STANDARD_SIG}A");
    let padded = format!("{}=", &STANDARD_SIG[..42]);
    let dollar = format!("{}$", &STANDARD_SIG[..42]);
    for sig in [sig_42, &sig_44, &padded, &dollar, ""] {
        let text = format!("$1$1700000000${sig}");
        assert_eq!(
            LoginKey::parse(&text),
            Err(ValidationError::LoginKey),
            "{text}"
        );
    }
}

#[test]
fn login_key_signed_message() {
    assert_eq!(
        LoginKey::signed_message("12345", "agent1", "1700000000"),
        "12345agent111700000000"
    );
}

#[test]
fn validation_messages() {
    let cases = [
        (
            ValidationError::VisitorId,
            "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~",
        ),
        (
            ValidationError::GroupId,
            "groupid must be a positive integer",
        ),
        (
            ValidationError::TooManyProperties(20),
            "presence has more than 20 properties",
        ),
        (
            ValidationError::PropertyName(64),
            "presence property name must be 1..64 characters",
        ),
        (
            ValidationError::ValueTooLong {
                name: "v".into(),
                max: 2000,
            },
            "presence value of 'v' is longer than 2000 characters",
        ),
        (
            ValidationError::ValueType("o".into()),
            "presence value of 'o' must be a string or a number",
        ),
        (
            ValidationError::PresenceTooLarge(10_000),
            "presence data is longer than 10000 characters",
        ),
        (
            ValidationError::CustomEventName,
            "custom event names start with c_ and have 1..62 more characters of A-Z a-z 0-9 _ -",
        ),
        (
            ValidationError::LoginKey,
            "loginkey must be $1$<expires>$<43 base64 characters>",
        ),
        (ValidationError::Shape("x must be y"), "x must be y"),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
        assert_eq!(error.message(), text);
    }
}
