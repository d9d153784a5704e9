//! `GLANCE.Authorization` (§2.1): getting, holding and dropping the agent's token.

use crate::api::context::{config, endpoint};
use crate::core::token::{clamp_duration, StoredToken};
use crate::core::FailCode;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{stringify, to_js};
use crate::web::dom::now_ms;
use crate::web::http::Request;
use crate::web::page::{call_method, get, text, value_text};
use crate::web::token_store;
use glance_protocol::{decimal, AuthorizeRequest};
use wasm_bindgen::prelude::*;

/// The core of `GLANCE.Authorization` (static methods only).
#[wasm_bindgen]
pub struct Authorization;

#[wasm_bindgen]
impl Authorization {
    /// `authorize({service, credentials:{partnerid, partneruserid, loginkey}, groupid, duration,
    /// onsuccess, onfail})`. A valid stored token for the group succeeds at once, without a request.
    pub fn authorize(opts: JsValue) {
        let mut params = config(&JsValue::UNDEFINED);
        if let Some(group) = text(&opts, "groupid") {
            params.groupid = Some(group);
        }
        let fail = |code: FailCode| {
            call_method(&opts, "onfail", &[JsValue::from_str(code.as_str())]);
        };
        let Ok(endpoint) = endpoint(&params) else {
            return fail(FailCode::Error);
        };
        let groupid = endpoint.groupid.get();
        if token_store::has_stored_for(Some(groupid)) {
            call_method(&opts, "onsuccess", &[]);
            return;
        }
        let credentials = get(&opts, "credentials");
        let request = AuthorizeRequest {
            partnerid: text(&credentials, "partnerid")
                .unwrap_or_else(|| decimal(u64::from(groupid))),
            partneruserid: text(&credentials, "partneruserid").unwrap_or_default(),
            loginkey: text(&credentials, "loginkey").unwrap_or_default(),
        };
        let duration = get(&opts, "duration");
        let duration = clamp_duration(
            duration
                .as_f64()
                .or_else(|| Some(js_sys::parse_float(&duration.as_string()?))),
        );
        let service = text(&opts, "service").unwrap_or_else(|| "presence".into());
        let (group, minutes) = (decimal(u64::from(groupid)), decimal(u64::from(duration)));
        let query = [
            ("groupid", group.as_str()),
            ("service", service.as_str()),
            ("duration", minutes.as_str()),
            ("site", endpoint.site.as_str()),
        ];
        let url = endpoint
            .service
            .http_url("/services/AuthorizationService.svc/rest/Authorize", &query);
        let Some(body) = stringify(&to_js(&request)) else {
            return fail(FailCode::Error);
        };
        Request::post(url, body).send(Box::new(move |reply| {
            let outcome = match reply {
                Err(_) => Err(FailCode::Connection),
                Ok(reply) if reply.ok() => reply
                    .body
                    .as_string()
                    .filter(|t| !t.is_empty())
                    .ok_or(FailCode::Error),
                Ok(reply) => Err(match reply.status {
                    401 | 403 => FailCode::Authorization,
                    _ => FailCode::Error,
                }),
            };
            match outcome {
                Ok(token) => {
                    token_store::store(&StoredToken::new(token, now_ms(), duration, Some(groupid)));
                    call_method(&opts, "onsuccess", &[]);
                }
                Err(code) => {
                    call_method(&opts, "onfail", &[JsValue::from_str(code.as_str())]);
                }
            }
        }));
    }

    /// `setToken(t)`: use this token (after `data-authtoken`, before storage).
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(token: JsValue) {
        token_store::set_token(value_text(&token));
    }

    /// `gettoken()`: `data-authtoken`, then `setToken`, then storage.
    pub fn gettoken() -> Option<String> {
        config(&JsValue::UNDEFINED); // picks up a `data-authtoken` set since the last read
        token_store::token()
    }

    /// `clearToken()`.
    #[wasm_bindgen(js_name = clearToken)]
    pub fn clear_token() {
        config(&JsValue::UNDEFINED); // a `data-authtoken` not read yet is cleared too
        token_store::clear();
    }

    /// `authorized()`: whether a usable token is held.
    pub fn authorized() -> bool {
        Self::gettoken().is_some()
    }
}
