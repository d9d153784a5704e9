/work/host/target-exp/wasm32-unknown-unknown/release/deps/glance_presence.d: src/lib.rs src/agent.rs src/auth.rs src/backoff.rs src/bare.rs src/cobrowse.rs src/config.rs src/exports.rs src/failure.rs src/frames.rs src/global.rs src/heap.rs src/host.rs src/incoming.rs src/invoke.rs src/json.rs src/link.rs src/origin.rs src/page.rs src/prelude.rs src/presence.rs src/resolve.rs src/text.rs src/token.rs src/useragent.rs src/visitor.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/glance_presence.wasm: src/lib.rs src/agent.rs src/auth.rs src/backoff.rs src/bare.rs src/cobrowse.rs src/config.rs src/exports.rs src/failure.rs src/frames.rs src/global.rs src/heap.rs src/host.rs src/incoming.rs src/invoke.rs src/json.rs src/link.rs src/origin.rs src/page.rs src/prelude.rs src/presence.rs src/resolve.rs src/text.rs src/token.rs src/useragent.rs src/visitor.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libglance_presence.rlib: src/lib.rs src/agent.rs src/auth.rs src/backoff.rs src/bare.rs src/cobrowse.rs src/config.rs src/exports.rs src/failure.rs src/frames.rs src/global.rs src/heap.rs src/host.rs src/incoming.rs src/invoke.rs src/json.rs src/link.rs src/origin.rs src/page.rs src/prelude.rs src/presence.rs src/resolve.rs src/text.rs src/token.rs src/useragent.rs src/visitor.rs

src/lib.rs:
src/agent.rs:
src/auth.rs:
src/backoff.rs:
src/bare.rs:
src/cobrowse.rs:
src/config.rs:
src/exports.rs:
src/failure.rs:
src/frames.rs:
src/global.rs:
src/heap.rs:
src/host.rs:
src/incoming.rs:
src/invoke.rs:
src/json.rs:
src/link.rs:
src/origin.rs:
src/page.rs:
src/prelude.rs:
src/presence.rs:
src/resolve.rs:
src/text.rs:
src/token.rs:
src/useragent.rs:
src/visitor.rs:

# env-dep:CARGO_PKG_VERSION=0.1.0
