//! The exported API behind the JS facade: one file per global of §2.
//!
//! The facade (`pkg-template/glance-presence.js`) creates the page's objects synchronously and
//! binds each to a core object here once the module is ready; the core objects read their
//! handlers from the page's object at dispatch time.

pub mod agent;
pub mod authorization;
pub mod cobrowse;
pub mod context;
pub mod install;
pub mod rest;
pub mod visitor;
