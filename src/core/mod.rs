//! The plain-Rust core: configuration, presence data, and the connection state machines.
//!
//! Nothing here touches the browser. Every browser happening reaches a machine as an [`Input`];
//! every effect it wants comes back as an [`Action`] that the shell in `crate::web` carries out.
//! `cargo test` runs the unit tests of this module natively.

pub mod action;
pub mod agent;
pub mod backoff;
pub mod config;
pub mod failure;
pub mod invoke;
pub mod json;
pub mod link;
pub mod link_state;
pub mod origin;
pub mod presence;
pub mod queue;
pub mod relay;
pub mod text;
pub mod token;
pub mod useragent;
pub mod visitor;
pub mod visitor_event;

#[cfg(test)]
mod tests;

pub use action::{Action, Command, Event, EventArg, Handler, Input, Machine, PageEvent, TimerKind};
pub use failure::{FailCode, ResolveError};
