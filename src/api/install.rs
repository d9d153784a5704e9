//! Start-up: what the facade calls once the module is ready.

use crate::api::context::{config, set_script_url};
use crate::core::config::PresenceMode;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::dom::document;
use crate::web::page::{call_method, get, warn};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Records where the script came from (the default `ws`). Called before queued calls replay.
#[wasm_bindgen]
pub fn install(script_url: Option<String>) {
    set_script_url(script_url);
}

/// `data-presence="on"`: once the DOM is loaded, creates `new GLANCE.Presence.Visitor()` and
/// calls `presence()`. Called after queued calls replay.
#[wasm_bindgen]
pub fn autostart(glance: JsValue) {
    if config(&JsValue::UNDEFINED).presence != PresenceMode::On {
        return;
    }
    let start = move || {
        let ctor = get(&get(&glance, "Presence"), "Visitor");
        let Some(ctor) = ctor.dyn_ref::<js_sys::Function>() else {
            return warn("GLANCE.Presence.Visitor is missing");
        };
        match js_sys::Reflect::construct(ctor, &js_sys::Array::new()) {
            Ok(visitor) => {
                call_method(&visitor, "presence", &[]);
            }
            Err(e) => {
                web_sys::console::error_2(&"glance-presence: presence start failed".into(), &e)
            }
        }
    };
    let Some(document) = document() else { return };
    if document.ready_state() != "loading" {
        return start();
    }
    // A one-shot listener: the closure frees itself after its single call.
    let callback = Closure::once_into_js(start);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "DOMContentLoaded",
        callback.unchecked_ref(),
        &options,
    );
}
