#!/usr/bin/env bash
# Builds the browser module (release) twice from the one crate and assembles what is served and
# published:
#
#   dist/glance-presence.js               the full module (what agent pages load): loader +
#   dist/glance_presence_bg.wasm            wasm-bindgen's JS in one classic script, wasm beside it
#   dist/glance-presence-visitor.js       the visitor-only module (cargo --no-default-features):
#   dist/glance_presence_visitor_bg.wasm    GLANCE.Presence.Visitor, the terms dialog, data-presence
#   dist/*.gz, dist/*.br                  precompressed siblings, sent as they are by the server
#   dist/size.json                        sizes of both, raw and gzipped as served
#   dist/twiggy-{full,visitor}.txt        with twiggy on PATH only: the biggest items of each wasm
#   pkg/                                  the npm package: wasm-pack's output of the full build
#                                         (package.json, .d.ts, .js, optimized _bg.wasm), the npm
#                                         README, and the served scripts above
#
# Size budget: the full module at most 35 KB gzipped (js + wasm as served); above it a WARNING.
# SIZE_STRICT=1 (CI) fails above the hard cap, for either build: a regression guard. Issue 11 asks
# for 60 KB; the module on its stack measures 70,805 B (full) and 65,788 B (visitor-only), about
# 14 KB of each serde-wasm-bindgen's type-error message (docs/BENCHMARKS.md, "Browser module size",
# has the breakdown), so the guard stands at what the full module measures plus a small margin.
#
# Tools: wasm-pack and wasm-bindgen-cli (pinned with the crate, installed by scripts/install.sh;
# `--mode no-install` keeps wasm-pack from downloading anything); node + npm for tools/npm
# (binaryen's wasm-opt and terser, installed here on first use); zopfli (Debian) for the gzip files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
budget=$((35 * 1024))
cap=$((71 * 1024))

log() { printf '%s\n' "build-module: $*" >&2; }
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi

# Everything is assembled in a scratch folder and renamed into dist/ and pkg/ at the end, so a
# server serving dist/ never sees a missing or half-written module.
mkdir -p target
work=$(mktemp -d "$root/target/module-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

tools=tools/npm/node_modules/.bin
if { [ ! -x "$tools/wasm-opt" ] || [ ! -x "$tools/terser" ]; } && command -v npm >/dev/null; then
  npm install --prefix tools/npm --no-audit --no-fund --silent >&2 || log "WARNING: npm install of tools/npm failed"
fi
wasm_opt=""
if [ -x "$tools/wasm-opt" ]; then wasm_opt=$tools/wasm-opt; elif command -v wasm-opt >/dev/null; then wasm_opt=wasm-opt; fi
# What Rust's wasm32-unknown-unknown target emits (its target_features section).
features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals)
# -Oz, then:
# --one-caller-inline-max-function-size=30: binaryen otherwise inlines every function that has one
#   caller, whatever its size; keeping the larger ones apart makes the module bigger raw but
#   smaller gzipped (the size that counts), as the functions repeat more. Flattening and
#   re-looping the control flow, then optimizing again, takes a little more off the gzip, and so
#   does putting the functions in the order of their names (each Rust module's code together).
# --low-memory-unused: Rust never addresses the lowest 1 KB; --zero-filled-memory: the module
#   creates its own memory (wasm-bindgen does not import one), which starts zeroed.
opt_passes=(-Oz --converge --one-caller-inline-max-function-size=30 --flatten --rereloop -Oz --converge -Oz
  --reorder-functions-by-name --low-memory-unused --zero-filled-memory)

# Whether the optimized module $2 still fits the JS wasm-bindgen generated for the unoptimized
# $1: the same exports, no import the JS does not provide, it instantiates (with stub imports;
# nothing runs before the JS calls in), and wasm-bindgen's reference table is still a table of
# externref (Debian's binaryen 108 turned it into a funcref table, which refuses a JS object).
module_ok() {
  node - "$1" "$2" <<'JS'
const fs = require("fs");
const [before, after] = process.argv.slice(2).map((f) => new WebAssembly.Module(fs.readFileSync(f)));
const exps = (m) => WebAssembly.Module.exports(m).map((e) => e.name + ":" + e.kind).sort().join(" ");
if (exps(before) !== exps(after)) { console.error("exports differ after wasm-opt"); process.exit(1); }
const known = new Set(WebAssembly.Module.imports(before).map((i) => i.module + "." + i.name + ":" + i.kind));
const stubs = {};
for (const i of WebAssembly.Module.imports(after)) {
  if (!known.has(i.module + "." + i.name + ":" + i.kind) || i.kind !== "function") {
    console.error("unexpected import " + i.module + "." + i.name + " (" + i.kind + ")");
    process.exit(1);
  }
  (stubs[i.module] = stubs[i.module] || {})[i.name] = () => undefined;
}
const table = new WebAssembly.Instance(after, stubs).exports.__wbindgen_externrefs;
if (table) {
  try { table.grow(1, {}); } catch (e) { console.error("the reference table is not an externref table: " + e); process.exit(1); }
}
JS
}

# build NAME OUT CARGO_ARGS...: wasm-pack → $work/OUT/NAME.js + NAME_bg.wasm (optimized);
# $work/OUT/named.wasm keeps a copy with the name section for twiggy.
build() {
  local name=$1 out=$work/$2
  shift 2
  local ts=()
  [ "$name" = glance_presence ] || ts=(--no-typescript)
  # The release profile is tuned for the server (opt-level 3, thin LTO): the module is built for
  # size instead. panic = "abort": no unwinding tables (wasm32 aborts on panic anyway);
  # console_error_panic_hook reports the panic first. wasm-pack's own wasm-opt step is off
  # (--no-opt, and Cargo.toml's metadata): it would download a binaryen release.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_PANIC=abort \
  wasm-pack build --mode no-install --no-opt --release --target no-modules \
    --out-dir "$out" --out-name "$name" "${ts[@]}" "$root" -- "$@" >&2
  local wasm=$out/${name}_bg.wasm
  cp "$wasm" "$out/named.wasm"
  if [ -z "$wasm_opt" ]; then
    log "WARNING: no wasm-opt (npm install --prefix tools/npm failed?); shipping the unoptimized $name wasm"
    return
  fi
  if "$wasm_opt" "${opt_passes[@]}" "${features[@]}" \
      --strip-debug --strip-producers --strip-target-features "$wasm" -o "$out/opt.wasm" \
      && module_ok "$wasm" "$out/opt.wasm" >&2; then
    # twiggy's breakdown of what ships, names kept (-g); only when twiggy can read it.
    if command -v twiggy >/dev/null; then
      "$wasm_opt" "${opt_passes[@]}" "${features[@]}" -g "$wasm" -o "$out/named.wasm" \
        || cp "$wasm" "$out/named.wasm"
    fi
    mv "$out/opt.wasm" "$wasm"
    log "$name: optimized with $("$wasm_opt" --version)"
  else
    rm -f "$out/opt.wasm"
    log "WARNING: $("$wasm_opt" --version) refused or broke the $name wasm; shipping it unoptimized"
  fi
}

# serve NAME FULL OUT SCRIPT: the classic script a page loads: the loader's banner, then
# wasm-bindgen's generated JS (it defines `wasm_bindgen`), FULL and WASM_FILE, and the loader, in
# one wrapper function; minified.
serve() {
  local name=$1 full=$2 out=$work/$3 script=$4
  {
    head -n 1 pkg-template/loader.js
    printf '(function () {\n"use strict";\n'
    cat "$out/$name.js"
    printf '\nvar FULL = %s;\nvar WASM_FILE = "%s_bg.wasm";\n' "$full" "$name"
    tail -n +2 pkg-template/loader.js
    printf '\n})();\n'
  } > "$work/$script.full.js"
  if [ -x "$tools/terser" ]; then
    "$tools/terser" "$work/$script.full.js" --compress passes=2 --mangle --comments '/^!/' \
      -o "$work/dist/$script"
  else
    log "WARNING: no terser (npm install --prefix tools/npm failed?); $script is not minified"
    cp "$work/$script.full.js" "$work/dist/$script"
  fi
  cp "$out/${name}_bg.wasm" "$work/dist/"
  if command -v twiggy >/dev/null; then
    {
      printf '%s: twiggy top -n 25 of %s optimized as shipped but with its name section\n' "$script" "${name}_bg.wasm"
      printf '(the "function names" rows are that section: the shipped file, %s bytes, has none)\n\n' \
        "$(stat -c %s "$out/${name}_bg.wasm")"
      twiggy top -n 25 "$out/named.wasm"
    } > "$work/dist/twiggy-$3.txt" || rm -f "$work/dist/twiggy-$3.txt"
  fi
}

mkdir -p "$work/dist"
build glance_presence full
build glance_presence_visitor visitor --no-default-features
serve glance_presence true full glance-presence.js
serve glance_presence_visitor false visitor glance-presence-visitor.js

# Precompressed siblings (brotli 11, zopfli's gzip) that the server sends as they are.
scripts/precompress.sh "$work/dist"

# The npm package: wasm-pack's output of the full build (its package.json, the wasm-bindgen .d.ts
# and JS, the optimized wasm), the npm README in place of the crate's, the page-facing types
# (pkg-template/glance-presence.d.ts: the GLANCE.* globals the served script installs), and the
# two served scripts with the visitor wasm, added to the package's `files`.
pkg=$work/full
rm -f "$pkg/named.wasm" "$pkg/.gitignore"
cp pkg-template/README.md "$pkg/README.md"
types=()
if [ -f pkg-template/glance-presence.d.ts ]; then
  cp pkg-template/glance-presence.d.ts "$pkg/"
  types=(glance-presence.d.ts)
fi
cp "$work/dist/glance-presence.js" "$work/dist/glance-presence-visitor.js" \
  "$work/dist/glance_presence_visitor_bg.wasm" "$pkg/"
node - "$pkg/package.json" glance-presence.js glance-presence-visitor.js glance_presence_visitor_bg.wasm "${types[@]}" <<'JS'
const fs = require("fs");
const [file, ...add] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.files = [...new Set([...(pkg.files || []), ...add])];
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
JS

# Sizes of what a page downloads: the gzip files the server sends (zopfli's, see
# scripts/precompress.sh), and the brotli ones most browsers get.
size() { stat -c %s "$work/dist/$1"; }
over=0
entries=()
report() {
  local key=$1 script=$2 wasm=$3
  local js_raw wasm_raw js_gz wasm_gz js_br wasm_br total total_gz total_br level
  js_raw=$(size "$script"); wasm_raw=$(size "$wasm")
  js_gz=$(size "$script.gz"); wasm_gz=$(size "$wasm.gz")
  js_br=$(size "$script.br"); wasm_br=$(size "$wasm.br")
  total=$((js_raw + wasm_raw)); total_gz=$((js_gz + wasm_gz)); total_br=$((js_br + wasm_br))
  entries+=("\"$key\": {\"script\": \"$script\", \"wasm_file\": \"$wasm\", \"js\": $js_raw, \"wasm\": $wasm_raw, \"total\": $total, \"js_gzip\": $js_gz, \"wasm_gzip\": $wasm_gz, \"total_gzip\": $total_gz, \"js_brotli\": $js_br, \"wasm_brotli\": $wasm_br, \"total_brotli\": $total_br}")
  local note=""
  [ "$key" = full ] && note=" (budget $budget)"
  printf '%s: js %s + wasm %s = %s bytes; gzipped as served %s + %s = %s bytes%s; brotli %s\n' \
    "${script%.js}" "$js_raw" "$wasm_raw" "$total" "$js_gz" "$wasm_gz" "$total_gz" "$note" "$total_br"
  if [ "$key" = full ] && [ "$total_gz" -gt "$budget" ]; then
    log "WARNING: the full module is over its size budget (${budget} bytes gzipped) by $((total_gz - budget)) bytes"
  fi
  if [ "$total_gz" -gt "$cap" ]; then
    if [ "${SIZE_STRICT:-0}" = 1 ]; then level=ERROR; else level=WARNING; fi
    log "$level: ${script%.js} is over the hard cap (${cap} bytes gzipped) by $((total_gz - cap)) bytes"
    over=1
  fi
}
report full glance-presence.js glance_presence_bg.wasm
report visitor glance-presence-visitor.js glance_presence_visitor_bg.wasm
{
  printf '{"budget_gzip": %s, "cap_gzip": %s' "$budget" "$cap"
  for e in "${entries[@]}"; do printf ',\n %s' "$e"; done
  printf '}\n'
} > "$work/dist/size.json"

# Into place: each wasm (with its siblings) before the script that loads it, size.json last.
mkdir -p dist
install_file() {
  cp "$work/dist/$1" "dist/.$1.new"
  mv "dist/.$1.new" "dist/$1"
}
for f in glance_presence_bg.wasm glance_presence_visitor_bg.wasm glance-presence.js glance-presence-visitor.js; do
  for s in .br .gz ""; do install_file "$f$s"; done
done
for t in full visitor; do
  if [ -f "$work/dist/twiggy-$t.txt" ]; then install_file "twiggy-$t.txt"; else rm -f "dist/twiggy-$t.txt"; fi
done
install_file size.json
rm -rf pkg
mv "$pkg" pkg

if [ "$over" = 1 ] && [ "${SIZE_STRICT:-0}" = 1 ]; then
  log "failing: SIZE_STRICT=1 and a module is over the hard cap (dist/ and pkg/ are written all the same)"
  exit 1
fi
