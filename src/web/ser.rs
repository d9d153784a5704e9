//! A small serde serializer into JS values (what `JSON.stringify` takes). Maps and structs
//! become plain objects, `None` fields are left out, [`JsPayload`] values pass through as they are.

use crate::web::de::{JsPayload, ShapeError};
use js_sys::{Array, Object, Reflect};
use serde::ser::{self, Impossible, Serialize};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// The name under which [`JsPayload`] hands its raw value to the serializer.
const RAW: &str = "\u{0}glance::JsValue";

thread_local! {
    static HANDOVER: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

impl Serialize for JsPayload {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        HANDOVER.with(|h| *h.borrow_mut() = Some(self.0.clone()));
        s.serialize_newtype_struct(RAW, &())
    }
}

/// Serializes into a JS value.
pub struct JsSer;

/// Builds an array.
pub struct Items(Array);

/// Builds an object.
pub struct Fields {
    object: Object,
    key: Option<JsValue>,
}

impl Fields {
    fn set(&self, key: &JsValue, value: JsValue) {
        if !value.is_undefined() {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&self.object, key, &value);
        }
    }
}

impl ser::Serializer for JsSer {
    type Ok = JsValue;
    type Error = ShapeError;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Impossible<JsValue, ShapeError>;
    type SerializeMap = Fields;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<JsValue, ShapeError>;

    fn serialize_bool(self, v: bool) -> Result<JsValue, ShapeError> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, ShapeError> {
        self.serialize_f64(v as f64)
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, ShapeError> {
        self.serialize_f64(v as f64)
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, ShapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, ShapeError> {
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, ShapeError> {
        Ok(JsValue::from_str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, ShapeError> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<JsValue, ShapeError> {
        Err(ShapeError)
    }
    fn serialize_none(self) -> Result<JsValue, ShapeError> {
        Ok(JsValue::UNDEFINED)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<JsValue, ShapeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, ShapeError> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, ShapeError> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<JsValue, ShapeError> {
        Ok(JsValue::from_str(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<JsValue, ShapeError> {
        if name == RAW {
            return HANDOVER.with(|h| h.borrow_mut().take()).ok_or(ShapeError);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<JsValue, ShapeError> {
        Err(ShapeError)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items, ShapeError> {
        Ok(Items(Array::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Items, ShapeError> {
        Ok(Items(Array::new()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items, ShapeError> {
        Ok(Items(Array::new()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, ShapeError> {
        Err(ShapeError)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Fields, ShapeError> {
        Ok(Fields {
            object: Object::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields, ShapeError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, ShapeError> {
        Err(ShapeError)
    }
}

impl Items {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.0.push(&value.serialize(JsSer)?);
        Ok(())
    }
}

impl ser::SerializeSeq for Items {
    type Ok = JsValue;
    type Error = ShapeError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.push(value)
    }
    fn end(self) -> Result<JsValue, ShapeError> {
        Ok(self.0.into())
    }
}

impl ser::SerializeTuple for Items {
    type Ok = JsValue;
    type Error = ShapeError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.push(value)
    }
    fn end(self) -> Result<JsValue, ShapeError> {
        Ok(self.0.into())
    }
}

impl ser::SerializeTupleStruct for Items {
    type Ok = JsValue;
    type Error = ShapeError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.push(value)
    }
    fn end(self) -> Result<JsValue, ShapeError> {
        Ok(self.0.into())
    }
}

impl ser::SerializeMap for Fields {
    type Ok = JsValue;
    type Error = ShapeError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ShapeError> {
        self.key = Some(key.serialize(JsSer)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ShapeError> {
        let key = self.key.take().ok_or(ShapeError)?;
        self.set(&key, value.serialize(JsSer)?);
        Ok(())
    }
    fn end(self) -> Result<JsValue, ShapeError> {
        Ok(self.object.into())
    }
}

impl ser::SerializeStruct for Fields {
    type Ok = JsValue;
    type Error = ShapeError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ShapeError> {
        self.set(&JsValue::from_str(key), value.serialize(JsSer)?);
        Ok(())
    }
    fn end(self) -> Result<JsValue, ShapeError> {
        Ok(self.object.into())
    }
}

impl ser::Error for ShapeError {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        ShapeError
    }
}
