//! The exported classes: what the loader (`pkg-template/loader.js`) hands the page's calls to.
//!
//! Each class only converts: arguments become [`Value`]s through [`super::convert`], call options
//! that carry `onsuccess`/`onfail` are kept in [`super::targets`], and the call goes to
//! [`crate::dispatch`]. Every method takes `&self`, never `&mut self`: a page handler the call
//! runs may call back into the same object (wasm-bindgen would otherwise throw "recursive use of
//! an object").
//!
//! An exported object belongs to the page object the loader made (the `page` of its
//! constructor). When the page drops that object and it is collected, wasm-bindgen's finalizer
//! frees the exported one, and its `Drop` ends the connection with everything it holds.

#[cfg(feature = "full")]
pub mod agent;
#[cfg(feature = "full")]
pub mod authorization;
pub mod cobrowse;
mod types;
pub mod visitor;

use super::{convert, targets};
use crate::dispatch::{self, Role};
use crate::method::Method;
use crate::page::Target;
use crate::value::Value;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// The page object of an exported object, and its connection in the state machine.
struct PageObject {
    id: Target,
}

impl PageObject {
    /// Registers `page` (held weakly until its connection is active) and creates its connection.
    fn new(role: Role, params: &JsValue, page: &Object) -> PageObject {
        let id = targets::add(page, false);
        dispatch::create(role, id, convert::params(params));
        PageObject { id }
    }

    /// Calls `method` with the page's arguments; what it returns.
    fn call(&self, method: Method, args: &[&JsValue]) -> Option<Value> {
        call(self.id, method, args)
    }

    /// Calls `method` whose one argument is the options with `onsuccess`/`onfail`.
    #[cfg(feature = "full")]
    fn call_with_options(&self, method: Method, opts: &JsValue) {
        call_with_options(self.id, method, opts);
    }
}

impl Drop for PageObject {
    fn drop(&mut self) {
        dispatch::collected(self.id);
        targets::remove(self.id);
    }
}

/// Calls `method` of page object `id` (0: the static functions) with the page's arguments.
fn call(id: Target, method: Method, args: &[&JsValue]) -> Option<Value> {
    dispatch::call(id, method, convert::args(args), 0)
}

/// Calls `method` whose one argument carries `onsuccess`/`onfail`: an object argument is held
/// for the call's outcome (the state machine settles it once, then forgets it).
#[cfg(feature = "full")]
fn call_with_options(id: Target, method: Method, opts: &JsValue) {
    let held = match wasm_bindgen::JsCast::dyn_ref::<Object>(opts) {
        Some(object) => targets::add(object, true),
        None => 0,
    };
    dispatch::call(id, method, convert::args(&[opts]), held);
}

/// A boolean result (`isconnected()`, `authorized()`).
fn is_true(result: Option<Value>) -> bool {
    result == Some(Value::Bool(true))
}
