//! A WebSocket that reports through one callback and closes itself when dropped.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::host;
use crate::web::registry::{Registration, Report};

/// What a socket reports. The callback only translates host reports into this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// The socket opened.
    Open,
    /// A text frame (the host turns binary frames holding UTF-8 JSON into text).
    Text(String),
    /// The socket closed; the close code (1006 when the browser gives none).
    Closed(u16),
}

/// Report kinds of a socket (see [`crate::api::exports::ev`]).
pub const OPENED: u32 = 1;
/// A frame.
pub const MESSAGE: u32 = 2;
/// Closed.
pub const CLOSED: u32 = 3;

/// An open or opening WebSocket. Dropping it detaches its callbacks first (so nothing is reported
/// afterwards) and then closes the socket with 1000.
pub struct Socket(Registration);

impl Socket {
    /// Opens `url`, reporting to `report`. `None` if the browser refused the URL.
    pub fn open(url: &str, mut report: Box<dyn FnMut(SocketEvent)>) -> Option<Self> {
        let registration = Registration::new(Box::new(move |r: Report| {
            report(match r.kind {
                OPENED => SocketEvent::Open,
                MESSAGE => SocketEvent::Text(r.text),
                _ => SocketEvent::Closed(match r.number as u16 {
                    0 => 1006,
                    code => code,
                }),
            })
        }));
        host::ws_open(registration.id(), url).then_some(Self(registration))
    }

    /// Sends a text frame. False if the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        host::ws_send(self.0.id(), text)
    }
}
