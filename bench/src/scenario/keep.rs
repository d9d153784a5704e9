//! Holding a socket open as an idle page does: keepalives at the server's interval, every inbound
//! frame handed to the scenario, until the run stops or the server closes.

use crate::client::{self, Ws};
use crate::worker::Phase;
use glance_protocol::{ClientFrame, JsonServerFrame};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

/// Counters shared by a worker's connection tasks.
#[derive(Debug, Default)]
pub struct Counters {
    /// Sockets that closed while they should have stayed open.
    pub unexpected_closes: AtomicU64,
    /// Keepalives sent.
    pub keepalives: AtomicU64,
}

impl Counters {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// How [`keep_alive`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The run is stopping; the socket was closed by us.
    Stopped,
    /// The server closed the socket (counted as unexpected).
    Closed,
}

/// Keeps `ws` open: the first keepalive after `first`, then every `interval`. Returns when the
/// phase becomes [`Phase::Stopping`] (closing the socket) or the server closes it.
pub async fn keep_alive(
    mut ws: Ws,
    interval: Duration,
    first: Duration,
    mut phase: watch::Receiver<Phase>,
    counters: &Counters,
    mut on_frame: impl FnMut(JsonServerFrame),
) -> Ended {
    let mut next = Instant::now() + first;
    loop {
        tokio::select! {
            () = sleep_until(next) => {
                next += interval;
                if client::send(&mut ws, &ClientFrame::Keepalive).await.is_err() {
                    Counters::bump(&counters.unexpected_closes);
                    return Ended::Closed;
                }
                Counters::bump(&counters.keepalives);
            }
            frame = client::recv(&mut ws) => match frame {
                Some(Ok(f)) => on_frame(f),
                Some(Err(_)) => {}
                None => {
                    if *phase.borrow() != Phase::Stopping {
                        Counters::bump(&counters.unexpected_closes);
                    }
                    return Ended::Closed;
                }
            },
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow() == Phase::Stopping {
                    client::close(ws).await;
                    return Ended::Stopped;
                }
            }
        }
    }
}
