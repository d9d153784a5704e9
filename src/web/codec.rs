//! Frames and bodies to and from JSON text, with the protocol crate's object codec
//! ([`glance_protocol::WireValue`]) over the module's own [`Json`] value. No serde and no JSON
//! library is compiled into the module.

use crate::core::action::{frame_to_wire, Frame};
use crate::core::json::Json;
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{FrameError, ServerFrame, ToWire};

/// A protocol value as JSON.
pub fn to_json<T: ToWire>(value: &T) -> Json {
    value.to_wire::<Json>()
}

/// The text of an outgoing frame.
pub fn encode(frame: &Frame<Json>) -> String {
    frame_to_wire(frame).to_text()
}

/// What an incoming text frame turned out to be.
pub enum Decoded {
    /// A frame of a known type.
    Frame(ServerFrame<Json>),
    /// A frame of another type: for `on<type>`.
    Other {
        /// Its type.
        kind: String,
        /// Its `data`.
        data: Option<Json>,
    },
    /// Not JSON, or a known type of the wrong shape.
    Invalid,
}

/// Reads an incoming text frame.
pub fn decode(text: &str) -> Decoded {
    let Some(value) = Json::parse(text) else {
        return Decoded::Invalid;
    };
    match ServerFrame::from_wire(&value) {
        Ok(frame) => Decoded::Frame(frame),
        // `data: null` reaches the handler as null, as the page sent it.
        Err(FrameError::UnknownType(kind)) => Decoded::Other {
            kind,
            data: value.get("data").cloned(),
        },
        Err(_) => Decoded::Invalid,
    }
}

/// A JSON array of arguments, as [`crate::web::host::emit`] takes them.
pub fn args(values: Vec<Json>) -> String {
    Json::Array(values).to_text()
}

/// A JSON object of string fields.
pub fn object(fields: &[(&str, &str)]) -> Json {
    let mut o = Json::Object(vec![]);
    for (k, v) in fields {
        o.set(k, Json::str(v));
    }
    o
}
