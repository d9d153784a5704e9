//! The one-click terms flow (`src/cobrowse.rs`): `showTerms` with the built-in dialog or
//! `onshowterms`, the dialog's outcome, `startSession` / `stopSession`.

use super::support::*;

fn terms(status: &str) -> String {
    format!(r#"{{"type":"terms","data":{{"status":"{status}"}}}}"#)
}

#[test]
fn show_terms_fires_displayed_and_shows_the_dialog() {
    let socket = connected_visitor(7);
    m(0, "showTerms", "[{}]");
    // With the group's terms URL from the settings lookup as its link.
    assert_eq!(
        log(),
        [
            send_line(socket, &terms("displayed")),
            "dialog shown https://t.example/terms".into()
        ]
    );
}

#[test]
fn accepting_fires_accepted_then_starts_the_session() {
    let socket = connected_visitor(7);
    m(0, "showTerms", r#"[{"sessionKey":"S1"}]"#);
    log();
    dialog(true);
    assert_eq!(
        log(),
        [
            send_line(socket, &terms("accepted")),
            "dialog closed".into(),
            r#"call GLANCE.Cobrowse.Visitor.startSession [{"sessionKey":"S1"}]"#.into(),
        ]
    );
    dialog(true);
    assert_eq!(log(), Vec::<String>::new(), "one outcome per dialog");

    // The page's `startSession` is the module's own here.
    m(0, "startSession", r#"[{"sessionKey":"S1"}]"#);
    assert_eq!(
        log(),
        [
            send_line(
                socket,
                r#"{"type":"visitorsessionstart","data":{"sessionkey":"S1"}}"#
            ),
            r#"event glance:startsession {"sessionkey":"S1"}"#.into(),
        ]
    );
}

#[test]
fn the_session_key_defaults_to_the_visitor_id() {
    let _ = connected_visitor(7);
    m(0, "showTerms", "[]");
    log();
    dialog(true);
    assert!(has(
        &log(),
        r#"call GLANCE.Cobrowse.Visitor.startSession [{"sessionKey":"v1"}]"#
    ));
    m(0, "startSession", "[]");
    assert!(has(
        &log(),
        r#"event glance:startsession {"sessionkey":"v1"}"#
    ));
}

#[test]
fn declining_fires_declined_only() {
    let socket = connected_visitor(7);
    m(0, "showTerms", "[{}]");
    log();
    dialog(false);
    assert_eq!(
        log(),
        [
            send_line(socket, &terms("declined")),
            "dialog closed".into()
        ]
    );
}

#[test]
fn without_the_default_ui_the_page_hears_onshowterms() {
    let socket = connected_visitor(7);
    m(7, "setDefaultUI", "[false]");
    m(
        0,
        "showTerms",
        r#"[{"sessionkey":"S2","termsUrl":"https://own.example/t"}]"#,
    );
    assert_eq!(
        log(),
        [
            send_line(socket, &terms("displayed")),
            r#"emit 7 onshowterms [{"sessionkey":"S2","termsurl":"https://own.example/t"}]"#.into(),
        ]
    );
    // The group's terms URL from the settings lookup, when the call names none.
    m(0, "showTerms", "[{}]");
    assert_eq!(
        emits(&log(), 7),
        [r#"onshowterms [{"sessionkey":"v1","termsurl":"https://t.example/terms"}]"#]
    );
    // The page reports the outcome itself.
    m(7, "signalAgent", r#"["terms",{"status":"accepted"}]"#);
    assert_eq!(log(), [send_line(socket, &terms("accepted"))]);
    dialog(true);
    assert_eq!(log(), Vec::<String>::new(), "no dialog was open");

    m(7, "setDefaultUI", "[]");
    m(0, "showTerms", "[{}]");
    assert!(
        has(&log(), "dialog shown"),
        "setDefaultUI() turns it back on"
    );
}

#[test]
fn stop_session_reports_the_session_started_last() {
    let socket = connected_visitor(7);
    m(0, "stopSession", "[]");
    assert_eq!(log(), Vec::<String>::new(), "no session");
    m(0, "startSession", r#"[{"sessionkey":"S3"}]"#);
    log();
    m(0, "stopSession", "[]");
    assert_eq!(
        log(),
        [
            send_line(
                socket,
                r#"{"type":"visitorsessionend","data":{"sessionkey":"S3"}}"#
            ),
            r#"event glance:stopsession {"sessionkey":"S3"}"#.into(),
        ]
    );
    m(0, "stopSession", "[]");
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn terms_events_wait_for_the_socket() {
    page();
    new(1, 7, V1);
    m(7, "connect", "[]");
    let start = log();
    m(0, "showTerms", "[{}]");
    assert_eq!(log(), ["dialog shown"]);
    dialog(false);
    assert_eq!(log(), ["dialog closed"]);
    let socket = resolve(&start);
    assert_eq!(
        sent(&handshake(socket), socket),
        [terms("displayed"), terms("declined")]
    );
}

#[test]
fn the_flow_reports_through_the_visitor_created_last() {
    let _ = connected_visitor(7);
    new(1, 8, r#"{"visitorid":"v2"}"#);
    m(0, "showTerms", "[{}]");
    m(8, "setDefaultUI", "[false]");
    m(0, "showTerms", "[{}]");
    let lines = log();
    assert_eq!(
        emits(&lines, 8),
        [r#"onshowterms [{"sessionkey":"v2","termsurl":"https://t.example/terms"}]"#]
    );
    assert!(
        sent(&lines, 7).is_empty() && emits(&lines, 7).is_empty(),
        "{lines:#?}"
    );
}

#[test]
fn without_a_visitor_the_flow_warns() {
    page();
    m(0, "showTerms", "[{}]");
    assert_eq!(log(), ["warn showTerms: no GLANCE.Presence.Visitor"]);
    m(0, "startSession", r#"[{"sessionKey":"S4"}]"#);
    assert_eq!(
        log(),
        [
            "warn no GLANCE.Presence.Visitor to report the session to",
            r#"event glance:startsession {"sessionkey":"S4"}"#,
        ]
    );
    dialog(true);
    assert_eq!(log(), Vec::<String>::new());
}

#[test]
fn the_dialog_links_only_a_web_address() {
    let _ = connected_visitor(7);
    m(0, "showTerms", r#"[{"termsurl":"https://own.example/t"}]"#);
    assert!(log().contains(&"dialog shown https://own.example/t".to_string()));
    m(0, "showTerms", r#"[{"termsUrl":"javascript:alert(1)"}]"#);
    assert!(
        log().contains(&"dialog shown".to_string()),
        "no link for a script address"
    );
}
