//! Frames for one connection wherever it is: delivered directly when it is local, else published
//! on the channel of the node that holds it ([`NodeMessage`]). A signal that crosses nodes carries
//! the route back to the agent that sent it, so a drop on the visitor's node is told to the agent
//! on its own node.

use super::keys::{self, parse_ref};
use super::message::{AgentRoute, NodeMessage};
use super::reply::frame;
use super::RedisStore;
use crate::outbox::{DropNotice, NoticeTo, Outgoing, RemoteAgent};
use axum::extract::ws::Utf8Bytes;
use fred::prelude::*;
use glance_protocol::{AckId, ServerFrame};
use std::sync::Arc;

impl RedisStore {
    /// Sends `payload` to connection `r` (`node#conn`): directly when local, else through its
    /// node's channel. `channel` is the agent channel of the visitor the payload is for: with it,
    /// a signal's drop notice finds its way back to an agent of this node.
    pub(super) async fn to_sock(&self, r: &str, payload: Outgoing, channel: Option<&str>) {
        let Some((node, conn)) = parse_ref(r) else {
            return;
        };
        if node == self.0.node {
            self.local().deliver_to_conn(conn, payload);
            return;
        }
        let message = match payload {
            Outgoing::Frame(f) => NodeMessage::Frame {
                conn,
                frame: f.to_string(),
            },
            Outgoing::Signal(f, notice) => NodeMessage::Signal {
                conn,
                frame: f.to_string(),
                sender: notice.zip(channel).and_then(|(n, c)| self.route_of(n, c)),
            },
            Outgoing::UniqueDeadline(ms) => NodeMessage::Extend { conn, ms },
            // Phases are node-local.
            Outgoing::Phase(_) => return,
        };
        publish(self.client(), node, message.encode()).await;
    }

    /// Sends `blur` to the connection that had the visitor's focus (`''`: none).
    pub(super) async fn blur(&self, previous: &str) {
        if !previous.is_empty() {
            let blur = frame(&ServerFrame::Blur);
            self.to_sock(previous, Outgoing::Frame(blur.into()), None)
                .await;
        }
    }

    /// A message on this node's own channel.
    pub(super) fn on_node_message(&self, text: &str) {
        let Some(message) = NodeMessage::decode(text) else {
            tracing::warn!("unreadable node message dropped");
            return;
        };
        match message {
            NodeMessage::Frame { conn, frame } => self
                .local()
                .deliver_to_conn(conn, Outgoing::Frame(Utf8Bytes::from(frame))),
            NodeMessage::Signal {
                conn,
                frame,
                sender,
            } => {
                let notice = sender.map(|route| DropNotice {
                    id: route.id.clone(),
                    to: NoticeTo::Remote(Arc::new(ToAgent {
                        client: self.client().clone(),
                        route,
                    })),
                });
                let signal = Outgoing::Signal(Utf8Bytes::from(frame), notice);
                self.local().deliver_to_conn(conn, signal);
            }
            NodeMessage::Extend { conn, ms } => self
                .local()
                .deliver_to_conn(conn, Outgoing::UniqueDeadline(ms)),
            NodeMessage::Dropped { conn, channel, id } => {
                self.local().tell_agent(&channel, conn, id);
            }
        }
    }

    /// The route back to the sender of a notice made on this node.
    fn route_of(&self, notice: DropNotice, channel: &str) -> Option<AgentRoute> {
        match notice.to {
            NoticeTo::Local { conn, .. } => Some(AgentRoute {
                node: self.0.node.clone(),
                conn,
                channel: channel.to_owned(),
                id: notice.id,
            }),
            // A signal that already crossed nodes once and is placed again (its visitor's socket
            // closed) goes on without a notice: its route is behind the remote handle.
            NoticeTo::Remote(_) => None,
        }
    }
}

/// Publishes `message` on `node`'s channel; a failure is logged (the frame is lost, as a frame
/// for a node that died would be).
async fn publish(client: &Client, node: &str, message: String) {
    if let Err(e) = client
        .spublish::<(), _, _>(keys::node_channel(node), message)
        .await
    {
        tracing::warn!(error = %e, node, "cannot reach node channel");
    }
}

/// An agent connection on another node, told through that node's channel.
struct ToAgent {
    client: Client,
    route: AgentRoute,
}

impl RemoteAgent for ToAgent {
    fn tell(&self, id: &AckId) {
        let message = NodeMessage::Dropped {
            conn: self.route.conn,
            channel: self.route.channel.clone(),
            id: id.clone(),
        };
        let (client, node) = (self.client.clone(), self.route.node.clone());
        // Never waits: the publish runs on its own; one per dropped signal, which the visitor's
        // queue bounds.
        tokio::spawn(async move { publish(&client, &node, message.encode()).await });
    }
}
