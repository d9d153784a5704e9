//! Extractors that turn malformed input into the documented `invalidparameter` error.

use super::query::RequestQuery;
use super::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string as a protocol query type, read from the request's one [`RequestQuery`]
/// (`?groupid=G&visitorid=V&&ver=6.33.0` parses).
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        RequestQuery::of(&parts.uri, &mut parts.extensions)?
            .read()
            .map(Q)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        RequestQuery::of(&parts.uri, &mut parts.extensions)
    }
}

/// JSON body, whatever the content type says (the original clients are not consistent).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(Body)
            .map_err(|e| ApiError::InvalidParameter(e.to_string()))
    }
}

/// The request's `Host` header.
pub fn host(parts: &axum::http::HeaderMap) -> Option<&str> {
    parts
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
}
