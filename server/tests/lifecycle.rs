//! The node's lifecycle and transport (§7): health, readiness and metrics, draining, and TLS
//! with a certificate from PEM files.

mod common;

use common::*;
use presence_server::config::TlsConfig;
use presence_server::Config;
use reqwest::StatusCode;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::Connector;

/// GET with a fresh client, so no pooled connection from before a drain is reused.
async fn fresh_get(url: &str) -> Result<reqwest::Response, reqwest::Error> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    tokio::time::timeout(WAIT, client.get(url).send())
        .await
        .expect("reply in time")
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = Server::start().await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);

    let mut visitor = server.visitor("v1").await;
    let _agent = server.agent("v1").await;
    visitor
        .send(json!({"type": "presence", "data": {"a": 1}}))
        .await;
    let token = agent_token(GROUP);
    let signal = server
        .post_auth(
            &format!("/signalvisitor?groupid={GROUP}&visitorid=v1"),
            &token,
            &json!({"mtype": "signal"}),
        )
        .await;
    assert_eq!(signal.status, StatusCode::OK);
    let forged = agent_token_with("other-secret", GROUP, 60, presence_server::http::unix_now());
    server
        .get_auth(
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1"),
            &forged,
        )
        .await;

    let metrics = server.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.body.as_str().expect("text exposition").to_owned();
    for line in [
        r#"presence_connections{role="visitor"} 1"#,
        r#"presence_connections{role="agent"} 1"#,
        r#"presence_signals_total{outcome="delivered"} 1"#,
        r#"presence_auth_failures_total{reason="token"} 1"#,
        "presence_relay_latency_seconds_count",
        "presence_frames_in_total",
        "presence_frames_out_total",
    ] {
        assert!(text.contains(line), "metrics lack '{line}':\n{text}");
    }
}

/// Serves the node's own router and state on a second listener. Draining closes the node's
/// listener at once ("stop accepting", §7), so this is how a test sees what `/readyz` answers
/// while the node drains.
async fn probe(state: std::sync::Arc<presence_server::state::AppState>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind probe");
    let addr = listener.local_addr().expect("probe address");
    let app = presence_server::http::app(state)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn drain_sends_scaledown_refuses_newcomers_and_closes_the_rest() {
    let server = Server::start().await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;
    let mut leaving = server.visitor("v2").await;
    agent.expect("visitorconn", WAIT).await;
    let (http, ws) = (server.running.http_url(), server.running.ws_url());
    let deadline = secs(server.running.state().config.timings.drain);
    let probe = probe(server.running.state().clone()).await;
    let ready = fresh_get(&format!("{probe}/readyz"))
        .await
        .expect("/readyz");
    assert_eq!(ready.status(), StatusCode::OK);

    let started = Instant::now();
    let drain = tokio::spawn(server.running.drain());
    visitor.expect("scaledown", WAIT).await;
    agent.expect("scaledown", WAIT).await;
    leaving.expect_next("scaledown", WAIT).await;
    // A client that follows the advice leaves at once.
    leaving.close().await;

    // While draining: not ready, and no new clients.
    let ready = fresh_get(&format!("{probe}/readyz"))
        .await
        .expect("/readyz answers");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        fresh_get(&format!("{probe}/healthz"))
            .await
            .expect("/healthz")
            .status(),
        StatusCode::OK
    );
    let unique = fresh_get(&format!("{probe}/uniquevisitor?groupid={GROUP}"))
        .await
        .expect("/uniquevisitor");
    assert_eq!(unique.status(), StatusCode::SERVICE_UNAVAILABLE);
    let upgrade =
        tokio_tungstenite::connect_async(format!("{}/visitorws", probe.replace("http", "ws")))
            .await;
    assert!(
        upgrade.is_err(),
        "a socket upgrade was accepted while draining"
    );
    assert!(
        fresh_get(&format!("{http}/readyz")).await.is_err(),
        "the node's listener still accepts"
    );
    assert!(tokio_tungstenite::connect_async(format!("{ws}/visitorws"))
        .await
        .is_err());

    // Those who stay are closed at the deadline.
    let (code, _) = visitor.expect_close(deadline + WAIT).await;
    assert_eq!(code, Some(1001));
    let (code, _) = agent.expect_close(WAIT).await;
    assert_eq!(code, Some(1001));
    tokio::time::timeout(WAIT, drain)
        .await
        .expect("drain returns")
        .expect("drain task");
    assert!(
        started.elapsed() >= deadline,
        "closed before the drain deadline: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn drain_ends_early_when_every_client_left() {
    let mut config = config();
    config.timings.drain = 10.0;
    let server = Server::with(config).await;
    let mut visitor = server.visitor("v1").await;
    let mut agent = server.agent("v1").await;
    let started = Instant::now();
    let drain = tokio::spawn(server.running.drain());
    visitor.expect("scaledown", WAIT).await;
    agent.expect("scaledown", WAIT).await;
    visitor.close().await;
    agent.close().await;
    tokio::time::timeout(WAIT, drain)
        .await
        .expect("drain returns once everyone left")
        .expect("drain task");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "presence-{name}-{}-{:?}",
            std::process::id(),
            Instant::now()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn tls_serves_https_and_wss_with_a_configured_certificate() {
    let pair = presence_server::tls::self_signed().expect("certificate");
    let dir = TempDir::new("tls");
    let (cert, key) = (dir.0.join("cert.pem"), dir.0.join("key.pem"));
    std::fs::write(&cert, &pair.cert).expect("write cert");
    std::fs::write(&key, &pair.key).expect("write key");
    let mut config = config();
    config.tls = Some(TlsConfig {
        cert: Some(cert),
        key: Some(key),
        ..TlsConfig::default()
    });
    let running = presence_server::start(config)
        .await
        .expect("TLS server starts");
    assert!(running.http_url().starts_with("https://"));
    assert!(running.ws_url().starts_with("wss://"));

    // HTTPS, trusting that certificate.
    let root = reqwest::Certificate::from_pem(pair.cert.as_bytes()).expect("PEM");
    let https = reqwest::Client::builder()
        .add_root_certificate(root)
        .no_proxy()
        .build()
        .expect("client");
    let health = https
        .get(format!("{}/healthz", running.http_url()))
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(health.status(), StatusCode::OK);
    let settings: serde_json::Value = https
        .get(format!(
            "{}/services/authorizationservice/GetVisitorSettings3?groupid={GROUP}",
            running.http_url()
        ))
        .send()
        .await
        .expect("settings")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        settings["presenceUrl"],
        running.addr().to_string(),
        "{settings}"
    );
    // A client that does not trust it is refused: the port really speaks TLS with that certificate.
    let untrusting = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    assert!(untrusting
        .get(format!("{}/healthz", running.http_url()))
        .send()
        .await
        .is_err());
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    assert!(
        plain
            .get(format!("http://{}/healthz", running.addr()))
            .send()
            .await
            .is_err(),
        "plain HTTP on the TLS port"
    );

    // WSS, trusting that certificate: a visitor and an agent talk through the server.
    let mut roots = rustls::RootCertStore::empty();
    for der in CertificateDer::pem_slice_iter(pair.cert.as_bytes()) {
        roots.add(der.expect("certificate PEM")).expect("root");
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tls = Arc::new(tls);
    let open = |path: &str, origin: Option<&str>| {
        let mut req = format!("{}{path}", running.ws_url())
            .into_client_request()
            .expect("URL");
        if let Some(origin) = origin {
            req.headers_mut()
                .insert("origin", origin.parse().expect("origin"));
        }
        let connector = Connector::Rustls(tls.clone());
        async move {
            let (stream, _) =
                tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector))
                    .await
                    .expect("WSS upgrade");
            Ws::from_stream(stream)
        }
    };
    let mut visitor = open("/visitorws", None).await;
    visitor
        .send_text(connect_frame(GROUP, "v1", None, None))
        .await;
    visitor.expect_next("connected", WAIT).await;
    let mut agent = open("/agent", Some(AGENT_ORIGIN)).await;
    agent
        .send_text(connect_frame(GROUP, "v1", Some(&agent_token(GROUP)), None))
        .await;
    agent.expect_next("connected", WAIT).await;
    agent.expect("presence", WAIT).await; // the snapshot
    visitor
        .send(json!({"type": "presence", "data": {"secure": true}}))
        .await;
    assert_eq!(agent.expect("presence", WAIT).await["data"]["secure"], true);
    agent
        .send(json!({"type": "signal", "id": 1, "data": {"over": "tls"}}))
        .await;
    assert_eq!(agent.expect("ack", WAIT).await["data"]["ok"], true);
    assert_eq!(
        visitor.expect("signal", WAIT).await["data"],
        json!({"over": "tls"})
    );
    running.shutdown().await;
}

/// The module and the pages (§7): the module folder first, then `www/`; CORS `*` on both so
/// customer pages on any origin can load the script and fetch the `.wasm`; precompressed siblings
/// sent as they are to browsers that accept them, with the file's own content type.
#[tokio::test]
async fn serves_the_module_and_pages_with_cors_and_compression() {
    let dir = std::env::temp_dir().join(format!("presence-statics-{}", std::process::id()));
    let (module, www) = (dir.join("dist"), dir.join("www"));
    std::fs::create_dir_all(&module).unwrap();
    std::fs::create_dir_all(www.join("console")).unwrap();
    std::fs::write(
        module.join("glance-presence.js"),
        "/* module */".repeat(100),
    )
    .unwrap();
    std::fs::write(module.join("glance_presence_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(module.join("glance_presence_bg.wasm.br"), b"pretend-brotli").unwrap();
    std::fs::write(www.join("console").join("index.html"), "<h1>console</h1>").unwrap();
    let mut config = config();
    config.module_dir = Some(module);
    config.www = Some(www);
    let server = Server::with(config).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let get = |path: &str, encoding: &'static str| {
        client
            .get(server.url(path))
            .header("accept-encoding", encoding)
            .send()
    };

    let js = get("/glance-presence.js", "identity").await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(js.headers()["access-control-allow-origin"], "*");
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));

    let wasm = get("/glance_presence_bg.wasm", "br, gzip").await.unwrap();
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["access-control-allow-origin"], "*");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"pretend-brotli");

    let plain = get("/glance_presence_bg.wasm", "identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");

    let gz = get("/glance-presence.js", "gzip").await.unwrap();
    assert_eq!(
        gz.headers()["content-encoding"],
        "gzip",
        "compressed on the fly without a sibling"
    );

    let page = get("/console/", "identity").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.text().await.unwrap(), "<h1>console</h1>");
    assert_eq!(
        get("/nope.html", "identity").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Both builds of the module from the one folder (§7): the visitor-only script
/// `glance-presence-visitor.js` and its `glance_presence_visitor_bg.wasm` beside the full module,
/// each with CORS `*`, its own content type, and its own precompressed siblings (not the full
/// module's).
#[tokio::test]
async fn serves_the_visitor_only_module_beside_the_full_one() {
    let dir = std::env::temp_dir().join(format!("presence-visitor-module-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: [(&str, &[u8]); 10] = [
        ("glance-presence.js", b"/* full */"),
        ("glance-presence.js.gz", b"full-js-gzip"),
        ("glance_presence_bg.wasm", b"\0asm\x01\0\0\0full"),
        ("glance_presence_bg.wasm.br", b"full-wasm-brotli"),
        ("glance-presence-visitor.js", b"/* visitor */"),
        ("glance-presence-visitor.js.gz", b"visitor-js-gzip"),
        ("glance-presence-visitor.js.br", b"visitor-js-brotli"),
        ("glance_presence_visitor_bg.wasm", b"\0asm\x01\0\0\0visitor"),
        ("glance_presence_visitor_bg.wasm.gz", b"visitor-wasm-gzip"),
        ("glance_presence_visitor_bg.wasm.br", b"visitor-wasm-brotli"),
    ];
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
    let mut config = config();
    config.module_dir = Some(dir.clone());
    config.www = None;
    let server = Server::with(config).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    // (content-encoding or None, body) for `path` fetched with `accept-encoding: encoding`.
    let fetch = |path: &'static str, encoding: &'static str| {
        let request = client
            .get(server.url(path))
            .header("accept-encoding", encoding)
            .header("origin", "https://shop.example.com")
            .send();
        async move {
            let response = request.await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path} ({encoding})");
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                "*",
                "{path}"
            );
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            let coding = response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            let body = response.bytes().await.unwrap().to_vec();
            (kind, coding, body)
        }
    };

    let (kind, coding, body) = fetch("/glance-presence-visitor.js", "identity").await;
    assert!(kind.contains("javascript"), "{kind}");
    assert_eq!((coding, body), (None, b"/* visitor */".to_vec()));
    let (kind, coding, body) = fetch("/glance-presence-visitor.js", "br, gzip").await;
    assert!(kind.contains("javascript"), "{kind}");
    assert_eq!(
        (coding.as_deref(), body),
        (Some("br"), b"visitor-js-brotli".to_vec())
    );
    let (_, coding, body) = fetch("/glance-presence-visitor.js", "gzip").await;
    assert_eq!(
        (coding.as_deref(), body),
        (Some("gzip"), b"visitor-js-gzip".to_vec())
    );

    let (kind, coding, body) = fetch("/glance_presence_visitor_bg.wasm", "identity").await;
    assert_eq!(kind, "application/wasm");
    assert_eq!((coding, body), (None, b"\0asm\x01\0\0\0visitor".to_vec()));
    let (kind, coding, body) = fetch("/glance_presence_visitor_bg.wasm", "gzip, br").await;
    assert_eq!(kind, "application/wasm");
    assert_eq!(
        (coding.as_deref(), body),
        (Some("br"), b"visitor-wasm-brotli".to_vec())
    );
    let (_, coding, body) = fetch("/glance_presence_visitor_bg.wasm", "gzip").await;
    assert_eq!(
        (coding.as_deref(), body),
        (Some("gzip"), b"visitor-wasm-gzip".to_vec())
    );

    // The full module is still there, with its own files.
    let (_, coding, body) = fetch("/glance-presence.js", "gzip").await;
    assert_eq!(
        (coding.as_deref(), body),
        (Some("gzip"), b"full-js-gzip".to_vec())
    );
    let (kind, coding, body) = fetch("/glance_presence_bg.wasm", "br").await;
    assert_eq!(kind, "application/wasm");
    assert_eq!(
        (coding.as_deref(), body),
        (Some("br"), b"full-wasm-brotli".to_vec())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn timings_and_limits_out_of_range_are_refused_at_start() {
    /// A configuration change, named as the error names it.
    type Case = (&'static str, fn(&mut Config));
    let cases: [Case; 6] = [
        ("drain = inf", |c| c.timings.drain = f64::INFINITY),
        ("liveness_slack < 0", |c| c.timings.liveness_slack = -1.0),
        ("connect_timeout = 1e300", |c| {
            c.timings.connect_timeout = 1e300
        }),
        ("held_signals = 0", |c| c.limits.held_signals = 0),
        ("rate = NaN", |c| c.limits.rate = f64::NAN),
        ("burst = inf", |c| c.limits.burst = f64::INFINITY),
    ];
    for (name, spoil) in cases {
        let mut config = config();
        spoil(&mut config);
        let started = presence_server::start(config).await;
        assert!(started.is_err(), "{name} was accepted");
    }
    // The same configuration unspoiled starts.
    let server = presence_server::start(config()).await;
    assert!(server.is_ok());
}
