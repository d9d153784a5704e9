//! What a node holds itself: its visitor sockets and agents, and the dispatch of messages that
//! arrive on its channels.

use crate::outbox::{DropNotice, Outbox, Outgoing};
use crate::store::{ConnId, VisitorKey};
use axum::extract::ws::Utf8Bytes;
use glance_protocol::AckId;
use std::collections::HashMap;

/// A node's own connections.
#[derive(Default)]
pub struct Local {
    visitors: HashMap<ConnId, (VisitorKey, Outbox)>,
    /// Agents by the channel of the visitor they watch.
    agents: HashMap<String, Vec<(ConnId, Outbox)>>,
    agent_count: usize,
}

impl Local {
    pub fn add_visitor(&mut self, conn: ConnId, key: VisitorKey, outbox: Outbox) {
        self.visitors.insert(conn, (key, outbox));
    }

    pub fn remove_visitor(&mut self, conn: ConnId) {
        self.visitors.remove(&conn);
    }

    /// The local visitor sockets (to re-register after Redis comes back).
    pub fn visitors(&self) -> Vec<(ConnId, VisitorKey)> {
        self.visitors
            .iter()
            .map(|(c, (k, _))| (*c, k.clone()))
            .collect()
    }

    /// Whether `conn` is a local visitor socket.
    pub fn has_visitor(&self, conn: ConnId) -> bool {
        self.visitors.contains_key(&conn)
    }

    /// Disconnects every local agent as a slow consumer (they missed frames of their channels).
    pub fn cut_agents(&self) {
        for (_, outbox) in self.agents.values().flatten() {
            outbox.cut();
        }
    }

    pub fn add_agent(&mut self, channel: &str, conn: ConnId, outbox: Outbox) {
        self.agents
            .entry(channel.to_owned())
            .or_default()
            .push((conn, outbox));
        self.agent_count += 1;
    }

    pub fn remove_agent(&mut self, channel: &str, conn: ConnId) {
        if let Some(list) = self.agents.get_mut(channel) {
            let before = list.len();
            list.retain(|(c, _)| *c != conn);
            self.agent_count -= before - list.len();
            if list.is_empty() {
                self.agents.remove(channel);
            }
        }
    }

    /// Channels of the visitors local agents watch.
    pub fn agent_channels(&self) -> Vec<String> {
        self.agents.keys().cloned().collect()
    }

    pub fn has_agents(&self, channel: &str) -> bool {
        self.agents.contains_key(channel)
    }

    pub fn counts(&self) -> (usize, usize) {
        (self.visitors.len(), self.agent_count)
    }

    /// Something for every local connection.
    pub fn broadcast(&self, item: Outgoing) {
        let visitors = self.visitors.values().map(|(_, o)| o);
        for outbox in visitors.chain(self.agents.values().flatten().map(|(_, o)| o)) {
            let _ = outbox.push(item.clone());
        }
    }

    /// A frame published on a visitor's channel: to every local agent watching it.
    pub fn deliver_to_agents(&self, channel: &str, frame: Utf8Bytes) {
        if let Some(list) = self.agents.get(channel) {
            for (_, outbox) in list {
                let _ = outbox.frame(&frame);
            }
        }
    }

    /// Something for one local connection (a connection that is gone drops it).
    pub fn deliver_to_conn(&self, conn: ConnId, payload: Outgoing) {
        if let Some((_, outbox)) = self.visitors.get(&conn) {
            let _ = outbox.push(payload);
        }
    }

    /// Tells local agent connection `conn`, watching `channel`, that its signal `id` was dropped
    /// on another node (an agent gone meanwhile is told nothing).
    pub fn tell_agent(&self, channel: &str, conn: ConnId, id: AckId) {
        let agent = self
            .agents
            .get(channel)
            .and_then(|list| list.iter().find(|(c, _)| *c == conn));
        if let Some((_, outbox)) = agent {
            DropNotice::local(id, outbox.clone(), conn).send();
        }
    }
}
