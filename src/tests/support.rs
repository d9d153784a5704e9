//! Driving the module natively: the exports, the recording host, and what the tests look for in
//! its log.

use crate::exports::{call, create, ev, kind};
use crate::host::{self, Read};

/// A fresh page: no objects, no facts, an empty log; `GLANCE_COBROWSE = {groupid: 12345, ws}`.
pub fn page() {
    crate::page::with(|p| *p = Default::default());
    host::reset();
    host::set_fact(
        Read::GlobalConfig,
        "",
        Some(r#"{"groupid":12345,"ws":"https://svc.example"}"#),
    );
    host::set_fact(Read::Href, "", Some("https://shop.example/"));
}

/// The log since the last call.
pub fn log() -> Vec<String> {
    host::take_log()
}

/// The id in the first log line starting with `prefix` (`"fetch 3 GET …"` → 3).
pub fn id_of(lines: &[String], prefix: &str) -> u32 {
    let line = lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {lines:#?}"));
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Whether a line contains `text`.
pub fn has(lines: &[String], text: &str) -> bool {
    lines.iter().any(|l| l.contains(text))
}

/// Creates a visitor (`kind` 1) or agent (0) for page object `id`.
pub fn new(kind_: u32, id: u32, params: &str) {
    create(kind_, id, params);
}

/// Calls a method.
pub fn m(id: u32, name: &str, args: &str) -> Option<String> {
    call(id, name, args, 0)
}

/// Calls a method with call options `opts`.
pub fn m_opts(id: u32, name: &str, args: &str, opts: u32) -> Option<String> {
    call(id, name, args, opts)
}

/// Runs timer or microtask `id`.
pub fn fire(id: u32) {
    ev(kind::TIMER, id, 0.0, "");
}

/// Answers request `id`.
pub fn reply(id: u32, status: u16, body: &str) {
    ev(kind::REPLY, id, f64::from(status), body);
}

/// Socket `id` opened.
pub fn opened(id: u32) {
    ev(kind::OPENED, id, 0.0, "");
}

/// A frame on socket `id`.
pub fn frame(id: u32, text: &str) {
    ev(kind::MESSAGE, id, 0.0, text);
}

/// Socket `id` closed with `code`.
pub fn closed(id: u32, code: u16) {
    ev(kind::CLOSED, id, f64::from(code), "");
}

/// The settings reply of the test server.
pub const SETTINGS: &str = r#"{"presenceUrl":"presence.example","isPresenceLoadBalanced":true,"termsUrl":"https://t.example/terms"}"#;

/// Runs the microtask in `lines`, answers the settings lookup, and returns the log after.
pub fn through_settings(lines: &[String]) -> Vec<String> {
    fire(id_of(lines, "microtask"));
    let lines = log();
    reply(id_of(&lines, "fetch"), 200, SETTINGS);
    log()
}

/// Connects visitor or agent `id` all the way: resolve, socket, `connected`. Returns the socket.
pub fn connect(id: u32, lines: &[String]) -> u32 {
    let lines = through_settings(lines);
    let fetch = id_of(&lines, "fetch");
    reply(fetch, 200, r#"{"directserver":"node1.example","visitorfound":true,"direct":"node1.example"}"#);
    let lines = log();
    let socket = id_of(&lines, "open");
    opened(socket);
    log();
    frame(socket, r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"v1"}}"#);
    let _ = id;
    socket
}
