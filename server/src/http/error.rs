//! The one error type of the HTTP API: every failure is a documented JSON body (§4).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use glance_protocol::{ErrorBody, ErrorCode};

/// An HTTP API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `{err:"invalidparameter", msg}`.
    #[error("{0}")]
    InvalidParameter(String),
    /// 401 `{err:"authorization"}`.
    #[error("authorization")]
    Unauthorized,
    /// 403 `{err:"authorization"}` (origin not allowed).
    #[error("origin not allowed")]
    Forbidden,
    /// 404 `{err:"visitornotpresent"}`.
    #[error("visitor not present")]
    NotPresent,
    /// 429 `{err:"ratelimited"}`: the token has as many calls in progress as it may.
    #[error("too many requests")]
    TooMany,
    /// 503 `{err:"serviceunavailable"}`.
    #[error("service unavailable")]
    Unavailable,
    /// 500 `{err:"error"}`.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::Invalid(v) => Self::InvalidParameter(v.to_string()),
            StoreError::TooMany(what) => Self::InvalidParameter(format!("too many {what}")),
            StoreError::Unavailable(_) => Self::Unavailable,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, err, msg) = match &self {
            Self::InvalidParameter(m) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidParameter,
                Some(m.clone()),
            ),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Authorization, None),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorCode::Authorization,
                Some("origin not allowed".into()),
            ),
            Self::NotPresent => (StatusCode::NOT_FOUND, ErrorCode::VisitorNotPresent, None),
            Self::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                Some("too many calls in progress for this token".into()),
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                None,
            ),
            Self::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Error, None)
            }
        };
        (status, Json(ErrorBody { err, msg })).into_response()
    }
}
