//! Everything the module holds for one page: the cores of the page's objects, the resources the
//! host keeps for them (by id, with what each is for), caches, and the page calls waiting to run.
//!
//! One owner for all of it, borrowed by each export for the time of one step. Page code (handlers,
//! invoked functions, listeners of the events the module dispatches) never runs inside a borrow:
//! such calls go to the outbox, which the outermost export runs once its step is done (see
//! [`flush`]). A handler that calls back into the API therefore finds the state consistent, and
//! its own page calls run after the ones already waiting, in order.

use crate::auth::Tokens;
use crate::failure::FailCode;
use crate::host;
use crate::link::Conn;
use crate::resolve::{GroupSettings, Next};
use crate::value::Value;
use glance_protocol::join;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

/// A page object or a call's options, as the host holds them.
pub type Target = u32;

/// A one-shot timer of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Backoff before the next attempt.
    Retry,
    /// Send the next keepalive.
    Keepalive,
    /// The server has not answered `connect` in time.
    Handshake,
    /// The visitor has been hidden for the longest allowed time.
    Hidden,
    /// An agent signal's ack is overdue (its pending id).
    Ack(u32),
}

/// What a host resource is for.
#[derive(Debug)]
pub enum What {
    /// The socket of an attempt.
    Socket(u32),
    /// A timer.
    Timer(Timer),
    /// The settings lookup that comes before `Next`.
    Settings(Next),
    /// A request to the presence service.
    Request(Next),
    /// A request started from a microtask (so no page callback runs inside the API call).
    Later(Next),
    /// `GLANCE.Authorization.authorize`'s request: the options, the group, the minutes.
    Authorize(Target, u32, u32),
}

/// A resource and its owner (0: the page).
#[derive(Debug)]
pub struct Route {
    /// The host's id of the resource.
    pub id: u32,
    /// The page object it belongs to.
    pub owner: Target,
    /// What it is for.
    pub what: What,
}

/// A call into page code, run after the current step (see the module docs).
#[derive(Debug)]
pub enum Effect {
    /// `target[handler](...args)`; `last`: the host forgets the target (call options).
    Emit(Target, String, Vec<Value>, bool),
    /// The function at a dotted path from window, with its argument (a warning when there is
    /// none).
    Call(String, Value),
    /// `CustomEvent(name, {detail})` on window.
    Event(&'static str, Value),
    /// Shows the terms dialog with its terms link (`false`: removes it).
    Dialog(bool, String),
    /// A console warning.
    Warn(String),
}

/// The page's state, besides the objects.
#[derive(Default)]
pub struct Shared {
    /// `src` of the script: the default `ws` origin.
    pub script: String,
    /// Host resources.
    pub routes: Vec<Route>,
    /// Settings per (service host, group), asked once per page.
    pub settings: Vec<GroupSettings>,
    /// The agent's tokens in memory.
    pub tokens: Tokens,
    /// The page object of `GLANCE.Presence.Visitor.instance` (0: none).
    pub active: Target,
    /// The key of the session started last (`None`: stopped, or never started).
    pub session: Option<String>,
    /// The open terms dialog: its visitor and session key.
    pub dialog: Option<(Target, String)>,
    /// Connections following window events.
    pub listeners: u32,
    /// Page calls waiting to run.
    pub outbox: VecDeque<Effect>,
}

/// Everything.
#[derive(Default)]
pub struct Page {
    /// The cores of the page's objects.
    pub objects: Vec<Conn>,
    /// The rest.
    pub shared: Shared,
}

impl Route {
    /// A `/uniquevisitor` request, or a step before it.
    pub fn is_unique(&self) -> bool {
        matches!(
            self.what,
            What::Later(Next::Unique { .. })
                | What::Settings(Next::Unique { .. })
                | What::Request(Next::Unique { .. })
        )
    }
}

thread_local! {
    static PAGE: RefCell<Page> = const {
        RefCell::new(Page {
            objects: Vec::new(),
            shared: Shared {
                script: String::new(),
                routes: Vec::new(),
                settings: Vec::new(),
                tokens: Tokens::new(),
                active: 0,
                session: None,
                dialog: None,
                listeners: 0,
                outbox: VecDeque::new(),
            },
        })
    };
}

thread_local! {
    /// The last resource id given out (0 is the dialog's).
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

thread_local! {
    /// An export is running its outbox.
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the page's state.
pub fn with<R>(f: impl FnOnce(&mut Page) -> R) -> R {
    // Never re-entered: page code, the only way back in, runs from the outbox with nothing
    // borrowed (see the module docs), so a second borrow is a bug of the module's own.
    PAGE.with(|p| f(&mut p.borrow_mut()))
}

/// Runs `f` with the connection of page object `id` and the shared state, if it exists.
pub fn with_conn<R>(id: Target, f: impl FnOnce(&mut Conn, &mut Shared) -> R) -> Option<R> {
    with(|p| {
        let conn = p.objects.iter_mut().find(|c| c.id == id)?;
        Some(f(conn, &mut p.shared))
    })
}

/// Runs the page calls waiting in the outbox, oldest first, unless an outer export is already
/// doing so. Each runs with nothing borrowed.
pub fn flush() {
    if FLUSHING.with(|f| f.replace(true)) {
        return;
    }
    while let Some(effect) = with(|p| p.shared.outbox.pop_front()) {
        match effect {
            Effect::Emit(target, handler, args, last) => host::emit(target, &handler, &args, last),
            Effect::Call(path, arg) => {
                if !host::call_path(&path, &arg) {
                    host::warn(&join(&[&path, " is not a function"]));
                }
            }
            Effect::Event(name, detail) => host::window_event(name, &detail),
            Effect::Dialog(show, url) => host::dialog(show, &url),
            Effect::Warn(message) => host::warn(&message),
        }
    }
    FLUSHING.with(|f| f.set(false));
}

impl Shared {
    /// Registers a resource of `owner` and returns its id for the host.
    pub fn route(&mut self, owner: Target, what: What) -> u32 {
        let id = NEXT_ID.with(|n| {
            let id = n.get().wrapping_add(1).max(1);
            n.set(id);
            id
        });
        self.routes.push(Route { id, owner, what });
        id
    }

    /// Forgets resource `id` and has the host release it (a socket closes, a request is aborted,
    /// a timer cleared). Nothing is reported for it afterwards. 0 is no resource.
    pub fn release(&mut self, id: u32) {
        if id != 0 {
            self.take(id);
            host::release(id);
        }
    }

    /// Removes the route of `id`.
    pub fn take(&mut self, id: u32) -> Option<Route> {
        let index = self.routes.iter().position(|r| r.id == id)?;
        Some(self.routes.swap_remove(index))
    }

    /// Arms a timer of `owner` for `ms`; returns its id.
    pub fn timer(&mut self, owner: Target, timer: Timer, ms: u32) -> u32 {
        let id = self.route(owner, What::Timer(timer));
        host::timer(id, ms);
        id
    }

    /// Starts `next` from a microtask.
    pub fn later(&mut self, owner: Target, next: Next) {
        let id = self.route(owner, What::Later(next));
        host::microtask(id);
    }

    /// Calls `target[handler](...args)` after this step.
    pub fn emit(&mut self, target: Target, handler: &str, args: &[Value]) {
        self.call_later(target, handler, args, false);
    }

    /// Queues `target[handler](...args)`, the arguments written as a JSON array.
    fn call_later(&mut self, target: Target, handler: &str, args: &[Value], last: bool) {
        self.outbox
            .push_back(Effect::Emit(target, handler.into(), args.to_vec(), last));
    }

    /// `target.onerror({error, detail})`.
    pub fn error(&mut self, target: Target, error: &str, detail: &str) {
        let data = crate::frames::object(&[("error", error), ("detail", detail)]);
        self.emit(target, "onerror", &[data]);
    }

    /// `onerror({error: "connfail", detail})`.
    pub fn connfail(&mut self, target: Target, detail: &str) {
        self.error(target, "connfail", detail);
    }

    /// Calls `opts.onsuccess(value?)` or `opts.onfail(code)` after this step, once: the host
    /// forgets the options afterwards.
    pub fn settle(&mut self, opts: Target, result: Result<Option<Value>, FailCode>) {
        match result {
            Ok(value) => self.call_later(opts, "onsuccess", value.as_slice(), true),
            Err(code) => self.call_later(opts, "onfail", &[Value::str(code.as_str())], true),
        }
    }

    /// A console warning, after this step.
    pub fn warn(&mut self, message: &str) {
        self.outbox.push_back(Effect::Warn(message.into()));
    }

    /// Window listeners on for one more connection (`true`) or one less.
    pub fn listen(&mut self, on: bool) {
        let before = self.listeners;
        self.listeners = if on {
            before + 1
        } else {
            before.saturating_sub(1)
        };
        if (before == 0) != (self.listeners == 0) {
            host::listen(on);
        }
    }
}
