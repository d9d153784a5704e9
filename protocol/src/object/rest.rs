//! REST bodies through the wire codec: the replies the browser reads.

use super::*;

impl FromWire for VisitorSettings {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            presence_url: req(v, "presenceUrl", text)?,
            is_presence_load_balanced: req(v, "isPresenceLoadBalanced", V::as_bool)?,
        })
    }
}

impl FromWire for VisitorSettingsExtra {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            terms_url: opt(v, "termsUrl", text)?,
        })
    }
}

impl FromWire for PresenceReply {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            directserver: req(v, "directserver", text)?,
        })
    }
}

impl FromWire for FindReply {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            visitorfound: req(v, "visitorfound", V::as_bool)?,
            directserver: req(v, "directserver", text)?,
            direct: req(v, "direct", text)?,
        })
    }
}

impl FromWire for UniqueVisitor {
    fn from_wire<V: WireValue>(v: &V) -> Option<Self> {
        Some(Self {
            visitorid: req(v, "visitorid", VisitorId::from_wire)?,
            uniqueid: req(v, "uniqueid", text)?,
            guesttoken: req(v, "guesttoken", text)?,
            timeout: req(v, "timeout", u32_of)?,
        })
    }
}

impl ToWire for AuthorizeRequest {
    fn to_wire<V: WireValue>(&self) -> V {
        let mut o = V::object();
        o.set("partnerid", V::string(&self.partnerid));
        o.set("partneruserid", V::string(&self.partneruserid));
        o.set("loginkey", V::string(&self.loginkey));
        o
    }
}

impl<D> SignalRequest<D> {
    /// `{mtype, data?}`, `data` written by `data`.
    pub fn to_wire_with<V: WireValue>(&self, data: impl Fn(&D) -> V) -> V {
        let mut o = V::object();
        o.set("mtype", V::string(self.mtype.as_str()));
        if let Some(d) = &self.data {
            o.set("data", data(d));
        }
        o
    }
}

impl SignalKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signal => "signal",
            Self::Invoke => "invoke",
        }
    }
}

// --- serde_json ----------------------------------------------------------------------------------------

#[cfg(feature = "json")]
impl WireValue for serde_json::Value {
    fn object() -> Self {
        Self::Object(serde_json::Map::new())
    }
    fn string(text: &str) -> Self {
        Self::String(text.to_owned())
    }
    fn number(n: f64) -> Self {
        serde_json::Number::from_f64(n).map_or(Self::Null, Self::Number)
    }
    fn integer(n: u64) -> Self {
        Self::from(n)
    }
    fn number_text(text: &str) -> Self {
        match serde_json::from_str(text) {
            Ok(n @ Self::Number(_)) => n,
            _ => Self::Null,
        }
    }
    fn boolean(b: bool) -> Self {
        Self::Bool(b)
    }
    fn null() -> Self {
        Self::Null
    }
    fn set(&mut self, key: &str, value: Self) {
        if let Self::Object(map) = self {
            map.insert(key.to_owned(), value);
        }
    }
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn as_str(&self) -> Option<String> {
        serde_json::Value::as_str(self).map(str::to_owned)
    }
    fn as_f64(&self) -> Option<f64> {
        serde_json::Value::as_f64(self)
    }
    fn as_bool(&self) -> Option<bool> {
        serde_json::Value::as_bool(self)
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
