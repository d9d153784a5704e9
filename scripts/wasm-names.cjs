// Gives the wasm module's imports and exports the short names pkg-template/glue.js uses, and
// checks that every one of them has the shape glue.js expects: scripts/build-module.sh runs it on
// pkg/ before wasm-opt.
//
//   node scripts/wasm-names.cjs module.wasm
//
// wasm-bindgen names each import `__wbg_<js_name>_<16 hex digits>` (js_name from src/host.rs) in
// the module "./<name>_bg.js", and each export after its Rust item. The hashes do not compress
// and a page downloads every name, so imports become `<js_name>` in module "a" and exports a
// letter. A host function added, removed or changed in src/host.rs or src/exports.rs without the
// same change in glue.js (and in the tables below) stops the build here, rather than failing in a
// page.
"use strict";
const fs = require("fs");
const [wasmPath] = process.argv.slice(2);
const bytes = fs.readFileSync(wasmPath);

// Imports: glue.js name -> [parameters, results] (wasm value counts; strings are two i32s).
const IMPORTS = {
  o: [3, 1], s: [3, 1], x: [1, 0], t: [2, 0], m: [1, 0], f: [9, 0], e: [6, 0], h: [2, 0], l: [1, 0],
  r: [4, 0], w: [4, 1], c: [4, 1], d: [4, 0], g: [3, 0], v: [2, 0], k: [2, 0], now: [0, 1], random: [0, 1], i: [0, 0],
};
// Exports: wasm-bindgen's name -> [glue.js name, parameters, results] (null: not a function).
// Exports glue.js does not use are dropped (and wasm-opt, which runs after, removes what only
// they kept).
const EXPORTS = {
  memory: ["m", null], call: ["c", 5, 0], create: ["n", 4, 0], ev: ["e", 5, 0], start: ["s", 2, 1],
  __wbindgen_malloc: ["a", 2, 1],
  __wbindgen_externrefs: ["t", null], __wbindgen_start: ["i", 0, 0],
};
const DROPPED = ["__wbindgen_free", "__wbindgen_realloc", "__abort_handler", "__instance_terminated"];

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
const limits = () => {
  const flags = bytes[pos++];
  u32();
  if (flags & 1) u32();
};
// Skips an import's descriptor (after its kind byte); returns its bytes and, for a function, its
// type index.
const descriptor = (kind) => {
  const start = pos;
  let type = null;
  if (kind === 0) type = u32();
  else if (kind === 1) { pos++; limits(); }
  else if (kind === 2) limits();
  else if (kind === 3) pos += 2;
  else if (kind === 4) { pos++; u32(); }
  else throw new Error("unknown import kind " + kind);
  return [bytes.subarray(start, pos), type];
};
const fail = (message) => {
  console.error("wasm-names: " + message + " (update pkg-template/glue.js and scripts/wasm-names.cjs)");
  process.exit(1);
};

if (bytes.readUInt32LE(0) !== 0x6d736100) fail(wasmPath + " is not a wasm module");
const types = []; // [parameters, results]
const functionTypes = []; // type index of every function, imported ones first
const sections = [bytes.subarray(0, 8)];
const exported = []; // [name, kind, index]
const seen = new Set();
pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 1) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      if (bytes[pos++] !== 0x60) fail("unknown type form");
      const params = u32();
      pos += params;
      const results = u32();
      pos += results;
      types.push([params, results]);
    }
    pos = end;
    sections.push(bytes.subarray(end - size - 1 - leb(size).length, end));
  } else if (id === 3) {
    const count = u32();
    for (let i = 0; i < count; i++) functionTypes.push(u32());
    pos = end;
    sections.push(bytes.subarray(end - size - 1 - leb(size).length, end));
  } else if (id === 2 || id === 7) {
    const count = u32();
    const parts = [];
    let kept = 0;
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        name(); // the module: all imports go to "a"
        const field = name();
        const kind = bytes[pos++];
        const [desc, type] = descriptor(kind);
        const short = field === "__wbindgen_init_externref_table" ? "i" : (field.match(/^__wbg_([a-z]+)_[0-9a-f]{16}$/) || [])[1];
        const expected = IMPORTS[short];
        if (kind !== 0 || !expected) fail("unexpected import " + field);
        const [params, results] = types[type];
        if (params !== expected[0] || results !== expected[1]) fail(`import ${field} takes ${params} values and returns ${results}`);
        functionTypes.push(type);
        seen.add(short);
        kept++;
        parts.push(encodeName("a"), encodeName(short), Buffer.from([kind]), desc);
      } else {
        const field = name();
        const kind = bytes[pos++];
        const index = u32();
        if (DROPPED.includes(field)) continue;
        const expected = EXPORTS[field];
        if (!expected) fail("unexpected export " + field);
        exported.push([field, kind, index]);
        kept++;
        parts.push(encodeName(expected[0]), Buffer.from([kind]), leb(index));
      }
    }
    if (pos !== end) fail("section " + id + " not read to its end");
    const body = Buffer.concat([leb(kept), ...parts]);
    sections.push(Buffer.from([id]), leb(body.length), body);
  } else {
    sections.push(bytes.subarray(pos - 1 - leb(size).length, end));
    pos = end;
  }
}
for (const short of Object.keys(IMPORTS)) if (!seen.has(short)) fail("missing import " + short);
for (const [field, kind, index] of exported) {
  const [, params, results] = EXPORTS[field];
  if (params === null) continue;
  if (kind !== 0) fail("export " + field + " is not a function");
  const [p, r] = types[functionTypes[index]];
  if (p !== params || r !== results) fail(`export ${field} takes ${p} values and returns ${r}`);
}
for (const field of Object.keys(EXPORTS)) {
  if (!exported.some((e) => e[0] === field)) fail("missing export " + field);
}
fs.writeFileSync(wasmPath, Buffer.concat(sections));
