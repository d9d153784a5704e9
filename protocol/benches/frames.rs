//! Hot paths of the wire protocol: reading client frames, writing server frames, and checking a
//! presence map against the limits (§6). Every visitor frame the server receives goes through
//! `parse`; every relayed update through `check_json` and `to_json` once (then fans out as bytes).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use glance_protocol::{
    AckData, AckId, JsonClientFrame, JsonServerFrame, PresenceLimits, PresenceMap, ServerFrame,
    SockData,
};
use serde_json::{json, Value};
use std::hint::black_box;

const KEEPALIVE: &str = r#"{"type":"k"}"#;
const CONNECT: &str = r#"{"type":"connect","mtype":"connect","groupid":12345,"visitorid":"visitor-123456","version":"6.33.0"}"#;
const PRESENCE: &str = r#"{"type":"presence","data":{"url":"https://shop.example.com/products/shoes?id=123","browser":"Chrome","browserver":"126.0","platform":"win","name":"Jane Doe","cart":"3 items","seq":1042,"t":1718000000123}}"#;
const SIGNAL: &str = r#"{"type":"signal","id":17,"data":{"seq":17,"t":1718000000123}}"#;

/// A typical page's presence map (what the browser module sends).
fn typical_map() -> PresenceMap {
    match json!({
        "url": "https://shop.example.com/products/shoes?id=123", "browser": "Chrome", "browserver": "126.0",
        "platform": "win", "name": "Jane Doe", "cart": "3 items", "seq": 1042, "t": 1718000000123u64
    }) {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}

/// The largest map the limits allow: 20 properties, 10,000 characters in all.
fn largest_map() -> PresenceMap {
    (0..20)
        .map(|i| (format!("property_{i:02}"), Value::String("x".repeat(488))))
        .collect()
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse client frame");
    for (name, text) in [
        ("keepalive", KEEPALIVE),
        ("connect", CONNECT),
        ("presence", PRESENCE),
        ("signal", SIGNAL),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| JsonClientFrame::parse(black_box(text.as_bytes())))
        });
    }
    g.finish();
}

fn serialize(c: &mut Criterion) {
    let mut g = c.benchmark_group("serialize server frame");
    let presence: JsonServerFrame = ServerFrame::Presence(Value::Object(typical_map()));
    let ack: JsonServerFrame = ServerFrame::Ack(AckData::ok(AckId::Num(17)));
    let conn: JsonServerFrame = ServerFrame::VisitorConn(SockData { connected: true });
    for (name, frame) in [
        ("presence", &presence),
        ("ack", &ack),
        ("visitorconn", &conn),
    ] {
        g.bench_function(name, |b| b.iter(|| black_box(frame).to_json()));
    }
    g.finish();
}

fn validate(c: &mut Criterion) {
    let mut g = c.benchmark_group("presence check_json");
    let limits = PresenceLimits::default();
    let (typical, largest) = (typical_map(), largest_map());
    assert!(limits.check_json(&typical).is_ok() && limits.check_json(&largest).is_ok());
    g.bench_function("typical (8 properties)", |b| {
        b.iter(|| limits.check_json(black_box(&typical)))
    });
    g.bench_function("largest (20 × 488 chars)", |b| {
        b.iter(|| limits.check_json(black_box(&largest)))
    });
    g.finish();
}

criterion_group!(benches, parse, serialize, validate);
criterion_main!(benches);
