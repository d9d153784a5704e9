//! Where the agent's authorization token lives (§2.1): `data-authtoken`, a token given with
//! `setToken`, and `localStorage["glanceauth"]` with its expiry.

use crate::core::token::{pick_token, StoredToken};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{parse, stringify};
use crate::web::dom::{now_ms, window};
use crate::web::global::page_global;
use crate::web::page::{get, object, set};
use core::cell::RefCell;
use wasm_bindgen::JsValue;

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

fn storage() -> Option<web_sys::Storage> {
    // Storage can be disabled (privacy settings): then only the in-memory token works.
    window()?.local_storage().ok().flatten()
}

/// The stored token: `localStorage`'s (JSON `{token, expires, groupid?}`), else the one
/// storage refused.
pub fn stored() -> Option<StoredToken> {
    MEMORY
        .with(|m| m.borrow().unstored.clone())
        .or_else(from_storage)
}

fn from_storage() -> Option<StoredToken> {
    let text = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    let value = parse(&text)?;
    let groupid = get(&value, "groupid");
    Some(StoredToken {
        token: get(&value, "token").as_string()?,
        expires: get(&value, "expires").as_f64()?,
        groupid: match groupid.as_f64() {
            Some(g) if g as u32 as f64 == g => Some(g as u32),
            Some(_) => return None,
            None if groupid.is_null() || groupid.is_undefined() => None,
            None => return None,
        },
    })
}

/// Stores a token.
pub fn store(token: &StoredToken) {
    let value = object();
    set(&value, "token", &JsValue::from_str(&token.token));
    set(&value, "expires", &JsValue::from_f64(token.expires));
    if let Some(group) = token.groupid {
        set(&value, "groupid", &JsValue::from_f64(f64::from(group)));
    }
    let stored = match (storage(), stringify(&value)) {
        (Some(storage), Some(text)) => {
            let stored = storage.set_item(STORAGE_KEY, &text).is_ok();
            if !stored {
                // An older entry would otherwise outlive the token that replaced it.
                let _ = storage.remove_item(STORAGE_KEY);
            }
            stored
        }
        _ => false,
    };
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
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}
