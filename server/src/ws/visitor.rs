//! Frames from a visitor (§5): keepalive, presence, visibility and events.

use super::session::{Flow, Session};
use crate::store::{StoreError, VisitorUpdate};
use crate::webhooks::hooks::visitor_update;
use glance_protocol::{ClientFrame, ErrorCode, JsonClientFrame, Visibility};
use serde_json::Value;
use std::time::Instant;

impl Session {
    /// Handles one visitor frame.
    pub(super) async fn on_visitor_frame(&mut self, frame: JsonClientFrame, now: Instant) -> Flow {
        let update = match frame {
            ClientFrame::Keepalive => return Flow::Continue,
            ClientFrame::Presence(Value::Object(map)) => {
                if let Err(e) = self.state.config.limits.presence().check_json(&map) {
                    return self.reject(ErrorCode::InvalidParameter, e.to_string());
                }
                VisitorUpdate::Presence(map)
            }
            ClientFrame::Presence(_) => {
                return self.reject(
                    ErrorCode::InvalidParameter,
                    "presence data must be an object".into(),
                )
            }
            ClientFrame::Visibility(v) => {
                self.hidden_since = match v.visibility {
                    Visibility::Hidden => self.hidden_since.or(Some(now)),
                    Visibility::Visible => None,
                };
                VisitorUpdate::Visibility(v)
            }
            ClientFrame::Event(e) => VisitorUpdate::Event(e),
            ClientFrame::Connect(_) | ClientFrame::Signal { .. } | ClientFrame::Invoke { .. } => {
                return self.reject(
                    ErrorCode::UnknownType,
                    "visitors may not send this frame type".into(),
                );
            }
        };
        let hook = visitor_update(&self.state.webhooks, &self.key, &update);
        match self
            .state
            .store
            .visitor_update(&self.key, self.conn, update)
            .await
        {
            Ok(()) => {
                if let Some(event) = hook {
                    self.state.webhooks.emit(event);
                }
                Flow::Continue
            }
            Err(StoreError::Invalid(e)) => self.reject(ErrorCode::InvalidParameter, e.to_string()),
            Err(e) => self.reject(ErrorCode::Error, e.to_string()),
        }
    }
}
