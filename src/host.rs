//! The browser, as the loader (`pkg-template/host.js`) gives it to the module: a host object `H`
//! with a few coarse operations that take and return numbers and strings only.
//!
//! Why not `web-sys`: every JS value held by Rust goes through wasm-bindgen's reference table and
//! every closure handed to JS needs its own glue, which together made up most of the module. Here
//! no JS value ever crosses into Rust: the host keeps sockets, timers and requests in a table under
//! ids chosen by Rust, and reports what happens to them through the single export
//! [`crate::exports::ev`]. Page values cross as JSON text.
//!
//! Native builds (the unit tests) use `host_fake.rs` instead: the same functions, recording what
//! they were asked to do.
//!
//! Every operation is mechanical (the loader adds no logic): open a socket, arm a timer, start a
//! request, read or write storage, call a page handler with JSON arguments.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `new WebSocket(url)` under `id` (binary frames arrive as text). False if the URL was
    /// refused.
    #[wasm_bindgen(js_namespace = H, js_name = o)]
    pub fn ws_open(id: u32, url: &str) -> bool;
    /// Sends a text frame on socket `id`. False if it is not open.
    #[wasm_bindgen(js_namespace = H, js_name = s)]
    pub fn ws_send(id: u32, text: &str) -> bool;
    /// Detaches socket `id`'s callbacks and closes it with 1000 (also: aborts request `id`,
    /// clears timer `id`): the resource under `id` is gone and reports nothing more.
    #[wasm_bindgen(js_namespace = H, js_name = x)]
    pub fn release(id: u32);
    /// `setTimeout` of `ms`, reported as [`crate::exports::ev`] with `id`.
    #[wasm_bindgen(js_namespace = H, js_name = t)]
    pub fn timer(id: u32, ms: u32);
    /// Runs from a microtask, once the current call has returned.
    #[wasm_bindgen(js_namespace = H, js_name = m)]
    pub fn microtask(id: u32);
    /// `fetch(url, {method, body})` with `Authorization: Bearer` when `bearer` is not empty and a
    /// JSON content type when `body` is not empty; reported with the status (0: no answer) and
    /// the body text.
    #[wasm_bindgen(js_namespace = H, js_name = f)]
    pub fn fetch(id: u32, method: &str, url: &str, bearer: &str, body: &str);
    /// Calls `handler` of the page object (or the call options) under `target`, with the
    /// arguments of the JSON array `args`. An exception is caught and logged. `last`: the
    /// options are not needed any more.
    #[wasm_bindgen(js_namespace = H, js_name = e)]
    pub fn emit(target: u32, handler: &str, args: &str, last: bool);
    /// Holds page object `target` strongly (`true`) or only weakly.
    #[wasm_bindgen(js_namespace = H, js_name = h)]
    pub fn hold(target: u32, strong: bool);
    /// Window and document listeners (`online`, `focus`, `pagehide`, `pageshow`,
    /// `visibilitychange`) on or off.
    #[wasm_bindgen(js_namespace = H, js_name = l)]
    pub fn listen(on: bool);
    /// A fact of the page: see [`Read`].
    #[wasm_bindgen(js_namespace = H, js_name = r)]
    pub fn read(what: u32, key: &str) -> Option<String>;
    /// `localStorage[key] = value`, or removes it when `value` is empty. False when storage
    /// refused.
    #[wasm_bindgen(js_namespace = H, js_name = w)]
    pub fn store(key: &str, value: &str) -> bool;
    /// Calls the function at the dotted `path` from `window` with `this` = its holder and the
    /// arguments of the JSON array `args`. False if there is no function there.
    #[wasm_bindgen(js_namespace = H, js_name = c)]
    pub fn call_path(path: &str, args: &str) -> bool;
    /// Dispatches `CustomEvent(name, {detail})` on window (`detail`: JSON).
    #[wasm_bindgen(js_namespace = H, js_name = d)]
    pub fn window_event(name: &str, detail: &str);
    /// Shows the terms dialog, with a link to `terms_url` when not empty (`show` false: removes
    /// it); its outcome is reported as [`crate::exports::ev`] with [`DIALOG_ID`].
    #[wasm_bindgen(js_namespace = H, js_name = g)]
    pub fn dialog(show: bool, terms_url: &str);
    /// The result of the [`crate::exports::call`] running, as JSON text (a string returned by
    /// the export would go through `into_boxed_str`, whose panic path stays in the module).
    #[wasm_bindgen(js_namespace = H, js_name = v)]
    pub fn result(json: &str);
    /// `console.warn` with the module's prefix.
    #[wasm_bindgen(js_namespace = H, js_name = k)]
    pub fn warn(message: &str);
    /// `Date.now()`.
    #[wasm_bindgen(js_namespace = Date)]
    pub fn now() -> f64;
    /// `Math.random()`.
    #[wasm_bindgen(js_namespace = Math)]
    pub fn random() -> f64;
}

pub use crate::facts::{page, Read, DIALOG_ID};
