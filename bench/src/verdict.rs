//! The verdicts of a run: targets (a figure against an issue's target) and correctness checks.

use serde::Serialize;

/// A target and the measured value.
#[derive(Debug, Serialize)]
pub struct Target {
    /// What.
    pub name: &'static str,
    /// `<=` or `>=`.
    pub op: &'static str,
    /// The target.
    pub target: f64,
    /// Measured.
    pub measured: f64,
    /// Unit.
    pub unit: &'static str,
    /// Met.
    pub met: bool,
}

impl Target {
    /// measured ≤ target.
    pub fn at_most(name: &'static str, measured: f64, target: f64, unit: &'static str) -> Self {
        Self {
            name,
            op: "<=",
            target,
            measured,
            unit,
            met: measured <= target,
        }
    }
    /// measured ≥ target.
    pub fn at_least(name: &'static str, measured: f64, target: f64, unit: &'static str) -> Self {
        Self {
            name,
            op: ">=",
            target,
            measured,
            unit,
            met: measured >= target,
        }
    }
}

/// A correctness check.
#[derive(Debug, Serialize)]
pub struct Check {
    /// What.
    pub name: &'static str,
    /// Passed.
    pub ok: bool,
    /// Counts behind it.
    pub detail: String,
}

impl Check {
    /// A check.
    pub fn new(name: &'static str, ok: bool, detail: impl Into<String>) -> Self {
        Self {
            name,
            ok,
            detail: detail.into(),
        }
    }
}
