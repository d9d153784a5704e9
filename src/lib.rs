//! The browser module: installs `GLANCE.Authorization`, `GLANCE.Presence.Agent` and
//! `GLANCE.Presence.Visitor` on the page (see `../shared/spec/PRESENCE.md` §1–2).
//!
//! # Layout
//!
//! - **The shell** (`src/shell/`, wasm32 only) is the only code that touches JavaScript: the
//!   exported `#[wasm_bindgen]` classes, which convert the page's arguments with
//!   serde-wasm-bindgen and forward them to [`dispatch`]; and the browser's resources through
//!   web-sys (sockets, requests, timers with gloo-timers, listeners, page objects, the terms
//!   dialog), each owned by a Rust value whose `Drop` releases it. Its callbacks translate what
//!   happened into a [`dispatch::Report`] and forward it.
//! - **The state machine** (everything else) is plain Rust: configuration ([`config`],
//!   [`origin`]), the connection of each object ([`link`]) with the roles on top ([`agent`],
//!   [`visitor`]), requests ([`resolve`], [`auth`]), frames ([`frames`] over the protocol crate's
//!   types, with [`value::Value`] payloads) and the page's state ([`page`]). It asks the browser
//!   for things through [`host`], which is the shell in the browser and a recording fake in the
//!   native tests (`host_fake.rs`), so `cargo test` runs all of it natively.
//!
//! Two builds: with the default `full` feature, everything (what agent pages load); without it,
//! the visitor-only module (no `GLANCE.Authorization`, no `GLANCE.Presence.Agent` classes).

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod auth;
pub mod backoff;
pub mod cobrowse;
pub mod codec;
pub mod config;
pub mod dispatch;
pub mod facts;
pub mod failure;
pub mod frames;
#[cfg(not(target_arch = "wasm32"))]
#[path = "host_fake.rs"]
pub mod host;
pub mod incoming;
pub mod invoke;
pub mod link;
pub mod method;
pub mod origin;
pub mod page;
pub mod presence;
pub mod resolve;
#[cfg(target_arch = "wasm32")]
pub mod shell;
pub mod token;
pub mod useragent;
pub mod value;
pub mod visitor;

#[cfg(target_arch = "wasm32")]
pub use shell::host;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
