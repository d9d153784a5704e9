//! `GLANCE.Presence.Visitor` (§2.3): presence, visibility and focus, events to agents, unique ids,
//! invokes from agents, on top of the connection of [`crate::link`].

use crate::dispatch::WindowEvent;
use crate::frames::{self, Incoming};
use crate::host::{page, Read};
use crate::invoke::{invoke_allowed, refused};
use crate::link::{Conn, Mode, Slot};
use crate::method::Method;
use crate::page::{Effect, Shared, Timer};
use crate::presence::{build_presence, PageFacts, PresenceMap};
use crate::resolve::Next;
use crate::value::{number_text, whole_u32, Value};
use glance_protocol::{check_custom_event_name, PresenceLimits, ValidationError, VisitorId};

/// How long a hidden page keeps its socket (§2.3).
pub const HIDDEN_LIMIT_MS: u32 = 10 * 60 * 1000;

/// Which page calls may send an event: `fire` sends the standard events too, `signalAgent` only
/// `terms` and `c_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRule {
    /// `fire(type, data)`.
    Fire,
    /// `signalAgent(name, props)`.
    SignalAgent,
}

/// Runs method `name` with the page's arguments (`None`: JSON could not carry them); the methods
/// both roles have, and a configuration that is not valid, are handled by
/// [`crate::dispatch::call`].
pub fn call(conn: &mut Conn, sh: &mut Shared, name: Method, args: Option<&[Value]>) {
    let arg = |i: usize| args.and_then(|a| a.get(i));
    let data = || arg(0).and_then(|o| o.get("data"));
    match name {
        // Data JSON cannot carry (a cycle, a BigInt, nesting too deep): nothing is sent.
        Method::Presence | Method::ConnectUnique if args.is_none() => {
            invalid(conn, sh, "presence data must be JSON")
        }
        Method::Presence => presence(conn, sh, &presence_map(data())),
        Method::Connect => {
            connect(conn, sh);
        }
        Method::Fire => event(conn, sh, arg(0), arg(1), EventRule::Fire),
        Method::SignalAgent => event(conn, sh, arg(0), arg(1), EventRule::SignalAgent),
        Method::SignalVisibility => {
            conn.focused = true;
            let visible = arg(0).is_some_and(truthy);
            conn.send(sh, Slot::Visibility, frames::visibility(!visible));
        }
        // `setDefaultUI()` turns it on; the loader drops trailing `undefined`s.
        Method::SetDefaultUi => conn.default_ui = arg(0).is_none_or(truthy),
        Method::ConnectUnique => {
            let presence = data().map(|d| presence_map(Some(d)));
            unique(conn, sh, false, presence);
        }
        Method::ExtendUnique => {
            if VisitorId::is_unique(&conn.visitor) && !conn.token.is_empty() {
                unique(conn, sh, true, None);
            } else {
                invalid(
                    conn,
                    sh,
                    "extendUnique needs a unique visitor (connectUnique first)",
                );
            }
        }
        _ => {}
    }
}

/// `onerror({error: "invalidparameter", detail})`.
pub fn invalid(conn: &Conn, sh: &mut Shared, detail: &str) {
    sh.error(conn.id, "invalidparameter", detail);
}

/// Connects (see [`Conn::start`]); false, after telling the page, without a visitor id.
fn connect(conn: &mut Conn, sh: &mut Shared) -> bool {
    if conn.visitor.is_empty() {
        invalid(conn, sh, &ValidationError::VisitorId.message());
        return false;
    }
    if conn.mode != Mode::On {
        // Not following the page until now: it may have been hidden (or come back from the
        // back-forward cache, unheard) meanwhile. Running page code, it is shown.
        conn.page_hidden = false;
        conn.hidden = page(Read::Visibility, "").as_deref() == Some("hidden");
        if conn.hidden && conn.mode == Mode::Dormant {
            // Closed for being hidden too long: frames wait for the page to become visible.
            return true;
        }
        if conn.hidden {
            conn.set_timer(sh, Timer::Hidden, Some(HIDDEN_LIMIT_MS));
        }
    }
    conn.start(sh);
    true
}

/// `presence({data})`: the map of `user-*` fields, page facts and the caller's data, checked
/// against the limits before anything is sent. Calling it takes focus back.
fn presence(conn: &mut Conn, sh: &mut Shared, data: &PresenceMap) {
    let facts = PageFacts {
        url: page(Read::Href, "").unwrap_or_default(),
        user_agent: page(Read::UserAgent, "").unwrap_or_default(),
    };
    let limits = PresenceLimits::default();
    let map = build_presence(&conn.user, &facts, data, &limits);
    if let Err(e) = map.check(&limits) {
        return invalid(conn, sh, &e.message());
    }
    if connect(conn, sh) {
        conn.focused = true;
        let frame = frames::event("presence", Some(map.to_json()));
        conn.last_presence = Some(frame.clone());
        conn.send(sh, Slot::Presence, frame);
    }
}

/// `fire` / `signalAgent`: checks the event and sends it.
fn event(
    conn: &mut Conn,
    sh: &mut Shared,
    kind: Option<&Value>,
    data: Option<&Value>,
    rule: EventRule,
) {
    let kind = kind.and_then(Value::as_str).unwrap_or_default();
    let data = data.filter(|d| !d.is_null()).cloned();
    match checked_event(kind, data, rule) {
        Ok(data) => {
            conn.focused = true;
            conn.send(sh, Slot::None, frames::event(kind, data));
        }
        Err(e) => invalid(conn, sh, &e.message()),
    }
}

/// The `data` an event of `kind` sends, if the rule allows it: `terms` needs a known status (and
/// sends only it), the session and error events go with `fire` only, custom names are `c_*`.
pub fn checked_event(
    kind: &str,
    data: Option<Value>,
    rule: EventRule,
) -> Result<Option<Value>, ValidationError> {
    match kind {
        "terms" => {
            let data = data.ok_or(ValidationError::Shape("terms needs {status}"))?;
            match data.get("status").and_then(Value::as_str) {
                Some(status @ ("displayed" | "accepted" | "declined")) => {
                    Ok(Some(frames::object(&[("status", status)])))
                }
                _ => Err(ValidationError::Shape(
                    "terms status must be displayed, accepted or declined",
                )),
            }
        }
        "visitorsessionstart" | "visitorsessionend" | "visitorerror" if rule == EventRule::Fire => {
            Ok(data)
        }
        name => check_custom_event_name(name).map(|()| data),
    }
}

/// Sends an event the module itself fires (terms outcomes, session start and end).
pub fn fire(conn: &mut Conn, sh: &mut Shared, kind: &str, data: Value) {
    conn.focused = true;
    conn.send(sh, Slot::None, frames::event(kind, Some(data)));
}

/// `GET /uniquevisitor` (new, or extending the current id), from a microtask.
fn unique(conn: &mut Conn, sh: &mut Shared, extend: bool, presence: Option<PresenceMap>) {
    let epoch = conn.epoch;
    sh.later(
        conn.id,
        Next::Unique {
            extend,
            epoch,
            presence,
        },
    );
}

/// The `/uniquevisitor` reply: `onuniqueid(uniqueid, timeout)`; a new id is connected (with the
/// presence asked for), an extension only renews the guest token. Dropped after `disconnect()`.
pub fn unique_reply(
    conn: &mut Conn,
    sh: &mut Shared,
    extend: bool,
    epoch: u32,
    presence: Option<PresenceMap>,
    body: &Value,
) {
    if epoch != conn.epoch {
        return;
    }
    let text = |key| body.get(key).and_then(Value::as_str);
    let timeout = body
        .get("timeout")
        .filter(|t| t.as_f64().and_then(whole_u32).is_some());
    let id = text("visitorid").filter(|v| VisitorId::valid(v));
    let (Some(id), Some(uniqueid), Some(guest), Some(timeout)) =
        (id, text("uniqueid"), text("guesttoken"), timeout)
    else {
        return sh.connfail(conn.id, "error");
    };
    let reported = [Value::str(uniqueid), timeout.clone()];
    if extend {
        // An extension renews the id's timeout and its guest token: reported, nothing reconnects.
        if conn.visitor == id {
            conn.token = guest.into();
            sh.emit(conn.id, "onuniqueid", &reported);
        }
        return;
    }
    sh.emit(conn.id, "onuniqueid", &reported);
    conn.set_visitor(sh, id, guest);
    connect(conn, sh);
    if let Some(data) = presence {
        self::presence(conn, sh, &data);
    }
}

/// A visitor's `connected` after a reconnect: tells the server again what it may have forgotten
/// (the last presence, a hidden page), unless newer frames of the same kind wait in the queue.
pub fn reconnected(
    conn: &mut Conn,
    sh: &mut Shared,
    presence_queued: bool,
    visibility_queued: bool,
) {
    if let (false, Some(last)) = (presence_queued, conn.last_presence.clone()) {
        conn.write(sh, &last);
    }
    if !visibility_queued && conn.hidden {
        conn.write(sh, &frames::visibility(true));
    }
    conn.focused = true;
}

/// An agent's `invoke`: the function at an allowed path (a refused path is logged).
pub fn invoke_frame(sh: &mut Shared, frame: &Incoming) {
    match frame.text("func") {
        Some(func) if invoke_allowed(func) => invoke(sh, func, frame.field("args").cloned()),
        Some(func) => sh.warn(&refused(func)),
        None => sh.warn("ignored a frame of the wrong shape"),
    }
}

/// Runs an agent's invoke: the function at the (allowed) path, with `args` (default `{}`) after
/// setting `args.remote = true`.
fn invoke(sh: &mut Shared, func: &str, args: Option<Value>) {
    let mut args = args
        .filter(|a| !a.is_null())
        .unwrap_or(Value::Object(vec![]));
    args.set("remote", Value::Bool(true));
    sh.outbox.push_back(Effect::Call(func.into(), args));
}

/// A window or document event.
pub fn window(conn: &mut Conn, sh: &mut Shared, event: WindowEvent) {
    match event {
        WindowEvent::Online => conn.online(sh),
        WindowEvent::Focus
            if !conn.agent() && conn.mode == Mode::On && !conn.focused && !conn.hidden =>
        {
            conn.focused = true;
            conn.send(sh, Slot::Visibility, frames::visibility(false));
        }
        WindowEvent::PageHide => conn.page_hidden = true,
        // Back from the back-forward cache: the `visible` that came while the page was still
        // marked hidden was not acted on.
        WindowEvent::PageShow
            if std::mem::take(&mut conn.page_hidden) && !conn.hidden && !conn.agent() =>
        {
            visibility_changed(conn, sh)
        }
        WindowEvent::VisibilityChange => {
            conn.hidden = page(Read::Visibility, "").as_deref() == Some("hidden");
            if conn.agent() {
                if !conn.hidden {
                    conn.wake(sh);
                }
            } else if !conn.page_hidden {
                visibility_changed(conn, sh);
            }
        }
        _ => {}
    }
}

/// The document's visibility changed: tell the agents and arm or clear the hidden limit.
fn visibility_changed(conn: &mut Conn, sh: &mut Shared) {
    if conn.mode == Mode::Off {
        return;
    }
    if conn.hidden {
        conn.set_timer(sh, Timer::Hidden, Some(HIDDEN_LIMIT_MS));
    } else {
        conn.set_timer(sh, Timer::Hidden, None);
        conn.wake(sh);
        conn.focused = true;
    }
    conn.send(sh, Slot::Visibility, frames::visibility(conn.hidden));
}

/// JavaScript truthiness of a value JSON carried.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A value as text: strings as they are, numbers as written, booleans as words.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_text(*n)),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
        _ => None,
    }
}

/// The caller's presence data as a map (objects and arrays stay, so that the limit check
/// refuses them by name).
pub fn presence_map(data: Option<&Value>) -> PresenceMap {
    match data {
        Some(Value::Object(members)) => PresenceMap(members.clone()),
        _ => PresenceMap::new(),
    }
}
