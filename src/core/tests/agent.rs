use super::*;
use crate::core::action::{Command, EventArg, PageEvent, SignalMessage};
use crate::core::agent::AgentMachine;
use crate::core::backoff::{Backoff, Jitter};
use crate::core::link::Mode;
use crate::core::{FailCode, ResolveError};
use glance_protocol::{AckData, AckId, ErrorCode, SockData, TermsData, TermsStatus};
use serde_json::json;

fn machine() -> AgentMachine<P> {
    AgentMachine::new(
        group(),
        Some(vid("v1")),
        "0.1.0".into(),
        Backoff::new(Jitter::new(3)),
    )
}

fn connected() -> AgentMachine<P> {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    complete_connect(&mut m, &start, "v1", Some("tok"));
    m
}

fn signal(request: u64) -> Input<P> {
    Input::Command(Command::Signal {
        request,
        message: SignalMessage::Signal(json!({"hello": 1})),
    })
}

#[test]
fn connect_frame_carries_the_token() {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let attempt = resolve_attempt(&start).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, Some("tok"))));
    let hello = feed(&mut m, ev(Event::Opened { attempt }));
    assert_eq!(
        sent(&hello)[0],
        json!({"type": "connect", "groupid": 12345, "visitorid": "v1", "authorization": "tok", "version": "0.1.0"})
    );
}

#[test]
fn signals_use_rest_when_not_connected() {
    let mut m = machine();
    let out = feed(&mut m, signal(1));
    assert!(matches!(&out[..], [Action::RestSignal { request: 1, .. }]));
    let out = feed(
        &mut m,
        Input::Command(Command::RestSignalDone {
            request: 1,
            result: Err(FailCode::VisitorNotPresent),
        }),
    );
    assert_eq!(
        out,
        [Action::Complete {
            request: 1,
            result: Err(FailCode::VisitorNotPresent)
        }]
    );
}

#[test]
fn socket_signals_are_acked() {
    let mut m = connected();
    let out = feed(&mut m, signal(7));
    assert_eq!(
        sent(&out),
        [json!({"type": "signal", "id": 7, "data": {"hello": 1}})]
    );
    assert!(armed(&out, TimerKind::Ack(7)).is_some());
    let ack = AckData::ok(AckId::Num(7));
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Ack(ack.clone()))));
    assert_eq!(
        out,
        [
            Action::Timer(TimerKind::Ack(7), None),
            Action::Complete {
                request: 7,
                result: Ok(())
            }
        ]
    );
    assert!(
        feed(&mut m, ev(Event::Frame(ServerFrame::Ack(ack)))).is_empty(),
        "a second ack is ignored"
    );

    feed(&mut m, signal(8));
    let refused = AckData::refused(AckId::Num(8), ErrorCode::VisitorNotPresent);
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Ack(refused))));
    assert_eq!(
        out[1],
        Action::Complete {
            request: 8,
            result: Err(FailCode::VisitorNotPresent)
        }
    );
}

#[test]
fn invoke_goes_out_with_its_id() {
    let mut m = connected();
    let call = glance_protocol::InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args: Some(json!({"a": 1})),
    };
    let out = feed(
        &mut m,
        Input::Command(Command::Signal {
            request: 2,
            message: SignalMessage::Invoke(call),
        }),
    );
    assert_eq!(
        sent(&out),
        [
            json!({"type": "invoke", "id": 2, "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {"a": 1}}})
        ]
    );
}

#[test]
fn lost_socket_or_timeout_fails_pending_signals() {
    let mut m = connected();
    feed(&mut m, signal(1));
    let out = feed(&mut m, ev(Event::Timer(TimerKind::Ack(1))));
    assert_eq!(
        out,
        [Action::Complete {
            request: 1,
            result: Err(FailCode::Connection)
        }]
    );
    feed(&mut m, signal(2));
    let out = feed(&mut m, ev(Event::Closed { code: 1006 }));
    assert!(out.contains(&Action::Complete {
        request: 2,
        result: Err(FailCode::Connection)
    }));
    assert!(armed(&out, TimerKind::Retry).is_some());
}

#[test]
fn visitor_events_reach_their_handlers() {
    let mut m = connected();
    let frames = [
        (
            ServerFrame::VisitorConn(SockData { connected: true }),
            "onvisitorconn",
        ),
        (
            ServerFrame::VisitorSock(SockData { connected: false }),
            "onvisitorsock",
        ),
        (ServerFrame::Presence(json!({"url": "x"})), "onpresence"),
        (
            ServerFrame::Terms(TermsData {
                status: TermsStatus::Declined,
            }),
            "onterms",
        ),
        (
            ServerFrame::SessionStart(Some(json!({"sessionkey": "k"}))),
            "onvisitorsessionstart",
        ),
        (
            ServerFrame::Custom {
                name: "c_cart".into(),
                data: None,
            },
            "onc_cart",
        ),
    ];
    for (frame, handler) in frames {
        assert_eq!(
            dispatched(&feed(&mut m, ev(Event::Frame(frame)))),
            [handler]
        );
    }
    let out = feed(
        &mut m,
        ev(Event::OtherFrame {
            kind: "future".into(),
            data: Some(json!(1)),
        }),
    );
    assert_eq!(dispatched(&out), ["onfuture"]);
}

#[test]
fn authorization_refusal_clears_token_and_stops() {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let attempt = resolve_attempt(&start).unwrap();
    let out = feed(
        &mut m,
        ev(Event::Resolved {
            attempt,
            result: Err(ResolveError::Authorization),
        }),
    );
    let error = glance_protocol::ErrorData {
        error: ErrorCode::Connfail,
        detail: Some("authorization".into()),
    };
    assert_eq!(
        out[0],
        Action::Dispatch(PageEvent::named("onerror", EventArg::Error(error)))
    );
    assert!(out.contains(&Action::ClearToken));
    assert!(out.contains(&Action::Listen(false)));
    assert!(armed(&out, TimerKind::Retry).is_none());
    assert_eq!(m.link().mode(), Mode::Off);
}

#[test]
fn unavailable_stops_further_requests() {
    let mut m = machine();
    feed(&mut m, signal(1));
    let out = feed(
        &mut m,
        Input::Command(Command::RestSignalDone {
            request: 1,
            result: Err(FailCode::ServiceUnavailable),
        }),
    );
    assert_eq!(
        out,
        [Action::Complete {
            request: 1,
            result: Err(FailCode::ServiceUnavailable)
        }]
    );
    assert!(m.unavailable());
    assert_eq!(
        feed(&mut m, signal(2)),
        [Action::Complete {
            request: 2,
            result: Err(FailCode::ServiceUnavailable)
        }]
    );
    let out = feed(&mut m, Input::Command(Command::Connect));
    assert_eq!(dispatched(&out), ["onerror"]);
    assert!(resolve_attempt(&out).is_none());
}

#[test]
fn unavailable_during_resolve_stops_the_object() {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let attempt = resolve_attempt(&start).unwrap();
    let out = feed(
        &mut m,
        ev(Event::Resolved {
            attempt,
            result: Err(ResolveError::Unavailable),
        }),
    );
    assert_eq!(dispatched(&out), ["onerror"]);
    assert!(m.unavailable());
    assert_eq!(
        feed(&mut m, signal(1)),
        [Action::Complete {
            request: 1,
            result: Err(FailCode::ServiceUnavailable)
        }]
    );
}

#[test]
fn set_visitor_id_reconnects() {
    let mut m = connected();
    let out = feed(&mut m, Input::Command(Command::SetVisitorId(vid("v2"))));
    assert!(out.contains(&Action::Close));
    assert!(out
        .iter()
        .any(|a| matches!(a, Action::Resolve { visitorid, .. } if visitorid.as_str() == "v2")));
    assert!(!m.is_connected());
}

#[test]
fn serverclose_fires_onclose_and_stays_closed() {
    let mut m = connected();
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::ServerClose)));
    assert_eq!(dispatched(&out), ["onclose"]);
    assert!(feed(&mut m, ev(Event::Online)).is_empty());
    assert!(!m.is_connected());
}

#[test]
fn nokeepalive_sends_no_keepalive() {
    let mut m = machine().without_keepalive(true);
    let start = feed(&mut m, Input::Command(Command::Connect));
    let done = complete_connect(&mut m, &start, "v1", Some("tok"));
    assert_eq!(armed(&done, TimerKind::Keepalive), None);

    // Without it, the server's keepalive (25 s in the test frame) is armed.
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let done = complete_connect(&mut m, &start, "v1", Some("tok"));
    assert_eq!(armed(&done, TimerKind::Keepalive), Some(25_000));
}
