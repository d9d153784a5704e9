//! The WebSocket frames of §5 as the browser module writes and reads them.
//!
//! Frames out are the protocol crate's [`ClientFrame`]s over [`Value`] payloads, written by serde
//! ([`crate::codec`]). Frames in are read into a [`Value`] and looked at by type ([`Incoming`]):
//! the module relays every frame type the server sends, also those it has no special handling
//! for (`on<type>`, §2), which the protocol crate's closed `ServerFrame` enum cannot carry.
//! `src/tests/frames.rs` checks both against the protocol crate: every frame written here is the
//! `ClientFrame` it means, and every serde `ServerFrame` reads back here.

use crate::codec;
use crate::value::{whole_u32, Value};
use glance_protocol::{
    AckId, ClientFrame, ConnectFrame, GroupId, InvokeData, TermsData, TermsStatus, Visibility,
    VisibilityData, VisitorEvent, VisitorId,
};

/// A frame from the server: its type and what the client needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The whole frame.
    frame: Value,
    /// `keepalive` of `connected` (25 when absent).
    pub keepalive: u32,
}

impl Incoming {
    /// `mtype` if present, else `type` ([`read`] checked there is one).
    pub fn kind(&self) -> &str {
        let text = |key| self.frame.get(key).and_then(Value::as_str);
        text("mtype").or_else(|| text("type")).unwrap_or_default()
    }

    /// `data`, as sent (`None` when absent).
    pub fn data(&self) -> Option<&Value> {
        self.frame.get("data")
    }

    /// Field `key` of `data`.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.data()?.get(key)
    }

    /// Text field `key` of `data`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.field(key)?.as_str()
    }

    /// `data` for a page handler: `{}` when absent or `null`.
    pub fn payload(&self) -> Value {
        match self.data() {
            Some(data) if !data.is_null() => data.clone(),
            _ => Value::object(),
        }
    }
}

/// Reads a server frame; `None` when it is not a JSON object with a string type (and a whole
/// `keepalive` if it has one).
pub fn read(text: &str) -> Option<Incoming> {
    let value = codec::parse(text)?;
    // A type: `mtype` or `type`, a string where present.
    let kind = |key| match value.get(key) {
        None | Some(Value::Null) => Some(false),
        Some(Value::String(_)) => Some(true),
        Some(_) => None,
    };
    (kind("mtype")? | kind("type")?).then_some(())?;
    let keepalive = match value.get("keepalive") {
        None | Some(Value::Null) => 25,
        Some(Value::Number(n)) => whole_u32(*n)?,
        Some(_) => return None,
    };
    Some(Incoming {
        frame: value,
        keepalive,
    })
}

/// The text of a frame (empty if serde refuses it, which a frame of finite numbers never is).
fn text(frame: &ClientFrame<Value>) -> String {
    codec::to_text(frame).unwrap_or_default()
}

/// `{type:"connect", groupid, visitorid, guesttoken?|authorization?, version}`: a visitor sends
/// its guest token, an agent its authorization token. `None` when the group or the visitor id is
/// not valid (the configuration checked both before).
pub fn connect(group: u32, visitor: &str, token: &str, agent: bool) -> Option<String> {
    let token = Some(token.to_owned()).filter(|t| !t.is_empty());
    let (guesttoken, authorization) = if agent { (None, token) } else { (token, None) };
    let frame = ClientFrame::Connect(ConnectFrame {
        groupid: GroupId::new(group).ok()?,
        visitorid: VisitorId::parse(visitor).ok()?,
        guesttoken,
        authorization,
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
    });
    Some(text(&frame))
}

/// `{type:"k"}`.
pub fn keepalive() -> String {
    text(&ClientFrame::Keepalive)
}

/// `{type, data?}`: presence and visitor events. `kind` is a frame type the caller checked
/// (`presence`, `terms`, the session and error events, `c_*`); a `terms` frame's data is the
/// `{status}` [`crate::visitor::checked_event`] made.
pub fn event(kind: &str, data: Option<Value>) -> String {
    let frame = match kind {
        "presence" => ClientFrame::Presence(data.unwrap_or_else(Value::object)),
        "terms" => match data.map(|d| serde_terms(&d)) {
            Some(Some(terms)) => ClientFrame::Event(VisitorEvent::Terms(terms)),
            _ => return String::new(),
        },
        "visitorsessionstart" => ClientFrame::Event(VisitorEvent::SessionStart(data)),
        "visitorsessionend" => ClientFrame::Event(VisitorEvent::SessionEnd(data)),
        "visitorerror" => ClientFrame::Event(VisitorEvent::VisitorError(data)),
        name => ClientFrame::Event(VisitorEvent::Custom {
            name: name.to_owned(),
            data,
        }),
    };
    text(&frame)
}

/// The `{status}` of a terms event as the protocol crate types it.
fn serde_terms(data: &Value) -> Option<TermsData> {
    let status = match data.get("status")?.as_str()? {
        "displayed" => TermsStatus::Displayed,
        "accepted" => TermsStatus::Accepted,
        "declined" => TermsStatus::Declined,
        _ => return None,
    };
    Some(TermsData { status })
}

/// `{type:"visibility", data:{visibility}}`.
pub fn visibility(hidden: bool) -> String {
    let visibility = if hidden {
        Visibility::Hidden
    } else {
        Visibility::Visible
    };
    text(&ClientFrame::Visibility(VisibilityData { visibility }))
}

/// An agent's `{type:"signal", id, data?}` or `{type:"invoke", id, data:{func, args?}}`
/// (`invoke` data of another shape is sent as a signal would be: the caller built it with
/// [`invoke_data`]).
pub fn signal(kind: &str, id: u32, data: Option<Value>) -> String {
    let id = Some(AckId::Num(u64::from(id)));
    let frame = match (kind, data) {
        ("invoke", Some(data)) => match invoke_fields(data) {
            Ok(data) => ClientFrame::Invoke { id, data },
            Err(data) => ClientFrame::Signal { id, data },
        },
        (_, data) => ClientFrame::Signal { id, data },
    };
    text(&frame)
}

/// `{func, args?}` as the protocol crate types it (`Err`: not that shape).
fn invoke_fields(data: Value) -> Result<InvokeData<Value>, Option<Value>> {
    let func = data.get("func").and_then(Value::as_str).map(str::to_owned);
    match func {
        Some(func) => Ok(InvokeData {
            func,
            args: data.get("args").cloned(),
        }),
        None => Err(Some(data)),
    }
}

/// `{func, args?}` of an invoke.
pub fn invoke_data(func: &str, args: Option<Value>) -> Value {
    let mut data = object(&[("func", func)]);
    if let Some(args) = args {
        data.set("args", args);
    }
    data
}

/// A JSON object of string fields.
pub fn object(fields: &[(&str, &str)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::str(v)))
            .collect(),
    )
}
