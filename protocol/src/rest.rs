//! Request and response bodies of the HTTP API (§4).

use crate::{ErrorCode, GroupId, VisitorId};
use serde::{de, Deserialize, Deserializer, Serialize};

/// Reads a string field that clients may send as a number (`partnerid: 12345`).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            if crate::number::is_whole(v) && v.abs() < 1e15 {
                Ok((v as i64).to_string())
            } else {
                Ok(v.to_string())
            }
        }
    }
    d.deserialize_any(V)
}

/// Error body of every endpoint: `{err, msg?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code.
    pub err: ErrorCode,
    /// What was wrong, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
}

/// Query of `GetVisitorSettings3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorSettingsQuery {
    /// The group.
    pub groupid: GroupId,
    /// `production` | `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `presence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Reply of `GetVisitorSettings3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorSettings {
    /// `host[:port]` of the presence service; empty when presence is off for the group.
    pub presence_url: String,
    /// Always true: clients ask `/presence` for the socket host.
    pub is_presence_load_balanced: bool,
}

/// Optional fields of the `GetVisitorSettings3` reply, read by the browser module next to
/// [`VisitorSettings`]. A separate type so that code building `VisitorSettings` is unaffected; the
/// server adds it to the reply with `#[serde(flatten)]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorSettingsExtra {
    /// The group's terms URL, linked from the visitor's terms dialog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
}

/// Query of `Authorize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeQuery {
    /// The group.
    pub groupid: GroupId,
    /// The service the token is for (`presence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Minutes, clamped to 1..120.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// `production` | `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// Body of `Authorize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    /// The group id, as text.
    #[serde(deserialize_with = "string_or_number")]
    pub partnerid: String,
    /// The agent's user id in the partner's system, up to 255 characters.
    #[serde(deserialize_with = "string_or_number")]
    pub partneruserid: String,
    /// `$1$<expires>$<sig>`.
    pub loginkey: String,
}

/// Most characters of `partneruserid`.
pub const MAX_PARTNER_USER_ID: usize = 255;

/// Query naming one visitor: `/presence`, `/lookupvisitor`, `/findvisitor`, `/signalvisitor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorQuery {
    /// The group.
    pub groupid: GroupId,
    /// The visitor.
    pub visitorid: VisitorId,
}

/// Reply of `POST /presence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceReply {
    /// `host[:port]` to open the visitor socket at.
    pub directserver: String,
}

/// Query of `GET /uniquevisitor`. With `visitorid` and `guesttoken` it extends that unique id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueVisitorQuery {
    /// The group.
    pub groupid: GroupId,
    /// The unique visitor to extend (`UNQ-…`); `None` asks for a new id. The original visitor
    /// scripts ask for a new id with `visitorid=undefined` (JavaScript's text for a missing
    /// value), and pages with an empty one: both read as `None` (§4.3).
    #[serde(
        default,
        deserialize_with = "unique_visitor_to_extend",
        skip_serializing_if = "Option::is_none"
    )]
    pub visitorid: Option<VisitorId>,
    /// Its current guest token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guesttoken: Option<String>,
}

/// `visitorid` of [`UniqueVisitorQuery`]: absent, empty or `undefined` is no visitor.
fn unique_visitor_to_extend<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<VisitorId>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("" | "undefined") => Ok(None),
        Some(id) => VisitorId::parse(id).map(Some).map_err(de::Error::custom),
    }
}

/// Reply of `GET /uniquevisitor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueVisitor {
    /// `UNQ-<digits>`.
    pub visitorid: VisitorId,
    /// `<digits>`.
    pub uniqueid: String,
    /// Token binding the id; sent in `connect`.
    pub guesttoken: String,
    /// Seconds until the id expires unless extended.
    pub timeout: u32,
}

/// A present visitor as `/lookupvisitor` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct VisitorInfo<D> {
    /// The visitor.
    pub visitorid: VisitorId,
    /// Its group.
    pub groupid: GroupId,
    /// `host[:port]` of the server holding it.
    pub directserver: String,
    /// Same as `directserver`.
    pub direct: String,
    /// The merged presence map, including `visitorpresent`, `timestamp`, `url`, `browser`, ….
    #[serde(flatten)]
    pub presence: D,
}

/// Reply of `/lookupvisitor`: the visitor, or `{}` when not present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct LookupReply<D> {
    /// `None` serializes as `{}`.
    #[serde(flatten)]
    pub visitor: Option<VisitorInfo<D>>,
}

/// Reply of `/findvisitor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindReply {
    /// True while the visitor is present (§3.2).
    pub visitorfound: bool,
    /// Server to open the agent socket at, even when not found.
    pub directserver: String,
    /// Same as `directserver`.
    pub direct: String,
}

/// `mtype` of a REST signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignalKind {
    /// `{type:"signal", data}`.
    Signal,
    /// `{type:"invoke", data:{func, args}}`.
    Invoke,
}

/// Body of `POST /signalvisitor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct SignalRequest<D> {
    /// Signal or invoke.
    pub mtype: SignalKind,
    /// The payload (for invoke: `{func, args}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
}

/// One visitor in a `/query` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct QueriedVisitor<D> {
    /// The visitor.
    pub visitorid: VisitorId,
    /// Its merged presence map.
    #[serde(flatten)]
    pub presence: D,
}

/// Reply of `/query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>", serialize = "D: Serialize"))]
pub struct QueryReply<D> {
    /// The group's present visitors: one page, in visitor id order.
    pub visitors: Vec<QueriedVisitor<D>>,
    /// Where the next page starts (pass it as `cursor`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<VisitorId>,
}
