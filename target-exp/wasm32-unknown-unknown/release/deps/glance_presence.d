/work/host/target-exp/wasm32-unknown-unknown/release/deps/glance_presence.d: src/lib.rs src/api/mod.rs src/api/agent.rs src/api/authorization.rs src/api/cobrowse.rs src/api/context.rs src/api/exports.rs src/api/rest.rs src/api/visitor.rs src/core/mod.rs src/core/action.rs src/core/agent.rs src/core/backoff.rs src/core/config.rs src/core/failure.rs src/core/invoke.rs src/core/json.rs src/core/link.rs src/core/link_state.rs src/core/origin.rs src/core/presence.rs src/core/queue.rs src/core/relay.rs src/core/text.rs src/core/token.rs src/core/useragent.rs src/core/visitor.rs src/core/visitor_event.rs src/prelude.rs src/web/mod.rs src/web/bare.rs src/web/codec.rs src/web/connection.rs src/web/discovery.rs src/web/dom.rs src/web/global.rs src/web/host.rs src/web/http.rs src/web/invoke.rs src/web/listener.rs src/web/page.rs src/web/registry.rs src/web/signal_rest.rs src/web/socket.rs src/web/terms_dialog.rs src/web/timer.rs src/web/token_store.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/glance_presence.wasm: src/lib.rs src/api/mod.rs src/api/agent.rs src/api/authorization.rs src/api/cobrowse.rs src/api/context.rs src/api/exports.rs src/api/rest.rs src/api/visitor.rs src/core/mod.rs src/core/action.rs src/core/agent.rs src/core/backoff.rs src/core/config.rs src/core/failure.rs src/core/invoke.rs src/core/json.rs src/core/link.rs src/core/link_state.rs src/core/origin.rs src/core/presence.rs src/core/queue.rs src/core/relay.rs src/core/text.rs src/core/token.rs src/core/useragent.rs src/core/visitor.rs src/core/visitor_event.rs src/prelude.rs src/web/mod.rs src/web/bare.rs src/web/codec.rs src/web/connection.rs src/web/discovery.rs src/web/dom.rs src/web/global.rs src/web/host.rs src/web/http.rs src/web/invoke.rs src/web/listener.rs src/web/page.rs src/web/registry.rs src/web/signal_rest.rs src/web/socket.rs src/web/terms_dialog.rs src/web/timer.rs src/web/token_store.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libglance_presence.rlib: src/lib.rs src/api/mod.rs src/api/agent.rs src/api/authorization.rs src/api/cobrowse.rs src/api/context.rs src/api/exports.rs src/api/rest.rs src/api/visitor.rs src/core/mod.rs src/core/action.rs src/core/agent.rs src/core/backoff.rs src/core/config.rs src/core/failure.rs src/core/invoke.rs src/core/json.rs src/core/link.rs src/core/link_state.rs src/core/origin.rs src/core/presence.rs src/core/queue.rs src/core/relay.rs src/core/text.rs src/core/token.rs src/core/useragent.rs src/core/visitor.rs src/core/visitor_event.rs src/prelude.rs src/web/mod.rs src/web/bare.rs src/web/codec.rs src/web/connection.rs src/web/discovery.rs src/web/dom.rs src/web/global.rs src/web/host.rs src/web/http.rs src/web/invoke.rs src/web/listener.rs src/web/page.rs src/web/registry.rs src/web/signal_rest.rs src/web/socket.rs src/web/terms_dialog.rs src/web/timer.rs src/web/token_store.rs

src/lib.rs:
src/api/mod.rs:
src/api/agent.rs:
src/api/authorization.rs:
src/api/cobrowse.rs:
src/api/context.rs:
src/api/exports.rs:
src/api/rest.rs:
src/api/visitor.rs:
src/core/mod.rs:
src/core/action.rs:
src/core/agent.rs:
src/core/backoff.rs:
src/core/config.rs:
src/core/failure.rs:
src/core/invoke.rs:
src/core/json.rs:
src/core/link.rs:
src/core/link_state.rs:
src/core/origin.rs:
src/core/presence.rs:
src/core/queue.rs:
src/core/relay.rs:
src/core/text.rs:
src/core/token.rs:
src/core/useragent.rs:
src/core/visitor.rs:
src/core/visitor_event.rs:
src/prelude.rs:
src/web/mod.rs:
src/web/bare.rs:
src/web/codec.rs:
src/web/connection.rs:
src/web/discovery.rs:
src/web/dom.rs:
src/web/global.rs:
src/web/host.rs:
src/web/http.rs:
src/web/invoke.rs:
src/web/listener.rs:
src/web/page.rs:
src/web/registry.rs:
src/web/signal_rest.rs:
src/web/socket.rs:
src/web/terms_dialog.rs:
src/web/timer.rs:
src/web/token_store.rs:

# env-dep:CARGO_PKG_VERSION=0.1.0
