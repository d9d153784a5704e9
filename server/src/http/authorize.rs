//! `POST /services/AuthorizationService.svc/rest/Authorize` (§4.2).

use super::extract::{Body, Q};
use super::ApiError;
use crate::auth::verify_login_key;
use crate::state::SharedState;
use axum::extract::State;
use axum::Json;
use glance_protocol::{AuthorizeQuery, AuthorizeRequest, MAX_PARTNER_USER_ID};

/// Token lifetime when `duration` is missing.
const DEFAULT_MINUTES: u64 = 60;

/// Unix seconds now.
pub fn unix_now() -> u64 {
    crate::store::now_ms() / 1000
}

/// Verifies the login key and answers with a token (a JSON string).
pub async fn authorize(
    State(state): State<SharedState>,
    Q(query): Q<AuthorizeQuery>,
    Body(body): Body<AuthorizeRequest>,
) -> Result<Json<String>, ApiError> {
    if state.draining() {
        return Err(ApiError::Unavailable);
    }
    let fail = |reason: &'static str| {
        state.metrics.auth_failure(reason);
        tracing::info!(group = %query.groupid, reason, "authorization refused");
        ApiError::Unauthorized
    };
    let Some(group) = state.groups.get(&query.groupid) else {
        return Err(fail("unknowngroup"));
    };
    if body.partnerid.trim() != group.id.to_string() {
        return Err(fail("wronggroup"));
    }
    if body.partneruserid.is_empty() || body.partneruserid.chars().count() > MAX_PARTNER_USER_ID {
        return Err(ApiError::InvalidParameter(format!(
            "partneruserid must be 1..{MAX_PARTNER_USER_ID} characters"
        )));
    }
    let now = unix_now();
    verify_login_key(
        &group.api_key,
        &body.partnerid,
        &body.partneruserid,
        &body.loginkey,
        now,
    )
    .map_err(|e| {
        fail(match e {
            crate::auth::LoginKeyError::Malformed => "malformed",
            crate::auth::LoginKeyError::Expired => "expired",
            crate::auth::LoginKeyError::TooFarAhead => "toofarahead",
            crate::auth::LoginKeyError::BadSignature => "signature",
        })
    })?;
    let minutes = query
        .duration
        .as_deref()
        .and_then(|d| d.trim().parse::<f64>().ok())
        .map_or(DEFAULT_MINUTES, |m| m.max(0.0) as u64);
    let service = query
        .service
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("presence");
    Ok(Json(state.tokens.issue_agent(
        group.id,
        &body.partneruserid,
        service,
        minutes,
        now,
    )))
}
