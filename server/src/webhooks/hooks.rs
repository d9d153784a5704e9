//! The events of each transition, built where the server decides it (the store, the sessions,
//! the REST handlers). Each builder first asks whether any endpoint of the group wants the event,
//! so a group without webhooks pays one map lookup.

use super::event::{Event, EventType};
use super::Webhooks;
use crate::store::{now_ms, SignalOutcome, VisitorKey, VisitorUpdate};
use glance_protocol::{
    GroupId, JsonServerFrame, PresenceMap, ServerFrame, TermsStatus, Visibility, VisitorEvent,
    VisitorId,
};
use serde_json::Value;
use std::time::Duration;

/// `visitor.present`: the first presence data after an absence. `presence` is the stamped map.
pub fn visitor_present(hooks: &Webhooks, key: &VisitorKey, presence: impl FnOnce() -> PresenceMap) {
    if hooks.wants(key.group, EventType::VisitorPresent.name()) {
        let e = Event::visitor(EventType::VisitorPresent, key.group, &key.visitor)
            .with("presence", Value::Object(presence()));
        hooks.emit(e);
    }
}

/// `visitor.absent`: the grace passed `away` after the last socket closed. `presence` is the
/// last stamped map.
pub fn visitor_absent(
    hooks: &Webhooks,
    key: &VisitorKey,
    presence: impl FnOnce() -> PresenceMap,
    away: Duration,
) {
    if hooks.wants(key.group, EventType::VisitorAbsent.name()) {
        let lastseen = now_ms().saturating_sub(away.as_millis() as u64);
        let e = Event::visitor(EventType::VisitorAbsent, key.group, &key.visitor)
            .with("presence", Value::Object(presence()))
            .with("lastseen", lastseen);
        hooks.emit(e);
    }
}

/// The event of a visitor frame other than `presence`, built before the store takes the update
/// and emitted once it accepted it.
pub fn visitor_update(hooks: &Webhooks, key: &VisitorKey, update: &VisitorUpdate) -> Option<Event> {
    let (kind, data) = match update {
        VisitorUpdate::Presence(_) => return None,
        VisitorUpdate::Visibility(v) => (
            match v.visibility {
                Visibility::Hidden => EventType::VisitorHidden,
                Visibility::Visible => EventType::VisitorVisible,
            },
            None,
        ),
        VisitorUpdate::Event(ev) => match ev {
            VisitorEvent::Terms(t) => (
                match t.status {
                    TermsStatus::Displayed => EventType::TermsDisplayed,
                    TermsStatus::Accepted => EventType::TermsAccepted,
                    TermsStatus::Declined => EventType::TermsDeclined,
                },
                None,
            ),
            VisitorEvent::SessionStart(d) => (EventType::SessionStart, d.as_ref()),
            VisitorEvent::SessionEnd(d) => (EventType::SessionEnd, d.as_ref()),
            VisitorEvent::VisitorError(d) => (EventType::VisitorError, d.as_ref()),
            VisitorEvent::Custom { name, data } => (EventType::Custom(name.clone()), data.as_ref()),
        },
    };
    if !hooks.wants(key.group, kind.name()) {
        return None;
    }
    let mut e = Event::visitor(kind, key.group, &key.visitor);
    if let Some(d) = data {
        e = e.with("data", d.clone());
    }
    Some(e)
}

/// How an agent reached the visitor.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// Its WebSocket.
    Socket,
    /// `POST /signalvisitor`.
    Rest,
}

/// `agent.signal` / `agent.invoke`: who asked what of which visitor, and what came of it.
pub fn agent_action(
    hooks: &Webhooks,
    key: &VisitorKey,
    agent: &str,
    frame: &JsonServerFrame,
    outcome: Result<SignalOutcome, ()>,
    via: Via,
) {
    let (kind, what) = match frame {
        ServerFrame::Signal(d) => (
            EventType::AgentSignal,
            ("data", d.clone().unwrap_or(Value::Null)),
        ),
        ServerFrame::Invoke(i) => (
            EventType::AgentInvoke,
            ("func", Value::String(i.func.clone())),
        ),
        _ => return,
    };
    if !hooks.wants(key.group, kind.name()) {
        return;
    }
    let outcome = match outcome {
        Ok(SignalOutcome::Delivered) => "delivered",
        Ok(SignalOutcome::Held) => "held",
        Ok(SignalOutcome::NotPresent) => "visitornotpresent",
        Err(()) => "error",
    };
    let mut e = Event::visitor(kind, key.group, &key.visitor)
        .with("agent", agent)
        .with(what.0, what.1)
        .with("outcome", outcome)
        .with(
            "via",
            match via {
                Via::Socket => "socket",
                Via::Rest => "rest",
            },
        );
    if let ServerFrame::Invoke(i) = frame {
        e = e.with("args", i.args.clone().unwrap_or(Value::Null));
    }
    hooks.emit(e);
}

/// `unique.created`: a guest code was handed out, live until `until_ms`.
pub fn unique_created(hooks: &Webhooks, group: GroupId, visitor: &VisitorId, until_ms: u64) {
    let Some(number) = visitor.unique_digits().and_then(|d| d.parse::<u64>().ok()) else {
        return;
    };
    if hooks.wants(group, EventType::UniqueCreated.name()) {
        hooks.emit(
            Event::visitor(EventType::UniqueCreated, group, visitor)
                .with("uniqueid", number.to_string())
                .with("expires", until_ms),
        );
    }
    hooks.unique_deadline(group, number, until_ms);
}
