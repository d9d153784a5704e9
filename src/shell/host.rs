//! What the state machine asks of the browser, done through web-sys and js-sys: the same
//! functions as the recording host of the native tests (`src/host_fake.rs`).
//!
//! Resources (sockets, timers, requests) are kept under the ids the state machine chose
//! ([`super::resources`]) and report back through [`crate::dispatch::report`]; page objects and
//! call options are kept in [`super::targets`]. Nothing here throws into the page: a failing
//! browser call answers `false` / `None`, and an exception of page code is logged.

use super::dialog::TermsDialog;
use super::request::{Request, Spec};
use super::resources::{self, Resource};
use super::socket::Socket;
use super::{convert, listeners, targets, tasks};
use crate::dispatch::{self, Report};
use crate::value::Value;
use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, VisibilityState};

pub use crate::facts::{page, page_value, Read};

/// `new WebSocket(url)` under `id`; false if the browser refused the URL.
pub fn ws_open(id: u32, url: &str) -> bool {
    match Socket::open(id, url) {
        Some(socket) => {
            resources::insert(id, Resource::Socket(socket));
            true
        }
        None => false,
    }
}

/// Sends a text frame on socket `id`; false if it is not open.
pub fn ws_send(id: u32, text: &str) -> bool {
    resources::send(id, text)
}

/// Releases resource `id`: a socket is detached and closed, a timer cleared, a request aborted.
/// Nothing is reported for it afterwards.
pub fn release(id: u32) {
    drop(resources::remove(id));
}

/// A timer of `ms` milliseconds, reported as [`Report::Timer`] for `id`.
pub fn timer(id: u32, ms: u32) {
    let timeout = Timeout::new(ms, move || {
        let fired = resources::remove(id);
        dispatch::report(id, Report::Timer);
        drop(fired);
    });
    resources::insert(id, Resource::Timer(timeout));
}

/// Reports [`Report::Timer`] for `id` from a microtask, once the current call has returned (a
/// released id is ignored by the state machine).
pub fn microtask(id: u32) {
    tasks::later(id, Report::Timer);
}

/// `fetch(url, {method, body})`, reported with the status (0: no answer) and the body text.
pub fn fetch(id: u32, method: &str, url: &str, bearer: &str, body: &str) {
    let spec = Spec {
        method,
        url,
        bearer,
        body,
    };
    match Request::start(id, &spec) {
        Some(request) => resources::insert(id, Resource::Request(request)),
        // Refused before it started (a URL fetch does not take): no answer, from a microtask.
        None => tasks::later(id, Report::Reply(0, String::new())),
    }
}

/// Calls `handler` of the page object or call options under `target` with `args`; an exception
/// is caught and logged. `last`: the options are not needed any more.
pub fn emit(target: u32, handler: &str, args: &[Value], last: bool) {
    let object = targets::get(target);
    if last {
        targets::remove(target);
    }
    let (Some(object), false) = (object, handler.is_empty()) else {
        return;
    };
    let Ok(Ok(function)) = Reflect::get(&object, &handler.into()).map(JsCast::dyn_into::<Function>)
    else {
        return;
    };
    let list: Array = args.iter().filter_map(convert::to_js).collect();
    if let Err(e) = function.apply(&object, &list) {
        log_exception(&e);
    }
}

/// Holds page object `target` strongly (`true`) or only weakly.
pub fn hold(target: u32, strong: bool) {
    targets::hold(target, strong);
}

/// The window and document listeners on or off.
pub fn listen(on: bool) {
    listeners::listen(on);
}

/// A text fact of the page (`None` where the browser has none or refuses).
pub fn read(what: Read, key: &str) -> Option<String> {
    let window = web_sys::window()?;
    match what {
        Read::Storage => window.local_storage().ok()??.get_item(key).ok()?,
        Read::Href => window.location().href().ok(),
        Read::UserAgent => window.navigator().user_agent().ok(),
        Read::Visibility => Some(match window.document()?.visibility_state() {
            VisibilityState::Hidden => "hidden".into(),
            _ => "visible".into(),
        }),
        Read::Attributes | Read::GlobalConfig => None,
    }
}

/// A fact of the page that is a value: the attributes of the element with id `key` as
/// `{name: value}`, or `window.GLANCE_COBROWSE` as JSON carries it.
pub fn read_value(what: Read, key: &str) -> Option<Value> {
    let window = web_sys::window()?;
    match what {
        Read::Attributes => {
            let element = window.document()?.get_element_by_id(key)?;
            let fields = element
                .get_attribute_names()
                .iter()
                .filter_map(|name| {
                    let name = name.as_string()?;
                    let value = element.get_attribute(&name)?;
                    Some((name, Value::String(value)))
                })
                .collect();
            Some(Value::Object(fields))
        }
        Read::GlobalConfig => {
            convert::from_js(&Reflect::get(&window, &"GLANCE_COBROWSE".into()).ok()?)
        }
        _ => read(what, key).map(Value::String),
    }
}

/// `localStorage[key] = value`, or removes it when `value` is empty. False when storage refused.
pub fn store(key: &str, value: &str) -> bool {
    let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) else {
        return false;
    };
    if value.is_empty() {
        storage.remove_item(key).is_ok()
    } else {
        storage.set_item(key, value).is_ok()
    }
}

/// Calls the function at the dotted `path` from `window`, with `this` = its holder and `arg`;
/// false if there is no function there. An exception is caught and logged.
pub fn call_path(path: &str, arg: &Value) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let mut holder = JsValue::UNDEFINED;
    let mut target: JsValue = window.into();
    for part in path.split('.') {
        holder = target;
        if !holder.is_object() && !holder.is_function() {
            return false;
        }
        target = Reflect::get(&holder, &part.into()).unwrap_or(JsValue::UNDEFINED);
    }
    let Ok(function) = target.dyn_into::<Function>() else {
        return false;
    };
    let arg = convert::to_js(arg).unwrap_or(JsValue::UNDEFINED);
    if let Err(e) = function.call1(&holder, &arg) {
        log_exception(&e);
    }
    true
}

/// Dispatches `CustomEvent(name, {detail})` on window.
pub fn window_event(name: &str, detail: &Value) {
    let init = CustomEventInit::new();
    init.set_detail(&convert::to_js(detail).unwrap_or(JsValue::NULL));
    let (Some(window), Ok(event)) = (
        web_sys::window(),
        CustomEvent::new_with_event_init_dict(name, &init),
    ) else {
        return;
    };
    if let Err(e) = window.dispatch_event(&event) {
        log_exception(&e);
    }
}

thread_local! {
    /// The terms dialog on the page, if one is shown.
    static DIALOG: RefCell<Option<TermsDialog>> = const { RefCell::new(None) };
}

/// Shows the terms dialog with a link to `terms_url` (when not empty); `show` false removes it.
/// Its outcome is reported through [`dispatch::dialog_closed`].
pub fn dialog(show: bool, terms_url: &str) {
    // The one shown before goes first (its element has the same id).
    let old = DIALOG.with(|d| d.borrow_mut().take());
    drop(old);
    if show {
        let shown = TermsDialog::show(terms_url, dispatch::dialog_closed);
        DIALOG.with(|d| *d.borrow_mut() = shown);
    }
}

/// `console.warn` with the module's prefix.
pub fn warn(message: &str) {
    web_sys::console::warn_2(&"glance-presence:".into(), &message.into());
}

/// An exception of page code, logged (never rethrown into the page).
fn log_exception(e: &JsValue) {
    web_sys::console::error_2(&"glance-presence:".into(), e);
}

/// `Date.now()`.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// `Math.random()`.
pub fn random() -> f64 {
    js_sys::Math::random()
}
