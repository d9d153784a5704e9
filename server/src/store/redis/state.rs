//! A visitor's state hash: reading it, and the presence compare-and-set.

use super::keys::VisitorKeys;
use super::reply::{status, text, unavailable};
use super::{RedisStore, PRESENCE_ATTEMPTS};
use crate::store::{now_ms, Stamped, StoreError, VisitorKey};
use crate::webhooks::hooks::visitor_present;
use fred::prelude::*;
use glance_protocol::{PresenceMap, ServerFrame, Visibility};

/// The fields of a visitor's state hash that the store reads.
pub(super) struct VisitorState {
    pub(super) present: bool,
    pub(super) presence: PresenceMap,
    pub(super) ts: u64,
    pub(super) visibility: Option<Visibility>,
    pub(super) pver: String,
}

impl RedisStore {
    /// Reads the parts of a visitor's state hash.
    pub(super) async fn state(&self, key: &VisitorKey) -> Result<VisitorState, StoreError> {
        let k = VisitorKeys::of(key);
        let fields: Vec<Option<String>> = self
            .client()
            .hmget(&k.state, vec!["present", "presence", "ts", "vis", "pver"])
            .await
            .map_err(unavailable)?;
        let get = |i: usize| fields.get(i).cloned().flatten();
        let presence: PresenceMap = get(1)
            .and_then(|p: String| serde_json::from_str(&p).ok())
            .unwrap_or_default();
        Ok(VisitorState {
            present: get(0).as_deref() == Some("1"),
            presence,
            ts: get(2).and_then(|t| t.parse().ok()).unwrap_or(0),
            visibility: match get(3).as_deref() {
                Some("hidden") => Some(Visibility::Hidden),
                Some("visible") => Some(Visibility::Visible),
                _ => None,
            },
            pver: get(4).unwrap_or_else(|| "0".into()),
        })
    }

    /// Relays a visitor event (and records visibility); returns the connection that lost focus.
    pub(super) async fn relay(
        &self,
        key: &VisitorKey,
        r: String,
        f: String,
        vis: &str,
    ) -> Result<String, StoreError> {
        let k = VisitorKeys::of(key);
        let reply = self
            .run(
                &self.0.scripts.event,
                vec![k.state, k.socks],
                vec![r, f, k.channel, vis.into()],
            )
            .await?;
        Ok(text(reply.get(1)))
    }

    pub(super) async fn update_presence(
        &self,
        key: &VisitorKey,
        r: &str,
        patch: PresenceMap,
    ) -> Result<String, StoreError> {
        let k = VisitorKeys::of(key);
        for _ in 0..PRESENCE_ATTEMPTS {
            let state = self.state(key).await?;
            let mut merged = state.presence;
            for (name, v) in &patch {
                if v.is_null() {
                    merged.remove(name);
                } else {
                    merged.insert(name.clone(), v.clone());
                }
            }
            self.0.rules.presence.check_json(&merged)?;
            let ts = now_ms();
            let relay = serde_json::to_string(&ServerFrame::Presence(Stamped {
                map: &merged,
                timestamp: ts,
            }))
            .unwrap_or_default();
            let stored = serde_json::to_string(&merged).unwrap_or_default();
            let args = vec![
                r.to_owned(),
                relay,
                k.channel.clone(),
                state.pver,
                stored,
                ts.to_string(),
            ];
            let reply = self
                .run(
                    &self.0.scripts.presence,
                    vec![k.state.clone(), k.socks.clone()],
                    args,
                )
                .await?;
            match status(&reply) {
                -1 => continue,
                0 => {
                    if reply.get(2).and_then(|v| v.as_i64()) == Some(1) {
                        let stamped = Stamped {
                            map: &merged,
                            timestamp: ts,
                        };
                        visitor_present(&self.0.rules.webhooks, key, || stamped.to_map());
                    }
                    return Ok(text(reply.get(1)));
                }
                _ => return Ok(String::new()),
            }
        }
        Err(StoreError::Unavailable(
            "presence kept changing; try again".into(),
        ))
    }
}
