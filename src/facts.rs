//! The facts of the page the module reads, for the browser shell (`src/shell/host.rs`) and the
//! recording host of the native tests (`host_fake.rs`). Both re-export these, so the module
//! reaches them as `crate::host::{page, page_value, Read}`.

use crate::value::Value;

/// What [`crate::host::read`] and [`crate::host::read_value`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The attributes of the element with id `key`, as an object `{name: value}` (a value).
    Attributes,
    /// `window.GLANCE_COBROWSE`, as JSON carries it (a value).
    GlobalConfig,
    /// `localStorage[key]`.
    Storage,
    /// `location.href`.
    Href,
    /// `navigator.userAgent`.
    UserAgent,
    /// `document.visibilityState`.
    Visibility,
}

/// Reads a text fact of the page.
pub fn page(what: Read, key: &str) -> Option<String> {
    crate::host::read(what, key)
}

/// Reads a fact of the page that is a value (the attributes, the global configuration).
pub fn page_value(what: Read, key: &str) -> Option<Value> {
    crate::host::read_value(what, key)
}
