/*! glance-presence: self-hosted GLANCE.Presence, GLANCE.Authorization and GLANCE.Cobrowse (Rust, WebAssembly) */
// The synchronous loader. scripts/build-module.sh writes the line above, then one function holding
// wasm-bindgen's generated JS (--target no-modules, which defines `wasm_bindgen`), the build's
// `var FULL` (false in the visitor-only build: no Agent, no Authorization) and `var WASM_FILE`
// (the module's file, beside the script), and the rest of this file; "use strict" is the wrapper's.
//
// Pages create the script tag dynamically and use the globals in its onload handler, while the
// wasm instantiates asynchronously. So the globals are defined here at once; calls made before
// the module is ready are queued and replayed in order, then every call goes straight to the
// exported classes. Handler properties (onpresence, ...) stay on the page's own objects, which
// the module reads at dispatch time. All logic is in Rust: this file only queues and forwards,
// and never throws into the page.
var script = document.currentScript;
var src = (script && script.src) || window.GLANCE_PRESENCE_SRC || "";
var G = (window.GLANCE = window.GLANCE || {});
var P = (G.Presence = G.Presence || {});
// The module's exports (`wasm_bindgen`) once it has started; null before, and for good if it
// could not load.
var mod = null;
var failed = false;
var queue = [];

function report(error) {
  console.error("glance-presence:", error);
}

// Runs `call` now, returning its result; an exception is only logged.
function now(call) {
  try {
    return call();
  } catch (e) {
    report(e);
  }
}

// A copy of a queued call's arguments as they are now, so that changes the page makes to them
// before the module is ready do not count (the module converts the arguments of a direct call at
// once, to the same effect). An object argument is copied through JSON, with its own
// function-valued properties (onsuccess, onfail, ...) kept as they are: handlers are read when
// they are called. What JSON cannot carry (a cycle, a BigInt) is kept as it is, and the module
// reports that it cannot carry it.
function freeze(args) {
  return args.map(function (arg) {
    if (!arg || typeof arg !== "object") return arg;
    try {
      var copy = JSON.parse(JSON.stringify(arg));
      if (copy && typeof copy === "object") {
        Object.keys(arg).forEach(function (key) {
          if (typeof arg[key] === "function") copy[key] = arg[key];
        });
      }
      return copy;
    } catch (e) {
      return arg;
    }
  });
}

// Runs `work(args)` now if the module is ready (returning its result), else queues it with a
// snapshot of `args`. If the module cannot load, `fail(args)` runs instead.
function whenReady(args, work, fail) {
  // While queued calls are replayed, later ones wait their turn (a handler called during the
  // replay may use an object whose constructor is still queued).
  if (mod && !queue.length) {
    return now(function () {
      return work(args);
    });
  }
  if (failed) {
    if (fail) fail(args);
  } else {
    queue.push([work, fail, freeze(args)]);
  }
}

// What a call does when the module could not load: the first argument's onfail("connection")
// where there is one, else the object's onerror({error: "connfail", detail: "error"}) (once).
function failArgs(self) {
  return function (args) {
    now(function () {
      var opts = args[0];
      if (opts && typeof opts.onfail === "function") {
        opts.onfail("connection");
      } else if (self && typeof self === "object" && !self._e) {
        Object.defineProperty(self, "_e", { value: true });
        if (typeof self.onerror === "function") self.onerror({ error: "connfail", detail: "error" });
      }
    });
  };
}

// A constructor whose instances each own one object of the exported class `name`, created at
// once when the module is ready (else queued), and forward `methods` to it. The wasm object
// gets the page's object (`this`) to read its handlers from; the page's object holds the wasm
// object in `_w` (not enumerable), so that dropping the one lets both be collected (wasm-bindgen
// then frees the Rust side).
function facade(name, methods) {
  function Ctor(params) {
    if (!(this instanceof Ctor)) return new Ctor(params);
    var self = this;
    whenReady([params], function (args) {
      Object.defineProperty(self, "_w", { value: new mod[name](args[0], self) });
    });
    // `new GLANCE.Presence.Visitor()` makes itself the instance the static methods act on.
    if (name === "Visitor") Ctor.instance = self;
  }
  methods.forEach(function (method) {
    Ctor.prototype[method] = function () {
      var self = this;
      return whenReady(Array.prototype.slice.call(arguments), function (args) {
        return self._w[method].apply(self._w, args);
      }, failArgs(self));
    };
  });
  // isconnected() answers at once: false until the wasm object exists, then from it (also while
  // queued calls replay).
  Ctor.prototype.isconnected = function () {
    var w = this && this._w;
    return !!w && now(function () {
      return w.isconnected();
    }) === true;
  };
  return Ctor;
}

// A function forwarding to the static method `method` of the exported class `name`.
function forward(name, method) {
  return function () {
    return whenReady(Array.prototype.slice.call(arguments), function (args) {
      return mod[name][method].apply(mod[name], args);
    }, failArgs());
  };
}

// gettoken() and authorized() answer synchronously, also before the module is ready (agent pages
// check them in the script's onload). Until then this reads what the module reads first, in its
// order (src/config.rs, src/auth.rs): the configured authtoken (data-authtoken of
// #glance-cobrowse, then of #cobrowsescript, then GLANCE_COBROWSE's; later wins, keys trimmed and
// case-blind, an empty value clears), a token given with setToken, an unexpired stored token;
// after clearToken() neither the configured token nor storage count. Once the module is ready it
// answers itself.
var earlyToken = null;
var clearedToken = null;
var storageCleared = false;
function configuredToken() {
  var found;
  ["glance-cobrowse", "cobrowsescript"].forEach(function (id) {
    var el = document.getElementById(id);
    var v = el && el.getAttribute("data-authtoken");
    if (v !== null && v !== undefined) found = v;
  });
  var config = window.GLANCE_COBROWSE;
  if (config && typeof config === "object") {
    Object.keys(config).forEach(function (key) {
      var v = config[key];
      if (key.trim().toLowerCase() === "authtoken" && v !== null && v !== undefined) found = String(v);
    });
  }
  return found ? found.trim() : undefined;
}
function tokenBeforeReady() {
  var configured = configuredToken();
  if (configured && configured !== clearedToken) return configured;
  if (earlyToken) return earlyToken;
  if (storageCleared) return undefined;
  try {
    var stored = JSON.parse(localStorage.getItem("glanceauth"));
    if (stored && typeof stored.token === "string" && stored.expires > Date.now()) return stored.token;
  } catch (e) {
    // no storage, or not a stored token
  }
}

// The methods both page objects have (isconnected aside, see facade).
var sharedMethods = ["connect", "disconnect", "setVisitorId"];

if (!P.__glancePresence) {
  Object.defineProperty(P, "__glancePresence", { value: true });

  if (FULL) {
    var setToken = forward("Authorization", "setToken");
    var clearToken = forward("Authorization", "clearToken");
    G.Authorization = {
      authorize: forward("Authorization", "authorize"),
      setToken: function (token) {
        if (!mod) earlyToken = token || null;
        setToken(token);
      },
      gettoken: function () {
        return mod ? now(function () { return mod.Authorization.gettoken(); }) : tokenBeforeReady();
      },
      clearToken: function () {
        if (!mod) {
          clearedToken = configuredToken() || clearedToken;
          earlyToken = null;
          storageCleared = true;
        }
        clearToken();
      },
      authorized: function () {
        return mod ? now(function () { return mod.Authorization.authorized(); }) === true : !!tokenBeforeReady();
      },
    };

    P.Agent = facade("Agent", sharedMethods.concat(["signalVisitor", "invokeVisitor", "lookupVisitor", "query"]));
  }

  P.Visitor = facade("Visitor", sharedMethods.concat(["presence", "fire", "signalAgent", "signalVisibility",
    "setDefaultUI", "connectUnique", "extendUnique"]));
  P.Visitor.setVisitorId = function (id) {
    if (P.Visitor.instance) P.Visitor.instance.setVisitorId(id);
  };

  // The default terms flow, only where the page has no cobrowse script of its own.
  var C = (G.Cobrowse = G.Cobrowse || {});
  var CV = (C.Visitor = C.Visitor || {});
  var CU = (C.VisitorUI = C.VisitorUI || {});
  if (!CV.showTerms) CV.showTerms = forward("Cobrowse", "showTerms");
  if (!CU.showTerms) CU.showTerms = forward("Cobrowse", "showTerms");
  if (!CV.startSession) CV.startSession = forward("Cobrowse", "startSession");
  if (!CV.stopSession) CV.stopSession = forward("Cobrowse", "stopSession");

  // A module that cannot load or start ends every waiting call (onfail / onerror), and later
  // calls likewise (see whenReady).
  var fail = function (error) {
    failed = true;
    report(error);
    var pending = queue;
    queue = [];
    pending.forEach(function (entry) {
      if (entry[1]) entry[1](entry[2]);
    });
  };
  var wasmUrl = (src ? src.replace(/[^/?#]*([?#].*)?$/, "") : "") + WASM_FILE;
  // In a promise, so that a synchronous throw (no WebAssembly at all) takes the same path.
  new Promise(function (resolve) {
    resolve(wasm_bindgen({ module_or_path: wasmUrl }));
  }).then(function () {
    try {
      wasm_bindgen.boot(src);
    } catch (e) {
      return fail(e);
    }
    mod = wasm_bindgen;
    // In order; calls made meanwhile are appended (see whenReady) and run in turn.
    while (queue.length) {
      var entry = queue.shift();
      now(entry[0].bind(null, entry[2]));
    }
    // data-presence="on" (read once the DOM is loaded, so that configuration later in the
    // document counts): a visitor sends its presence.
    var go = function () {
      if (now(function () { return mod.boot(src); }) === true) now(function () { new P.Visitor().presence(); });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go, { once: true });
    else go();
  }, fail);
}
