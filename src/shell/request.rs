//! An HTTP request of the state machine (`fetch`), reported when it is answered.
//!
//! The request is the [`Request`] the resource table holds: dropping it aborts the fetch. The
//! promise callbacks are kept apart, in [`SETTLING`], until the fetch has settled one way or
//! the other (an answer, a failure, or the rejection that an abort causes), because the browser
//! calls them after an abort too and a released `Closure` would throw.

use super::resources;
use crate::dispatch::{self, Report};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, Headers, RequestInit, Response};

/// A `fetch` on its way. Dropping it aborts the request; an aborted request reports nothing.
pub struct Request {
    controller: AbortController,
}

impl Drop for Request {
    fn drop(&mut self) {
        self.controller.abort();
    }
}

/// What a request is: method, URL, bearer token (empty: none), JSON body (empty: none).
pub struct Spec<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The whole URL.
    pub url: &'a str,
    /// Sent as `Authorization: Bearer <token>` when not empty.
    pub bearer: &'a str,
    /// Sent with a JSON content type when not empty.
    pub body: &'a str,
}

/// A promise callback.
type Callback = Closure<dyn FnMut(JsValue)>;

/// The promise callbacks of one request, until it settles. The second step (the body's text)
/// shares the text and failure callbacks with the first.
struct Callbacks {
    id: u32,
    on_response: Callback,
    on_failure: Rc<Callback>,
}

thread_local! {
    /// The callbacks of the requests that have not settled yet.
    static SETTLING: RefCell<Vec<Callbacks>> = const { RefCell::new(Vec::new()) };
}

impl Request {
    /// Starts `spec`, reported as resource `id` with the status (0: no answer) and the body;
    /// `None` if the browser refuses to build it.
    pub fn start(id: u32, spec: &Spec) -> Option<Request> {
        let controller = AbortController::new().ok()?;
        let init = RequestInit::new();
        init.set_method(spec.method);
        init.set_signal(Some(&controller.signal()));
        init.set_headers_headers(&headers(spec)?);
        if !spec.body.is_empty() {
            init.set_body(&JsValue::from_str(spec.body));
        }
        let answer = web_sys::window()?.fetch_with_str_and_init(spec.url, &init);
        let callbacks = Callbacks::new(id);
        // The promise `then2` returns settles with the callbacks; nothing waits for it.
        let _ = answer.then2(&callbacks.on_response, &callbacks.on_failure);
        SETTLING.with(|s| s.borrow_mut().push(callbacks));
        Some(Request { controller })
    }
}

/// The request's headers: a JSON content type with a body, the bearer token if any.
fn headers(spec: &Spec) -> Option<Headers> {
    let headers = Headers::new().ok()?;
    if !spec.body.is_empty() {
        headers.set("Content-Type", "application/json").ok()?;
    }
    if !spec.bearer.is_empty() {
        let value = glance_protocol::join(&["Bearer ", spec.bearer]);
        headers.set("Authorization", &value).ok()?;
    }
    Some(headers)
}

impl Callbacks {
    /// The three callbacks: the response (then its text), the text, a failure at either step.
    fn new(id: u32) -> Callbacks {
        let status = Rc::new(Cell::new(0u16));
        let on_failure: Rc<Callback> = Rc::new(Closure::new(move |_| settle(id, 0, String::new())));
        let on_text: Rc<Callback> = {
            let status = Rc::clone(&status);
            Rc::new(Closure::new(move |text: JsValue| {
                settle(id, status.get(), text.as_string().unwrap_or_default())
            }))
        };
        let failure = Rc::clone(&on_failure);
        let on_response = Closure::new(move |response: JsValue| {
            let text = response.dyn_into::<Response>().ok().and_then(|response| {
                status.set(response.status());
                response.text().ok()
            });
            match text {
                Some(text) => {
                    let _ = text.then2(&on_text, &failure);
                }
                None => settle(id, 0, String::new()),
            }
        });
        Callbacks {
            id,
            on_response,
            on_failure,
        }
    }
}

/// The request `id` settled: its callbacks go; it is reported if it is still wanted (not
/// released, hence not aborted).
fn settle(id: u32, status: u16, body: String) {
    let done = SETTLING.with(|s| {
        let mut settling = s.borrow_mut();
        let index = settling.iter().position(|c| c.id == id)?;
        Some(settling.swap_remove(index))
    });
    if resources::remove(id).is_some() {
        dispatch::report(id, Report::Reply(status, body));
    }
    // Among them the callback running now: wasm-bindgen frees it once the call returns.
    drop(done);
}
