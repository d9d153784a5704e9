use super::*;
use crate::core::action::{Command, EventArg, PageEvent};
use crate::core::backoff::{Backoff, Jitter};
use crate::core::link::{Mode, Phase};
use crate::core::presence::{PageFacts, PresenceMap, Scalar};
use crate::core::queue::QUEUE_CAPACITY;
use crate::core::visitor::{
    visitor_event, EventRule, VisitorMachine, VisitorSetup, HIDDEN_LIMIT_MS,
};
use crate::core::ResolveError;
use glance_protocol::{ErrorCode, ErrorData, InvokeData, UniqueVisitor, Visibility};
use serde_json::json;

fn machine() -> VisitorMachine<P> {
    let mut user = PresenceMap::new();
    user.set("name", Scalar::Str("Ann".into()));
    let setup = VisitorSetup {
        groupid: group(),
        visitorid: Some(vid("v1")),
        guesttoken: None,
        user,
        nokeepalive: false,
        version: "0.1.0".into(),
        visibility: Visibility::Visible,
    };
    VisitorMachine::new(setup, Backoff::new(Jitter::new(1)))
}

fn presence(data: &[(&str, Scalar)]) -> Input<P> {
    let data = data
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let page = PageFacts {
        url: "https://shop.example/".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36".into(),
    };
    Input::Command(Command::Presence { data, page })
}

/// A visitor that sent one presence and is connected.
fn connected() -> VisitorMachine<P> {
    let mut m = machine();
    let start = feed(&mut m, presence(&[]));
    complete_connect(&mut m, &start, "v1", None);
    m
}

#[test]
fn presence_connects_then_sends_merged_map() {
    let mut m = machine();
    let start = feed(&mut m, presence(&[("cart", Scalar::Num("2".into()))]));
    assert_eq!(start[0], Action::Listen(true));
    assert!(
        sent(&start).is_empty(),
        "nothing is sent before the socket is open"
    );
    let attempt = resolve_attempt(&start).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, None)));
    let hello = feed(&mut m, ev(Event::Opened { attempt }));
    assert_eq!(
        sent(&hello),
        [json!({"type": "connect", "groupid": 12345, "visitorid": "v1", "version": "0.1.0"})]
    );
    let done = feed(&mut m, ev(connected_frame("v1")));
    assert_eq!(armed(&done, TimerKind::Keepalive), Some(25_000));
    let frames = sent(&done);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        frames[0],
        json!({"type": "presence", "data": {"name": "Ann", "url": "https://shop.example/", "browser": "chrome",
            "browserver": "131", "platform": "linux", "cart": 2}})
    );
    assert_eq!(dispatched(&done), ["onconnected"]);
}

#[test]
fn presence_over_limits_sends_nothing() {
    let mut m = machine();
    let too_many: Vec<(String, Scalar)> = (0..20)
        .map(|i| (format!("k{i}"), Scalar::Num("1".into())))
        .collect();
    let refs: Vec<(&str, Scalar)> = too_many
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let out = feed(&mut m, presence(&refs));
    assert_eq!(dispatched(&out), ["onerror"]);
    assert!(matches!(
        &out[0],
        Action::Dispatch(PageEvent {
            arg: EventArg::Error(ErrorData {
                error: ErrorCode::InvalidParameter,
                ..
            }),
            ..
        })
    ));
    assert!(resolve_attempt(&out).is_none());
    assert_eq!(m.link().mode(), Mode::Off);
    let out = feed(&mut m, presence(&[("obj", Scalar::Other)]));
    assert_eq!(dispatched(&out), ["onerror"]);
}

#[test]
fn reconnects_with_backoff_and_resends_presence() {
    let mut m = connected();
    let out = feed(&mut m, ev(Event::Closed { code: 1006 }));
    assert!(
        dispatched(&out).is_empty(),
        "losing an open socket is not a connfail"
    );
    let delay = armed(&out, TimerKind::Retry).unwrap();
    assert!(delay < 1000);
    let retry = feed(&mut m, ev(Event::Timer(TimerKind::Retry)));
    let done = complete_connect(&mut m, &retry, "v1", None);
    assert_eq!(sent(&done)[0]["type"], "presence");
}

#[test]
fn failed_attempts_back_off_and_report_once() {
    let mut m = connected();
    feed(&mut m, ev(Event::Closed { code: 1006 }));
    let mut ceilings = vec![];
    let mut reports = 0;
    for _ in 0..8 {
        let out = feed(&mut m, ev(Event::Timer(TimerKind::Retry)));
        let attempt = resolve_attempt(&out).unwrap();
        let out = feed(
            &mut m,
            ev(Event::Resolved {
                attempt,
                result: Err(crate::core::ResolveError::Network),
            }),
        );
        reports += dispatched(&out).len();
        ceilings.push(armed(&out, TimerKind::Retry).unwrap());
    }
    assert_eq!(reports, 1);
    assert!(
        ceilings[2] >= 2000 && ceilings.iter().all(|d| *d < 30_000),
        "{ceilings:?}"
    );
    assert!(ceilings[7] >= 15_000);
}

#[test]
fn online_and_visible_skip_the_wait() {
    let mut m = connected();
    feed(&mut m, ev(Event::Closed { code: 1001 }));
    let out = feed(&mut m, ev(Event::Online));
    assert_eq!(out[0], Action::Timer(TimerKind::Retry, None));
    assert!(resolve_attempt(&out).is_some());

    let mut m = connected();
    feed(&mut m, ev(Event::Closed { code: 1001 }));
    let out = feed(&mut m, ev(Event::VisibilityChanged(Visibility::Visible)));
    assert!(resolve_attempt(&out).is_some());
}

#[test]
fn hidden_limit_closes_and_visible_reconnects() {
    let mut m = connected();
    let out = feed(&mut m, ev(Event::VisibilityChanged(Visibility::Hidden)));
    assert_eq!(armed(&out, TimerKind::HiddenLimit), Some(HIDDEN_LIMIT_MS));
    assert_eq!(
        sent(&out),
        [json!({"type": "visibility", "data": {"visibility": "hidden"}})]
    );
    let out = feed(&mut m, ev(Event::Timer(TimerKind::HiddenLimit)));
    assert!(out.contains(&Action::Close));
    assert!(
        !out.contains(&Action::Listen(false)),
        "still listening for visibility"
    );
    assert_eq!(m.link().mode(), Mode::Dormant);
    let out = feed(&mut m, ev(Event::VisibilityChanged(Visibility::Visible)));
    assert!(out.contains(&Action::Timer(TimerKind::HiddenLimit, None)));
    let done = complete_connect(&mut m, &out, "v1", None);
    let types: Vec<_> = sent(&done).iter().map(|f| f["type"].clone()).collect();
    assert_eq!(types, ["visibility", "presence"]);
}

#[test]
fn blur_then_window_focus_takes_focus_back() {
    let mut m = connected();
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Blur)));
    assert_eq!(dispatched(&out), ["onblur"]);
    let out = feed(&mut m, ev(Event::WindowFocus));
    assert_eq!(
        sent(&out),
        [json!({"type": "visibility", "data": {"visibility": "visible"}})]
    );
    assert!(
        feed(&mut m, ev(Event::WindowFocus)).is_empty(),
        "already focused"
    );
}

#[test]
fn invoke_paths_are_checked() {
    let mut m = connected();
    let call = InvokeData {
        func: "GLANCE.Cobrowse.Visitor.showTerms".into(),
        args: Some(json!({})),
    };
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Invoke(call.clone()))));
    assert_eq!(out, [Action::Invoke(call)]);
    let evil = InvokeData {
        func: "window.alert".into(),
        args: None,
    };
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Invoke(evil))));
    assert!(matches!(&out[..], [Action::Log(_)]));
}

#[test]
fn serverclose_while_visible_is_final() {
    let mut m = connected();
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::ServerClose)));
    assert_eq!(dispatched(&out), ["onclose"]);
    assert!(out.contains(&Action::Listen(false)));
    assert!(feed(&mut m, ev(Event::Closed { code: 1000 })).is_empty());
    assert!(feed(&mut m, ev(Event::Online)).is_empty());
}

#[test]
fn disconnect_leaves_nothing_armed() {
    let mut m = connected();
    let out = feed(&mut m, Input::Command(Command::Disconnect));
    assert!(out.contains(&Action::Close));
    assert!(out.contains(&Action::Listen(false)));
    for kind in [
        TimerKind::Retry,
        TimerKind::Keepalive,
        TimerKind::Handshake,
        TimerKind::HiddenLimit,
    ] {
        assert!(out.contains(&Action::Timer(kind, None)), "{kind:?}");
    }
    assert!(feed(&mut m, ev(Event::Closed { code: 1006 })).is_empty());
    assert!(feed(&mut m, ev(Event::Timer(TimerKind::Retry))).is_empty());
    assert!(feed(&mut m, ev(Event::Timer(TimerKind::Keepalive))).is_empty());
    assert_eq!(m.link().phase(), Phase::Idle);
}

#[test]
fn queue_is_bounded_while_down() {
    let mut m = machine();
    let mut logs = 0;
    for i in 0..(QUEUE_CAPACITY + 10) {
        let event = visitor_event::<P>("c_tick", Some(json!({"i": i})), EventRule::Fire).unwrap();
        let out = feed(&mut m, Input::Command(Command::Fire(event)));
        logs += out.iter().filter(|a| matches!(a, Action::Log(_))).count();
    }
    assert_eq!(logs, 10);
    assert_eq!(m.link().queued(), QUEUE_CAPACITY);
    let start = feed(&mut m, Input::Command(Command::Connect));
    let done = complete_connect(&mut m, &start, "v1", None);
    let frames = sent(&done);
    assert_eq!(frames.len(), QUEUE_CAPACITY);
    assert_eq!(frames[0]["data"]["i"], 10, "the oldest were dropped");
}

#[test]
fn stale_results_are_ignored() {
    let mut m = machine();
    let first = feed(&mut m, Input::Command(Command::Connect));
    let a1 = resolve_attempt(&first).unwrap();
    let second = feed(&mut m, Input::Command(Command::SetVisitorId(vid("v2"))));
    let a2 = resolve_attempt(&second).unwrap();
    assert_ne!(a1, a2);
    assert!(feed(&mut m, ev(resolved_ok(a1, None))).is_empty());
    assert!(matches!(
        &feed(&mut m, ev(resolved_ok(a2, None)))[..],
        [Action::Open { .. }]
    ));
}

#[test]
fn unique_visitor_connects_with_its_guest_token() {
    let mut m = machine();
    let reply = UniqueVisitor {
        visitorid: vid("UNQ-42"),
        uniqueid: "42".into(),
        guesttoken: "gt".into(),
        timeout: 300,
    };
    let out = feed(&mut m, Input::Command(Command::Unique(reply)));
    assert_eq!(
        out[0],
        Action::Dispatch(PageEvent::named(
            "onuniqueid",
            EventArg::UniqueId("42".into(), 300)
        ))
    );
    let attempt = resolve_attempt(&out).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, None)));
    let hello = feed(&mut m, ev(Event::Opened { attempt }));
    assert_eq!(sent(&hello)[0]["visitorid"], "UNQ-42");
    assert_eq!(sent(&hello)[0]["guesttoken"], "gt");
}

#[test]
fn renewing_a_unique_id_keeps_its_new_guest_token_without_reconnecting() {
    let mut m = machine();
    let first = UniqueVisitor {
        visitorid: vid("UNQ-42"),
        uniqueid: "42".into(),
        guesttoken: "gt1".into(),
        timeout: 300,
    };
    let out = feed(&mut m, Input::Command(Command::Unique(first.clone())));
    complete_connect(&mut m, &out, "UNQ-42", None);
    let renewed = UniqueVisitor {
        guesttoken: "gt2".into(),
        ..first
    };
    let out = feed(&mut m, Input::Command(Command::RenewUnique(renewed)));
    assert_eq!(dispatched(&out), ["onuniqueid"]);
    assert!(resolve_attempt(&out).is_none(), "no reconnect: {out:?}");
    // The next connection (after any close) presents the renewed token.
    let out = feed(&mut m, ev(Event::Closed { code: 1006 }));
    let retry = feed(&mut m, ev(Event::Timer(TimerKind::Retry)));
    assert!(armed(&out, TimerKind::Retry).is_some());
    let attempt = resolve_attempt(&retry).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, None)));
    let hello = feed(&mut m, ev(Event::Opened { attempt }));
    assert_eq!(sent(&hello)[0]["guesttoken"], "gt2");
}

#[test]
fn terms_dialog_or_page_handler() {
    let mut m = connected();
    let show = || {
        Input::Command(Command::ShowTerms {
            sessionkey: "v1".into(),
            termsurl: None,
        })
    };
    let out = feed(&mut m, show());
    assert_eq!(
        sent(&out),
        [json!({"type": "terms", "data": {"status": "displayed"}})]
    );
    assert!(matches!(out.last(), Some(Action::ShowTermsDialog { .. })));
    feed(&mut m, Input::Command(Command::SetDefaultUi(false)));
    let out = feed(&mut m, show());
    assert_eq!(dispatched(&out), ["onshowterms"]);
}

#[test]
fn event_rules() {
    assert!(visitor_event::<P>("visitorsessionstart", None, EventRule::Fire).is_ok());
    assert!(visitor_event::<P>("visitorsessionstart", None, EventRule::SignalAgent).is_err());
    assert!(visitor_event::<P>(
        "terms",
        Some(json!({"status": "accepted"})),
        EventRule::SignalAgent
    )
    .is_ok());
    assert!(visitor_event::<P>(
        "terms",
        Some(json!({"status": "maybe"})),
        EventRule::SignalAgent
    )
    .is_err());
    assert!(visitor_event::<P>("c_cart", Some(json!({"n": 1})), EventRule::SignalAgent).is_ok());
    assert!(visitor_event::<P>("cart", None, EventRule::SignalAgent).is_err());
    assert!(visitor_event::<P>("presence", None, EventRule::Fire).is_err());
}

#[test]
fn refusal_is_reported_once_and_not_retried() {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let attempt = resolve_attempt(&start).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, None)));
    feed(&mut m, ev(Event::Opened { attempt }));
    let refusal = ErrorData {
        error: ErrorCode::Connfail,
        detail: Some("authorization".into()),
    };
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Error(refusal))));
    assert_eq!(dispatched(&out), ["onerror"]);
    let out = feed(&mut m, ev(Event::Closed { code: 4401 }));
    assert!(dispatched(&out).is_empty());
    assert!(armed(&out, TimerKind::Retry).is_none());
    assert_eq!(m.link().mode(), Mode::Off);
}

#[test]
fn draining_node_during_resolve_is_retried() {
    // `/presence` answered 503 (the node is draining, e.g. right after `scaledown`): a visitor
    // keeps trying with backoff; only agents stop on 503 (§2.2).
    let mut m = machine();
    let start = feed(&mut m, presence(&[]));
    let attempt = resolve_attempt(&start).unwrap();
    let out = feed(
        &mut m,
        ev(Event::Resolved {
            attempt,
            result: Err(ResolveError::Unavailable),
        }),
    );
    assert!(armed(&out, TimerKind::Retry).is_some());
    assert!(!out.contains(&Action::Listen(false)));
    assert_eq!(m.link().mode(), Mode::On);
    let retry = feed(&mut m, ev(Event::Timer(TimerKind::Retry)));
    let next = resolve_attempt(&retry).unwrap();
    assert!(next > attempt);
    complete_connect(&mut m, &retry, "v1", None);
    assert!(m.is_connected());
}

#[test]
fn handshake_timeout_and_keepalive() {
    let mut m = machine();
    let start = feed(&mut m, Input::Command(Command::Connect));
    let attempt = resolve_attempt(&start).unwrap();
    feed(&mut m, ev(resolved_ok(attempt, None)));
    let hello = feed(&mut m, ev(Event::Opened { attempt }));
    assert!(armed(&hello, TimerKind::Handshake).is_some());
    let out = feed(&mut m, ev(Event::Timer(TimerKind::Handshake)));
    assert_eq!(out[0], Action::Close);
    assert!(armed(&out, TimerKind::Retry).is_some());

    let mut m = connected();
    let out = feed(&mut m, ev(Event::Timer(TimerKind::Keepalive)));
    assert_eq!(sent(&out), [json!({"type": "k"})]);
    assert_eq!(armed(&out, TimerKind::Keepalive), Some(25_000));
}

#[test]
fn redirect_skips_resolve() {
    let mut m = connected();
    let redirect = glance_protocol::RedirectData {
        direct: "other:1".into(),
    };
    let out = feed(&mut m, ev(Event::Frame(ServerFrame::Redirect(redirect))));
    assert!(out.contains(&Action::Close));
    assert!(out
        .iter()
        .any(|a| matches!(a, Action::Open { host, .. } if host == "other:1")));
}

#[test]
fn hidden_during_unload_is_not_sent() {
    let mut m = connected();
    assert!(feed(&mut m, ev(Event::PageHidden(true))).is_empty());
    let out = feed(&mut m, ev(Event::VisibilityChanged(Visibility::Hidden)));
    assert!(
        sent(&out).is_empty(),
        "a navigation is not the visitor leaving"
    );
    assert_eq!(armed(&out, TimerKind::HiddenLimit), None);
}

#[test]
fn back_forward_cache_restore_reports_visible() {
    let mut m = connected();
    feed(&mut m, ev(Event::PageHidden(true)));
    feed(&mut m, ev(Event::VisibilityChanged(Visibility::Hidden)));
    assert!(sent(&feed(
        &mut m,
        ev(Event::VisibilityChanged(Visibility::Visible))
    ))
    .is_empty());
    let out = feed(&mut m, ev(Event::PageHidden(false)));
    assert_eq!(
        sent(&out),
        [json!({"type": "visibility", "data": {"visibility": "visible"}})]
    );
    assert!(
        feed(&mut m, ev(Event::PageHidden(false))).is_empty(),
        "a pageshow without pagehide (first load) changes nothing"
    );
}
