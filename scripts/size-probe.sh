#!/usr/bin/env bash
# Developer aid: where the bytes of one build of the browser module are. Builds it as
# scripts/build-module.sh does (wasm-pack --target no-modules, opt-level "z", fat LTO, one codegen
# unit, panic = "abort", then wasm-opt) into $CARGO_TARGET_DIR/size-probe/BUILD/, keeps the
# optimized wasm *with* its name section there (named.wasm), and prints its gzipped size, the
# bytes by crate (twiggy, shallow sizes, the name section left out) and the biggest items.
#
#   scripts/size-probe.sh                 # the full module (default features)
#   scripts/size-probe.sh visitor         # the visitor-only module (--no-default-features)
#   scripts/size-probe.sh full 60         # 60 biggest items
#
# It writes nothing to dist/ or pkg/ (scripts/build-module.sh does). The wasm-opt passes below are
# a copy of build-module.sh's `opt_passes`: keep them in step. Needs wasm-pack, wasm-bindgen-cli,
# tools/npm's wasm-opt (or one on PATH), node, and twiggy (`cargo install twiggy`) for the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
build=${1:-full}
top=${2:-25}
case "$build" in
  full) cargo_args=() ;;
  visitor) cargo_args=(--no-default-features) ;;
  *) echo "size-probe: unknown build '$build' (full | visitor)" >&2; exit 2 ;;
esac
# Its own target folder: a probe never waits for, or disturbs, the server's or the module's build.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/size-probe-build}
out=$CARGO_TARGET_DIR/size-probe/$build
wasm_opt=tools/npm/node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || wasm_opt=wasm-opt
features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals)
opt_passes=(-Oz --converge --one-caller-inline-max-function-size=30 --flatten --rereloop -Oz --converge -Oz
  --reorder-functions-by-name --low-memory-unused --zero-filled-memory)

CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
wasm-pack build --mode no-install --no-opt --release --target no-modules --no-typescript \
  --out-dir "$out" --out-name glance_presence "$PWD" -- "${cargo_args[@]}" >/dev/null 2>&1
raw=$out/glance_presence_bg.wasm
"$wasm_opt" "${opt_passes[@]}" "${features[@]}" --strip-debug --strip-producers --strip-target-features "$raw" -o "$out/opt.wasm"
"$wasm_opt" "${opt_passes[@]}" "${features[@]}" -g "$raw" -o "$out/named.wasm"
echo "$build: wasm $(stat -c %s "$out/opt.wasm") bytes, $(gzip -9c "$out/opt.wasm" | wc -c) gzipped (gzip -9; dist/ has zopfli's);" \
  "wasm-bindgen's JS (unminified, no loader) $(stat -c %s "$out/glance_presence.js") bytes, $(gzip -9c "$out/glance_presence.js" | wc -c) gzipped"
echo "named copy for twiggy: $out/named.wasm"
if ! command -v twiggy >/dev/null; then
  echo "size-probe: no twiggy on PATH (cargo install twiggy): no breakdown" >&2
  exit 0
fi

echo
echo "raw bytes by crate (twiggy top, shallow; the name section left out):"
twiggy top -f json "$out/named.wasm" | node -e '
let text = "";
process.stdin.on("data", (d) => (text += d)).on("end", () => {
  const crate = (name) => {
    if (name.startsWith("data segment") || name.startsWith("data[")) return "data segments";
    if (/^import |__wbg_|__wbindgen_/.test(name)) return "wasm-bindgen imports, exports and glue";
    if (/^(code|type|table|memory|global|elem|func)\[/.test(name)) return "unnamed code, tables, types";
    // An exported function (authorization_gettoken, boot, ...): wasm-bindgen'"'"'s shim for it.
    if (!name.includes("::") && !name.includes(" ")) return "wasm-bindgen imports, exports and glue";
    // f64 formatting (Display / Debug of floats): core, but worth its own line.
    if (/flt2dec|fmt::float|<f(32|64) as core[^>]*fmt::/.test(name)) return "core: f64 formatting";
    // <T as Trait>::f: the type'"'"'s crate, or the trait'"'"'s for a type of the language (f64, str,
    // ...) or a generic parameter
    const m = /^<&?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?(?:::| as ([A-Za-z_][A-Za-z0-9_]*))/.exec(name);
    if (m) return /^(?:[iuf](?:8|16|32|64|128|size)|bool|char|str|[A-Z])$/.test(m[1]) && m[2] ? m[2] : m[1];
    const p = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
    return p ? p[1] : "other (" + name.slice(0, 40) + ")";
  };
  const by = new Map();
  let total = 0;
  for (const item of JSON.parse(text)) {
    // The name section and the custom sections the shipped file has stripped.
    if (/^"[a-z ]+" subsection$|^custom section/.test(item.name)) continue;
    const key = crate(item.name);
    by.set(key, (by.get(key) || 0) + item.shallow_size);
    total += item.shallow_size;
  }
  const rows = [...by].sort((a, b) => b[1] - a[1]);
  const other = rows.filter(([k]) => k.startsWith("other (")).reduce((s, [, v]) => s + v, 0);
  for (const [k, v] of rows) if (!k.startsWith("other (")) console.log(String(v).padStart(9) + "  " + k);
  if (other) console.log(String(other).padStart(9) + "  other");
  console.log(String(total).padStart(9) + "  total");
});'

echo
echo "the $top biggest items:"
twiggy top -n "$top" "$out/named.wasm"
