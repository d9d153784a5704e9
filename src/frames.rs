//! The WebSocket frames of §5 as the browser module writes and reads them, over [`Json`].
//!
//! The wire is defined by the protocol crate's serde types; the module does not compile serde (it
//! would cost more than the rest of the module), so this file writes and reads the same shapes by
//! hand. `src/tests/frames.rs` checks every frame against the protocol crate: what is written here
//! parses as the serde `ClientFrame`, and every serde `ServerFrame` reads back here.

use crate::json::{Json, Number};
#[allow(unused_imports)]
use crate::prelude::*;

/// A frame from the server: its type and what the client needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The whole frame.
    frame: Json,
    /// `keepalive` of `connected` (25 when absent).
    pub keepalive: u32,
}

impl Incoming {
    /// `mtype` if present, else `type` ([`read`] checked there is one).
    pub fn kind(&self) -> &str {
        let text = |key| self.frame.get(key).and_then(Json::as_str);
        text("mtype").or_else(|| text("type")).unwrap_or_default()
    }

    /// `data`, as sent (`None` when absent).
    pub fn data(&self) -> Option<&Json> {
        self.frame.get("data")
    }

    /// Field `key` of `data`.
    pub fn field(&self, key: &str) -> Option<&Json> {
        self.data()?.get(key)
    }

    /// Text field `key` of `data`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.field(key)?.as_str()
    }

    /// `data` for a page handler: `{}` when absent or `null`.
    pub fn payload(&self) -> Json {
        match self.data() {
            Some(data) if !data.is_null() => data.clone(),
            _ => Json::Object(vec![]),
        }
    }
}

/// Reads a server frame; `None` when it is not a JSON object with a string type (and a whole
/// `keepalive` if it has one).
pub fn read(text: &str) -> Option<Incoming> {
    let value = Json::parse(text)?;
    // A type: `mtype` or `type`, a string where present.
    let kind = |key| match value.get(key) {
        None | Some(Json::Null) => Some(false),
        Some(Json::String(_)) => Some(true),
        Some(_) => None,
    };
    (kind("mtype")? | kind("type")?).then_some(())?;
    let keepalive = match value.get("keepalive") {
        None | Some(Json::Null) => 25,
        Some(Json::Number(n)) => whole(n)?,
        Some(_) => return None,
    };
    Some(Incoming {
        frame: value,
        keepalive,
    })
}

/// A number that is a whole `u32`.
pub fn whole(n: &Number) -> Option<u32> {
    let f = n.as_f64();
    (f >= 0.0 && f <= f64::from(u32::MAX) && f as u32 as f64 == f).then_some(f as u32)
}

/// `{type}` and the fields after it.
fn frame(kind: &str) -> Json {
    Json::Object(vec![("type".into(), Json::str(kind))])
}

/// `{type:"connect", groupid, visitorid, guesttoken?|authorization?, version}`: a visitor sends
/// its guest token, an agent its authorization token.
pub fn connect(group: u32, visitor: &str, token: &str, agent: bool) -> String {
    let mut f = frame("connect");
    f.set("groupid", Json::Number(Number::from_u64(u64::from(group))));
    f.set("visitorid", Json::str(visitor));
    if !token.is_empty() {
        f.set(
            if agent { "authorization" } else { "guesttoken" },
            Json::str(token),
        );
    }
    f.set("version", Json::str(env!("CARGO_PKG_VERSION")));
    f.to_text()
}

/// `{type:"k"}`.
pub fn keepalive() -> String {
    frame("k").to_text()
}

/// `{type, data?}`: presence, visibility, visitor events.
pub fn event(kind: &str, data: Option<Json>) -> String {
    let mut f = frame(kind);
    if let Some(data) = data {
        f.set("data", data);
    }
    f.to_text()
}

/// `{visibility}`.
pub fn visibility(hidden: bool) -> String {
    let value = if hidden { "hidden" } else { "visible" };
    event("visibility", Some(object(&[("visibility", value)])))
}

/// An agent's `{type:"signal", id, data?}` or `{type:"invoke", id, data:{func, args?}}`.
pub fn signal(kind: &str, id: u32, data: Option<Json>) -> String {
    let mut f = frame(kind);
    f.set("id", Json::Number(Number::from_u64(u64::from(id))));
    if let Some(data) = data {
        f.set("data", data);
    }
    f.to_text()
}

/// `{func, args?}` of an invoke.
pub fn invoke_data(func: &str, args: Option<Json>) -> Json {
    let mut data = object(&[("func", func)]);
    if let Some(args) = args {
        data.set("args", args);
    }
    data
}

/// A JSON object of string fields.
pub fn object(fields: &[(&str, &str)]) -> Json {
    let mut members = Vec::new();
    for (k, v) in fields {
        members.push(((*k).into(), Json::str(v)));
    }
    Json::Object(members)
}
