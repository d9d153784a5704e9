//! The shell around one state machine: it owns the socket, timers, listeners and the request in
//! flight, feeds every browser happening to the machine as an input, and carries out the
//! machine's actions.
//!
//! Inputs are processed one at a time from an inbox. An input that arrives while actions are
//! being carried out (a page handler calling back into the API, a socket error raised by `send`)
//! waits in the inbox, so the machine always sees inputs in order and is never borrowed while page
//! code runs. Dropping the connection drops the owners: the socket closes, timers and listeners
//! are removed, the request is aborted.

use crate::core::action::{Action, Command, Event, Input, Machine, RequestId, SignalMessage};
use crate::core::TimerKind;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::core::json::Json;
use crate::web::codec::{args, decode, encode, object, Decoded};
use crate::web::discovery::{self, Endpoint};
use crate::web::http::{later, AbortOnDrop, Done};
use crate::web::listener::{WindowEvent, WindowListener};
use crate::web::page::{dispatch, settle, warn, Target};
use crate::web::socket::{Socket, SocketEvent};
use crate::web::timer::Timeout;
use crate::web::{dom, host, invoke, signal_rest, terms_dialog, token_store};
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use glance_protocol::{TermsData, TermsStatus, VisitorEvent, VisitorId};

/// Which socket and which resolve step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `/presence` then `/visitorws`.
    Visitor,
    /// `/findvisitor` then `/agent`.
    Agent,
}

impl Role {
    fn socket_path(self) -> &'static str {
        match self {
            Self::Visitor => "/visitorws",
            Self::Agent => "/agent",
        }
    }
}

/// The browser resources of one connection. Each field releases its resource on drop.
#[derive(Default)]
struct Owned {
    socket: Option<Socket>,
    timers: Vec<(TimerKind, Timeout)>,
    listener: Option<WindowListener>,
    request: Option<AbortOnDrop>,
}

/// A machine and its browser resources.
pub struct Connection {
    role: Role,
    endpoint: Endpoint,
    /// The page's object (as the host holds it): handlers are read from it at dispatch time.
    page: Target,
    machine: RefCell<Box<dyn Machine<Json>>>,
    owned: RefCell<Owned>,
    /// Inputs not yet handled, oldest first (rarely more than one: a `Vec` is enough).
    inbox: RefCell<Vec<Input<Json>>>,
    busy: Cell<bool>,
    /// The window/document listeners are on: the connection is active.
    active: Cell<bool>,
    /// The options (`{onsuccess, onfail}`, held by the host) of agent signals in flight.
    requests: RefCell<Vec<(RequestId, Target)>>,
    next_request: Cell<RequestId>,
    me: Weak<Self>,
}

impl Connection {
    /// A connection that has done nothing yet. (The machine is boxed so that one copy of the shell
    /// serves both roles: the module's size matters more than a virtual call per input.)
    pub fn new(
        role: Role,
        endpoint: Endpoint,
        page: Target,
        machine: Box<dyn Machine<Json>>,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me| Self {
            role,
            endpoint,
            page,
            machine: RefCell::new(machine),
            owned: RefCell::default(),
            inbox: RefCell::default(),
            busy: Cell::new(false),
            active: Cell::new(false),
            requests: RefCell::default(),
            next_request: Cell::new(1),
            me: me.clone(),
        })
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Reads the machine (never while it is handling an input: that never calls out).
    pub fn inspect<R>(&self, f: impl FnOnce(&dyn Machine<Json>) -> R) -> R {
        f(&**self.machine.borrow())
    }

    /// A page command.
    pub fn command(&self, command: Command<Json>) {
        self.input(Input::Command(command));
    }

    /// Agent: sends `message`, calling `opts.onsuccess()` / `opts.onfail(code)` later.
    pub fn signal(&self, message: SignalMessage<Json>, callbacks: Target) {
        let request = self.next_request.get();
        self.next_request.set(request.wrapping_add(1));
        self.requests.borrow_mut().push((request, callbacks));
        self.update_hold();
        self.command(Command::Signal { request, message });
    }

    /// Feeds an input and carries out the resulting actions (see the module docs for ordering).
    ///
    /// Never inlined: every callback of the connection ends here, and one copy of the loop (and of
    /// `execute`) keeps the module small.
    #[inline(never)]
    pub fn input(&self, input: Input<Json>) {
        self.inbox.borrow_mut().push(input);
        if self.busy.replace(true) {
            return;
        }
        loop {
            let next = {
                let mut inbox = self.inbox.borrow_mut();
                if inbox.is_empty() {
                    break;
                }
                inbox.remove(0)
            };
            let mut actions = Vec::new();
            self.machine.borrow_mut().handle(next, &mut actions);
            for action in actions {
                self.execute(action);
            }
        }
        self.busy.set(false);
    }

    fn event(&self, event: Event<Json>) {
        self.input(Input::Event(event));
    }

    #[inline(never)]
    fn execute(&self, action: Action<Json>) {
        match action {
            Action::Resolve { attempt, visitorid } => self.resolve(attempt, visitorid),
            Action::Open { attempt, host } => self.open(attempt, &host),
            Action::Send(frame) => {
                let sent = match &self.owned.borrow().socket {
                    Some(socket) => socket.send(&encode(&frame)),
                    None => false,
                };
                if !sent {
                    warn("frame not sent: the socket is not open");
                }
            }
            Action::Close => {
                let mut owned = self.owned.borrow_mut();
                owned.socket = None;
                owned.request = None;
            }
            Action::Timer(kind, Some(ms)) => {
                let me = self.me.clone();
                let timer = Timeout::new(
                    ms,
                    Box::new(move || {
                        if let Some(conn) = me.upgrade() {
                            conn.event(Event::Timer(kind));
                        }
                    }),
                );
                let old = self.take_timer(kind);
                self.owned.borrow_mut().timers.push((kind, timer));
                drop(old);
            }
            Action::Timer(kind, None) => {
                let old = self.take_timer(kind);
                drop(old);
            }
            Action::Listen(on) => self.listen(on),
            Action::Dispatch(event) => dispatch(self.page, event),
            Action::Complete { request, result } => {
                let callbacks = {
                    let mut requests = self.requests.borrow_mut();
                    let index = requests.iter().position(|(r, _)| *r == request);
                    index.map(|i| requests.swap_remove(i).1)
                };
                self.update_hold();
                if let Some(callbacks) = callbacks {
                    settle(callbacks, result.map(|()| vec![]));
                }
            }
            Action::RestSignal {
                request,
                visitorid,
                message,
            } => self.rest_signal(request, visitorid, message),
            // A refused guest token (visitors) is not the agent's token.
            Action::ClearToken if self.role == Role::Agent => {
                let failed = self.machine.borrow().auth_token().map(str::to_owned);
                token_store::clear_if_current(failed.as_deref());
            }
            Action::ClearToken => {}
            Action::Invoke(call) => invoke::run(call),
            Action::ShowTermsDialog {
                sessionkey,
                termsurl,
            } => {
                let me = self.me.clone();
                let key = sessionkey.clone();
                terms_dialog::show(
                    termsurl.as_deref(),
                    Box::new(move |accepted| {
                        if let Some(conn) = me.upgrade() {
                            conn.terms_outcome(accepted, &key);
                        }
                    }),
                );
            }
            Action::Log(message) => warn(&message),
        }
    }

    /// Holds the page's object strongly while the connection is active or a signal's callbacks
    /// wait for their outcome.
    ///
    /// The host holds a page object weakly otherwise, so that a disconnected object the page
    /// drops is collected (and its core freed, see [`crate::api::exports::ev`]); a connected one
    /// stays alive the way a `WebSocket` keeps its handlers alive.
    fn update_hold(&self) {
        let pending = !self.requests.borrow().is_empty();
        host::hold(self.page, self.active.get() || pending);
    }

    /// Removes the timer of `kind`; the caller drops it (clearing it) after the borrow ends.
    fn take_timer(&self, kind: TimerKind) -> Option<Timeout> {
        let mut owned = self.owned.borrow_mut();
        let index = owned.timers.iter().position(|(k, _)| *k == kind)?;
        Some(owned.timers.swap_remove(index).1)
    }

    fn resolve(&self, attempt: u32, visitor: VisitorId) {
        let abort = AbortOnDrop::new();
        let signal = abort.signal();
        let previous = self.owned.borrow_mut().request.replace(abort);
        drop(previous);
        let me = self.me.clone();
        later(Box::new(move || {
            let Some(conn) = me.upgrade() else { return };
            let me = conn.me.clone();
            let done: Done<_> = Box::new(move |result| {
                if let Some(conn) = me.upgrade() {
                    conn.event(Event::Resolved { attempt, result });
                }
            });
            match conn.role {
                Role::Visitor => discovery::resolve_visitor(&conn.endpoint, &visitor, signal, done),
                Role::Agent => discovery::resolve_agent(&conn.endpoint, &visitor, signal, done),
            }
        }));
    }

    fn open(&self, attempt: u32, host: &str) {
        let url = self
            .endpoint
            .service
            .with_host(host)
            .ws_url(self.role.socket_path());
        let me = self.me.clone();
        let socket = Socket::open(
            &url,
            Box::new(move |event| {
                let Some(conn) = me.upgrade() else { return };
                match event {
                    SocketEvent::Open => conn.event(Event::Opened { attempt }),
                    SocketEvent::Text(text) => match decode(&text) {
                        Decoded::Frame(frame) => conn.event(Event::Frame(frame)),
                        Decoded::Other { kind, data } => {
                            conn.event(Event::OtherFrame { kind, data })
                        }
                        Decoded::Invalid => warn("ignored a frame of the wrong shape"),
                    },
                    SocketEvent::Closed(code) => conn.event(Event::Closed { code }),
                }
            }),
        );
        let old = match socket {
            Some(socket) => self.owned.borrow_mut().socket.replace(socket),
            None => {
                // The URL was refused: report it like a failed connection (retried with backoff).
                let old = self.owned.borrow_mut().socket.take();
                self.event(Event::Closed { code: 1006 });
                old
            }
        };
        drop(old);
    }

    /// Window and document listeners on or off: the connection became active or idle, which is
    /// also when the page's object is held strongly or weakly (see `update_hold`).
    fn listen(&self, on: bool) {
        self.active.set(on);
        self.update_hold();
        let listener = on.then(|| {
            let me = self.me.clone();
            WindowListener::new(Box::new(move |event| {
                let Some(conn) = me.upgrade() else { return };
                conn.event(match event {
                    WindowEvent::Online => Event::Online,
                    WindowEvent::Focus => Event::WindowFocus,
                    WindowEvent::PageHide => Event::PageHidden(true),
                    WindowEvent::PageShow => Event::PageHidden(false),
                    WindowEvent::VisibilityChange => Event::VisibilityChanged(dom::visibility()),
                });
            }))
        });
        let old = core::mem::replace(&mut self.owned.borrow_mut().listener, listener);
        drop(old);
    }

    fn rest_signal(
        &self,
        request: RequestId,
        visitor: VisitorId,
        message: SignalMessage<Json>,
    ) {
        let (me, endpoint) = (self.me.clone(), self.endpoint.clone());
        later(Box::new(move || {
            signal_rest::send(
                &endpoint,
                &visitor,
                message,
                Box::new(move |result| {
                    if let Some(conn) = me.upgrade() {
                        conn.command(Command::RestSignalDone { request, result });
                    }
                }),
            )
        }));
    }

    /// The built-in terms dialog closed: report it, and start the session on accept.
    fn terms_outcome(&self, accepted: bool, sessionkey: &str) {
        let status = if accepted {
            TermsStatus::Accepted
        } else {
            TermsStatus::Declined
        };
        self.command(Command::Fire(VisitorEvent::Terms(TermsData { status })));
        if accepted {
            let start = args(vec![object(&[("sessionKey", sessionkey)])]);
            if !host::call_path("GLANCE.Cobrowse.Visitor.startSession", &start) {
                warn("GLANCE.Cobrowse.Visitor.startSession is missing");
            }
        }
    }
}

impl Drop for Connection {
    /// The host forgets the options of signals that will never settle.
    fn drop(&mut self) {
        for (_, callbacks) in self.requests.get_mut().drain(..) {
            host::emit(callbacks, "", "[]", true);
        }
    }
}
