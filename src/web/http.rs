//! `fetch` for the JSON endpoints, with cancellation on drop.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

/// The request never got an HTTP answer (offline, refused, CORS, aborted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("network failure")]
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
    pub fn decode<T: DeserializeOwned>(&self) -> Option<T> {
        crate::web::de::from_js(self.body.clone()).ok()
    }
}

/// One request.
pub struct Request<'a> {
    /// `GET` / `POST`.
    pub method: &'static str,
    /// Full URL.
    pub url: &'a str,
    /// JSON text of the body.
    pub body: Option<String>,
    /// `Authorization: Bearer …`.
    pub bearer: Option<&'a str>,
    /// Cancels the request.
    pub signal: Option<&'a AbortSignal>,
}

impl<'a> Request<'a> {
    /// A GET of `url`.
    pub fn get(url: &'a str) -> Self {
        Self {
            method: "GET",
            url,
            body: None,
            bearer: None,
            signal: None,
        }
    }

    /// A POST of JSON `body` to `url`.
    pub fn post(url: &'a str, body: String) -> Self {
        Self {
            method: "POST",
            url,
            body: Some(body),
            bearer: None,
            signal: None,
        }
    }

    /// Adds a bearer token.
    pub fn bearer(mut self, token: Option<&'a str>) -> Self {
        self.bearer = token;
        self
    }

    /// Adds an abort signal.
    pub fn signal(mut self, signal: Option<&'a AbortSignal>) -> Self {
        self.signal = signal;
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<Reply, NetworkError> {
        let window = web_sys::window().ok_or(NetworkError)?;
        let init = RequestInit::new();
        init.set_method(self.method);
        let headers = js_sys::Object::new();
        if let Some(body) = &self.body {
            set(&headers, "Content-Type", "application/json");
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(token) = self.bearer {
            set(&headers, "Authorization", &format!("Bearer {token}"));
        }
        init.set_headers(&headers);
        if let Some(signal) = self.signal {
            init.set_signal(Some(signal));
        }
        let response = JsFuture::from(window.fetch_with_str_and_init(self.url, &init))
            .await
            .map_err(|_| NetworkError)?;
        let response: Response = response.dyn_into().map_err(|_| NetworkError)?;
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise).await.map_err(|_| NetworkError)?,
            Err(_) => JsValue::UNDEFINED,
        };
        let body = text
            .as_string()
            .and_then(|t| js_sys::JSON::parse(&t).ok())
            .unwrap_or(JsValue::UNDEFINED);
        Ok(Reply {
            status: response.status(),
            body,
        })
    }
}

fn set(target: &js_sys::Object, key: &str, value: &str) {
    // Setting a string property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), &JsValue::from_str(value));
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
