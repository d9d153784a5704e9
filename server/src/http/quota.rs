//! The per-token cap of REST calls in progress (`limits.requests_per_token`): taken before the
//! body is read, so a token cannot hold more calls open by trickling their bodies.

use super::ApiError;
use crate::quota::Use;
use crate::state::SharedState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Holds one of the Bearer token's slots for the whole call; 429 when it has none left. The
/// token is not verified here (the handler does): a forged one only uses up its own quota.
pub async fn per_token(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(token) = token else {
        return next.run(req).await;
    };
    let Some(_slot) = state.quotas.take(token, Use::Request) else {
        state.metrics.disconnect("tokencap");
        return ApiError::TooMany.into_response();
    };
    next.run(req).await
}
