#!/usr/bin/env bash
# Builds the browser module (release) and assembles what is served and published:
#
#   dist/glance-presence.js        loader + wasm-bindgen glue, one classic script (served by the server)
#   dist/glance_presence_bg.wasm   the optimized module, loaded from beside the script
#   dist/size.json                 sizes, gzipped, of what a page downloads
#   pkg/                           the npm package: the two files above, package.json, README, types
#
# Prints the gzipped total a page downloads; the budget is 25 KB (SIZE_STRICT=1 fails above it).
# Tools: wasm-pack and wasm-bindgen-cli (pinned with the crate); node + npm for tools/npm
# (binaryen's wasm-opt and terser, installed on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
budget=$((25 * 1024))

log() { printf '%s\n' "build-module: $*" >&2; }

# 1. Rust → wasm + glue. wasm-pack's own wasm-opt step is off (Cargo.toml metadata): it would download
#    a binaryen release.
rm -rf pkg
wasm-pack build --release --target no-modules --out-dir pkg --out-name glance_presence --no-typescript "$root" >&2

# 2. wasm-opt, from the npm `binaryen` package of tools/npm (installed here on first use). Debian's
#    binaryen 108 accepts the module with the feature flags below but miscompiles its externref
#    table (the module then fails at start-up), so it is only a fallback.
tools=tools/npm/node_modules/.bin
if [ ! -x "$tools/wasm-opt" ] && command -v npm >/dev/null; then
  npm install --prefix tools/npm --no-audit --no-fund --silent >&2 || log "WARNING: npm install of tools/npm failed"
fi
wasm_opt=""
if [ -x "$tools/wasm-opt" ]; then wasm_opt=$tools/wasm-opt; elif command -v wasm-opt >/dev/null; then wasm_opt=wasm-opt; fi
features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals)
if [ -n "$wasm_opt" ] && "$wasm_opt" -Oz "${features[@]}" --strip-debug --strip-producers \
    pkg/glance_presence_bg.wasm -o pkg/glance_presence_bg.opt.wasm; then
  mv pkg/glance_presence_bg.opt.wasm pkg/glance_presence_bg.wasm
  log "optimized with $($wasm_opt --version)"
else
  log "WARNING: wasm-opt missing or refused the module; shipping the unoptimized wasm"
fi

# 3. One classic script: the glue's `wasm_bindgen` stays local to the wrapper function. Files are
#    assembled in pkg/ and renamed into dist/ at the end, so a server serving dist/ never sees a
#    missing or half-written module.
mkdir -p dist
{
  head -n 1 pkg-template/loader.js
  printf '(function () {\n"use strict";\n'
  cat pkg/glance_presence.js
  printf '\n'
  tail -n +2 pkg-template/loader.js
  printf '\n})();\n'
} > pkg/glance-presence.full.js
if [ -x "$tools/terser" ]; then
  "$tools/terser" pkg/glance-presence.full.js --compress --mangle --comments '/^!/' -o pkg/glance-presence.min.js
else
  # No minifier: drop comment-only lines and indentation (safe for this code: no multi-line strings).
  node -e '
    const fs = require("fs");
    const out = fs.readFileSync(process.argv[1], "utf8").split("\n")
      .map((l) => l.trim())
      .filter((l, i) => l !== "" && (i === 0 || !/^(\/\/|\/\*\*|\*\/|\* |\*$)/.test(l)));
    fs.writeFileSync(process.argv[2], out.join("\n") + "\n");
  ' pkg/glance-presence.full.js pkg/glance-presence.min.js
fi
rm pkg/glance-presence.full.js

# 4. The npm package.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
rm -f pkg/glance_presence.js pkg/package.json pkg/.gitignore pkg/README.md
mv pkg/glance-presence.min.js pkg/glance-presence.js
cp pkg-template/README.md pkg-template/glance-presence.d.ts pkg/
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" pkg-template/package.json > pkg/package.json

cp pkg/glance-presence.js dist/glance-presence.js.new
cp pkg/glance_presence_bg.wasm dist/glance_presence_bg.wasm.new
mv dist/glance_presence_bg.wasm.new dist/glance_presence_bg.wasm
mv dist/glance-presence.js.new dist/glance-presence.js

# 5. Size of what a page downloads.
js=$(stat -c %s dist/glance-presence.js)
wasm=$(stat -c %s dist/glance_presence_bg.wasm)
js_gz=$(gzip -9c dist/glance-presence.js | wc -c)
wasm_gz=$(gzip -9c dist/glance_presence_bg.wasm | wc -c)
total_gz=$((js_gz + wasm_gz))
cat > dist/size.json <<JSON
{"js": $js, "wasm": $wasm, "js_gzip": $js_gz, "wasm_gzip": $wasm_gz, "total_gzip": $total_gz, "budget_gzip": $budget}
JSON
printf 'glance-presence: %s + %s bytes; gzipped %s (js) + %s (wasm) = %s bytes (budget %s)\n' \
  "$js" "$wasm" "$js_gz" "$wasm_gz" "$total_gz" "$budget"
if [ "$total_gz" -gt "$budget" ]; then
  log "WARNING: over the size budget by $((total_gz - budget)) bytes"
  if [ "${SIZE_STRICT:-0}" = 1 ]; then exit 1; fi
fi
