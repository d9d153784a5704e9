//! `GLANCE.Authorization` (`src/auth.rs`): where the agent's token comes from (`data-authtoken`,
//! then `setToken`, then storage), `clearToken`, and `authorize` with its storage.

use super::support::*;
use crate::host::{self, Read};

const NOW: f64 = 1_000_000.0;

fn gettoken() -> Option<String> {
    m(0, "gettoken", "[]")
}

fn stored() -> Option<String> {
    host::page(Read::Storage, "glanceauth")
}

/// Puts `{token, expires, groupid}` in storage.
fn store(token: &str, expires: f64, group: u32) {
    let value = format!(r#"{{"token":"{token}","expires":{expires},"groupid":{group}}}"#);
    host::set_fact(Read::Storage, "glanceauth", Some(&value));
}

fn authtoken(token: &str) {
    let attributes = format!(r#"{{"id":"glance-cobrowse","data-authtoken":"{token}"}}"#);
    host::set_fact(Read::Attributes, "glance-cobrowse", Some(&attributes));
}

/// A fresh page at [`NOW`].
fn fresh() {
    page();
    host::set_now(NOW);
}

#[test]
fn the_token_is_the_authtoken_then_set_token_then_storage() {
    fresh();
    assert_eq!(
        (gettoken(), m(0, "authorized", "[]").as_deref()),
        (None, Some("false"))
    );
    store("S", NOW + 60_000.0, 12345);
    assert_eq!(gettoken().as_deref(), Some(r#""S""#));
    assert_eq!(m(0, "authorized", "[]").as_deref(), Some("true"));
    m(0, "setToken", r#"["T"]"#);
    assert_eq!(gettoken().as_deref(), Some(r#""T""#));
    authtoken("A");
    assert_eq!(gettoken().as_deref(), Some(r#""A""#));
    assert_eq!(
        log(),
        Vec::<String>::new(),
        "reading tokens does nothing else"
    );
}

#[test]
fn set_token_with_nothing_forgets_it() {
    fresh();
    m(0, "setToken", r#"["T"]"#);
    m(0, "setToken", r#"[""]"#);
    assert_eq!(gettoken(), None);
    m(0, "setToken", "[42]");
    assert_eq!(gettoken().as_deref(), Some(r#""42""#));
    m(0, "setToken", "[]");
    assert_eq!(gettoken(), None);
}

#[test]
fn an_expired_stored_token_is_not_used() {
    fresh();
    store("S", NOW - 1.0, 12345);
    assert_eq!(gettoken(), None);
    host::set_fact(Read::Storage, "glanceauth", Some("not json"));
    assert_eq!(gettoken(), None);
}

#[test]
fn clear_token_clears_every_source_and_the_authtoken_stays_cleared() {
    fresh();
    store("S", NOW + 60_000.0, 12345);
    m(0, "setToken", r#"["T"]"#);
    authtoken("A");
    m(0, "clearToken", "[]");
    assert_eq!(gettoken(), None);
    assert_eq!(stored(), None);
    // The page still says `data-authtoken="A"`: cleared is cleared.
    new(0, 9, V1);
    assert_eq!(gettoken(), None);
    authtoken("A2");
    assert_eq!(
        gettoken().as_deref(),
        Some(r#""A2""#),
        "a new one is taken up"
    );
}

#[test]
fn an_authtoken_not_read_yet_is_cleared_too() {
    fresh();
    authtoken("A");
    m(0, "clearToken", "[]");
    assert_eq!(gettoken(), None);
}

#[test]
fn authorize_posts_the_credentials_and_stores_the_token() {
    fresh();
    let opts = r#"[{"credentials":{"partnerid":"12345","partneruserid":"ann","loginkey":"$1$9$sig"},"duration":30}]"#;
    m_opts(0, "authorize", opts, 40);
    let lines = log();
    let request = id_of(&lines, "fetch");
    assert_eq!(
        lines,
        [format!(
            r#"fetch {request} POST https://svc.example/services/AuthorizationService.svc/rest/Authorize?groupid=12345&service=presence&duration=30&site=production bearer= {{"partnerid":"12345","partneruserid":"ann","loginkey":"$1$9$sig"}}"#
        )]
    );
    reply(request, 200, r#""JWT""#);
    assert_eq!(log(), ["emit 40 onsuccess [] last"]);
    assert_eq!(
        stored().as_deref(),
        Some(r#"{"token":"JWT","expires":2800000,"groupid":12345}"#)
    );
    assert_eq!(gettoken().as_deref(), Some(r#""JWT""#));
}

#[test]
fn authorize_defaults_and_overrides() {
    fresh();
    host::set_fact(
        Read::GlobalConfig,
        "",
        Some(r#"{"groupid":12345,"ws":"https://svc.example","site":"staging"}"#),
    );
    m_opts(
        0,
        "authorize",
        r#"[{"groupid":777,"service":"cobrowse"}]"#,
        40,
    );
    let lines = log();
    assert!(
        has(
            &lines,
            r#"Authorize?groupid=777&service=cobrowse&duration=120&site=staging bearer= {"partnerid":"777","partneruserid":"","loginkey":""}"#
        ),
        "{lines:#?}"
    );
}

#[test]
fn authorize_clamps_the_duration() {
    for (duration, minutes) in [
        ("500", "120"),
        ("0", "1"),
        (r#""45 min""#, "45"),
        ("30.4", "30"),
        ("30.6", "31"),
        // Strings as `parseFloat` reads them.
        (r#""30.6""#, "31"),
        (r#""1e2""#, "100"),
        (r#"" +2.5E1x""#, "25"),
        (r#""-5""#, "1"),
        (r#""+5""#, "5"),
        (r#""Infinity""#, "120"),
        (r#""x""#, "120"),
        (r#""-""#, "120"),
    ] {
        fresh();
        m_opts(
            0,
            "authorize",
            &format!(r#"[{{"duration":{duration}}}]"#),
            40,
        );
        let lines = log();
        assert!(
            has(&lines, &format!("&duration={minutes}&")),
            "{duration}: {lines:#?}"
        );
    }
}

#[test]
fn a_valid_stored_token_for_the_group_succeeds_without_a_request() {
    fresh();
    store("S", NOW + 60_000.0, 12345);
    m_opts(0, "authorize", "[{}]", 40);
    assert_eq!(log(), ["emit 40 onsuccess [] last"]);
    store("S", NOW + 60_000.0, 999);
    m_opts(0, "authorize", "[{}]", 41);
    assert!(
        has(&log(), "fetch "),
        "another group's token does not count"
    );
}

#[test]
fn authorize_failures_map_to_fail_codes() {
    for (status, body, code) in [
        (401, "", "authorization"),
        (403, "", "authorization"),
        (0, "", "connection"),
        (500, "", "error"),
        (200, "{}", "error"),
        (200, r#""""#, "error"),
    ] {
        fresh();
        m_opts(0, "authorize", "[{}]", 40);
        reply(id_of(&log(), "fetch"), status, body);
        assert_eq!(
            log(),
            [format!(r#"emit 40 onfail ["{code}"] last"#)],
            "{status} {body}"
        );
        assert_eq!(stored(), None);
    }
    fresh();
    host::set_fact(
        Read::GlobalConfig,
        "",
        Some(r#"{"ws":"https://svc.example"}"#),
    );
    m_opts(0, "authorize", "[{}]", 41);
    assert_eq!(log(), [r#"emit 41 onfail ["error"] last"#], "no group");
}

#[test]
fn a_token_storage_refuses_is_kept_for_the_page() {
    fresh();
    store("OLD", NOW + 60_000.0, 999);
    host::refuse_storage(true);
    m_opts(0, "authorize", "[{}]", 40);
    reply(id_of(&log(), "fetch"), 200, r#""JWT""#);
    assert_eq!(log(), ["emit 40 onsuccess [] last"]);
    assert_eq!(
        stored(),
        None,
        "the older entry does not outlive the new token"
    );
    assert_eq!(gettoken().as_deref(), Some(r#""JWT""#));
    m_opts(0, "authorize", "[{}]", 41);
    assert_eq!(log(), ["emit 41 onsuccess [] last"], "it counts as held");
    m(0, "clearToken", "[]");
    assert_eq!(gettoken(), None);
}

#[test]
fn the_agent_uses_the_token_in_order() {
    fresh();
    store("S", NOW + 60_000.0, 12345);
    new(0, 9, V1);
    m_opts(9, "lookupVisitor", "[{}]", 40);
    fire(id_of(&log(), "microtask"));
    reply(id_of(&log(), "fetch"), 200, SETTINGS);
    assert!(has(&log(), "bearer=S "));
    authtoken("A");
    new(0, 10, V1);
    m_opts(10, "lookupVisitor", "[{}]", 41);
    fire(id_of(&log(), "microtask"));
    assert!(
        has(&log(), "bearer=A "),
        "data-authtoken is read when an object is created"
    );
}

#[test]
fn an_authtoken_the_page_removes_no_longer_counts() {
    fresh();
    authtoken("A");
    new(0, 9, V1);
    assert_eq!(gettoken().as_deref(), Some(r#""A""#));
    host::set_fact(
        Read::Attributes,
        "glance-cobrowse",
        Some(r#"{"id":"glance-cobrowse"}"#),
    );
    m(0, "setToken", r#"["B"]"#);
    assert_eq!(gettoken().as_deref(), Some(r#""B""#), "removed");
    authtoken("");
    assert_eq!(gettoken().as_deref(), Some(r#""B""#), "emptied");
    authtoken("C");
    assert_eq!(
        gettoken().as_deref(),
        Some(r#""C""#),
        "a new one wins again"
    );
}

#[test]
fn page_code_that_reading_the_configuration_runs_may_use_the_api() {
    fresh();
    m(0, "setToken", r#"["T"]"#);
    host::reenter_on_config_read();
    assert_eq!(m(0, "authorized", "[]").as_deref(), Some("true"));
    assert_eq!(
        gettoken().as_deref(),
        Some(r#""T""#),
        "and the module goes on"
    );
}
