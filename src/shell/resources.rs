//! The browser resources the state machine has asked for, under the ids it chose: sockets,
//! timers and requests. Releasing one drops its owner, which closes, clears or aborts it.
//!
//! The table is borrowed only to insert, remove or use an entry; a removed entry is dropped
//! after the borrow ends, so a `Drop` that reaches back into the table (or a callback fired by
//! it) never finds it borrowed.

use super::request::Request;
use super::socket::Socket;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::collections::HashMap;

/// One resource, owning its browser handle and callbacks.
pub enum Resource {
    /// An open or opening WebSocket.
    Socket(Socket),
    /// A pending `setTimeout` (cleared on drop).
    Timer(Timeout),
    /// A `fetch` on its way (aborted on drop).
    Request(Request),
}

thread_local! {
    static RESOURCES: RefCell<HashMap<u32, Resource>> = RefCell::new(HashMap::new());
}

/// Keeps `resource` under `id` (a resource already there is released).
pub fn insert(id: u32, resource: Resource) {
    let old = RESOURCES.with(|r| r.borrow_mut().insert(id, resource));
    drop(old);
}

/// Takes the resource under `id` out of the table; dropping it releases it.
pub fn remove(id: u32) -> Option<Resource> {
    RESOURCES.with(|r| r.borrow_mut().remove(&id))
}

/// Sends `text` on socket `id`; false if there is no such open socket.
pub fn send(id: u32, text: &str) -> bool {
    RESOURCES.with(|r| match r.borrow().get(&id) {
        Some(Resource::Socket(socket)) => socket.send(text),
        _ => false,
    })
}
