//! Values between the page and the state machine, through serde-wasm-bindgen.
//!
//! Into Rust, a page value is taken as JSON carries it (`JSON.stringify`, then `JSON.parse` and
//! serde-wasm-bindgen into [`Value`]): `toJSON` and dropped `undefined`s behave as the original
//! scripts' JSON encoding did, and a value JSON cannot carry (a cycle, a BigInt) is refused
//! instead of recursing. Out of Rust, values become plain JS objects and arrays
//! (`json_compatible`, not `Map`s).

use crate::codec;
use crate::value::Value;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// `value` as a plain JS value; `None` if serde refuses it.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}

/// A page value as JSON carries it; `None` for `undefined` and for what JSON cannot carry.
pub fn from_js(value: &JsValue) -> Option<Value> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    codec::parse(&text)
}

/// A call's arguments, trailing `undefined`s dropped (so `setDefaultUI()` has no argument);
/// `None` when JSON cannot carry them.
pub fn args(values: &[&JsValue]) -> Option<Vec<Value>> {
    let given = values
        .iter()
        .rposition(|v| !v.is_undefined())
        .map_or(0, |last| last + 1);
    let array = js_sys::Array::new();
    for value in values.iter().take(given) {
        array.push(value);
    }
    match from_js(&array)? {
        Value::Array(items) => Some(items),
        _ => None,
    }
}

/// Constructor params: `{}` when the page gives none.
pub fn params(value: &JsValue) -> Option<Value> {
    if value.is_undefined() || value.is_null() {
        return Some(Value::object());
    }
    from_js(value)
}
