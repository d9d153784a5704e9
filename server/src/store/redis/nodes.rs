//! Background work of a node: dispatching subscribed messages, the heartbeat, reaping dead
//! nodes, and re-registering local sockets when Redis comes back.

use super::keys::{
    self, node_agents, node_alive, node_channel, node_reap, node_socks, parse_member, parse_ref,
};
use super::RedisStore;
use crate::store::StoreError;
use axum::extract::ws::Utf8Bytes;
use fred::prelude::*;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A node refreshes its liveness key this often ...
const HEARTBEAT: Duration = Duration::from_millis(1000);
/// ... and is dead when it has not for this long.
const ALIVE_TTL: Duration = Duration::from_millis(3000);
/// An absence check this late was left by a node that died or drained: any node runs it.
const OVERDUE: Duration = Duration::from_millis(2000);

impl RedisStore {
    pub(super) async fn start_background(&self) -> Result<(), StoreError> {
        let node = self.0.node.clone();
        let sub = &self.0.sub;
        // Not `manage_subscriptions`: its resubscription sends an empty PSUBSCRIBE, which Redis
        // refuses, and then skips the shard channels. We resubscribe ourselves.
        sub.ssubscribe(node_channel(&node))
            .await
            .map_err(super::reply::unavailable)?;
        self.heartbeat().await.map_err(super::reply::unavailable)?;

        let store = self.clone();
        let mut messages = sub.message_rx();
        tokio::spawn(async move {
            let own = node_channel(&store.0.node);
            loop {
                match messages.recv().await {
                    Ok(m) => {
                        let Some(text) = m.value.as_string() else {
                            continue;
                        };
                        let text: String = text;
                        if *m.channel == *own {
                            store.on_node_message(&text);
                        } else {
                            store
                                .local()
                                .deliver_to_agents(&m.channel, Utf8Bytes::from(text));
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        // Which agents missed frames is unknown: every local agent is cut off
                        // as a slow consumer and reconnects to a fresh snapshot (§6).
                        tracing::error!(lost = n, "subscriber lagged: disconnecting local agents");
                        store.0.metrics.disconnect("subscriberlag");
                        store.local().cut_agents();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });

        // The heartbeat has a task of its own, so that no maintenance work can delay it past
        // the liveness TTL.
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            loop {
                tick.tick().await;
                match store.heartbeat().await {
                    Ok(true) => {
                        // Another node reaped this one (it stalled past its TTL): every local
                        // socket was unregistered. Register them again.
                        tracing::warn!("this node was reaped while alive: re-registering");
                        store.reregister().await;
                    }
                    Ok(false) => {}
                    Err(e) => tracing::debug!(error = %e, "heartbeat failed"),
                }
            }
        });

        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                store.reap_dead_nodes().await;
                store.run_overdue_absences().await;
                if store.0.reconcile.swap(false, Ordering::AcqRel) {
                    store.reconcile().await;
                }
            }
        });

        let store = self.clone();
        self.0.sub.on_reconnect(move |_| {
            let store = store.clone();
            async move {
                store.resubscribe().await;
                Ok(())
            }
        });

        let store = self.clone();
        self.0.client.on_reconnect(move |_| {
            let store = store.clone();
            async move {
                store.reregister().await;
                Ok(())
            }
        });
        Ok(())
    }

    /// Refreshes this node's liveness key and its entry in the node set. `Ok(true)` when the
    /// entry was gone: a reaper removes it last, after unregistering every socket of the node, so
    /// this says a reap of this (live) node has completed. Never on the first heartbeat.
    async fn heartbeat(&self) -> Result<bool, fred::error::Error> {
        let node = &self.0.node;
        let px = Expiration::PX(ALIVE_TTL.as_millis() as i64);
        self.0
            .client
            .set::<(), _, _>(node_alive(node), "1", Some(px), None, false)
            .await?;
        let added: u64 = self.0.client.sadd(keys::NODES, node.as_str()).await?;
        let first = !self.0.alive_once.swap(true, Ordering::AcqRel);
        Ok(added == 1 && !first)
    }

    /// Runs the absence checks whose node did not (it died or drained first): overdue by more
    /// than [`OVERDUE`]. Several nodes may run one check; the check is idempotent.
    async fn run_overdue_absences(&self) {
        let due = self
            .run(
                &self.0.scripts.overdue,
                vec![keys::ABSENT.to_owned()],
                vec![OVERDUE.as_millis().to_string(), "200".to_owned()],
            )
            .await
            .unwrap_or_default();
        for member in due.iter().filter_map(|v| v.as_string()) {
            let parsed = parse_member(&member)
                .and_then(|(key, absent)| Some((key, absent.parse::<i64>().ok()?)));
            match parsed {
                // One attempt: the next round retries what fails.
                Some((key, absent)) => self.absence_tick(&key, absent, 1).await,
                None => {
                    let _: Result<(), _> = self.0.client.zrem(keys::ABSENT, member.as_str()).await;
                }
            }
        }
    }

    /// Unregisters the sockets Redis lists under this node that are no longer local (after an
    /// unregistration failed).
    async fn reconcile(&self) {
        let own = node_socks(&self.0.node);
        let Ok(members) = self.0.client.smembers::<Vec<String>, _>(&own).await else {
            self.0.reconcile.store(true, Ordering::Release);
            return;
        };
        for m in &members {
            let Some((key, r)) = parse_member(m) else {
                continue;
            };
            let gone = match parse_ref(r) {
                Some((node, conn)) => node == self.0.node && !self.local().has_visitor(conn),
                None => false,
            };
            if gone
                && self
                    .close_sock(&key, &self.0.node.clone(), r)
                    .await
                    .is_err()
            {
                self.0.reconcile.store(true, Ordering::Release);
            }
        }
    }

    /// Closes the sockets of every node whose liveness key expired, once (under a lock).
    async fn reap_dead_nodes(&self) {
        let Ok(nodes) = self.0.client.smembers::<Vec<String>, _>(keys::NODES).await else {
            return;
        };
        for node in nodes.into_iter().filter(|n| *n != self.0.node) {
            let alive: bool = self
                .0
                .client
                .exists(node_alive(&node))
                .await
                .unwrap_or(true);
            if alive {
                continue;
            }
            let px = Expiration::PX(10_000);
            let locked: Option<String> = self
                .0
                .client
                .set(
                    node_reap(&node),
                    self.0.node.as_str(),
                    Some(px),
                    Some(SetOptions::NX),
                    false,
                )
                .await
                .unwrap_or(None);
            if locked.is_none() {
                continue;
            }
            tracing::warn!(node, "reaping a dead node");
            let members: Vec<String> = self
                .0
                .client
                .smembers(node_socks(&node))
                .await
                .unwrap_or_default();
            for m in &members {
                if let Some((key, r)) = parse_member(m) {
                    if parse_ref(r).is_some_and(|(n, _)| n == node) {
                        let _ = self.close_sock(&key, &node, r).await;
                    }
                }
            }
            let _: Result<(), _> = self.0.client.del(node_socks(&node)).await;
            let counted: Vec<String> = self
                .0
                .client
                .smembers(node_agents(&node))
                .await
                .unwrap_or_default();
            for agents in &counted {
                let _: Result<(), _> = self.0.client.hdel(agents.as_str(), node.as_str()).await;
            }
            let _: Result<(), _> = self.0.client.del(node_agents(&node)).await;
            let _: Result<(), _> = self.0.client.srem(keys::NODES, node.as_str()).await;
        }
    }

    /// After the subscriber reconnected: subscribe again to this node's channel and to the
    /// channels of every visitor a local agent watches.
    async fn resubscribe(&self) {
        let mut channels = self.local().agent_channels();
        channels.push(node_channel(&self.0.node));
        tracing::info!(
            channels = channels.len(),
            "subscriber reconnected: resubscribing"
        );
        if let Err(e) = self.0.sub.ssubscribe(channels).await {
            tracing::error!(error = %e, "resubscription failed");
        }
    }

    /// After Redis came back (possibly empty): register every local socket again.
    async fn reregister(&self) {
        let _ = self.heartbeat().await;
        let visitors = self.local().visitors();
        tracing::info!(
            sockets = visitors.len(),
            "redis reconnected: re-registering local sockets"
        );
        for (conn, key) in visitors {
            if let Err(e) = self.register(&key, conn).await {
                tracing::warn!(error = %e, "re-registration failed");
            }
        }
        // Sockets closed while Redis was away may still be listed (if Redis kept its data).
        self.0.reconcile.store(true, Ordering::Release);
    }
}
