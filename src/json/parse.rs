//! The parser: strict RFC 8259 over bytes, recursive descent, at most [`MAX_DEPTH`] deep.

use super::{put, Json, Number, MAX_DEPTH};
#[allow(unused_imports)]
use crate::prelude::*;

/// Exactly one value, with optional whitespace around it.
pub(super) fn whole(text: &str) -> Option<Json> {
    let mut p = Parser { text, at: 0 };
    let value = p.value(0)?;
    p.space();
    (p.at == text.len()).then_some(value)
}

/// The longest JSON number `text` starts with.
pub(super) fn leading_number(text: &str) -> Option<Json> {
    Parser { text, at: 0 }.number()
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
