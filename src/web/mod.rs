//! The browser shell: small owners of browser resources (held by the host, see [`host`]), each
//! releasing what it holds on drop, and the [`connection::Connection`] that feeds a state machine
//! and carries out its actions.

#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
mod bare;
pub mod codec;
pub mod connection;
pub mod discovery;
pub mod dom;
pub mod global;
pub mod host;
pub mod http;
pub mod invoke;
pub mod listener;
pub mod page;
pub mod registry;
pub mod signal_rest;
pub mod socket;
pub mod terms_dialog;
pub mod timer;
pub mod token_store;
