#!/usr/bin/env bash
# Sets up a fresh machine (idempotently) and runs every test of the project:
#   1. native tests of the whole workspace (protocol golden tests, server integration tests over
#      real sockets, the browser module's state machine, the Redis store suite)
#   2. the browser module built with wasm-pack and tested in headless Chromium against a server
#   3. end-to-end tests of the demo (agent console + visitor site) with Playwright + Chromium
#   4. the cluster suite: redis-server, nginx and three server nodes
#   5. a smoke run of every benchmark scenario (correctness only, small N)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s ===\n' "$*"; }

step "install"
scripts/install.sh

step "native tests"
cargo test --workspace --locked

step "browser module build"
scripts/build-module.sh

step "browser module tests (headless Chromium)"
scripts/test-wasm.sh

step "end-to-end tests (demo console + visitor site)"
scripts/test-e2e.sh

if [[ -x scripts/test-cluster.sh ]]; then
    step "cluster tests (redis + nginx + 3 nodes)"
    scripts/test-cluster.sh
fi

step "benchmark smoke run"
scripts/bench-smoke.sh

step "all tests passed"
