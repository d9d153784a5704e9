//! A WebSocket that owns its callbacks and closes itself when dropped.

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What a socket reports. Callbacks only translate browser events into this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// The socket opened.
    Open,
    /// A text frame (binary frames holding UTF-8 JSON are turned into text).
    Text(String),
    /// The socket closed; the close code (1006 when the browser gives none).
    Closed(u16),
}

/// An open or opening WebSocket. Dropping it detaches every callback first (so no event is
/// reported afterwards) and then closes the socket with 1000.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `url`, reporting to `report`.
    pub fn open(url: &str, report: impl Fn(SocketEvent) + 'static) -> Result<Self, JsValue> {
        let ws = WebSocket::new(url)?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let report: Rc<dyn Fn(SocketEvent)> = Rc::new(report);

        let r = report.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || r(SocketEvent::Open));
        let r = report.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = message_text(&e.data()) {
                r(SocketEvent::Text(text));
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let code = match e.code() {
                0 => 1006,
                code => code,
            };
            report(SocketEvent::Closed(code));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a text frame. False if the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_str(text).is_ok()
    }
}

fn message_text(data: &JsValue) -> Option<String> {
    if let Some(text) = data.as_string() {
        return Some(text);
    }
    let buffer = data.dyn_ref::<js_sys::ArrayBuffer>()?;
    String::from_utf8(js_sys::Uint8Array::new(buffer).to_vec()).ok()
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        if matches!(
            self.ws.ready_state(),
            WebSocket::CONNECTING | WebSocket::OPEN
        ) {
            // Closing an open socket with 1000 cannot fail.
            let _ = self.ws.close_with_code(1000);
        }
    }
}
