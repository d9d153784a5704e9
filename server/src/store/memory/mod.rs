//! The in-memory store: one node, all state under one lock (the mini-redis habit). Every
//! operation is short and synchronous inside; nothing awaits while holding the lock.

mod entry;

use super::rules::StoreRules;
use super::unique::{random_unique, unique_number, LiveUnique, UNIQUE_DRAWS};
use super::{
    now_ms, ConnId, QueryPage, SignalOutcome, Store, StoreError, VisitorKey, VisitorUpdate,
};
use crate::metrics::Metrics;
use crate::outbox::{DropNotice, Outbox, Outgoing};
use crate::webhooks::hooks::{visitor_absent, visitor_present};
use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
pub(crate) use entry::frame;
use entry::{presence_frame, Socket, VisitorEntry};
use glance_protocol::{
    GroupId, JsonServerFrame, PresenceMap, ServerFrame, SockData, VisitorEvent, VisitorId,
};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Fewest live unique ids before lapsed ones are swept.
const MIN_UNIQUE_SWEEP: usize = 1024;

#[derive(Default)]
struct State {
    /// Entries are boxed: the map's spare slots then cost a pointer, not a whole entry.
    visitors: HashMap<VisitorKey, Box<VisitorEntry>>,
    /// The present visitors of each group, in id order (for `/query` pages).
    present: HashMap<GroupId, BTreeSet<VisitorId>>,
    seq: u64,
    /// Live unique ids by number; lapsed ones are swept when the map doubles.
    uniques: HashMap<u64, LiveUnique>,
    /// Size at which the next sweep of `uniques` runs.
    sweep_uniques_at: usize,
    visitor_sockets: usize,
    agent_sockets: usize,
}

struct Shared {
    state: Mutex<State>,
    rules: StoreRules,
    metrics: Arc<Metrics>,
}

/// The in-memory [`Store`].
#[derive(Clone)]
pub struct MemoryStore(Arc<Shared>);

impl MemoryStore {
    /// An empty store.
    pub fn new(rules: StoreRules, metrics: Arc<Metrics>) -> Self {
        let state = State {
            sweep_uniques_at: MIN_UNIQUE_SWEEP,
            ..State::default()
        };
        Self(Arc::new(Shared {
            state: Mutex::new(state),
            rules,
            metrics,
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only mutated by short, panic-free sections; recover it if poisoned.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// After the grace period: `visitorconn false` unless the visitor came back; after the hold
    /// window: drop held signals and forget the visitor if nobody watches it.
    fn schedule_absence(&self, key: VisitorKey, absence: u64) {
        let store = self.clone();
        let (grace, hold) = (self.0.rules.grace, self.0.rules.hold);
        tokio::spawn(async move {
            tokio::time::sleep(grace.min(hold)).await;
            store.absence_tick(&key, absence);
            tokio::time::sleep(grace.max(hold) - grace.min(hold)).await;
            store.absence_tick(&key, absence);
        });
    }

    fn absence_tick(&self, key: &VisitorKey, absence: u64) {
        let mut st = self.lock();
        let Some(e) = st.visitors.get_mut(key) else {
            return;
        };
        if !e.sockets.is_empty() || e.absence != absence {
            return;
        }
        let since = e.absent_since.map(|t| t.elapsed()).unwrap_or_default();
        let mut gone = false;
        if e.present && since >= self.0.rules.grace {
            gone = true;
            if std::mem::take(&mut e.announced) {
                visitor_absent(&self.0.rules.webhooks, key, || e.stamped().to_map(), since);
            }
            e.present = false;
            e.presence.clear();
            e.visibility = None;
            e.to_agents(&frame(&ServerFrame::VisitorConn(SockData {
                connected: false,
            })));
        }
        if since >= self.0.rules.hold {
            for _ in e.held.drain(..) {
                self.0.metrics.signal("expired");
            }
        }
        if e.idle() {
            st.visitors.remove(key);
        }
        if gone {
            st.unlist(key);
        }
    }
}

impl State {
    fn list(&mut self, key: &VisitorKey) {
        self.present
            .entry(key.group)
            .or_default()
            .insert(key.visitor.clone());
    }

    fn unlist(&mut self, key: &VisitorKey) {
        if let Some(ids) = self.present.get_mut(&key.group) {
            ids.remove(&key.visitor);
            if ids.is_empty() {
                self.present.remove(&key.group);
            }
        }
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn visitor_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        let hold = self.0.rules.hold;
        let mut st = self.lock();
        st.seq += 1;
        let seq = st.seq;
        let e = st.visitors.entry(key.clone()).or_default();
        // Most visitors have one socket: no room for four.
        e.sockets.reserve_exact(1);
        if e.sockets.len() >= self.0.rules.sockets_per_visitor {
            return Err(StoreError::TooMany("sockets"));
        }
        let first_socket = e.sockets.is_empty();
        let mut arrived = false;
        e.sockets.push(Socket {
            conn,
            outbox: outbox.clone(),
            active: seq,
        });
        e.focus_on(conn, seq);
        if first_socket {
            e.absent_since = None;
            e.to_agents(&frame(&ServerFrame::VisitorSock(SockData {
                connected: true,
            })));
            if !e.present {
                arrived = true;
                e.present = true;
                e.updated_ms = now_ms();
                e.to_agents(&frame(&ServerFrame::VisitorConn(SockData {
                    connected: true,
                })));
            }
        }
        for (at, signal) in e.held.drain(..) {
            if at.elapsed() <= hold {
                let _ = outbox.frame(&signal);
                self.0.metrics.signal("delivered");
            } else {
                self.0.metrics.signal("expired");
            }
        }
        st.visitor_sockets += 1;
        if arrived {
            st.list(key);
        }
        Ok(())
    }

    async fn visitor_close(&self, key: &VisitorKey, conn: ConnId) {
        let mut st = self.lock();
        let Some(e) = st.visitors.get_mut(key) else {
            return;
        };
        let Some(pos) = e.sockets.iter().position(|s| s.conn == conn) else {
            return;
        };
        e.sockets.swap_remove(pos);
        let schedule = if e.sockets.is_empty() {
            e.focus = None;
            e.absent_since = Some(Instant::now());
            e.absence += 1;
            e.to_agents(&frame(&ServerFrame::VisitorSock(SockData {
                connected: false,
            })));
            Some(e.absence)
        } else {
            if e.focus == Some(conn) {
                e.focus = e.sockets.iter().max_by_key(|s| s.active).map(|s| s.conn);
            }
            None
        };
        st.visitor_sockets = st.visitor_sockets.saturating_sub(1);
        drop(st);
        if let Some(absence) = schedule {
            self.schedule_absence(key.clone(), absence);
        }
    }

    async fn visitor_update(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        update: VisitorUpdate,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let limits = self.0.rules.presence;
        let mut st = self.lock();
        st.seq += 1;
        let seq = st.seq;
        let Some(e) = st.visitors.get_mut(key) else {
            return Ok(());
        };
        if !e.sockets.iter().any(|s| s.conn == conn) {
            return Ok(());
        }
        let out = match update {
            VisitorUpdate::Presence(patch) => {
                let mut merged = e.presence.clone();
                for (k, v) in patch {
                    if v.is_null() {
                        merged.remove(&k);
                    } else {
                        merged.insert(k, v);
                    }
                }
                limits.check_json(&merged)?;
                e.presence = merged;
                e.updated_ms = now_ms();
                if !e.announced {
                    e.announced = true;
                    visitor_present(&self.0.rules.webhooks, key, || e.stamped().to_map());
                }
                presence_frame(e)
            }
            VisitorUpdate::Visibility(v) => {
                e.visibility = Some(v.visibility);
                frame(&ServerFrame::Visibility(v))
            }
            VisitorUpdate::Event(ev) => frame(&relay_event(ev)),
        };
        e.focus_on(conn, seq);
        e.to_agents(&out);
        drop(st);
        self.0.metrics.relay(started.elapsed());
        Ok(())
    }

    async fn agent_open(
        &self,
        key: &VisitorKey,
        conn: ConnId,
        outbox: Outbox,
    ) -> Result<(), StoreError> {
        let mut st = self.lock();
        let e = st.visitors.entry(key.clone()).or_default();
        if e.agents.len() >= self.0.rules.agents_per_visitor {
            return Err(StoreError::TooMany("agents"));
        }
        if e.present {
            let _ = outbox.frame(&frame(&ServerFrame::VisitorConn(SockData {
                connected: true,
            })));
            let _ = outbox.frame(&frame(&ServerFrame::VisitorSock(SockData {
                connected: !e.sockets.is_empty(),
            })));
            let _ = outbox.frame(&presence_frame(e));
            if let Some(visibility) = e.visibility {
                let _ = outbox.frame(&frame(&ServerFrame::Visibility(
                    glance_protocol::VisibilityData { visibility },
                )));
            }
        }
        e.agents.push((conn, outbox));
        st.agent_sockets += 1;
        Ok(())
    }

    async fn agent_close(&self, key: &VisitorKey, conn: ConnId) {
        let mut st = self.lock();
        let Some(e) = st.visitors.get_mut(key) else {
            return;
        };
        let before = e.agents.len();
        e.agents.retain(|(c, _)| *c != conn);
        let removed = before - e.agents.len();
        if e.idle() {
            st.visitors.remove(key);
        }
        st.agent_sockets = st.agent_sockets.saturating_sub(removed);
    }

    async fn signal(
        &self,
        key: &VisitorKey,
        frame: Utf8Bytes,
        notice: Option<DropNotice>,
    ) -> Result<SignalOutcome, StoreError> {
        let rules = &self.0.rules;
        let mut st = self.lock();
        let outcome = match st.visitors.get_mut(key) {
            Some(e) if !e.sockets.is_empty() => {
                let target = e
                    .focus
                    .and_then(|f| e.sockets.iter().find(|s| s.conn == f))
                    .or_else(|| e.sockets.last());
                if let Some(s) = target {
                    let _ = s.outbox.push(Outgoing::signal(frame, notice));
                }
                SignalOutcome::Delivered
            }
            Some(e) if e.absent_since.is_some_and(|t| t.elapsed() <= rules.hold) => {
                if e.held.len() >= rules.held_signals {
                    e.held.pop_front();
                    self.0.metrics.signal("expired");
                }
                e.held.push_back((Instant::now(), frame));
                SignalOutcome::Held
            }
            _ => SignalOutcome::NotPresent,
        };
        drop(st);
        self.0.metrics.signal(match outcome {
            SignalOutcome::Delivered => "delivered",
            SignalOutcome::Held => "held",
            SignalOutcome::NotPresent => "notpresent",
        });
        Ok(outcome)
    }

    async fn lookup(&self, key: &VisitorKey) -> Result<Option<PresenceMap>, StoreError> {
        let st = self.lock();
        Ok(st
            .visitors
            .get(key)
            .filter(|e| e.present)
            .map(|e| e.stamped().to_map()))
    }

    async fn query(
        &self,
        group: GroupId,
        after: Option<&VisitorId>,
        limit: usize,
    ) -> Result<QueryPage, StoreError> {
        use std::ops::Bound;
        let st = self.lock();
        let Some(ids) = st.present.get(&group) else {
            return Ok(QueryPage::default());
        };
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut page = QueryPage::default();
        for id in ids.range::<VisitorId, _>((from, Bound::Unbounded)) {
            if page.visitors.len() == limit {
                page.next = page.visitors.last().map(|(v, _)| v.clone());
                break;
            }
            let key = VisitorKey::new(group, id.clone());
            if let Some(e) = st.visitors.get(&key).filter(|e| e.present) {
                page.visitors.push((id.clone(), e.stamped().to_map()));
            }
        }
        Ok(page)
    }

    async fn claim_unique(&self, claim: u64, until_ms: u64) -> Result<u64, StoreError> {
        let now = now_ms();
        let mut st = self.lock();
        if st.uniques.len() >= st.sweep_uniques_at {
            st.uniques.retain(|_, u| u.until_ms > now);
            st.sweep_uniques_at = (st.uniques.len() * 2).max(MIN_UNIQUE_SWEEP);
        }
        for _ in 0..UNIQUE_DRAWS {
            let number = random_unique();
            let taken = st.uniques.get(&number).is_some_and(|u| u.until_ms > now);
            if !taken {
                st.uniques.insert(number, LiveUnique { claim, until_ms });
                return Ok(number);
            }
        }
        Err(StoreError::Unavailable("no free unique visitor id".into()))
    }

    async fn renew_unique(
        &self,
        key: &VisitorKey,
        claim: u64,
        until_ms: u64,
    ) -> Result<bool, StoreError> {
        let Some(number) = unique_number(&key.visitor) else {
            return Ok(false);
        };
        let now = now_ms();
        let mut st = self.lock();
        match st.uniques.get_mut(&number) {
            Some(live) if live.claim == claim && live.until_ms > now => live.until_ms = until_ms,
            _ => return Ok(false),
        }
        if let Some(e) = st.visitors.get(key) {
            for s in &e.sockets {
                let _ = s.outbox.push(Outgoing::UniqueDeadline(until_ms));
            }
        }
        Ok(true)
    }

    async fn unique_until(&self, number: u64) -> Result<Option<u64>, StoreError> {
        let now = now_ms();
        let st = self.lock();
        Ok(st
            .uniques
            .get(&number)
            .map(|u| u.until_ms)
            .filter(|until| *until > now))
    }

    fn broadcast_local(&self, item: Outgoing) {
        let st = self.lock();
        for e in st.visitors.values() {
            for outbox in e
                .sockets
                .iter()
                .map(|s| &s.outbox)
                .chain(e.agents.iter().map(|(_, o)| o))
            {
                let _ = outbox.push(item.clone());
            }
        }
    }

    fn ready(&self) -> bool {
        true
    }

    fn local_connections(&self) -> (usize, usize) {
        let st = self.lock();
        (st.visitor_sockets, st.agent_sockets)
    }
}

/// The frame agents receive for a visitor event.
pub(crate) fn relay_event(ev: VisitorEvent<Value>) -> JsonServerFrame {
    match ev {
        VisitorEvent::Terms(t) => ServerFrame::Terms(t),
        VisitorEvent::SessionStart(d) => ServerFrame::SessionStart(d),
        VisitorEvent::SessionEnd(d) => ServerFrame::SessionEnd(d),
        VisitorEvent::VisitorError(d) => ServerFrame::VisitorError(d),
        VisitorEvent::Custom { name, data } => ServerFrame::Custom { name, data },
    }
}
