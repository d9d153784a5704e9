//! The query string, read once per request (§4): the CORS check and the handler see the same
//! decoded parameters, so they cannot disagree about which group a request is for.
//!
//! A name the request depends on (`groupid`, `visitorid`, `service`) given twice, in any
//! spelling that decodes to it (`group%69d`, `%67roupid`), is refused: `invalidparameter`.

use super::ApiError;
use axum::http::{Extensions, Uri};
use glance_protocol::GroupId;
use serde::de::value::{Error as ValueError, MapDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use std::sync::Arc;

/// Names that must appear at most once.
const SINGLE: [&str; 3] = ["groupid", "visitorid", "service"];

/// The decoded `name=value` pairs of a query string, in order; empty pieces (`&&`) skipped.
#[derive(Debug, Clone)]
pub struct RequestQuery {
    pairs: Arc<[(String, String)]>,
}

impl RequestQuery {
    /// Decodes `raw` (`application/x-www-form-urlencoded`) and refuses duplicated names of
    /// [`SINGLE`].
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        for name in SINGLE {
            if pairs.iter().filter(|(k, _)| k == name).count() > 1 {
                return Err(ApiError::InvalidParameter(format!(
                    "{name} must be given once"
                )));
            }
        }
        Ok(Self {
            pairs: pairs.into(),
        })
    }

    /// The request's query, parsed by whichever of the CORS check and the handler asks first and
    /// kept in the request's extensions for the other.
    pub fn of(uri: &Uri, extensions: &mut Extensions) -> Result<Self, ApiError> {
        if let Some(q) = extensions.get::<Self>() {
            return Ok(q.clone());
        }
        let q = Self::parse(uri.query().unwrap_or(""))?;
        extensions.insert(q.clone());
        Ok(q)
    }

    /// The value of `name` (the first, for names that may repeat).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `groupid`, if present and valid.
    pub fn group(&self) -> Option<GroupId> {
        self.get("groupid").and_then(|g| GroupId::parse(g).ok())
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The pairs as a protocol query type (every value is text; a struct refuses any of its
    /// fields given twice).
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let map = MapDeserializer::new(self.pairs.iter().map(|(k, v)| (k.as_str(), Text(v))));
        T::deserialize(map).map_err(|e: ValueError| ApiError::InvalidParameter(e.to_string()))
    }
}

/// One query value: text, or `Some(text)` where an option is wanted.
struct Text<'a>(&'a str);

impl<'de> Deserializer<'de> for Text<'_> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, 'a> IntoDeserializer<'de, ValueError> for Text<'a> {
    type Deserializer = Text<'a>;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_duplicates_are_refused() {
        for raw in [
            "groupid=1&groupid=2",
            "groupid=1&group%69d=2",
            "%67roupid=1&groupid=2",
            "groupid=1&groupid=%32",
            "visitorid=a&visitor%69d=b",
            "service=presence&service=x",
        ] {
            assert!(RequestQuery::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn the_original_clients_query_strings_parse() {
        let q = RequestQuery::parse("groupid=12345&visitorid=V&&ver=6.33.0").unwrap();
        assert_eq!(q.group().map(GroupId::get), Some(12345));
        assert_eq!(q.get("visitorid"), Some("V"));
        assert_eq!(q.get("ver"), Some("6.33.0"));
        let v: glance_protocol::VisitorQuery = q.read().unwrap();
        assert_eq!(v.visitorid.as_str(), "V");
    }
}
