//! The presence wire protocol, shared by the server and the browser module.
//!
//! Every WebSocket frame and REST body of `PRESENCE.md` is a serde type here, with the validation
//! rules (§3.1, §4.2, §6). The crate has no runtime dependency beyond serde, so it compiles small to
//! wasm32.
//!
//! Free-form payloads (presence maps, signal data, custom events) are a type parameter `D`: the
//! server uses `serde_json::Value` (feature `json`, aliases [`JsonClientFrame`] and
//! [`JsonServerFrame`]).
//!
//! The browser module reads and writes the same types with its own free-form value as `D`,
//! converted to and from JavaScript by serde-wasm-bindgen and the browser's `JSON`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod error;
mod ids;
mod invoke;
#[cfg(feature = "json")]
mod json;
mod limits;
mod loginkey;
mod number;
mod rest;
mod server;
mod text;
mod wire;

pub use client::{ClientFrame, ConnectFrame, InvokeData, VisitorEvent};
pub use error::{ErrorCode, FrameError, ValidationError};
pub use ids::{AckFloat, AckId, GroupId, VisitorId, UNIQUE_PREFIX};
pub use invoke::{invoke_allowed, INVOKE_PREFIXES, MAX_INVOKE_FUNC};
#[cfg(feature = "json")]
pub use json::ParseError;
pub use limits::{
    check_custom_event_name, check_presence_counted, check_presence_entry, check_presence_totals,
    PresenceLimits, PresenceValue, MAX_FRAME_BYTES,
};
pub use loginkey::{LoginKey, LOGIN_KEY_SIG_LEN};
pub use number::decimal;
pub use rest::*;
pub use server::{AckData, ErrorData, RedirectData, ServerFrame};
pub use text::{find, join};
pub use wire::{
    CloseCode, ConnectedData, Payload, SockData, TermsData, TermsStatus, Visibility, VisibilityData,
};

/// A client frame with JSON payloads, as the server reads it.
#[cfg(feature = "json")]
pub type JsonClientFrame = ClientFrame<serde_json::Value>;
/// A server frame with JSON payloads, as the server writes it.
#[cfg(feature = "json")]
pub type JsonServerFrame = ServerFrame<serde_json::Value>;
/// A presence map with JSON values.
#[cfg(feature = "json")]
pub type PresenceMap = serde_json::Map<String, serde_json::Value>;
