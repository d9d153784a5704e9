//! `fetch` for the JSON endpoints, with cancellation on drop.
//!
//! Requests report through a callback rather than a future: the promise callbacks are owned
//! closures that free themselves when the promise settles, so no executor is compiled into the
//! module.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::parse;
use alloc::rc::Rc;
use core::cell::RefCell;
use glance_protocol::FromWire;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

/// The request never got an HTTP answer (offline, refused, CORS, aborted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkError;

/// An HTTP answer: its status and its body parsed as JSON (`undefined` if empty or not JSON).
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Parsed body.
    pub body: JsValue,
}

impl Reply {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as a typed value.
    pub fn decode<T: FromWire>(&self) -> Option<T> {
        T::from_wire(&crate::web::codec::JsPayload(self.body.clone()))
    }
}

/// What a request reports to, once.
pub type Done<T> = Box<dyn FnOnce(T)>;

/// One request.
pub struct Request {
    /// `GET` / `POST`.
    pub method: &'static str,
    /// Full URL.
    pub url: String,
    /// JSON text of the body.
    pub body: Option<String>,
    /// `Authorization: Bearer …`.
    pub bearer: Option<String>,
    /// Cancels the request.
    pub signal: Option<AbortSignal>,
}

impl Request {
    /// A GET of `url`.
    pub fn get(url: String) -> Self {
        Self {
            method: "GET",
            url,
            body: None,
            bearer: None,
            signal: None,
        }
    }

    /// A POST of JSON `body` to `url`.
    pub fn post(url: String, body: String) -> Self {
        Self {
            body: Some(body),
            method: "POST",
            ..Self::get(url)
        }
    }

    /// Adds a bearer token.
    pub fn bearer(mut self, token: Option<String>) -> Self {
        self.bearer = token;
        self
    }

    /// Adds an abort signal.
    pub fn signal(mut self, signal: Option<AbortSignal>) -> Self {
        self.signal = signal;
        self
    }

    /// Sends it; `done` gets the reply (or the network failure) once the body has arrived.
    pub fn send(self, done: Done<Result<Reply, NetworkError>>) {
        let Some(window) = web_sys::window() else {
            return done(Err(NetworkError));
        };
        let init = RequestInit::new();
        init.set_method(self.method);
        let headers = Object::new();
        if let Some(body) = &self.body {
            set(&headers, "Content-Type", "application/json");
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(token) = &self.bearer {
            set(&headers, "Authorization", &["Bearer ", token].concat());
        }
        init.set_headers(&headers);
        if let Some(signal) = &self.signal {
            init.set_signal(Some(signal));
        }
        let fetched = window.fetch_with_str_and_init(&self.url, &init);
        on_settled(
            &fetched,
            Box::new(move |result| {
                let Some(response) = result.ok().and_then(|r| r.dyn_into::<Response>().ok()) else {
                    return done(Err(NetworkError));
                };
                let status = response.status();
                let Ok(text) = response.text() else {
                    return done(Ok(Reply {
                        status,
                        body: JsValue::UNDEFINED,
                    }));
                };
                on_settled(
                    &text,
                    Box::new(move |text| match text {
                        Ok(text) => done(Ok(Reply {
                            status,
                            body: text
                                .as_string()
                                .and_then(|t| parse(&t))
                                .unwrap_or(JsValue::UNDEFINED),
                        })),
                        Err(_) => done(Err(NetworkError)),
                    }),
                );
            }),
        );
    }
}

fn set(target: &Object, key: &str, value: &str) {
    // Setting a string property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), &JsValue::from_str(value));
}

/// Runs `f` from a microtask, once the current call has returned: page callbacks of a request
/// never run inside the API call that started it, even when it fails at once.
pub fn later(f: Box<dyn FnOnce()>) {
    on_settled(
        &Promise::resolve(&JsValue::UNDEFINED),
        Box::new(move |_| f()),
    );
}

/// The two callbacks of one `then`, kept alive until either runs.
type Callbacks = (Closure<dyn FnMut(JsValue)>, Closure<dyn FnMut(JsValue)>);

/// Calls `done` with the promise's value or its rejection, once it settles.
///
/// The two callbacks own each other through `slot`: whichever runs first takes them out (so they
/// are freed after the call, wasm-bindgen keeps a running closure alive) and the other is never
/// called. A promise that never settles keeps its callbacks, as a pending future would.
fn on_settled(promise: &Promise, done: Done<Result<JsValue, JsValue>>) {
    let done = Rc::new(RefCell::new(Some(done)));
    let slot: Rc<RefCell<Option<Callbacks>>> = Rc::default();
    let settle = |ok: bool| {
        let (done, slot) = (done.clone(), slot.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
            let callbacks = slot.borrow_mut().take();
            let done = done.borrow_mut().take();
            if let Some(done) = done {
                done(if ok { Ok(value) } else { Err(value) });
            }
            drop(callbacks);
        })
    };
    let (fulfilled, rejected) = (settle(true), settle(false));
    let _ = promise.then2(&fulfilled, &rejected);
    *slot.borrow_mut() = Some((fulfilled, rejected));
}

/// Aborts its request when dropped: a connection that closes or starts a new attempt leaves no
/// request running.
pub struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    /// A new controller (none if the browser lacks AbortController: requests then just run out).
    pub fn new() -> Self {
        Self(AbortController::new().ok())
    }

    /// Its signal.
    pub fn signal(&self) -> Option<AbortSignal> {
        self.0.as_ref().map(AbortController::signal)
    }
}

impl Default for AbortOnDrop {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.abort();
        }
    }
}
