//! Everything that comes into the state machine: start-up, object construction, method calls
//! (from the exported classes of `src/shell/`), and what the browser shell reports about its
//! sockets, timers, requests, the window and the terms dialog.
//!
//! Each entry does its step with the page's state borrowed, then runs the page calls the step
//! queued (see [`crate::page`]).

use crate::config::{endpoint, read_config, PresenceMode};
use crate::host::{page as read, Read};
use crate::link::Conn;
use crate::method::Method;
use crate::page::{self, flush, Page, Shared, Target, What};
use crate::resolve::Next;
use crate::value::Value;
use crate::{agent, auth, cobrowse, resolve, visitor};
use glance_protocol::{ValidationError, VisitorId};

/// Which object a [`create`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `GLANCE.Presence.Agent`.
    Agent,
    /// `GLANCE.Presence.Visitor`.
    Visitor,
}

/// What happened to a resource of the browser shell (a socket, timer, request), to the window,
/// or to the terms dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A socket opened.
    Opened,
    /// A socket frame, as text (binary frames decoded as UTF-8).
    Message(String),
    /// A socket closed with this code.
    Closed(u16),
    /// A timer or microtask ran.
    Timer,
    /// A request was answered: the status (0 for none) and the body.
    Reply(u16, String),
}

/// A window or document event the active connections follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowEvent {
    /// `online`.
    Online,
    /// `focus`.
    Focus,
    /// `pagehide`.
    PageHide,
    /// `pageshow`.
    PageShow,
    /// `visibilitychange`.
    VisibilityChange,
}

/// Records where the script came from (the default `ws`); called before queued calls replay.
/// Returns whether the page asks for `data-presence="on"`: the loader then creates a visitor and
/// calls `presence()` once the DOM is loaded.
pub fn boot(script_url: &str) -> bool {
    page::with(|p| p.shared.script = script_url.into());
    read_config(None).presence == PresenceMode::On
}

/// `new GLANCE.Presence.Agent(params)` or `Visitor(params)` for page object `id` (`params`:
/// `None` when JSON cannot carry them). Does no I/O.
pub fn create(role: Role, id: Target, params: Option<Value>) {
    let config = read_config(params.as_ref());
    page::with(|p| {
        p.shared.tokens.configure(&config);
        let endpoint = endpoint(&config, &p.shared.script);
        if role == Role::Visitor && endpoint.is_ok() {
            p.shared.active = id;
        }
        let mut conn = Conn::new(id, role == Role::Agent, endpoint);
        if VisitorId::valid(&config.visitorid) {
            conn.visitor.clone_from(&config.visitorid);
        }
        conn.nokeepalive = config.nokeepalive;
        if role == Role::Visitor {
            conn.token.clone_from(&config.guesttoken);
            conn.user = config.user.clone();
            conn.hidden = read(Read::Visibility, "").as_deref() == Some("hidden");
        }
        p.objects.push(conn);
    });
}

/// Method `name` of page object `id` (0: the static `GLANCE.Authorization` and `GLANCE.Cobrowse`
/// functions) with the page's arguments (`None`: JSON could not carry them) and the options
/// `opts` the shell holds for the call's callbacks (0: none). Returns what the method returns
/// (`None`: `undefined`).
pub fn call(id: Target, name: Method, args: Option<Vec<Value>>, opts: Target) -> Option<Value> {
    let args = args.as_deref();
    // Read before the page's state is borrowed: reading `GLANCE_COBROWSE` can run page code.
    let config = read_config(None);
    let result = page::with(|p| {
        let Page { objects, shared } = p;
        if id == 0 {
            if name >= Method::ShowTerms {
                let conn = objects.iter_mut().find(|c| c.id == shared.active);
                cobrowse::call(conn, shared, name, args.and_then(|a| a.first()));
                return None;
            }
            // The visitor-only build has no `GLANCE.Authorization` (`cfg!`: compiled, then
            // dropped as dead code, with everything only it reaches).
            if !cfg!(feature = "full") {
                return None;
            }
            return auth::call(shared, config, name, args, opts);
        }
        let conn = objects.iter_mut().find(|c| c.id == id)?;
        let first = args.and_then(|a| a.first());
        match (name, &conn.endpoint) {
            (Method::IsConnected, _) => return Some(Value::Bool(conn.is_open())),
            (Method::Disconnect, endpoint) => {
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
            (_, Err(message)) if !conn.agent() || name <= Method::SetVisitorId => {
                let message = message.clone();
                visitor::invalid(conn, shared, &message)
            }
            (Method::SetVisitorId, _) => match first.and_then(visitor::value_text) {
                Some(id) if VisitorId::valid(&id) => conn.set_visitor(shared, &id, ""),
                _ => visitor::invalid(conn, shared, &ValidationError::VisitorId.message()),
            },
            _ if conn.agent() => agent::call(conn, shared, name, args, opts),
            _ => visitor::call(conn, shared, name, args),
        }
        None
    });
    flush();
    result
}

/// What happened to resource `id` of the shell.
pub fn report(id: u32, report: Report) {
    page::with(|p| resource(&mut p.objects, &mut p.shared, id, report));
    flush();
}

/// A window or document event.
pub fn window(event: WindowEvent) {
    page::with(|p| {
        for conn in p.objects.iter_mut().filter(|c| c.listening()) {
            visitor::window(conn, &mut p.shared, event);
        }
    });
    flush();
}

/// The terms dialog closed: Accept (`true`) or Decline / Escape.
pub fn dialog_closed(accepted: bool) {
    page::with(|p| cobrowse::respond(&mut p.objects, &mut p.shared, accepted));
    flush();
}

/// Page object `id` was garbage-collected (or freed): its connection goes, with everything it
/// holds.
pub fn collected(id: Target) {
    page::with(|p| drop_object(&mut p.objects, &mut p.shared, id));
    flush();
}

/// A report about resource `id`.
fn resource(objects: &mut [Conn], sh: &mut Shared, id: u32, report: Report) {
    let Some(route) = sh.routes.iter().find(|r| r.id == id) else {
        return;
    };
    let (owner, attempt) = match route.what {
        What::Socket(attempt) => (route.owner, attempt),
        _ => (route.owner, 0),
    };
    let Some(conn) = objects.iter_mut().find(|c| c.id == owner) else {
        // Its object is gone: only the page's own requests (authorize) are still wanted.
        if let (Some(What::Authorize(opts, group, minutes)), Report::Reply(status, body), true) =
            (sh.take(id).map(|r| r.what), &report, cfg!(feature = "full"))
        {
            auth::authorized(sh, opts, group, minutes, *status, body);
        }
        return;
    };
    // A socket stays registered until it closes; everything else happens once.
    match &report {
        Report::Opened => return conn.opened(sh, attempt),
        Report::Message(text) => return crate::incoming::frame(conn, sh, text),
        _ => {}
    }
    let what = sh.take(id).map(|r| r.what);
    match (report, what) {
        (Report::Closed(code), _) => {
            conn.closed(sh, code);
        }
        (_, Some(What::Timer(timer))) => conn.timer(sh, timer),
        (_, Some(What::Later(next))) => {
            let resolving = matches!(next, Next::Resolve(_));
            let request = resolve::start(conn, sh, next);
            if resolving {
                conn.request = request;
            }
        }
        (Report::Reply(status, body), Some(what @ (What::Settings(_) | What::Request(_)))) => {
            resolve::reply(conn, sh, what, status, &body)
        }
        _ => {}
    }
}

/// Removes page object `id`'s connection, with everything it holds; its call options are
/// forgotten without being called.
fn drop_object(objects: &mut Vec<Conn>, sh: &mut Shared, id: Target) {
    let Some(index) = objects.iter().position(|c| c.id == id) else {
        return;
    };
    let mut conn = objects.swap_remove(index);
    conn.stop(sh);
    while let Some(pending) = conn.pending.pop() {
        sh.release(pending.timer);
        sh.outbox.push_back(page::Effect::Emit(
            pending.opts,
            String::new(),
            Vec::new(),
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
