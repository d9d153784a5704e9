//! The single node's outbox: a redb file (an embedded, crash-safe B-tree store: a commit is on
//! disk when it returns). Keys are `(endpoint, sequence)`, so each endpoint's queue is one key
//! range in order. Appends commit durably; removals commit without waiting for the disk (a
//! removal lost in a crash means one more delivery of the same `webhook-id`, which at-least-once
//! allows), so delivering does not cost a disk flush per message.

use super::{backend, Bounds, Depth, Dropped, Outbox, OutboxError, Pending, Slot};
use crate::webhooks::event::Message;
use async_trait::async_trait;
use redb::{Database, Durability, ReadableTable, TableDefinition};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

const MESSAGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("messages");

#[derive(Debug, Default, Clone, Copy)]
struct Queue {
    next: u64,
    events: u64,
    bytes: u64,
}

struct Inner {
    db: Database,
    bounds: Bounds,
    /// Counts per endpoint, kept beside the file so bounds are checked without a scan.
    queues: Mutex<HashMap<String, Queue>>,
}

/// The redb [`Outbox`].
#[derive(Clone)]
pub struct FileOutbox(Arc<Inner>);

impl FileOutbox {
    /// Opens (or creates) the file at `path`, creating its folder, and counts what it holds.
    pub fn open(path: &Path, bounds: Bounds) -> Result<Self, OutboxError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| OutboxError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let db = Database::create(path)
            .map_err(|e| OutboxError(format!("cannot open {}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(backend)?;
        txn.open_table(MESSAGES).map_err(backend)?;
        txn.commit().map_err(backend)?;
        let mut queues: HashMap<String, Queue> = HashMap::new();
        {
            let read = db.begin_read().map_err(backend)?;
            let table = read.open_table(MESSAGES).map_err(backend)?;
            for item in table.iter().map_err(backend)? {
                let (k, v) = item.map_err(backend)?;
                let (endpoint, seq) = k.value();
                let q = queues.entry(endpoint.to_owned()).or_default();
                q.next = q.next.max(seq + 1);
                q.events += 1;
                q.bytes += v.value().len() as u64;
            }
        }
        Ok(Self(Arc::new(Inner {
            db,
            bounds,
            queues: Mutex::new(queues),
        })))
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<String, Queue>> {
        // Short sections without panics: recover if poisoned.
        self.0.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn append_now(&self, batch: Vec<(String, Message)>) -> Result<Vec<Dropped>, OutboxError> {
        let bounds = self.0.bounds;
        let txn = self.0.db.begin_write().map_err(backend)?;
        let mut queues = self.queues().clone();
        let mut dropped: HashMap<String, u64> = HashMap::new();
        {
            let mut table = txn.open_table(MESSAGES).map_err(backend)?;
            for (endpoint, message) in batch {
                let bytes = serde_json::to_vec(&message).map_err(backend)?;
                let q = queues.entry(endpoint.clone()).or_default();
                table
                    .insert((endpoint.as_str(), q.next), bytes.as_slice())
                    .map_err(backend)?;
                q.next += 1;
                q.events += 1;
                q.bytes += bytes.len() as u64;
                while q.events > bounds.max_events || q.bytes > bounds.max_bytes {
                    let first = table
                        .range((endpoint.as_str(), 0)..=(endpoint.as_str(), u64::MAX))
                        .map_err(backend)?
                        .next()
                        .transpose()
                        .map_err(backend)?
                        .map(|(k, v)| (k.value().1, v.value().len() as u64));
                    let Some((seq, len)) = first else { break };
                    table.remove((endpoint.as_str(), seq)).map_err(backend)?;
                    q.events -= 1;
                    q.bytes = q.bytes.saturating_sub(len);
                    *dropped.entry(endpoint.clone()).or_default() += 1;
                }
            }
        }
        txn.commit().map_err(backend)?;
        // Counts change only once the commit is on disk.
        *self.queues() = queues;
        Ok(dropped
            .into_iter()
            .map(|(endpoint, count)| Dropped { endpoint, count })
            .collect())
    }

    fn head_now(&self, endpoint: &str) -> Result<Option<Pending>, OutboxError> {
        let read = self.0.db.begin_read().map_err(backend)?;
        let table = read.open_table(MESSAGES).map_err(backend)?;
        let first = table
            .range((endpoint, 0)..=(endpoint, u64::MAX))
            .map_err(backend)?
            .next()
            .transpose()
            .map_err(backend)?;
        let Some((k, v)) = first else {
            return Ok(None);
        };
        let seq = k.value().1;
        let message: Message = serde_json::from_slice(v.value()).map_err(backend)?;
        Ok(Some(Pending {
            slot: Slot(seq.to_string()),
            message,
        }))
    }

    fn remove_now(&self, endpoint: &str, slot: &Slot) -> Result<(), OutboxError> {
        let Ok(seq) = slot.0.parse::<u64>() else {
            return Ok(());
        };
        let mut txn = self.0.db.begin_write().map_err(backend)?;
        txn.set_durability(Durability::Eventual);
        let removed = {
            let mut table = txn.open_table(MESSAGES).map_err(backend)?;
            let removed = table
                .remove((endpoint, seq))
                .map_err(backend)?
                .map(|v| v.value().len() as u64);
            removed
        };
        txn.commit().map_err(backend)?;
        if let Some(len) = removed {
            if let Some(q) = self.queues().get_mut(endpoint) {
                q.events = q.events.saturating_sub(1);
                q.bytes = q.bytes.saturating_sub(len);
            }
        }
        Ok(())
    }
}

/// Runs a blocking file operation off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, OutboxError> + Send + 'static,
) -> Result<T, OutboxError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| OutboxError(format!("outbox task failed: {e}")))?
}

#[async_trait]
impl Outbox for FileOutbox {
    async fn append(&self, batch: Vec<(String, Message)>) -> Result<Vec<Dropped>, OutboxError> {
        let this = self.clone();
        blocking(move || this.append_now(batch)).await
    }

    async fn head(&self, endpoint: &str) -> Result<Option<Pending>, OutboxError> {
        let (this, endpoint) = (self.clone(), endpoint.to_owned());
        blocking(move || this.head_now(&endpoint)).await
    }

    async fn remove(&self, endpoint: &str, slot: &Slot) -> Result<(), OutboxError> {
        let (this, endpoint, slot) = (self.clone(), endpoint.to_owned(), slot.clone());
        blocking(move || this.remove_now(&endpoint, &slot)).await
    }

    async fn depth(&self, endpoint: &str) -> Result<Depth, OutboxError> {
        let q = self.queues().get(endpoint).copied().unwrap_or_default();
        Ok(Depth {
            events: q.events,
            bytes: q.bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u64) -> Message {
        Message {
            id: format!("msg_{n}"),
            kind: "visitor.present".into(),
            lane: "v".into(),
            created_ms: n,
            body: "x".repeat(100),
        }
    }

    #[tokio::test]
    async fn keeps_order_bounds_and_survives_reopen() {
        let dir = std::env::temp_dir().join(format!("wh-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("o.redb");
        let bounds = Bounds {
            max_events: 3,
            max_bytes: 1 << 20,
        };
        let outbox = FileOutbox::open(&path, bounds).unwrap();
        let batch = (0..5).map(|n| ("e".to_owned(), message(n))).collect();
        let dropped = outbox.append(batch).await.unwrap();
        assert_eq!(
            dropped,
            vec![Dropped {
                endpoint: "e".into(),
                count: 2
            }]
        );
        let head = outbox.head("e").await.unwrap().unwrap();
        assert_eq!(head.message.id, "msg_2");
        outbox.remove("e", &head.slot).await.unwrap();
        assert_eq!(outbox.depth("e").await.unwrap().events, 2);
        drop(outbox);
        let again = FileOutbox::open(&path, bounds).unwrap();
        assert_eq!(again.depth("e").await.unwrap().events, 2);
        assert_eq!(again.head("e").await.unwrap().unwrap().message.id, "msg_3");
        assert!(again.head("other").await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
