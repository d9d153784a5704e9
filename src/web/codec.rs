//! Frames and bodies to and from JS values with the protocol crate's object codec
//! ([`glance_protocol::WireValue`], implemented here over `Reflect`), and to and from text with
//! the browser's own `JSON.parse` / `JSON.stringify`. No JSON library and no serde code is compiled
//! into the module.

use crate::core::action::{frame_to_wire, Frame};
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{FrameError, ServerFrame, ToWire, WireValue};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// A page or network value carried through the machines untouched; also the value the codec
/// builds and reads.
#[derive(Debug, Clone)]
pub struct JsPayload(pub JsValue);

impl PartialEq for JsPayload {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl WireValue for JsPayload {
    fn object() -> Self {
        Self(Object::new().into())
    }
    fn string(text: &str) -> Self {
        Self(JsValue::from_str(text))
    }
    fn number(n: f64) -> Self {
        Self(JsValue::from_f64(n))
    }
    fn boolean(b: bool) -> Self {
        Self(JsValue::from_bool(b))
    }
    fn null() -> Self {
        Self(JsValue::NULL)
    }
    fn set(&mut self, key: &str, value: Self) {
        // Setting a property on a plain object the codec created cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.0);
    }
    fn field(&self, key: &str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        let value = Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!value.is_null() && !value.is_undefined()).then_some(Self(value))
    }
    fn as_str(&self) -> Option<String> {
        self.0.as_string()
    }
    fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }
}

/// A protocol value as a JS value.
pub fn to_js<T: ToWire>(value: &T) -> JsValue {
    value.to_wire::<JsPayload>().0
}

/// A JS value as JSON text.
pub fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

/// JSON text as a JS value.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// The text of an outgoing frame.
pub fn encode(frame: &Frame<JsPayload>) -> Option<String> {
    stringify(&frame_to_wire(frame).0)
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
    let Some(value) = parse(text) else {
        return Decoded::Invalid;
    };
    let value = JsPayload(value);
    match ServerFrame::from_wire(&value) {
        Ok(frame) => Decoded::Frame(frame),
        Err(FrameError::UnknownType(kind)) => {
            // `data: null` reaches the handler as null, as the page sent it.
            let data = Reflect::get(&value.0, &JsValue::from_str("data"))
                .ok()
                .filter(|d| !d.is_undefined());
            Decoded::Other {
                kind,
                data: data.map(JsPayload),
            }
        }
        Err(_) => Decoded::Invalid,
    }
}
