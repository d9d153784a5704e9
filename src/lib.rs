//! The browser module: installs `GLANCE.Authorization`, `GLANCE.Presence.Agent` and
//! `GLANCE.Presence.Visitor` on the page (see `../shared/spec/PRESENCE.md` §1–2).
//!
//! - [`core`]: plain Rust: configuration, presence data and the connection state machines,
//!   unit-tested natively.
//! - [`web`]: the browser shell: owners of sockets, timers and listeners that feed the machines
//!   and carry out their actions.
//! - [`api`]: the exports behind the JS facade of `pkg-template/loader.js`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod api;
pub mod core;
mod prelude;
pub mod web;

pub use api::exports::{call, create, ev, start};
