//! The page's objects and the options of its calls, under the ids the state machine knows them
//! by: what `on*` handlers and `onsuccess`/`onfail` are read from when an event is dispatched.
//!
//! A page object is held weakly while its connection is idle, so that one the page drops is
//! collected (and its exported object freed, see `api/`); strongly while it is active, the way a
//! `WebSocket` keeps its handlers alive. Call options are held strongly until their call is
//! settled.

use js_sys::{Object, WeakRef};
use std::cell::{Cell, RefCell};

/// How an object is held.
enum Held {
    Strong(Object),
    Weak(WeakRef),
}

thread_local! {
    /// By id: the page's objects and the options of calls waiting for their outcome, a handful
    /// at a time, so a list is all the table needs.
    static TARGETS: RefCell<Vec<(u32, Held)>> = const { RefCell::new(Vec::new()) };
    /// The last id given out (0 means none).
    static LAST_ID: Cell<u32> = const { Cell::new(0) };
}

/// Keeps `object` (strongly or weakly) and returns its id.
pub fn add(object: &Object, strong: bool) -> u32 {
    let id = LAST_ID.with(|last| {
        let id = last.get().wrapping_add(1).max(1);
        last.set(id);
        id
    });
    let held = if strong {
        Held::Strong(object.clone())
    } else {
        Held::Weak(WeakRef::new(object))
    };
    TARGETS.with(|t| t.borrow_mut().push((id, held)));
    id
}

/// The object under `id`, if it is still there (not forgotten, not collected).
pub fn get(id: u32) -> Option<Object> {
    TARGETS.with(
        |t| match &t.borrow().iter().find(|(key, _)| *key == id)?.1 {
            Held::Strong(object) => Some(object.clone()),
            Held::Weak(weak) => weak.deref(),
        },
    )
}

/// Holds the object under `id` strongly or weakly from now on.
pub fn hold(id: u32, strong: bool) {
    let Some(object) = get(id) else { return };
    let held = if strong {
        Held::Strong(object)
    } else {
        Held::Weak(WeakRef::new(&object))
    };
    TARGETS.with(|t| {
        if let Some(entry) = t.borrow_mut().iter_mut().find(|(key, _)| *key == id) {
            entry.1 = held;
        }
    });
}

/// Forgets the object under `id`.
pub fn remove(id: u32) {
    let old = TARGETS.with(|t| {
        let mut targets = t.borrow_mut();
        let index = targets.iter().position(|(key, _)| *key == id)?;
        Some(targets.swap_remove(index))
    });
    drop(old);
}
