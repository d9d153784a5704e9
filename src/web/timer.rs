//! A one-shot timer that owns its callback and clears itself when dropped.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A pending `setTimeout`. Dropping it cancels the timer (a no-op if it already fired).
///
/// wasm-bindgen reference-counts closures while they run, so a timer may be dropped from inside
/// its own callback (a machine re-arming the timer that just fired).
pub struct Timeout {
    id: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `f` once after `ms` milliseconds. `None` if there is no window to schedule on.
    pub fn new(ms: u32, f: impl FnOnce() + 'static) -> Option<Self> {
        let callback = Closure::once(f);
        let window = web_sys::window()?;
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let id = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .ok()?;
        Some(Self {
            id: Some(id),
            _callback: callback,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let (Some(id), Some(window)) = (self.id.take(), web_sys::window()) {
            window.clear_timeout_with_handle(id);
        }
    }
}
