//! The API behind the loader's JS facade: one file per global of §2, and the module's exports.
//!
//! The loader (`pkg-template/loader.js`) creates the page's objects synchronously and, once the
//! module is ready, hands every construction and method call to [`exports`] as JSON text with
//! the object's id; the cores here read the page's handlers at dispatch time through the host.

pub mod agent;
pub mod authorization;
pub mod cobrowse;
pub mod context;
pub mod exports;
pub mod rest;
pub mod visitor;
