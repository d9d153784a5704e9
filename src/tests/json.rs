//! `core::json` against serde_json (with `preserve_order`, as the workspace builds it).

use crate::json::{Json, Number, MAX_DEPTH};
use serde_json::Value;

fn serde(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("serde refuses {text:?}: {e}"))
}

fn ours(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|| panic!("refused {text:?}"))
}

/// Documents whose numbers serde_json writes back as they are, and without duplicate keys: our
/// text must equal serde_json's.
const CANONICAL: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "42",
    "18446744073709551615",
    "-9223372036854775808",
    "1.5",
    "-0.25",
    "3.141592653589793",
    "1e-7",
    "\"\"",
    "\"plain\"",
    r#""quote \" backslash \\ slash / \b\f\n\r\t""#,
    r#""\u0000\u0001\u001f\u007f""#,
    r#""é ü 漢字 😀 \u00e9 \u6f22 \ud83d\ude00 \u2028\u2029""#,
    "[]",
    "{}",
    "[[]]",
    "[{}]",
    "{\"a\":{}}",
    "[1,\"two\",null,true,false,[3],{\"four\":4}]",
    r#"{"type":"connect","groupid":12345,"visitorid":"abc","data":{"x":[1,2,{"y":null}]}}"#,
    r#"{"z":1,"a":2,"m":{"z":[],"a":{}}}"#,
    r#"{"":"empty key","\n":"newline key","😀":"emoji key"}"#,
    "[[[[[[[[[[[[[[[[[[[[\"deep\"]]]]]]]]]]]]]]]]]]]]",
];

/// More valid documents: whitespace, numbers serde writes another way, duplicate keys.
const OTHER_VALID: &[&str] = &[
    " \t\r\n null \t\r\n ",
    "[ 1 , 2 ]",
    "{ \"a\" : 1 , \"b\" : [ ] }",
    "-0",
    "1.0",
    "2.50",
    "1e3",
    "1E3",
    "1e+3",
    "1E-3",
    "-1.5e-10",
    "0.1",
    "123456789012345678901234567890",
    "-1e-400",
    "0e0",
    "[1.0, -0.0, 1e2, 4.9e-324]",
    r#"{"a":1,"b":2,"a":3}"#,
    r#"{"a":{"x":1},"a":{"y":2}}"#,
    r#""\/""#,
];

const INVALID: &[&str] = &[
    "",
    " ",
    "nul",
    "nulll",
    "True",
    "[1,]",
    "[,1]",
    "[1 2]",
    "{\"a\":1,}",
    "{,}",
    "{\"a\" 1}",
    "{\"a\":}",
    "{a:1}",
    "{'a':1}",
    "{1:1}",
    "[",
    "]",
    "{",
    "[1}",
    "{\"a\":1]",
    "01",
    "-01",
    "00",
    "1.",
    ".5",
    "-",
    "+1",
    "1e",
    "1e+",
    "0x10",
    "1.5.2",
    "NaN",
    "Infinity",
    "-Infinity",
    "\"abc",
    "\"\\x\"",
    "\"\\u12\"",
    "\"\\u12g4\"",
    "\"\\\"",
    "\"\\U0041\"",
    "\"tab\there\"",
    "\"new\nline\"",
    "\"\u{1}\"",
    "1 2",
    "[] []",
    "null x",
    "{}}",
    "\u{feff}1",
    "[1]\u{0}",
    "\u{a0}1",
];

#[test]
fn writes_what_serde_reads_and_writes() {
    for text in CANONICAL.iter().chain(OTHER_VALID) {
        let written = ours(text).to_text();
        assert_eq!(
            serde(&written),
            serde(text),
            "{text:?} written as {written:?}"
        );
        // Writing is stable, and what we write we read back as the same value.
        assert_eq!(ours(&written).to_text(), written);
    }
    for text in CANONICAL {
        let expected = serde_json::to_string(&serde(text)).unwrap();
        assert_eq!(ours(text).to_text(), expected, "{text:?}");
    }
}

#[test]
fn refuses_what_serde_refuses() {
    for text in INVALID {
        assert_eq!(Json::parse(text), None, "{text:?}");
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text:?}");
    }
}

#[test]
fn duplicate_keys_keep_the_last_value_at_the_first_place() {
    let value = ours(r#"{"a":1,"b":2,"a":{"c":3}}"#);
    assert_eq!(value.to_text(), r#"{"a":{"c":3},"b":2}"#);
    assert_eq!(value.get("a").and_then(|a| a.get("c")), Some(&ours("3")));
    assert_eq!(
        value.to_text(),
        serde_json::to_string(&serde(r#"{"a":1,"b":2,"a":{"c":3}}"#)).unwrap()
    );
}

#[test]
fn numbers_keep_their_text() {
    for text in [
        "-0",
        "1.0",
        "2.50",
        "1E+3",
        "0.5e-3",
        "123456789012345678901234567890",
        "1e400",
    ] {
        assert_eq!(ours(text).to_text(), text);
        assert_eq!(
            ours(&["[", text, "]"].concat()).to_text(),
            ["[", text, "]"].concat()
        );
    }
}

#[test]
fn surrogates() {
    for (text, expected) in [
        (r#""\ud83d\ude00""#, "😀"),
        (r#""\uD83D\uDE00""#, "😀"),
        (r#""\ud800""#, "\u{fffd}"),
        (r#""\udc00""#, "\u{fffd}"),
        (r#""\ude00\ud83d""#, "\u{fffd}\u{fffd}"),
        (r#""\ud800\u0041""#, "\u{fffd}A"),
        (r#""\ud800\n""#, "\u{fffd}\n"),
        (r#""\ud800x""#, "\u{fffd}x"),
        (r#""\ud800\ud83d\ude00""#, "\u{fffd}😀"),
    ] {
        assert_eq!(ours(text).as_str(), Some(expected), "{text}");
    }
    // A bad escape after a high surrogate is still refused.
    assert_eq!(Json::parse(r#""\ud800\u00zz""#), None);
}

#[test]
fn depth_limit() {
    let nest = |n: usize, open: &str, close: &str| [open.repeat(n), close.repeat(n)].concat();
    let limit = MAX_DEPTH as usize;
    assert!(Json::parse(&nest(limit, "[", "]")).is_some());
    assert!(Json::parse(&nest(limit, "{\"a\":", "}").replace(":}", ":1}")).is_some());
    assert_eq!(Json::parse(&nest(limit + 1, "[", "]")), None);
    assert_eq!(
        Json::parse(&nest(limit + 1, "{\"a\":", "}").replace(":}", ":1}")),
        None
    );
    // Hostile input fails quickly, without exhausting the stack.
    assert_eq!(Json::parse(&"[".repeat(1_000_000)), None);
    assert_eq!(Json::parse(&"{\"a\":".repeat(1_000_000)), None);
    // Depth counts nesting, not containers in total.
    let wide = ["[", &"[[]],".repeat(1000), "1]"].concat();
    assert!(Json::parse(&wide).is_some());
}

#[test]
fn escapes_like_json_stringify() {
    let all: String = (0u8..0x80)
        .map(char::from)
        .chain("é😀\u{2028}\u{fffd}".chars())
        .collect();
    let written = Json::str(&all).to_text();
    assert_eq!(written, serde_json::to_string(&all).unwrap());
    assert_eq!(ours(&written).as_str(), Some(all.as_str()));
    let text = Json::str("a\"b\\c/d\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}é").to_text();
    assert_eq!(
        text,
        r#""a\"b\\c/d\b\f\n\r\t\u0000\u001féé""#.replacen("éé", "\u{7f}é", 1)
    );
    assert_eq!(Json::str("\u{1a}\u{b}").to_text(), r#""\u001a\u000b""#);
}

#[test]
fn accessors() {
    let mut v = ours(r#"{"s":"text","b":true,"n":null,"x":1.5,"a":[]}"#);
    assert_eq!(v.get("s").and_then(Json::as_str), Some("text"));
    assert_eq!(v.get("b").and_then(Json::as_bool), Some(true));
    assert!(v.get("n").is_some_and(Json::is_null));
    assert_eq!(v.get("x").and_then(Json::as_f64), Some(1.5));
    assert_eq!(v.get("missing"), None);
    assert_eq!(v.get("s").and_then(|s| s.get("s")), None);
    assert_eq!(v.get("s").and_then(Json::as_bool), None);
    v.set("b", Json::Bool(false));
    v.set("new", Json::str("end"));
    assert_eq!(
        v.to_text(),
        r#"{"s":"text","b":false,"n":null,"x":1.5,"a":[],"new":"end"}"#
    );
    let mut not_object = Json::Array(Vec::new());
    not_object.set("a", Json::Null);
    assert_eq!(not_object.to_text(), "[]");
}

#[test]
fn number_values() {
    let f = |text: &str| match ours(text) {
        Json::Number(n) => n.as_f64(),
        other => panic!("{other:?}"),
    };
    for (text, value) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("1.5", 1.5),
        ("2.0", 2.0),
        ("1e3", 1000.0),
        ("1E+3", 1000.0),
        ("1500e-2", 15.0),
        ("0.15e2", 15.0),
        ("0.1", 0.1),
        ("-2.5e-3", -0.0025),
        ("9007199254740992", 9_007_199_254_740_992.0),
        ("-9007199254740992", -9_007_199_254_740_992.0),
        ("9007199254740991", 9_007_199_254_740_991.0),
        ("0.000001", 0.000001),
        ("1e22", 1e22),
        ("1e-22", 1e-22),
        ("123456.789e3", 123_456_789.0),
    ] {
        assert_eq!(f(text), value, "{text}");
        assert_eq!(
            f(text).is_sign_negative(),
            value.is_sign_negative(),
            "{text}"
        );
    }
    let whole = |n: f64| n as i64 as f64 == n;
    for text in ["1.5", "0.1", "-0.5", "1234.0001", "1e-3"] {
        assert!(!whole(f(text)), "{text}");
    }
    for text in [
        "2.0",
        "1e3",
        "12.30e1",
        "-7.000",
        "100e-2",
        "1234567890123000e-3",
        "4503599627370495.0",
    ] {
        assert!(whole(f(text)), "{text}");
    }
    assert_eq!(f("1e400"), f64::INFINITY);
    assert_eq!(f("-1e400"), f64::NEG_INFINITY);
    assert_eq!(f("1e99999999999999999999"), f64::INFINITY);
    assert_eq!(f("1e-400"), 0.0);
    assert_eq!(f("0e99999"), 0.0);
    // Long literals: close to the exact value.
    for text in [
        "3.14159265358979323846264338327950288",
        "123456789012345678901234567890",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
    ] {
        let exact: f64 = text.parse().unwrap();
        assert!(
            (f(text) - exact).abs() <= exact.abs() * 1e-15,
            "{text}: {}",
            f(text)
        );
    }
    assert_eq!(Number::from_u64(0).as_text(), "0");
    assert_eq!(Number::from_u64(u64::MAX).as_text(), "18446744073709551615");
}

#[test]
fn random_token_soup_agrees_with_serde() {
    const TOKENS: &[&str] = &[
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        " ",
        "\"a\"",
        "\"\\u00e9\\n\"",
        "\"",
        "\\",
        "1",
        "0",
        "-",
        ".",
        "e",
        "+",
        "25",
        "true",
        "null",
        "fals",
        "\t",
    ];
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut accepted = 0;
    for _ in 0..100_000 {
        let mut text = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for i in 0..(state % 10) {
            text.push_str(TOKENS[(state >> (5 * i + 4)) as usize % TOKENS.len()]);
        }
        let theirs = serde_json::from_str::<Value>(&text).ok();
        match (Json::parse(&text), theirs) {
            (Some(ours), Some(theirs)) => {
                accepted += 1;
                assert_eq!(serde(&ours.to_text()), theirs, "{text:?}");
            }
            (None, None) => {}
            (ours, theirs) => panic!("{text:?}: ours {ours:?}, serde {theirs:?}"),
        }
    }
    assert!(accepted > 1000, "{accepted}");
}
