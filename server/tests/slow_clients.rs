//! Slow and idle clients (issue 13 §1): headers dribbled a byte at a time, connections that send
//! nothing, half-sent upgrades, bodies trickled in, oversized and unwanted bodies, connection
//! caps per address and in all, and a socket that only pings. Each attack runs scaled down,
//! against short configured timeouts (0.3 s) and small caps; each asserts that the attacking
//! connections are cut within the configured time (with a generous upper bound) and that a
//! legitimate visitor and agent are served throughout.

mod common;

use common::*;
use glance_protocol::CloseCode;
use presence_server::auth::Tokens;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The short timeout the attacks meet.
const CUT: Duration = Duration::from_millis(300);
/// Upper bound on "cut within the configured time": the timeout plus scheduling slack.
const SLACK: Duration = Duration::from_millis(1500);

/// The test configuration with every timeout of this file long, so each test shortens only the
/// one it attacks.
fn slow_config() -> presence_server::Config {
    let mut c = config();
    c.limits.header_timeout = 5.0;
    c.limits.idle_timeout = 5.0;
    c.limits.body_timeout = 5.0;
    c
}

/// A TCP connection from `source` (any 127.x.y.z address is local on Linux: attackers get their
/// own, so per-address caps do not meet the legitimate clients on 127.0.0.1).
async fn tcp_from(source: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(IpAddr::from(source), 0))
        .expect("bind a loopback source address");
    tokio::time::timeout(WAIT, socket.connect(to))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// Reads until the server closes; returns what it sent. Panics if it is still open at `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => panic!(
                "connection still open after {within:?}; got {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0) | Err(_)) => return got,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// The status code of a raw HTTP/1.1 reply.
fn status_of(reply: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(reply);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP reply: {text:?}"))
}

/// Sends a whole request on a fresh connection and reads the reply to its close.
async fn raw_request(stream: &mut TcpStream, request: &str) -> Vec<u8> {
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request written");
    until_closed(stream, WAIT).await
}

/// `presence_disconnects_total{reason="…"}` from `/metrics`.
async fn cuts(server: &Server, reason: &str) -> u64 {
    let text = server.get("/metrics").await.body;
    let text = text.as_str().expect("text exposition");
    let key = format!("presence_disconnects_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .map_or(0, |v| v.trim().parse().expect("a counter"))
}

/// A legitimate visitor and the agent watching it, connected before an attack.
struct Legit {
    visitor: Ws,
    agent: Ws,
    sent: u64,
}

impl Legit {
    async fn connect(server: &Server) -> Self {
        let visitor = server.visitor("legit").await;
        let mut agent = server.agent("legit").await;
        agent.expect("visitorconn", WAIT).await;
        Self {
            visitor,
            agent,
            sent: 0,
        }
    }

    /// The agent signals the visitor and gets its ack; the visitor gets the signal; `/healthz`
    /// answers on a fresh connection.
    async fn served(&mut self, server: &Server) {
        self.sent += 1;
        let id = self.sent;
        self.agent
            .send(json!({"type": "signal", "id": id, "data": {"n": id}}))
            .await;
        let signal = self.visitor.expect("signal", WAIT).await;
        assert_eq!(signal["data"]["n"], id);
        let ack = self.agent.expect("ack", WAIT).await;
        assert_eq!(ack["data"]["ok"], true, "{ack}");
        let mut fresh = TcpStream::connect(server.running.addr())
            .await
            .expect("connect");
        let reply = raw_request(
            &mut fresh,
            "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(
            status_of(&reply),
            200,
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// Runs `attack` (which returns how long after its start each attacking connection was cut)
/// while the legitimate clients are served every 200 ms; checks every cut fell in
/// `[at, at + SLACK]`.
async fn under_attack<F>(server: &Server, legit: &mut Legit, at: Duration, attack: F)
where
    F: std::future::Future<Output = Vec<Duration>> + Send + 'static,
{
    let attack = tokio::spawn(attack);
    while !attack.is_finished() {
        legit.served(server).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cut_after = attack.await.expect("the attack ran");
    for (i, after) in cut_after.iter().enumerate() {
        assert!(
            *after >= at.saturating_sub(Duration::from_millis(50)) && *after <= at + SLACK,
            "attacker {i} cut after {after:?}, configured {at:?}"
        );
    }
    legit.served(server).await;
}

#[tokio::test]
async fn headers_dribbled_a_byte_at_a_time_are_cut_at_the_header_timeout() {
    let mut c = slow_config();
    c.limits.header_timeout = CUT.as_secs_f64();
    let server = Server::with(c).await;
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    // 20 connections, one byte every 100 ms of a request that would take 6 s to send.
    let attack = async move {
        let mut each = Vec::new();
        for i in 0..20u8 {
            each.push(tokio::spawn(async move {
                let mut s = tcp_from([127, 0, 1, i + 1], addr).await;
                let started = Instant::now();
                let request =
                    b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
                for byte in request {
                    if s.write_all(&[*byte]).await.is_err() {
                        return started.elapsed();
                    }
                    let mut buf = [0u8; 64];
                    match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
                        Err(_) => {}
                        Ok(Ok(0) | Err(_)) => return started.elapsed(),
                        Ok(Ok(_)) => panic!("the dribbled request was answered"),
                    }
                }
                panic!("the whole dribbled request got through")
            }));
        }
        let mut out = Vec::new();
        for t in each {
            out.push(t.await.expect("attacker"));
        }
        out
    };
    under_attack(&server, &mut legit, CUT, attack).await;
    assert!(cuts(&server, "headertimeout").await >= 20);
}

#[tokio::test]
async fn connections_that_send_nothing_are_cut_at_the_idle_timeout() {
    let mut c = slow_config();
    c.limits.idle_timeout = CUT.as_secs_f64();
    let server = Server::with(c).await;
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    let attack = async move {
        let mut each = Vec::new();
        for i in 0..20u8 {
            each.push(tokio::spawn(async move {
                let mut s = tcp_from([127, 0, 2, i + 1], addr).await;
                let started = Instant::now();
                let got = until_closed(&mut s, CUT + SLACK).await;
                assert!(got.is_empty(), "an idle connection got a reply");
                started.elapsed()
            }));
        }
        let mut out = Vec::new();
        for t in each {
            out.push(t.await.expect("attacker"));
        }
        out
    };
    under_attack(&server, &mut legit, CUT, attack).await;
    assert!(cuts(&server, "idletimeout").await >= 20);
}

#[tokio::test]
async fn half_sent_upgrades_are_cut_at_the_header_timeout() {
    let mut c = slow_config();
    c.limits.header_timeout = CUT.as_secs_f64();
    let server = Server::with(c).await;
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    let attack = async move {
        let mut each = Vec::new();
        for i in 0..10u8 {
            each.push(tokio::spawn(async move {
                let mut s = tcp_from([127, 0, 3, i + 1], addr).await;
                let started = Instant::now();
                // The upgrade request without its last header and blank line.
                s.write_all(
                    b"GET /visitorws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n",
                )
                .await
                .expect("written");
                let got = until_closed(&mut s, CUT + SLACK).await;
                assert!(got.is_empty(), "a half-sent upgrade got a reply");
                started.elapsed()
            }));
        }
        let mut out = Vec::new();
        for t in each {
            out.push(t.await.expect("attacker"));
        }
        out
    };
    under_attack(&server, &mut legit, CUT, attack).await;
}

#[tokio::test]
async fn an_upgraded_socket_that_only_pings_is_cut_at_the_connect_deadline() {
    let mut c = slow_config();
    c.timings.connect_timeout = CUT.as_secs_f64();
    let server = Server::with(c).await;
    let mut ws = server.open("/visitorws", None).await;
    let opened = Instant::now();
    // Pings do not stand in for `connect`: the deadline still runs.
    let code = ping_until_closed(&mut ws, Duration::from_millis(50), CUT + SLACK).await;
    let after = opened.elapsed();
    assert_eq!(code, Some(CloseCode::Timeout as u16));
    assert!(
        after >= CUT - Duration::from_millis(50),
        "closed after {after:?}"
    );
    assert!(cuts(&server, "connecttimeout").await >= 1);
}

#[tokio::test]
async fn a_trickled_body_is_cut_at_the_body_timeout() {
    let mut c = slow_config();
    c.limits.body_timeout = CUT.as_secs_f64();
    // The ten attackers share one token: its quota of calls in progress is not what is tested.
    c.limits.requests_per_token = 20;
    let server = Server::with(c).await;
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    let token = agent_token(GROUP);
    let attack = async move {
        let mut each = Vec::new();
        for i in 0..10u8 {
            let token = token.clone();
            each.push(tokio::spawn(async move {
                let mut s = tcp_from([127, 0, 4, i + 1], addr).await;
                let head = format!(
                    "POST /signalvisitor?groupid={GROUP}&visitorid=legit HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                );
                s.write_all(head.as_bytes()).await.expect("head written");
                let started = Instant::now();
                let mut reply = Vec::new();
                let mut buf = [0u8; 1024];
                loop {
                    let _ = s.write_all(b" ").await;
                    match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await
                    {
                        Err(_) => {}
                        Ok(Ok(0) | Err(_)) => break,
                        Ok(Ok(n)) => reply.extend_from_slice(&buf[..n]),
                    }
                    assert!(started.elapsed() < CUT + SLACK, "a trickled body was not cut");
                }
                assert_eq!(status_of(&reply), 408, "{}", String::from_utf8_lossy(&reply));
                started.elapsed()
            }));
        }
        let mut out = Vec::new();
        for t in each {
            out.push(t.await.expect("attacker"));
        }
        out
    };
    under_attack(&server, &mut legit, CUT, attack).await;
    assert!(cuts(&server, "bodytimeout").await >= 10);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_from_its_content_length_before_reading() {
    let server = Server::with(slow_config()).await;
    let mut legit = Legit::connect(&server).await;
    let token = agent_token(GROUP);
    let mut s = TcpStream::connect(server.running.addr())
        .await
        .expect("connect");
    // 10 GiB announced; not one byte of it sent.
    let head = format!(
        "POST /signalvisitor?groupid={GROUP}&visitorid=legit HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\nContent-Length: 10737418240\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head written");
    let started = Instant::now();
    let reply = until_closed(&mut s, WAIT).await;
    assert_eq!(
        status_of(&reply),
        413,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    // Answered without waiting for the body: well before any timeout of this configuration.
    assert!(started.elapsed() < Duration::from_secs(2));
    legit.visitor.expect_silence(QUIET).await;
    legit.served(&server).await;
    assert!(cuts(&server, "bodytoolarge").await >= 1);
}

#[tokio::test]
async fn a_body_on_an_endpoint_that_takes_none_is_refused() {
    let server = Server::with(slow_config()).await;
    let mut legit = Legit::connect(&server).await;
    let mut s = TcpStream::connect(server.running.addr())
        .await
        .expect("connect");
    let head = format!(
        "POST /presence?groupid={GROUP}&visitorid=v1 HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        4 << 20
    );
    s.write_all(head.as_bytes()).await.expect("head written");
    // Only the first 64 KiB of the 4 MiB are sent: a reply means it was not read.
    let _ = s.write_all(&vec![b'x'; 64 << 10]).await;
    let reply = until_closed(&mut s, WAIT).await;
    assert_eq!(
        status_of(&reply),
        413,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    // The original clients' `{}` still passes.
    let ok = server
        .request(
            reqwest::Method::POST,
            &format!("/presence?groupid={GROUP}&visitorid=v1"),
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(ok.status, 200);
    legit.served(&server).await;
}

#[tokio::test]
async fn the_per_address_cap_refuses_the_next_connection_fast() {
    let mut c = slow_config();
    c.limits.connections_per_address = 5;
    let server = Server::with(c).await;
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    let attacker = [127, 0, 5, 1];
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(tcp_from(attacker, addr).await);
    }
    // The sixth: answered 503 at once and closed, whatever it asks but `/healthz`.
    let started = Instant::now();
    let mut sixth = tcp_from(attacker, addr).await;
    let reply = raw_request(
        &mut sixth,
        &format!("GET /findvisitor?groupid={GROUP}&visitorid=legit HTTP/1.1\r\nHost: t\r\n\r\n"),
    )
    .await;
    assert_eq!(
        status_of(&reply),
        503,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    let mut health = tcp_from(attacker, addr).await;
    let reply = raw_request(&mut health, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(status_of(&reply), 200, "/healthz answers over the cap");
    // Other addresses are not affected; established sessions go on.
    legit.served(&server).await;
    let visitor = server.visitor("another").await;
    drop(visitor);
    assert!(cuts(&server, "addresscap").await >= 2);
    // A place freed is a place taken again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = tcp_from(attacker, addr).await;
    let reply = raw_request(
        &mut again,
        &format!("POST /presence?groupid={GROUP}&visitorid=v1 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"),
    )
    .await;
    assert_eq!(
        status_of(&reply),
        200,
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

#[tokio::test]
async fn the_global_cap_answers_503_and_keeps_healthz_and_sessions() {
    let mut c = slow_config();
    c.limits.max_connections = 8;
    let server = Server::with(c).await;
    // Two places taken by the legitimate visitor and agent (the HTTP client's pool is not used
    // until the cap is reached: every request below is raw).
    let mut legit = Legit::connect(&server).await;
    let addr = server.running.addr();
    let mut held = Vec::new();
    for i in 0..6u8 {
        held.push(tcp_from([127, 0, 6, i + 1], addr).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut over = TcpStream::connect(addr).await.expect("connect");
    let reply = raw_request(
        &mut over,
        &format!("POST /presence?groupid={GROUP}&visitorid=v1 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{{}}"),
    )
    .await;
    assert_eq!(
        status_of(&reply),
        503,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // `served` checks `/healthz` on a fresh connection (over the cap too) and a signal between
    // the established visitor and agent.
    legit.served(&server).await;
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(cuts(&server, "globalcap").await >= 2);
}

#[tokio::test]
async fn a_socket_that_only_pings_after_connect_is_closed_as_dead() {
    let mut c = slow_config();
    c.timings.keepalive = 1.0;
    c.timings.liveness_slack = 0.2;
    let server = Server::with(c).await;
    let liveness = secs(2.2);
    let mut ws = server.visitor("pinger").await;
    let opened = Instant::now();
    let code = ping_until_closed(&mut ws, Duration::from_millis(200), liveness + SLACK).await;
    let after = opened.elapsed();
    assert_eq!(code, Some(CloseCode::Timeout as u16));
    assert!(after >= secs(2.0), "closed after {after:?}");
    assert!(cuts(&server, "dead").await >= 1);
}

/// Sends a ping every `every` until the server closes; returns its close code. Panics if it is
/// still open after `within`.
async fn ping_until_closed(ws: &mut Ws, every: Duration, within: Duration) -> Option<u16> {
    use futures_util::SinkExt;
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() <= within,
            "a pinging socket was still open after {within:?}"
        );
        let ping = tokio_tungstenite::tungstenite::Message::Ping(vec![1].into());
        if ws.stream.send(ping).await.is_err() {
            return None;
        }
        if let Some(Event::Closed(code)) = ws.next(every).await {
            return code;
        }
    }
}

/// The server process, stopped when dropped.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn more_idle_connections_than_the_file_limit_do_not_lock_clients_out() {
    // The issue's case, scaled: the server process may open 256 files (`prlimit`, lowering only
    // its own limit), and 300 TCP connections that send nothing come in at once.
    let dir = std::env::temp_dir().join(format!("presence-fdlimit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config_path = dir.join("presence.toml");
    let addr_path = dir.join("addr");
    let _ = std::fs::remove_file(&addr_path);
    std::fs::write(
        &config_path,
        format!(
            r#"
            listen = "127.0.0.1:0"
            jwt_secret = "{SECRET}"
            [limits]
            idle_timeout = 0.5
            [[groups]]
            id = {GROUP}
            api_key = "{API_KEY}"
            agent_origins = ["{AGENT_ORIGIN}"]
            "#
        ),
    )
    .expect("config written");
    let child = std::process::Command::new("prlimit")
        .arg("--nofile=256:256")
        .arg(env!("CARGO_BIN_EXE_presence-server"))
        .arg("--config")
        .arg(&config_path)
        .arg("--addr-file")
        .arg(&addr_path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("prlimit (util-linux) runs the server");
    let _child = Child(child);
    let until = Instant::now() + WAIT;
    let addr: SocketAddr = loop {
        if let Some(a) = std::fs::read_to_string(&addr_path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            break a;
        }
        assert!(Instant::now() < until, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let opened = Instant::now();
    let mut idle = Vec::new();
    for i in 0..300u32 {
        idle.push(tcp_from([127, 0, 7, (i % 250) as u8 + 1], addr).await);
    }
    // Legitimate clients: `/healthz` and a visitor's `connect`, served within the idle timeout
    // plus slack (those over the caps are refused at once and may retry).
    let served_by = Instant::now() + Duration::from_millis(500) + SLACK;
    let healthz = loop {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await;
        let reply = until_closed(&mut s, WAIT).await;
        if reply.starts_with(b"HTTP/1.1 200") {
            break Instant::now();
        }
        assert!(Instant::now() < served_by, "/healthz not served");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let connected = loop {
        let url = format!("ws://{addr}/visitorws");
        if let Ok(Ok((stream, _))) =
            tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url)).await
        {
            let mut ws = Ws::from_stream(stream);
            ws.send_text(connect_frame(GROUP, "legit", None, None))
                .await;
            if let Some(Event::Frame(f)) = ws.next(WAIT).await {
                assert_eq!(f["type"], "connected");
                break Instant::now();
            }
        }
        assert!(Instant::now() < served_by, "the visitor was not served");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(healthz <= served_by && connected <= served_by);
    // Every idle connection is closed: refused at once or cut at the idle timeout.
    for s in &mut idle {
        let got = until_closed(s, Duration::from_millis(500) + SLACK).await;
        assert!(got.is_empty());
    }
    assert!(opened.elapsed() <= Duration::from_millis(500) + SLACK + WAIT);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An agent socket of [`GROUP`] watching `visitor` with `token`; returns it after `connect` is
/// sent (nothing read yet).
async fn agent_with(server: &Server, visitor: &str, token: &str) -> Ws {
    let mut ws = server.open("/agent", Some(AGENT_ORIGIN)).await;
    ws.send_text(connect_frame(GROUP, visitor, Some(token), None))
        .await;
    ws
}

#[tokio::test]
async fn one_token_opens_at_most_its_quota_of_agent_sockets() {
    let mut c = slow_config();
    c.limits.agent_sockets_per_token = 2;
    let server = Server::with(c).await;
    let token = agent_token_with(SECRET, GROUP, 60, presence_server::http::unix_now());
    let mut first = agent_with(&server, "v1", &token).await;
    first.expect_next("connected", WAIT).await;
    let mut second = agent_with(&server, "v2", &token).await;
    second.expect_next("connected", WAIT).await;
    let mut third = agent_with(&server, "v3", &token).await;
    third
        .expect_refused("ratelimited", CloseCode::TooMany as u16)
        .await;
    // Another token is not affected; a closed socket gives its place back.
    let other = Tokens::new(SECRET.as_bytes()).issue_agent(
        gid(GROUP),
        "agent-2",
        "presence",
        60,
        presence_server::http::unix_now(),
    );
    let mut elsewhere = agent_with(&server, "v3", &other).await;
    elsewhere.expect_next("connected", WAIT).await;
    first.close().await;
    let mut again = Ws::from_stream(
        tokio::time::timeout(WAIT, async {
            loop {
                let mut ws = agent_with(&server, "v1", &token).await;
                match ws.next(WAIT).await {
                    Some(Event::Frame(f)) if f["type"] == "connected" => return ws.stream,
                    _ => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        })
        .await
        .expect("the place is given back"),
    );
    again.send(json!({"type": "k"})).await;
    assert!(cuts(&server, "tokencap").await >= 1);
}

#[tokio::test]
async fn one_token_has_at_most_its_quota_of_rest_calls_in_progress() {
    let mut c = slow_config();
    c.limits.requests_per_token = 2;
    let server = Server::with(c).await;
    let mut visitor = server.visitor("v1").await;
    let token = agent_token_with(SECRET, GROUP, 60, presence_server::http::unix_now());
    let addr = server.running.addr();
    // Two calls held open: their bodies are not sent yet.
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "POST /signalvisitor?groupid={GROUP}&visitorid=v1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\nContent-Length: 35\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await.expect("head written");
        open.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let lookup = format!("/lookupvisitor?groupid={GROUP}&visitorid=v1");
    let refused = server.get_auth(&lookup, &token).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.body["err"], "ratelimited");
    let other = Tokens::new(SECRET.as_bytes()).issue_agent(
        gid(GROUP),
        "agent-2",
        "presence",
        60,
        presence_server::http::unix_now(),
    );
    assert_eq!(server.get_auth(&lookup, &other).await.status, 200);
    // The held calls finish; the token's calls go through again.
    for s in &mut open {
        s.write_all(br#"{"mtype":"signal","data":{"n":1}}  "#)
            .await
            .expect("body written");
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).await.expect("reply");
        assert_eq!(&buf, b"HTTP/1.1 200");
    }
    visitor.expect("signal", WAIT).await;
    assert_eq!(server.get_auth(&lookup, &token).await.status, 200);
    assert!(cuts(&server, "tokencap").await >= 1);
}

#[tokio::test]
async fn query_answers_in_pages_each_visitor_once() {
    let mut c = slow_config();
    c.limits.query_page = 3;
    c.limits.query_page_max = 5;
    let server = Server::with(c).await;
    let mut visitors = Vec::new();
    for i in 0..7 {
        visitors.push(server.visitor(&format!("p{i}")).await);
    }
    let token = agent_token(GROUP);
    // No paging parameters: the first page of the documented default size, and a cursor.
    let mut seen = Vec::new();
    let mut path = format!("/query?groupid={GROUP}");
    let mut sizes = Vec::new();
    loop {
        let reply = server.get_auth(&path, &token).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let page = reply.body["visitors"].as_array().expect("visitors").clone();
        sizes.push(page.len());
        seen.extend(
            page.iter()
                .map(|v| v["visitorid"].as_str().unwrap().to_owned()),
        );
        match reply.body["cursor"].as_str() {
            Some(c) => path = format!("/query?groupid={GROUP}&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(sizes, [3, 3, 1]);
    let expected: Vec<String> = (0..7).map(|i| format!("p{i}")).collect();
    assert_eq!(seen, expected);
    let big = server
        .get_auth(&format!("/query?groupid={GROUP}&limit=1000"), &token)
        .await;
    assert_eq!(
        big.body["visitors"].as_array().unwrap().len(),
        5,
        "limit capped"
    );
    let bad = server
        .get_auth(&format!("/query?groupid={GROUP}&limit=0"), &token)
        .await;
    assert_eq!(bad.status, 400);
    let one = server
        .get_auth(&format!("/query?groupid={GROUP}&visitorid=p6"), &token)
        .await;
    assert_eq!(one.body["visitors"][0]["visitorid"], "p6");
    assert!(one.body.get("cursor").is_none());
}
