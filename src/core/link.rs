//! The connection life cycle both roles share: resolve the host, open the socket, say `connect`,
//! keep alive, queue while down, reconnect with backoff, stop for good.
//!
//! ```text
//!          start            Resolved(ok)         Opened            connected
//!  Idle ──────────▶ Resolving ─────────▶ Opening ──────▶ Handshaking ─────────▶ Open
//!   ▲                   │ retryable error            │ closed / handshake timeout │ closed
//!   │ stop              ▼                            ▼                            ▼
//!   └──────────────── Waiting ◀──────────────────────┴────────────────────────────┘
//!                       │ Retry timer, `online`, visible
//!                       └──────────────▶ Resolving (next attempt)
//! ```
//!
//! Every attempt has a number; results of older attempts (a slow resolve, a socket closed by us)
//! are ignored, so the shell never has to cancel anything for correctness.

use crate::core::action::{Action, EventArg, Frame, PageEvent, Resolved, TimerKind};
use crate::core::backoff::Backoff;
use crate::core::failure::{close_meaning, CloseMeaning, ResolveError};
use crate::core::queue::{SendQueue, Slot};
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{ClientFrame, ErrorCode, ErrorData, VisitorId};

/// How long the server has to answer `connect` before the attempt counts as failed.
pub const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;

pub use crate::core::link_state::{Mode, Phase};

/// The shared connection state.
#[derive(Debug)]
pub struct Link<P> {
    mode: Mode,
    phase: Phase,
    attempt: u32,
    backoff: Backoff,
    queue: SendQueue<Frame<P>>,
    nokeepalive: bool,
    /// Whether a 503 from the resolve step (a draining node) is retried like a network failure
    /// (visitors) or ends the connection (agents: §2.2, no further requests).
    retry_unavailable: bool,
    keepalive_ms: Option<u32>,
    /// Host named by a `redirect`, used by the next attempt instead of resolving.
    redirect: Option<String>,
    /// A connfail was reported to the page since the last `connected`.
    reported_outage: bool,
    /// The attempt whose refusal the server explained with an `error` frame.
    reported_refusal: Option<u32>,
    listening: bool,
}

impl<P> Link<P> {
    /// A link that is off.
    pub fn new(backoff: Backoff, nokeepalive: bool) -> Self {
        Self {
            mode: Mode::Off,
            phase: Phase::Idle,
            attempt: 0,
            backoff,
            queue: SendQueue::default(),
            nokeepalive,
            retry_unavailable: false,
            keepalive_ms: None,
            redirect: None,
            reported_outage: false,
            reported_refusal: None,
            listening: false,
        }
    }

    /// Retries a resolve step answered with 503 (the node is draining; the load balancer sends
    /// the next attempt elsewhere) instead of stopping.
    pub fn retrying_unavailable(mut self) -> Self {
        self.retry_unavailable = true;
        self
    }

    /// Sends no keepalive frames (`nokeepalive`), whatever the server asks.
    pub fn without_keepalive(mut self, off: bool) -> Self {
        self.nokeepalive |= off;
        self
    }

    /// What the page wants.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Where the connection is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Connected and answered.
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Failed attempts since the last successful connect.
    pub fn failures(&self) -> u32 {
        self.backoff.failures()
    }

    /// Frames waiting for the socket.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether a frame of `slot` is waiting.
    pub fn has_queued(&self, slot: Slot) -> bool {
        self.queue.has(slot)
    }

    /// Connects unless already on its way (a no-op while connecting, connected or backing off).
    pub fn start(&mut self, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        if self.mode == Mode::On && self.phase != Phase::Idle {
            return;
        }
        self.mode = Mode::On;
        self.listen(true, out);
        self.begin(visitor, out);
    }

    /// Drops the current attempt or socket and starts a new attempt at once (new visitor id,
    /// `scaledown`, `redirect`). Does nothing unless the page wants a connection.
    pub fn restart(&mut self, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        if self.mode != Mode::On {
            return;
        }
        self.drop_connection(out);
        self.begin(visitor, out);
    }

    /// `disconnect()`: close, stop every timer and listener, forget queued frames.
    pub fn stop(&mut self, out: &mut Vec<Action<P>>) {
        self.mode = Mode::Off;
        self.drop_connection(out);
        self.queue.clear();
        self.redirect = None;
        self.listen(false, out);
    }

    /// Closes while the page is hidden; [`Link::wake`] reconnects. Listeners stay.
    pub fn sleep(&mut self, out: &mut Vec<Action<P>>) {
        if self.mode == Mode::On {
            self.mode = Mode::Dormant;
            self.drop_connection(out);
        }
    }

    /// Reconnects a dormant link, or skips the backoff wait of a waiting one.
    pub fn wake(&mut self, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        match (self.mode, self.phase) {
            (Mode::Dormant, _) => {
                self.mode = Mode::On;
                self.begin(visitor, out);
            }
            (Mode::On, Phase::Waiting) => {
                out.push(Action::Timer(TimerKind::Retry, None));
                self.begin(visitor, out);
            }
            _ => {}
        }
    }

    /// A resolve step finished. Returns the result when it is the current attempt's success.
    pub fn resolved(
        &mut self,
        attempt: u32,
        result: Result<Resolved, ResolveError>,
        out: &mut Vec<Action<P>>,
    ) -> Option<Resolved> {
        if self.phase != Phase::Resolving(attempt) {
            return None;
        }
        match result {
            Ok(resolved) => {
                self.phase = Phase::Opening(attempt);
                out.push(Action::Open {
                    attempt,
                    host: resolved.host.clone(),
                });
                Some(resolved)
            }
            Err(e)
                if e.is_retryable()
                    || (self.retry_unavailable && e == ResolveError::Unavailable) =>
            {
                self.report(e.detail(), false, out);
                self.schedule_retry(out);
                None
            }
            Err(e) => {
                self.report(e.detail(), true, out);
                if e == ResolveError::Authorization {
                    out.push(Action::ClearToken);
                }
                self.stop(out);
                None
            }
        }
    }

    /// The socket of `attempt` opened: send `hello` (the `connect` frame).
    pub fn opened(&mut self, attempt: u32, hello: Frame<P>, out: &mut Vec<Action<P>>) {
        if self.phase != Phase::Opening(attempt) {
            return;
        }
        self.phase = Phase::Handshaking;
        out.push(Action::Send(hello));
        out.push(Action::Timer(
            TimerKind::Handshake,
            Some(HANDSHAKE_TIMEOUT_MS),
        ));
    }

    /// The server answered `connect`: flush the queue and start keepalives.
    pub fn connected(&mut self, keepalive_s: u32, out: &mut Vec<Action<P>>) {
        if self.phase != Phase::Handshaking {
            return;
        }
        self.phase = Phase::Open;
        self.backoff.reset();
        self.reported_outage = false;
        self.reported_refusal = None;
        out.push(Action::Timer(TimerKind::Handshake, None));
        self.keepalive_ms =
            (!self.nokeepalive && keepalive_s > 0).then(|| keepalive_s.saturating_mul(1000));
        if let Some(ms) = self.keepalive_ms {
            out.push(Action::Timer(TimerKind::Keepalive, Some(ms)));
        }
        out.extend(self.queue.drain().map(Action::Send));
    }

    /// The server explained a refusal with an `error` frame (already dispatched by the role).
    pub fn refusal_reported(&mut self) {
        self.reported_refusal = Some(self.attempt);
        self.reported_outage = true;
    }

    /// The socket closed. Returns true if it was open (the role may tell the page).
    pub fn closed(&mut self, code: u16, out: &mut Vec<Action<P>>) -> bool {
        let was_open = self.phase == Phase::Open;
        if !matches!(
            self.phase,
            Phase::Opening(_) | Phase::Handshaking | Phase::Open
        ) {
            return false;
        }
        self.phase = Phase::Idle;
        out.push(Action::Timer(TimerKind::Keepalive, None));
        out.push(Action::Timer(TimerKind::Handshake, None));
        match close_meaning(code) {
            CloseMeaning::Retry => {
                // Losing an established connection is not a connection *failure*: the page hears
                // about it only if reconnecting fails.
                if !was_open {
                    self.report("connection", false, out);
                }
                if self.mode == Mode::On {
                    self.schedule_retry(out);
                }
            }
            CloseMeaning::Refused(detail) => {
                self.report(detail, true, out);
                if detail == "authorization" {
                    out.push(Action::ClearToken);
                }
                self.stop(out);
            }
        }
        was_open
    }

    /// A timer fired.
    pub fn timer(&mut self, kind: TimerKind, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        match kind {
            TimerKind::Retry if self.phase == Phase::Waiting && self.mode == Mode::On => {
                self.begin(visitor, out)
            }
            TimerKind::Keepalive if self.phase == Phase::Open => {
                out.push(Action::Send(ClientFrame::Keepalive));
                if let Some(ms) = self.keepalive_ms {
                    out.push(Action::Timer(TimerKind::Keepalive, Some(ms)));
                }
            }
            TimerKind::Handshake if self.phase == Phase::Handshaking => {
                out.push(Action::Close);
                self.closed(1006, out);
            }
            _ => {}
        }
    }

    /// `online` fired: a waiting link tries at once.
    pub fn online(&mut self, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        if self.mode == Mode::On && self.phase == Phase::Waiting {
            out.push(Action::Timer(TimerKind::Retry, None));
            self.begin(visitor, out);
        }
    }

    /// A `redirect`: reconnect now, to `host`.
    pub fn redirect(&mut self, host: String, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        self.redirect = Some(host);
        self.restart(visitor, out);
    }

    /// Sends `frame` now if open, else queues it (replacing a queued frame of the same `slot`).
    pub fn send(&mut self, slot: Option<Slot>, frame: Frame<P>, out: &mut Vec<Action<P>>) {
        if self.phase == Phase::Open {
            out.push(Action::Send(frame));
        } else if self.queue.push(slot, frame) > 0 {
            out.push(Action::Log(
                "send queue full: dropped the oldest frame".into(),
            ));
        }
    }

    fn begin(&mut self, visitor: &VisitorId, out: &mut Vec<Action<P>>) {
        self.attempt = self.attempt.wrapping_add(1);
        let attempt = self.attempt;
        match self.redirect.take() {
            Some(host) => {
                self.phase = Phase::Opening(attempt);
                out.push(Action::Open { attempt, host });
            }
            None => {
                self.phase = Phase::Resolving(attempt);
                out.push(Action::Resolve {
                    attempt,
                    visitorid: visitor.clone(),
                });
            }
        }
    }

    fn schedule_retry(&mut self, out: &mut Vec<Action<P>>) {
        self.phase = Phase::Waiting;
        out.push(Action::Timer(
            TimerKind::Retry,
            Some(self.backoff.next_delay_ms()),
        ));
    }

    /// Closes whatever is in flight and clears the link's timers; phase becomes Idle.
    fn drop_connection(&mut self, out: &mut Vec<Action<P>>) {
        if self.phase != Phase::Idle {
            out.push(Action::Close);
        }
        for kind in [TimerKind::Retry, TimerKind::Keepalive, TimerKind::Handshake] {
            out.push(Action::Timer(kind, None));
        }
        self.phase = Phase::Idle;
    }

    fn listen(&mut self, on: bool, out: &mut Vec<Action<P>>) {
        if self.listening != on {
            self.listening = on;
            out.push(Action::Listen(on));
        }
    }

    /// Tells the page about a connection failure: once per outage, and always for a refusal the
    /// server did not already explain.
    fn report(&mut self, detail: &'static str, refusal: bool, out: &mut Vec<Action<P>>) {
        let already = if refusal {
            self.reported_refusal == Some(self.attempt)
        } else {
            self.reported_outage
        };
        if already {
            return;
        }
        self.reported_outage = true;
        let error = ErrorData {
            error: ErrorCode::Connfail,
            detail: Some(detail.to_owned()),
        };
        out.push(Action::Dispatch(PageEvent::named(
            "onerror",
            EventArg::Error(error),
        )));
    }
}
