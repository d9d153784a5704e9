//! The browser module: installs `GLANCE.Authorization`, `GLANCE.Presence.Agent` and
//! `GLANCE.Presence.Visitor` on the page (see `../shared/spec/PRESENCE.md` §1–2), with the loader
//! and host of `pkg-template/` (`loader.js`, `host.js`).
//!
//! The loader owns the page's objects and the browser's resources; it hands every call and every
//! happening to the four [`exports`] as numbers and JSON text, and the module answers through the
//! loader's host object ([`host`]). Inside, plain Rust: configuration ([`config`], [`origin`]), the
//! connection of each object ([`link`]) with the roles on top ([`agent`], [`visitor`]), requests
//! ([`resolve`], [`auth`]), frames ([`frames`], over [`json`]) and the page's state ([`page`]).
//! `cargo test` runs all of it natively against a recording host (`host_fake.rs`).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod agent;
pub mod auth;
pub mod backoff;
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
mod bare;
pub mod cobrowse;
pub mod config;
pub mod exports;
pub mod facts;
pub mod failure;
pub mod frames;
pub mod global;
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
mod heap;
#[cfg(target_arch = "wasm32")]
pub mod host;
#[cfg(not(target_arch = "wasm32"))]
#[path = "host_fake.rs"]
pub mod host;
pub mod incoming;
pub mod invoke;
pub mod json;
pub mod link;
pub mod list;
pub mod origin;
pub mod page;
mod prelude;
pub mod presence;
pub mod resolve;
pub mod text;
pub mod token;
pub mod useragent;
pub mod visitor;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use exports::{call, create, ev, start};
