//! Frames from an agent (§5): keepalive, and signals / invokes with acks.

use super::session::{Flow, Session};
use crate::outbox::{DropNotice, Outgoing};
use crate::signal::check_invoke;
use crate::store::SignalOutcome;
use crate::webhooks::hooks::{agent_action, Via};
use glance_protocol::{
    AckData, AckId, ClientFrame, ErrorCode, JsonClientFrame, JsonServerFrame, ServerFrame,
};

impl Session {
    /// Handles one agent frame.
    pub(super) async fn on_agent_frame(&mut self, frame: JsonClientFrame) -> Flow {
        let (id, to_visitor) = match frame {
            ClientFrame::Keepalive => return Flow::Continue,
            ClientFrame::Signal { id, data } => (id, Ok(ServerFrame::Signal(data))),
            ClientFrame::Invoke { id, data } => (id, check_invoke(data)),
            _ => {
                return self.reject(
                    ErrorCode::UnknownType,
                    "agents may send k, signal and invoke".into(),
                )
            }
        };
        let to_visitor: JsonServerFrame = match to_visitor {
            Ok(f) => f,
            Err(e) => return self.ack_or_reject(id, ErrorCode::InvalidParameter, e.to_string()),
        };
        // Only a signal with an ack id can be told about later: the notice names that id.
        let notice = id
            .clone()
            .map(|id| DropNotice::local(id, self.outbox.clone(), self.conn));
        let outcome = self
            .state
            .store
            .signal(&self.key, to_visitor.to_json().into(), notice)
            .await;
        let agent = self.agent.as_deref().unwrap_or_default();
        let hooks = &self.state.webhooks;
        agent_action(
            hooks,
            &self.key,
            agent,
            &to_visitor,
            outcome.clone().map_err(|_| ()),
            Via::Socket,
        );
        let error = match outcome {
            Ok(SignalOutcome::Delivered | SignalOutcome::Held) => None,
            Ok(SignalOutcome::NotPresent) => Some(ErrorCode::VisitorNotPresent),
            Err(_) => Some(ErrorCode::ServiceUnavailable),
        };
        if let Some(id) = id {
            let ack = match error {
                None => AckData::ok(id),
                Some(e) => AckData::refused(id, e),
            };
            let _ = self.outbox.push(Outgoing::Frame(
                ServerFrame::<serde_json::Value>::Ack(ack).to_json().into(),
            ));
        }
        Flow::Continue
    }

    fn ack_or_reject(&mut self, id: Option<AckId>, error: ErrorCode, detail: String) -> Flow {
        match id {
            Some(id) => {
                let ack = ServerFrame::<serde_json::Value>::Ack(AckData::refused(id, error));
                let _ = self.outbox.push(Outgoing::Frame(ack.to_json().into()));
                Flow::Continue
            }
            None => self.reject(error, detail),
        }
    }
}
