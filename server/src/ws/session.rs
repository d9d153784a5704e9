//! One connection's task: handshake, then a `select!` loop over inbound frames, the outbox, the
//! connection's deadlines and the node's lifecycle (STYLE habit 10).

use super::handshake::{self, Accepted, Peer, Refusal};
use super::link::{Inbound, Link};
use super::ratelimit::{RateLimit, Verdict};
use super::Role;
use crate::outbox::{DropNotice, Outbox, Outgoing};
use crate::quota::QuotaSlot;
use crate::state::{Phase, SharedState};
use crate::store::{now_ms, ConnId, StoreError, VisitorKey};
use glance_protocol::{
    CloseCode, ConnectedData, ErrorCode, JsonClientFrame, JsonServerFrame, ServerFrame,
};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::time::sleep_until;

/// What the loop does after handling something.
pub enum Flow {
    /// Keep going.
    Continue,
    /// Send `last` (if any), close with `code`, count `reason`.
    Close {
        last: Option<JsonServerFrame>,
        code: u16,
        reason: &'static str,
    },
}

impl Flow {
    /// Close with an `error` frame.
    pub fn error(error: ErrorCode, code: CloseCode, reason: &'static str) -> Self {
        Flow::Close {
            last: Some(ServerFrame::error(error, reason)),
            code: code as u16,
            reason,
        }
    }
}

/// A connection after its handshake.
pub struct Session {
    /// Shared state.
    pub state: SharedState,
    /// This connection.
    pub conn: ConnId,
    /// Role.
    pub role: Role,
    /// The visitor (watched, for agents).
    pub key: VisitorKey,
    /// Queue of frames for this connection.
    pub outbox: Outbox,
    /// Last data frame from the peer (pings and pongs do not count).
    pub last_seen: Instant,
    /// Visitor: since when its last visibility is `hidden`.
    pub hidden_since: Option<Instant>,
    /// Unique visitor: id expiry (ms since the epoch).
    pub unique_until: Option<u64>,
    /// Draining: when to close regardless.
    pub close_at: Option<Instant>,
    /// Agent: the user its token names.
    pub agent: Option<String>,
    limit: RateLimit,
    /// An agent's place in its token's socket quota: given back when the session is dropped.
    /// Boxed: visitors, the many idle sessions, hold none.
    _quota: Option<Box<QuotaSlot>>,
}

/// Runs one connection to its end.
///
/// Built for idle connections to be cheap: the returned future is what every idle connection
/// carries, so it holds only what the loop needs. Not an `async fn`: an async fn keeps each
/// argument twice (as argument and as local), and the socket is large; this block captures the
/// socket once and borrows it from there. The handshake, the registration with the store and
/// the close paths (large, and short-lived) are boxed, so their state is on the heap only while
/// they run.
#[allow(clippy::manual_async_fn)] // On purpose: see above.
pub fn run(
    mut link: Link,
    state: SharedState,
    role: Role,
    peer: Box<Peer>,
) -> impl Future<Output = ()> + Send {
    async move {
        let limits = &state.config.limits;
        // One bucket from the upgrade on: frames before `connect` (pings too) count.
        let mut limit = RateLimit::new(limits.rate, limits.burst, Instant::now());
        let handshake = Box::pin(handshake::connect(
            &mut link, &state, role, &peer, &mut limit,
        ))
        .await;
        drop(peer);
        let accepted = match handshake {
            Ok(accepted) => accepted,
            Err(refusal) => return Box::pin(refuse(&mut link, &state, refusal)).await,
        };
        let Some(mut session) = Box::pin(open(&mut link, &state, role, accepted, limit)).await
        else {
            return;
        };
        let end = session.run(&mut link).await;
        Box::pin(session.finish(&mut link, end)).await;
    }
}

async fn refuse(link: &mut Link, state: &SharedState, refusal: Refusal) {
    state.metrics.disconnect(refusal.reason);
    if refusal.detail == ErrorCode::Authorization || refusal.detail == ErrorCode::Origin {
        state.metrics.auth_failure(refusal.reason);
    }
    link.close_with(
        Some(&ServerFrame::connfail(refusal.detail)),
        refusal.code,
        refusal.reason,
    )
    .await;
}

/// Registers an accepted connection with the store, `connected` queued first. `None` when the
/// store refused it (the connection is closed then).
async fn open(
    link: &mut Link,
    state: &SharedState,
    role: Role,
    accepted: Accepted,
    limit: RateLimit,
) -> Option<Session> {
    let now = Instant::now();
    let limits = &state.config.limits;
    let session = Session {
        conn: state.next_conn_id(),
        role,
        key: accepted.key,
        outbox: Outbox::new(limits.outbound_queue),
        last_seen: now,
        hidden_since: None,
        unique_until: accepted.unique_until,
        close_at: None,
        agent: accepted.agent,
        limit,
        _quota: accepted.quota.map(Box::new),
        state: state.clone(),
    };
    let connected = ServerFrame::Connected {
        keepalive: state.config.timings.keepalive.ceil() as u32,
        data: ConnectedData {
            groupid: session.key.group,
            visitorid: session.key.visitor.clone(),
        },
    };
    // `connected` goes first: the store may queue frames (held signals, agent snapshot) at once.
    let _ = session
        .outbox
        .push(Outgoing::Frame(connected.to_json().into()));
    let opened = match role {
        Role::Visitor => {
            state
                .store
                .visitor_open(&session.key, session.conn, session.outbox.clone())
                .await
        }
        Role::Agent => {
            state
                .store
                .agent_open(&session.key, session.conn, session.outbox.clone())
                .await
        }
    };
    if let Err(e) = opened {
        let (detail, code) = match e {
            StoreError::TooMany(_) => (ErrorCode::RateLimited, CloseCode::TooMany),
            _ => (ErrorCode::ServiceUnavailable, CloseCode::Draining),
        };
        state.metrics.disconnect("storeopen");
        link.close_with(Some(&ServerFrame::connfail(detail)), code, "refused")
            .await;
        return None;
    }
    state.metrics.connection(role.label(), 1);
    // The node may have started draining while this connection registered.
    if state.draining() {
        let _ = session.outbox.push(Outgoing::Phase(*state.phase.borrow()));
    }
    Some(session)
}

impl Session {
    /// After the loop: unregisters from the store, tells the senders of the signals still
    /// queued, and closes as `end` says.
    async fn finish(self, link: &mut Link, end: Flow) {
        let state = &self.state;
        match self.role {
            Role::Visitor => state.store.visitor_close(&self.key, self.conn).await,
            Role::Agent => state.store.agent_close(&self.key, self.conn).await,
        }
        // After the close, so no signal can be queued behind the drain. A visitor that left (a
        // navigation, most often) gets what was never written placed again; a slow consumer's
        // signals are dropped and their agents told (§5).
        let cut = matches!(
            end,
            Flow::Close {
                reason: "slowconsumer",
                ..
            }
        );
        if self.role == Role::Visitor && !cut {
            Box::pin(self.requeue_unsent()).await;
        }
        self.drop_unsent(self.outbox.drop_unsent());
        state.metrics.connection(self.role.label(), -1);
        if let Flow::Close { last, code, reason } = end {
            state.metrics.disconnect(reason);
            link.close(last.as_ref(), code, reason).await;
        }
    }

    async fn run(&mut self, link: &mut Link) -> Flow {
        let deadline = sleep_until(self.next_deadline().into());
        tokio::pin!(deadline);
        loop {
            let flow = tokio::select! {
                biased;
                // Handlers are boxed: their state exists only while they run, not in every idle
                // connection.
                () = self.outbox.ready() => Box::pin(self.flush(link)).await,
                inbound = link.recv() => Box::pin(self.on_inbound(inbound)).await,
                () = &mut deadline => self.on_deadline(),
            };
            if let Flow::Close { .. } = flow {
                return flow;
            }
            deadline.as_mut().reset(self.next_deadline().into());
        }
    }

    fn on_phase(&mut self, phase: Phase) -> Flow {
        match phase {
            Phase::Running => Flow::Continue,
            Phase::Draining => {
                self.close_at = Some(Instant::now() + self.state.config.timings.drain());
                // Clients reconnect at once, through the load balancer, to another node.
                let _ = self.outbox.push(Outgoing::Frame(
                    ServerFrame::<serde_json::Value>::ScaleDown.to_json().into(),
                ));
                Flow::Continue
            }
            Phase::Closing => Flow::Close {
                last: None,
                code: 1001,
                reason: "drained",
            },
        }
    }

    async fn flush(&mut self, link: &mut Link) -> Flow {
        let mut texts = Vec::new();
        // The senders of the signals in this batch, told if the batch is not written.
        let mut notices = Vec::new();
        for item in self.outbox.take() {
            match item {
                Outgoing::Frame(t) => texts.push(t),
                Outgoing::Signal(t, notice) => {
                    texts.push(t);
                    notices.extend(notice);
                }
                Outgoing::UniqueDeadline(ms) => self.unique_until = Some(ms),
                Outgoing::Phase(phase) => {
                    if let close @ Flow::Close { .. } = self.on_phase(phase) {
                        self.drop_unsent(notices.into_iter().map(DropNotice::send).count());
                        return close;
                    }
                }
            }
        }
        if !texts.is_empty() {
            // A peer that stops reading blocks this write while producers keep queueing. Stop
            // waiting as soon as the queue overflows: that peer cannot keep up (§6).
            let sent = tokio::select! {
                sent = link.send_texts(texts) => Some(sent),
                () = self.outbox.overflowed_wait() => None,
            };
            let Some(Ok(n)) = sent else {
                // The write did not complete: none of this batch counts as written.
                self.drop_unsent(notices.into_iter().map(DropNotice::send).count());
                return match sent {
                    None => {
                        Flow::error(ErrorCode::SlowConsumer, CloseCode::TooMany, "slowconsumer")
                    }
                    Some(_) => Flow::Close {
                        last: None,
                        code: 1011,
                        reason: "sendfailed",
                    },
                };
            };
            self.state.metrics.frames_out(n as u64);
        }
        if self.outbox.overflowed() {
            return Flow::error(ErrorCode::SlowConsumer, CloseCode::TooMany, "slowconsumer");
        }
        Flow::Continue
    }

    async fn on_inbound(&mut self, inbound: Inbound) -> Flow {
        let now = Instant::now();
        let bytes = match inbound {
            Inbound::Data(b) => Some(b),
            Inbound::Control => None,
            Inbound::Closed => {
                return Flow::Close {
                    last: None,
                    code: 1000,
                    reason: "peerclosed",
                }
            }
            Inbound::TooLarge => {
                return Flow::error(ErrorCode::FrameTooLarge, CloseCode::TooLarge, "toolarge")
            }
            Inbound::Violation(v) => {
                return Flow::Close {
                    last: None,
                    code: v.close_code() as u16,
                    reason: v.reason(),
                }
            }
        };
        // Every data frame counts as a sign of life, the `k` keepalive included. Pings prove the
        // socket, not the client: a page that stopped sending keepalives (§3.6) is dead even if
        // its browser still answers pings.
        if bytes.is_some() {
            self.last_seen = now;
        }
        // Pings and pongs are charged like data frames: the library answers every ping, so a
        // ping flood costs as much as a frame flood.
        match (self.limit.check(now), bytes) {
            (Verdict::Allow, Some(bytes)) => self.on_data(bytes, now).await,
            (Verdict::Allow, None) => Flow::Continue,
            // Over the rate (§6): this frame is refused, the connection kept; a flood is cut off.
            (Verdict::Refuse, Some(_)) => self.reject(
                ErrorCode::RateLimited,
                "over the frame rate: frame dropped".into(),
            ),
            // A ping over the rate gets no `error` frame (its pong is already queued).
            (Verdict::Refuse, None) => Flow::Continue,
            (Verdict::Cut, _) => {
                Flow::error(ErrorCode::RateLimited, CloseCode::TooMany, "ratelimited")
            }
        }
    }

    async fn on_data(&mut self, bytes: bytes::Bytes, now: Instant) -> Flow {
        self.state.metrics.frame_in();
        let frame = match JsonClientFrame::parse(&bytes) {
            Ok(f) => f,
            // A bad frame is refused and the connection kept (§5, §6).
            Err(e) => return self.reject(e.code(), e.to_string()),
        };
        match self.role {
            Role::Visitor => self.on_visitor_frame(frame, now).await,
            Role::Agent => self.on_agent_frame(frame).await,
        }
    }

    /// Answers a bad frame with an `error` frame; the connection stays.
    pub fn reject(&mut self, error: ErrorCode, detail: String) -> Flow {
        let _ = self.outbox.push(Outgoing::Frame(
            ServerFrame::<serde_json::Value>::error(error, detail)
                .to_json()
                .into(),
        ));
        Flow::Continue
    }

    fn on_deadline(&mut self) -> Flow {
        let now = Instant::now();
        let timings = &self.state.config.timings;
        if now >= self.last_seen + timings.liveness() {
            return Flow::Close {
                last: None,
                code: CloseCode::Timeout as u16,
                reason: "dead",
            };
        }
        if self
            .hidden_since
            .is_some_and(|t| now >= t + timings.hidden_limit())
        {
            return Flow::Close {
                last: Some(ServerFrame::ServerClose),
                code: 1000,
                reason: "hiddenlimit",
            };
        }
        if self.unique_until.is_some_and(|ms| now_ms() >= ms) {
            return Flow::Close {
                last: Some(ServerFrame::ServerClose),
                code: 1000,
                reason: "uniquetimeout",
            };
        }
        if self.close_at.is_some_and(|t| now >= t) {
            return Flow::Close {
                last: None,
                code: 1001,
                reason: "drained",
            };
        }
        Flow::Continue
    }

    /// The earliest time a deadline rule may fire.
    fn next_deadline(&self) -> Instant {
        let timings = &self.state.config.timings;
        let mut next = self.last_seen + timings.liveness();
        if let Some(t) = self.hidden_since {
            next = next.min(t + timings.hidden_limit());
        }
        if let Some(ms) = self.unique_until {
            let left = Duration::from_millis(ms.saturating_sub(now_ms()));
            next = next.min(Instant::now() + left);
        }
        if let Some(t) = self.close_at {
            next = next.min(t);
        }
        next
    }
}
