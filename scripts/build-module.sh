#!/usr/bin/env bash
# Builds the browser module (release) and assembles what is served and published:
#
#   dist/glance-presence.js        glue + loader (pkg-template/), one classic script (served by the server)
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
#    a binaryen release. `--no-default-features` builds the crate without std (see the `std` feature
#    in Cargo.toml): no std panic and formatting machinery in the module.
rm -rf pkg
# The release profile is tuned for the server (opt-level 3): the module is built for size instead.
CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
wasm-pack build --release --target no-modules --out-dir pkg --out-name glance_presence --no-typescript "$root" \
  -- --no-default-features >&2

# 2. Short import and export names, as pkg-template/glue.js uses them, and a check that the
#    module's imports and exports are the ones glue.js knows (scripts/wasm-names.cjs); before
#    wasm-opt, so that what only the dropped exports kept goes too. wasm-bindgen's own glue
#    (pkg/glance_presence.js) is not shipped: glue.js does the same for exactly this module's
#    interface in a fraction of the size.
node scripts/wasm-names.cjs pkg/glance_presence_bg.wasm

# 3. wasm-opt, from the npm `binaryen` package of tools/npm (installed here on first use). Debian's
#    binaryen 108 accepts the module with the feature flags below but miscompiles its externref
#    table (the module then fails at start-up), so it is only a fallback, and every optimized module
#    is checked (externref_ok below) before it replaces the unoptimized one.
#    --low-memory-unused: Rust's data starts at 1024, below is never addressed; --zero-filled-memory:
#    the module owns its memory, which starts zeroed.
#    --one-caller-inline-max-function-size=30: binaryen otherwise inlines every function that has one
#    caller, whatever its size; keeping the larger ones apart makes the module ~3 KB bigger raw but
#    ~1.8 KB smaller gzipped (the size that counts), as the functions repeat more. Flattening and
#    re-looping the control flow, then optimizing again, takes another ~0.2 KB off the gzip.
#    Last, the functions are put in the order of their names (the name section is still there at
#    this point; --strip-debug drops it from the output), so each Rust module's code sits
#    together and gzip finds more of it in its window: ~0.15 KB.
tools=tools/npm/node_modules/.bin
if [ ! -x "$tools/wasm-opt" ] && command -v npm >/dev/null; then
  npm install --prefix tools/npm --no-audit --no-fund --silent >&2 || log "WARNING: npm install of tools/npm failed"
fi
wasm_opt=""
if [ -x "$tools/wasm-opt" ]; then wasm_opt=$tools/wasm-opt; elif command -v wasm-opt >/dev/null; then wasm_opt=wasm-opt; fi
features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals)
# Whether the optimized module $2 still exports what the glue uses, as the unoptimized $1 does, and
# its reference table (`t`, wasm-bindgen's `__wbindgen_externrefs`) is still a table of externref
# (a funcref table refuses a JS object).
externref_ok() {
  node - "$1" "$2" <<'JS'
const fs = require("fs");
const [before, after] = process.argv.slice(2).map((f) => new WebAssembly.Module(fs.readFileSync(f)));
const names = (m) => WebAssembly.Module.exports(m).map((e) => e.name + ":" + e.kind).sort().join(" ");
if (names(before) !== names(after)) { console.error("exports differ after wasm-opt"); process.exit(1); }
const stubs = {};
for (const i of WebAssembly.Module.imports(after)) {
  if (i.kind !== "function") { console.error("unexpected import " + i.name); process.exit(1); }
  (stubs[i.module] = stubs[i.module] || {})[i.name] = () => undefined;
}
const table = new WebAssembly.Instance(after, stubs).exports.t;
try { table.grow(1, {}); } catch (e) { console.error("the reference table is not an externref table: " + e); process.exit(1); }
JS
}
if [ -n "$wasm_opt" ] && "$wasm_opt" -Oz --converge --one-caller-inline-max-function-size=30 --flatten --rereloop -Oz --converge -Oz \
    --reorder-functions-by-name \
    --low-memory-unused --zero-filled-memory "${features[@]}" \
    --strip-debug --strip-producers --strip-target-features pkg/glance_presence_bg.wasm -o pkg/glance_presence_bg.opt.wasm; then
  if externref_ok pkg/glance_presence_bg.wasm pkg/glance_presence_bg.opt.wasm >&2; then
    mv pkg/glance_presence_bg.opt.wasm pkg/glance_presence_bg.wasm
    log "optimized with $($wasm_opt --version)"
  else
    rm -f pkg/glance_presence_bg.opt.wasm
    log "WARNING: $($wasm_opt --version) broke the module's externref table; shipping the unoptimized wasm"
  fi
else
  log "WARNING: wasm-opt missing or refused the module; shipping the unoptimized wasm"
fi

# 3. One classic script: glue.js, the terms dialog (dialog.js), the host (host.js) and the loader
#    in one wrapper function. Files are
#    assembled in pkg/ and renamed into dist/ at the end, so a server serving dist/ never sees a
#    missing or half-written module.
mkdir -p dist
{
  head -n 1 pkg-template/loader.js
  printf '(function () {\n"use strict";\n'
  cat pkg-template/glue.js
  printf '\n'
  cat pkg-template/dialog.js
  printf '\n'
  cat pkg-template/host.js
  printf '\n'
  tail -n +2 pkg-template/loader.js
  printf '\n})();\n'
} > pkg/glance-presence.full.js
if [ -x "$tools/terser" ]; then
  "$tools/terser" pkg/glance-presence.full.js --compress passes=2 --mangle --comments '/^!/' -o pkg/glance-presence.min.js
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

# 5. Precompressed siblings (brotli 11, gzip 9) that the server sends as they are.
rm -f dist/*.br dist/*.gz
scripts/precompress.sh dist

# 6. Size of what a page downloads: the gzip files the server sends (zopfli's, see
#    scripts/precompress.sh), the brotli ones most browsers get, and zlib's gzip -9 for reference.
js=$(stat -c %s dist/glance-presence.js)
wasm=$(stat -c %s dist/glance_presence_bg.wasm)
js_gz=$(stat -c %s dist/glance-presence.js.gz)
wasm_gz=$(stat -c %s dist/glance_presence_bg.wasm.gz)
total_gz=$((js_gz + wasm_gz))
gzip9_total=$(($(gzip -9c dist/glance-presence.js | wc -c) + $(gzip -9c dist/glance_presence_bg.wasm | wc -c)))
br_total=$(($(stat -c %s dist/glance-presence.js.br) + $(stat -c %s dist/glance_presence_bg.wasm.br)))
cat > dist/size.json <<JSON
{"js": $js, "wasm": $wasm, "js_gzip": $js_gz, "wasm_gzip": $wasm_gz, "total_gzip": $total_gz, "budget_gzip": $budget, "total_brotli": $br_total, "total_gzip9": $gzip9_total}
JSON
printf 'glance-presence: %s + %s bytes; gzipped as served %s (js) + %s (wasm) = %s bytes (budget %s); brotli %s; gzip -9 %s\n' \
  "$js" "$wasm" "$js_gz" "$wasm_gz" "$total_gz" "$budget" "$br_total" "$gzip9_total"
if [ "$total_gz" -gt "$budget" ]; then
  log "WARNING: over the size budget by $((total_gz - budget)) bytes"
  if [ "${SIZE_STRICT:-0}" = 1 ]; then exit 1; fi
fi
