//! Agent origins (§4, §5): a group without `agent_origins` allows the server's own origins, taken
//! from configuration (never from the request's `Host`, which a DNS-rebinding page controls), and
//! an agent WebSocket without `Origin` is refused unless its group allows it.

mod common;

use common::*;
use glance_protocol::CloseCode;
use presence_server::config::GroupConfig;
use presence_server::Config;
use reqwest::header::{HeaderValue, HOST, ORIGIN};
use reqwest::{Method, StatusCode};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A group that names no agent origins.
const OWN_GROUP: u32 = 4100;
/// A group for non-browser agents: sockets without `Origin` are let in.
const PROGRAM_GROUP: u32 = 4200;
/// The configured public host.
const PUBLIC_HOST: &str = "presence.example.com";

fn group(toml: &str) -> GroupConfig {
    toml::from_str(toml).expect("group configuration parses")
}

/// The test configuration plus a public host, a group without `agent_origins` and one with
/// `allow_no_origin`.
fn config() -> Config {
    let mut config = common::config();
    config.public_host = Some(PUBLIC_HOST.into());
    config.groups.push(group(&format!(
        "id = {OWN_GROUP}\napi_key = \"own-group-api-key\""
    )));
    config.groups.push(group(&format!(
        "id = {PROGRAM_GROUP}\napi_key = \"program-api-key\"\nagent_origins = [\"{AGENT_ORIGIN}\"]\nallow_no_origin = true"
    )));
    config
}

/// Opens `/agent` with exactly these `Origin` and `Host` headers (`None`: no `Origin`), sends
/// `connect` for `group` with a valid token.
async fn agent_socket(server: &Server, group: u32, origin: Option<&str>, host: &str) -> Ws {
    let mut req = format!("{}/agent", server.running.ws_url())
        .into_client_request()
        .expect("WebSocket URL");
    let headers = req.headers_mut();
    headers.insert(HOST, HeaderValue::from_str(host).expect("host"));
    if let Some(origin) = origin {
        headers.insert(ORIGIN, HeaderValue::from_str(origin).expect("origin"));
    }
    let (stream, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(req))
        .await
        .expect("WebSocket upgrade in time")
        .expect("WebSocket upgrade");
    let mut ws = Ws::from_stream(stream);
    ws.send_text(connect_frame(group, "v1", Some(&agent_token(group)), None))
        .await;
    ws
}

/// `GET /lookupvisitor` of `group` with these `Origin` and `Host` headers.
async fn lookup(server: &Server, group: u32, origin: &str, host: &str) -> Reply {
    let auth = format!("Bearer {}", agent_token(group));
    let path = format!("/lookupvisitor?groupid={group}&visitorid=v1");
    server
        .request(
            Method::GET,
            &path,
            &[("origin", origin), ("host", host), ("authorization", &auth)],
            None,
        )
        .await
}

#[tokio::test]
async fn a_rebound_origin_is_not_the_servers_own() {
    let server = Server::with(config()).await;
    let port = server.running.addr().port();
    let rebound = format!("rebound.example:{port}");
    let rebound_origin = format!("http://{rebound}");

    // DNS rebinding: the page's origin and the Host it sends name the same attacker's domain.
    let reply = lookup(&server, OWN_GROUP, &rebound_origin, &rebound).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_ne!(reply.header("access-control-allow-origin"), rebound_origin);
    let mut ws = agent_socket(&server, OWN_GROUP, Some(&rebound_origin), &rebound).await;
    ws.expect_refused("origin", CloseCode::Origin as u16).await;

    // The configured public host, the listen address (loopback) and localhost are the server's.
    let local = format!("127.0.0.1:{port}");
    for origin in [
        format!("https://{PUBLIC_HOST}"),
        format!("http://{local}"),
        format!("http://localhost:{port}"),
    ] {
        let reply = lookup(&server, OWN_GROUP, &origin, &rebound).await;
        assert_eq!(reply.status, StatusCode::OK, "{origin}: {}", reply.body);
        assert_eq!(reply.header("access-control-allow-origin"), origin);
        let mut ws = agent_socket(&server, OWN_GROUP, Some(&origin), &rebound).await;
        ws.expect_next("connected", WAIT).await;
    }
    let refused = server.get("/metrics").await;
    let metrics = refused.body.as_str().expect("metrics text");
    assert!(
        metrics.contains(r#"presence_auth_failures_total{reason="origin"}"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_embedded_default_lets_its_own_console_in() {
    // No configuration at all, on a free port: the demo console at http://localhost:PORT (and
    // http://127.0.0.1:PORT) may use the demo group's agent API.
    let demo = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        www: None,
        module_dir: None,
        jwt_secret: Some(SECRET.into()),
        ..Config::default()
    };
    let server = Server::with(demo).await;
    let port = server.running.addr().port();
    for origin in [
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
    ] {
        let mut ws = agent_socket(&server, GROUP, Some(&origin), &server.host()).await;
        ws.expect_next("connected", WAIT).await;
    }
    let rebound = format!("rebound.example:{port}");
    let mut ws = agent_socket(&server, GROUP, Some(&format!("http://{rebound}")), &rebound).await;
    ws.expect_refused("origin", CloseCode::Origin as u16).await;
}

#[tokio::test]
async fn an_agent_socket_without_origin_is_refused_unless_the_group_allows_it() {
    let server = Server::with(config()).await;
    for group in [GROUP, OWN_GROUP] {
        let mut ws = agent_socket(&server, group, None, &server.host()).await;
        ws.expect_refused("origin", CloseCode::Origin as u16).await;
    }
    let mut program = agent_socket(&server, PROGRAM_GROUP, None, &server.host()).await;
    program.expect_next("connected", WAIT).await;
    // The setting opens no door for browser pages: a foreign `Origin` is still refused.
    let mut evil = agent_socket(&server, PROGRAM_GROUP, Some(EVIL_ORIGIN), &server.host()).await;
    evil.expect_refused("origin", CloseCode::Origin as u16)
        .await;
    // The token still decides for a socket without `Origin`.
    let mut req = format!("{}/agent", server.running.ws_url())
        .into_client_request()
        .expect("WebSocket URL");
    req.headers_mut().remove(ORIGIN);
    let (stream, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("WebSocket upgrade");
    let mut forged = Ws::from_stream(stream);
    forged
        .send_text(connect_frame(
            PROGRAM_GROUP,
            "v1",
            Some("not-a-token"),
            None,
        ))
        .await;
    forged
        .expect_refused("authorization", CloseCode::Authorization as u16)
        .await;
    // Visitors need no `Origin`.
    let mut visitor = server.open("/visitorws", None).await;
    visitor
        .send_text(connect_frame(OWN_GROUP, "v1", None, None))
        .await;
    visitor.expect_next("connected", WAIT).await;
}
