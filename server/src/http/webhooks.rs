//! The console's view of a group's webhooks (agent endpoints, Bearer token of the group):
//! `GET /webhooks/deliveries` lists the recent deliveries this node made, `POST /webhooks/test`
//! queues a `webhook.test` event to every endpoint of the group (docs/WEBHOOKS.md).

use super::agent::authorize;
use super::extract::Q;
use super::ApiError;
use crate::state::SharedState;
use crate::webhooks::event::{Event, EventType};
use crate::webhooks::recent::DeliveryRecord;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use glance_protocol::GroupId;
use serde::{Deserialize, Serialize};

/// `?groupid=`.
#[derive(Debug, Deserialize)]
pub struct GroupQuery {
    /// The group.
    pub groupid: GroupId,
}

/// Reply of `GET /webhooks/deliveries`.
#[derive(Debug, Serialize)]
pub struct DeliveriesReply {
    /// Endpoints the group has.
    pub endpoints: usize,
    /// The last deliveries, newest first.
    pub deliveries: Vec<DeliveryRecord>,
}

/// Reply of `POST /webhooks/test`.
#[derive(Debug, Serialize)]
pub struct TestReply {
    /// Endpoints the test event was queued for.
    pub queued: usize,
}

/// `GET /webhooks/deliveries?groupid=G`.
pub async fn deliveries(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<GroupQuery>,
) -> Result<Json<DeliveriesReply>, ApiError> {
    authorize(&state, &headers, q.groupid)?;
    Ok(Json(DeliveriesReply {
        endpoints: state.webhooks.endpoint_count(q.groupid),
        deliveries: state.webhooks.recent(q.groupid),
    }))
}

/// `POST /webhooks/test?groupid=G`: 400 when the group has no endpoint.
pub async fn test(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Q(q): Q<GroupQuery>,
) -> Result<Json<TestReply>, ApiError> {
    let agent = authorize(&state, &headers, q.groupid)?;
    let queued = state.webhooks.endpoint_count(q.groupid);
    if queued == 0 {
        return Err(ApiError::InvalidParameter(format!(
            "group {} has no webhook endpoints",
            q.groupid
        )));
    }
    state.webhooks.emit(Event {
        kind: EventType::Test,
        group: q.groupid,
        visitor: None,
        data: serde_json::Map::from_iter([("agent".to_owned(), agent.into())]),
    });
    Ok(Json(TestReply { queued }))
}
