//! The envelope every frame travels in, the small typed payloads, and the [`Payload`] trait that
//! lets each side choose its free-form value type.
//!
//! A frame is a JSON object: `type` (or `mtype`, which wins: the original clients send both),
//! an optional `id` (agent signals), `keepalive` (server `connected`), the `connect` fields at the
//! top level, and `data`.

use crate::{AckId, GroupId, VisitorId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A free-form value type for `data` (`serde_json::Value` on the server and in the tools).
pub trait Payload: Sized {
    /// Reads a typed payload out of the free-form value.
    fn decode<T: DeserializeOwned>(self) -> Result<T, String>;
}

#[cfg(feature = "json")]
impl Payload for serde_json::Value {
    fn decode<T: DeserializeOwned>(self) -> Result<T, String> {
        serde_json::from_value(self).map_err(|e| e.to_string())
    }
}

/// Every field any frame may carry. Unknown fields are ignored.
#[derive(Debug, Deserialize, Serialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub(crate) struct Envelope<D> {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupid: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitorid: Option<VisitorId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guesttoken: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AckId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keepalive: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
}

impl<D> Envelope<D> {
    pub fn new(ty: &str) -> Self {
        Self {
            ty: Some(ty.to_owned()),
            mtype: None,
            groupid: None,
            visitorid: None,
            guesttoken: None,
            authorization: None,
            version: None,
            id: None,
            keepalive: None,
            data: None,
        }
    }

    pub fn with_data(ty: &str, data: D) -> Self {
        Self {
            data: Some(data),
            ..Self::new(ty)
        }
    }

    /// The frame type: `mtype` if present, else `type`.
    pub fn kind(&self) -> Option<&str> {
        self.mtype.as_deref().or(self.ty.as_deref())
    }
}

/// Visibility of a visitor's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The tab is shown.
    Visible,
    /// The tab is hidden (another tab, minimized).
    Hidden,
}

impl Visibility {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visible => "visible",
            Self::Hidden => "hidden",
        }
    }

    /// The value of a wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Visible, Self::Hidden]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// `visibility` payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibilityData {
    /// The new visibility.
    pub visibility: Visibility,
}

/// Outcome of the terms dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TermsStatus {
    /// The dialog is shown.
    Displayed,
    /// The visitor accepted.
    Accepted,
    /// The visitor declined.
    Declined,
}

impl TermsStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Displayed => "displayed",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    /// The value of a wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Displayed, Self::Accepted, Self::Declined]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// `terms` payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsData {
    /// What happened.
    pub status: TermsStatus,
}

/// `visitorsock` / `visitorconn` payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SockData {
    /// Whether the visitor has a socket (`visitorsock`) or is present (`visitorconn`).
    pub connected: bool,
}

/// The `data` of the server's `connected` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedData {
    /// The group of the connection.
    pub groupid: GroupId,
    /// The visitor the connection is for (the visitor itself, or the one an agent watches).
    pub visitorid: VisitorId,
}

/// WebSocket close codes of §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// 4400: bad request (wrong first frame, unknown group, invalid parameter).
    BadRequest = 4400,
    /// 4401: missing or invalid token.
    Authorization = 4401,
    /// 4403: origin not allowed.
    Origin = 4403,
    /// 4408: no frame within the liveness window.
    Timeout = 4408,
    /// 4413: frame too large.
    TooLarge = 4413,
    /// 4429: rate limit or slow consumer.
    TooMany = 4429,
    /// 4503: the node is draining.
    Draining = 4503,
    /// 1002 (RFC 6455): a frame broke the WebSocket protocol (reserved opcode or RSV bit, an
    /// unmasked client frame, a fragmented or oversized control frame).
    ProtocolError = 1002,
    /// 1007 (RFC 6455): a text frame that is not UTF-8.
    InvalidData = 1007,
}
