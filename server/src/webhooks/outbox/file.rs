//! The single node's outbox: a redb file (an embedded, crash-safe B-tree store: a commit is on
//! disk when it returns). Keys are `(endpoint, sequence)`, so each endpoint's queue is one key
//! range in order.
//!
//! The file is the durable copy; the queues are also held in memory (bounded by the same
//! `max_events` / `max_bytes` as the file), so looking at a queue's head costs no disk access.
//! Appends commit durably before they return. Removals are taken out of memory at once and out of
//! the file in batches ([`FLUSH_EVERY`], without waiting for the disk): a crash loses at most the
//! last removals, which means one more delivery of those messages under the same `webhook-id`,
//! as at-least-once allows, and delivering does not cost a disk commit per message.

use super::{backend, Bounds, Depth, Dropped, Outbox, OutboxError, Pending, Slot};
use crate::webhooks::event::Message;
use async_trait::async_trait;
use redb::{Database, Durability, ReadableTable, TableDefinition};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const MESSAGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("messages");

/// How long the writer gathers events after the first before it commits them together: a
/// durable commit costs far more than the events in it, so this trades a few milliseconds of
/// latency for much less CPU at moderate rates (docs/BENCHMARKS.md, "Webhooks").
pub const WRITE_WINDOW: Duration = Duration::from_millis(5);

/// How often delivered messages are deleted from the file.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Default)]
struct Queue {
    next: u64,
    /// Messages below this sequence are on disk: only those are handed out.
    committed: u64,
    bytes: u64,
    /// The messages in order, with their sequence and stored size.
    pending: VecDeque<(u64, Message, u64)>,
    /// Sequences removed from `pending` and not yet from the file.
    removed: Vec<u64>,
}

struct Inner {
    db: Database,
    bounds: Bounds,
    queues: Mutex<HashMap<String, Queue>>,
    /// Serializes write transactions (redb allows one at a time; this keeps the order of a
    /// batch's memory update and its commit).
    writing: Mutex<()>,
}

/// The redb [`Outbox`].
#[derive(Clone)]
pub struct FileOutbox(Arc<Inner>);

impl FileOutbox {
    /// Opens (or creates) the file at `path`, creating its folder, reads what it holds, and
    /// starts the task deleting delivered messages.
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
                q.committed = q.next;
                let size = v.value().len() as u64;
                match serde_json::from_slice::<Message>(v.value()) {
                    Ok(message) => {
                        q.bytes += size;
                        q.pending.push_back((seq, message, size));
                    }
                    // Unreadable (written by another version?): dropped at the next flush.
                    Err(_) => q.removed.push(seq),
                }
            }
        }
        let outbox = Self(Arc::new(Inner {
            db,
            bounds,
            queues: Mutex::new(queues),
            writing: Mutex::new(()),
        }));
        let weak = Arc::downgrade(&outbox.0);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(FLUSH_EVERY).await;
                let Some(inner) = weak.upgrade() else { return };
                let this = FileOutbox(inner);
                if let Err(e) = blocking(move || this.flush_removed()).await {
                    tracing::warn!(error = %e, "cannot delete delivered webhook messages; will retry");
                }
            }
        });
        Ok(outbox)
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<String, Queue>> {
        // Short sections without panics: recover if poisoned.
        self.0.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn append_now(&self, batch: Vec<(String, Message)>) -> Result<Vec<Dropped>, OutboxError> {
        let _writing = self.0.writing.lock().unwrap_or_else(|e| e.into_inner());
        let bounds = self.0.bounds;
        let mut encoded = Vec::with_capacity(batch.len());
        for (endpoint, message) in batch {
            let bytes = serde_json::to_vec(&message).map_err(backend)?;
            encoded.push((endpoint, message, bytes));
        }
        // Plan under the lock: sequences, and which old messages the bounds push out.
        let mut plan: Vec<(String, u64, Vec<u8>)> = Vec::with_capacity(encoded.len());
        let mut trims: Vec<(String, u64)> = Vec::new();
        let mut dropped: HashMap<String, u64> = HashMap::new();
        {
            let mut queues = self.queues();
            for (endpoint, message, bytes) in encoded {
                let q = queues.entry(endpoint.clone()).or_default();
                let seq = q.next;
                q.next += 1;
                let size = bytes.len() as u64;
                q.bytes += size;
                q.pending.push_back((seq, message, size));
                plan.push((endpoint.clone(), seq, bytes));
                while q.pending.len() as u64 > bounds.max_events || q.bytes > bounds.max_bytes {
                    let Some((old, _, len)) = q.pending.pop_front() else {
                        break;
                    };
                    q.bytes = q.bytes.saturating_sub(len);
                    trims.push((endpoint.clone(), old));
                    *dropped.entry(endpoint.clone()).or_default() += 1;
                }
            }
        }
        let written = (|| {
            let txn = self.0.db.begin_write().map_err(backend)?;
            {
                let mut table = txn.open_table(MESSAGES).map_err(backend)?;
                for (endpoint, seq, bytes) in &plan {
                    table
                        .insert((endpoint.as_str(), *seq), bytes.as_slice())
                        .map_err(backend)?;
                }
                for (endpoint, seq) in &trims {
                    table.remove((endpoint.as_str(), *seq)).map_err(backend)?;
                }
            }
            txn.commit().map_err(backend)
        })();
        let mut queues = self.queues();
        for (endpoint, seq, _) in &plan {
            let Some(q) = queues.get_mut(endpoint) else {
                continue;
            };
            if written.is_ok() {
                q.committed = q.committed.max(seq + 1);
            } else if let Some(pos) = q.pending.iter().position(|(s, ..)| s == seq) {
                // Not on disk: out of memory too (the writer tries the batch again).
                if let Some((_, _, len)) = q.pending.remove(pos) {
                    q.bytes = q.bytes.saturating_sub(len);
                }
            }
        }
        drop(queues);
        written?;
        Ok(dropped
            .into_iter()
            .map(|(endpoint, count)| Dropped { endpoint, count })
            .collect())
    }

    /// Deletes the removed messages from the file, in one transaction that does not wait for
    /// the disk.
    fn flush_removed(&self) -> Result<(), OutboxError> {
        let _writing = self.0.writing.lock().unwrap_or_else(|e| e.into_inner());
        let removed: Vec<(String, Vec<u64>)> = self
            .queues()
            .iter_mut()
            .filter(|(_, q)| !q.removed.is_empty())
            .map(|(e, q)| (e.clone(), std::mem::take(&mut q.removed)))
            .collect();
        if removed.is_empty() {
            return Ok(());
        }
        let mut txn = self.0.db.begin_write().map_err(backend)?;
        txn.set_durability(Durability::Eventual);
        {
            let mut table = txn.open_table(MESSAGES).map_err(backend)?;
            for (endpoint, seqs) in &removed {
                for seq in seqs {
                    table.remove((endpoint.as_str(), *seq)).map_err(backend)?;
                }
            }
        }
        txn.commit().map_err(backend)
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
        let queues = self.queues();
        Ok(queues
            .get(endpoint)
            .and_then(|q| q.pending.front().filter(|(seq, ..)| *seq < q.committed))
            .map(|(seq, message, _)| Pending {
                slot: Slot(seq.to_string()),
                message: message.clone(),
            }))
    }

    async fn remove(&self, endpoint: &str, slot: &Slot) -> Result<(), OutboxError> {
        let Ok(seq) = slot.0.parse::<u64>() else {
            return Ok(());
        };
        let mut queues = self.queues();
        if let Some(q) = queues.get_mut(endpoint) {
            if let Some(pos) = q.pending.iter().position(|(s, ..)| *s == seq) {
                if let Some((_, _, len)) = q.pending.remove(pos) {
                    q.bytes = q.bytes.saturating_sub(len);
                    q.removed.push(seq);
                }
            }
        }
        Ok(())
    }

    fn write_window(&self) -> Duration {
        WRITE_WINDOW
    }

    async fn depth(&self, endpoint: &str) -> Result<Depth, OutboxError> {
        let queues = self.queues();
        // What is on disk: the committed prefix of the queue.
        Ok(queues.get(endpoint).map_or(Depth::default(), |q| {
            let on_disk = q.pending.partition_point(|(seq, ..)| *seq < q.committed);
            Depth {
                events: on_disk as u64,
                bytes: q.pending.iter().take(on_disk).map(|(.., len)| len).sum(),
            }
        }))
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
        outbox.flush_removed().unwrap();
        drop(outbox);
        let again = FileOutbox::open(&path, bounds).unwrap();
        assert_eq!(again.depth("e").await.unwrap().events, 2);
        assert_eq!(again.head("e").await.unwrap().unwrap().message.id, "msg_3");
        assert!(again.head("other").await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
