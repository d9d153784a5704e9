// The boundary between the loader and the wasm module: what wasm-bindgen's generated glue does,
// for exactly this module's imports and exports (src/host.rs, src/exports.rs), and nothing else.
// The imports are the host's operations themselves (H, in host.js), which read their string
// arguments with `text`.
// scripts/build-module.sh puts it before loader.js in glance-presence.js, after
// scripts/wasm-names.cjs has given the module's imports and exports the short names used here and
// checked that each has the shape this file expects (the build fails otherwise).
//
// Strings cross as UTF-8 in the module's memory: (pointer, length) pairs, allocated with the
// module's own allocator when they go in and freed by whoever took them.
var wasm = null;
var decoder = new TextDecoder("utf-8", { ignoreBOM: true });
var encoder = new TextEncoder();

function bytes() {
  return new Uint8Array(wasm.m.buffer);
}

// A string the module handed out.
function text(ptr, len) {
  ptr >>>= 0;
  return decoder.decode(bytes().subarray(ptr, ptr + len));
}

// A string copied into the module's memory: its pointer, and its length in `passed` (read it
// right after the call, as the argument that follows the pointer).
var passed = 0;
// The result of the export `call` running.
var result = "";
function pass(s) {
  var b = encoder.encode(s);
  var ptr = wasm.a(b.length, 1) >>> 0;
  bytes().set(b, ptr);
  passed = b.length;
  return ptr;
}

// A string returned to the module through the slot at `ret`: [pointer, length], 0 for none.
function give(ret, value) {
  new Int32Array(wasm.m.buffer).set(value == null ? [0, 0] : [pass(value), passed], ret >>> 2);
}

// The module's exports, strings passed in.
var exportsOfModule = {
  start: function (src) {
    return wasm.s(pass(src), passed) !== 0;
  },
  create: function (kind, id, params) {
    wasm.n(kind, id, pass(params), passed);
  },
  // The result as JSON text (H.v), "" for none.
  call: function (id, method, args, opts) {
    result = "";
    wasm.c(id, method, pass(args), passed, opts);
    return result;
  },
  ev: function (kind, id, number, s) {
    wasm.e(kind, id, number, pass(s), passed);
  },
};

// Fetches and starts the module at `url`; resolves to its exports.
function loadModule(url) {
  return fetch(url)
    .then(function (response) {
      if (!response.ok) throw new Error("fetching " + url + ": " + response.status);
      return response.arrayBuffer();
    })
    .then(function (buffer) {
      // The host's operations (H, in host.js), and what only the boundary needs.
      H.v = function (p, n) {
        result = text(p, n);
      };
      H.now = Date.now;
      H.random = Math.random;
      // wasm-bindgen's reference table (the module holds no JS values; its first slots are fixed).
      H.i = function () {
        var table = wasm.t;
        table.set(0, undefined);
        table.set(1024, undefined);
        table.set(1025, null);
        table.set(1026, true);
        table.set(1027, false);
      };
      return WebAssembly.instantiate(buffer, { a: H });
    })
    .then(function (result) {
      wasm = result.instance.exports;
      wasm.i();
      return exportsOfModule;
    });
}
