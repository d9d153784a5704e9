//! WebSocket conformance (RFC 6455) and control frames under the rate limit (§6): malformed
//! frames written by hand on the socket after a normal upgrade, and ping floods.

mod common;

use common::*;
use futures_util::StreamExt;
use glance_protocol::CloseCode;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::MaybeTlsStream;

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A client frame as bytes: first header byte `b0` (FIN, RSV, opcode), masked with [`MASK`]
/// unless `masked` is false.
fn frame(b0: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![b0];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(mask_bit | n as u8),
        n => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Writes raw bytes on the socket under the WebSocket client (nothing of its own is pending).
async fn write_raw(ws: &mut Ws, bytes: &[u8]) {
    let MaybeTlsStream::Plain(tcp) = ws.stream.get_mut() else {
        panic!("the test server speaks plain ws://");
    };
    tokio::time::timeout(WAIT, tcp.write_all(bytes))
        .await
        .expect("write in time")
        .expect("write");
}

/// The count of `presence_disconnects_total{reason}` in `/metrics`.
async fn disconnects(server: &Server, reason: &str) -> u64 {
    let reply = server.get("/metrics").await;
    let text = reply.body.as_str().unwrap_or_default().to_owned();
    let prefix = format!("presence_disconnects_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test]
async fn malformed_frames_close_with_rfc_6455_codes() {
    let server = Server::start().await;
    let protocol = CloseCode::ProtocolError as u16;
    let cases: [(&str, Vec<u8>, u16); 9] = [
        ("invalid UTF-8 text", frame(0x81, b"\xff\xfe{}", true), 1007),
        ("reserved data opcode 3", frame(0x83, b"{}", true), protocol),
        (
            "reserved control opcode 0xB",
            frame(0x8B, b"", true),
            protocol,
        ),
        ("RSV1 bit", frame(0xC1, br#"{"type":"k"}"#, true), protocol),
        ("RSV3 bit", frame(0x91, br#"{"type":"k"}"#, true), protocol),
        (
            "unmasked client frame",
            frame(0x81, br#"{"type":"k"}"#, false),
            protocol,
        ),
        (
            "ping over 125 bytes",
            frame(0x89, &[b'p'; 126], true),
            protocol,
        ),
        ("fragmented ping", frame(0x09, b"p", true), protocol),
        (
            "continuation with nothing to continue",
            frame(0x80, b"{}", true),
            protocol,
        ),
    ];
    for (what, bytes, code) in &cases {
        let mut ws = server.visitor("v1").await;
        write_raw(&mut ws, bytes).await;
        let (closed, frames) = ws.expect_close(WAIT).await;
        assert_eq!(closed, Some(*code), "{what}: {frames:?}");
    }
    // Before `connect` too.
    let mut ws = server.open("/visitorws", None).await;
    write_raw(&mut ws, &frame(0x81, b"\xc3\x28", true)).await;
    assert_eq!(ws.expect_close(WAIT).await.0, Some(1007), "first frame");
    let mut ws = server.open("/agent", Some(AGENT_ORIGIN)).await;
    write_raw(&mut ws, &frame(0xA1, b"{}", true)).await;
    assert_eq!(ws.expect_close(WAIT).await.0, Some(protocol), "first frame");

    // Counted by reason.
    assert_eq!(disconnects(&server, "invalidutf8").await, 2);
    assert_eq!(disconnects(&server, "protocolerror").await, 9);
    // Valid text that is UTF-8 still passes, and the server serves others throughout.
    let mut ws = server.visitor("v2").await;
    write_raw(
        &mut ws,
        &frame(0x81, "{\"type\":\"k\",\"x\":\"é\"}".as_bytes(), true),
    )
    .await;
    ws.expect_silence(QUIET).await;
}

/// Writes `n` masked pings in one go and reads until the close: (pongs seen, close code).
async fn ping_flood(ws: &mut Ws, n: usize) -> (usize, Option<u16>) {
    let one = frame(0x89, b"", true);
    write_raw(ws, &one.repeat(n)).await;
    let mut pongs = 0;
    loop {
        match tokio::time::timeout(WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Pong(_)))) => pongs += 1,
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (pongs, frame.map(|f| u16::from(f.code)))
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return (pongs, None),
            Err(_) => panic!("still open after {pongs} pongs"),
        }
    }
}

#[tokio::test]
async fn a_ping_flood_is_cut_off_like_a_frame_flood() {
    // Default limits: 20 frames/s, bursts of 40; a flood that owes a whole burst is cut off.
    let server = Server::start().await;
    let too_many = CloseCode::TooMany as u16;
    let mut ws = server.visitor("v1").await;
    let (pongs, code) = ping_flood(&mut ws, 5_000).await;
    assert_eq!(code, Some(too_many), "after {pongs} pongs");
    assert!(pongs <= 100, "{pongs} pongs: the flood was answered");
    // Before `connect` as well.
    let mut ws = server.open("/agent", Some(AGENT_ORIGIN)).await;
    let (pongs, code) = ping_flood(&mut ws, 5_000).await;
    assert_eq!(code, Some(too_many), "before connect, after {pongs} pongs");
    assert!(pongs <= 100, "{pongs} pongs before connect");
    assert_eq!(disconnects(&server, "ratelimited").await, 2);
    // A few pings within the burst are answered and the connection kept.
    let mut ws = server.visitor("v2").await;
    let one = frame(0x89, b"", true);
    write_raw(&mut ws, &one.repeat(5)).await;
    let mut pongs = 0;
    while pongs < 5 {
        match tokio::time::timeout(WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Pong(_)))) => pongs += 1,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
    ws.send_text(r#"{"type":"k"}"#).await;
    ws.expect_silence(QUIET).await;
}
