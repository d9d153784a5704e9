//! The free-form value and the text codec as the native build runs them (serde_json): what the
//! state machine relies on whichever side does the parsing.

use crate::codec::{self, parse, parse_float, to_text};
use crate::value::{number_text, whole_u32, Value, MAX_DEPTH};

#[test]
fn nesting_is_limited() {
    let nested = |depth: u32| {
        let open = "[".repeat(depth as usize);
        let close = "]".repeat(depth as usize);
        format!("{open}{close}")
    };
    assert!(parse(&nested(MAX_DEPTH)).is_some());
    assert_eq!(parse(&nested(MAX_DEPTH + 1)), None);
    assert_eq!(
        parse(&nested(10_000)),
        None,
        "deep input is refused, not a stack overflow"
    );
}

#[test]
fn whole_numbers_are_written_without_a_fraction() {
    assert_eq!(to_text(&Value::Number(3.0)).as_deref(), Some("3"));
    assert_eq!(to_text(&Value::Number(-7.0)).as_deref(), Some("-7"));
    assert_eq!(to_text(&Value::Number(1.5)).as_deref(), Some("1.5"));
    assert_eq!(number_text(12345.0), "12345");
    assert_eq!(number_text(0.25), "0.25");
    assert_eq!(whole_u32(7.0), Some(7));
    assert_eq!(whole_u32(7.5), None);
    assert_eq!(whole_u32(-1.0), None);
}

#[test]
fn objects_keep_their_order_and_the_last_of_a_repeated_key() {
    let value = parse(r#"{"b":1,"a":2,"b":3}"#).unwrap();
    assert_eq!(
        value,
        Value::Object(vec![
            ("b".into(), Value::Number(3.0)),
            ("a".into(), Value::Number(2.0)),
        ])
    );
    assert_eq!(to_text(&value).as_deref(), Some(r#"{"b":3,"a":2}"#));
}

#[test]
fn what_is_not_json_is_refused() {
    for text in ["", "{", "[1,]", "{'a':1}", "undefined", "NaN"] {
        assert_eq!(codec::parse(text), None, "{text:?}");
    }
}

#[test]
fn leading_numbers_are_read_as_parse_float_reads_them() {
    for (text, expected) in [
        ("30", Some(30.0)),
        (" 30.6 min", Some(30.6)),
        ("1e2", Some(100.0)),
        ("-5", Some(-5.0)),
        ("+5", Some(5.0)),
        (".5", Some(0.5)),
        ("abc", None),
        ("", None),
    ] {
        assert_eq!(parse_float(text), expected, "{text:?}");
    }
}
