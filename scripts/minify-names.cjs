// Shortens the names the wasm module and its wasm-bindgen glue share, in both files at once:
// scripts/build-module.sh runs it on pkg/ after wasm-opt.
//
//   node scripts/minify-names.cjs module.wasm glue.js
//
// wasm-bindgen names every import `__wbg_<method>_<16 hex digits>` under the module
// "./<name>_bg.js", and every export after its Rust item. A page downloads each of those names
// twice (the wasm's import or export section and the glue) and the hashes do not compress: the
// imports alone are ~7 KB of the module. Here every import becomes module "a" with a short field
// name, and every export a short name, with the glue's import object keys and its `wasm.<export>`
// uses renamed to match. Nothing else changes: the code, the import order and the types stay as
// they are.
"use strict";
const fs = require("fs");
const [wasmPath, gluePath] = process.argv.slice(2);
const bytes = fs.readFileSync(wasmPath);
let glue = fs.readFileSync(gluePath, "utf8");

// Short names: a, b, …, Z, aa, ab, … (identifiers, so the glue needs no quotes).
const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const shortName = (n) => {
  let s = "";
  do {
    s = letters[n % letters.length] + s;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return s;
};

// --- wasm reading and writing -----------------------------------------------------------------
let pos = 0;
const u32 = () => {
  let result = 0, shift = 0, byte;
  do {
    byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
};
const name = () => {
  const len = u32();
  const s = bytes.toString("utf8", pos, pos + len);
  pos += len;
  return s;
};
const leb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
};
const encodeName = (s) => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([leb(b.length), b]);
};
// Skips an import's descriptor (after its kind byte) and returns its bytes.
const limits = () => {
  const flags = bytes[pos++];
  u32();
  if (flags & 1) u32();
};
const descriptor = (kind) => {
  const start = pos;
  if (kind === 0) u32(); // function: type index
  else if (kind === 1) { pos++; limits(); } // table: reference type, limits
  else if (kind === 2) limits(); // memory
  else if (kind === 3) pos += 2; // global: value type, mutability
  else if (kind === 4) { pos++; u32(); } // tag: attribute, type index
  else throw new Error("unknown import kind " + kind);
  return bytes.subarray(start, pos);
};

if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(wasmPath + " is not a wasm module");
const sections = [bytes.subarray(0, 8)];
const importNames = new Map(); // old field name -> new
const exportNames = new Map();
let oldModule = null;
pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 2 || id === 7) {
    const count = u32();
    const parts = [leb(count)];
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        const module = name();
        const field = name();
        const kind = bytes[pos++];
        if (oldModule !== null && module !== oldModule) throw new Error("imports from two modules");
        oldModule = module;
        const short = shortName(importNames.size);
        importNames.set(field, short);
        parts.push(encodeName("a"), encodeName(short), Buffer.from([kind]), descriptor(kind));
      } else {
        const field = name();
        const kind = bytes[pos++];
        const index = u32();
        const short = shortName(exportNames.size);
        exportNames.set(field, short);
        parts.push(encodeName(short), Buffer.from([kind]), leb(index));
      }
    }
    if (pos !== end) throw new Error("section " + id + " not read to its end");
    const body = Buffer.concat(parts);
    sections.push(Buffer.from([id]), leb(body.length), body);
  } else {
    sections.push(bytes.subarray(pos - 1 - leb(size).length, end));
  }
  pos = end;
}

// --- the glue ---------------------------------------------------------------------------------
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
const replaceAll = (pattern, to, what) => {
  const before = glue;
  glue = glue.replace(pattern, to);
  if (glue === before) throw new Error("the glue has no " + what);
};
if (oldModule !== null) replaceAll(new RegExp('"' + escape(oldModule) + '"\\s*:', "g"), '"a":', "import module " + oldModule);
for (const [from, to] of importNames) {
  // Keys of the import object: `name: function(` (or `name,` / `name:` in other glue styles).
  replaceAll(new RegExp("(^|[^\\w$.])" + escape(from) + "(?=\\s*:)", "g"), "$1" + to + "", "import " + from);
}
for (const [from, to] of exportNames) {
  // Every use goes through the instance's exports object, `wasm`. An export the glue never uses
  // (e.g. the memory when no string crosses) simply has no use to rename.
  glue = glue.replace(new RegExp("\\bwasm\\." + escape(from) + "\\b", "g"), "wasm." + to);
}
// An import name left means the glue reaches the module in a way this script does not know.
for (const from of importNames.keys()) {
  if (new RegExp("(^|[^\\w$])" + escape(from) + "\\b").test(glue)) {
    throw new Error("the glue still names " + from);
  }
}
fs.writeFileSync(wasmPath, Buffer.concat(sections));
fs.writeFileSync(gluePath, glue);
