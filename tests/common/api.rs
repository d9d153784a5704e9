//! The public JavaScript API as a page uses it: `window.GLANCE.Authorization`,
//! `new GLANCE.Presence.Agent(params)` and `new GLANCE.Presence.Visitor(params)`, reached through
//! `js_sys::Reflect` only (the tests never touch the crate's Rust items).

use super::{get, window};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `window.GLANCE.<path...>`; panics if a step is missing (the served script installs them all).
fn glance(path: &[&str]) -> JsValue {
    let mut value = get(&window(), "GLANCE");
    let mut walked = String::from("GLANCE");
    for step in path {
        assert!(value.is_object(), "{walked} is missing");
        value = get(&value, step);
        walked = format!("{walked}.{step}");
    }
    assert!(!value.is_undefined(), "{walked} is missing");
    value
}

/// `object[name](args...)`, as a page calls it. The API never throws into the page, so a throw
/// fails the test.
fn call_method(object: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let method = get(object, name);
    let Some(method) = method.dyn_ref::<Function>() else {
        panic!("{name} is not a function: {method:?}");
    };
    method
        .apply(object, &args.iter().collect::<Array>())
        .unwrap_or_else(|e| panic!("{name}() threw {e:?}"))
}

/// `new GLANCE.Presence.<class>(params)`; `new GLANCE.Presence.<class>()` for undefined params.
fn construct(class: &str, params: &JsValue) -> JsValue {
    let ctor: Function = glance(&["Presence", class]).unchecked_into();
    let args = if params.is_undefined() {
        Array::new()
    } else {
        Array::of1(params)
    };
    Reflect::construct(&ctor, &args)
        .unwrap_or_else(|e| panic!("new GLANCE.Presence.{class}() threw {e:?}"))
}

/// Arguments for a method: none when `opts` is undefined (`presence()`, `connectUnique()`).
fn optional(opts: &JsValue) -> Vec<JsValue> {
    if opts.is_undefined() {
        vec![]
    } else {
        vec![opts.clone()]
    }
}

/// A boolean answer of the API; anything else fails the test.
fn boolean(value: JsValue, what: &str) -> bool {
    value
        .as_bool()
        .unwrap_or_else(|| panic!("{what} returned {value:?}, not a boolean"))
}

/// `object.disconnect()` from a `Drop`: never panics (what it would report, the test's own
/// `disconnect()` calls check).
fn disconnect_quietly(object: &JsValue) {
    if let Some(disconnect) = get(object, "disconnect").dyn_ref::<Function>() {
        let _ = disconnect.call0(object);
    }
}

/// `GLANCE.Authorization`: static functions.
pub struct Authorization;

impl Authorization {
    fn call(name: &str, args: &[JsValue]) -> JsValue {
        call_method(&glance(&["Authorization"]), name, args)
    }

    /// `authorize({service, credentials, groupid, duration, onsuccess, onfail})`.
    pub fn authorize(opts: &JsValue) {
        Self::call("authorize", std::slice::from_ref(opts));
    }

    /// `setToken(token)`.
    pub fn set_token(token: &str) {
        Self::call("setToken", &[token.into()]);
    }

    /// `gettoken()`: `None` for undefined or null; a token that is not a string fails the test.
    pub fn gettoken() -> Option<String> {
        let token = Self::call("gettoken", &[]);
        if token.is_undefined() || token.is_null() {
            return None;
        }
        Some(
            token
                .as_string()
                .unwrap_or_else(|| panic!("gettoken() returned {token:?}")),
        )
    }

    /// `clearToken()`.
    pub fn clear_token() {
        Self::call("clearToken", &[]);
    }

    /// `authorized()`.
    pub fn authorized() -> bool {
        boolean(Self::call("authorized", &[]), "authorized()")
    }
}

/// What `new GLANCE.Presence.Agent(params)` returned to the page.
///
/// Dropping it calls `disconnect()`: the tests used to hold the module's Rust core, whose drop
/// closed the socket and stopped the timers. A JS object has no drop, and `disconnect()` is what
/// a page does instead, so a test that ends leaves no socket behind for the next one.
pub struct Agent(JsValue);

impl Agent {
    /// `new GLANCE.Presence.Agent(params)`; set handlers right after (see `Recorder::on`).
    pub fn new(params: &JsValue) -> Self {
        Self(construct("Agent", params))
    }

    /// The page's object, where its handlers go.
    pub fn object(&self) -> &JsValue {
        &self.0
    }

    /// `connect()`.
    pub fn connect(&self) {
        call_method(&self.0, "connect", &[]);
    }

    /// `disconnect()`.
    pub fn disconnect(&self) {
        call_method(&self.0, "disconnect", &[]);
    }

    /// `isconnected()`.
    pub fn is_connected(&self) -> bool {
        boolean(call_method(&self.0, "isconnected", &[]), "isconnected()")
    }

    /// `signalVisitor({data, onsuccess, onfail})`.
    pub fn signal_visitor(&self, opts: &JsValue) {
        call_method(&self.0, "signalVisitor", std::slice::from_ref(opts));
    }

    /// `invokeVisitor({func, args, onsuccess, onfail})`.
    pub fn invoke_visitor(&self, opts: &JsValue) {
        call_method(&self.0, "invokeVisitor", std::slice::from_ref(opts));
    }

    /// `lookupVisitor({onsuccess, onfail})`.
    pub fn lookup_visitor(&self, opts: &JsValue) {
        call_method(&self.0, "lookupVisitor", std::slice::from_ref(opts));
    }

    /// `query({onsuccess, onfail})`.
    pub fn query(&self, opts: &JsValue) {
        call_method(&self.0, "query", std::slice::from_ref(opts));
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        disconnect_quietly(&self.0);
    }
}

/// What `new GLANCE.Presence.Visitor(params)` returned to the page. Dropping it calls
/// `disconnect()`, for the reason given at [`Agent`].
pub struct Visitor(JsValue);

impl Visitor {
    /// `new GLANCE.Presence.Visitor(params)` (`new GLANCE.Presence.Visitor()` for undefined).
    pub fn new(params: &JsValue) -> Self {
        Self(construct("Visitor", params))
    }

    /// The page's object, where its handlers go.
    pub fn object(&self) -> &JsValue {
        &self.0
    }

    /// `presence(opts)`; `presence()` for undefined.
    pub fn presence(&self, opts: &JsValue) {
        call_method(&self.0, "presence", &optional(opts));
    }

    /// `connect()`.
    pub fn connect(&self) {
        call_method(&self.0, "connect", &[]);
    }

    /// `disconnect()`.
    pub fn disconnect(&self) {
        call_method(&self.0, "disconnect", &[]);
    }

    /// `isconnected()`.
    pub fn is_connected(&self) -> bool {
        boolean(call_method(&self.0, "isconnected", &[]), "isconnected()")
    }

    /// `fire(type, data)`.
    pub fn fire(&self, kind: &str, data: &JsValue) {
        call_method(&self.0, "fire", &[kind.into(), data.clone()]);
    }

    /// `signalAgent(name, props)`.
    pub fn signal_agent(&self, name: &str, props: &JsValue) {
        call_method(&self.0, "signalAgent", &[name.into(), props.clone()]);
    }

    /// `setDefaultUI(on)`.
    pub fn set_default_ui(&self, on: bool) {
        call_method(&self.0, "setDefaultUI", &[on.into()]);
    }

    /// `connectUnique(opts)`; `connectUnique()` for undefined.
    pub fn connect_unique(&self, opts: &JsValue) {
        call_method(&self.0, "connectUnique", &optional(opts));
    }

    /// `extendUnique()`.
    pub fn extend_unique(&self) {
        call_method(&self.0, "extendUnique", &[]);
    }
}

impl Drop for Visitor {
    fn drop(&mut self) {
        disconnect_quietly(&self.0);
    }
}
