#!/usr/bin/env bash
# Sets up what is missing, builds the browser module and the server, and runs the server on the
# embedded default (in-memory state, demo group 12345) with the demo pages.
#   PRESENCE_LISTEN=0.0.0.0:9000 scripts/demo.sh   to use another address
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/install.sh
scripts/build-module.sh
cargo build --release --locked -p presence-server
export PRESENCE_LISTEN="${PRESENCE_LISTEN:-0.0.0.0:8080}"
echo
echo "Open the agent console at http://localhost:${PRESENCE_LISTEN##*:}/console/"
echo "and the visitor site at   http://localhost:${PRESENCE_LISTEN##*:}/site/"
exec target/release/presence-server --www www --module-dir dist
