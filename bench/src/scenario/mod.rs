//! The scenarios. Each file has the coordinator side (`run`: plans, figures, checks) and the
//! worker side (`work`: the connection tasks).

pub mod churn;
pub mod idle;
mod keep;
mod receiver;
pub mod relay;
pub mod signal;
pub mod soak;
mod track;
pub mod webhooks;

pub use keep::{keep_alive, Counters};
pub use track::{probe, read_probe, Recorder, Track};
