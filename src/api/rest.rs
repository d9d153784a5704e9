//! The agent's one-shot REST calls (`/lookupvisitor`, `/query`) and how their outcome reaches
//! `onsuccess` / `onfail`.

use crate::core::{FailCode, ResolveError};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::discovery::{presence_request, Endpoint};
use crate::web::http::Done;
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
pub fn agent_get(
    endpoint: &Endpoint,
    path: &'static str,
    query: &[(&str, &str)],
    done: Done<Result<JsValue, FailCode>>,
) {
    let Some(token) = token_store::token() else {
        return done(Err(FailCode::Authorization));
    };
    presence_request(
        endpoint,
        path,
        query,
        None,
        Some(token),
        None,
        Box::new(move |reply| {
            done(match reply {
                Ok(reply) if reply.ok() => Ok(reply.body),
                Ok(reply) => Err(FailCode::from_status(reply.status)),
                Err(e) => Err(fail_code(&e)),
            })
        }),
    );
}

/// Calls `opts.onsuccess(value)` or `opts.onfail(code)`.
pub fn settle(opts: &JsValue, result: Result<JsValue, FailCode>) {
    match result {
        Ok(value) => call_method(opts, "onsuccess", &[value]),
        Err(code) => call_method(opts, "onfail", &[JsValue::from_str(code.as_str())]),
    };
}
