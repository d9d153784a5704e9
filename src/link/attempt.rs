//! One connection attempt, step by step: the resolve step's result, the socket opening, `connect`
//! and its answer, the close, and the connection's timers (retry, keepalive, handshake, hidden).

use super::{take_first, Conn, Mode, Phase, HANDSHAKE_TIMEOUT_MS, MAX_KEEPALIVE_S};
use crate::agent;
use crate::failure::{close_meaning, CloseMeaning, ResolveError};
use crate::frames;
use crate::host;
use crate::page::{Shared, Timer, What};

impl Conn {
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
            Err(e) if e.is_retryable() || (!self.agent() && e == ResolveError::Unavailable) => {
                self.report(sh, e.detail(), false);
                self.schedule_retry(sh);
            }
            Err(e) => {
                if self.agent() && e == ResolveError::Unavailable {
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
    pub(super) fn open(&mut self, sh: &mut Shared, attempt: u32, host: &str) {
        self.phase = Phase::Opening(attempt);
        let Ok(endpoint) = &self.endpoint else { return };
        let path = if self.agent() { "/agent" } else { "/visitorws" };
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
        if self.agent() {
            // The token the page holds now (a `redirect` skips the resolve step that reads it).
            self.token = sh.tokens.token().unwrap_or_default();
        }
        let Some(hello) = frames::connect(endpoint.group, &self.visitor, &self.token, self.agent())
        else {
            // Not reached: the configuration checked the group and the visitor id.
            self.stop(sh);
            return sh.connfail(self.id, "error");
        };
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
        while let Some((_, frame)) = take_first(&mut self.queue, |_| true) {
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
            Timer::Ack(id) if cfg!(feature = "full") => return agent::ack_overdue(self, sh, id),
            Timer::Ack(_) => return,
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
}
