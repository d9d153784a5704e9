//! Connection admission: how many TCP connections the node holds, per peer address and in all.
//!
//! Every accepted connection takes a [`Ticket`] for as long as it lives (an upgraded WebSocket
//! included); the ticket gives its place back on drop. A connection over a cap is not dropped in
//! silence: it is admitted to a small *overflow lane* whose requests are answered at once with
//! 503 and `Connection: close`, except `/healthz`, so the load balancer still sees the node alive
//! while established sessions go on. Past the lane, a connection is closed as soon as it is
//! accepted. The global cap stays below the process's file limit, so the listener itself never
//! runs out of descriptors and `accept` keeps working.

use crate::config::Limits;
use crate::metrics::Metrics;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::{Arc, Mutex, MutexGuard};

/// Connections the overflow lane holds at most (each lives one short request).
pub const OVERFLOW_LANE: usize = 32;
/// Descriptors kept free for everything that is not a client connection (Redis, static files,
/// the listener, logs), at least; a tenth of the limit when that is more.
const FD_RESERVE: u64 = 64;

/// Why a connection went to the overflow lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// Its address holds `connections_per_address` already.
    Address,
    /// The node holds `max_connections` already.
    Global,
}

impl Over {
    /// Metric label.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Address => "addresscap",
            Self::Global => "globalcap",
        }
    }
}

/// Where an accepted connection goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Served normally.
    Normal,
    /// Over a cap: 503 for everything but `/healthz`, then closed.
    Overflow(Over),
}

#[derive(Default)]
struct Counts {
    by_address: HashMap<IpAddr, u32>,
    total: usize,
    overflow: usize,
}

/// The node's connection counts and caps.
pub struct Admission {
    counts: Mutex<Counts>,
    per_address: u32,
    global: usize,
    metrics: Arc<Metrics>,
}

impl Admission {
    /// Caps from `[limits]`; the global cap is clamped below the file limit `files` (if known).
    pub fn new(limits: &Limits, files: Option<u64>, metrics: Arc<Metrics>) -> Arc<Self> {
        let global = global_cap(limits.max_connections, files);
        tracing::info!(
            max_connections = global,
            per_address = limits.connections_per_address,
            file_limit = files,
            "connection caps"
        );
        Arc::new(Self {
            counts: Mutex::new(Counts::default()),
            per_address: limits.connections_per_address.max(1),
            global,
            metrics,
        })
    }

    /// The effective global cap.
    pub fn global_cap(&self) -> usize {
        self.global
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // Short, panic-free sections: recover from poisoning.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits a connection from `addr`: a ticket for the normal or the overflow lane, or `None`
    /// when even the overflow lane is full (close it now). Counts every refusal.
    pub fn admit(self: &Arc<Self>, addr: IpAddr) -> Option<Arc<Ticket>> {
        let mut c = self.lock();
        let here = c.by_address.get(&addr).copied().unwrap_or(0);
        let over = if here >= self.per_address {
            Some(Over::Address)
        } else if c.total >= self.global {
            Some(Over::Global)
        } else {
            None
        };
        let lane = match over {
            None => {
                c.total += 1;
                *c.by_address.entry(addr).or_insert(0) += 1;
                self.metrics.tcp_connection(1);
                Lane::Normal
            }
            Some(over) if c.overflow < OVERFLOW_LANE => {
                c.overflow += 1;
                self.metrics.disconnect(over.reason());
                Lane::Overflow(over)
            }
            Some(over) => {
                drop(c);
                self.metrics.disconnect(over.reason());
                return None;
            }
        };
        Some(Arc::new(Ticket {
            admission: self.clone(),
            addr,
            lane,
            requests: AtomicU32::new(0),
            partial: AtomicBool::new(false),
            upgraded: AtomicBool::new(false),
        }))
    }

    fn release(&self, ticket: &Ticket) {
        let mut c = self.lock();
        match ticket.lane {
            Lane::Normal => {
                c.total = c.total.saturating_sub(1);
                if let Some(n) = c.by_address.get_mut(&ticket.addr) {
                    *n -= 1;
                    if *n == 0 {
                        c.by_address.remove(&ticket.addr);
                    }
                }
                self.metrics.tcp_connection(-1);
            }
            Lane::Overflow(_) => c.overflow = c.overflow.saturating_sub(1),
        }
    }

    /// Counts a connection the server cut.
    pub fn cut(&self, reason: &'static str) {
        self.metrics.disconnect(reason);
    }
}

/// One admitted connection's place, and what the HTTP layer told about it. Shared by the
/// connection's stream and (as a request extension) by its requests.
pub struct Ticket {
    admission: Arc<Admission>,
    addr: IpAddr,
    /// The lane it was admitted to.
    pub lane: Lane,
    /// Requests whose head hyper finished reading.
    pub requests: AtomicU32,
    /// Bytes arrived since the last request head or response write: a request is half-sent.
    pub partial: AtomicBool,
    /// Switched to a WebSocket.
    pub upgraded: AtomicBool,
}

impl Ticket {
    /// The peer's address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// Counts a cut of this connection.
    pub fn cut(&self, reason: &'static str) {
        self.admission.cut(reason);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admission.release(self);
    }
}

/// The global cap: the configured one (0: as many as the file limit allows), never closer to
/// the file limit than the reserve and the overflow lane.
fn global_cap(configured: usize, files: Option<u64>) -> usize {
    let Some(files) = files else {
        return if configured == 0 { 10_000 } else { configured };
    };
    let reserve = FD_RESERVE.max(files / 10) + OVERFLOW_LANE as u64;
    let room = files.saturating_sub(reserve).max(1) as usize;
    if configured == 0 {
        room
    } else if configured > room {
        tracing::warn!(
            configured,
            room,
            files,
            "limits.max_connections is above what the file limit allows: lowered"
        );
        room
    } else {
        configured
    }
}

/// The soft limit of open files of this process (Linux: `/proc/self/limits`); `None` elsewhere
/// or when unlimited.
pub fn file_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_cap_stays_below_the_file_limit() {
        assert_eq!(global_cap(0, Some(400)), 400 - 64 - 32);
        assert_eq!(global_cap(0, Some(20_000)), 20_000 - 2_000 - 32);
        assert_eq!(global_cap(5, Some(400)), 5);
        assert_eq!(global_cap(100_000, Some(400)), 400 - 64 - 32);
        assert_eq!(global_cap(0, None), 10_000);
    }

    #[test]
    fn the_file_limit_is_read() {
        if cfg!(target_os = "linux") {
            assert!(file_limit().is_some_and(|n| n > 0));
        }
    }

    #[tokio::test]
    async fn caps_send_connections_to_the_overflow_lane_then_refuse_them() {
        let limits = Limits {
            connections_per_address: 2,
            max_connections: 3,
            ..Limits::default()
        };
        let a = Admission::new(&limits, None, Arc::new(Metrics::new()));
        let one: IpAddr = [127, 0, 0, 2].into();
        let two: IpAddr = [127, 0, 0, 3].into();
        let held: Vec<_> = (0..2).map(|_| a.admit(one).expect("admitted")).collect();
        assert!(held.iter().all(|t| t.lane == Lane::Normal));
        let over = a.admit(one).expect("overflow lane");
        assert_eq!(over.lane, Lane::Overflow(Over::Address));
        let third = a.admit(two).expect("admitted");
        assert_eq!(third.lane, Lane::Normal);
        assert_eq!(
            a.admit(two).map(|t| t.lane),
            Some(Lane::Overflow(Over::Global))
        );
        let lane: Vec<_> = (0..OVERFLOW_LANE).filter_map(|_| a.admit(two)).collect();
        assert_eq!(lane.len(), OVERFLOW_LANE - 1, "the lane is bounded");
        assert!(a.admit(two).is_none());
        drop(held);
        assert_eq!(a.admit(one).map(|t| t.lane), Some(Lane::Normal));
    }
}
