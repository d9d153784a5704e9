//! Frames to and from JSON text with the browser's own JSON (`JSON.parse` / `JSON.stringify`)
//! and the small serde bridge of [`crate::web::de`] / [`crate::web::ser`], so no JSON library is
//! compiled into the module.

use crate::core::action::Frame;
pub use crate::web::de::JsPayload;
use crate::web::de::{from_js, JsDe};
use crate::web::ser::JsSer;
use glance_protocol::{FrameError, Payload, ServerFrame};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

impl Payload for JsPayload {
    fn decode<T: DeserializeOwned>(self) -> Result<T, String> {
        from_js(self.0).map_err(|_| String::new())
    }
}

/// A value as a JS value: maps and structs become plain objects.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(JsSer).unwrap_or(JsValue::UNDEFINED)
}

/// A value as JSON text.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    js_sys::JSON::stringify(&to_js(value))
        .ok()
        .and_then(|s| s.as_string())
}

/// JSON text as a `T`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(js_sys::JSON::parse(text).ok()?).ok()
}

/// The text of an outgoing frame.
pub fn encode(frame: &Frame<JsPayload>) -> Option<String> {
    to_json(frame)
}

/// What an incoming text frame turned out to be.
pub enum Decoded {
    /// A frame of a known type.
    Frame(ServerFrame<JsPayload>),
    /// A frame of another type: for `on<type>`.
    Other {
        /// Its type.
        kind: String,
        /// Its `data`.
        data: Option<JsPayload>,
    },
    /// Not JSON, or a known type of the wrong shape.
    Invalid,
}

/// Reads an incoming text frame.
pub fn decode(text: &str) -> Decoded {
    let Ok(value) = js_sys::JSON::parse(text) else {
        return Decoded::Invalid;
    };
    match ServerFrame::<JsPayload>::read(JsDe(value.clone())) {
        Ok(Ok(frame)) => Decoded::Frame(frame),
        Ok(Err(FrameError::UnknownType(kind))) => {
            let data = js_sys::Reflect::get(&value, &JsValue::from_str("data"))
                .ok()
                .filter(|d| !d.is_undefined());
            Decoded::Other {
                kind,
                data: data.map(JsPayload),
            }
        }
        _ => Decoded::Invalid,
    }
}
