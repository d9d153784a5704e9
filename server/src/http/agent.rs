//! Agent endpoints, with `Authorization: Bearer <token>` for the group (§4.4).

use super::extract::{host, Body, Q};
use super::query::RequestQuery;
use super::ApiError;
use crate::signal::visitor_frame;
use crate::state::SharedState;
use crate::store::{SignalOutcome, VisitorKey};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use glance_protocol::{
    FindReply, GroupId, LookupReply, PresenceMap, QueriedVisitor, QueryReply, SignalRequest,
    VisitorId, VisitorInfo, VisitorQuery,
};
use serde_json::Value;

/// Checks the Bearer token against `group`.
fn authorize(state: &SharedState, headers: &HeaderMap, group: GroupId) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let result = match token {
        Some(t) => state
            .tokens
            .verify_agent(t, group)
            .map(|_| ())
            .map_err(|_| "token"),
        None => Err("notoken"),
    };
    result.map_err(|reason| {
        state.metrics.auth_failure(reason);
        ApiError::Unauthorized
    })?;
    if state.draining() {
        return Err(ApiError::Unavailable);
    }
    if !state.groups.contains_key(&group) {
        return Err(ApiError::Unauthorized);
    }
    Ok(())
}

/// `GET /lookupvisitor`.
pub async fn lookup(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<VisitorQuery>,
) -> Result<Json<LookupReply<PresenceMap>>, ApiError> {
    authorize(&state, &headers, q.groupid)?;
    let key = VisitorKey::new(q.groupid, q.visitorid);
    let visitor = state.store.lookup(&key).await?.map(|presence| {
        let server = state.public_host(host(&headers));
        VisitorInfo {
            visitorid: key.visitor,
            groupid: key.group,
            directserver: server.clone(),
            direct: server,
            presence,
        }
    });
    Ok(Json(LookupReply { visitor }))
}

/// `GET /findvisitor`.
pub async fn find(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<VisitorQuery>,
) -> Result<Json<FindReply>, ApiError> {
    authorize(&state, &headers, q.groupid)?;
    let found = state
        .store
        .lookup(&VisitorKey::new(q.groupid, q.visitorid))
        .await?
        .is_some();
    let server = state.public_host(host(&headers));
    Ok(Json(FindReply {
        visitorfound: found,
        directserver: server.clone(),
        direct: server,
    }))
}

/// `POST /signalvisitor`.
pub async fn signal(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<VisitorQuery>,
    Body(body): Body<SignalRequest<Value>>,
) -> Result<Json<serde_json::Map<String, Value>>, ApiError> {
    authorize(&state, &headers, q.groupid)?;
    let frame = visitor_frame(body.mtype, body.data)
        .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
    match state
        .store
        .signal(
            &VisitorKey::new(q.groupid, q.visitorid),
            frame.to_json().into(),
        )
        .await?
    {
        SignalOutcome::Delivered | SignalOutcome::Held => Ok(Json(serde_json::Map::new())),
        SignalOutcome::NotPresent => Err(ApiError::NotPresent),
    }
}

/// Query parameters of `/query` that are not presence filters.
const NOT_FILTERS: [&str; 5] = ["groupid", "visitorid", "ver", "_", "callback"];

/// `GET /query?groupid=[&visitorid=][&field=value…]`: present visitors, optionally filtered by
/// visitor id and by presence fields equal to the given text.
pub async fn query(
    State(state): State<SharedState>,
    headers: HeaderMap,
    params: RequestQuery,
) -> Result<Json<QueryReply<PresenceMap>>, ApiError> {
    let group = params
        .get("groupid")
        .ok_or_else(|| ApiError::InvalidParameter("groupid is required".into()))
        .and_then(|g| GroupId::parse(g).map_err(|e| ApiError::InvalidParameter(e.to_string())))?;
    authorize(&state, &headers, group)?;
    let only = match params.get("visitorid") {
        Some(v) => {
            Some(VisitorId::parse(v).map_err(|e| ApiError::InvalidParameter(e.to_string()))?)
        }
        None => None,
    };
    // Every filter must hold: a filter given twice with two values matches nobody.
    let filters: Vec<(&str, &str)> = params
        .pairs()
        .filter(|(k, _)| !NOT_FILTERS.contains(k))
        .collect();
    let visitors = state
        .store
        .query(group)
        .await?
        .into_iter()
        .filter(|(id, _)| only.as_ref().is_none_or(|o| o == id))
        .filter(|(_, p)| {
            filters
                .iter()
                .all(|(k, v)| p.get(*k).is_some_and(|x| matches_text(x, v)))
        })
        .map(|(visitorid, presence)| QueriedVisitor {
            visitorid,
            presence,
        })
        .collect();
    Ok(Json(QueryReply { visitors }))
}

fn matches_text(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s == text,
        // Numbers and booleans as JSON writes them.
        other => other.to_string().as_str() == text,
    }
}
