//! The callbacks of the resources the host holds for the module, by id.
//!
//! Each socket, timer, request and microtask registers one callback under a fresh id and hands the
//! id to the host; the host reports back with [`report`]. The owner of a resource (a
//! [`Registration`]) removes its callback and tells the host to release the resource when it is
//! dropped, so nothing is reported for a resource nobody holds.
//!
//! A callback runs outside the table's borrow: it may register, drop or re-arm resources, and the
//! page code it ends up calling may call back into the module.

use crate::web::global::page_global;
use crate::web::host;
#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::{Cell, RefCell};

/// What the host reports about a resource: a kind (socket open / message / close, timer, reply),
/// a number (close code, HTTP status) and text (a frame, a body).
#[derive(Debug, Clone)]
pub struct Report {
    /// What happened (see [`crate::api::exports::ev`]).
    pub kind: u32,
    /// Close code, HTTP status, dialog outcome.
    pub number: f64,
    /// Frame text, body text.
    pub text: String,
}

type Callback = Box<dyn FnMut(Report)>;

page_global! {
    /// Callbacks by id; `None` while one is running.
    static TABLE: RefCell<Vec<(u32, Option<Callback>)>> = const { RefCell::new(Vec::new()) };
}

page_global! {
    /// The last id given out (0 is the dialog's).
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

/// An id with its callback in the table. Dropping it removes the callback and releases the
/// host's resource.
pub struct Registration(u32);

impl Registration {
    /// Registers `callback` under a fresh id.
    pub fn new(callback: Callback) -> Self {
        let id = NEXT.with(|n| {
            let id = n.get().wrapping_add(1).max(1);
            n.set(id);
            id
        });
        TABLE.with(|t| t.borrow_mut().push((id, Some(callback))));
        Self(id)
    }

    /// The id to hand to the host.
    pub fn id(&self) -> u32 {
        self.0
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let removed = TABLE.with(|t| {
            let mut t = t.borrow_mut();
            let index = t.iter().position(|(id, _)| *id == self.0)?;
            Some(t.swap_remove(index))
        });
        host::release(self.0);
        drop(removed);
    }
}

/// Runs the callback registered under `id` (nothing if it is gone).
pub fn report(id: u32, report: Report) {
    let taken = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t.iter_mut().find(|(i, _)| *i == id)?.1.take()
    });
    let Some(mut callback) = taken else { return };
    callback(report);
    // Put back unless the owner dropped it meanwhile.
    let leftover = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        match t.iter_mut().find(|(i, _)| *i == id) {
            Some(slot) => {
                slot.1 = Some(callback);
                None
            }
            None => Some(callback),
        }
    });
    drop(leftover);
}

/// Runs `f` from a microtask, once the current call has returned: page callbacks of a request
/// never run inside the API call that started it.
pub fn later(f: Box<dyn FnOnce()>) {
    let slot: RefCell<Option<Box<dyn FnOnce()>>> = RefCell::new(Some(f));
    let holder: alloc::rc::Rc<RefCell<Option<Registration>>> = Default::default();
    let keep = holder.clone();
    let registration = Registration::new(Box::new(move |_| {
        let f = slot.borrow_mut().take();
        // Frees this callback (after it returns: `report` drops it once the owner is gone).
        let owner = keep.borrow_mut().take();
        drop(owner);
        if let Some(f) = f {
            f();
        }
    }));
    host::microtask(registration.id());
    *holder.borrow_mut() = Some(registration);
}
