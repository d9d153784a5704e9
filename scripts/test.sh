#!/usr/bin/env bash
# Sets up a fresh machine (idempotently) and runs every test of the project:
#   1. native tests of the whole workspace: protocol golden tests, server integration tests over
#      real sockets, the browser module's state machine, one behaviour suite for the in-memory and
#      the Redis store, and the cluster suite (real redis-server, real nginx, three server nodes)
#   2. the browser module built with wasm-pack (its size reported against the budget) and tested in
#      headless Chromium against a real server
#   3. end-to-end tests of the demo (agent console + visitor site) with Playwright + Chromium
#   4. a smoke run of every benchmark scenario (correctness only, small N)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s ===\n' "$*"; }

step "install"
scripts/install.sh

step "native tests"
cargo test --workspace --locked

step "browser module build"
SIZE_STRICT=1 scripts/build-module.sh

step "browser module tests (headless Chromium)"
scripts/test-wasm.sh

step "end-to-end tests (demo console + visitor site)"
cargo build --locked -p presence-server
E2E_SKIP_BUILD=1 scripts/test-e2e.sh

step "benchmark smoke run"
scripts/bench-smoke.sh

step "all tests passed"
