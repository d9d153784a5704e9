//! JSON text in and out of the state machine: frames, request bodies, the stored token.
//!
//! In the browser the text goes through the page's own `JSON.parse` / `JSON.stringify` and
//! serde-wasm-bindgen, so the wasm carries no JSON parser or writer of its own; natively (the
//! state-machine tests) through serde_json, which never reaches the wasm. Both read into
//! [`Value`] with its nesting limit and write any serde type, the protocol crate's frames above
//! all.

use crate::value::Value;
use serde::Serialize;

/// Reads a JSON text; `None` when it is not valid JSON or nests too deep.
pub fn parse(text: &str) -> Option<Value> {
    imp::parse(text)
}

/// The compact JSON text of `value`; `None` when JSON cannot carry it (a number that is not
/// finite).
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    imp::to_text(value)
}

/// The text of a number that is not whole, as JavaScript's `String(n)` writes it. In the browser
/// that is the page's own conversion: the module never formats a float itself (core's float
/// formatting is in the wasm only through serde-wasm-bindgen's type-error message, see
/// docs/BENCHMARKS.md, "Browser module size").
pub fn number_text(n: f64) -> String {
    imp::number_text(n)
}

/// The number at the start of `text`, as JavaScript's `parseFloat` reads it (`"30"`,
/// `" 30.6 min"`, `"1e2"`); `None` when there is none.
pub fn parse_float(text: &str) -> Option<f64> {
    Some(imp::parse_float(text)).filter(|n| !n.is_nan())
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::Value;
    use serde::Serialize;

    pub fn parse(text: &str) -> Option<Value> {
        let js = js_sys::JSON::parse(text).ok()?;
        serde_wasm_bindgen::from_value(js).ok()
    }

    pub fn to_text<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        let js = crate::shell::convert::to_js(value)?;
        js_sys::JSON::stringify(&js).ok()?.as_string()
    }

    pub fn number_text(n: f64) -> String {
        String::from(
            js_sys::Number::from(n)
                .to_string_with_radix(10)
                .unwrap_or_default(),
        )
    }

    pub fn parse_float(text: &str) -> f64 {
        js_sys::parse_float(text)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::Value;
    use serde::Serialize;

    pub fn parse(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    pub fn to_text<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        serde_json::to_string(value).ok()
    }

    pub fn number_text(n: f64) -> String {
        n.to_string()
    }

    /// `parseFloat` for the tests: after spaces and a sign, the longest prefix of the shape
    /// digits(.digits)?([eE][+-]?digits)?; NaN when there is none.
    pub fn parse_float(text: &str) -> f64 {
        let text = text.trim_start();
        let bytes = text.as_bytes();
        let digits = |from: usize| {
            from + bytes.get(from..).map_or(0, |rest| {
                rest.iter().take_while(|b| b.is_ascii_digit()).count()
            })
        };
        let start = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
        let mut end = digits(start);
        if bytes.get(end) == Some(&b'.') {
            end = digits(end + 1);
        }
        if end == start || text.get(start..end) == Some(".") {
            return f64::NAN;
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
            let exponent = digits(end + 1 + sign);
            if exponent > end + 1 + sign {
                end = exponent;
            }
        }
        text.get(..end)
            .and_then(|t| t.parse().ok())
            .unwrap_or(f64::NAN)
    }
}
