//! What the module exports to the loader: start-up, object construction, method calls and the
//! host's reports. Only numbers and strings cross; page values are JSON text.
//!
//! Each export does its step with the page's state borrowed, then runs the page calls the step
//! queued (see [`crate::page`]).

use crate::config::{endpoint, read_config, PresenceMode};
use crate::host::{page as read, Read, DIALOG_ID};
use crate::json::Json;
use crate::link::Conn;
use crate::page::{self, flush, Page, Shared, Target, What};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::resolve::Next;
use crate::{agent, auth, cobrowse, resolve, visitor};
use glance_protocol::{ValidationError, VisitorId};
use wasm_bindgen::prelude::*;

/// Report kinds of [`ev`].
pub mod kind {
    /// A socket opened.
    pub const OPENED: u32 = 1;
    /// A socket frame (`text`).
    pub const MESSAGE: u32 = 2;
    /// A socket closed (`number`: the close code).
    pub const CLOSED: u32 = 3;
    /// A timer or microtask ran.
    pub const TIMER: u32 = 4;
    /// A request was answered (`number`: the status, 0 for none; `text`: the body).
    pub const REPLY: u32 = 5;
    /// A window or document event (`number`: which, see [`crate::visitor::window`]).
    pub const WINDOW: u32 = 6;
    /// The terms dialog closed (`number`: 1 accepted).
    pub const DIALOG: u32 = 7;
    /// The page object `id` was garbage-collected.
    pub const COLLECTED: u32 = 8;
}

/// The methods, by the number the loader passes for them (its `METHODS` list, in this order;
/// `src/tests/loader.rs` checks the two agree).
pub mod method {
    /// `connect`.
    pub const CONNECT: u32 = 0;
    /// `disconnect`.
    pub const DISCONNECT: u32 = 1;
    /// `isconnected`.
    pub const ISCONNECTED: u32 = 2;
    /// `setVisitorId`.
    pub const SET_VISITOR_ID: u32 = 3;
    /// `signalVisitor`.
    pub const SIGNAL_VISITOR: u32 = 4;
    /// `invokeVisitor`.
    pub const INVOKE_VISITOR: u32 = 5;
    /// `lookupVisitor`.
    pub const LOOKUP_VISITOR: u32 = 6;
    /// `query`.
    pub const QUERY: u32 = 7;
    /// `presence`.
    pub const PRESENCE: u32 = 8;
    /// `fire`.
    pub const FIRE: u32 = 9;
    /// `signalAgent`.
    pub const SIGNAL_AGENT: u32 = 10;
    /// `signalVisibility`.
    pub const SIGNAL_VISIBILITY: u32 = 11;
    /// `setDefaultUI`.
    pub const SET_DEFAULT_UI: u32 = 12;
    /// `connectUnique`.
    pub const CONNECT_UNIQUE: u32 = 13;
    /// `extendUnique`.
    pub const EXTEND_UNIQUE: u32 = 14;
    /// `authorize`.
    pub const AUTHORIZE: u32 = 15;
    /// `setToken`.
    pub const SET_TOKEN: u32 = 16;
    /// `gettoken`.
    pub const GETTOKEN: u32 = 17;
    /// `clearToken`.
    pub const CLEAR_TOKEN: u32 = 18;
    /// `authorized`.
    pub const AUTHORIZED: u32 = 19;
    /// `showTerms`.
    pub const SHOW_TERMS: u32 = 20;
    /// `startSession`.
    pub const START_SESSION: u32 = 21;
    /// `stopSession`.
    pub const STOP_SESSION: u32 = 22;
}

/// Records where the script came from (the default `ws`); called before queued calls replay.
/// Returns whether the page asks for `data-presence="on"`: the loader then creates a visitor and
/// calls `presence()` once the DOM is loaded.
#[wasm_bindgen]
pub fn start(script_url: &str) -> bool {
    page::with(|p| p.shared.script = script_url.into());
    read_config(None).presence == PresenceMode::On
}

/// `new GLANCE.Presence.Agent(params)` (`kind` 0) or `Visitor(params)` (1) for page object `id`;
/// `params`: JSON text. Does no I/O.
#[wasm_bindgen]
pub fn create(kind: u32, id: Target, params: &str) {
    let params = Json::parse(params);
    let config = read_config(params.as_ref());
    page::with(|p| {
        p.shared.tokens.configure(&config);
        let endpoint = endpoint(&config, &p.shared.script);
        if kind == 1 && endpoint.is_ok() {
            p.shared.active = id;
        }
        let mut conn = Conn::new(id, kind == 0, endpoint);
        if VisitorId::valid(&config.visitorid) {
            conn.visitor.clone_from(&config.visitorid);
        }
        conn.nokeepalive = config.nokeepalive;
        if kind == 1 {
            conn.token.clone_from(&config.guesttoken);
            conn.user = config.user.clone();
            conn.hidden = read(Read::Visibility, "").as_deref() == Some("hidden");
        }
        p.objects.push(conn);
    });
}

/// Method `name` (see [`method`]) of page object `id` (0: the static `GLANCE.Authorization` and
/// `GLANCE.Cobrowse` functions) with the JSON array `args` (empty: JSON could not carry them) and
/// the options `opts` the host holds for the call's callbacks (0: none). A method with a result
/// hands it to [`crate::host::result`] as JSON text before returning (none: `undefined`).
#[wasm_bindgen]
pub fn call(id: Target, name: u32, args: &str, opts: Target) {
    let args = match Json::parse(args) {
        Some(Json::Array(args)) => Some(args),
        _ => None,
    };
    let args = args.as_deref();
    // Read before the page's state is borrowed: reading `GLANCE_COBROWSE` can run page code.
    let config = read_config(None);
    let result = page::with(|p| {
        let Page { objects, shared } = p;
        if id == 0 {
            if name >= method::SHOW_TERMS {
                let conn = objects.iter_mut().find(|c| c.id == shared.active);
                cobrowse::call(conn, shared, name, args.and_then(|a| a.first()));
                return None;
            }
            return auth::call(shared, config, name, args, opts);
        }
        let conn = objects.iter_mut().find(|c| c.id == id)?;
        let first = args.and_then(|a| a.first());
        match (name, &conn.endpoint) {
            (method::ISCONNECTED, _) => {
                return Some(if conn.is_open() { "true" } else { "false" }.into())
            }
            (method::DISCONNECT, endpoint) => {
                // A `connectUnique` on its way goes no further (a reply that comes anyway is
                // dropped: the epoch moved).
                conn.epoch = conn.epoch.wrapping_add(1);
                while let Some(unique) = shared
                    .routes
                    .iter()
                    .find(|r| r.owner == id && r.is_unique())
                {
                    let unique = unique.id;
                    shared.release(unique);
                }
                if endpoint.is_ok() {
                    conn.stop(shared);
                    conn.fail_pending(shared);
                }
            }
            // Every other call of an object without a valid configuration says why.
            (_, Err(message)) if !conn.agent || name <= method::SET_VISITOR_ID => {
                let message = message.clone();
                visitor::invalid(conn, shared, &message)
            }
            (method::SET_VISITOR_ID, _) => match first.and_then(visitor::value_text) {
                Some(id) if VisitorId::valid(&id) => conn.set_visitor(shared, &id, ""),
                _ => visitor::invalid(conn, shared, &ValidationError::VisitorId.message()),
            },
            _ if conn.agent => agent::call(conn, shared, name, args, opts),
            _ => visitor::call(conn, shared, name, args),
        }
        None
    });
    flush();
    if let Some(result) = result {
        crate::host::result(&result);
    }
}

/// A report of the host: `kind` (see [`kind`]) of happening on resource `id`, with a number and
/// text.
#[wasm_bindgen]
pub fn ev(kind: u32, id: u32, number: f64, text: &str) {
    page::with(|p| {
        let Page { objects, shared } = p;
        match kind {
            kind::COLLECTED => collected(objects, shared, id),
            kind::WINDOW => {
                for conn in objects.iter_mut().filter(|c| c.listening()) {
                    visitor::window(conn, shared, number as u32);
                }
            }
            kind::DIALOG if id == DIALOG_ID => cobrowse::respond(objects, shared, number != 0.0),
            _ => resource(objects, shared, kind, id, number, text),
        }
    });
    flush();
}

/// A report about resource `id`.
fn resource(objects: &mut [Conn], sh: &mut Shared, kind: u32, id: u32, number: f64, text: &str) {
    let Some(route) = sh.routes.iter().find(|r| r.id == id) else {
        return;
    };
    let (owner, attempt) = match route.what {
        What::Socket(attempt) => (route.owner, attempt),
        _ => (route.owner, 0),
    };
    let Some(conn) = objects.iter_mut().find(|c| c.id == owner) else {
        // Its object is gone: only the page's own requests (authorize) are still wanted.
        if let Some(What::Authorize(opts, group, minutes)) = sh.take(id).map(|r| r.what) {
            auth::authorized(sh, opts, group, minutes, number as u16, text);
        }
        return;
    };
    // A socket stays registered until it closes; everything else happens once.
    if kind == kind::OPENED {
        return conn.opened(sh, attempt);
    }
    if kind == kind::MESSAGE {
        return crate::incoming::frame(conn, sh, text);
    }
    let what = sh.take(id).map(|r| r.what);
    match (kind, what) {
        (kind::CLOSED, _) => {
            conn.closed(sh, number as u16);
        }
        (_, Some(What::Timer(timer))) => conn.timer(sh, timer),
        (_, Some(What::Later(next))) => {
            let resolving = matches!(next, Next::Resolve(_));
            let request = resolve::start(conn, sh, next);
            if resolving {
                conn.request = request;
            }
        }
        (_, Some(what @ (What::Settings(_) | What::Request(_)))) => {
            resolve::reply(conn, sh, what, number as u16, text)
        }
        _ => {}
    }
}

/// Page object `id` was collected: its connection goes, with everything it holds.
fn collected(objects: &mut Vec<Conn>, sh: &mut Shared, id: Target) {
    let Some(index) = objects.iter().position(|c| c.id == id) else {
        return;
    };
    let mut conn = objects.swap_remove(index);
    conn.stop(sh);
    while let Some(pending) = conn.pending.pop() {
        sh.release(pending.timer);
        sh.outbox.push(page::Effect::Emit(
            pending.opts,
            String::new(),
            "[]".into(),
            true,
        ));
    }
    while let Some(route) = sh.routes.iter().find(|r| r.owner == id).map(|r| r.id) {
        sh.release(route);
    }
    if sh.active == id {
        sh.active = 0;
    }
}
