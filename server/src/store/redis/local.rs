//! What a node holds itself: its visitor sockets and agents, and the dispatch of messages that
//! arrive on its channels.

use crate::outbox::{Outbox, Outgoing};
use crate::store::{ConnId, VisitorKey};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;

/// Prefix of a node message that extends a unique visitor instead of carrying a frame.
const EXTEND: &str = "extend:";

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

    /// A message on this node's channel: `conn\n<frame>` or `conn\nextend:<ms>`.
    pub fn deliver_node_message(&self, message: &str) {
        let Some((conn, payload)) = message.split_once('\n') else {
            return;
        };
        let Ok(conn) = conn.parse::<ConnId>() else {
            return;
        };
        let payload = match payload.strip_prefix(EXTEND) {
            Some(ms) => match ms.parse() {
                Ok(ms) => Outgoing::UniqueDeadline(ms),
                Err(_) => return,
            },
            None => Outgoing::Frame(Utf8Bytes::from(payload.to_owned())),
        };
        self.deliver_to_conn(conn, payload);
    }
}

/// The text of a node message for `conn` (phases are node-local: `None`).
pub fn encode_node_message(conn: ConnId, payload: &Outgoing) -> Option<String> {
    match payload {
        // Another node cannot reach this node's agent connection: the notice stays behind.
        Outgoing::Frame(f) | Outgoing::Signal(f, _) => Some(format!("{conn}\n{}", f.as_str())),
        Outgoing::UniqueDeadline(ms) => Some(format!("{conn}\n{EXTEND}{ms}")),
        Outgoing::Phase(_) => None,
    }
}
