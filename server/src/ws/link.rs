//! The WebSocket as a session sees it: inbound frames as a small enum, outbound JSON frames with
//! a write deadline, and closing with a code.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use glance_protocol::{CloseCode, JsonServerFrame};
use std::time::Duration;

/// A peer that does not take a frame within this time is cut off.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a close takes: sending the last frames and waiting for the peer's Close.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Something that arrived.
pub enum Inbound {
    /// A text or binary frame holding JSON.
    Data(Bytes),
    /// A frame over the size limit; the socket cannot be read further.
    TooLarge,
    /// Ping/pong: a sign of life, charged to the rate limit like any frame.
    Control,
    /// The peer broke RFC 6455 (close with 1002 or 1007); the socket cannot be read further.
    Violation(Violation),
    /// The peer closed, or the socket broke.
    Closed,
}

/// How a peer broke the WebSocket protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// Reserved opcode or RSV bit, unmasked client frame, fragmented or oversized control frame,
    /// a continuation out of place: 1002.
    Protocol,
    /// A text frame that is not UTF-8: 1007.
    InvalidUtf8,
}

impl Violation {
    /// The close code RFC 6455 asks for.
    pub fn close_code(self) -> CloseCode {
        match self {
            Self::Protocol => CloseCode::ProtocolError,
            Self::InvalidUtf8 => CloseCode::InvalidData,
        }
    }

    /// Metric / log reason.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Protocol => "protocolerror",
            Self::InvalidUtf8 => "invalidutf8",
        }
    }
}

/// What a read error means for the session.
fn classify(error: &tungstenite::Error) -> Inbound {
    use tungstenite::error::ProtocolError as P;
    match error {
        tungstenite::Error::Capacity(_) => Inbound::TooLarge,
        tungstenite::Error::Utf8(_) => Inbound::Violation(Violation::InvalidUtf8),
        tungstenite::Error::Protocol(
            P::NonZeroReservedBits
            | P::UnmaskedFrameFromClient
            | P::FragmentedControlFrame
            | P::ControlFrameTooBig
            | P::UnknownControlFrameType(_)
            | P::UnknownDataFrameType(_)
            | P::UnexpectedContinueFrame
            | P::ExpectedFragment(_)
            | P::InvalidOpcode(_)
            | P::InvalidCloseSequence,
        ) => Inbound::Violation(Violation::Protocol),
        // A reset, an I/O error: the peer is gone.
        _ => Inbound::Closed,
    }
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
            Some(Err(e)) => e
                .into_inner()
                .downcast_ref::<tungstenite::Error>()
                .map_or(Inbound::Closed, classify),
        }
    }

    /// Sends already-serialized frames in one write.
    pub async fn send_texts(
        &mut self,
        texts: impl IntoIterator<Item = Utf8Bytes>,
    ) -> Result<usize, SendError> {
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

    /// Sends a last frame (if any), closes with `code` and waits for the peer's Close. Best
    /// effort and bounded: the peer may be gone or stuck.
    pub async fn close(&mut self, last: Option<&JsonServerFrame>, code: u16, reason: &'static str) {
        let socket = &mut self.socket;
        let work = async move {
            if let Some(frame) = last {
                socket.feed(Message::Text(frame.to_json().into())).await?;
            }
            socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: Utf8Bytes::from_static(reason),
                })))
                .await?;
            // Finish the closing handshake: read and drop what the peer still sends until its
            // Close. Dropping a socket with unread input makes the kernel answer with a reset,
            // which can destroy our last frames before the peer reads them (it would see 1006,
            // not `code`).
            while let Some(Ok(_)) = socket.next().await {}
            Ok::<_, axum::Error>(())
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, work).await;
    }

    /// Closes with one of the protocol's codes.
    pub async fn close_with(
        &mut self,
        last: Option<&JsonServerFrame>,
        code: CloseCode,
        reason: &'static str,
    ) {
        self.close(last, code as u16, reason).await
    }
}
