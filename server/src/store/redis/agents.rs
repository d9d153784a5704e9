//! A node's agents in Redis terms: the subscription to each watched visitor's channel, and the
//! snapshot an agent gets right after it subscribed.

use super::keys::{node_agents, VisitorKeys};
use super::reply::{frame, sock_frame, status, unavailable};
use super::RedisStore;
use crate::outbox::{Outbox, Outgoing};
use crate::store::{Stamped, StoreError, VisitorKey};
use fred::prelude::*;
use glance_protocol::{ServerFrame, VisibilityData};

impl RedisStore {
    /// Takes one of the visitor's agent places, counted over the whole cluster.
    pub(super) async fn take_agent_place(&self, key: &VisitorKey) -> Result<(), StoreError> {
        let reply = self
            .run(
                &self.0.scripts.agent_take,
                vec![VisitorKeys::of(key).agents, node_agents(&self.0.node)],
                vec![
                    self.0.node.clone(),
                    self.0.rules.agents_per_visitor.to_string(),
                ],
            )
            .await?;
        if status(&reply) == -1 {
            return Err(StoreError::TooMany("agents"));
        }
        Ok(())
    }

    /// Gives an agent place back (a failure leaves it counted until this node is reaped).
    pub(super) async fn give_agent_place(&self, key: &VisitorKey) {
        let keys = vec![VisitorKeys::of(key).agents, node_agents(&self.0.node)];
        if let Err(e) = self
            .run(&self.0.scripts.agent_give, keys, vec![self.0.node.clone()])
            .await
        {
            tracing::warn!(error = %e, "cannot give an agent place back");
        }
    }

    /// Right after an agent subscribed: `visitorconn`, `visitorsock`, the latest presence and
    /// visibility of a present visitor.
    pub(super) async fn agent_snapshot(
        &self,
        key: &VisitorKey,
        outbox: &Outbox,
    ) -> Result<(), StoreError> {
        let state = self.state(key).await?;
        if state.present {
            let socks: u64 = self
                .client()
                .zcard(VisitorKeys::of(key).socks)
                .await
                .map_err(unavailable)?;
            let mut frames = vec![
                sock_frame(ServerFrame::VisitorConn, true),
                sock_frame(ServerFrame::VisitorSock, socks > 0),
                serde_json::to_string(&ServerFrame::Presence(Stamped {
                    map: &state.presence,
                    timestamp: state.ts,
                }))
                .unwrap_or_default(),
            ];
            if let Some(visibility) = state.visibility {
                frames.push(frame(&ServerFrame::Visibility(VisibilityData {
                    visibility,
                })));
            }
            for f in frames {
                let _ = outbox.push(Outgoing::Frame(f.into()));
            }
        }
        Ok(())
    }

    /// Subscribes to / unsubscribes from `channel` so that it matches the local agents.
    pub(super) async fn sync_subscription(&self, channel: &str) -> Result<(), StoreError> {
        let _serial = self.0.subscribing.lock().await;
        let wanted = self.local().has_agents(channel);
        let tracked = self
            .0
            .sub
            .tracked_shard_channels()
            .iter()
            .any(|c| &**c == channel);
        match (wanted, tracked) {
            (true, false) => self
                .0
                .sub
                .ssubscribe(channel.to_owned())
                .await
                .map_err(unavailable),
            (false, true) => self
                .0
                .sub
                .sunsubscribe(channel.to_owned())
                .await
                .map_err(unavailable),
            _ => Ok(()),
        }
    }
}
