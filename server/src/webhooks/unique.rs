//! `unique.expired`: a guest code (unique visitor id) lapses when its deadline passes without a
//! renewal. The store lets lapsed ids go silently, so the node that handed a code out keeps its
//! deadline; when it passes, it asks the store (renewals may have come through any node) and
//! either waits for the new deadline or emits the event. One node follows each code, so the event
//! goes out once (a code whose node died goes without it).

use super::event::{Event, EventType};
use super::Webhooks;
use crate::store::{now_ms, Store};
use glance_protocol::{GroupId, VisitorId};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Codes followed at once; past it new ones are not followed (logged once).
const MAX_FOLLOWED: usize = 1 << 20;
/// New codes waiting for the task.
const QUEUE: usize = 4096;
/// When the store cannot be asked, ask again after this.
const RETRY_MS: u64 = 1000;

/// Tells the follower about a new code.
#[derive(Clone)]
pub struct UniqueDeadlines(mpsc::Sender<(GroupId, u64, u64)>);

impl UniqueDeadlines {
    /// Starts the follower; it asks `store` and emits through `hooks`.
    pub fn start(hooks: Webhooks, store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(follow(rx, hooks, store));
        Self(tx)
    }

    /// Code `number` of `group` lapses at `until_ms` (ms since the epoch) unless renewed.
    pub fn follow(&self, group: GroupId, number: u64, until_ms: u64) {
        let _ = self.0.try_send((group, number, until_ms));
    }
}

async fn follow(
    mut rx: mpsc::Receiver<(GroupId, u64, u64)>,
    hooks: Webhooks,
    store: Arc<dyn Store>,
) {
    let mut due: BTreeSet<(u64, GroupId, u64)> = BTreeSet::new();
    let mut warned = false;
    loop {
        let wait = due.first().map_or(Duration::from_secs(3600), |(t, ..)| {
            Duration::from_millis(t.saturating_sub(now_ms()))
        });
        tokio::select! {
            got = rx.recv() => {
                let Some((group, number, until)) = got else { return };
                if due.len() >= MAX_FOLLOWED {
                    if !warned {
                        warned = true;
                        tracing::warn!("too many guest codes to follow: some unique.expired events will be missing");
                    }
                    continue;
                }
                due.insert((until, group, number));
            }
            () = tokio::time::sleep(wait) => {
                while let Some(&(t, group, number)) = due.first() {
                    if t > now_ms() {
                        break;
                    }
                    due.pop_first();
                    match store.unique_until(number).await {
                        Ok(Some(until)) => {
                            due.insert((until, group, number));
                        }
                        Ok(None) => {
                            let visitor = VisitorId::unique(number);
                            hooks.emit(
                                Event::visitor(EventType::UniqueExpired, group, &visitor)
                                    .with("uniqueid", number.to_string()),
                            );
                        }
                        Err(_) => {
                            due.insert((now_ms() + RETRY_MS, group, number));
                        }
                    }
                }
            }
        }
    }
}
