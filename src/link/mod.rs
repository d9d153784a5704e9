//! One page object's connection, for both roles: resolve the host, open the socket, say `connect`,
//! keep alive, queue while down, reconnect with backoff, stop for good.
//!
//! ```text
//!          start            resolved(ok)         opened            connected
//!  Idle ──────────▶ Resolving ─────────▶ Opening ──────▶ Handshaking ─────────▶ Open
//!   ▲                   │ retryable error            │ closed / handshake timeout │ closed
//!   │ stop              ▼                            ▼                            ▼
//!   └──────────────── Waiting ◀──────────────────────┴────────────────────────────┘
//!                       │ Retry timer, `online`, visible
//!                       └──────────────▶ Resolving (next attempt)
//! ```
//!
//! Every attempt has a number; results of older attempts (a slow resolve, a socket closed by us)
//! are ignored. The effects go straight to the host (sockets, timers, requests) or, when they run
//! page code, to the page's outbox ([`crate::page`]); the native tests run it against the
//! recording host of `host_fake.rs`.
//!
//! Here: the connection's state and what the page wants of it (start, stop, sleep, wake). The
//! steps of an attempt and the timers are in `attempt.rs`, frames out in `queue.rs`, what the
//! state means for the page (listeners, holding the object, failures reported) in `report.rs`.

use crate::backoff::{Backoff, Jitter};
use crate::host;
use crate::page::{Shared, Target, Timer, What};
use crate::presence::PresenceMap;
use crate::resolve::{Endpoint, Next};

mod attempt;
mod queue;
mod report;

pub use queue::{Slot, QUEUE_CAPACITY, TOO_LARGE};

/// How long the server has to answer `connect` before the attempt counts as failed.
pub const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;
/// The longest keepalive interval taken from `connected`, in seconds (a day: a timer takes at
/// most 2^31 - 1 ms).
const MAX_KEEPALIVE_S: u32 = 86_400;

/// What the page wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No connection (never asked, or `disconnect()`, or refused).
    Off,
    /// Stay connected.
    On,
    /// Closed on purpose while the page is hidden; reconnect when it becomes visible.
    Dormant,
}

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing in flight.
    Idle,
    /// Waiting for the resolve step of this attempt.
    Resolving(u32),
    /// Waiting for the socket of this attempt to open.
    Opening(u32),
    /// `connect` sent, waiting for `connected`.
    Handshaking,
    /// Connected.
    Open,
    /// Waiting for the Retry timer.
    Waiting,
}

/// A signal of an agent waiting for its outcome.
#[derive(Debug)]
pub struct Pending {
    /// Its id (the frame's `id` over the socket).
    pub id: u32,
    /// The call's options (`onsuccess`, `onfail`).
    pub opts: Target,
    /// Its ack timer; 0 when it went over REST.
    pub timer: u32,
}

/// The connection of one `GLANCE.Presence.Agent` or `Visitor`.
#[derive(Debug)]
pub struct Conn {
    /// The page object (as the host holds it).
    pub id: Target,
    /// Agent (`true`) or visitor; read through [`Conn::agent`].
    agent: bool,
    /// Where requests go; `Err` (the message) when the configuration has no valid group or
    /// service: every call then fails with `invalidparameter`.
    pub endpoint: Result<Endpoint, String>,
    /// The visitor id (for an agent: the visitor watched); empty until there is one.
    pub visitor: String,
    /// A unique visitor's guest token; for an agent, the token the last resolve step used (empty:
    /// none).
    pub token: String,
    /// Do not send keepalives.
    pub nokeepalive: bool,
    /// `user-*` presence fields (visitors).
    pub user: PresenceMap,
    pub(crate) mode: Mode,
    pub(crate) phase: Phase,
    attempt: u32,
    backoff: Backoff,
    queue: Vec<(Slot, String)>,
    keepalive_ms: u32,
    /// Host named by a `redirect`, used by the next attempt instead of resolving.
    redirect: Option<String>,
    /// A connfail was reported to the page since the last `connected`.
    reported_outage: bool,
    /// The attempt whose refusal the server explained with an `error` frame (+1; 0: none).
    reported_refusal: u32,
    listening: bool,
    held: bool,
    socket: u32,
    /// The resolve step's request (or the microtask that starts it).
    pub(crate) request: u32,
    timers: [u32; 4],
    // --- visitors ---
    /// The last presence frame sent, sent again after a reconnect.
    pub(crate) last_presence: Option<String>,
    /// The document is hidden.
    pub(crate) hidden: bool,
    /// This connection believes it has focus (no `blur` since its last activity).
    pub(crate) focused: bool,
    /// The built-in terms dialog is used.
    pub(crate) default_ui: bool,
    /// Between `pagehide` and `pageshow`.
    pub(crate) page_hidden: bool,
    /// Counts `disconnect()` calls: a `/uniquevisitor` reply that arrives after one is dropped.
    pub(crate) epoch: u32,
    // --- agents ---
    /// Signals waiting for their outcome.
    pub(crate) pending: Vec<Pending>,
    pub(crate) next_signal: u32,
    /// A 503 was seen: no further requests.
    pub(crate) unavailable: bool,
}

impl Conn {
    /// Whether this is an agent's connection. Never in the visitor-only build (`cfg!`), so that
    /// the compiler drops the agent's paths (tokens, `/findvisitor`, acks) from it.
    pub fn agent(&self) -> bool {
        cfg!(feature = "full") && self.agent
    }

    /// A connection that has done nothing yet.
    pub fn new(id: Target, agent: bool, endpoint: Result<Endpoint, String>) -> Self {
        Self {
            id,
            agent,
            endpoint,
            visitor: String::new(),
            token: String::new(),
            nokeepalive: false,
            user: PresenceMap::new(),
            mode: Mode::Off,
            phase: Phase::Idle,
            attempt: 0,
            backoff: Backoff::new(Jitter::new(
                (host::random() * 9_007_199_254_740_992.0) as u64,
            )),
            queue: Vec::new(),
            keepalive_ms: 0,
            redirect: None,
            reported_outage: false,
            reported_refusal: 0,
            listening: false,
            held: false,
            socket: 0,
            request: 0,
            timers: [0; 4],
            last_presence: None,
            hidden: false,
            focused: true,
            default_ui: true,
            page_hidden: false,
            epoch: 0,
            pending: Vec::new(),
            next_signal: 1,
            unavailable: false,
        }
    }

    /// Whether the connection follows window events (it is active).
    pub fn listening(&self) -> bool {
        self.listening
    }

    /// Connected and answered.
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Connects unless already on its way (a no-op while connecting, connected or backing off).
    pub fn start(&mut self, sh: &mut Shared) {
        if self.mode == Mode::On && self.phase != Phase::Idle {
            return;
        }
        self.mode = Mode::On;
        self.listen(sh, true);
        self.begin(sh);
    }

    /// Drops the current attempt or socket and starts a new attempt at once (new visitor id,
    /// `scaledown`, `redirect`). Does nothing unless the page wants a connection.
    pub fn restart(&mut self, sh: &mut Shared) {
        if self.mode == Mode::On {
            self.drop_connection(sh);
            self.begin(sh);
        }
    }

    /// `disconnect()`: close, stop every timer and listener, forget queued frames.
    pub fn stop(&mut self, sh: &mut Shared) {
        self.mode = Mode::Off;
        self.drop_connection(sh);
        self.queue.clear();
        self.redirect = None;
        self.set_timer(sh, Timer::Hidden, None);
        self.listen(sh, false);
    }

    /// Closes while the page is hidden; [`Conn::wake`] reconnects. Listeners stay.
    pub fn sleep(&mut self, sh: &mut Shared) {
        if self.mode == Mode::On {
            self.mode = Mode::Dormant;
            self.drop_connection(sh);
        }
    }

    /// Reconnects a dormant connection, or skips the backoff wait of a waiting one.
    pub fn wake(&mut self, sh: &mut Shared) {
        if self.mode == Mode::Dormant {
            self.mode = Mode::On;
            self.begin(sh);
        } else if self.mode == Mode::On && self.phase == Phase::Waiting {
            self.set_timer(sh, Timer::Retry, None);
            self.begin(sh);
        }
    }

    /// `online`: a waiting connection tries at once.
    pub fn online(&mut self, sh: &mut Shared) {
        if self.mode == Mode::On && self.phase == Phase::Waiting {
            self.set_timer(sh, Timer::Retry, None);
            self.begin(sh);
        }
    }

    /// Switches visitor (reconnecting if connected). A unique id comes with its guest token;
    /// otherwise a token of the previous visitor goes with it.
    pub fn set_visitor(&mut self, sh: &mut Shared, id: &str, token: &str) {
        let changed = self.visitor != id;
        if !token.is_empty() || changed {
            self.token = token.into();
        }
        if changed {
            self.visitor = id.into();
            self.fail_pending(sh);
            self.restart(sh);
        }
    }

    /// A `redirect`: reconnect now, to `host`.
    pub fn redirect(&mut self, sh: &mut Shared, host: String) {
        self.redirect = Some(host);
        self.restart(sh);
    }

    fn begin(&mut self, sh: &mut Shared) {
        self.attempt = self.attempt.wrapping_add(1);
        let attempt = self.attempt;
        match self.redirect.take() {
            Some(host) => self.open(sh, attempt, &host),
            None => {
                // From a microtask, like every request: no page callback runs inside the API call
                // that started it.
                self.phase = Phase::Resolving(attempt);
                let id = sh.route(self.id, What::Later(Next::Resolve(attempt)));
                host::microtask(id);
                self.request = id;
            }
        }
    }

    fn schedule_retry(&mut self, sh: &mut Shared) {
        self.phase = Phase::Waiting;
        let delay = self.backoff.next_delay_ms();
        self.set_timer(sh, Timer::Retry, Some(delay));
    }

    /// Closes whatever is in flight and clears the connection's timers; phase becomes Idle.
    fn drop_connection(&mut self, sh: &mut Shared) {
        let (socket, request) = (
            core::mem::take(&mut self.socket),
            core::mem::take(&mut self.request),
        );
        sh.release(socket);
        sh.release(request);
        self.set_timer(sh, Timer::Retry, None);
        self.set_timer(sh, Timer::Keepalive, None);
        self.set_timer(sh, Timer::Handshake, None);
        self.phase = Phase::Idle;
    }
}

/// Removes and returns the first of `items` that `matches` accepts, keeping the order of the rest.
pub fn take_first<T>(items: &mut Vec<T>, matches: impl Fn(&T) -> bool) -> Option<T> {
    let index = items.iter().position(matches)?;
    Some(items.remove(index))
}
