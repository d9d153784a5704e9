//! Opening a visitor or agent socket the way a browser does: TCP from a chosen 127.0.0.x source
//! address, the WebSocket handshake, the `connect` frame, and waiting for `connected`.

use futures_util::{SinkExt, StreamExt};
use glance_protocol::{
    ClientFrame, ConnectFrame, GroupId, JsonClientFrame, JsonServerFrame, ServerFrame, VisitorId,
};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A client WebSocket.
pub type Ws = WebSocketStream<TcpStream>;

/// Longest a socket may take from TCP connect to `connected`.
const OPEN_TIMEOUT: Duration = Duration::from_secs(20);

/// Which endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `/visitorws`.
    Visitor,
    /// `/agent`.
    Agent,
}

/// Why a socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// TCP failed (e.g. EMFILE at the open-file cap, or no free port).
    #[error("tcp: {0}")]
    Tcp(#[from] std::io::Error),
    /// The WebSocket handshake failed (e.g. the server refused the upgrade).
    #[error("websocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    /// The server answered `connect` with an error.
    #[error("connfail: {0}")]
    Refused(String),
    /// The server closed before `connected`.
    #[error("closed before connected")]
    Closed,
    /// No `connected` in time.
    #[error("timeout")]
    Timeout,
}

/// Opens sockets to one server, spreading them over source addresses.
pub struct Dialer {
    server: SocketAddr,
    agent_server: SocketAddr,
    sources: Vec<Ipv4Addr>,
    next: AtomicUsize,
    group: GroupId,
    token: Option<String>,
}

impl Dialer {
    /// A dialer for `server` (agents: `agent_server`, default `server`), group `group`; agents
    /// present `token`.
    pub fn new(
        server: SocketAddr,
        agent_server: Option<SocketAddr>,
        sources: Vec<Ipv4Addr>,
        group: GroupId,
        token: Option<String>,
    ) -> Self {
        Self {
            server,
            agent_server: agent_server.unwrap_or(server),
            sources,
            next: AtomicUsize::new(0),
            group,
            token,
        }
    }

    /// Opens a socket for `visitor` and waits for `connected`. Returns it and the keepalive interval.
    pub async fn open(&self, role: Role, visitor: &VisitorId) -> Result<(Ws, Duration), OpenError> {
        tokio::time::timeout(OPEN_TIMEOUT, self.open_now(role, visitor))
            .await
            .map_err(|_| OpenError::Timeout)?
    }

    async fn open_now(&self, role: Role, visitor: &VisitorId) -> Result<(Ws, Duration), OpenError> {
        let (server, path) = match role {
            Role::Visitor => (self.server, "visitorws"),
            Role::Agent => (self.agent_server, "agent"),
        };
        let stream = self.tcp(server).await?;
        let url = format!("ws://{server}/{path}");
        // Frames are small: a 4 KiB read buffer instead of tungstenite's eager 128 KiB keeps
        // tens of thousands of sockets cheap on the tool's side. No write buffering: every frame
        // is flushed as it is sent, as a browser does.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut ws, _) =
            tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
        let connect = ClientFrame::Connect(ConnectFrame {
            groupid: self.group,
            visitorid: visitor.clone(),
            guesttoken: None,
            authorization: match role {
                Role::Agent => self.token.clone(),
                Role::Visitor => None,
            },
            version: Some("bench".into()),
        });
        send(&mut ws, &connect).await?;
        loop {
            match recv(&mut ws).await {
                Some(Ok(ServerFrame::Connected { keepalive, .. })) => {
                    return Ok((ws, Duration::from_secs(u64::from(keepalive.max(1)))))
                }
                Some(Ok(ServerFrame::Error(e))) => {
                    return Err(OpenError::Refused(
                        e.detail.unwrap_or_else(|| e.error.as_str().to_owned()),
                    ))
                }
                Some(_) => continue,
                None => return Err(OpenError::Closed),
            }
        }
    }

    async fn tcp(&self, server: SocketAddr) -> std::io::Result<TcpStream> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let socket = TcpSocket::new_v4()?;
        if !self.sources.is_empty() {
            let source = self.sources[i % self.sources.len()];
            socket.bind(SocketAddr::V4(SocketAddrV4::new(source, 0)))?;
        }
        let stream = socket.connect(server).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// Sends one client frame as a text message.
pub async fn send(
    ws: &mut Ws,
    frame: &JsonClientFrame,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    ws.send(Message::text(frame.to_json())).await
}

/// The next server frame: `Some(Err)` for a frame that does not parse, `None` when closed.
pub async fn recv(ws: &mut Ws) -> Option<Result<JsonServerFrame, String>> {
    loop {
        let msg = match ws.next().await? {
            Ok(m) => m,
            Err(_) => return None,
        };
        return match msg {
            Message::Text(t) => {
                Some(JsonServerFrame::parse(t.as_bytes()).map_err(|e| e.to_string()))
            }
            Message::Binary(b) => Some(JsonServerFrame::parse(&b).map_err(|e| e.to_string())),
            Message::Close(_) => None,
            _ => continue,
        };
    }
}

/// The id of visitor `index` in run `nonce`.
pub fn visitor_id(nonce: &str, index: usize) -> VisitorId {
    // Letters, digits and '-' only: always a valid visitor id.
    VisitorId::parse(&format!("b{nonce}-{index}")).expect("bench visitor ids are valid")
}

/// Closes a socket as a navigating page does, and waits (briefly) for the server's close.
pub async fn close(mut ws: Ws) {
    let _ = ws.close(None).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while ws.next().await.is_some() {}
    })
    .await;
}
