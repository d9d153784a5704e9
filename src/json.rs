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
        let mut p = Parser { text, at: 0 };
        let value = p.value(0)?;
        p.space();
        (p.at == text.len()).then_some(value)
    }

    /// The value of the longest JSON number `text` starts with.
    pub fn leading_number(text: &str) -> Option<f64> {
        Parser { text, at: 0 }.number()?.as_f64()
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

/// The parser's place in the text. It reads bytes; strings are copied from the text in runs that
/// start and end at ASCII bytes, so they stay valid UTF-8 without a second validation.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    /// Skips byte `b` if it is next.
    fn skip(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.at += usize::from(found);
        found
    }

    /// Skips whitespace, then byte `b` if it is next.
    fn eat(&mut self, b: u8) -> bool {
        self.space();
        self.skip(b)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips the digits that follow; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// A value inside `depth` arrays and objects.
    fn value(&mut self, depth: u32) -> Option<Json> {
        self.space();
        let word = |p: &mut Self, word: &[u8], value| {
            p.text
                .as_bytes()
                .get(p.at..)?
                .starts_with(word)
                .then_some(())?;
            p.at += word.len();
            Some(value)
        };
        match self.peek()? {
            b'n' => word(self, b"null", Json::Null),
            b't' => word(self, b"true", Json::Bool(true)),
            b'f' => word(self, b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' | b'{' if depth >= MAX_DEPTH => None,
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        self.eat(b',').then_some(())?;
                    }
                }
                Some(Json::Array(items))
            }
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        self.eat(b':').then_some(())?;
                        let value = self.value(depth + 1)?;
                        put(&mut fields, key, value);
                        if self.eat(b'}') {
                            break;
                        }
                        self.eat(b',').then_some(())?;
                    }
                }
                Some(Json::Object(fields))
            }
            _ => self.number(),
        }
    }

    /// A number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        self.skip(b'-');
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.skip(b'.') && self.digits() == 0 {
            return None;
        }
        if self.skip(b'e') || self.skip(b'E') {
            let _ = self.skip(b'+') || self.skip(b'-');
            (self.digits() > 0).then_some(())?;
        }
        let text = self.text.get(start..self.at)?;
        Some(Json::Number(Number(text.to_owned())))
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Option<String> {
        (self.next()? == b'"').then_some(())?;
        let mut out = String::new();
        let mut run = self.at;
        loop {
            let b = self.next()?;
            if b == b'"' || b == b'\\' {
                out.push_str(self.text.get(run..self.at - 1)?);
            }
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    out.push(self.escape()?);
                    run = self.at;
                }
                0..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// The character of an escape, after its `\`. A `\u` high surrogate pairs with a `\u` low
    /// surrogate right after it; a surrogate without its pair becomes U+FFFD.
    fn escape(&mut self) -> Option<char> {
        Some(match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let mut code = self.hex4()?;
                if (0xD800..0xDC00).contains(&code)
                    && self.text.as_bytes().get(self.at..self.at + 2) == Some(b"\\u")
                {
                    let back = self.at;
                    self.at += 2;
                    match self.hex4()? {
                        low @ 0xDC00..=0xDFFF => {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        // Not a pair: the next escape is read on its own.
                        _ => self.at = back,
                    }
                }
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(code)
    }
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
