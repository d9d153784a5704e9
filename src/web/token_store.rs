//! Where the agent's authorization token lives (§2.1): `data-authtoken`, a token given with
//! `setToken`, and `localStorage["glanceauth"]` with its expiry.

use crate::core::token::{pick_token, StoredToken};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::core::json::{Json, Number};
use crate::web::dom::now_ms;
use crate::web::global::page_global;
use crate::web::host::{self, page, Read};
use core::cell::RefCell;

/// The `localStorage` key.
pub const STORAGE_KEY: &str = "glanceauth";

/// What the module holds besides `localStorage`.
struct Memory {
    /// Given with `setToken`.
    set: Option<String>,
    /// The configured `data-authtoken`.
    configured: Option<String>,
    /// A `data-authtoken` cleared by `clearToken()` or a 401/403: not taken up again when the
    /// configuration is read again.
    rejected: Option<String>,
    /// An authorized token that `localStorage` refused (storage disabled or full), kept for
    /// this page instead.
    unstored: Option<StoredToken>,
}

page_global! {
    static MEMORY: RefCell<Memory> = const {
        RefCell::new(Memory { set: None, configured: None, rejected: None, unstored: None })
    };
}

/// The stored token: `localStorage`'s (JSON `{token, expires, groupid?}`), else the one
/// storage refused.
pub fn stored() -> Option<StoredToken> {
    MEMORY
        .with(|m| m.borrow().unstored.clone())
        .or_else(from_storage)
}

fn from_storage() -> Option<StoredToken> {
    // Storage can be disabled (privacy settings): the host then reads nothing.
    let value = Json::parse(&page(Read::Storage, STORAGE_KEY)?)?;
    let whole = |n: &Number| {
        let f = n.as_f64();
        (f as u32 as f64 == f).then_some(f as u32)
    };
    Some(StoredToken {
        token: value.get("token")?.as_str()?.to_owned(),
        expires: match value.get("expires")? {
            Json::Number(n) => n.as_f64(),
            _ => return None,
        },
        groupid: match value.get("groupid") {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) => Some(whole(n)?),
            Some(_) => return None,
        },
    })
}

/// Stores a token.
pub fn store(token: &StoredToken) {
    let mut value = Json::Object(vec![]);
    value.set("token", Json::str(&token.token));
    value.set("expires", Json::Number(Number::from_u64(token.expires as u64)));
    if let Some(group) = token.groupid {
        value.set("groupid", Json::Number(Number::from_u64(u64::from(group))));
    }
    let stored = host::store(STORAGE_KEY, Some(value.to_text()));
    if !stored {
        // An older entry would otherwise outlive the token that replaced it.
        host::store(STORAGE_KEY, None);
    }
    MEMORY.with(|m| m.borrow_mut().unstored = (!stored).then(|| token.clone()));
}

/// `setToken(t)`.
pub fn set_token(token: Option<String>) {
    MEMORY.with(|m| m.borrow_mut().set = token.filter(|t| !t.is_empty()));
}

/// Records `data-authtoken` (unless it is the one that was cleared).
pub fn set_configured(token: Option<String>) {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if token != m.rejected {
            m.configured = token;
        }
    });
}

/// The token to use now, in the documented order.
pub fn token() -> Option<String> {
    let stored = stored();
    MEMORY.with(|m| {
        let m = m.borrow();
        pick_token(
            m.configured.as_deref(),
            m.set.as_deref(),
            stored.as_ref(),
            now_ms(),
        )
        .map(str::to_owned)
    })
}

/// Whether a usable stored token exists for `groupid`.
pub fn has_stored_for(groupid: Option<u32>) -> bool {
    stored().is_some_and(|t| t.valid_for(now_ms(), groupid))
}

/// What a 401/403 from the presence service does: clears the token, unless the page already
/// holds another one than `failed` (the token the refused request used, when known).
pub fn clear_if_current(failed: Option<&str>) {
    if failed.is_none() || token().as_deref() == failed {
        clear();
    }
}

/// `clearToken()`.
pub fn clear() {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.set = None;
        m.unstored = None;
        if let Some(configured) = m.configured.take() {
            m.rejected = Some(configured);
        }
    });
    host::store(STORAGE_KEY, None);
}
