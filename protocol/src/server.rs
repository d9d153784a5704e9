//! Frames the server sends to clients.

use crate::client::InvokeData;
use crate::wire::{Envelope, Payload};
use crate::{
    AckId, ConnectedData, ErrorCode, FrameError, SockData, TermsData, ValidationError,
    VisibilityData,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `error` payload: `{error, detail?}`. A refused connect is `{error:"connfail", detail:"authorization"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorData {
    /// The error code.
    pub error: ErrorCode,
    /// More precise code or a human-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `ack` payload: `{id, ok:true}` or `{id, error}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckData {
    /// The id of the acknowledged `signal` / `invoke`.
    pub id: AckId,
    /// Present and true when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// Present when refused (`visitornotpresent`, `invalidparameter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorCode>,
}

impl AckData {
    /// An accepted ack.
    pub fn ok(id: AckId) -> Self {
        Self {
            id,
            ok: Some(true),
            error: None,
        }
    }
    /// A refused ack.
    pub fn refused(id: AckId, error: ErrorCode) -> Self {
        Self {
            id,
            ok: None,
            error: Some(error),
        }
    }
}

/// `redirect` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectData {
    /// `host[:port]` to reconnect to.
    pub direct: String,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame<D> {
    /// Answer to `connect`: `{type:"connected", keepalive, data}`.
    Connected {
        /// Seconds between client keepalives.
        keepalive: u32,
        /// Who the connection is.
        data: ConnectedData,
    },
    /// An error; after a refused `connect` the server closes.
    Error(ErrorData),
    /// Answer to an agent's `signal` / `invoke` with an `id`.
    Ack(AckData),
    /// The visitor went from no socket to one (`true`) or lost its last one (`false`).
    VisitorSock(SockData),
    /// The visitor became present (`true`) or absent after the grace period (`false`).
    VisitorConn(SockData),
    /// The visitor's merged presence.
    Presence(D),
    /// The visitor's visibility.
    Visibility(VisibilityData),
    /// The visitor's terms dialog.
    Terms(TermsData),
    /// `visitorsessionstart`.
    SessionStart(Option<D>),
    /// `visitorsessionend`.
    SessionEnd(Option<D>),
    /// `visitorerror`.
    VisitorError(Option<D>),
    /// A custom visitor event `c_*`.
    Custom {
        /// The event name.
        name: String,
        /// Its payload.
        data: Option<D>,
    },
    /// To a visitor: an agent's signal.
    Signal(Option<D>),
    /// To a visitor: an agent's invoke.
    Invoke(InvokeData<D>),
    /// To a visitor: another connection of the same visitor took focus.
    Blur,
    /// Reconnect to another server.
    Redirect(RedirectData),
    /// The server closes this connection for good (hidden limit, unique timeout).
    ServerClose,
    /// The node is draining: reconnect now.
    ScaleDown,
}

impl<D> ServerFrame<D> {
    /// The wire type.
    pub fn kind(&self) -> &str {
        match self {
            Self::Connected { .. } => "connected",
            Self::Error(_) => "error",
            Self::Ack(_) => "ack",
            Self::VisitorSock(_) => "visitorsock",
            Self::VisitorConn(_) => "visitorconn",
            Self::Presence(_) => "presence",
            Self::Visibility(_) => "visibility",
            Self::Terms(_) => "terms",
            Self::SessionStart(_) => "visitorsessionstart",
            Self::SessionEnd(_) => "visitorsessionend",
            Self::VisitorError(_) => "visitorerror",
            Self::Custom { name, .. } => name,
            Self::Signal(_) => "signal",
            Self::Invoke(_) => "invoke",
            Self::Blur => "blur",
            Self::Redirect(_) => "redirect",
            Self::ServerClose => "serverclose",
            Self::ScaleDown => "scaledown",
        }
    }

    /// An `error` frame.
    pub fn error(error: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Error(ErrorData {
            error,
            detail: Some(detail.into()),
        })
    }

    /// The `error` frame of a refused connect: `{error:"connfail", detail}`.
    pub fn connfail(detail: ErrorCode) -> Self {
        Self::error(ErrorCode::Connfail, detail.as_str())
    }
}

impl<D: Serialize> Serialize for ServerFrame<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let data = match self {
            Self::Connected { data, .. } => Some(ServerData::Connected(data)),
            Self::Error(e) => Some(ServerData::Error(e)),
            Self::Ack(a) => Some(ServerData::Ack(a)),
            Self::VisitorSock(c) | Self::VisitorConn(c) => Some(ServerData::Sock(*c)),
            Self::Presence(d) => Some(ServerData::Raw(d)),
            Self::Visibility(v) => Some(ServerData::Visibility(*v)),
            Self::Terms(t) => Some(ServerData::Terms(*t)),
            Self::SessionStart(d)
            | Self::SessionEnd(d)
            | Self::VisitorError(d)
            | Self::Signal(d)
            | Self::Custom { data: d, .. } => d.as_ref().map(ServerData::Raw),
            Self::Invoke(i) => Some(ServerData::Invoke(i)),
            Self::Redirect(r) => Some(ServerData::Redirect(r)),
            Self::Blur | Self::ServerClose | Self::ScaleDown => None,
        };
        let keepalive = match self {
            Self::Connected { keepalive, .. } => Some(*keepalive),
            _ => None,
        };
        Envelope {
            keepalive,
            data,
            ..Envelope::new(self.kind())
        }
        .serialize(s)
    }
}

/// Borrowed `data` of an outgoing server frame.
#[derive(Serialize)]
#[serde(untagged)]
enum ServerData<'a, D> {
    Raw(&'a D),
    Visibility(VisibilityData),
    Terms(TermsData),
    Invoke(&'a InvokeData<D>),
    Sock(SockData),
    Connected(&'a ConnectedData),
    Error(&'a ErrorData),
    Ack(&'a AckData),
    Redirect(&'a RedirectData),
}

fn invalid(ty: &str, what: &'static str) -> FrameError {
    FrameError::Invalid {
        ty: ty.to_owned(),
        reason: ValidationError::Shape(what),
    }
}

fn typed<D: Payload, T: serde::de::DeserializeOwned>(
    ty: &str,
    data: Option<D>,
) -> Result<T, FrameError> {
    data.ok_or_else(|| invalid(ty, "missing data"))?
        .decode()
        .map_err(|_| invalid(ty, "data of the wrong shape"))
}

impl<D: Payload + serde::de::DeserializeOwned> ServerFrame<D> {
    pub(crate) fn from_envelope(env: Envelope<D>) -> Result<Self, FrameError> {
        let ty = env.kind().ok_or(FrameError::MissingType)?.to_owned();
        let frame = match ty.as_str() {
            "connected" => Self::Connected {
                keepalive: env.keepalive.unwrap_or(25),
                data: typed(&ty, env.data)?,
            },
            "error" => Self::Error(typed(&ty, env.data)?),
            "ack" => Self::Ack(typed(&ty, env.data)?),
            "visitorsock" => Self::VisitorSock(typed(&ty, env.data)?),
            "visitorconn" => Self::VisitorConn(typed(&ty, env.data)?),
            "presence" => Self::Presence(env.data.ok_or_else(|| invalid(&ty, "missing data"))?),
            "visibility" => Self::Visibility(typed(&ty, env.data)?),
            "terms" => Self::Terms(typed(&ty, env.data)?),
            "visitorsessionstart" => Self::SessionStart(env.data),
            "visitorsessionend" => Self::SessionEnd(env.data),
            "visitorerror" => Self::VisitorError(env.data),
            "signal" => Self::Signal(env.data),
            "invoke" => Self::Invoke(typed(&ty, env.data)?),
            "blur" => Self::Blur,
            "redirect" => Self::Redirect(typed(&ty, env.data)?),
            "serverclose" => Self::ServerClose,
            "scaledown" => Self::ScaleDown,
            name if name.starts_with("c_") => Self::Custom {
                name: ty.clone(),
                data: env.data,
            },
            _ => return Err(FrameError::UnknownType(ty)),
        };
        Ok(frame)
    }
}

impl<D: Payload + serde::de::DeserializeOwned> ServerFrame<D> {
    /// Reads a frame from any serde format (see [`crate::ClientFrame::read`]).
    pub fn read<'de, De: Deserializer<'de>>(de: De) -> Result<Result<Self, FrameError>, De::Error> {
        Envelope::<D>::deserialize(de).map(Self::from_envelope)
    }
}
