//! Frames for one connection wherever it is: delivered directly when it is local, else published
//! on the channel of the node that holds it.

use super::keys::{self, parse_ref};
use super::reply::frame;
use super::{local, RedisStore};
use crate::outbox::Outgoing;
use fred::prelude::*;
use glance_protocol::ServerFrame;

impl RedisStore {
    /// Sends `payload` to connection `r` (`node#conn`): directly when local, else through its
    /// node's channel.
    pub(super) async fn to_sock(&self, r: &str, payload: Outgoing) {
        let Some((node, conn)) = parse_ref(r) else {
            return;
        };
        if node == self.0.node {
            self.local().deliver_to_conn(conn, payload);
            return;
        }
        let Some(message) = local::encode_node_message(conn, &payload) else {
            return;
        };
        if let Err(e) = self
            .client()
            .spublish::<(), _, _>(keys::node_channel(node), message)
            .await
        {
            tracing::warn!(error = %e, node, "cannot reach node channel");
        }
    }

    /// Sends `blur` to the connection that had the visitor's focus (`''`: none).
    pub(super) async fn blur(&self, previous: &str) {
        if !previous.is_empty() {
            let blur = frame(&ServerFrame::Blur);
            self.to_sock(previous, Outgoing::Frame(blur.into())).await;
        }
    }
}
