//! Authorization (§4.2), tokens on the agent API (§4.4, §5), guest tokens (§4.3), CORS (§4) and
//! the isolation of groups from each other.

mod common;

use common::*;
use glance_protocol::CloseCode;
use presence_server::auth::Tokens;
use presence_server::http::unix_now;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const AUTH: u16 = CloseCode::Authorization as u16;

/// The token in a successful `Authorize` reply.
fn token_of(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "Authorize: {}", reply.body);
    reply
        .body
        .as_str()
        .expect("the token is a JSON string")
        .to_owned()
}

#[tokio::test]
async fn authorize_issues_a_token_that_opens_the_agent_api() {
    let server = Server::start().await;
    let key = login_key(API_KEY, GROUP, "agent-7", 60);
    let token = token_of(
        &server
            .authorize(GROUP, &GROUP.to_string(), "agent-7", &key, "&duration=30")
            .await,
    );

    let claims = Tokens::new(SECRET.as_bytes())
        .verify_agent(&token, gid(GROUP))
        .expect("a valid agent token");
    assert_eq!(claims.sub, "agent-7");
    assert_eq!(claims.exp - claims.iat, 30 * 60, "duration is in minutes");

    // The token opens the REST API and the agent socket of its group.
    let reply = server
        .get_auth(
            &format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut agent = server.open("/agent", Some(AGENT_ORIGIN)).await;
    agent
        .send_text(connect_frame(GROUP, "v1", Some(&token), None))
        .await;
    let connected = agent.expect_next("connected", WAIT).await;
    assert_eq!(
        connected["data"],
        json!({"groupid": GROUP, "visitorid": "v1"})
    );
}

#[tokio::test]
async fn authorize_clamps_duration_and_accepts_both_base64_alphabets() {
    let server = Server::start().await;
    let tokens = Tokens::new(SECRET.as_bytes());
    let key = login_key(API_KEY, GROUP, "agent-1", 60);
    let token = token_of(
        &server
            .authorize(GROUP, &GROUP.to_string(), "agent-1", &key, "&duration=500")
            .await,
    );
    let claims = tokens.verify_agent(&token, gid(GROUP)).expect("valid");
    assert_eq!(
        claims.exp - claims.iat,
        120 * 60,
        "duration is clamped to 120 minutes"
    );

    // Find a key whose signature uses `+` or `/`, then send it in the URL-safe alphabet.
    let key = (60..200)
        .map(|ahead| login_key(API_KEY, GROUP, "agent-1", ahead))
        .find(|k| k[3..].contains(['+', '/']))
        .expect("some signature has + or /");
    let url_safe = key.replace('+', "-").replace('/', "_");
    token_of(
        &server
            .authorize(GROUP, &GROUP.to_string(), "agent-1", &url_safe, "")
            .await,
    );
    // The partner id may come as a number, as some pages send it.
    let reply = server
        .request(
            Method::POST,
            &format!("/services/AuthorizationService.svc/rest/Authorize?groupid={GROUP}&service=presence"),
            &[],
            Some(&json!({"partnerid": GROUP, "partneruserid": "agent-1", "loginkey": key})),
        )
        .await;
    token_of(&reply);
}

/// Asserts a 401 `{err:"authorization"}`.
fn assert_unauthorized(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        reply.body
    );
    assert_eq!(reply.body["err"], "authorization", "{what}");
}

#[tokio::test]
async fn authorize_refuses_bad_signatures() {
    let server = Server::start().await;
    let g = GROUP.to_string();
    let key = login_key(API_KEY, GROUP, "agent-1", 60);
    // One character of the signature changed.
    let last = key.chars().last().expect("non-empty");
    let tampered = format!(
        "{}{}",
        &key[..key.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    assert_unauthorized(
        &server.authorize(GROUP, &g, "agent-1", &tampered, "").await,
        "tampered signature",
    );
    // Signed with another key.
    let other = login_key("not-the-api-key", GROUP, "agent-1", 60);
    assert_unauthorized(
        &server.authorize(GROUP, &g, "agent-1", &other, "").await,
        "wrong API key",
    );
    // Signed for another user.
    assert_unauthorized(
        &server.authorize(GROUP, &g, "agent-2", &key, "").await,
        "other partneruserid",
    );
    // Not a login key at all.
    assert_unauthorized(
        &server
            .authorize(GROUP, &g, "agent-1", "$1$123$short", "")
            .await,
        "malformed",
    );
    // The valid key still works: the refusals were for the reasons above.
    token_of(&server.authorize(GROUP, &g, "agent-1", &key, "").await);
}

#[tokio::test]
async fn authorize_refuses_expired_and_far_future_keys() {
    let server = Server::start().await;
    let g = GROUP.to_string();
    let expired = login_key(API_KEY, GROUP, "agent-1", -5);
    assert_unauthorized(
        &server.authorize(GROUP, &g, "agent-1", &expired, "").await,
        "expired",
    );
    let too_far = login_key(API_KEY, GROUP, "agent-1", 25 * 3600);
    assert_unauthorized(
        &server.authorize(GROUP, &g, "agent-1", &too_far, "").await,
        "more than 24 h ahead",
    );
    let almost_a_day = login_key(API_KEY, GROUP, "agent-1", 23 * 3600);
    token_of(
        &server
            .authorize(GROUP, &g, "agent-1", &almost_a_day, "")
            .await,
    );
}

#[tokio::test]
async fn authorize_refuses_the_wrong_group() {
    let server = Server::start().await;
    let key_a = login_key(API_KEY, GROUP, "agent-1", 60);
    // Group A's key presented to group B.
    assert_unauthorized(
        &server
            .authorize(OTHER_GROUP, &GROUP.to_string(), "agent-1", &key_a, "")
            .await,
        "partnerid of another group",
    );
    let signed_as_b = login_key(API_KEY, OTHER_GROUP, "agent-1", 60);
    assert_unauthorized(
        &server
            .authorize(
                OTHER_GROUP,
                &OTHER_GROUP.to_string(),
                "agent-1",
                &signed_as_b,
                "",
            )
            .await,
        "B's id, A's key",
    );
    // Unknown group.
    assert_unauthorized(
        &server
            .authorize(
                4242,
                "4242",
                "agent-1",
                &login_key(API_KEY, 4242, "agent-1", 60),
                "",
            )
            .await,
        "unknown group",
    );
    // B's own key works for B, and the token is B's only.
    let token_b = token_of(
        &server
            .authorize(
                OTHER_GROUP,
                &OTHER_GROUP.to_string(),
                "agent-1",
                &login_key(OTHER_API_KEY, OTHER_GROUP, "agent-1", 60),
                "",
            )
            .await,
    );
    let tokens = Tokens::new(SECRET.as_bytes());
    assert!(tokens.verify_agent(&token_b, gid(OTHER_GROUP)).is_ok());
    assert!(tokens.verify_agent(&token_b, gid(GROUP)).is_err());
}

#[tokio::test]
async fn authorize_checks_the_origin_and_the_user_id() {
    let server = Server::start().await;
    let g = GROUP.to_string();
    let key = login_key(API_KEY, GROUP, "agent-1", 60);
    let path = format!(
        "/services/AuthorizationService.svc/rest/Authorize?groupid={GROUP}&service=presence"
    );
    let body = json!({"partnerid": g, "partneruserid": "agent-1", "loginkey": key});
    let evil = server
        .request(Method::POST, &path, &[("origin", EVIL_ORIGIN)], Some(&body))
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    assert_eq!(evil.body["err"], "authorization");
    let good = server
        .request(
            Method::POST,
            &path,
            &[("origin", AGENT_ORIGIN)],
            Some(&body),
        )
        .await;
    token_of(&good);
    assert_eq!(good.header("access-control-allow-origin"), AGENT_ORIGIN);

    let long_user = "u".repeat(256);
    let reply = server
        .authorize(
            GROUP,
            &g,
            &long_user,
            &login_key(API_KEY, GROUP, &long_user, 60),
            "",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["err"], "invalidparameter");
}

/// Connects an agent with `token` (as given) for `group` and expects it refused with 4401.
async fn assert_agent_refused(server: &Server, group: u32, token: Option<&str>, what: &str) {
    let mut ws = server.open("/agent", Some(AGENT_ORIGIN)).await;
    ws.send_text(connect_frame(group, "v1", token, None)).await;
    let (code, frames) = ws.expect_close(WAIT).await;
    assert_eq!(code, Some(AUTH), "{what}: {frames:?}");
    assert_eq!(frames.len(), 1, "{what}: only the error frame: {frames:?}");
    assert_eq!(
        frames[0]["data"],
        json!({"error": "connfail", "detail": "authorization"}),
        "{what}"
    );
}

#[tokio::test]
async fn agent_socket_refuses_forged_expired_and_foreign_tokens() {
    let server = Server::start().await;
    let now = unix_now();
    let forged = agent_token_with("some-other-secret", GROUP, 60, now);
    assert_agent_refused(&server, GROUP, Some(&forged), "forged").await;
    let expired = agent_token_with(SECRET, GROUP, 60, now - 3 * 3600);
    assert_agent_refused(&server, GROUP, Some(&expired), "expired").await;
    assert_agent_refused(
        &server,
        GROUP,
        Some(&agent_token(OTHER_GROUP)),
        "another group's token",
    )
    .await;
    assert_agent_refused(&server, GROUP, None, "no token").await;
    assert_agent_refused(&server, GROUP, Some("not.a.jwt"), "garbage").await;
    let cobrowse =
        Tokens::new(SECRET.as_bytes()).issue_agent(gid(GROUP), "agent-1", "cobrowse", 60, now);
    assert_agent_refused(&server, GROUP, Some(&cobrowse), "token for another service").await;

    // The same connect with a good token (also with a `Bearer ` prefix) is accepted.
    for token in [agent_token(GROUP), format!("Bearer {}", agent_token(GROUP))] {
        let mut ws = server.open("/agent", Some(AGENT_ORIGIN)).await;
        ws.send_text(connect_frame(GROUP, "v1", Some(&token), None))
            .await;
        ws.expect_next("connected", WAIT).await;
    }
}

#[tokio::test]
async fn agent_socket_refuses_a_foreign_origin() {
    let server = Server::start().await;
    let mut ws = server.open("/agent", Some(EVIL_ORIGIN)).await;
    ws.send_text(connect_frame(GROUP, "v1", Some(&agent_token(GROUP)), None))
        .await;
    ws.expect_refused("origin", CloseCode::Origin as u16).await;
    // Visitors may come from any origin.
    let mut visitor = server.open("/visitorws", Some(EVIL_ORIGIN)).await;
    visitor
        .send_text(connect_frame(GROUP, "v1", None, None))
        .await;
    visitor.expect_next("connected", WAIT).await;
}

#[tokio::test]
async fn rest_refuses_forged_expired_and_foreign_tokens() {
    let server = Server::start().await;
    let now = unix_now();
    let path = format!("/lookupvisitor?groupid={GROUP}&visitorid=v1");
    let forged = agent_token_with("some-other-secret", GROUP, 60, now);
    assert_unauthorized(&server.get_auth(&path, &forged).await, "forged");
    let expired = agent_token_with(SECRET, GROUP, 60, now - 3 * 3600);
    assert_unauthorized(&server.get_auth(&path, &expired).await, "expired");
    assert_unauthorized(
        &server.get_auth(&path, &agent_token(OTHER_GROUP)).await,
        "another group's token",
    );
    assert_unauthorized(&server.get(&path).await, "no token");
    // A guest token is not an agent token.
    let unique = server.get(&format!("/uniquevisitor?groupid={GROUP}")).await;
    let guest = unique.body["guesttoken"].as_str().expect("guest token");
    assert_unauthorized(&server.get_auth(&path, guest).await, "guest token");
    let signal = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=v1"),
            &forged,
            &json!({"mtype": "signal"}),
        )
        .await;
    assert_unauthorized(&signal, "forged token on signalvisitor");

    assert_eq!(
        server.get_auth(&path, &agent_token(GROUP)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unique_visitors_need_their_guest_token() {
    let server = Server::start().await;
    let unique = server
        .get(&format!("/uniquevisitor?groupid={GROUP}"))
        .await
        .body;
    let id = unique["visitorid"].as_str().expect("visitorid").to_owned();
    let guest = unique["guesttoken"]
        .as_str()
        .expect("guesttoken")
        .to_owned();
    let other = server
        .get(&format!("/uniquevisitor?groupid={GROUP}"))
        .await
        .body;
    let other_guest = other["guesttoken"].as_str().expect("guesttoken").to_owned();
    assert_ne!(
        other["visitorid"], unique["visitorid"],
        "unique ids are unique"
    );

    let cases: [(Option<&str>, &str); 4] = [
        (None, "no guest token"),
        (Some(&other_guest), "another unique visitor's token"),
        (Some("garbage"), "garbage"),
        (Some(&agent_token(GROUP)), "an agent token"),
    ];
    for (token, what) in cases {
        let mut ws = server.open("/visitorws", None).await;
        ws.send_text(connect_frame(GROUP, &id, None, token)).await;
        let (code, frames) = ws.expect_close(WAIT).await;
        assert_eq!(code, Some(AUTH), "{what}: {frames:?}");
        assert_eq!(frames[0]["data"]["detail"], "authorization", "{what}");
    }
    let mut ws = server.open("/visitorws", None).await;
    ws.send_text(connect_frame(GROUP, &id, None, Some(&guest)))
        .await;
    ws.expect_next("connected", WAIT).await;
    // The token binds the group too: the same id in another group is refused.
    let mut ws = server.open("/visitorws", None).await;
    ws.send_text(connect_frame(OTHER_GROUP, &id, None, Some(&guest)))
        .await;
    let (code, _) = ws.expect_close(WAIT).await;
    assert_eq!(code, Some(AUTH));
}

#[tokio::test]
async fn visitor_endpoints_allow_any_origin() {
    let server = Server::start().await;
    let paths = [
        (Method::GET, format!("/services/authorizationservice/GetVisitorSettings3?groupid={GROUP}&site=production&service=presence")),
        (Method::POST, format!("/presence?groupid={GROUP}&visitorid=v1")),
        (Method::GET, format!("/uniquevisitor?groupid={GROUP}")),
    ];
    for (method, path) in paths {
        let body = (method == Method::POST).then(|| json!({}));
        let reply = server
            .request(
                method.clone(),
                &path,
                &[("origin", EVIL_ORIGIN)],
                body.as_ref(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(reply.header("access-control-allow-origin"), "*", "{path}");
        let preflight = server
            .request(
                Method::OPTIONS,
                &path,
                &[
                    ("origin", EVIL_ORIGIN),
                    ("access-control-request-method", method.as_str()),
                ],
                None,
            )
            .await;
        assert!(
            preflight.status.is_success(),
            "preflight {path}: {}",
            preflight.status
        );
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            "*",
            "preflight {path}"
        );
    }
}

#[tokio::test]
async fn agent_endpoints_allow_only_agent_origins() {
    let server = Server::start().await;
    let token = agent_token(GROUP);
    let auth = format!("Bearer {token}");
    for path in [
        format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
        format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
        format!("/query?groupid={GROUP}"),
    ] {
        let ok = server
            .request(
                Method::GET,
                &path,
                &[("origin", AGENT_ORIGIN), ("authorization", &auth)],
                None,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{path}");
        assert_eq!(
            ok.header("access-control-allow-origin"),
            AGENT_ORIGIN,
            "{path}: the origin is echoed"
        );
        assert!(
            ok.header("vary").to_ascii_lowercase().contains("origin"),
            "{path}: Vary: Origin"
        );

        let evil = server
            .request(
                Method::GET,
                &path,
                &[("origin", EVIL_ORIGIN), ("authorization", &auth)],
                None,
            )
            .await;
        assert_eq!(evil.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(evil.body["err"], "authorization");
        assert_ne!(evil.header("access-control-allow-origin"), EVIL_ORIGIN);
        assert_ne!(evil.header("access-control-allow-origin"), "*");

        let preflight = [
            ("origin", AGENT_ORIGIN),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization"),
        ];
        let pre = server
            .request(Method::OPTIONS, &path, &preflight, None)
            .await;
        assert!(pre.status.is_success(), "preflight {path}: {}", pre.status);
        assert_eq!(pre.header("access-control-allow-origin"), AGENT_ORIGIN);
        assert!(pre
            .header("access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization"));
        assert!(pre.header("access-control-allow-methods").contains("GET"));

        let evil_pre = server
            .request(
                Method::OPTIONS,
                &path,
                &[
                    ("origin", EVIL_ORIGIN),
                    ("access-control-request-method", "GET"),
                ],
                None,
            )
            .await;
        assert_eq!(
            evil_pre.status,
            StatusCode::FORBIDDEN,
            "evil preflight {path}"
        );
    }
    // A POST endpoint's preflight.
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    let pre = server
        .request(
            Method::OPTIONS,
            &path,
            &[
                ("origin", AGENT_ORIGIN),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
        .await;
    assert!(pre.status.is_success());
    assert!(pre.header("access-control-allow-methods").contains("POST"));
}

#[tokio::test]
async fn a_group_never_sees_or_signals_another_groups_visitors_over_rest() {
    let server = Server::start().await;
    let mut shared_a = server.visitor_in(GROUP, "shared").await;
    shared_a
        .send(json!({"type": "presence", "data": {"who": "a"}}))
        .await;
    let mut shared_b = server.visitor_in(OTHER_GROUP, "shared").await;
    shared_b
        .send(json!({"type": "presence", "data": {"who": "b"}}))
        .await;
    let mut only_b = server.visitor_in(OTHER_GROUP, "onlyb").await;
    only_b
        .send(json!({"type": "presence", "data": {"who": "b2"}}))
        .await;
    let token_a = agent_token(GROUP);
    // Let the presence updates land (observed through B's own agent API).
    let token_b = agent_token(OTHER_GROUP);
    let lookup_b = format!("/lookupvisitor?groupid={OTHER_GROUP}&visitorid=onlyb");
    eventually_json(&server, &lookup_b, &token_b, |v| v["who"] == "b2").await;
    eventually_json(
        &server,
        &format!("/lookupvisitor?groupid={GROUP}&visitorid=shared"),
        &token_a,
        |v| v["who"] == "a",
    )
    .await;

    // Naming group B with A's token: refused everywhere.
    assert_unauthorized(&server.get_auth(&lookup_b, &token_a).await, "lookup in B");
    assert_unauthorized(
        &server
            .get_auth(
                &format!("/findvisitor?groupid={OTHER_GROUP}&visitorid=onlyb"),
                &token_a,
            )
            .await,
        "find in B",
    );
    assert_unauthorized(
        &server
            .get_auth(&format!("/query?groupid={OTHER_GROUP}"), &token_a)
            .await,
        "query B",
    );
    let signal_b = server
        .post_auth(
            &format!("/signalvisitor?groupid={OTHER_GROUP}&visitorid=onlyb"),
            &token_a,
            &json!({"mtype": "signal", "data": {"x": 1}}),
        )
        .await;
    assert_unauthorized(&signal_b, "signal in B");

    // Naming group A: B's visitors are simply not there.
    assert_eq!(
        server
            .get_auth(
                &format!("/lookupvisitor?groupid={GROUP}&visitorid=onlyb"),
                &token_a
            )
            .await
            .body,
        json!({})
    );
    assert_eq!(
        server
            .get_auth(
                &format!("/findvisitor?groupid={GROUP}&visitorid=onlyb"),
                &token_a
            )
            .await
            .body["visitorfound"],
        false
    );
    let shared = server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=shared"),
            &token_a,
        )
        .await
        .body;
    assert_eq!(
        shared["who"], "a",
        "A sees its own visitor 'shared', not B's"
    );
    let query = server
        .get_auth(&format!("/query?groupid={GROUP}"), &token_a)
        .await
        .body;
    let ids: Vec<&Value> = query["visitors"]
        .as_array()
        .expect("visitors")
        .iter()
        .map(|v| &v["visitorid"])
        .collect();
    assert_eq!(ids, [&json!("shared")], "{query}");
    assert_eq!(query["visitors"][0]["who"], "a");
    let signal = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=onlyb"),
            &token_a,
            &json!({"mtype": "signal", "data": {"x": 1}}),
        )
        .await;
    assert_eq!(signal.status, StatusCode::NOT_FOUND);
    let signal = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=shared"),
            &token_a,
            &json!({"mtype": "signal", "data": {"x": 2}}),
        )
        .await;
    assert_eq!(signal.status, StatusCode::OK);
    assert_eq!(
        shared_a.expect("signal", WAIT).await["data"],
        json!({"x": 2})
    );
    shared_b.expect_none("signal", QUIET).await;
    only_b.expect_none("signal", QUIET).await;
}

#[tokio::test]
async fn a_group_never_sees_or_signals_another_groups_visitors_over_websockets() {
    let server = Server::start().await;
    // A's token for a socket of group B: refused.
    assert_agent_refused(
        &server,
        OTHER_GROUP,
        Some(&agent_token(GROUP)),
        "A's token for B",
    )
    .await;

    let mut agent_a = server.agent_in(GROUP, "shared").await;
    let mut shared_b = server.visitor_in(OTHER_GROUP, "shared").await;
    shared_b
        .send(json!({"type": "presence", "data": {"who": "b"}}))
        .await;
    shared_b
        .send(json!({"type": "c_secret", "data": {"x": 1}}))
        .await;
    // B's visitor of the same id is invisible to A's agent.
    let seen = agent_a.expect_none("presence", QUIET).await;
    assert!(seen.is_empty(), "A's agent saw B's visitor: {seen:?}");
    agent_a
        .send(json!({"type": "signal", "id": 1, "data": {"x": 1}}))
        .await;
    let ack = agent_a.expect("ack", WAIT).await;
    assert_eq!(ack["data"], json!({"id": 1, "error": "visitornotpresent"}));
    shared_b.expect_none("signal", QUIET).await;

    // A's own visitor of that id is seen, and gets the signals.
    let mut shared_a = server.visitor_in(GROUP, "shared").await;
    shared_a
        .send(json!({"type": "presence", "data": {"who": "a"}}))
        .await;
    assert_eq!(agent_a.expect("presence", WAIT).await["data"]["who"], "a");
    agent_a
        .send(json!({"type": "signal", "id": 2, "data": {"x": 2}}))
        .await;
    assert_eq!(
        agent_a.expect("ack", WAIT).await["data"],
        json!({"id": 2, "ok": true})
    );
    assert_eq!(
        shared_a.expect("signal", WAIT).await["data"],
        json!({"x": 2})
    );
    shared_b.expect_none("signal", QUIET).await;
}

/// Polls a Bearer GET until `check` holds on its body.
async fn eventually_json(server: &Server, path: &str, token: &str, check: impl Fn(&Value) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let body = server.get_auth(path, token).await.body;
        if check(&body) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} never matched; last: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
