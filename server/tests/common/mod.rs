//! The harness of the server integration tests: a real server on `127.0.0.1:0`, real WebSocket
//! clients (tokio-tungstenite) and a real HTTP client (reqwest).
//!
//! Every wait has a deadline: a test that does not see what it expects fails, it never hangs.
//! Every frame the server sends must also parse as a [`JsonServerFrame`], so each test checks the
//! protocol crate's view of the wire as well.

#![allow(dead_code)] // Each test binary uses part of the harness.

use futures_util::{SinkExt, StreamExt};
use glance_protocol::{
    ClientFrame, ConnectFrame, GroupId, JsonClientFrame, JsonServerFrame, VisitorId,
};
use presence_server::auth::{make_login_key, Tokens};
use presence_server::http::unix_now;
use presence_server::{Config, RunningServer};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The main test group.
pub const GROUP: u32 = 12345;
/// Its API key.
pub const API_KEY: &str = "group-a-api-key";
/// A second group, for isolation tests.
pub const OTHER_GROUP: u32 = 777;
/// Its API key.
pub const OTHER_API_KEY: &str = "group-b-api-key";
/// A configured group with presence off.
pub const OFF_GROUP: u32 = 555;
/// The agent origin the groups allow.
pub const AGENT_ORIGIN: &str = "https://crm.example.com";
/// An origin no group allows.
pub const EVIL_ORIGIN: &str = "https://evil.example.com";
/// The JWT secret of the test servers.
pub const SECRET: &str = "integration-test-jwt-secret";

/// How long to wait for a frame that must come.
pub const WAIT: Duration = Duration::from_secs(3);
/// How long to watch for a frame that must not come, when nothing timed is involved.
pub const QUIET: Duration = Duration::from_millis(300);

/// The test configuration: listen on `127.0.0.1:0`, a fixed JWT secret, three groups, no static
/// files, and short timings (grace and hold 0.4 s, hidden limit 0.5 s, unique timeout 1 s, drain
/// 1 s). Keepalive stays long so that only the liveness test meets it.
pub fn config() -> Config {
    let toml = format!(
        r#"
        listen = "127.0.0.1:0"
        jwt_secret = "{SECRET}"

        [[groups]]
        id = {GROUP}
        api_key = "{API_KEY}"
        agent_origins = ["{AGENT_ORIGIN}"]

        [[groups]]
        id = {OTHER_GROUP}
        api_key = "{OTHER_API_KEY}"
        agent_origins = ["{AGENT_ORIGIN}"]

        [[groups]]
        id = {OFF_GROUP}
        api_key = "off-group-api-key"
        presence = false
        "#
    );
    let mut config: Config = toml::from_str(&toml).expect("test configuration parses");
    config.www = None;
    config.module_dir = None;
    let t = &mut config.timings;
    t.grace = 0.4;
    t.hold = 0.4;
    t.hidden_limit = 0.5;
    t.unique_timeout = 1.0;
    t.connect_timeout = 2.0;
    t.drain = 1.0;
    config
}

/// An agent token for `group`, signed with [`SECRET`] unless `secret` says otherwise, issued at
/// `now` (Unix seconds) for `minutes`.
pub fn agent_token_with(secret: &str, group: u32, minutes: u64, now: u64) -> String {
    Tokens::new(secret.as_bytes()).issue_agent(gid(group), "agent-1", "presence", minutes, now)
}

/// A valid agent token for `group`.
pub fn agent_token(group: u32) -> String {
    agent_token_with(SECRET, group, 60, unix_now())
}

/// A login key for `partner_user` of `group`, signed with `api_key`, expiring `ahead` seconds from
/// now (negative: in the past).
pub fn login_key(api_key: &str, group: u32, partner_user: &str, ahead: i64) -> String {
    let expires = (unix_now() as i64 + ahead) as u64;
    make_login_key(api_key, &group.to_string(), partner_user, expires)
}

/// A group id.
pub fn gid(group: u32) -> GroupId {
    GroupId::new(group).expect("test group ids are positive")
}

/// The `connect` frame, as the protocol crate writes it.
pub fn connect_frame(
    group: u32,
    visitor: &str,
    authorization: Option<&str>,
    guesttoken: Option<&str>,
) -> String {
    let frame: JsonClientFrame = ClientFrame::Connect(ConnectFrame {
        groupid: gid(group),
        visitorid: VisitorId::parse(visitor).expect("test visitor ids are valid"),
        guesttoken: guesttoken.map(str::to_owned),
        authorization: authorization.map(str::to_owned),
        version: Some("6.33.0".into()),
    });
    frame.to_json()
}

/// An HTTP reply, read whole.
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as JSON (`Value::Null` when empty, a string when not JSON).
    pub body: Value,
}

impl Reply {
    /// A header as text (empty when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A running test server and an HTTP client for it.
pub struct Server {
    /// The server.
    pub running: RunningServer,
    /// Its HTTP client.
    pub http: reqwest::Client,
}

impl Server {
    /// Starts [`config`].
    pub async fn start() -> Self {
        Self::with(config()).await
    }

    /// Starts `config`.
    pub async fn with(config: Config) -> Self {
        let running = presence_server::start(config).await.expect("server starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("HTTP client");
        Self { running, http }
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.http_url(), path)
    }

    /// `127.0.0.1:port`: what the server tells clients as its host.
    pub fn host(&self) -> String {
        self.running.addr().to_string()
    }

    /// Sends a request; `body` is sent as JSON text when given.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        for (name, value) in headers {
            req = req.header(
                HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let res = tokio::time::timeout(WAIT, req.send())
            .await
            .expect("HTTP reply in time")
            .expect("HTTP request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("HTTP body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET path` without credentials.
    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, &[], None).await
    }

    /// `GET path` with a Bearer token.
    pub async fn get_auth(&self, path: &str, token: &str) -> Reply {
        self.request(
            Method::GET,
            path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await
    }

    /// `POST path` with a JSON body and a Bearer token.
    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(
            Method::POST,
            path,
            &[("authorization", &format!("Bearer {token}"))],
            Some(body),
        )
        .await
    }

    /// Calls `Authorize` for `group` with a login key.
    pub async fn authorize(
        &self,
        group: u32,
        partnerid: &str,
        partneruserid: &str,
        loginkey: &str,
        extra_query: &str,
    ) -> Reply {
        let path = format!("/services/AuthorizationService.svc/rest/Authorize?groupid={group}&service=presence&site=production{extra_query}");
        let body =
            json!({ "partnerid": partnerid, "partneruserid": partneruserid, "loginkey": loginkey });
        self.request(Method::POST, &path, &[], Some(&body)).await
    }

    /// Opens a WebSocket at `path` (`/visitorws` or `/agent`), sending `Origin` when given. Nothing is
    /// sent on it yet.
    pub async fn open(&self, path: &str, origin: Option<&str>) -> Ws {
        let mut req = format!("{}{}", self.running.ws_url(), path)
            .into_client_request()
            .expect("WebSocket URL");
        if let Some(origin) = origin {
            req.headers_mut()
                .insert(ORIGIN, HeaderValue::from_str(origin).expect("origin"));
        }
        let (stream, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(req))
            .await
            .expect("WebSocket upgrade in time")
            .expect("WebSocket upgrade");
        Ws { stream }
    }

    /// A connected visitor of `group`: opened, `connect` sent, `connected` received.
    pub async fn visitor_in(&self, group: u32, visitor: &str) -> Ws {
        let mut ws = self.open("/visitorws", None).await;
        ws.send_text(connect_frame(group, visitor, None, None))
            .await;
        let connected = ws.expect_next("connected", WAIT).await;
        assert_eq!(connected["data"]["visitorid"], visitor);
        ws
    }

    /// A connected visitor of [`GROUP`].
    pub async fn visitor(&self, visitor: &str) -> Ws {
        self.visitor_in(GROUP, visitor).await
    }

    /// A connected agent of `group` watching `visitor`, from the allowed origin.
    pub async fn agent_in(&self, group: u32, visitor: &str) -> Ws {
        let mut ws = self.open("/agent", Some(AGENT_ORIGIN)).await;
        ws.send_text(connect_frame(
            group,
            visitor,
            Some(&agent_token(group)),
            None,
        ))
        .await;
        ws.expect_next("connected", WAIT).await;
        ws
    }

    /// A connected agent of [`GROUP`] watching `visitor`.
    pub async fn agent(&self, visitor: &str) -> Ws {
        self.agent_in(GROUP, visitor).await
    }
}

/// What a WebSocket delivered.
#[derive(Debug)]
pub enum Event {
    /// A frame (text, or binary holding JSON), parsed.
    Frame(Value),
    /// The connection ended: the close code if the server sent one.
    Closed(Option<u16>),
}

/// A test WebSocket client.
pub struct Ws {
    /// The raw stream (for tests that need to misbehave).
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    /// Wraps a stream opened elsewhere (TLS, custom socket options).
    pub fn from_stream(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self { stream }
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        tokio::time::timeout(WAIT, self.stream.send(Message::text(text)))
            .await
            .expect("send in time")
            .expect("send");
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: &[u8]) {
        let msg = Message::binary(bytes.to_vec());
        tokio::time::timeout(WAIT, self.stream.send(msg))
            .await
            .expect("send in time")
            .expect("send");
    }

    /// Sends a JSON value as a text frame.
    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await
    }

    /// The next frame or the end of the connection; `None` if nothing came within `within`.
    /// Pings and pongs are skipped. Every frame must be a valid server frame.
    pub async fn next(&mut self, within: Duration) -> Option<Event> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => return None,
                Ok(msg) => msg,
            };
            let bytes = match msg {
                Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                Some(Ok(Message::Binary(b))) => b.to_vec(),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(frame))) => {
                    return Some(Event::Closed(frame.map(|f| u16::from(f.code))))
                }
                Some(Err(_)) | None => return Some(Event::Closed(None)),
            };
            if let Err(e) = JsonServerFrame::parse(&bytes) {
                panic!(
                    "server sent a frame the protocol crate cannot read ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            let value: Value = serde_json::from_slice(&bytes).expect("server frames are JSON");
            return Some(Event::Frame(value));
        }
    }

    /// Waits for a frame of type `ty`, skipping frames of other types. Panics on timeout or close.
    pub async fn expect(&mut self, ty: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        let mut skipped = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(Event::Frame(f)) if f["type"] == ty => return f,
                Some(Event::Frame(f)) => skipped.push(f),
                Some(Event::Closed(code)) => {
                    panic!("closed ({code:?}) while waiting for '{ty}'; before: {skipped:?}")
                }
                None => panic!("no '{ty}' frame within {within:?}; got: {skipped:?}"),
            }
        }
    }

    /// The very next frame must be of type `ty`.
    pub async fn expect_next(&mut self, ty: &str, within: Duration) -> Value {
        match self.next(within).await {
            Some(Event::Frame(f)) if f["type"] == ty => f,
            other => panic!("expected '{ty}' as the next frame, got {other:?}"),
        }
    }

    /// No frame of type `ty` arrives during `during` (other frames are skipped; a close is fine).
    /// Returns the frames seen.
    pub async fn expect_none(&mut self, ty: &str, during: Duration) -> Vec<Value> {
        let deadline = Instant::now() + during;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(Event::Frame(f)) if f["type"] == ty => panic!("unexpected '{ty}' frame: {f}"),
                Some(Event::Frame(f)) => seen.push(f),
                Some(Event::Closed(_)) | None => return seen,
            }
        }
    }

    /// Nothing at all arrives during `during`, and the connection stays open.
    pub async fn expect_silence(&mut self, during: Duration) {
        if let Some(e) = self.next(during).await {
            panic!("expected silence, got {e:?}");
        }
    }

    /// Waits for the connection to end. Returns the close code and the frames that came first.
    pub async fn expect_close(&mut self, within: Duration) -> (Option<u16>, Vec<Value>) {
        let deadline = Instant::now() + within;
        let mut frames = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(Event::Frame(f)) => frames.push(f),
                Some(Event::Closed(code)) => return (code, frames),
                None => panic!("connection still open after {within:?}; frames: {frames:?}"),
            }
        }
    }

    /// Waits for an `error` frame and then the close, and checks both: `error.data.error` (or
    /// `.detail` for a refused connect) and the close code.
    pub async fn expect_refused(&mut self, detail: &str, code: u16) {
        let (closed, frames) = self.expect_close(WAIT).await;
        let error = frames
            .iter()
            .find(|f| f["type"] == "error")
            .unwrap_or_else(|| panic!("no error frame before close: {frames:?}"));
        let got = if error["data"]["error"] == "connfail" {
            &error["data"]["detail"]
        } else {
            &error["data"]["error"]
        };
        assert_eq!(got, detail, "error frame: {error}");
        assert_eq!(closed, Some(code), "close code; frames: {frames:?}");
    }

    /// Closes the connection cleanly, as a browser leaving the page does.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(WAIT, self.stream.close(None)).await;
        // Read until the server's close arrives so the server has seen ours.
        let _ = tokio::time::timeout(WAIT, async {
            while let Some(Ok(_)) = self.stream.next().await {}
        })
        .await;
    }
}

/// A normal-closure code as a number (for readable asserts).
pub fn normal_close() -> u16 {
    u16::from(WsCloseCode::Normal)
}

/// Waits until `check` holds, polling; panics with `what` after `within`.
pub async fn eventually<F: FnMut() -> bool>(within: Duration, what: &str, mut check: F) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Seconds as a `Duration` (for timings given as `f64` in the configuration).
pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Starts the `presence-server` binary with `config`, logging to `log` (appended), and waits
/// until it wrote its bound address to `addr_file`: the child and that address.
#[allow(clippy::zombie_processes)] // the caller owns the child and kills and waits for it
pub async fn spawn_server(
    config: &std::path::Path,
    addr_file: &std::path::Path,
    log: &std::path::Path,
) -> (std::process::Child, String) {
    use std::process::{Command, Stdio};
    let _ = std::fs::remove_file(addr_file);
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_presence-server"))
        .arg("--config")
        .arg(config)
        .arg("--addr-file")
        .arg(addr_file)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .expect("presence-server binary");
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(a) = std::fs::read_to_string(addr_file) {
            if !a.is_empty() {
                return (child, a);
            }
        }
        assert!(
            Instant::now() < until,
            "the server did not start: see {}",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// A free TCP port on 127.0.0.1 (free when asked: bind it soon).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits until something listens on `port`.
pub async fn wait_port(port: u16) {
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < until, "nothing listens on {port}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// A `redis-server` on `port`, without persistence (the caller stops it).
#[allow(clippy::zombie_processes)] // the caller owns the child and kills and waits for it
pub fn start_redis(port: u16) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/install.sh)")
}

/// A `redis-server` on a free port, once it answers as itself. A port found free may be taken by
/// another test's process (a node on an ephemeral port) before Redis binds it: that Redis exits,
/// and a plain "something listens" check would pass on the other process. So this checks that
/// the process answering `INFO server` is this child, and tries another port if not.
pub async fn start_redis_anywhere() -> (std::process::Child, u16) {
    for _ in 0..10 {
        let port = free_port();
        let mut child = start_redis(port);
        if redis_is_up(&mut child, port).await {
            return (child, port);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("redis-server did not start on any of 10 free ports");
}

/// Waits until the Redis `child` answers on `port`; false if it exits or takes over 5 s.
pub async fn redis_is_up(child: &mut std::process::Child, port: u16) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if !matches!(child.try_wait(), Ok(None)) {
            return false;
        }
        if redis_pid(port) == Some(child.id()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    false
}

/// The `process_id` of the Redis answering on `port`, if one does.
fn redis_pid(port: u16) -> Option<u32> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    conn.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    conn.write_all(b"INFO server\r\n").ok()?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&reply).contains("process_id:") || !reply.ends_with(b"\r\n") {
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&reply);
    let line = text.lines().find_map(|l| l.strip_prefix("process_id:"))?;
    line.trim().parse().ok()
}

/// A real `redis-server` on a free loopback port, without persistence; killed on drop.
pub struct RedisServer {
    child: std::process::Child,
    /// `redis://127.0.0.1:port`.
    pub url: String,
}

impl RedisServer {
    /// Starts one and waits until it listens.
    pub async fn start() -> Self {
        let (child, port) = start_redis_anywhere().await;
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }

    /// [`config`] as node `node` of a cluster on this Redis.
    pub fn node_config(&self, node: &str) -> Config {
        let mut config = config();
        config.cluster = Some(presence_server::config::ClusterConfig {
            redis_url: Some(self.url.clone()),
            node_name: Some(node.to_owned()),
        });
        config
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
