//! An event listener that owns its callback and removes itself when dropped.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// A listener for `kind` on `target`, removed on drop.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Adds `f` as a listener. `None` if the browser refused (it never does for valid targets).
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        f: impl FnMut(Event) + 'static,
    ) -> Option<Self> {
        Self::boxed(target, kind, Box::new(f))
    }

    /// [`Listener::new`] past the closure's type: one copy for every listener of the module.
    fn boxed(target: &EventTarget, kind: &'static str, f: Box<dyn FnMut(Event)>) -> Option<Self> {
        let callback = Closure::wrap(f);
        target
            .add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            target: target.clone(),
            kind,
            callback,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Removing a listener that is not registered is a no-op; nothing to report.
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
