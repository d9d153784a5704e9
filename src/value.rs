//! The free-form values the module handles: presence maps, signal data, event payloads, the page's
//! arguments and configuration. The protocol crate's frames carry them as their payload type.
//!
//! There is no parser or writer here: text goes through the browser's `JSON.parse` /
//! `JSON.stringify` and serde-wasm-bindgen in the wasm build, and through serde_json in the native
//! tests (see [`crate::codec`]). What this type adds over a `JsValue` is that the state machine can
//! inspect and build payloads in plain Rust, which `cargo test` runs natively.
//!
//! - Objects are vectors of fields in order, with unique keys, as JavaScript objects keep them
//!   (lookups are linear: right for frames of a few fields).
//! - Numbers are `f64`, as in JavaScript; whole ones are written without a fraction.
//! - Reading nests at most [`MAX_DEPTH`] deep, so that a hostile frame cannot overflow the stack.

use glance_protocol::{decimal, join};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Deepest nesting of arrays and objects a value is read with.
pub const MAX_DEPTH: u32 = 64;

/// The largest integer a double holds exactly (2^53).
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// A JSON value. Equality is structural: field order counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object: its fields in order, keys unique.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub fn str(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    /// An empty object.
    pub fn object() -> Value {
        Value::Object(Vec::new())
    }

    /// Field `key` of an object (`None` when absent or when this is not an object).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => member(fields, key),
            _ => None,
        }
    }

    /// Sets field `key` of an object: replaces its value in place, or appends the field. Does
    /// nothing when this is not an object.
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Object(fields) = self {
            put(fields, key.to_owned(), value);
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Item `index` of an array.
    pub fn get_index(&self, index: usize) -> Option<&Value> {
        match self {
            Value::Array(items) => items.get(index),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// The value of `key` among an object's fields.
pub fn member<'a>(fields: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key` in `fields`: in place when present, else at the end.
pub fn put(fields: &mut Vec<(String, Value)>, key: String, value: Value) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => fields.push((key, value)),
    }
}

/// A number's text as JavaScript's `String(n)` gives it (see [`crate::codec::number_text`]).
/// Whole numbers are written by the protocol crate's [`decimal`], without the formatting
/// machinery.
pub fn number_text(n: f64) -> String {
    match whole(n) {
        Some(i) if i < 0 => join(&["-", &decimal(i.unsigned_abs())]),
        Some(i) => decimal(i.unsigned_abs()),
        None => crate::codec::number_text(n),
    }
}

/// A number that is whole and exact in a double (|n| ≤ 2^53).
pub fn whole(n: f64) -> Option<i64> {
    (n.abs() <= MAX_SAFE && n.fract() == 0.0).then_some(n as i64)
}

/// A number that is a whole `u32`.
pub fn whole_u32(n: f64) -> Option<u32> {
    whole(n).and_then(|i| u32::try_from(i).ok())
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match whole(*n) {
                Some(i) => s.serialize_i64(i),
                None => s.serialize_f64(*n),
            },
            Value::String(text) => s.serialize_str(text),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Depth(MAX_DEPTH).deserialize(d)
    }
}

/// Reads a value with at most this many levels of nesting left.
#[derive(Clone, Copy)]
struct Depth(u32);

impl Depth {
    /// One level deeper; an error past [`MAX_DEPTH`].
    fn inner<E: serde::de::Error>(self) -> Result<Depth, E> {
        match self.0.checked_sub(1) {
            Some(left) => Ok(Depth(left)),
            None => Err(E::custom("nested too deep")),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }

    fn visit_str<E>(self, text: &str) -> Result<Value, E> {
        Ok(Value::str(text))
    }

    fn visit_string<E>(self, text: String) -> Result<Value, E> {
        Ok(Value::String(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut fields = Vec::new();
        // Keys are read as values too (one visitor for all of it), and must be strings.
        while let Some(key) = map.next_key_seed(inner)? {
            let Value::String(key) = key else {
                return Err(serde::de::Error::custom("an object key must be a string"));
            };
            let value = map.next_value_seed(inner)?;
            // A repeated key keeps the last value at the first position, as `JSON.parse` does.
            put(&mut fields, key, value);
        }
        Ok(Value::Object(fields))
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(not_json())
    }

    // What JSON never has, refused with one plain message (serde's defaults would refuse these
    // too, each with a message of its own).
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Value, E> {
        Err(not_json())
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Value, E> {
        Err(not_json())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, _: D) -> Result<Value, D::Error> {
        Err(not_json())
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(not_json())
    }
}

/// The error for what is not a JSON value.
fn not_json<E: serde::de::Error>() -> E {
    E::custom("not a JSON value")
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn numbers_as_javascript_writes_them() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (42.0, "42"),
            (-7.0, "-7"),
            (9_007_199_254_740_992.0, "9007199254740992"),
            (-9_007_199_254_740_992.0, "-9007199254740992"),
            (1.5, "1.5"),
        ];
        for (n, text) in cases {
            assert_eq!(number_text(n), text);
        }
    }
}
