//! The HTTP surface: routes, CORS and static files.

mod agent;
mod authorize;
mod cors;
mod error;
pub(crate) mod extract;
mod ops;
mod query;
mod visitor;

pub use authorize::unix_now;
pub use error::ApiError;

use crate::state::SharedState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body.
const MAX_BODY: usize = glance_protocol::MAX_FRAME_BYTES;

/// The whole application.
pub fn app(state: SharedState) -> Router {
    let visitor_api = Router::new()
        .route(
            "/services/authorizationservice/GetVisitorSettings3",
            get(visitor::settings),
        )
        .route("/presence", post(visitor::presence))
        .route("/uniquevisitor", get(visitor::unique))
        .layer(from_fn(cors::visitor));
    let agent_api = Router::new()
        .route(
            "/services/AuthorizationService.svc/rest/Authorize",
            post(authorize::authorize),
        )
        .route("/lookupvisitor", get(agent::lookup))
        .route("/findvisitor", get(agent::find))
        .route("/signalvisitor", post(agent::signal))
        .route("/query", get(agent::query))
        .layer(from_fn_with_state(state.clone(), cors::agent));
    let sockets = Router::new()
        .route("/visitorws", get(crate::ws::visitor))
        .route("/agent", get(crate::ws::agent));
    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));
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
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}
