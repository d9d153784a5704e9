//! What the browser host (`host.rs`) and the recording host of the native tests (`host_fake.rs`)
//! share: the facts of the page the module reads, and the id the terms dialog reports under. Both
//! re-export these, so the module reaches them as `crate::host::{page, Read, DIALOG_ID}`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The id the dialog reports under.
pub const DIALOG_ID: u32 = 0;

/// What [`crate::host::read`] reads (the loader's `read` in `pkg-template/host.js` numbers them
/// alike).
#[derive(Clone, Copy)]
#[repr(u32)]
pub enum Read {
    /// The attributes of the element with id `key`, as a JSON object `{name: value}`.
    Attributes = 0,
    /// `JSON.stringify(window.GLANCE_COBROWSE)`.
    GlobalConfig = 1,
    /// `localStorage[key]`.
    Storage = 2,
    /// `location.href`.
    Href = 3,
    /// `navigator.userAgent`.
    UserAgent = 4,
    /// `document.visibilityState`.
    Visibility = 5,
}

/// Reads a fact of the page.
pub fn page(what: Read, key: &str) -> Option<String> {
    crate::host::read(what as u32, key)
}
