//! Native tests of the state machines: inputs in, actions out, no browser.

mod agent;
mod json;
mod visitor;

use crate::core::action::{Action, Event, Input, Machine, Resolved, TimerKind};
use glance_protocol::{ConnectedData, GroupId, ServerFrame, VisitorId};
use serde_json::Value;

/// Payload type of the tests.
pub type P = Value;

/// Feeds one input and returns the actions.
pub fn feed<M: Machine<P>>(m: &mut M, input: Input<P>) -> Vec<Action<P>> {
    let mut out = Vec::new();
    m.handle(input, &mut out);
    out
}

pub fn ev(e: Event<P>) -> Input<P> {
    Input::Event(e)
}

pub fn group() -> GroupId {
    GroupId::new(12345).unwrap()
}

pub fn vid(s: &str) -> VisitorId {
    VisitorId::parse(s).unwrap()
}

pub fn connected_frame(visitor: &str) -> Event<P> {
    Event::Frame(ServerFrame::Connected {
        keepalive: 25,
        data: ConnectedData {
            groupid: group(),
            visitorid: vid(visitor),
        },
    })
}

pub fn resolved_ok(attempt: u32, token: Option<&str>) -> Event<P> {
    Event::Resolved {
        attempt,
        result: Ok(Resolved {
            host: "127.0.0.1:9".into(),
            token: token.map(str::to_owned),
        }),
    }
}

/// The attempt number of the `Resolve` among `actions`.
pub fn resolve_attempt(actions: &[Action<P>]) -> Option<u32> {
    actions.iter().find_map(|a| match a {
        Action::Resolve { attempt, .. } => Some(*attempt),
        _ => None,
    })
}

/// The delay of an armed timer of `kind` among `actions`.
pub fn armed(actions: &[Action<P>], kind: TimerKind) -> Option<u32> {
    actions.iter().find_map(|a| match a {
        Action::Timer(k, Some(ms)) if *k == kind => Some(*ms),
        _ => None,
    })
}

/// The names of the page handlers dispatched among `actions`.
pub fn dispatched(actions: &[Action<P>]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Dispatch(e) => Some(e.handler.name().to_owned()),
            _ => None,
        })
        .collect()
}

/// The JSON of the frames sent among `actions`.
pub fn sent(actions: &[Action<P>]) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(f) => Some(crate::core::action::frame_to_wire(f)),
            _ => None,
        })
        .collect()
}

/// Drives a machine from `start` actions through resolve, open and `connected`; returns every
/// action of the last step.
pub fn complete_connect<M: Machine<P>>(
    m: &mut M,
    start: &[Action<P>],
    visitor: &str,
    token: Option<&str>,
) -> Vec<Action<P>> {
    let attempt = resolve_attempt(start).expect("a resolve");
    let open = feed(m, ev(resolved_ok(attempt, token)));
    assert!(
        open.iter().any(|a| matches!(a, Action::Open { .. })),
        "{open:?}"
    );
    let hello = feed(m, ev(Event::Opened { attempt }));
    assert_eq!(sent(&hello)[0]["type"], "connect");
    let done = feed(m, ev(connected_frame(visitor)));
    assert!(m.is_connected());
    done
}
