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

    mod properties {
        //! Issue 13 §7: arbitrary query strings never panic, duplicates of the single names are
        //! refused in any spelling, decoding never grows the input, and encoded pairs round-trip.
        use super::*;
        use proptest::prelude::*;

        /// A name, value or piece of one: plain, percent-encoded (valid or broken), `+`, `=`, `&`.
        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-z0-9]{0,8}",
                "(%[0-9A-Fa-f]{2}){1,4}",
                "%[0-9A-Za-z]?",
                "[+=&;#?]",
                ".{0,6}",
            ]
        }

        fn raw_query() -> impl Strategy<Value = String> {
            prop::collection::vec(piece(), 0..12).prop_map(|p| p.concat())
        }

        /// Any spelling of `name`: each character either plain or percent-encoded.
        fn spelling(name: &'static str) -> impl Strategy<Value = String> {
            prop::collection::vec(any::<bool>(), name.len()).prop_map(move |enc| {
                name.bytes()
                    .zip(enc)
                    .map(|(b, e)| {
                        if e {
                            format!("%{b:02X}")
                        } else {
                            char::from(b).into()
                        }
                    })
                    .collect()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn arbitrary_queries_never_panic(raw in raw_query()) {
                match RequestQuery::parse(&raw) {
                    Ok(q) => {
                        // Decoding only shrinks: `%XX` is one byte (or a 3-byte U+FFFD when
                        // not UTF-8), `+` is a space.
                        let decoded: usize = q.pairs().map(|(k, v)| k.len() + v.len()).sum();
                        prop_assert!(decoded <= raw.len(), "{raw:?} grew to {decoded} bytes");
                        for name in SINGLE {
                            prop_assert!(q.pairs().filter(|(k, _)| *k == name).count() <= 1);
                        }
                        let _ = q.group();
                        let _ = q.read::<glance_protocol::VisitorQuery>();
                    }
                    Err(e) => prop_assert!(matches!(e, ApiError::InvalidParameter(_))),
                }
            }

            #[test]
            fn duplicated_single_names_are_refused(
                name in prop::sample::select(SINGLE.to_vec()),
                spell_a in any::<prop::sample::Index>(),
                spell_b in any::<prop::sample::Index>(),
                around in raw_query(),
                (a, b) in ("[a-z0-9]{0,6}", "[a-z0-9]{0,6}"),
            ) {
                // Two independent spellings of the same name, one before and one after noise.
                let spell = |i: prop::sample::Index| -> String {
                    let bits = i.index(1 << name.len().min(16));
                    name.bytes()
                        .enumerate()
                        .map(|(j, c)| if bits >> j & 1 == 1 { format!("%{c:02X}") } else { char::from(c).into() })
                        .collect()
                };
                let raw = format!("{}={a}&{}&{}={b}", spell(spell_a), around.replace(name, "x"), spell(spell_b));
                prop_assert!(RequestQuery::parse(&raw).is_err(), "{raw}");
            }

            #[test]
            fn encoded_pairs_round_trip(
                pairs in prop::collection::vec(("[a-z]{1,8}", ".{0,12}"), 0..8),
                group in spelling("groupid"),
            ) {
                let pairs: Vec<(String, String)> = pairs
                    .into_iter()
                    .filter(|(k, _)| !SINGLE.contains(&k.as_str()))
                    .collect();
                let mut raw = serde_urlencoded::to_string(&pairs).expect("strings encode");
                raw.push_str(&format!("&{group}=12345"));
                let q = RequestQuery::parse(&raw).expect("an encoded query parses");
                let back: Vec<(&str, &str)> = q.pairs().collect();
                let mut want: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                want.push(("groupid", "12345"));
                prop_assert_eq!(back, want);
                prop_assert_eq!(q.group().map(GroupId::get), Some(12345));
            }
        }
    }
}
