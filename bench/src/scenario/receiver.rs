//! The `webhooks` scenario's receiver: a minimal HTTP/1.1 server on 127.0.0.1 that takes the
//! server's webhook POSTs on kept-alive connections, checks each signature, answers 200 at once
//! and counts. Hand-written (like the tool's one request, `http.rs`): the receiver must cost
//! little next to the server, and a full HTTP server would be a large dependency for it.

use presence_server::webhooks::sign::Secret;
use presence_server::webhooks::verify::verify_request;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request the receiver reads.
const MAX_REQUEST: usize = 1 << 20;

/// What the receiver saw.
#[derive(Default)]
pub struct Received {
    /// Requests.
    pub requests: u64,
    /// Distinct `webhook-id`s.
    pub ids: HashSet<String>,
    /// Requests whose signature did not verify.
    pub invalid: u64,
    /// First and last request.
    pub first: Option<Instant>,
    /// Last request.
    pub last: Option<Instant>,
}

/// A running receiver.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it saw.
    pub seen: Arc<Mutex<Received>>,
    /// The endpoint secret.
    pub secret: String,
}

impl Receiver {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("receiver: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let secret = Secret::generate();
        let seen = Arc::new(Mutex::new(Received::default()));
        let (s, key) = (seen.clone(), secret.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, s.clone(), key.clone()));
            }
        });
        Ok(Self { addr, seen, secret })
    }

    /// A snapshot: (requests, distinct ids, invalid, seconds from the first to the last).
    pub fn counts(&self) -> (u64, u64, u64, f64) {
        let r = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let window = match (r.first, r.last) {
            (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
            _ => 0.0,
        };
        (r.requests, r.ids.len() as u64, r.invalid, window)
    }
}

/// Serves one connection: requests one after another, each answered 200.
async fn serve(mut stream: TcpStream, seen: Arc<Mutex<Received>>, secret: String) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let Some(end) = request_end(&buf) else {
            if buf.len() > MAX_REQUEST {
                return;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let request: Vec<u8> = buf.drain(..end).collect();
        let text = String::from_utf8_lossy(&request);
        let verified = verify_request(&text, &secret, Some(presence_server::http::unix_now()));
        {
            let mut r = seen.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            r.first.get_or_insert(now);
            r.last = Some(now);
            r.requests += 1;
            match verified {
                Ok(v) => {
                    r.ids.insert(v.id);
                }
                Err(_) => r.invalid += 1,
            }
        }
        let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        if stream.write_all(answer).await.is_err() {
            return;
        }
    }
}

/// The length of the first whole request in `buf` (head and `content-length` body), if there.
fn request_end(buf: &[u8]) -> Option<usize> {
    let head = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = String::from_utf8_lossy(&buf[..head]).to_ascii_lowercase();
    let length: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (buf.len() >= head + length).then_some(head + length)
}
