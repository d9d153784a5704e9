//! A small JSON value for the browser module: parsed from and written to text in Rust.
//!
//! Why not serde_json or core's number conversions: the module's size budget. Core's float parser
//! and formatter alone (`str::parse::<f64>`, `Display for f64`) add ~10 KB, `core::fmt` more, and
//! serde's visitors more again. So this file is one recursive-descent parser over bytes and one
//! writer, without `core::fmt`, generics or panicking paths; numbers keep their literal text and
//! are converted with a few lines of integer arithmetic (see [`Number`]).
//!
//! - Parsing is strict RFC 8259, like the page's `JSON.parse`; nesting is limited to [`MAX_DEPTH`]
//!   so that hostile input cannot overflow the stack.
//! - Writing is compact and escapes like `JSON.stringify`.
//! - Objects are vectors of fields in order, with unique keys (a duplicate key in the text keeps
//!   the last value at the first position, as `JSON.parse` does). Lookups are linear: right for
//!   frames of a few fields; an object with n keys costs O(n²) key compares to parse.

#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::decimal;

mod parse;

/// Deepest nesting of arrays and objects [`Json::parse`] accepts.
pub const MAX_DEPTH: u32 = 64;

/// A JSON value. Equality is structural: field order counts, numbers compare by their text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its text.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: its fields in order, keys unique.
    Object(Vec<(String, Json)>),
}

/// A number as its literal text (valid JSON number syntax), so that whatever was read is written
/// back unchanged, and whole numbers of any size stay exact.
#[derive(Debug, Clone, PartialEq)]
pub struct Number(String);

impl Json {
    /// Parses a JSON text: exactly one value, with optional whitespace around it. `None` when the
    /// text is not valid JSON or nests deeper than [`MAX_DEPTH`].
    pub fn parse(text: &str) -> Option<Json> {
        parse::whole(text)
    }

    /// The value of the longest JSON number `text` starts with.
    pub fn leading_number(text: &str) -> Option<f64> {
        parse::leading_number(text)?.as_f64()
    }

    /// The compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Appends the compact JSON text to `out`.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.0),
            Json::String(s) => quote(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// A string value.
    pub fn str(text: &str) -> Json {
        Json::String(text.to_owned())
    }

    /// Field `key` of an object (`None` when absent or when this is not an object).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => member(fields, key),
            _ => None,
        }
    }

    /// Sets field `key` of an object: replaces its value in place, or appends the field. Does
    /// nothing when this is not an object.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(fields) = self {
            put(fields, key.to_owned(), value);
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of a number (see [`Number::as_f64`]).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// Item `index` of an array.
    pub fn get_index(&self, index: usize) -> Option<&Json> {
        match self {
            Json::Array(items) => items.get(index),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// `values` as the text of a JSON array (without building one).
pub fn array_text(values: &[Json]) -> String {
    let mut text = String::from("[");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        value.write(&mut text);
    }
    text.push(']');
    text
}

/// The value of `key` among an object's fields.
pub fn member<'a>(fields: &'a [(String, Json)], key: &str) -> Option<&'a Json> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key` in `fields`: in place when present, else at the end.
pub fn put(fields: &mut Vec<(String, Json)>, key: String, value: Json) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => fields.push((key, value)),
    }
}

/// Writes `s` as a JSON string, escaped as `JSON.stringify` does: `"`, `\` and control characters
/// only (short forms where JSON has them, else `\u00xx`); `/` and non-ASCII stay as they are.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let short = match c {
            '"' => '"',
            '\\' => '\\',
            '\u{8}' => 'b',
            '\u{c}' => 'f',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\0'..='\u{1f}' => {
                out.push_str(if c < '\u{10}' { "\\u000" } else { "\\u001" });
                out.push(char::from_digit(c as u32 & 15, 16).unwrap_or('0'));
                continue;
            }
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push('\\');
        out.push(short);
    }
    out.push('"');
}

impl Number {
    /// The decimal text of `n`.
    pub fn from_u64(n: u64) -> Number {
        Number(decimal(n))
    }

    /// The value: exact for integer text up to ±2^53; other text is converted without a float
    /// parser (core's costs ~10 KB): the digits as an integer, scaled by exact powers of ten.
    /// Enough for what the module reads from numbers (whole counts and ids, timestamps,
    /// truthiness): `2.0`, `1e3` and `1500e-2` come out whole, `1.5` does not; with more than 15
    /// significant digits, or beyond 10^±22, it is within a few ulps.
    pub fn as_f64(&self) -> f64 {
        let (mut v, mut exp, mut frac, mut e, mut in_exp, mut e_minus) =
            (0.0f64, 0i32, false, 0i32, false, false);
        for b in self.0.bytes() {
            match b {
                b'0'..=b'9' if in_exp => e = (e * 10 + i32::from(b - b'0')).min(999),
                b'0'..=b'9' => {
                    v = v * 10.0 + f64::from(b - b'0');
                    exp -= i32::from(frac);
                }
                b'.' => frac = true,
                b'e' | b'E' => in_exp = true,
                b'-' => e_minus = in_exp,
                _ => {}
            }
        }
        exp += if e_minus { -e } else { e };
        // One exact power of ten (up to 10^22) per step: a single rounding for the usual cases.
        while exp != 0 {
            let step = exp.clamp(-22, 22);
            let mut power = 1.0;
            for _ in 0..step.unsigned_abs() {
                power *= 10.0;
            }
            v = if step > 0 { v * power } else { v / power };
            exp -= step;
        }
        if self.0.starts_with('-') {
            -v
        } else {
            v
        }
    }

    /// The literal text.
    pub fn as_text(&self) -> &str {
        &self.0
    }
}
