//! Guest join as the original scripts do it (§4.3, issue 13 §6): `connectUnique()` asks for a new
//! id with `visitorid=undefined`, `extendUnique()` reconnects with the same guest token, and an id
//! that nobody renews ends with `serverclose` after `unique_timeout` (1 s in the test
//! configuration).

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The test configuration's `unique_timeout`.
const TIMEOUT: f64 = 1.0;

/// `GET path`, which must answer 200 with a unique visitor.
async fn new_unique(server: &Server, path: &str) -> Value {
    let reply = server.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.body
}

/// A visitor socket for `unique`, connected with its guest token.
async fn connect_guest(server: &Server, unique: &Value) -> Ws {
    let mut ws = server.open("/visitorws", None).await;
    ws.send_text(connect_frame(
        GROUP,
        unique["visitorid"].as_str().expect("visitorid"),
        None,
        unique["guesttoken"].as_str(),
    ))
    .await;
    ws
}

/// The last frame before the close is `serverclose`, and the close is normal.
fn closed_by_server((code, frames): (Option<u16>, Vec<Value>)) {
    assert_eq!(
        frames.last().map(|f| f["type"].clone()),
        Some(json!("serverclose")),
        "{frames:?}"
    );
    assert_eq!(code, Some(normal_close()));
}

#[tokio::test]
async fn the_original_scripts_query_strings_ask_for_a_new_id() {
    let server = Server::start().await;
    let mut seen = Vec::new();
    for path in [
        format!("/uniquevisitor?groupid={GROUP}&visitorid=undefined&&ver=6.33.0"),
        format!("/uniquevisitor?groupid={GROUP}&visitorid=undefined&&ver=5.7.9"),
        format!("/uniquevisitor?groupid={GROUP}&visitorid=&&ver=6.33.0"),
        format!("/uniquevisitor?groupid={GROUP}&&ver=6.33.0"),
        format!("/uniquevisitor?groupid={GROUP}"),
    ] {
        let unique = new_unique(&server, &path).await;
        let digits = unique["uniqueid"].as_str().expect("uniqueid").to_owned();
        assert_eq!(digits.len(), 9, "{path}: {unique}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{unique}");
        assert_eq!(unique["visitorid"], format!("UNQ-{digits}"));
        assert_eq!(unique["timeout"], 1);
        assert!(unique["guesttoken"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(!seen.contains(&digits), "a new id each time");
        seen.push(digits);
        // The id is usable at once.
        connect_guest(&server, &unique)
            .await
            .expect_next("connected", WAIT)
            .await;
    }
}

#[tokio::test]
async fn fifty_unique_ids_are_distinct_and_not_counted_up() {
    let server = Server::start().await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        let unique = new_unique(&server, &format!("/uniquevisitor?groupid={GROUP}")).await;
        let id: u64 = unique["uniqueid"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("numeric uniqueid");
        assert!((100_000_000..=999_999_999).contains(&id), "9 digits: {id}");
        ids.push(id);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 50, "distinct: {ids:?}");
    // A counter gives 49 consecutive pairs; 50 random 9-digit draws give one with odds of ~1e-7.
    let consecutive = sorted.windows(2).filter(|w| w[1] == w[0] + 1).count();
    assert_eq!(consecutive, 0, "not sequential: {ids:?}");
}

/// `extendUnique()` of the original scripts: reconnect with the same guest token every 0.4 s. The
/// guest's other socket, which never reconnects, stays open well past the first timeout; once the
/// reconnects stop, it ends with `serverclose` one timeout later.
#[tokio::test]
async fn a_guest_that_reconnects_with_its_token_stays_past_the_timeout() {
    let server = Server::start().await;
    let unique = new_unique(
        &server,
        &format!("/uniquevisitor?groupid={GROUP}&visitorid=undefined&&ver=6.33.0"),
    )
    .await;
    let mut kept = connect_guest(&server, &unique).await;
    kept.expect_next("connected", WAIT).await;
    let start = Instant::now();
    // 2.5 timeouts of reconnects.
    while start.elapsed() < secs(2.5 * TIMEOUT) {
        tokio::time::sleep(secs(0.4 * TIMEOUT)).await;
        let mut again = connect_guest(&server, &unique).await;
        again.expect_next("connected", WAIT).await;
        again.close().await;
        // The reconnect took focus (`blur`); anything else means the kept socket is going.
        while let Some(e) = kept.next(Duration::ZERO).await {
            match e {
                Event::Frame(f) if f["type"] == "blur" => continue,
                e => panic!(
                    "the renewed guest lost its socket at {:?}: {e:?}",
                    start.elapsed()
                ),
            }
        }
    }
    // No more renewals: the kept socket lapses after one more timeout, not before half of it.
    let stopped = Instant::now();
    kept.expect_silence(secs(0.5 * TIMEOUT)).await;
    closed_by_server(kept.expect_close(WAIT).await);
    assert!(stopped.elapsed() < secs(TIMEOUT) + WAIT);

    // The lapsed id's token no longer connects.
    connect_guest(&server, &unique)
        .await
        .expect_refused("authorization", 4401)
        .await;
}

#[tokio::test]
async fn a_guest_that_does_not_extend_gets_serverclose() {
    let server = Server::start().await;
    let unique = new_unique(
        &server,
        &format!("/uniquevisitor?groupid={GROUP}&visitorid=undefined&&ver=6.33.0"),
    )
    .await;
    let mut agent = server
        .agent(unique["visitorid"].as_str().expect("visitorid"))
        .await;
    let mut guest = connect_guest(&server, &unique).await;
    guest.expect_next("connected", WAIT).await;
    agent.expect("visitorconn", WAIT).await;
    guest.expect_silence(secs(0.5 * TIMEOUT)).await;
    closed_by_server(guest.expect_close(WAIT).await);
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"],
        json!({"connected": false})
    );
}

#[tokio::test]
async fn an_extend_over_rest_keeps_the_id_and_a_wrong_token_does_not() {
    let server = Server::start().await;
    let unique = new_unique(&server, &format!("/uniquevisitor?groupid={GROUP}")).await;
    let other = new_unique(&server, &format!("/uniquevisitor?groupid={GROUP}")).await;
    let id = unique["visitorid"].as_str().expect("visitorid");
    let extend = |token: &str| {
        format!("/uniquevisitor?groupid={GROUP}&visitorid={id}&guesttoken={token}&&ver=6.33.0")
    };
    let renewed = new_unique(
        &server,
        &extend(unique["guesttoken"].as_str().expect("token")),
    )
    .await;
    assert_eq!(renewed["visitorid"], id);
    let wrong = server
        .get(&extend(other["guesttoken"].as_str().expect("token")))
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    // The renewed token connects too.
    connect_guest(&server, &renewed)
        .await
        .expect_next("connected", WAIT)
        .await;
}
