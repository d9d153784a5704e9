#!/usr/bin/env bash
# Writes brotli (quality 11) and gzip siblings of the module files in dist/, which the server
# sends as they are to browsers that accept them (no compression work per request). The gzip is
# zopfli's (Debian `zopfli`, installed by scripts/install.sh): a standard gzip stream, ~5% smaller
# than zlib's level 9, decoded by every gzip client; without zopfli, zlib level 9.
#   scripts/precompress.sh [DIR]   (default: dist)
set -euo pipefail
dir=${1:-dist}
node - "$dir" <<'JS'
const fs = require("fs"), path = require("path"), zlib = require("zlib");
const dir = process.argv[2];
for (const name of fs.readdirSync(dir)) {
  if (!/\.(js|wasm)$/.test(name)) continue;
  const file = path.join(dir, name);
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  fs.writeFileSync(file + ".br", br);
  let gz = null;
  try {
    gz = require("child_process").execFileSync("zopfli", ["-c", file], { maxBuffer: 1 << 26 });
  } catch (e) {
    // no zopfli: zlib below
  }
  if (!gz || zlib.gunzipSync(gz).compare(data) !== 0) gz = zlib.gzipSync(data, { level: 9 });
  fs.writeFileSync(file + ".gz", gz);
  console.error(`precompress: ${name} ${data.length} → br ${br.length}`);
}
JS
