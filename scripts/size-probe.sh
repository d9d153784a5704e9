#!/usr/bin/env bash
# Developer aid: builds the wasm (release) into $CARGO_TARGET_DIR/size-probe and shows its size
# and, with twiggy installed, its biggest items (`scripts/size-probe.sh 40`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/wasm-dev}
out=$CARGO_TARGET_DIR/size-probe
wasm_opt=tools/npm/node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || wasm_opt=wasm-opt
features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals)
wasm-pack build --release --target no-modules --out-dir "$out" --no-typescript -- --no-default-features >/dev/null 2>&1
"$wasm_opt" -Oz --converge --low-memory-unused --zero-filled-memory "${features[@]}" --strip-debug --strip-producers "$out/glance_presence_bg.wasm" -o "$out/opt.wasm"
"$wasm_opt" -Oz --converge --low-memory-unused --zero-filled-memory "${features[@]}" -g "$out/glance_presence_bg.wasm" -o "$out/named.wasm"
echo "wasm: $(stat -c %s "$out/opt.wasm") bytes, $(gzip -9c "$out/opt.wasm" | wc -c) gzipped; glue js (unminified): $(stat -c %s "$out/glance_presence.js") bytes, $(gzip -9c "$out/glance_presence.js" | wc -c) gzipped"
if command -v twiggy >/dev/null; then twiggy top -n "${1:-25}" "$out/named.wasm"; fi
