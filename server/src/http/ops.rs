//! Operations endpoints: `/healthz`, `/readyz`, `/metrics`.

use crate::state::SharedState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

/// Alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready to take new clients: not draining and the store reachable.
pub async fn readyz(State(state): State<SharedState>) -> impl IntoResponse {
    if state.draining() {
        (StatusCode::SERVICE_UNAVAILABLE, "draining")
    } else if !state.store.ready() {
        (StatusCode::SERVICE_UNAVAILABLE, "store unavailable")
    } else {
        (StatusCode::OK, "ready")
    }
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<SharedState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
