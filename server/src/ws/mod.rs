//! The WebSockets (§5): `/visitorws` and `/agent`.
//!
//! Each connection is one task: [`session::run`] reads the `connect` frame ([`handshake`]), then
//! loops over inbound frames, its [`Outbox`](crate::outbox::Outbox), its deadlines and the node's
//! lifecycle. Role-specific frame handling lives in [`visitor`] and [`agent`].

mod agent;
mod handshake;
mod link;
mod ratelimit;
mod session;
mod unsent;
mod visitor;

use crate::state::SharedState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Which endpoint a socket came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `/visitorws`.
    Visitor,
    /// `/agent`.
    Agent,
}

impl Role {
    /// Metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Agent => "agent",
        }
    }
}

/// Read buffer of an idle connection. tungstenite allocates it up front (default 128 KiB); frames
/// are small, and a larger frame grows the buffer only while it is read.
const READ_BUFFER: usize = 128;
/// Bytes of outgoing frames gathered before writing.
const WRITE_BUFFER: usize = 4 * 1024;
/// Bytes of unsent frames before the peer counts as a slow consumer.
const MAX_WRITE_BUFFER: usize = 512 * 1024;

/// `GET /visitorws`.
pub async fn visitor(
    state: State<SharedState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    accept(state, headers, upgrade, Role::Visitor)
}

/// `GET /agent`.
pub async fn agent(
    state: State<SharedState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    accept(state, headers, upgrade, Role::Agent)
}

fn accept(
    State(state): State<SharedState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
    role: Role,
) -> Response {
    if state.draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining").into_response();
    }
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Boxed: both the upgrade callback and the connection's future hold it for the connection's
    // whole life, and it is needed only for the handshake.
    let peer = Box::new(handshake::Peer { origin });
    let max = state.config.limits.max_frame;
    upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(max)
        // A frame somewhat over the limit is read whole and then refused, so the socket has no
        // unread input when it closes and the `frametoolarge` error reaches the peer (see
        // `Link::close`); a frame far over it is refused from its header.
        .max_frame_size(max.saturating_mul(2))
        .on_upgrade(move |socket| session::run(link::Link::new(socket), state, role, peer))
}
