#!/usr/bin/env bash
# Runs the browser tests: builds the module and the server, starts the server with
# tests/wasm-server.toml on a free port, and runs `wasm-pack test --headless --chrome` with the
# server's address and a login key in the environment (read by the tests with option_env!).
# Extra arguments go to wasm-pack test (e.g. `--test browser_api`). SKIP_MODULE_BUILD=1 reuses
# an existing dist/ even if sources changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# dist/ is rebuilt unless both modules (the full one and the visitor-only one) are there and
# newer than every input (scripts/test.sh builds them just before).
stale=0
for f in glance-presence.js glance_presence_bg.wasm glance-presence-visitor.js glance_presence_visitor_bg.wasm; do
  [ -f "dist/$f" ] || stale=1
done
if [ "$stale" = 0 ] && [ "${SKIP_MODULE_BUILD:-0}" != 1 ]; then
  for f in glance-presence.js glance-presence-visitor.js; do
    if [ -n "$(find src protocol/src pkg-template Cargo.toml Cargo.lock scripts/build-module.sh -newer "dist/$f" -print -quit)" ]; then
      stale=1
    fi
  done
fi
if [ "$stale" = 1 ]; then scripts/build-module.sh; fi
cargo build -p presence-server

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target_dir/debug/presence-server" --config tests/wasm-server.toml --listen 127.0.0.1:0 \
  --addr-file "$work/addr" --module-dir "$root/dist" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/addr" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; echo "presence-server exited" >&2; exit 1; fi
  sleep 0.1
done
[ -s "$work/addr" ] || { cat "$work/server.log" >&2; echo "presence-server did not start" >&2; exit 1; }

export PRESENCE_TEST_ADDR=$(tr -d '\n' < "$work/addr")
export PRESENCE_TEST_GROUP=12345
export PRESENCE_TEST_USER=agent-1
# A login key for PRESENCE_TEST_USER (§4.2), valid for an hour.
export PRESENCE_TEST_LOGINKEY=$(python3 - <<'PY'
import base64, hashlib, hmac, time
expires = str(int(time.time()) + 3600)
message = ("12345" + "agent-1" + "1" + expires).encode()
sig = base64.b64encode(hmac.new(b"wasm-test-api-key", message, hashlib.sha256).digest()).decode()[:43]
print("$1$" + expires + "$" + sig)
PY
)
echo "test-wasm: presence-server at $PRESENCE_TEST_ADDR" >&2

# The runner's page is cross-origin isolated by default (COEP require-corp), which would block the
# cross-origin <script src> of the loader tests; ordinary pages are not isolated.
export WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1
status=0
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} wasm-pack test --headless --chrome "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "test-wasm: server log (last 60 lines):" >&2
  tail -n 60 "$work/server.log" >&2
fi
exit "$status"
