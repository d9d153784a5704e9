//! What happens to the signals still queued when a connection ends: placed again through the
//! store for a visitor that left (a navigation), or dropped with their senders told.

use super::session::Session;
use crate::store::SignalOutcome;

impl Session {
    /// The signals queued for this visitor connection and never written go through the store
    /// again, in order: to another open connection of the visitor, or held for its next one
    /// within `timings.hold` (§3.4), as if they had been sent a moment later. Those the store
    /// cannot place (the visitor is gone, or the store failed) are dropped and their senders told.
    pub(super) async fn requeue_unsent(&self) {
        for (frame, notice) in self.outbox.take_signals() {
            self.state.metrics.signal("requeued");
            let placed = self
                .state
                .store
                .signal(&self.key, frame, notice.clone())
                .await;
            if !matches!(placed, Ok(SignalOutcome::Delivered | SignalOutcome::Held)) {
                self.state.metrics.signal("dropped");
                if let Some(notice) = notice {
                    notice.send();
                }
            }
        }
    }

    /// Counts `n` signals dropped unsent whose agents were told (§6: an ack means queued).
    pub(super) fn drop_unsent(&self, n: usize) {
        for _ in 0..n {
            self.state.metrics.signal("dropped");
        }
    }
}
