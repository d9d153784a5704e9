//! Visitor endpoints, no authentication (§4.1, §4.3).

use super::extract::{host, Q};
use super::unix_now;
use super::ApiError;
use crate::auth::GUEST_TOKEN_SECS;
use crate::state::SharedState;
use crate::store::unique::random_claim;
use crate::store::{now_ms, VisitorKey};
use crate::webhooks::hooks::unique_created;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use glance_protocol::{
    PresenceReply, UniqueVisitor, UniqueVisitorQuery, VisitorId, VisitorQuery, VisitorSettings,
    VisitorSettingsExtra, VisitorSettingsQuery,
};

/// `GET /services/authorizationservice/GetVisitorSettings3`.
pub async fn settings(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<VisitorSettingsQuery>,
) -> Json<SettingsReply> {
    let group = state.presence_group(q.groupid);
    let presence_url = group
        .map(|_| state.public_host(host(&headers)))
        .unwrap_or_default();
    let extra = VisitorSettingsExtra {
        terms_url: group.and_then(|g| g.terms_url.clone()),
    };
    Json(SettingsReply {
        settings: VisitorSettings {
            presence_url,
            is_presence_load_balanced: true,
        },
        extra,
    })
}

/// `GetVisitorSettings3` reply: the documented fields plus our `termsUrl`.
#[derive(serde::Serialize)]
pub struct SettingsReply {
    #[serde(flatten)]
    settings: VisitorSettings,
    #[serde(flatten)]
    extra: VisitorSettingsExtra,
}

/// `POST /presence`: where to open the visitor socket.
pub async fn presence(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<VisitorQuery>,
) -> Result<Json<PresenceReply>, ApiError> {
    if state.draining() {
        return Err(ApiError::Unavailable);
    }
    state
        .presence_group(q.groupid)
        .ok_or_else(|| ApiError::InvalidParameter("unknown group".into()))?;
    Ok(Json(PresenceReply {
        directserver: state.public_host(host(&headers)),
    }))
}

/// `GET /uniquevisitor`: a new unique visitor id (`visitorid` absent, empty or `undefined`, as the
/// original scripts ask), or, with `visitorid` + `guesttoken`, a renewal of a live one.
pub async fn unique(
    State(state): State<SharedState>,
    Q(q): Q<UniqueVisitorQuery>,
) -> Result<Json<UniqueVisitor>, ApiError> {
    if state.draining() {
        return Err(ApiError::Unavailable);
    }
    let group = state
        .presence_group(q.groupid)
        .ok_or_else(|| ApiError::InvalidParameter("unknown group".into()))?
        .id;
    let timeout = state.config.timings.unique_timeout();
    let until_ms = now_ms() + timeout.as_millis() as u64;
    let (visitor, claim) = match (q.visitorid, q.guesttoken) {
        (None, _) => {
            let claim = random_claim();
            let number = state.store.claim_unique(claim, until_ms).await?;
            let visitor = VisitorId::unique(number);
            unique_created(&state.webhooks, group, &visitor, until_ms);
            (visitor, claim)
        }
        (Some(visitor), Some(token)) => {
            let refused = || {
                state.metrics.auth_failure("guesttoken");
                ApiError::Unauthorized
            };
            let claims = state
                .tokens
                .verify_guest(&token, group, &visitor)
                .map_err(|_| refused())?;
            let key = VisitorKey::new(group, visitor.clone());
            if !state.store.renew_unique(&key, claims.nce, until_ms).await? {
                return Err(refused());
            }
            (visitor, claims.nce)
        }
        (Some(_), None) => {
            return Err(ApiError::InvalidParameter(
                "extend needs both visitorid and guesttoken".into(),
            ))
        }
    };
    let uniqueid = visitor
        .unique_digits()
        .ok_or_else(|| ApiError::InvalidParameter("not a unique visitor id".into()))?
        .to_owned();
    let guesttoken =
        state
            .tokens
            .issue_guest(group, &visitor, claim, unix_now() + GUEST_TOKEN_SECS);
    Ok(Json(UniqueVisitor {
        visitorid: visitor,
        uniqueid,
        guesttoken,
        timeout: timeout.as_secs().max(1) as u32,
    }))
}
