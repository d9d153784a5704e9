//! `GLANCE.Presence.Visitor` (§2.3).

use super::{is_true, PageObject};
use crate::dispatch::Role;
use crate::method::Method;
use js_sys::Object;
use wasm_bindgen::prelude::*;

/// `GLANCE.Presence.Visitor`: this page's presence, reported to the agents watching the
/// visitor; the handlers (`onsignal`, `onerror`, `onuniqueid`, …) are read from `page` when each
/// event fires. `disconnect()`, `free()` or collection of `page` closes the socket and cancels its
/// timers. Every method takes `&self`: a handler may call back in.
#[wasm_bindgen]
pub struct Visitor {
    page: PageObject,
}

#[wasm_bindgen]
impl Visitor {
    /// `new GLANCE.Presence.Visitor({groupid?, visitorid?})` for the loader's object `page`. Does
    /// no I/O.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "VisitorParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PageObject")] page: Object,
    ) -> Visitor {
        Visitor {
            page: PageObject::new(Role::Visitor, &params, &page),
        }
    }

    /// Opens the visitor socket; a no-op while connecting or connected.
    pub fn connect(&self) {
        self.page.call(Method::Connect, &[]);
    }

    /// Closes, stops every timer; no reconnect afterwards.
    pub fn disconnect(&self) {
        self.page.call(Method::Disconnect, &[]);
    }

    /// Whether the socket is connected and answered.
    pub fn isconnected(&self) -> bool {
        is_true(self.page.call(Method::IsConnected, &[]))
    }

    /// Changes the visitor id; reconnects if connected.
    #[wasm_bindgen(js_name = setVisitorId)]
    pub fn set_visitor_id(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) {
        self.page.call(Method::SetVisitorId, &[&id]);
    }

    /// Sends `{type:"presence", data}` (page facts and `user-*` fields, the caller's `data` on
    /// top), checked against the limits first; connects if needed.
    pub fn presence(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PresenceOptions | undefined")] opts: JsValue,
    ) {
        self.page.call(Method::Presence, &[&opts]);
    }

    /// Sends `{type, data}`: `terms`, the session and error events, custom `c_*` events.
    pub fn fire(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | undefined")] data: JsValue,
    ) {
        self.page.call(Method::Fire, &[&kind, &data]);
    }

    /// SDK-style `fire` for `terms` and custom `c_*` events only.
    #[wasm_bindgen(js_name = signalAgent)]
    pub fn signal_agent(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | undefined")]
        props: JsValue,
    ) {
        self.page.call(Method::SignalAgent, &[&name, &props]);
    }

    /// Sends `visibility` explicitly.
    #[wasm_bindgen(js_name = signalVisibility)]
    pub fn signal_visibility(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean")] visible: JsValue,
    ) {
        self.page.call(Method::SignalVisibility, &[&visible]);
    }

    /// `false`: `onshowterms` instead of the built-in terms dialog (no argument: `true`).
    #[wasm_bindgen(js_name = setDefaultUI)]
    pub fn set_default_ui(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined")] on: JsValue,
    ) {
        self.page.call(Method::SetDefaultUi, &[&on]);
    }

    /// Gets a unique id (`onuniqueid(id, timeout)`), connects as it, then sends `presence` with
    /// the given `data`, if any.
    #[wasm_bindgen(js_name = connectUnique)]
    pub fn connect_unique(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PresenceOptions | undefined")] opts: JsValue,
    ) {
        self.page.call(Method::ConnectUnique, &[&opts]);
    }

    /// Renews the unique id's timeout.
    #[wasm_bindgen(js_name = extendUnique)]
    pub fn extend_unique(&self) {
        self.page.call(Method::ExtendUnique, &[]);
    }
}
