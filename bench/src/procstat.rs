//! What `/proc/<pid>` tells about a process: resident memory, CPU time and its open-file cap.

use serde::Serialize;
use std::time::Instant;

/// One reading of a process.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ProcSample {
    /// `VmRSS`, bytes.
    pub rss_bytes: u64,
    /// `utime + stime` of all threads (live and exited), microseconds.
    pub cpu_us: u64,
    /// When it was taken.
    #[serde(skip)]
    pub at: Instant,
}

/// Reads `/proc/<pid>/status` and `/proc/<pid>/stat`. `None` when the process is gone.
pub fn sample(pid: u32) -> Option<ProcSample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are
    // fixed. utime and stime are fields 14 and 15, i.e. the 12th and 13th after it.
    let after = &stat[stat.rfind(')')? + 2..];
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(ProcSample {
        rss_bytes: rss_kib * 1024,
        cpu_us: (utime + stime) * 1_000_000 / clock_ticks(),
        at: Instant::now(),
    })
}

/// Kernel clock ticks per second (`utime` / `stime` unit), usually 100.
fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// The change between two readings.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ProcDelta {
    /// RSS growth, bytes (may be negative).
    pub rss_growth_bytes: i64,
    /// CPU time used, microseconds.
    pub cpu_us: u64,
    /// Wall time between the readings, seconds.
    pub wall_secs: f64,
}

impl ProcDelta {
    /// From `a` to `b`.
    pub fn between(a: &ProcSample, b: &ProcSample) -> Self {
        Self {
            rss_growth_bytes: b.rss_bytes as i64 - a.rss_bytes as i64,
            cpu_us: b.cpu_us.saturating_sub(a.cpu_us),
            wall_secs: b.at.duration_since(a.at).as_secs_f64(),
        }
    }

    /// Share of one core used over the interval (1.0 = one core busy).
    pub fn cores(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.cpu_us as f64 / 1e6 / self.wall_secs
        } else {
            0.0
        }
    }
}

/// The soft open-file limit of a process, from `/proc/<pid>/limits`.
pub fn open_file_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Raises this process's soft open-file limit to its hard limit (children inherit it) and
/// returns the result. The hard limit cannot be raised here.
pub fn raise_open_file_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1024;
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return raised.rlim_cur;
        }
    }
    lim.rlim_cur
}

/// Open files of a process: the entries of `/proc/<pid>/fd`.
pub fn open_files(pid: u32) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}
