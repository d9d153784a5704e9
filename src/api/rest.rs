//! The agent's one-shot REST calls (`/lookupvisitor`, `/query`) and how their outcome reaches
//! `onsuccess` / `onfail`.

use crate::core::{FailCode, ResolveError};
use crate::web::discovery::{settings, Endpoint};
use crate::web::http::Request;
use crate::web::page::call_method;
use crate::web::token_store;
use wasm_bindgen::JsValue;

/// The code an `onfail` gets for a failed settings lookup.
pub fn fail_code(e: &ResolveError) -> FailCode {
    match e {
        ResolveError::Network => FailCode::Connection,
        ResolveError::Authorization => FailCode::Authorization,
        ResolveError::Unavailable => FailCode::ServiceUnavailable,
        ResolveError::InvalidParameter => FailCode::InvalidParameter,
        ResolveError::PresenceOff | ResolveError::Unexpected(_) => FailCode::Error,
    }
}

/// `GET <presence>/<path>?<query>` with the agent's token; the JSON body on 2xx.
pub async fn agent_get(
    endpoint: &Endpoint,
    path: &str,
    query: &[(&str, &str)],
) -> Result<JsValue, FailCode> {
    let token = token_store::token().ok_or(FailCode::Authorization)?;
    let presence = settings(endpoint, None)
        .await
        .map_err(|e| fail_code(&e))?
        .presence;
    let url = presence.http_url(path, query);
    let reply = Request::get(&url)
        .bearer(Some(&token))
        .send()
        .await
        .map_err(|_| FailCode::Connection)?;
    if reply.ok() {
        Ok(reply.body)
    } else {
        Err(FailCode::from_status(reply.status))
    }
}

/// Calls `opts.onsuccess(value)` or `opts.onfail(code)`.
pub fn settle(opts: &JsValue, result: Result<JsValue, FailCode>) {
    match result {
        Ok(value) => call_method(opts, "onsuccess", &[value]),
        Err(code) => call_method(opts, "onfail", &[JsValue::from_str(code.as_str())]),
    };
}
