//! Visitor endpoints, no authentication (§4.1, §4.3).

use super::extract::{host, Q};
use super::ApiError;
use crate::state::SharedState;
use crate::store::{now_ms, VisitorKey};
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

/// `GET /uniquevisitor`: a new unique visitor id, or (with `visitorid` + `guesttoken`) an
/// extension of one.
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
    let visitor = match (q.visitorid, q.guesttoken) {
        (Some(visitor), Some(token)) => {
            state
                .tokens
                .verify_guest(&token, group, &visitor)
                .map_err(|_| {
                    state.metrics.auth_failure("guesttoken");
                    ApiError::Unauthorized
                })?;
            state
                .store
                .extend_unique(&VisitorKey::new(group, visitor.clone()), until_ms)
                .await?;
            visitor
        }
        (None, None) => VisitorId::unique(state.store.next_unique_id().await?),
        _ => {
            return Err(ApiError::InvalidParameter(
                "extend needs both visitorid and guesttoken".into(),
            ))
        }
    };
    let uniqueid = visitor
        .unique_digits()
        .ok_or_else(|| ApiError::InvalidParameter("not a unique visitor id".into()))?
        .to_owned();
    let guesttoken = state
        .tokens
        .issue_guest(group, &visitor, until_ms.div_ceil(1000));
    Ok(Json(UniqueVisitor {
        visitorid: visitor,
        uniqueid,
        guesttoken,
        timeout: timeout.as_secs().max(1) as u32,
    }))
}
