//! `GLANCE.Authorization` (§2.1): getting, holding and dropping the agent's token.

use crate::api::context::{config, endpoint};
use crate::core::json::Json;
use crate::core::token::{clamp_duration, StoredToken};
use crate::core::FailCode;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::to_json;
use crate::web::dom::{now_ms, value_text};
use crate::web::http::Request;
use crate::web::page::{settle, Target};
use crate::web::token_store;
use glance_protocol::{decimal, AuthorizeRequest};

/// `GLANCE.Authorization.<name>(args…)`; `opts`: the options the host holds for `authorize`.
/// Returns what the method returns, as JSON text.
pub fn call(name: &str, args: Option<&[Json]>, opts: Target) -> Option<String> {
    let first = args.and_then(|a| a.first());
    match name {
        "authorize" => authorize(first, opts),
        "setToken" => token_store::set_token(first.and_then(value_text)),
        // No token: `undefined`.
        "gettoken" => return gettoken().map(|t| Json::str(&t).to_text()),
        "clearToken" => {
            config(None); // a `data-authtoken` not read yet is cleared too
            token_store::clear();
        }
        "authorized" => return Some((if gettoken().is_some() { "true" } else { "false" }).into()),
        _ => {}
    }
    None
}

/// `gettoken()`: `data-authtoken`, then `setToken`, then storage.
fn gettoken() -> Option<String> {
    config(None); // picks up a `data-authtoken` set since the last read
    token_store::token()
}

/// `authorize({service, credentials:{partnerid, partneruserid, loginkey}, groupid, duration,
/// onsuccess, onfail})`. A valid stored token for the group succeeds at once, without a request.
fn authorize(opts: Option<&Json>, callbacks: Target) {
    let field = |key: &str| opts.and_then(|o| o.get(key));
    let text = |v: Option<&Json>| v.and_then(value_text);
    let mut params = config(None);
    if let Some(group) = text(field("groupid")) {
        params.groupid = Some(group);
    }
    let Ok(endpoint) = endpoint(&params) else {
        return settle(callbacks, Err(FailCode::Error));
    };
    let groupid = endpoint.groupid.get();
    if token_store::has_stored_for(Some(groupid)) {
        return settle(callbacks, Ok(vec![]));
    }
    let credentials = |key: &str| text(field("credentials").and_then(|c| c.get(key)));
    let request = AuthorizeRequest {
        partnerid: credentials("partnerid").unwrap_or_else(|| decimal(u64::from(groupid))),
        partneruserid: credentials("partneruserid").unwrap_or_default(),
        loginkey: credentials("loginkey").unwrap_or_default(),
    };
    let duration = clamp_duration(match field("duration") {
        Some(Json::Number(n)) => Some(n.as_f64()),
        Some(Json::String(s)) => leading_number(s),
        _ => None,
    });
    let service = text(field("service")).unwrap_or_else(|| "presence".into());
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
    let body = to_json(&request).to_text();
    Request::post(url, body).send(Box::new(move |reply| {
        let outcome = match reply {
            Err(_) => Err(FailCode::Connection),
            Ok(reply) if reply.ok() => match &reply.body {
                Some(Json::String(t)) if !t.is_empty() => Ok(t.clone()),
                _ => Err(FailCode::Error),
            },
            Ok(reply) => Err(match reply.status {
                401 | 403 => FailCode::Authorization,
                _ => FailCode::Error,
            }),
        };
        if let Ok(token) = &outcome {
            let token = StoredToken::new(token.clone(), now_ms(), duration, Some(groupid));
            token_store::store(&token);
        }
        settle(callbacks, outcome.map(|_| vec![]));
    }));
}

/// The whole number a text starts with (`"30"`, `" 30 min"`), as `parseFloat` would read it for
/// whole minutes.
fn leading_number(text: &str) -> Option<f64> {
    let digits = text.trim_start().bytes().take_while(u8::is_ascii_digit);
    let mut seen = false;
    let n = digits.fold(0.0, |n, d| {
        seen = true;
        n * 10.0 + f64::from(d - b'0')
    });
    seen.then_some(n)
}
