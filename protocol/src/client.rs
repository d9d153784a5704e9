//! Frames a client (visitor or agent) sends to the server.

use crate::wire::{Envelope, Payload};
use crate::{
    check_custom_event_name, AckId, FrameError, GroupId, TermsData, ValidationError,
    VisibilityData, VisitorId,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The first frame of every connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFrame {
    /// The group.
    pub groupid: GroupId,
    /// The visitor (for an agent: the visitor it watches).
    pub visitorid: VisitorId,
    /// A unique visitor's guest token (`/uniquevisitor`).
    pub guesttoken: Option<String>,
    /// An agent's token (`Authorize`).
    pub authorization: Option<String>,
    /// Client version, e.g. `6.33.0`.
    pub version: Option<String>,
}

/// `{func, args}` of an `invoke`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct InvokeData<D> {
    /// Dotted path of the function to call (`GLANCE.…` or `GLANCE_COBROWSE.Custom.…`).
    pub func: String,
    /// Its argument object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<D>,
}

/// Events a visitor reports to its agents (relayed as they are).
#[derive(Debug, Clone, PartialEq)]
pub enum VisitorEvent<D> {
    /// `terms {status}`.
    Terms(TermsData),
    /// `visitorsessionstart`.
    SessionStart(Option<D>),
    /// `visitorsessionend`.
    SessionEnd(Option<D>),
    /// `visitorerror`.
    VisitorError(Option<D>),
    /// `c_*`.
    Custom {
        /// The event name, `c_…`.
        name: String,
        /// Its payload.
        data: Option<D>,
    },
}

impl<D> VisitorEvent<D> {
    /// The wire type.
    pub fn kind(&self) -> &str {
        match self {
            Self::Terms(_) => "terms",
            Self::SessionStart(_) => "visitorsessionstart",
            Self::SessionEnd(_) => "visitorsessionend",
            Self::VisitorError(_) => "visitorerror",
            Self::Custom { name, .. } => name,
        }
    }
}

/// A frame from a client. Read by `mtype`, falling back to `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame<D> {
    /// `connect`: must be first.
    Connect(ConnectFrame),
    /// `k`: keepalive.
    Keepalive,
    /// `presence`: a presence map (merged into the visitor's).
    Presence(D),
    /// `visibility`.
    Visibility(VisibilityData),
    /// `terms`, `visitorsession*`, `visitorerror`, `c_*`.
    Event(VisitorEvent<D>),
    /// Agent → visitor signal.
    Signal {
        /// Ack id.
        id: Option<AckId>,
        /// The signal payload.
        data: Option<D>,
    },
    /// Agent → visitor invoke.
    Invoke {
        /// Ack id.
        id: Option<AckId>,
        /// What to call.
        data: InvokeData<D>,
    },
}

impl<D> ClientFrame<D> {
    /// The wire type.
    pub fn kind(&self) -> &str {
        match self {
            Self::Connect(_) => "connect",
            Self::Keepalive => "k",
            Self::Presence(_) => "presence",
            Self::Visibility(_) => "visibility",
            Self::Event(e) => e.kind(),
            Self::Signal { .. } => "signal",
            Self::Invoke { .. } => "invoke",
        }
    }
}

fn invalid(ty: &str, reason: ValidationError) -> FrameError {
    FrameError::Invalid {
        ty: ty.to_owned(),
        reason,
    }
}

fn typed<D: Payload, T: serde::de::DeserializeOwned>(
    ty: &str,
    data: Option<D>,
    what: &'static str,
) -> Result<T, FrameError> {
    data.ok_or_else(|| invalid(ty, ValidationError::Shape(what)))?
        .decode()
        .map_err(|_| invalid(ty, ValidationError::Shape(what)))
}

impl<D: Payload + serde::de::DeserializeOwned> ClientFrame<D> {
    /// Interprets a parsed envelope.
    pub(crate) fn from_envelope(env: Envelope<D>) -> Result<Self, FrameError> {
        let ty = env.kind().ok_or(FrameError::MissingType)?.to_owned();
        let frame = match ty.as_str() {
            "connect" => Self::Connect(ConnectFrame {
                groupid: env
                    .groupid
                    .ok_or_else(|| invalid(&ty, ValidationError::GroupId))?,
                visitorid: env
                    .visitorid
                    .ok_or_else(|| invalid(&ty, ValidationError::VisitorId))?,
                guesttoken: env.guesttoken,
                authorization: env.authorization,
                version: env.version,
            }),
            "k" => Self::Keepalive,
            "presence" => Self::Presence(env.data.ok_or_else(|| {
                invalid(&ty, ValidationError::Shape("presence needs a data object"))
            })?),
            "visibility" => Self::Visibility(typed(
                &ty,
                env.data,
                "visibility must be {visibility: \"hidden\"|\"visible\"}",
            )?),
            "terms" => Self::Event(VisitorEvent::Terms(typed(
                &ty,
                env.data,
                "terms must be {status: \"displayed\"|\"accepted\"|\"declined\"}",
            )?)),
            "visitorsessionstart" => Self::Event(VisitorEvent::SessionStart(env.data)),
            "visitorsessionend" => Self::Event(VisitorEvent::SessionEnd(env.data)),
            "visitorerror" => Self::Event(VisitorEvent::VisitorError(env.data)),
            "signal" => Self::Signal {
                id: env.id,
                data: env.data,
            },
            "invoke" => Self::Invoke {
                id: env.id,
                data: typed(&ty, env.data, "invoke must be {func, args}")?,
            },
            name if name.starts_with("c_") => {
                check_custom_event_name(name).map_err(|e| invalid(name, e))?;
                Self::Event(VisitorEvent::Custom {
                    name: ty.clone(),
                    data: env.data,
                })
            }
            _ => return Err(FrameError::UnknownType(ty)),
        };
        Ok(frame)
    }
}

impl<D: Payload + serde::de::DeserializeOwned> ClientFrame<D> {
    /// Reads a frame from any serde format. Shape errors are [`FrameError`]s; the outer error is
    /// the format's own (e.g. invalid JSON).
    pub fn read<'de, De: Deserializer<'de>>(de: De) -> Result<Result<Self, FrameError>, De::Error> {
        Envelope::<D>::deserialize(de).map(Self::from_envelope)
    }
}

impl<D: Serialize> ClientFrame<D> {
    fn envelope(&self) -> Envelope<ClientData<'_, D>> {
        match self {
            Self::Connect(c) => Envelope {
                groupid: Some(c.groupid),
                visitorid: Some(c.visitorid.clone()),
                guesttoken: c.guesttoken.clone(),
                authorization: c.authorization.clone(),
                version: c.version.clone(),
                ..Envelope::new("connect")
            },
            Self::Keepalive => Envelope::new("k"),
            Self::Presence(d) => Envelope::with_data("presence", ClientData::Raw(d)),
            Self::Visibility(v) => Envelope::with_data("visibility", ClientData::Visibility(*v)),
            Self::Event(e) => {
                let data = match e {
                    VisitorEvent::Terms(t) => Some(ClientData::Terms(*t)),
                    VisitorEvent::SessionStart(d)
                    | VisitorEvent::SessionEnd(d)
                    | VisitorEvent::VisitorError(d)
                    | VisitorEvent::Custom { data: d, .. } => d.as_ref().map(ClientData::Raw),
                };
                Envelope {
                    data,
                    ..Envelope::new(e.kind())
                }
            }
            Self::Signal { id, data } => Envelope {
                id: id.clone(),
                data: data.as_ref().map(ClientData::Raw),
                ..Envelope::new("signal")
            },
            Self::Invoke { id, data } => Envelope {
                id: id.clone(),
                ..Envelope::with_data("invoke", ClientData::Invoke(data))
            },
        }
    }
}

impl<D: Serialize> Serialize for ClientFrame<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.envelope().serialize(s)
    }
}

/// Borrowed `data` of an outgoing client frame. The server's frames have their own
/// (`ServerData` in `server.rs`), so that a client writing its frames does not also carry the
/// code that writes the server's.
#[derive(Serialize)]
#[serde(untagged)]
enum ClientData<'a, D> {
    Raw(&'a D),
    Visibility(VisibilityData),
    Terms(TermsData),
    Invoke(&'a InvokeData<D>),
}
