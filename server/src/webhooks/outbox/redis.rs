//! The cluster's outbox: one Redis stream per endpoint (`pwh:{endpoint}`), shared by every node.
//!
//! The node that decides a transition appends its event once (`XADD`), so each endpoint gets it
//! once, not once per node. One node at a time delivers an endpoint's stream: the one holding its
//! lease (`pwh:{endpoint}:lease`, a key with a short expiry that the holder renews at every look
//! at the head). Delivering in order from the head keeps each visitor's events in order; a node
//! that dies stops renewing, its lease lapses, and another node takes the stream over from the
//! same head: nothing it had not finished is lost, at worst the message it was sending goes out
//! again under the same `webhook-id`.
//!
//! Why a lease rather than a consumer group: a group spreads a stream's entries over its
//! consumers, which breaks per-visitor order unless a single consumer reads at a time, and that
//! single reader is exactly what the lease gives; the stream's head then plays the part of the
//! group's pending list, and taking over needs no `XAUTOCLAIM`.
//!
//! Bounds: each append trims the stream from the front (and a byte counter beside it,
//! `pwh:{endpoint}:bytes`) in the same script, and returns how many it dropped.

use super::{backend, Bounds, Depth, Dropped, Outbox, OutboxError, Pending, Slot};
use crate::webhooks::event::Message;
use async_trait::async_trait;
use fred::prelude::*;
use fred::types::scripts::Script;
use std::time::Duration;

/// KEYS stream bytes; ARGV message size max_events max_bytes. Returns the number dropped.
const APPEND: &str = r#"
local key, bkey = KEYS[1], KEYS[2]
local maxn, maxb = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('XADD', key, '*', 's', ARGV[2], 'm', ARGV[1])
local bytes = redis.call('INCRBY', bkey, tonumber(ARGV[2]))
local dropped = 0
while redis.call('XLEN', key) > maxn or bytes > maxb do
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1]
  if not first then break end
  redis.call('XDEL', key, first[1])
  bytes = redis.call('DECRBY', bkey, tonumber(first[2][2]))
  dropped = dropped + 1
end
return dropped
"#;

/// KEYS stream lease; ARGV node ttl_ms. Takes or renews the lease; returns {} when another node
/// holds it or the stream is empty, else {id, message}.
const HEAD: &str = r#"
local holder = redis.call('GET', KEYS[2])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
elseif not holder then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
else
  return {}
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not first then return {} end
return {first[1], first[2][4]}
"#;

/// KEYS stream bytes; ARGV id. Removes the entry if it is still there.
const REMOVE: &str = r#"
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])[1]
if e then
  redis.call('XDEL', KEYS[1], ARGV[1])
  redis.call('DECRBY', KEYS[2], tonumber(e[2][2]))
end
return 1
"#;

/// KEYS stream bytes. {length, bytes}.
const DEPTH: &str = r#"
return {redis.call('XLEN', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0')}
"#;

/// How long a lease lasts without renewal: a dead node's endpoints move on after this.
pub const LEASE: Duration = Duration::from_secs(3);

/// The Redis [`Outbox`].
pub struct RedisOutbox {
    client: Client,
    node: String,
    bounds: Bounds,
    append: Script,
    head: Script,
    remove: Script,
    depth: Script,
}

fn keys(endpoint: &str) -> (String, String, String) {
    let base = format!("pwh:{{{endpoint}}}");
    (
        base.clone(),
        format!("{base}:bytes"),
        format!("{base}:lease"),
    )
}

impl RedisOutbox {
    /// Connects to Redis at `url`, as `node` (the lease holder's name).
    pub async fn connect(url: &str, node: String, bounds: Bounds) -> Result<Self, OutboxError> {
        let config = Config::from_url(url).map_err(backend)?;
        let client = Builder::from_config(config)
            .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(2))
            .with_connection_config(|c| c.connection_timeout = Duration::from_secs(2))
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build()
            .map_err(backend)?;
        client.init().await.map_err(backend)?;
        Ok(Self {
            client,
            node,
            bounds,
            append: Script::from_lua(APPEND),
            head: Script::from_lua(HEAD),
            remove: Script::from_lua(REMOVE),
            depth: Script::from_lua(DEPTH),
        })
    }

    async fn run(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<Vec<Value>, OutboxError> {
        let reply: Value = script
            .evalsha_with_reload(&self.client, keys, args)
            .await
            .map_err(backend)?;
        Ok(match reply {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        })
    }
}

#[async_trait]
impl Outbox for RedisOutbox {
    async fn append(&self, batch: Vec<(String, Message)>) -> Result<Vec<Dropped>, OutboxError> {
        let mut dropped: Vec<Dropped> = Vec::new();
        for (endpoint, message) in batch {
            let json = serde_json::to_string(&message).map_err(backend)?;
            let (stream, bytes, _) = keys(&endpoint);
            let size = json.len().to_string();
            let reply = self
                .run(
                    &self.append,
                    vec![stream, bytes],
                    vec![
                        json,
                        size,
                        self.bounds.max_events.to_string(),
                        self.bounds.max_bytes.to_string(),
                    ],
                )
                .await?;
            let count = reply.first().and_then(Value::as_i64).unwrap_or(0) as u64;
            if count > 0 {
                match dropped.iter_mut().find(|d| d.endpoint == endpoint) {
                    Some(d) => d.count += count,
                    None => dropped.push(Dropped { endpoint, count }),
                }
            }
        }
        Ok(dropped)
    }

    async fn head(&self, endpoint: &str) -> Result<Option<Pending>, OutboxError> {
        let (stream, _, lease) = keys(endpoint);
        let reply = self
            .run(
                &self.head,
                vec![stream, lease],
                vec![self.node.clone(), LEASE.as_millis().to_string()],
            )
            .await?;
        let (Some(id), Some(json)) = (
            reply.first().and_then(Value::as_string),
            reply.get(1).and_then(Value::as_string),
        ) else {
            return Ok(None);
        };
        let message: Message = serde_json::from_str(&json).map_err(backend)?;
        Ok(Some(Pending {
            slot: Slot(id),
            message,
        }))
    }

    async fn remove(&self, endpoint: &str, slot: &Slot) -> Result<(), OutboxError> {
        let (stream, bytes, _) = keys(endpoint);
        self.run(&self.remove, vec![stream, bytes], vec![slot.0.clone()])
            .await?;
        Ok(())
    }

    async fn depth(&self, endpoint: &str) -> Result<Depth, OutboxError> {
        let (stream, bytes, _) = keys(endpoint);
        let reply = self.run(&self.depth, vec![stream, bytes], vec![]).await?;
        let get = |i: usize| reply.get(i).and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
        Ok(Depth {
            events: get(0),
            bytes: get(1),
        })
    }
}
