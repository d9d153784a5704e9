//! Frames through the wire codec: client frames written, server frames read.

use super::*;

impl<D> InvokeData<D> {
    /// `{func, args?}`, with `args` written by `data`.
    pub fn to_wire_with<V: WireValue>(&self, data: impl Fn(&D) -> V) -> V {
        let mut o = V::object();
        o.set("func", V::string(&self.func));
        if let Some(args) = &self.args {
            o.set("args", data(args));
        }
        o
    }
}

impl<V: WireValue> InvokeData<V> {
    /// Reads `{func, args?}`; `args` stays a free-form value.
    pub fn from_wire(v: &V) -> Option<Self> {
        Some(Self {
            func: req(v, "func", text)?,
            args: v.field("args"),
        })
    }
}

// --- frames -------------------------------------------------------------------------------------------

impl<D> ClientFrame<D> {
    /// The frame as a value, `data` payloads written by `data`. Fields in the order of the serde
    /// form: `type`, the `connect` fields, `id`, `data`.
    pub fn to_wire_with<V: WireValue>(&self, data: impl Fn(&D) -> V) -> V {
        let mut o = V::object();
        o.set("type", V::string(self.kind()));
        let payload: Option<V> = match self {
            Self::Connect(c) => {
                o.set("groupid", V::integer(u64::from(c.groupid.get())));
                o.set("visitorid", V::string(c.visitorid.as_str()));
                set_opt(&mut o, "guesttoken", c.guesttoken.as_deref());
                set_opt(&mut o, "authorization", c.authorization.as_deref());
                set_opt(&mut o, "version", c.version.as_deref());
                None
            }
            Self::Keepalive => None,
            Self::Presence(d) => Some(data(d)),
            Self::Visibility(v) => Some(v.to_wire()),
            Self::Event(VisitorEvent::Terms(t)) => Some(t.to_wire()),
            Self::Event(
                VisitorEvent::SessionStart(d)
                | VisitorEvent::SessionEnd(d)
                | VisitorEvent::VisitorError(d)
                | VisitorEvent::Custom { data: d, .. },
            ) => d.as_ref().map(&data),
            Self::Signal { id, data: d } => {
                if let Some(id) = id {
                    o.set("id", id.to_wire());
                }
                d.as_ref().map(&data)
            }
            Self::Invoke { id, data: call } => {
                if let Some(id) = id {
                    o.set("id", id.to_wire());
                }
                Some(call.to_wire_with(&data))
            }
        };
        if let Some(payload) = payload {
            o.set("data", payload);
        }
        o
    }
}

fn invalid(ty: &str, what: &'static str) -> FrameError {
    FrameError::Invalid {
        ty: ty.to_owned(),
        reason: ValidationError::Shape(what),
    }
}

fn typed<V: WireValue, T: FromWire>(ty: &str, data: Option<V>) -> Result<T, FrameError> {
    let data = data.ok_or_else(|| invalid(ty, "missing data"))?;
    T::from_wire(&data).ok_or_else(|| invalid(ty, "data of the wrong shape"))
}

impl<V: WireValue> ServerFrame<V> {
    /// Reads a server frame (the type is `mtype` if present, else `type`). Free-form payloads stay
    /// values. Errors as [`ServerFrame::read`] gives them.
    pub fn from_wire(v: &V) -> Result<Self, FrameError> {
        let kind = |key| opt(v, key, text).ok_or_else(|| invalid(key, "type must be a string"));
        let ty = kind("mtype")?
            .or(kind("type")?)
            .ok_or(FrameError::MissingType)?;
        let keepalive = opt(v, "keepalive", u32_of)
            .ok_or_else(|| invalid(&ty, "keepalive must be a whole number"))?;
        let data = v.field("data");
        let frame = match ty.as_str() {
            "connected" => Self::Connected {
                keepalive: keepalive.unwrap_or(25),
                data: typed(&ty, data)?,
            },
            "error" => Self::Error(typed(&ty, data)?),
            "ack" => Self::Ack(typed(&ty, data)?),
            "visitorsock" => Self::VisitorSock(typed(&ty, data)?),
            "visitorconn" => Self::VisitorConn(typed(&ty, data)?),
            "presence" => Self::Presence(data.ok_or_else(|| invalid(&ty, "missing data"))?),
            "visibility" => Self::Visibility(typed(&ty, data)?),
            "terms" => Self::Terms(typed(&ty, data)?),
            "visitorsessionstart" => Self::SessionStart(data),
            "visitorsessionend" => Self::SessionEnd(data),
            "visitorerror" => Self::VisitorError(data),
            "signal" => Self::Signal(data),
            "invoke" => {
                let data = data.ok_or_else(|| invalid(&ty, "missing data"))?;
                Self::Invoke(
                    InvokeData::from_wire(&data)
                        .ok_or_else(|| invalid(&ty, "data of the wrong shape"))?,
                )
            }
            "blur" => Self::Blur,
            "redirect" => Self::Redirect(typed(&ty, data)?),
            "serverclose" => Self::ServerClose,
            "scaledown" => Self::ScaleDown,
            name if name.starts_with("c_") => Self::Custom {
                name: ty.clone(),
                data,
            },
            _ => return Err(FrameError::UnknownType(ty)),
        };
        Ok(frame)
    }
}

// --- REST bodies ---------------------------------------------------------------------------------------
