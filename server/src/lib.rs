//! The presence server: the authorization service, visitor settings, the presence REST API and
//! the visitor and agent WebSockets of `PRESENCE.md`, on an in-memory store by default.
//!
//! [`start`] binds and serves a [`Config`]; the binary `presence-server` adds flags, logging and
//! signal handling around it.

#![forbid(unsafe_code)]

mod accept;
pub mod admission;
pub mod auth;
pub mod cli;
pub mod config;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod origin;
pub mod outbox;
pub mod quota;
mod server;
pub mod shutdown;
pub mod signal;
pub mod state;
pub mod store;
pub mod tls;
pub mod webhooks;
mod ws;

pub use config::Config;
pub use server::{start, RunningServer, StartError};
