//! The frames and bodies the browser module exchanges, read from and written to a JSON-like value
//! field by field, without serde.
//!
//! Why a second codec: serde's derives monomorphize a visitor per type and per format, which costs
//! the browser module more code than the rest of its logic together. The browser implements the
//! small [`WireValue`] trait over JS objects (`Reflect.get` / `Reflect.set`) and lets the page's
//! own `JSON.parse` / `JSON.stringify` do the text. The shapes here are the serde shapes of this
//! crate, field for field; the golden tests check every frame through both codecs, so the wire
//! stays defined in this crate only.
//!
//! Only what the browser needs is here: client frames and request bodies are written, server
//! frames and replies are read. Reading follows serde's rules: a required field that is missing,
//! `null` or of the wrong type fails, optional fields may be missing or `null`, unknown fields are
//! ignored.

use crate::client::{ClientFrame, InvokeData, VisitorEvent};
use crate::error::{ErrorCode, FrameError, ValidationError};
use crate::ids::{AckId, GroupId, VisitorId};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::rest::{
    AuthorizeRequest, FindReply, PresenceReply, SignalKind, SignalRequest, UniqueVisitor,
    VisitorSettings, VisitorSettingsExtra,
};
use crate::server::{AckData, ErrorData, RedirectData, ServerFrame};
use crate::wire::{ConnectedData, SockData, TermsData, TermsStatus, Visibility, VisibilityData};

/// A JSON-like value: what a JS object is to the browser, `serde_json::Value` in the tests.
pub trait WireValue: Sized {
    /// A new empty object.
    fn object() -> Self;
    /// A string.
    fn string(text: &str) -> Self;
    /// A number.
    fn number(n: f64) -> Self;
    /// A whole number (ids): written without a fraction where the format tells the two apart.
    fn integer(n: u64) -> Self {
        Self::number(n as f64)
    }
    /// A number given as its JSON text (a page's number passed through as written); `null` if
    /// the text is not a JSON number.
    fn number_text(text: &str) -> Self;
    /// A boolean.
    fn boolean(b: bool) -> Self;
    /// `null`.
    fn null() -> Self;
    /// Sets field `key` of an object (fields keep the order they were set in).
    fn set(&mut self, key: &str, value: Self);
    /// Field `key` of an object; `None` when absent or `null` (or when this is not an object).
    fn field(&self, key: &str) -> Option<Self>;
    /// The text of a string.
    fn as_str(&self) -> Option<String>;
    /// The value of a number.
    fn as_f64(&self) -> Option<f64>;
    /// The value of a boolean.
    fn as_bool(&self) -> Option<bool>;
}

/// A type written as a [`WireValue`].
pub trait ToWire {
    /// The value, with the field names and shapes of the serde form.
    fn to_wire<V: WireValue>(&self) -> V;
}

/// A type read from a [`WireValue`].
pub trait FromWire: Sized {
    /// `None` when the value does not have the shape (the serde form would refuse it too).
    fn from_wire<V: WireValue>(value: &V) -> Option<Self>;
}

// --- field helpers -------------------------------------------------------------------------------

/// A required field.
fn req<V: WireValue, T>(v: &V, key: &str, read: impl FnOnce(&V) -> Option<T>) -> Option<T> {
    read(&v.field(key)?)
}

/// An optional field: `Some(None)` when absent or `null`, `None` when of the wrong shape.
fn opt<V: WireValue, T>(v: &V, key: &str, read: impl FnOnce(&V) -> Option<T>) -> Option<Option<T>> {
    match v.field(key) {
        None => Some(None),
        Some(field) => read(&field).map(Some),
    }
}

fn text<V: WireValue>(v: &V) -> Option<String> {
    v.as_str()
}

/// Whether `n` is a whole number (`f64::fract` is not in `core`). Numbers beyond ±2^63 count as
/// not whole: every caller limits the range further.
pub(crate) fn is_whole(n: f64) -> bool {
    n as i64 as f64 == n
}

/// Largest integer a double holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A non-negative integer (serde's integer types refuse fractions).
fn unsigned<V: WireValue>(v: &V) -> Option<u64> {
    let n = v.as_f64()?;
    (is_whole(n) && (0.0..=MAX_SAFE).contains(&n)).then_some(n as u64)
}

fn u32_of<V: WireValue>(v: &V) -> Option<u32> {
    u32::try_from(unsigned(v)?).ok()
}

fn set_opt<V: WireValue>(obj: &mut V, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        obj.set(key, V::string(value));
    }
}

// --- ids and names ---------------------------------------------------------------------------------

impl FromWire for GroupId {
    /// A positive integer, or its decimal text.
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        match v.as_str() {
            Some(s) => GroupId::parse(&s).ok(),
            None => GroupId::new(u32_of(v)?).ok(),
        }
    }
}

impl FromWire for VisitorId {
    /// A visitor id, or a whole number (pages sometimes use numeric ids).
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        if let Some(s) = v.as_str() {
            return VisitorId::parse(&s).ok();
        }
        let n = v.as_f64()?;
        if !is_whole(n) || n.abs() >= 1e15 {
            return None;
        }
        let digits = decimal(n.abs() as u64);
        VisitorId::parse(&if n < 0.0 {
            ["-", &digits].concat()
        } else {
            digits
        })
        .ok()
    }
}

impl ToWire for AckId {
    fn to_wire<V: WireValue>(&self) -> V {
        match self {
            Self::Num(n) => V::integer(*n),
            Self::Str(s) => V::string(s),
        }
    }
}

impl FromWire for AckId {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        match v.as_str() {
            Some(s) => Some(Self::Str(s)),
            None => unsigned(v).map(Self::Num),
        }
    }
}

impl FromWire for ErrorCode {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        ErrorCode::parse(&v.as_str()?)
    }
}

/// The decimal text of `n`, without the formatting machinery (which the browser module leaves
/// out).
pub fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[start..].iter().map(|&d| char::from(d)).collect()
}

// --- small payloads ---------------------------------------------------------------------------------

impl ToWire for VisibilityData {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("visibility", V::string(self.visibility.as_str()));
        o
    }
}

impl FromWire for VisibilityData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        let visibility = req(v, "visibility", |f| Visibility::parse(&f.as_str()?))?;
        Some(Self { visibility })
    }
}

impl ToWire for TermsData {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("status", V::string(self.status.as_str()));
        o
    }
}

impl FromWire for TermsData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        let status = req(v, "status", |f| TermsStatus::parse(&f.as_str()?))?;
        Some(Self { status })
    }
}

impl ToWire for SockData {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("connected", V::boolean(self.connected));
        o
    }
}

impl FromWire for SockData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            connected: req(v, "connected", V::as_bool)?,
        })
    }
}

impl ToWire for ConnectedData {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("groupid", V::integer(u64::from(self.groupid.get())));
        o.set("visitorid", V::string(self.visitorid.as_str()));
        o
    }
}

impl FromWire for ConnectedData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            groupid: req(v, "groupid", GroupId::from_wire)?,
            visitorid: req(v, "visitorid", VisitorId::from_wire)?,
        })
    }
}

impl ToWire for ErrorData {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("error", V::string(self.error.as_str()));
        set_opt(&mut o, "detail", self.detail.as_deref());
        o
    }
}

impl FromWire for ErrorData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            error: req(v, "error", ErrorCode::from_wire)?,
            detail: opt(v, "detail", text)?,
        })
    }
}

impl FromWire for AckData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            id: req(v, "id", AckId::from_wire)?,
            ok: opt(v, "ok", V::as_bool)?,
            error: opt(v, "error", ErrorCode::from_wire)?,
        })
    }
}

impl FromWire for RedirectData {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            direct: req(v, "direct", text)?,
        })
    }
}

mod frames;
mod rest;
