//! Reading the page: configuration sources, visibility, location and user agent.

use crate::core::config::data_attribute_key;
use crate::core::presence::PageFacts;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::page::{get, value_text};
use glance_protocol::Visibility;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, VisibilityState, Window};

/// The window, if there is one.
pub fn window() -> Option<Window> {
    web_sys::window()
}

/// The document, if there is one.
pub fn document() -> Option<Document> {
    window()?.document()
}

/// The document's visibility (visible when unknown).
pub fn visibility() -> Visibility {
    match document().map(|d| d.visibility_state()) {
        Some(VisibilityState::Hidden) => Visibility::Hidden,
        _ => Visibility::Visible,
    }
}

/// `location.href` and `navigator.userAgent`.
pub fn page_facts() -> PageFacts {
    let Some(window) = window() else {
        return PageFacts::default();
    };
    PageFacts {
        url: window.location().href().unwrap_or_default(),
        user_agent: window.navigator().user_agent().unwrap_or_default(),
    }
}

/// Characters of a number's decimal text, as the browser writes it.
pub fn number_chars(n: f64) -> usize {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(|s| s.length() as usize)
        .unwrap_or(0)
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The `data-*` attributes of the element with `id`, as `(key, value)` (`data-user-name` →
/// `user-name`), in document order.
pub fn data_attributes(id: &str) -> Vec<(String, String)> {
    let Some(element) = document().and_then(|d| d.get_element_by_id(id)) else {
        return vec![];
    };
    let attributes = element.attributes();
    (0..attributes.length())
        .filter_map(|i| attributes.item(i))
        .filter_map(|attr| {
            let name = attr.name();
            data_attribute_key(&name).map(|key| (key.to_owned(), attr.value()))
        })
        .collect()
}

/// The entries of a plain config object (`window.GLANCE_COBROWSE`, constructor params) as text.
/// A nested `user: {name}` object counts as `user-name`. Functions and objects are skipped.
pub fn object_entries(obj: &JsValue) -> Vec<(String, String)> {
    let Some(obj) = obj.dyn_ref::<js_sys::Object>() else {
        return vec![];
    };
    let mut out = Vec::new();
    for entry in js_sys::Object::entries(obj).iter() {
        let key = get_index(&entry, 0).as_string().unwrap_or_default();
        let value = get_index(&entry, 1);
        if key == "user" && value.is_object() {
            for (k, v) in object_entries(&value) {
                out.push((["user-", &k].concat(), v));
            }
        } else if let Some(text) = value_text(&value) {
            out.push((key, text));
        }
    }
    out
}

fn get_index(array: &JsValue, i: u32) -> JsValue {
    array
        .dyn_ref::<js_sys::Array>()
        .map(|a| a.get(i))
        .unwrap_or(JsValue::UNDEFINED)
}

/// `window.GLANCE_COBROWSE`.
pub fn global_config() -> JsValue {
    window()
        .map(|w| get(&w, "GLANCE_COBROWSE"))
        .unwrap_or(JsValue::UNDEFINED)
}

/// Dispatches `CustomEvent(name, {detail})` on window.
pub fn dispatch_window_event(name: &str, detail: &JsValue) {
    let Some(window) = window() else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = window.dispatch_event(&event);
    }
}
