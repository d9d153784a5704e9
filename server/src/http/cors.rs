//! CORS (§4): visitor endpoints allow any origin; agent endpoints only the group's agent origins.
//!
//! A request without `Origin` is not from a browser page and passes (the Bearer token still
//! decides). Error replies carry the CORS headers too, so pages can read them.

use super::query::RequestQuery;
use super::ApiError;
use crate::state::SharedState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const ALLOW_HEADERS: &str = "Authorization, Content-Type";
const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
const MAX_AGE: &str = "600";

fn preflight(origin: HeaderValue) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE),
    );
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    res
}

/// Visitor endpoints: any origin.
pub async fn visitor(req: Request, next: Next) -> Response {
    let any = HeaderValue::from_static("*");
    if req.method() == Method::OPTIONS {
        return preflight(any);
    }
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, any);
    res
}

/// Agent endpoints: only the group's agent origins.
///
/// The group is the one the handler reads: the request's [`RequestQuery`], parsed once (a
/// duplicated `groupid` is refused here, before any CORS consent).
pub async fn agent(State(state): State<SharedState>, mut req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let (uri, extensions) = (req.uri().clone(), req.extensions_mut());
    let query = match RequestQuery::of(&uri, extensions) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let allowed = match (
        origin.to_str().ok(),
        query.group().and_then(|g| state.groups.get(&g)),
    ) {
        (Some(o), Some(group)) => state.agent_origin_allowed(group, o),
        // Unknown group: let the handler answer with its own error, without CORS consent.
        _ => false,
    };
    if !allowed {
        state.metrics.auth_failure("origin");
        return ApiError::Forbidden.into_response();
    }
    if req.method() == Method::OPTIONS {
        return preflight(origin);
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    res
}
