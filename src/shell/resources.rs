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
    /// By id. A page has a handful at a time (a socket, a timer or two and a request per
    /// object), so a list is all the table needs.
    static RESOURCES: RefCell<Vec<(u32, Resource)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `resource` under `id` (a resource already there is released).
pub fn insert(id: u32, resource: Resource) {
    let old = remove(id);
    RESOURCES.with(|r| r.borrow_mut().push((id, resource)));
    drop(old);
}

/// Takes the resource under `id` out of the table; dropping it releases it.
pub fn remove(id: u32) -> Option<Resource> {
    RESOURCES.with(|r| {
        let mut resources = r.borrow_mut();
        let index = resources.iter().position(|(key, _)| *key == id)?;
        Some(resources.swap_remove(index).1)
    })
}

/// Sends `text` on socket `id`; false if there is no such open socket.
pub fn send(id: u32, text: &str) -> bool {
    RESOURCES.with(|r| {
        r.borrow().iter().any(|(key, resource)| match resource {
            Resource::Socket(socket) if *key == id => socket.send(text),
            _ => false,
        })
    })
}
