//! Unique visitors: `connectUnique` and `extendUnique`.

use super::support::*;

#[test]
fn connect_unique_reports_the_id_and_connects_with_it() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", r#"[{"data":{"u":1}}]"#);
    let lines = through_settings(&log());
    assert!(has(&lines, "/uniquevisitor?groupid=12345"), "{lines:#?}");
    reply(
        id_of(&lines, "fetch"),
        200,
        r#"{"visitorid":"UNQ-42","uniqueid":"42","guesttoken":"g","timeout":300}"#,
    );
    let lines = log();
    assert!(has(&lines, r#"emit 7 onuniqueid ["42",300]"#), "{lines:#?}");
    fire(id_of(&lines, "microtask"));
    let lines = log();
    assert!(has(&lines, "/presence?groupid=12345&visitorid=UNQ-42"), "{lines:#?}");
}

#[test]
fn a_unique_visitor_connects_with_its_guest_token() {
    page();
    new(1, 7, "{}");
    m(7, "connectUnique", r#"[{"data":{"u":1}}]"#);
    let lines = through_settings(&log());
    reply(
        id_of(&lines, "fetch"),
        200,
        r#"{"visitorid":"UNQ-42","uniqueid":"42","guesttoken":"g","timeout":300}"#,
    );
    let lines = log();
    fire(id_of(&lines, "microtask"));
    let lines = log();
    reply(id_of(&lines, "fetch"), 200, r#"{"directserver":"node1.example"}"#);
    let lines = log();
    let socket = id_of(&lines, "open");
    opened(socket);
    let lines = log();
    assert!(has(&lines, r#""guesttoken":"g""#), "{lines:#?}");
    frame(socket, r#"{"type":"connected","keepalive":25,"data":{"groupid":12345,"visitorid":"UNQ-42"}}"#);
    let lines = log();
    assert!(has(&lines, "emit 7 onconnected"), "{lines:#?}");
    assert!(has(&lines, r#""u":1"#), "{lines:#?}");
}
