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
}
