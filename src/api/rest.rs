//! The agent's one-shot REST calls (`/lookupvisitor`, `/query`).

use crate::core::json::Json;
use crate::core::{FailCode, ResolveError};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::discovery::{presence_request, Endpoint};
use crate::web::http::Done;
use crate::web::token_store;

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

/// `GET <presence>/<path>?<query>` with the agent's token; the JSON body on 2xx (`None` when
/// empty).
pub fn agent_get(
    endpoint: &Endpoint,
    path: &'static str,
    query: &[(&str, &str)],
    done: Done<Result<Option<Json>, FailCode>>,
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
