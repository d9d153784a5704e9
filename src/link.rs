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
//! page code, to the page's outbox ([`crate::page`]); the native tests run this file against the
//! recording host of `host_fake.rs`.

use crate::agent;
use crate::backoff::{Backoff, Jitter};
use crate::failure::{close_meaning, CloseMeaning, FailCode, ResolveError};
use crate::frames;
use crate::host;
use crate::list;
use crate::page::{Shared, Target, Timer, What};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::presence::PresenceMap;
use crate::resolve::{Endpoint, Next};
use glance_protocol::MAX_FRAME_BYTES;

/// How long the server has to answer `connect` before the attempt counts as failed.
pub const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;
/// Frames kept while the socket is down; the oldest go first.
pub const QUEUE_CAPACITY: usize = 64;
/// Why a frame is refused before it is sent.
pub const TOO_LARGE: &str = "the frame is larger than 64 KiB";
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

/// The queue slot of a frame: a newer frame of the same slot replaces a queued one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Any other frame.
    None,
    /// `presence`: the latest presence replaces older ones.
    Presence,
    /// `visibility`.
    Visibility,
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
    /// Agent (`true`) or visitor.
    pub agent: bool,
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

    /// The resolve step of `attempt` finished with the socket host, or failed.
    pub fn resolved(
        &mut self,
        sh: &mut Shared,
        attempt: u32,
        result: Result<String, ResolveError>,
    ) {
        if self.phase != Phase::Resolving(attempt) {
            return;
        }
        self.request = 0;
        match result {
            Ok(host) => self.open(sh, attempt, &host),
            Err(e) if e.is_retryable() || (!self.agent && e == ResolveError::Unavailable) => {
                self.report(sh, e.detail(), false);
                self.schedule_retry(sh);
            }
            Err(e) => {
                if self.agent && e == ResolveError::Unavailable {
                    self.unavailable = true;
                }
                self.report(sh, e.detail(), true);
                if e == ResolveError::Authorization {
                    self.clear_token(sh);
                }
                self.stop(sh);
                self.fail_pending(sh);
            }
        }
    }

    /// Opens the role's socket at `host` for `attempt`.
    fn open(&mut self, sh: &mut Shared, attempt: u32, host: &str) {
        self.phase = Phase::Opening(attempt);
        let Ok(endpoint) = &self.endpoint else { return };
        let path = if self.agent { "/agent" } else { "/visitorws" };
        let url = endpoint.service.with_host(host).ws_url(path);
        let id = sh.route(self.id, What::Socket(attempt));
        if host::ws_open(id, &url) {
            self.socket = id;
        } else {
            // The URL was refused: a failed connection (retried with backoff).
            sh.take(id);
            self.closed(sh, 1006);
        }
    }

    /// The socket of `attempt` opened: send `connect`.
    pub fn opened(&mut self, sh: &mut Shared, attempt: u32) {
        if self.phase != Phase::Opening(attempt) {
            return;
        }
        let Ok(endpoint) = &self.endpoint else { return };
        if self.agent {
            // The token the page holds now (a `redirect` skips the resolve step that reads it).
            self.token = sh.tokens.token().unwrap_or_default();
        }
        let hello = frames::connect(endpoint.group, &self.visitor, &self.token, self.agent);
        self.phase = Phase::Handshaking;
        self.write(sh, &hello);
        self.set_timer(sh, Timer::Handshake, Some(HANDSHAKE_TIMEOUT_MS));
    }

    /// The server answered `connect`: flush the queue and start keepalives. False (nothing
    /// done) unless a `connect` was waiting for its answer.
    pub fn connected(&mut self, sh: &mut Shared, keepalive_s: u32) -> bool {
        if self.phase != Phase::Handshaking {
            return false;
        }
        self.phase = Phase::Open;
        self.backoff.reset();
        self.reported_outage = false;
        self.reported_refusal = 0;
        self.set_timer(sh, Timer::Handshake, None);
        self.keepalive_ms = if self.nokeepalive {
            0
        } else {
            keepalive_s.min(MAX_KEEPALIVE_S) * 1000
        };
        self.set_timer(sh, Timer::Keepalive, Some(self.keepalive_ms));
        while let Some((_, frame)) = list::take_at(&mut self.queue, 0) {
            self.write(sh, &frame);
        }
        true
    }

    /// The server explained a refusal with an `error` frame (already dispatched).
    pub fn refusal_reported(&mut self) {
        self.reported_refusal = self.attempt.wrapping_add(1);
        self.reported_outage = true;
    }

    /// The socket closed (or failed). Returns true if it was open.
    pub fn closed(&mut self, sh: &mut Shared, code: u16) -> bool {
        let was_open = self.phase == Phase::Open;
        if !matches!(
            self.phase,
            Phase::Opening(_) | Phase::Handshaking | Phase::Open
        ) {
            return false;
        }
        self.phase = Phase::Idle;
        self.socket = 0;
        self.set_timer(sh, Timer::Keepalive, None);
        self.set_timer(sh, Timer::Handshake, None);
        match close_meaning(code) {
            CloseMeaning::Retry => {
                // Losing an established connection is not a connection *failure*: the page hears
                // about it only if reconnecting fails.
                if !was_open {
                    self.report(sh, "connection", false);
                }
                if self.mode == Mode::On {
                    self.schedule_retry(sh);
                }
            }
            CloseMeaning::Refused(detail) => {
                self.report(sh, detail, true);
                if detail == "authorization" {
                    self.clear_token(sh);
                }
                self.stop(sh);
            }
        }
        self.fail_pending(sh);
        was_open
    }

    /// A timer fired (its id is already forgotten).
    pub fn timer(&mut self, sh: &mut Shared, timer: Timer) {
        match timer {
            Timer::Retry => self.timers[0] = 0,
            Timer::Keepalive => self.timers[1] = 0,
            Timer::Handshake => self.timers[2] = 0,
            Timer::Hidden => self.timers[3] = 0,
            Timer::Ack(id) => return agent::ack_overdue(self, sh, id),
        }
        match timer {
            Timer::Retry if self.phase == Phase::Waiting && self.mode == Mode::On => self.begin(sh),
            Timer::Keepalive if self.phase == Phase::Open => {
                self.write(sh, &frames::keepalive());
                self.set_timer(sh, Timer::Keepalive, Some(self.keepalive_ms));
            }
            Timer::Handshake if self.phase == Phase::Handshaking => {
                let socket = core::mem::take(&mut self.socket);
                sh.release(socket);
                self.closed(sh, 1006);
            }
            Timer::Hidden if self.hidden => self.sleep(sh),
            _ => {}
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

    /// Sends `frame` now if open, else queues it (replacing a queued frame of the same `slot`):
    /// also when the socket is closing and its close has not been reported yet. A frame larger
    /// than the server takes is refused with `onerror` (invalidparameter).
    pub fn send(&mut self, sh: &mut Shared, slot: Slot, frame: String) {
        if frame.len() > MAX_FRAME_BYTES {
            return sh.error(self.id, "invalidparameter", TOO_LARGE);
        }
        if self.phase == Phase::Open && host::ws_send(self.socket, &frame) {
            return;
        }
        if slot != Slot::None {
            list::take_first(&mut self.queue, |(s, _)| *s == slot);
        }
        if self.queue.len() >= QUEUE_CAPACITY {
            list::take_at(&mut self.queue, 0);
            sh.warn("send queue full: dropped the oldest frame");
        }
        self.queue.push((slot, frame));
    }

    /// Whether a frame of `slot` is waiting.
    pub fn has_queued(&self, slot: Slot) -> bool {
        self.queue.iter().any(|(s, _)| *s == slot)
    }

    /// Frames waiting for the socket.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Writes a frame on the open socket.
    pub fn write(&mut self, sh: &mut Shared, frame: &str) {
        if !host::ws_send(self.socket, frame) {
            sh.warn("frame not sent: the socket is not open");
        }
    }

    /// Arms (`Some(ms)`, not 0) or clears a connection timer.
    pub fn set_timer(&mut self, sh: &mut Shared, timer: Timer, ms: Option<u32>) {
        let slot = match timer {
            Timer::Retry => 0,
            Timer::Keepalive => 1,
            Timer::Handshake => 2,
            Timer::Hidden => 3,
            Timer::Ack(_) => return,
        };
        let old = core::mem::take(&mut self.timers[slot]);
        sh.release(old);
        if let Some(ms) = ms.filter(|ms| *ms > 0) {
            self.timers[slot] = sh.timer(self.id, timer, ms);
        }
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

    /// Window listeners on or off: the connection became active or idle.
    fn listen(&mut self, sh: &mut Shared, on: bool) {
        if self.listening != on {
            self.listening = on;
            sh.listen(on);
            self.update_hold();
        }
    }

    /// Holds the page's object strongly while the connection is active or a signal waits for its
    /// outcome; weakly otherwise, so that a disconnected object the page drops is collected
    /// (its core is then freed, see [`crate::exports::ev`]). A connected one stays alive the way
    /// a `WebSocket` keeps its handlers alive.
    pub fn update_hold(&mut self) {
        let strong = self.listening || !self.pending.is_empty();
        if self.held != strong {
            self.held = strong;
            host::hold(self.id, strong);
        }
    }

    /// Tells the page about a connection failure: once per outage, and always for a refusal the
    /// server did not already explain.
    fn report(&mut self, sh: &mut Shared, detail: &str, refusal: bool) {
        let already = if refusal {
            self.reported_refusal == self.attempt.wrapping_add(1)
        } else {
            self.reported_outage
        };
        if !already {
            self.reported_outage = true;
            sh.connfail(self.id, detail);
        }
    }

    /// A 401/403 from the presence service: the agent's token goes, unless the page already holds
    /// another one than the one refused. (A visitor's guest token is not the agent's.)
    fn clear_token(&mut self, sh: &mut Shared) {
        if self.agent {
            sh.tokens.clear_if_current(
                Some(&self.token)
                    .filter(|t| !t.is_empty())
                    .map(|t| t.as_str()),
            );
        }
    }

    /// Fails every socket signal waiting for an ack (the socket that carried them is gone).
    pub fn fail_pending(&mut self, sh: &mut Shared) {
        while let Some(p) = list::take_first(&mut self.pending, |p| p.timer != 0) {
            sh.release(p.timer);
            sh.settle(p.opts, Err(FailCode::Connection));
        }
        self.update_hold();
    }
}
