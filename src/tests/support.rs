//! Driving the module natively: the entries of `dispatch.rs` as the shell calls them, the
//! recording host, and what the tests look for in its log.

use crate::codec;
use crate::dispatch::{call, create, report, Report, Role};
use crate::host::{self, Read};
use crate::method::Method;
use crate::value::Value;

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

/// Creates a visitor (`kind` 1) or agent (0) for page object `id`, with params as JSON text.
pub fn new(kind_: u32, id: u32, params: &str) {
    let role = if kind_ == 0 {
        Role::Agent
    } else {
        Role::Visitor
    };
    create(role, id, codec::parse(params));
}

/// Calls a method with its arguments as a JSON array; its result as JSON text.
pub fn m(id: u32, name: &str, args: &str) -> Option<String> {
    m_opts(id, name, args, 0)
}

/// The method the exported classes call for `name`; `None` for a name the API does not have.
pub fn method(name: &str) -> Option<Method> {
    Some(match name {
        "connect" => Method::Connect,
        "disconnect" => Method::Disconnect,
        "isconnected" => Method::IsConnected,
        "setVisitorId" => Method::SetVisitorId,
        "signalVisitor" => Method::SignalVisitor,
        "invokeVisitor" => Method::InvokeVisitor,
        "lookupVisitor" => Method::LookupVisitor,
        "query" => Method::Query,
        "presence" => Method::Presence,
        "fire" => Method::Fire,
        "signalAgent" => Method::SignalAgent,
        "signalVisibility" => Method::SignalVisibility,
        "setDefaultUI" => Method::SetDefaultUi,
        "connectUnique" => Method::ConnectUnique,
        "extendUnique" => Method::ExtendUnique,
        "authorize" => Method::Authorize,
        "setToken" => Method::SetToken,
        "gettoken" => Method::GetToken,
        "clearToken" => Method::ClearToken,
        "authorized" => Method::Authorized,
        "showTerms" => Method::ShowTerms,
        "startSession" => Method::StartSession,
        "stopSession" => Method::StopSession,
        _ => return None,
    })
}

/// Calls a method with call options `opts`; the arguments as a JSON array (text that is not one:
/// arguments JSON cannot carry). A name the API does not have does nothing.
pub fn m_opts(id: u32, name: &str, args: &str, opts: u32) -> Option<String> {
    let method = method(name)?;
    let args = match codec::parse(args) {
        Some(Value::Array(args)) => Some(args),
        _ => None,
    };
    call(id, method, args, opts).and_then(|v| codec::to_text(&v))
}

/// Runs timer or microtask `id`.
pub fn fire(id: u32) {
    report(id, Report::Timer);
}

/// Answers request `id`.
pub fn reply(id: u32, status: u16, body: &str) {
    report(id, Report::Reply(status, body.into()));
}

/// Socket `id` opened.
pub fn opened(id: u32) {
    report(id, Report::Opened);
}

/// A frame on socket `id`.
pub fn frame(id: u32, text: &str) {
    report(id, Report::Message(text.into()));
}

/// Socket `id` closed with `code`.
pub fn closed(id: u32, code: u16) {
    report(id, Report::Closed(code));
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
    reply(
        fetch,
        200,
        r#"{"directserver":"node1.example","visitorfound":true,"direct":"node1.example"}"#,
    );
    let lines = log();
    let socket = id_of(&lines, "open");
    opened(socket);
    log();
    frame(
        socket,
        r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"v1"}}"#,
    );
    let _ = id;
    socket
}

/// A request the module made, as the host log records it: `fetch <id> <method> <url> bearer=<token> <body>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLine {
    /// The request's id (for [`reply`]).
    pub id: u32,
    /// `GET` or `POST`.
    pub method: String,
    /// The full URL with its query.
    pub url: String,
    /// The bearer token (empty: none).
    pub bearer: String,
    /// The body (empty: none).
    pub body: String,
}

/// The first request in `lines` whose URL contains `part`.
pub fn fetch_line(lines: &[String], part: &str) -> FetchLine {
    let line = lines
        .iter()
        .filter(|l| l.starts_with("fetch "))
        .find(|l| l.split(' ').nth(3).is_some_and(|url| url.contains(part)))
        .unwrap_or_else(|| panic!("no fetch of {part:?} in {lines:#?}"));
    // The URL and the token hold no spaces; the body may.
    let fields: Vec<&str> = line.splitn(6, ' ').collect();
    FetchLine {
        id: fields[1].parse().unwrap(),
        method: fields[2].into(),
        url: fields[3].into(),
        bearer: fields[4].trim_start_matches("bearer=").into(),
        body: fields.get(5).copied().unwrap_or_default().into(),
    }
}

/// The frames sent on socket `socket` in `lines`, in order.
pub fn sent_on(lines: &[String], socket: u32) -> Vec<String> {
    let prefix = ["send ", &socket.to_string(), " "].concat();
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(Into::into)
        .collect()
}

// --- Connections ------------------------------------------------------------------------------

/// A visitor's constructor params: visitor `v1`.
pub const V1: &str = r#"{"visitorid":"v1"}"#;

/// The presence service's answer naming the socket host.
pub const FOUND: &str = r#"{"directserver":"node1.example"}"#;

/// The server's `connected` for visitor `v1`, keepalive 25 s.
pub const CONNECTED: &str =
    r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"v1"}}"#;

/// The token an agent holds in these tests (`setToken`).
pub const TOKEN: &str = "TOKEN";

/// Runs the resolve step that `lines` started (its microtask), answering the settings lookup if
/// the page has not asked it yet and the presence service with [`FOUND`]. Returns the socket
/// being opened; the log is empty after.
pub fn resolve(lines: &[String]) -> u32 {
    fire(id_of(lines, "microtask"));
    let mut lines = log();
    if has(&lines, "GetVisitorSettings3") {
        reply(id_of(&lines, "fetch"), 200, SETTINGS);
        lines = log();
    }
    reply(id_of(&lines, "fetch"), 200, FOUND);
    let lines = log();
    id_of(&lines, "open")
}

/// Opens `socket` and answers `connect` with [`CONNECTED`]. Returns the log of the `connected`
/// step.
pub fn handshake(socket: u32) -> Vec<String> {
    opened(socket);
    log();
    frame(socket, CONNECTED);
    log()
}

/// Resolves, opens and connects the attempt `lines` started. Returns the socket; the log of the
/// `connected` step is dropped.
pub fn complete(lines: &[String]) -> u32 {
    let socket = resolve(lines);
    handshake(socket);
    socket
}

/// A page with visitor `id` (`v1`) that sent an empty presence and is connected. Returns its
/// socket; the log is empty.
pub fn connected_visitor(id: u32) -> u32 {
    page();
    new(1, id, V1);
    m(id, "presence", "[]");
    complete(&log())
}

/// A page holding [`TOKEN`] with agent `id` watching `v1`, connected. Returns its socket; the log
/// is empty.
pub fn connected_agent(id: u32) -> u32 {
    page();
    m(0, "setToken", &format!(r#"["{TOKEN}"]"#));
    new(0, id, V1);
    m(id, "connect", "[]");
    complete(&log())
}

// --- Reading the log --------------------------------------------------------------------------

/// The frames written on `socket`, in order.
pub fn sent(lines: &[String], socket: u32) -> Vec<String> {
    let prefix = format!("send {socket} ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(Into::into)
        .collect()
}

/// The page calls on `target` as `handler args` (with ` last` when they settle call options).
pub fn emits(lines: &[String], target: u32) -> Vec<String> {
    let prefix = format!("emit {target} ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(Into::into)
        .collect()
}

/// The timers armed in `lines` as `(id, ms)`, in order.
pub fn timers(lines: &[String]) -> Vec<(u32, u32)> {
    lines
        .iter()
        .filter_map(|l| {
            let mut words = l.strip_prefix("timer ")?.split(' ');
            Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
        })
        .collect()
}

/// The id of the one timer armed for `ms` in `lines`.
pub fn timer_for(lines: &[String], ms: u32) -> u32 {
    let found: Vec<u32> = timers(lines)
        .into_iter()
        .filter(|t| t.1 == ms)
        .map(|t| t.0)
        .collect();
    assert_eq!(found.len(), 1, "one timer of {ms} ms in {lines:#?}");
    found[0]
}

/// The backoff timer armed in `lines` (the last timer): `(id, ms)`.
pub fn retry_timer(lines: &[String]) -> (u32, u32) {
    *timers(lines)
        .last()
        .unwrap_or_else(|| panic!("no retry timer in {lines:#?}"))
}

/// The lines of `lines` starting with `prefix`.
pub fn starting(lines: &[String], prefix: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with(prefix))
        .cloned()
        .collect()
}

/// `onerror({error, detail})` as logged for `target`.
pub fn onerror(target: u32, error: &str, detail: &str) -> String {
    format!(r#"emit {target} onerror [{{"error":"{error}","detail":"{detail}"}}]"#)
}

/// The line of `send` on `socket` of `frame`.
pub fn send_line(socket: u32, frame: &str) -> String {
    format!("send {socket} {frame}")
}

/// `{type:"visibility", data:{visibility}}`.
pub fn visibility_frame(hidden: bool) -> String {
    let v = if hidden { "hidden" } else { "visible" };
    format!(r#"{{"type":"visibility","data":{{"visibility":"{v}"}}}}"#)
}

// --- The page's events ------------------------------------------------------------------------

/// The window and document events, by the names the tests use.
pub mod win {
    use crate::dispatch::WindowEvent;
    /// `online`.
    pub const ONLINE: WindowEvent = WindowEvent::Online;
    /// window `focus`.
    pub const FOCUS: WindowEvent = WindowEvent::Focus;
    /// `pagehide`.
    pub const PAGEHIDE: WindowEvent = WindowEvent::PageHide;
    /// `pageshow`.
    pub const PAGESHOW: WindowEvent = WindowEvent::PageShow;
    /// `visibilitychange`.
    pub const VISIBILITY: WindowEvent = WindowEvent::VisibilityChange;
}

/// A window or document event.
pub fn window(event: crate::dispatch::WindowEvent) {
    crate::dispatch::window(event);
}

/// The document becomes hidden or visible (`visibilitychange`).
pub fn set_hidden(hidden: bool) {
    host::set_fact(
        Read::Visibility,
        "",
        Some(if hidden { "hidden" } else { "visible" }),
    );
    window(win::VISIBILITY);
}

/// The terms dialog closed: accepted or not.
pub fn dialog(accepted: bool) {
    crate::dispatch::dialog_closed(accepted);
}

/// Page object `id` was garbage-collected.
pub fn collected(id: u32) {
    crate::dispatch::collected(id);
}
