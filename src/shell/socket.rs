//! A WebSocket of the state machine, with the callbacks that report what happens to it.

use super::resources;
use crate::dispatch::{self, Report};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// A browser WebSocket and its three callbacks. Dropping it detaches the callbacks (nothing is
/// reported afterwards) and closes the socket with 1000 if it is still open or opening.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens a socket to `url` whose events are reported for resource `id`; `None` if the browser
    /// refuses the URL.
    pub fn open(id: u32, url: &str) -> Option<Socket> {
        let ws = WebSocket::new(url).ok()?;
        // Binary frames holding JSON text are accepted too (§5): as bytes, decoded below.
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_open = Closure::<dyn FnMut()>::new(move || dispatch::report(id, Report::Opened));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            dispatch::report(id, Report::Message(frame_text(&e.data())))
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            // Closed for good: the entry goes (after the report, which may look at it no more).
            let closed = resources::remove(id);
            dispatch::report(id, Report::Closed(e.code()));
            drop(closed);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a text frame; false unless the socket is open and took it.
    pub fn send(&self, text: &str) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_str(text).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        if self.ws.ready_state() < WebSocket::CLOSING {
            // Closing an open or opening socket with 1000 cannot fail.
            let _ = self.ws.close_with_code(1000);
        }
    }
}

/// A frame's text: a string as it came, binary data decoded as UTF-8 (invalid bytes replaced,
/// as `TextDecoder` does).
fn frame_text(data: &JsValue) -> String {
    match data.as_string() {
        Some(text) => text,
        None => String::from_utf8_lossy(&js_sys::Uint8Array::new(data).to_vec()).into_owned(),
    }
}
