//! A small serde deserializer over JS values (what `JSON.parse` returns).
//!
//! Why not serde-wasm-bindgen's: its errors format their message eagerly, which links float
//! formatting and most of `core::fmt` into the module. Errors here carry no message (callers only
//! need to know that a reply or frame had the wrong shape), and payload values the module does not
//! interpret pass through as the JS values they are (see [`JsPayload`]).

use js_sys::{Array, Object};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;
use std::cell::RefCell;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// The name under which [`JsPayload`] asks the deserializer for the raw value.
const RAW: &str = "\u{0}glance::JsValue";

thread_local! {
    /// Hand-over slot between [`JsDe::deserialize_newtype_struct`] and [`JsPayload`]'s visitor.
    static HANDOVER: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The value had the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeError;

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected shape")
    }
}

impl std::error::Error for ShapeError {}

// Every constructor is overridden so that no message is ever built: the default methods format
// their arguments, which would link float formatting through `de::Unexpected`.
impl de::Error for ShapeError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        ShapeError
    }
    fn invalid_type(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        ShapeError
    }
    fn invalid_value(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        ShapeError
    }
    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        ShapeError
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        ShapeError
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        ShapeError
    }
    fn missing_field(_: &'static str) -> Self {
        ShapeError
    }
    fn duplicate_field(_: &'static str) -> Self {
        ShapeError
    }
}

/// Reads a `T` out of a JS value.
pub fn from_js<T: de::DeserializeOwned>(value: JsValue) -> Result<T, ShapeError> {
    T::deserialize(JsDe(value))
}

/// A deserializer for one JS value.
pub struct JsDe(pub JsValue);

/// Largest integer a double holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for JsDe {
    type Error = ShapeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        // The JS side is read by one non-generic function; only this small match is repeated for
        // every visitor type.
        match classify(self.0) {
            Kind::Str(s) => visitor.visit_string(s),
            Kind::Unsigned(n) => visitor.visit_u64(n),
            Kind::Signed(n) => visitor.visit_i64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Unit => visitor.visit_unit(),
            Kind::Seq(items) => visitor.visit_seq(Items { items, next: 0 }),
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries,
                next: 0,
                value: None,
            }),
            Kind::Other => Err(ShapeError),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        if name == RAW {
            HANDOVER.with(|h| *h.borrow_mut() = Some(self.0));
            visitor.visit_unit()
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        // Only unit variants written as strings (`"hidden"`, `"visitornotpresent"`).
        let name = self.0.as_string().ok_or(ShapeError)?;
        visitor.visit_enum(IntoDeserializer::<ShapeError>::into_deserializer(name))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// What a JS value is, as far as serde cares.
enum Kind {
    Str(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Unit,
    Seq(Array),
    /// `Object.entries(value)`.
    Map(Array),
    Other,
}

#[inline(never)]
fn classify(v: JsValue) -> Kind {
    if let Some(s) = v.as_string() {
        Kind::Str(s)
    } else if let Some(n) = v.as_f64() {
        // Integers go to the integer visitors: serde's integer types refuse doubles.
        if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) {
            Kind::Unsigned(n as u64)
        } else if n.fract() == 0.0 && (-MAX_SAFE..0.0).contains(&n) {
            Kind::Signed(n as i64)
        } else {
            Kind::Float(n)
        }
    } else if let Some(b) = v.as_bool() {
        Kind::Bool(b)
    } else if v.is_null() || v.is_undefined() {
        Kind::Unit
    } else if Array::is_array(&v) {
        Kind::Seq(v.unchecked_into())
    } else if v.is_object() {
        Kind::Map(Object::entries(v.unchecked_ref()))
    } else {
        Kind::Other
    }
}

struct Items {
    items: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = ShapeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ShapeError> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(JsDe(item)).map(Some)
    }
}

struct Entries {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = ShapeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ShapeError> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(pair.get(1));
        seed.deserialize(JsDe(pair.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ShapeError> {
        seed.deserialize(JsDe(self.value.take().unwrap_or(JsValue::UNDEFINED)))
    }
}

/// A page or network value carried through the machines untouched.
#[derive(Debug, Clone)]
pub struct JsPayload(pub JsValue);

impl PartialEq for JsPayload {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<'de> de::Deserialize<'de> for JsPayload {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Raw;
        impl<'de> Visitor<'de> for Raw {
            type Value = JsPayload;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JS value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<JsPayload, E> {
                HANDOVER
                    .with(|h| h.borrow_mut().take())
                    .map(JsPayload)
                    .ok_or_else(|| E::custom("not a JS value"))
            }
        }
        d.deserialize_newtype_struct(RAW, Raw)
    }
}
