#!/usr/bin/env bash
# End-to-end tests of the agent console and the visitor site (www/) in headless Chromium.
#
# Builds the server and the browser module, starts presence-server on a free loopback port
# with tests/e2e/presence-test.toml (short grace), runs tests/e2e/*.test.mjs with node's test
# runner, and stops the server on exit whatever happened.
#
#   scripts/test-e2e.sh                 # build, start, test
#   E2E_SKIP_BUILD=1 scripts/test-e2e.sh
#   E2E_SKIP_BUILD=1 E2E_MODULE_DIR=/tmp/dist scripts/test-e2e.sh   # another build of the module
#   scripts/test-e2e.sh tests/e2e/terms.test.mjs   # some files only
#
# Needs: cargo, node >= 20, /usr/bin/chromium (Debian package `chromium`). Never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "test-e2e: no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2
  exit 1
fi

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  cargo build -p presence-server
  scripts/build-module.sh
fi
module_dir="${E2E_MODULE_DIR:-dist}"
if [ ! -f "$module_dir/glance-presence.js" ]; then
  echo "test-e2e: $module_dir/glance-presence.js is missing (scripts/build-module.sh)" >&2
  exit 1
fi
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

workdir="$(mktemp -d)"
server_log=tests/e2e/server.log
server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -f "$server_log" ]; then
    echo "--- last lines of $server_log ---" >&2
    tail -n 40 "$server_log" >&2
  fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT INT TERM

target/debug/presence-server --config tests/e2e/presence-test.toml --module-dir "$module_dir" \
  --listen 127.0.0.1:0 --addr-file "$workdir/addr" >"$server_log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  [ -s "$workdir/addr" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "test-e2e: presence-server exited at start" >&2
    exit 1
  fi
  sleep 0.1
done
addr="$(tr -d '[:space:]' <"$workdir/addr")"
if [ -z "$addr" ]; then
  echo "test-e2e: presence-server did not report its address" >&2
  exit 1
fi
case "$addr" in
  http://*|https://*) export PRESENCE_URL="$addr" ;;
  *) export PRESENCE_URL="http://$addr" ;;
esac
# Must match [timings] in tests/e2e/presence-test.toml.
export PRESENCE_GRACE_SECONDS=2
echo "test-e2e: presence-server at $PRESENCE_URL"

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(tests/e2e/*.test.mjs)
fi
node --test --test-concurrency=1 ${E2E_TEST_PATTERN:+--test-name-pattern="$E2E_TEST_PATTERN"} "${files[@]}"
