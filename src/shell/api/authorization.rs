//! `GLANCE.Authorization` (§2.1); in the full build only.

use super::{call, call_with_options, is_true};
use crate::method::Method;
use crate::value::Value;
use wasm_bindgen::prelude::*;

/// `GLANCE.Authorization`: the agent's token, from the page's configuration, `setToken`, or
/// `authorize` (kept in `localStorage["glanceauth"]`). Static functions only.
#[wasm_bindgen]
pub struct Authorization;

#[wasm_bindgen]
impl Authorization {
    /// `authorize({service, credentials, groupid, duration, onsuccess, onfail})`.
    pub fn authorize(#[wasm_bindgen(unchecked_param_type = "AuthorizeParams")] opts: JsValue) {
        call_with_options(0, Method::Authorize, &opts);
    }

    /// `setToken(token)`.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(#[wasm_bindgen(unchecked_param_type = "string")] token: JsValue) {
        call(0, Method::SetToken, &[&token]);
    }

    /// `gettoken()`: the token in use, or `undefined`.
    pub fn gettoken() -> Option<String> {
        match call(0, Method::GetToken, &[]) {
            Some(Value::String(token)) => Some(token),
            _ => None,
        }
    }

    /// `clearToken()`.
    #[wasm_bindgen(js_name = clearToken)]
    pub fn clear_token() {
        call(0, Method::ClearToken, &[]);
    }

    /// `authorized()`: whether a token is held.
    pub fn authorized() -> bool {
        is_true(call(0, Method::Authorized, &[]))
    }
}
