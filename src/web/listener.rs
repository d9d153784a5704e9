//! The window and document events a connection follows, while it is active.
//!
//! The host listens while at least one [`WindowListener`] exists: the first one turns its
//! listeners on, dropping the last one removes them.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::global::page_global;
use crate::web::host;
use crate::web::registry::{Registration, Report};
use core::cell::{Cell, RefCell};

/// Report kind of a window event; its number says which (see [`WindowEvent::from_number`]).
pub const WINDOW: u32 = 6;

/// A window or document event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowEvent {
    /// `online`.
    Online,
    /// `focus` on window.
    Focus,
    /// `pagehide`.
    PageHide,
    /// `pageshow`.
    PageShow,
    /// `visibilitychange`.
    VisibilityChange,
}

impl WindowEvent {
    fn from_number(n: f64) -> Option<Self> {
        Some(match n as u32 {
            0 => Self::Online,
            1 => Self::Focus,
            2 => Self::PageHide,
            3 => Self::PageShow,
            4 => Self::VisibilityChange,
            _ => return None,
        })
    }
}

page_global! {
    /// The ids of the listeners, in the order they were added.
    static LISTENERS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

page_global! {
    /// Whether the host listens.
    static ON: Cell<bool> = const { Cell::new(false) };
}

/// Follows window events until dropped.
pub struct WindowListener(Registration);

impl WindowListener {
    /// Calls `f` on every window event.
    pub fn new(mut f: Box<dyn FnMut(WindowEvent)>) -> Self {
        let registration = Registration::new(Box::new(move |r: Report| {
            if let Some(event) = WindowEvent::from_number(r.number) {
                f(event);
            }
        }));
        LISTENERS.with(|l| l.borrow_mut().push(registration.id()));
        if !ON.with(|on| on.replace(true)) {
            host::listen(true);
        }
        Self(registration)
    }
}

impl Drop for WindowListener {
    fn drop(&mut self) {
        let none_left = LISTENERS.with(|l| {
            let mut l = l.borrow_mut();
            l.retain(|id| *id != self.0.id());
            l.is_empty()
        });
        if none_left && ON.with(|on| on.replace(false)) {
            host::listen(false);
        }
    }
}

/// The ids to report a window event to (a copy: a listener may go away meanwhile).
pub fn listeners() -> Vec<u32> {
    LISTENERS.with(|l| l.borrow().clone())
}
