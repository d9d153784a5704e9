//! `fetch` for the JSON endpoints, with cancellation on drop.

use crate::core::json::Json;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::host;
use crate::web::registry::{Registration, Report};
use alloc::rc::Rc;
use core::cell::RefCell;
use glance_protocol::FromWire;

pub use crate::web::registry::later;

/// Report kind of a finished request (see [`crate::api::exports::ev`]).
pub const REPLY: u32 = 5;

/// The request never got an HTTP answer (offline, refused, CORS, aborted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkError;

/// An HTTP answer: its status and its body parsed as JSON (`None` if empty or not JSON).
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Parsed body.
    pub body: Option<Json>,
}

impl Reply {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as a typed value.
    pub fn decode<T: FromWire>(&self) -> Option<T> {
        T::from_wire(self.body.as_ref()?)
    }
}

/// What a request reports to, once.
pub type Done<T> = Box<dyn FnOnce(T)>;

/// Cancels the request in flight under it when dropped: a connection that closes or starts a new
/// attempt leaves no request running. One signal serves a chain of requests (settings, then the
/// presence service): each new request of the chain takes the slot.
#[derive(Clone, Default)]
pub struct AbortSignal(Rc<RefCell<Option<Registration>>>);

/// Aborts its signal's request when dropped.
#[derive(Default)]
pub struct AbortOnDrop(AbortSignal);

impl AbortOnDrop {
    /// A new controller.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its signal.
    pub fn signal(&self) -> Option<AbortSignal> {
        Some(self.0.clone())
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let running = self.0 .0.borrow_mut().take();
        drop(running);
    }
}

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
        // The registration lives in the signal's slot, or in this holder when there is no signal;
        // either way the callback frees it once it has run.
        let slot = self.signal.map(|s| s.0).unwrap_or_default();
        let keep = slot.clone();
        let mut done = Some(done);
        let registration = Registration::new(Box::new(move |r: Report| {
            let owner = keep.borrow_mut().take();
            let Some(done) = done.take() else { return };
            let status = r.number as u16;
            let outcome = if status == 0 {
                Err(NetworkError)
            } else {
                Ok(Reply {
                    status,
                    body: Json::parse(&r.text),
                })
            };
            drop(owner);
            done(outcome);
        }));
        host::fetch(
            registration.id(),
            self.method,
            &self.url,
            self.bearer.as_deref().unwrap_or(""),
            self.body.as_deref().unwrap_or(""),
        );
        let previous = slot.borrow_mut().replace(registration);
        drop(previous);
    }
}
