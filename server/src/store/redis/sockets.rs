//! A visitor socket in Redis: registering it, unregistering it (own or a dead node's), and the
//! grace / hold checks its visitor's last socket leaves behind.

use super::keys::{self, node_socks, sock_member, sock_ref, VisitorKeys};
use super::reply::{sock_frame, status, text};
use super::RedisStore;
use crate::store::{now_ms, ConnId, Stamped, StoreError, VisitorKey};
use crate::webhooks::hooks::visitor_absent;
use fred::prelude::*;
use glance_protocol::PresenceMap;
use glance_protocol::ServerFrame;
use std::time::Duration;

impl RedisStore {
    /// Schedules the grace / hold checks after a last socket closed at `absent_ms`.
    pub(super) fn schedule_absence(&self, key: VisitorKey, absent_ms: i64) {
        let store = self.clone();
        let (grace, hold) = (self.0.rules.grace, self.0.rules.hold);
        tokio::spawn(async move {
            tokio::time::sleep(grace.min(hold)).await;
            store.absence_tick(&key, absent_ms, 30).await;
            tokio::time::sleep(grace.max(hold) - grace.min(hold)).await;
            store.absence_tick(&key, absent_ms, 30).await;
        });
    }

    pub(super) async fn absence_tick(&self, key: &VisitorKey, absent_ms: i64, attempts: u32) {
        let k = VisitorKeys::of(key);
        let args = vec![
            absent_ms.to_string(),
            self.0.rules.grace.as_millis().to_string(),
            self.0.rules.hold.as_millis().to_string(),
            sock_frame(ServerFrame::VisitorConn, false),
            k.channel.clone(),
            key.visitor.to_string(),
            keys::absent_member(key, absent_ms),
        ];
        // Retried until Redis answers (the checks are also in `pabsent`, which every node sweeps).
        for attempt in 0..attempts {
            match self
                .run(
                    &self.0.scripts.tick,
                    vec![
                        k.state.clone(),
                        k.socks.clone(),
                        k.held.clone(),
                        k.group.clone(),
                        keys::ABSENT.to_owned(),
                    ],
                    args.clone(),
                )
                .await
            {
                Ok(reply) => {
                    self.absent(key, &reply, absent_ms);
                    return;
                }
                Err(e) if attempt == 0 => {
                    tracing::warn!(error = %e, "absence check failed; retrying")
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// `visitor.absent`, when this absence check is the one that ended an announced presence.
    fn absent(&self, key: &VisitorKey, reply: &[Value], absent_ms: i64) {
        if status(reply) != 2 {
            return;
        }
        let presence = text(reply.get(1));
        let ts: u64 = text(reply.get(2)).parse().unwrap_or(0);
        let away = Duration::from_millis(now_ms().saturating_sub(absent_ms.max(0) as u64));
        let stamped = || {
            let map: PresenceMap = serde_json::from_str(&presence).unwrap_or_default();
            Stamped {
                map: &map,
                timestamp: ts,
            }
            .to_map()
        };
        visitor_absent(&self.0.rules.webhooks, key, stamped, away);
    }

    /// Closes socket `r` of `key` in Redis (own or a dead node's), scheduling the grace checks.
    pub(super) async fn close_sock(
        &self,
        key: &VisitorKey,
        node: &str,
        r: &str,
    ) -> Result<(), StoreError> {
        let k = VisitorKeys::of(key);
        let reply = self
            .run(
                &self.0.scripts.close,
                vec![k.state, k.socks, node_socks(node), keys::ABSENT.to_owned()],
                vec![
                    r.to_owned(),
                    sock_member(key, r),
                    sock_frame(ServerFrame::VisitorSock, false),
                    k.channel,
                    self.0
                        .rules
                        .grace
                        .min(self.0.rules.hold)
                        .as_millis()
                        .to_string(),
                    format!("{}|{}", key.group, key.visitor),
                ],
            )
            .await?;
        if status(&reply) == 1 {
            let absent = reply.get(1).and_then(|v| v.as_i64()).unwrap_or(0);
            self.schedule_absence(key.clone(), absent);
        }
        Ok(())
    }

    /// Registers a local visitor socket in Redis (also used to re-register after Redis returns).
    pub(super) async fn register(
        &self,
        key: &VisitorKey,
        conn: ConnId,
    ) -> Result<Vec<Value>, StoreError> {
        let k = VisitorKeys::of(key);
        let r = sock_ref(&self.0.node, conn);
        let args = vec![
            r.clone(),
            key.visitor.to_string(),
            sock_member(key, &r),
            self.0.rules.sockets_per_visitor.to_string(),
            sock_frame(ServerFrame::VisitorSock, true),
            sock_frame(ServerFrame::VisitorConn, true),
            k.channel,
        ];
        self.run(
            &self.0.scripts.open,
            vec![k.state, k.socks, k.held, k.group, node_socks(&self.0.node)],
            args,
        )
        .await
    }
}
