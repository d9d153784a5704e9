//! The HTTP surface: routes, CORS and static files.

mod agent;
mod authorize;
mod cors;
mod error;
pub(crate) mod extract;
mod gate;
mod ops;
mod query;
mod quota;
mod visitor;
mod webhooks;

pub use authorize::unix_now;
pub use error::ApiError;

use crate::state::SharedState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The whole application.
pub fn app(state: SharedState) -> Router {
    let limits = &state.config.limits;
    // Bodies are checked against `Content-Length` before a byte is read (413 at once); the
    // endpoints that take none get a cap that fits the `{}` the original clients send.
    let no_body = RequestBodyLimitLayer::new(limits.ignored_body);
    let body = RequestBodyLimitLayer::new(limits.max_body);
    let visitor_api = Router::new()
        .route(
            "/services/authorizationservice/GetVisitorSettings3",
            get(visitor::settings),
        )
        .route("/presence", post(visitor::presence))
        .route("/uniquevisitor", get(visitor::unique))
        .layer(no_body)
        .layer(from_fn(cors::visitor));
    let agent_api = Router::new()
        .route(
            "/services/AuthorizationService.svc/rest/Authorize",
            post(authorize::authorize).layer(body),
        )
        .route("/lookupvisitor", get(agent::lookup).layer(no_body))
        .route("/findvisitor", get(agent::find).layer(no_body))
        .route("/signalvisitor", post(agent::signal).layer(body))
        .route("/query", get(agent::query).layer(no_body))
        .route(
            "/webhooks/deliveries",
            get(webhooks::deliveries).layer(no_body),
        )
        .route("/webhooks/test", post(webhooks::test).layer(no_body))
        .layer(from_fn_with_state(state.clone(), quota::per_token))
        .layer(from_fn_with_state(state.clone(), cors::agent));
    let sockets = Router::new()
        .route("/visitorws", get(crate::ws::visitor))
        .route("/agent", get(crate::ws::agent))
        .layer(no_body);
    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .layer(no_body);
    let mut router = Router::new()
        .merge(visitor_api)
        .merge(agent_api)
        .merge(sockets)
        .merge(ops);
    // Customer pages on any origin load the module: its script and `.wasm` (fetched) need CORS.
    // Static files are compressed (brotli or gzip, as the browser accepts): the module is what
    // every page downloads.
    let statics = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(CompressionLayer::new());
    // The module folder holds both builds of the browser module: `glance-presence.js` (full,
    // agent pages) and `glance-presence-visitor.js` (visitor pages), each with its `_bg.wasm`.
    // Their `.br` / `.gz` siblings (written by scripts/build-module.sh at the highest level) are
    // served as they are; other files are compressed on the fly.
    let module =
        |dir: &std::path::PathBuf| ServeDir::new(dir).precompressed_br().precompressed_gzip();
    router = match (&state.config.module_dir, &state.config.www) {
        (Some(dir), Some(www)) => {
            router.fallback_service(statics.service(module(dir).fallback(ServeDir::new(www))))
        }
        (Some(dir), None) => router.fallback_service(statics.service(module(dir))),
        (None, Some(www)) => router.fallback_service(statics.service(ServeDir::new(www))),
        (None, None) => router,
    };
    router
        .layer(DefaultBodyLimit::max(limits.max_body))
        // The whole request, its body included, within `body_timeout` (408): a body trickled
        // in a byte at a time cannot hold the connection.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.body_timeout(),
        ))
        .layer(from_fn_with_state(state.clone(), gate::gate))
        .with_state(state)
}
