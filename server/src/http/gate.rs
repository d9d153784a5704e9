//! The first thing every request meets: the overflow lane (a connection over a cap gets 503 for
//! everything but `/healthz`, and is closed), and the counting of requests the limits cut.

use super::ApiError;
use crate::admission::{Lane, Ticket};
use crate::state::SharedState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Overflow lane, cut counting, and what the connection's stream needs to know.
pub async fn gate(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let ticket = req.extensions().get::<Arc<Ticket>>().cloned();
    if let Some(t) = &ticket {
        t.requests.fetch_add(1, Ordering::Relaxed);
        t.partial.store(false, Ordering::Relaxed);
        if let Lane::Overflow(_) = t.lane {
            let res = if req.uri().path() == "/healthz" {
                next.run(req).await
            } else {
                ApiError::Unavailable.into_response()
            };
            return closing(res);
        }
    }
    let res = next.run(req).await;
    let cut = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Some("bodytoolarge"),
        StatusCode::REQUEST_TIMEOUT => Some("bodytimeout"),
        StatusCode::SWITCHING_PROTOCOLS => {
            if let Some(t) = &ticket {
                t.upgraded.store(true, Ordering::Relaxed);
            }
            None
        }
        _ => None,
    };
    if let Some(reason) = cut {
        state.metrics.disconnect(reason);
        // The body was not read (whole): this connection cannot carry another request.
        return closing(res);
    }
    res
}

/// `res` with `Connection: close`: hyper closes the connection once it is written.
fn closing(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
