//! Agent endpoints, with `Authorization: Bearer <token>` for the group (§4.4).

use super::extract::{host, Body, Q};
use super::query::RequestQuery;
use super::ApiError;
use crate::signal::visitor_frame;
use crate::state::SharedState;
use crate::store::{QueryPage, SignalOutcome, VisitorKey};
use crate::webhooks::hooks::{agent_action, Via};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use glance_protocol::{
    FindReply, GroupId, LookupReply, PresenceMap, QueriedVisitor, QueryReply, SignalRequest,
    VisitorId, VisitorInfo, VisitorQuery,
};
use serde_json::Value;

/// Checks the Bearer token against `group`; the user it names.
pub(super) fn authorize(
    state: &SharedState,
    headers: &HeaderMap,
    group: GroupId,
) -> Result<String, ApiError> {
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
            .map(|claims| claims.sub)
            .map_err(|_| "token"),
        None => Err("notoken"),
    };
    let user = result.map_err(|reason| {
        state.metrics.auth_failure(reason);
        ApiError::Unauthorized
    })?;
    if state.draining() {
        return Err(ApiError::Unavailable);
    }
    if !state.groups.contains_key(&group) {
        return Err(ApiError::Unauthorized);
    }
    Ok(user)
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
    let agent = authorize(&state, &headers, q.groupid)?;
    let frame = visitor_frame(body.mtype, body.data)
        .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
    let key = VisitorKey::new(q.groupid, q.visitorid);
    // A REST caller has no connection to tell later: its 200 means queued.
    let outcome = state.store.signal(&key, frame.to_json().into(), None).await;
    let result = outcome.clone().map_err(|_| ());
    agent_action(&state.webhooks, &key, &agent, &frame, result, Via::Rest);
    match outcome? {
        SignalOutcome::Delivered | SignalOutcome::Held => Ok(Json(serde_json::Map::new())),
        SignalOutcome::NotPresent => Err(ApiError::NotPresent),
    }
}

/// Query parameters of `/query` that are not presence filters.
const NOT_FILTERS: [&str; 7] = [
    "groupid",
    "visitorid",
    "ver",
    "_",
    "callback",
    "limit",
    "cursor",
];

/// `GET /query?groupid=[&visitorid=][&limit=][&cursor=][&field=value…]`: one page of present
/// visitors in id order, optionally filtered by visitor id and by presence fields equal to the
/// given text. `limit` defaults to `limits.query_page` (at most `limits.query_page_max`); the
/// reply's `cursor`, passed back, gives the next page. Filters apply within a page, so a
/// filtered page may hold fewer than `limit` visitors and still have a `cursor`.
pub async fn query(
    State(state): State<SharedState>,
    headers: HeaderMap,
    params: RequestQuery,
) -> Result<Json<QueryReply<PresenceMap>>, ApiError> {
    let invalid = |e: &dyn std::fmt::Display| ApiError::InvalidParameter(e.to_string());
    let group = params
        .get("groupid")
        .ok_or_else(|| ApiError::InvalidParameter("groupid is required".into()))
        .and_then(|g| GroupId::parse(g).map_err(|e| invalid(&e)))?;
    authorize(&state, &headers, group)?;
    let limits = &state.config.limits;
    let limit = match params.get("limit").map(|l| l.trim()) {
        None | Some("") => limits.query_page,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(limits.query_page_max),
            _ => return Err(invalid(&"limit must be a positive whole number")),
        },
    };
    let cursor = match params.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => Some(VisitorId::parse(c).map_err(|e| invalid(&e))?),
        None => None,
    };
    // Every filter must hold: a filter given twice with two values matches nobody.
    let filters: Vec<(&str, &str)> = params
        .pairs()
        .filter(|(k, _)| !NOT_FILTERS.contains(k))
        .collect();
    let page = match params.get("visitorid") {
        // One visitor: no page to walk.
        Some(v) => {
            let only = VisitorId::parse(v).map_err(|e| invalid(&e))?;
            let key = VisitorKey::new(group, only.clone());
            QueryPage {
                visitors: state
                    .store
                    .lookup(&key)
                    .await?
                    .map(|p| (only, p))
                    .into_iter()
                    .collect(),
                next: None,
            }
        }
        None => state.store.query(group, cursor.as_ref(), limit).await?,
    };
    let visitors = page
        .visitors
        .into_iter()
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
    Ok(Json(QueryReply {
        visitors,
        cursor: page.next,
    }))
}

fn matches_text(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s == text,
        // Numbers and booleans as JSON writes them.
        other => other.to_string().as_str() == text,
    }
}
