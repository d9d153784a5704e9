//! Reading the page: configuration sources, visibility, location and user agent.

use crate::core::config::data_attribute_key;
use crate::core::json::Json;
use crate::core::presence::PageFacts;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::host::{self, page, Read};
use glance_protocol::Visibility;

/// The document's visibility (visible when unknown).
pub fn visibility() -> Visibility {
    match page(Read::Visibility, "").as_deref() {
        Some("hidden") => Visibility::Hidden,
        _ => Visibility::Visible,
    }
}

/// `location.href` and `navigator.userAgent`.
pub fn page_facts() -> PageFacts {
    PageFacts {
        url: page(Read::Href, "").unwrap_or_default(),
        user_agent: page(Read::UserAgent, "").unwrap_or_default(),
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    host::now()
}

/// The `data-*` attributes of the element with `id`, as `(key, value)` (`data-user-name` →
/// `user-name`), in document order.
pub fn data_attributes(id: &str) -> Vec<(String, String)> {
    let Some(Json::Array(attributes)) = page(Read::Attributes, id).and_then(|t| Json::parse(&t))
    else {
        return vec![];
    };
    attributes
        .iter()
        .filter_map(|pair| match pair {
            Json::Array(pair) => {
                let name = pair.first()?.as_str()?;
                let value = pair.get(1)?.as_str()?;
                data_attribute_key(name).map(|key| (key.to_owned(), value.to_owned()))
            }
            _ => None,
        })
        .collect()
}

/// A config value as text: strings as they are, numbers as written, booleans as words.
pub fn value_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.as_text().to_owned()),
        Json::Bool(true) => Some("true".into()),
        Json::Bool(false) => Some("false".into()),
        _ => None,
    }
}

/// The entries of a plain config object (`window.GLANCE_COBROWSE`, constructor params) as text.
/// A nested `user: {name}` object counts as `user-name`. Objects and arrays are skipped.
pub fn object_entries(obj: Option<&Json>) -> Vec<(String, String)> {
    let Some(Json::Object(members)) = obj else {
        return vec![];
    };
    let mut out = Vec::new();
    for (key, value) in members {
        if key == "user" && matches!(value, Json::Object(_)) {
            for (k, v) in object_entries(Some(value)) {
                out.push((["user-", &k].concat(), v));
            }
        } else if let Some(text) = value_text(value) {
            out.push((key.clone(), text));
        }
    }
    out
}

/// `window.GLANCE_COBROWSE`, as JSON.
pub fn global_config() -> Option<Json> {
    Json::parse(&page(Read::GlobalConfig, "")?)
}
