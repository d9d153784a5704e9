//! An HTTP request of the state machine (`fetch`), reported when it is answered.

use super::resources;
use crate::dispatch::{self, Report};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

/// A `fetch` on its way. Dropping it aborts the request; an aborted request reports nothing.
pub struct Request {
    controller: AbortController,
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

impl Request {
    /// Starts `spec`, reported as resource `id` with the status (0: no answer) and the body;
    /// `None` if the browser refuses to build it.
    pub fn start(id: u32, spec: &Spec) -> Option<Request> {
        let controller = AbortController::new().ok()?;
        let init = RequestInit::new();
        init.set_method(spec.method);
        init.set_signal(Some(&controller.signal()));
        let headers = Headers::new().ok()?;
        if !spec.body.is_empty() {
            headers.set("Content-Type", "application/json").ok()?;
            init.set_body(&JsValue::from_str(spec.body));
        }
        if !spec.bearer.is_empty() {
            headers
                .set("Authorization", &format!("Bearer {}", spec.bearer))
                .ok()?;
        }
        init.set_headers(&headers);
        let answer = web_sys::window()?.fetch_with_str_and_init(spec.url, &init);
        wasm_bindgen_futures::spawn_local(async move {
            let (status, body) = read(answer).await;
            // Still wanted (not released, hence not aborted): the entry goes, then the report.
            if resources::remove(id).is_some() {
                dispatch::report(id, Report::Reply(status, body));
            }
        });
        Some(Request { controller })
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        self.controller.abort();
    }
}

/// The status and body text of a fetch; `(0, "")` when there is no answer.
async fn read(answer: js_sys::Promise) -> (u16, String) {
    let Ok(response) = JsFuture::from(answer).await else {
        return (0, String::new());
    };
    let Ok(response) = response.dyn_into::<Response>() else {
        return (0, String::new());
    };
    let Ok(text) = response.text() else {
        return (0, String::new());
    };
    match JsFuture::from(text).await {
        Ok(body) => (response.status(), body.as_string().unwrap_or_default()),
        Err(_) => (0, String::new()),
    }
}
