//! Calling into page code: handlers read at dispatch time, exceptions caught and logged.
//!
//! Nothing here is called while a `RefCell` of the module is borrowed: the connection releases
//! its machine before carrying out actions, so a handler may call back into the API.

use crate::core::{EventArg, PageEvent};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{to_js, JsPayload};
use glance_protocol::{SockData, TermsData, VisibilityData};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Logs a warning with the module's prefix.
pub fn warn(message: &str) {
    web_sys::console::warn_2(
        &JsValue::from_str("glance-presence:"),
        &JsValue::from_str(message),
    );
}

/// `obj[key]`, `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` if it is a function.
pub fn function(obj: &JsValue, key: &str) -> Option<Function> {
    get(obj, key).dyn_into::<Function>().ok()
}

/// `obj[key]` as text (strings as they are, numbers in their shortest integer form).
pub fn text(obj: &JsValue, key: &str) -> Option<String> {
    value_text(&get(obj, key))
}

/// A config value as text.
pub fn value_text(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    if v.as_f64().is_some() {
        // The browser's own number formatting: no float formatting code in the module.
        return js_sys::Number::unchecked_from_js_ref(v)
            .to_string_with_radix(10)
            .ok()
            .map(String::from);
    }
    v.as_bool()
        .map(|b| if b { "true".into() } else { "false".into() })
}

/// Sets `obj[key] = value`, ignoring failure (frozen objects).
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Calls `f` with `this` and `args`; an exception is logged, never propagated.
pub fn call(f: &Function, this: &JsValue, args: &[JsValue]) -> Option<JsValue> {
    let result = match args {
        [] => f.call0(this),
        [a] => f.call1(this, a),
        [a, b] => f.call2(this, a, b),
        _ => f.apply(this, &args.iter().collect()),
    };
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            web_sys::console::error_2(
                &JsValue::from_str("glance-presence: a page handler threw"),
                &e,
            );
            None
        }
    }
}

/// Calls `obj[key](args…)` if it is a function.
pub fn call_method(obj: &JsValue, key: &str, args: &[JsValue]) -> Option<JsValue> {
    function(obj, key).and_then(|f| call(&f, obj, args))
}

/// A fresh empty object.
pub fn object() -> JsValue {
    Object::new().into()
}

/// `{sessionkey}`: the argument of `onshowterms` and the detail of the session events.
pub fn session_arg(sessionkey: &str) -> JsValue {
    let arg = object();
    set(&arg, "sessionkey", &JsValue::from_str(sessionkey));
    arg
}

/// Calls `facade[handler](arg)` as the event says.
pub fn dispatch(facade: &JsValue, event: PageEvent<JsPayload>) {
    let Some(handler) = function(facade, event.handler.name()) else {
        return;
    };
    let args = match event.arg {
        EventArg::None => vec![],
        EventArg::Data(Some(data)) => vec![data.0],
        EventArg::Data(None) => vec![object()],
        EventArg::Connected(connected) => vec![to_js(&SockData { connected })],
        EventArg::Visibility(visibility) => vec![to_js(&VisibilityData { visibility })],
        EventArg::Terms(status) => vec![to_js(&TermsData { status })],
        EventArg::ConnectedData(data) => vec![to_js(&data)],
        EventArg::Error(error) => vec![to_js(&error)],
        EventArg::UniqueId(id, timeout) => vec![JsValue::from_str(&id), JsValue::from(timeout)],
        EventArg::ShowTerms {
            sessionkey,
            termsurl,
        } => {
            let arg = session_arg(&sessionkey);
            if let Some(url) = termsurl {
                set(&arg, "termsurl", &JsValue::from_str(&url));
            }
            vec![arg]
        }
    };
    call(&handler, facade, &args);
}
