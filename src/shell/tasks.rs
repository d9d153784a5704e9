//! Reports made from a microtask, once the current call has returned: a step the state machine
//! starts from a method call does not run page callbacks inside that call.
//!
//! A task cannot be cancelled: the state machine ignores a report for an id it has released.
//! Its callback is kept here until it has run (a released `Closure` that the browser still
//! calls would throw).

use crate::dispatch::{self, Report};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// A task's callback.
type Task = Closure<dyn FnMut()>;

thread_local! {
    /// Callbacks queued and not yet run, by the id they report for.
    static TASKS: RefCell<Vec<(u32, Task)>> = const { RefCell::new(Vec::new()) };
}

/// Reports `report` for resource `id` from a microtask.
pub fn later(id: u32, report: Report) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut report = Some(report);
    let task = Closure::<dyn FnMut()>::new(move || {
        let done = take(id);
        if let Some(report) = report.take() {
            dispatch::report(id, report);
        }
        // This very closure: wasm-bindgen frees it once the call returns.
        drop(done);
    });
    window.queue_microtask(task.as_ref().unchecked_ref());
    TASKS.with(|t| t.borrow_mut().push((id, task)));
}

/// Takes the callback of task `id` out of the list.
fn take(id: u32) -> Option<Task> {
    TASKS.with(|t| {
        let mut tasks = t.borrow_mut();
        let index = tasks.iter().position(|(key, _)| *key == id)?;
        Some(tasks.swap_remove(index).1)
    })
}
