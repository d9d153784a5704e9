//! One clock for every process of a run.
//!
//! Latency is measured across processes (a visitor in one worker, its agent in another), so a
//! timestamp travels inside the frame. `CLOCK_MONOTONIC` is system-wide on Linux and never jumps,
//! unlike the wall clock; `Instant` uses it too but cannot be serialized.

/// Microseconds on the system-wide monotonic clock.
pub fn mono_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}
