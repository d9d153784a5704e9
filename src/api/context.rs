//! What the whole page shares: where the script came from, and the configuration sources of §1.

use crate::core::backoff::{Backoff, Jitter};
use crate::core::config::Config;
use crate::core::json::Json;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::discovery::Endpoint;
use crate::web::global::page_global;
use crate::web::{dom, token_store};
use core::cell::RefCell;
use glance_protocol::ValidationError;

page_global! {
    /// `src` of the script that loaded the module: the default `ws` origin.
    static SCRIPT_URL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records the script's URL.
pub fn set_script_url(url: Option<String>) {
    SCRIPT_URL.with(|s| *s.borrow_mut() = url);
}

/// The configuration for an object constructed with `params` (§1 order: `#glance-cobrowse`,
/// `#cobrowsescript`, `window.GLANCE_COBROWSE`, params). Read at construction, so a page may set
/// its configuration any time before creating objects.
pub fn config(params: Option<&Json>) -> Config {
    let sources = [
        dom::data_attributes("glance-cobrowse"),
        dom::data_attributes("cobrowsescript"),
        dom::object_entries(dom::global_config().as_ref()),
        dom::object_entries(params),
    ];
    let config = Config::merge(
        sources
            .iter()
            .map(|s| s.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    );
    if config.authtoken.is_some() {
        token_store::set_configured(config.authtoken.clone());
    }
    config
}

/// Where an object's requests go: needs a valid group and a `ws` (or the script's origin).
pub fn endpoint(config: &Config) -> Result<Endpoint, ValidationError> {
    let groupid = config.group()?;
    let script = SCRIPT_URL.with(|s| s.borrow().clone());
    let service = config
        .service_origin(script.as_deref())
        .ok_or(ValidationError::Shape(
            "ws must be host[:port] or http(s)://host[:port]",
        ))?;
    let presenceserver = match &config.presenceserver {
        Some(text) => Some(service.presence_host(text).ok_or(ValidationError::Shape(
            "presenceserver must be host[:port] or http(s)://host[:port]",
        ))?),
        None => None,
    };
    Ok(Endpoint {
        service,
        groupid,
        site: config.site().to_owned(),
        presenceserver,
    })
}

/// A backoff seeded from `Math.random()`.
pub fn backoff() -> Backoff {
    Backoff::new(Jitter::new(
        (crate::web::host::random() * 9_007_199_254_740_992.0) as u64,
    ))
}

/// The version sent in `connect`.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
