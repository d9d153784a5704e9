//! A one-shot timer that owns its callback and clears itself when dropped.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::host;
use crate::web::registry::Registration;

/// A pending `setTimeout`. Dropping it cancels the timer (a no-op if it already fired); it may
/// be dropped from inside its own callback (a machine re-arming the timer that just fired).
pub struct Timeout {
    /// Held for its `Drop`, which clears the timer.
    _owner: Registration,
}

impl Timeout {
    /// Calls `f` once after `ms` milliseconds.
    pub fn new(ms: u32, f: Box<dyn FnOnce()>) -> Self {
        let mut f = Some(f);
        let registration = Registration::new(Box::new(move |_| {
            if let Some(f) = f.take() {
                f();
            }
        }));
        host::timer(registration.id(), ms);
        Self {
            _owner: registration,
        }
    }
}
