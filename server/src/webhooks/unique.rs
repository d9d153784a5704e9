//! `unique.expired`: a guest code (unique visitor id) lapses when its deadline passes without a
//! renewal. The store lets lapsed ids go silently, so this node keeps the deadlines of the codes
//! it handed out or renewed, and emits the event when one passes.

use super::event::{Event, EventType};
use super::Webhooks;
use glance_protocol::{GroupId, VisitorId};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;

/// Codes followed at once; past it new ones are not followed (logged once).
const MAX_FOLLOWED: usize = 1 << 20;
/// Deadline changes waiting for the task.
const QUEUE: usize = 4096;

/// Tells the follower about a code's new deadline.
#[derive(Clone)]
pub struct UniqueDeadlines(mpsc::Sender<(GroupId, u64, u64)>);

impl UniqueDeadlines {
    /// Starts the follower; it emits through `hooks`.
    pub fn start(hooks: Webhooks) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(follow(rx, hooks));
        Self(tx)
    }

    /// Code `number` of `group` now lapses at `until_ms` (ms since the epoch).
    pub fn set(&self, group: GroupId, number: u64, until_ms: u64) {
        let _ = self.0.try_send((group, number, until_ms));
    }
}

async fn follow(mut rx: mpsc::Receiver<(GroupId, u64, u64)>, hooks: Webhooks) {
    let mut by_time: BTreeSet<(u64, GroupId, u64)> = BTreeSet::new();
    let mut deadline: HashMap<(GroupId, u64), u64> = HashMap::new();
    let mut warned = false;
    loop {
        let next = by_time.first().map(|(t, ..)| *t);
        let wait = next.map_or(Duration::from_secs(3600), |t| {
            Duration::from_millis(t.saturating_sub(crate::store::now_ms()))
        });
        tokio::select! {
            got = rx.recv() => {
                let Some((group, number, until)) = got else { return };
                if let Some(old) = deadline.insert((group, number), until) {
                    by_time.remove(&(old, group, number));
                } else if deadline.len() > MAX_FOLLOWED {
                    deadline.remove(&(group, number));
                    if !warned {
                        warned = true;
                        tracing::warn!("too many guest codes to follow: some unique.expired events will be missing");
                    }
                    continue;
                }
                by_time.insert((until, group, number));
            }
            () = tokio::time::sleep(wait) => {
                let now = crate::store::now_ms();
                while let Some(&(t, group, number)) = by_time.first() {
                    if t > now {
                        break;
                    }
                    by_time.pop_first();
                    deadline.remove(&(group, number));
                    let visitor = VisitorId::unique(number);
                    hooks.emit(
                        Event::visitor(EventType::UniqueExpired, group, &visitor)
                            .with("uniqueid", number.to_string()),
                    );
                }
            }
        }
    }
}
