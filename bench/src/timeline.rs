//! The server's memory and open files over a long run (`soak`): readings taken every few seconds
//! and the least-squares slope through them.

use serde::Serialize;

/// One reading of the server.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Reading {
    /// Seconds since the timed part started.
    pub at_secs: f64,
    /// `VmRSS`, bytes.
    pub rss_bytes: u64,
    /// Entries of `/proc/<pid>/fd`.
    pub open_files: u64,
}

impl Reading {
    /// Reads `pid` now; `None` when the process is gone.
    pub fn take(pid: u32, at_secs: f64) -> Option<Self> {
        Some(Self {
            at_secs,
            rss_bytes: crate::procstat::sample(pid)?.rss_bytes,
            open_files: crate::procstat::open_files(pid)?,
        })
    }
}

/// The least-squares slope of `(x, y)` points, in y per x; `None` under two distinct x.
pub fn slope(points: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let points: Vec<(f64, f64)> = points.into_iter().collect();
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (points.len() >= 2 && sxx > 0.0).then(|| sxy / sxx)
}

/// RSS slope of `readings`, bytes per minute.
pub fn rss_bytes_per_min(readings: &[Reading]) -> Option<f64> {
    slope(
        readings
            .iter()
            .map(|r| (r.at_secs / 60.0, r.rss_bytes as f64)),
    )
}

/// Open-files slope of `readings`, per minute.
pub fn open_files_per_min(readings: &[Reading]) -> Option<f64> {
    slope(
        readings
            .iter()
            .map(|r| (r.at_secs / 60.0, r.open_files as f64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_and_of_too_few_points() {
        let line = (0..10).map(|x| (f64::from(x), 3.0 * f64::from(x) + 7.0));
        assert!((slope(line).unwrap() - 3.0).abs() < 1e-9);
        assert_eq!(slope([(1.0, 2.0)]), None);
        assert_eq!(slope([(1.0, 2.0), (1.0, 5.0)]), None);
        let flat = [(0.0, 5.0), (1.0, 6.0), (2.0, 5.0), (3.0, 6.0)];
        assert!(slope(flat).unwrap().abs() < 0.5);
    }
}
