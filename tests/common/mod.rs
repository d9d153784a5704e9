//! Helpers of the browser tests: the server under test, the served script loaded into the test
//! page and its public JavaScript API, page objects that record their events, callbacks that can
//! be awaited, and sleeping.
#![allow(dead_code)]

mod api;
mod module;
mod signin;

// Each test binary uses a part of these.
#[allow(unused_imports)]
pub use api::{Agent, Authorization, Visitor};
#[allow(unused_imports)]
pub use module::load_module;
#[allow(unused_imports)]
pub use signin::{authorize, signed_in};

use js_sys::{Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `127.0.0.1:PORT` of the presence server started by scripts/test-wasm.sh.
pub fn server() -> &'static str {
    // Not env!: the tests must still compile (for clippy, for `cargo test --no-run`) without a server.
    match option_env!("PRESENCE_TEST_ADDR") {
        Some(addr) => addr,
        None => panic!(
            "run the browser tests with scripts/test-wasm.sh (PRESENCE_TEST_ADDR is not set)"
        ),
    }
}

/// `http://127.0.0.1:PORT`.
pub fn origin() -> String {
    format!("http://{}", server())
}

/// Where the served script is loaded from: the presence server, unless the test run points
/// elsewhere (`PRESENCE_TEST_MODULE_ORIGIN`, for checking the loader against a plain file server).
pub fn module_origin() -> String {
    option_env!("PRESENCE_TEST_MODULE_ORIGIN")
        .map(str::to_owned)
        .unwrap_or_else(origin)
}

/// ` data-ws="<server>"` when the script does not come from the presence server (whose origin is
/// otherwise the default `ws`).
pub fn ws_attribute() -> String {
    if module_origin() == origin() {
        String::new()
    } else {
        format!(r#" data-ws="{}""#, origin())
    }
}

/// A login key valid for [`user`] in group 12345.
pub fn loginkey() -> &'static str {
    match option_env!("PRESENCE_TEST_LOGINKEY") {
        Some(key) => key,
        None => panic!(
            "run the browser tests with scripts/test-wasm.sh (PRESENCE_TEST_LOGINKEY is not set)"
        ),
    }
}

/// The partner user id the login key is for.
pub fn user() -> &'static str {
    option_env!("PRESENCE_TEST_USER").unwrap_or("agent-1")
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// `obj[key]`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key] = value`.
pub fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    Reflect::set(obj, &JsValue::from_str(key), &value.into()).expect("set");
}

/// A JS value from JSON text (test data only).
pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON")
}

/// `{visitorid}`: the params of an API object for one visitor.
pub fn params(visitorid: &str) -> JsValue {
    let p = Object::new();
    set(&p, "visitorid", visitorid);
    p.into()
}

/// `{data: <JSON text>}`: the options of `presence()`.
pub fn presence_opts(data: &str) -> JsValue {
    let o = Object::new();
    set(&o, "data", json(data));
    o.into()
}

/// A fresh visitor id for one test.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e9) as u64)
}

/// Sets `window.GLANCE_COBROWSE = {groupid: 12345, ws: <server>}`, the configuration the API
/// objects of the tests read, and loads the served script (once, see [`load_module`]).
pub async fn configure_page() {
    let config = Object::new();
    set(&config, "groupid", 12345);
    set(&config, "ws", origin());
    set(&window(), "GLANCE_COBROWSE", config);
    load_module().await;
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("sleep");
}

/// Polls `condition` every 25 ms for up to `ms`; panics with `what` on timeout.
pub async fn until(what: &str, ms: i32, mut condition: impl FnMut() -> bool) {
    let mut waited = 0;
    while !condition() {
        assert!(waited < ms, "timed out after {ms} ms waiting for {what}");
        sleep(25).await;
        waited += 25;
    }
}

/// A recording handler: `(first argument, second argument)` of each call.
type Handler = Closure<dyn FnMut(JsValue, JsValue)>;

/// Handlers that record every call, `(handler, first argument, second argument)`, set on page
/// objects (what `new GLANCE.Presence.Agent(...)` / `Visitor(...)` return). The module reads
/// handlers at dispatch time, so setting them right after construction is what pages do.
///
/// Dropping it removes its handlers from those objects: events that come later (an object that
/// outlives its recorder, e.g. disconnected by `Agent`'s drop) find no handler instead of a
/// closure wasm-bindgen has freed.
pub struct Recorder {
    log: Rc<RefCell<Vec<(String, JsValue, JsValue)>>>,
    handlers: Vec<(String, Handler)>,
    objects: RefCell<Vec<JsValue>>,
}

impl Recorder {
    /// Records the handlers named on `object`.
    pub fn on(object: &JsValue, handlers: &[&str]) -> Self {
        let log = Rc::new(RefCell::new(Vec::new()));
        let handlers = handlers
            .iter()
            .map(|name| {
                let (log, recorded) = (log.clone(), name.to_string());
                let closure = Handler::new(move |a: JsValue, b: JsValue| {
                    log.borrow_mut().push((recorded.clone(), a, b));
                });
                (name.to_string(), closure)
            })
            .collect();
        let recorder = Self {
            log,
            handlers,
            objects: RefCell::default(),
        };
        recorder.attach(object);
        recorder
    }

    /// Sets the same handlers on another object too (one page, a second API object): its calls
    /// go to the same log.
    pub fn attach(&self, object: &JsValue) {
        for (name, closure) in &self.handlers {
            set(object, name, closure.as_ref().clone());
        }
        self.objects.borrow_mut().push(object.clone());
    }

    /// First arguments of the calls of `handler`, in order.
    pub fn calls(&self, handler: &str) -> Vec<JsValue> {
        self.log
            .borrow()
            .iter()
            .filter(|(h, _, _)| h == handler)
            .map(|(_, a, _)| a.clone())
            .collect()
    }

    /// Both arguments of the calls of `handler`.
    pub fn calls2(&self, handler: &str) -> Vec<(JsValue, JsValue)> {
        self.log
            .borrow()
            .iter()
            .filter(|(h, _, _)| h == handler)
            .map(|(_, a, b)| (a.clone(), b.clone()))
            .collect()
    }

    /// Waits until `handler` has been called with a first argument satisfying `matches`; returns it.
    pub async fn wait(
        &self,
        handler: &str,
        ms: i32,
        matches: impl Fn(&JsValue) -> bool,
    ) -> JsValue {
        let mut found = None;
        until(handler, ms, || {
            found = self.calls(handler).into_iter().find(|a| matches(a));
            found.is_some()
        })
        .await;
        found.unwrap_or(JsValue::UNDEFINED)
    }

    /// Handler names in call order.
    pub fn order(&self) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .map(|(h, _, _)| h.clone())
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        for object in self.objects.borrow().iter() {
            for (name, closure) in &self.handlers {
                // Only its own: a handler the test set in its place stays.
                if get(object, name) == *closure.as_ref() {
                    let _ = Reflect::delete_property::<JsValue>(
                        object.unchecked_ref(),
                        &JsValue::from_str(name),
                    );
                }
            }
        }
    }
}

/// `{onsuccess, onfail}` plus `extra` fields; `outcome()` is `Some(Ok(value))` / `Some(Err(code))`
/// once one of them was called.
pub struct Callbacks {
    pub opts: JsValue,
    outcome: Rc<RefCell<Option<Result<JsValue, String>>>>,
    _closures: [Closure<dyn FnMut(JsValue)>; 2],
}

impl Callbacks {
    pub fn new(extra: &[(&str, JsValue)]) -> Self {
        let opts: JsValue = Object::new().into();
        for (k, v) in extra {
            set(&opts, k, v.clone());
        }
        let outcome = Rc::new(RefCell::new(None));
        let ok = {
            let outcome = outcome.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |v| *outcome.borrow_mut() = Some(Ok(v)))
        };
        let fail = {
            let outcome = outcome.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
                *outcome.borrow_mut() = Some(Err(v.as_string().unwrap_or_default()))
            })
        };
        set(&opts, "onsuccess", ok.as_ref().clone());
        set(&opts, "onfail", fail.as_ref().clone());
        Self {
            opts,
            outcome,
            _closures: [ok, fail],
        }
    }

    pub fn outcome(&self) -> Option<Result<JsValue, String>> {
        self.outcome.borrow().clone()
    }

    /// Waits for the outcome.
    pub async fn done(&self, ms: i32) -> Result<JsValue, String> {
        until("onsuccess/onfail", ms, || self.outcome.borrow().is_some()).await;
        self.outcome().expect("an outcome")
    }
}
