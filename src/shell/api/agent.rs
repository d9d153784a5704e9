//! `GLANCE.Presence.Agent` (§2.2); in the full build only.

use super::{is_true, PageObject};
use crate::dispatch::Role;
use crate::method::Method;
use js_sys::Object;
use wasm_bindgen::prelude::*;

/// `GLANCE.Presence.Agent`: watches one visitor and relays its events to the page's `on*`
/// handlers, read from `page` when each event fires. `disconnect()`, `free()` or collection of
/// `page` closes the socket and cancels its timers. Every method takes `&self`: a handler may call
/// back in.
#[wasm_bindgen]
pub struct Agent {
    page: PageObject,
}

#[wasm_bindgen]
impl Agent {
    /// `new GLANCE.Presence.Agent({visitorid | uniqueid, groupid?, presenceserver?})` for the
    /// loader's object `page`. Does no I/O.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AgentParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PageObject")] page: Object,
    ) -> Agent {
        Agent {
            page: PageObject::new(Role::Agent, &params, &page),
        }
    }

    /// Opens the agent socket to receive the visitor's events.
    pub fn connect(&self) {
        self.page.call(Method::Connect, &[]);
    }

    /// Closes it; no reconnect afterwards.
    pub fn disconnect(&self) {
        self.page.call(Method::Disconnect, &[]);
    }

    /// Whether the socket is connected and answered.
    pub fn isconnected(&self) -> bool {
        is_true(self.page.call(Method::IsConnected, &[]))
    }

    /// Switches visitor; reconnects if connected.
    #[wasm_bindgen(js_name = setVisitorId)]
    pub fn set_visitor_id(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) {
        self.page.call(Method::SetVisitorId, &[&id]);
    }

    /// Delivers `{type:"signal", data}` to the visitor: `onsuccess` once the server took it,
    /// `onfail(code)` otherwise.
    #[wasm_bindgen(js_name = signalVisitor)]
    pub fn signal_visitor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignalOptions")] opts: JsValue,
    ) {
        self.page.call_with_options(Method::SignalVisitor, &opts);
    }

    /// Delivers `{type:"invoke", data:{func, args}}` to the visitor, as `signalVisitor` does.
    #[wasm_bindgen(js_name = invokeVisitor)]
    pub fn invoke_visitor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InvokeOptions")] opts: JsValue,
    ) {
        self.page.call_with_options(Method::InvokeVisitor, &opts);
    }

    /// `GET /lookupvisitor`: `onsuccess(info)` (`{}` when not present).
    #[wasm_bindgen(js_name = lookupVisitor)]
    pub fn lookup_visitor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LookupOptions")] opts: JsValue,
    ) {
        self.page.call_with_options(Method::LookupVisitor, &opts);
    }

    /// `GET /query`: `onsuccess({visitors})`, the present visitors of the group.
    pub fn query(&self, #[wasm_bindgen(unchecked_param_type = "QueryOptions")] opts: JsValue) {
        self.page.call_with_options(Method::Query, &opts);
    }
}
