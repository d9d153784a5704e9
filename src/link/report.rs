//! What a connection's state means for the page: window listeners, how strongly the page object
//! is held, connection failures reported once, refused tokens dropped, waiting signals failed.

use super::{take_first, Conn};
use crate::failure::FailCode;
use crate::host;
use crate::page::Shared;

impl Conn {
    /// Window listeners on or off: the connection became active or idle.
    pub(super) fn listen(&mut self, sh: &mut Shared, on: bool) {
        if self.listening != on {
            self.listening = on;
            sh.listen(on);
            self.update_hold();
        }
    }

    /// Holds the page's object strongly while the connection is active or a signal waits for its
    /// outcome; weakly otherwise, so that a disconnected object the page drops is collected
    /// (its core is then freed, see [`crate::dispatch::ev`]). A connected one stays alive the way
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
    pub(super) fn report(&mut self, sh: &mut Shared, detail: &str, refusal: bool) {
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
    pub(super) fn clear_token(&mut self, sh: &mut Shared) {
        if self.agent() {
            sh.tokens.clear_if_current(
                Some(&self.token)
                    .filter(|t| !t.is_empty())
                    .map(|t| t.as_str()),
            );
        }
    }

    /// Fails every socket signal waiting for an ack (the socket that carried them is gone).
    pub fn fail_pending(&mut self, sh: &mut Shared) {
        while let Some(p) = take_first(&mut self.pending, |p| p.timer != 0) {
            sh.release(p.timer);
            sh.settle(p.opts, Err(FailCode::Connection));
        }
        self.update_hold();
    }
}
