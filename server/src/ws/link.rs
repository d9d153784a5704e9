//! The WebSocket as a session sees it: inbound frames as a small enum, outbound JSON frames with
//! a write deadline, and closing with a code.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use glance_protocol::{CloseCode, JsonServerFrame};
use std::time::Duration;

/// A peer that does not take a frame within this time is cut off.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Something that arrived.
pub enum Inbound {
    /// A text or binary frame holding JSON.
    Data(Bytes),
    /// A frame over the size limit; the socket cannot be read further.
    TooLarge,
    /// Ping/pong: counts as a sign of life only.
    Control,
    /// The peer closed, or the socket broke.
    Closed,
}

/// Sending failed: the peer is gone or too slow.
#[derive(Debug, thiserror::Error)]
#[error("send failed: {0}")]
pub struct SendError(String);

/// One WebSocket.
pub struct Link {
    socket: WebSocket,
}

impl Link {
    /// Wraps an upgraded socket.
    pub fn new(socket: WebSocket) -> Self {
        Self { socket }
    }

    /// The next inbound frame.
    pub async fn recv(&mut self) -> Inbound {
        match self.socket.next().await {
            Some(Ok(Message::Text(t))) => Inbound::Data(Bytes::from(t)),
            Some(Ok(Message::Binary(b))) => Inbound::Data(b),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Inbound::Control,
            Some(Ok(Message::Close(_))) | None => Inbound::Closed,
            Some(Err(e)) => {
                let too_large = e
                    .into_inner()
                    .downcast_ref::<tungstenite::Error>()
                    .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)));
                if too_large {
                    Inbound::TooLarge
                } else {
                    Inbound::Closed
                }
            }
        }
    }

    /// Sends already-serialized frames in one write.
    pub async fn send_texts(&mut self, texts: impl IntoIterator<Item = Utf8Bytes>) -> Result<usize, SendError> {
        let socket = &mut self.socket;
        let work = async move {
            let mut n = 0;
            for t in texts {
                socket.feed(Message::Text(t)).await?;
                n += 1;
            }
            socket.flush().await?;
            Ok::<_, axum::Error>(n)
        };
        match tokio::time::timeout(WRITE_TIMEOUT, work).await {
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(SendError(e.to_string())),
            Err(_) => Err(SendError("write timeout".into())),
        }
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: &JsonServerFrame) -> Result<(), SendError> {
        self.send_texts([Utf8Bytes::from(frame.to_json())]).await.map(|_| ())
    }

    /// Sends a last frame (if any) and closes with `code`. Best effort: the peer may be gone.
    pub async fn close(mut self, last: Option<&JsonServerFrame>, code: u16, reason: &'static str) {
        if let Some(frame) = last {
            let _ = self.send(frame).await;
        }
        let close = Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }));
        let _ = tokio::time::timeout(WRITE_TIMEOUT, self.socket.send(close)).await;
    }

    /// Closes with one of the protocol's codes.
    pub async fn close_with(self, last: Option<&JsonServerFrame>, code: CloseCode, reason: &'static str) {
        self.close(last, code as u16, reason).await
    }
}
