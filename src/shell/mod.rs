//! The browser shell: the only code of the module that touches JavaScript.
//!
//! - [`api`]: the exported `#[wasm_bindgen]` classes the loader hands the page's calls to. They
//!   convert arguments ([`convert`]) and forward them to [`crate::dispatch`].
//! - [`host`]: what the state machine asks of the browser, done through web-sys, js-sys and
//!   gloo-timers. Every browser handle is owned by a Rust value that releases it on `Drop`:
//!   sockets ([`socket`]), requests ([`request`]), timers (gloo's `Timeout`), window listeners
//!   ([`listeners`]), page objects ([`targets`]) and the terms dialog ([`dialog`]).
//!
//! Callbacks only translate and forward: a socket frame becomes a
//! [`crate::dispatch::Report::Message`], and so on. They capture ids, never a borrow, so the
//! state machine may release the very resource whose callback is running (wasm-bindgen frees a
//! `Closure` dropped during its own call once that call returns).

pub mod api;
pub mod convert;
pub mod dialog;
pub mod host;
pub mod listeners;
pub mod request;
pub mod resources;
pub mod socket;
pub mod targets;
pub mod tasks;

use wasm_bindgen::prelude::*;

/// Runs once when the wasm is instantiated: panics are reported on the console with their
/// message and place (they end the module: it is built with `panic = "abort"`).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Records where the script came from (the default `ws` service origin) and answers whether the
/// page asks for `data-presence="on"`. The loader calls it before replaying the calls it queued,
/// and again once the DOM is loaded.
#[wasm_bindgen]
pub fn boot(script_url: &str) -> bool {
    crate::dispatch::boot(script_url)
}
