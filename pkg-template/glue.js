// The boundary between the loader and the wasm module: what wasm-bindgen's generated glue does,
// for exactly this module's imports and exports (src/host.rs, src/exports.rs), and nothing else.
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

// A string copied into the module's memory: [pointer, length].
function pass(s) {
  var b = encoder.encode(s);
  var ptr = wasm.a(b.length, 1) >>> 0;
  bytes().set(b, ptr);
  return [ptr, b.length];
}

// The module's imports: the host's operations (H, in loader.js), strings decoded.
var imports = {
  a: {
    o: function (id, p, n) { return H.o(id >>> 0, text(p, n)); },
    s: function (id, p, n) { return H.s(id >>> 0, text(p, n)); },
    x: function (id) { H.x(id >>> 0); },
    t: function (id, ms) { H.t(id >>> 0, ms >>> 0); },
    m: function (id) { H.m(id >>> 0); },
    f: function (id, a, b, c, d, e, f, g, h) { H.f(id >>> 0, text(a, b), text(c, d), text(e, f), text(g, h)); },
    e: function (target, a, b, c, d, last) { H.e(target >>> 0, text(a, b), text(c, d), last !== 0); },
    h: function (target, strong) { H.h(target >>> 0, strong !== 0); },
    l: function (on) { H.l(on !== 0); },
    // An optional string returned through the slot at `ret`: [pointer, length], 0 for none.
    r: function (ret, what, p, n) {
      var value = H.r(what >>> 0, text(p, n));
      var out = value == null ? [0, 0] : pass(value);
      var view = new DataView(wasm.m.buffer);
      view.setInt32((ret >>> 0) + 4, out[1], true);
      view.setInt32(ret >>> 0, out[0], true);
    },
    w: function (a, b, c, d) { return H.w(text(a, b), text(c, d)); },
    c: function (a, b, c, d) { return H.c(text(a, b), text(c, d)); },
    d: function (a, b, c, d) { H.d(text(a, b), text(c, d)); },
    g: function (show, p, n) { H.g(show !== 0, text(p, n)); },
    k: function (p, n) { H.k(text(p, n)); },
    now: function () { return Date.now(); },
    random: function () { return Math.random(); },
    // wasm-bindgen's reference table (the module holds no JS values; its first slots are fixed).
    i: function () {
      var table = wasm.t;
      table.set(0, undefined);
      table.set(1024, undefined);
      table.set(1025, null);
      table.set(1026, true);
      table.set(1027, false);
    },
  },
};

// The module's exports, strings passed in.
var exportsOfModule = {
  start: function (src) {
    var s = pass(src);
    return wasm.s(s[0], s[1]) !== 0;
  },
  create: function (kind, id, params) {
    var s = pass(params);
    wasm.n(kind, id, s[0], s[1]);
  },
  // The result as JSON text, "" for none.
  call: function (id, method, args, opts) {
    var s = pass(args);
    var r = wasm.c(id, method, s[0], s[1], opts);
    var value = text(r[0], r[1]);
    wasm.f(r[0], r[1], 1);
    return value;
  },
  ev: function (kind, id, number, s) {
    var t = pass(s);
    wasm.e(kind, id, number, t[0], t[1]);
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
      return WebAssembly.instantiate(buffer, imports);
    })
    .then(function (result) {
      wasm = result.instance.exports;
      wasm.i();
      return exportsOfModule;
    });
}
