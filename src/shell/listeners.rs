//! The window and document events the active connections follow (`online`, `focus`, `pagehide`,
//! `pageshow`, `visibilitychange`), listened to while at least one connection is active.

use crate::dispatch::{self, WindowEvent};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

/// One listener on `target`; dropping it removes the listener.
struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut()>,
}

impl Listener {
    /// Listens to `event` on `target`, reporting it as `what`; `None` if the browser refuses.
    fn new(target: EventTarget, event: &'static str, what: WindowEvent) -> Option<Listener> {
        let callback = Closure::<dyn FnMut()>::new(move || dispatch::window(what));
        target
            .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Listener {
            target,
            event,
            callback,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Removing a listener that was added cannot fail.
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

thread_local! {
    /// The listeners while on.
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
}

/// Adds the listeners (`true`) or removes them.
pub fn listen(on: bool) {
    let listeners = if on { page_listeners() } else { Vec::new() };
    let old = LISTENERS.with(|l| l.replace(listeners));
    drop(old);
}

/// The five listeners: four on the window, `visibilitychange` on the document.
fn page_listeners() -> Vec<Listener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let document = window.document().map(EventTarget::from);
    let window = EventTarget::from(window);
    let on_window = [
        ("online", WindowEvent::Online),
        ("focus", WindowEvent::Focus),
        ("pagehide", WindowEvent::PageHide),
        ("pageshow", WindowEvent::PageShow),
    ];
    let mut listeners: Vec<Listener> = on_window
        .into_iter()
        .filter_map(|(event, what)| Listener::new(window.clone(), event, what))
        .collect();
    if let Some(document) = document {
        listeners.extend(Listener::new(
            document,
            "visibilitychange",
            WindowEvent::VisibilityChange,
        ));
    }
    listeners
}
