/*! glance-presence: self-hosted GLANCE.Authorization, GLANCE.Presence.Agent, GLANCE.Presence.Visitor */
// The synchronous facade. scripts/build-module.sh wraps this file and the wasm-bindgen glue into
// one function and writes the result to glance-presence.js:
//
//     (function () { <glue: defines wasm_bindgen> <this file> })();
//
// Everything here must work before the wasm has loaded: pages create the script tag dynamically
// and use the globals in its onload handler. Calls made before the module is ready are queued and
// replayed in order; handler properties live on the page's own objects, which the module reads at
// dispatch time. All logic is in Rust: this file only queues, forwards and never throws.
"use strict";
var script = document.currentScript;
var src = (script && script.src) || window.GLANCE_PRESENCE_SRC || "";
var G = (window.GLANCE = window.GLANCE || {});
var P = (G.Presence = G.Presence || {});
var mod = null;
var failed = false;
var queue = [];

function report(error) {
  if (window.console) console.error("glance-presence:", error);
}

// Runs `work` now if the module is ready, else queues it. `fail` runs instead if loading fails.
function whenReady(work, fail) {
  // While queued calls are replayed, later ones wait their turn (a handler called during the
  // replay may use an object whose constructor is still queued).
  if (mod && !queue.length) {
    try {
      return work();
    } catch (e) {
      report(e);
    }
  } else if (failed) {
    if (fail) fail();
  } else {
    queue.push([work, fail]);
  }
}

// Calls `obj[name](arg)` if it is a function; a page handler that throws is only logged.
function notify(obj, name, arg) {
  if (obj && typeof obj[name] === "function") {
    try {
      obj[name](arg);
    } catch (e) {
      report(e);
    }
  }
}

// What a call does when the module could not load: the first argument's onfail("connection")
// where there is one, else the object's onerror({error: "connfail", detail: "error"}) (once).
function failArgs(args, self) {
  return function () {
    var opts = args[0];
    if (opts && typeof opts.onfail === "function") {
      notify(opts, "onfail", "connection");
    } else if (self && !self._e) {
      Object.defineProperty(self, "_e", { value: true });
      notify(self, "onerror", { error: "connfail", detail: "error" });
    }
  };
}

// gettoken() and authorized() answer synchronously, also before the module is ready (agent pages
// check them in the script's onload). Until then this reads what the module reads first, in its
// order (src/api/context.rs, src/web/token_store.rs): the configured authtoken (data-authtoken of
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

// A constructor whose instances forward `methods` to the Rust core class `core`.
function facade(core, methods, defaults) {
  function Ctor(params) {
    if (!(this instanceof Ctor)) return new Ctor(params);
    var self = this;
    Object.defineProperty(self, "_p", { value: params || {}, writable: true });
    Object.defineProperty(self, "_c", { value: null, writable: true });
    whenReady(function () {
      self._c = new mod[core](self, self._p);
    });
  }
  methods.forEach(function (name) {
    Ctor.prototype[name] = function () {
      var self = this;
      var args = Array.prototype.slice.call(arguments);
      if (self._c) {
        try {
          return self._c[name].apply(self._c, args);
        } catch (e) {
          report(e);
          return defaults[name];
        }
      }
      whenReady(function () {
        if (self._c) self._c[name].apply(self._c, args);
      }, failArgs(args, self));
      return defaults[name];
    };
  });
  return Ctor;
}

// A function forwarding to the static method `name` of the Rust class `core`.
function forward(core, name, fallback) {
  return function () {
    var args = Array.prototype.slice.call(arguments);
    if (mod) {
      try {
        return mod[core][name].apply(null, args);
      } catch (e) {
        report(e);
        return fallback;
      }
    }
    whenReady(function () {
      mod[core][name].apply(null, args);
    }, failArgs(args));
    return fallback;
  };
}

if (!P.__glancePresence) {
  Object.defineProperty(P, "__glancePresence", { value: true });

  var setToken = forward("Authorization", "setToken");
  var clearToken = forward("Authorization", "clearToken");
  var gettoken = forward("Authorization", "gettoken");
  var authorized = forward("Authorization", "authorized", false);
  G.Authorization = {
    authorize: forward("Authorization", "authorize"),
    setToken: function (token) {
      if (!mod) earlyToken = token || null;
      setToken(token);
    },
    gettoken: function () {
      return mod ? gettoken() : tokenBeforeReady();
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
      return mod ? authorized() : !!tokenBeforeReady();
    },
  };

  P.Agent = facade(
    "AgentCore",
    ["connect", "disconnect", "isconnected", "setVisitorId", "signalVisitor", "invokeVisitor", "lookupVisitor", "query"],
    { isconnected: false }
  );

  var Visitor = facade(
    "VisitorCore",
    ["presence", "connect", "disconnect", "isconnected", "setVisitorId", "fire", "signalAgent", "signalVisibility",
      "setDefaultUI", "connectUnique", "extendUnique"],
    { isconnected: false }
  );
  // `new GLANCE.Presence.Visitor()` makes itself the instance the static methods act on.
  P.Visitor = function (params) {
    if (!(this instanceof P.Visitor)) return new P.Visitor(params);
    Visitor.call(this, params);
    P.Visitor.instance = this;
  };
  P.Visitor.prototype = Visitor.prototype;
  P.Visitor.prototype.constructor = P.Visitor;
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

  var wasmUrl = (src ? src.replace(/[^/?#]*([?#].*)?$/, "") : "") + "glance_presence_bg.wasm";
  // A module that cannot load or start ends every waiting call (onfail / onerror).
  function fail(error) {
    mod = null;
    failed = true;
    report(error);
    var pending = queue;
    queue = [];
    pending.forEach(function (entry) {
      if (entry[1]) entry[1]();
    });
  }
  wasm_bindgen({ module_or_path: wasmUrl }).then(function () {
    try {
      wasm_bindgen.install(src || undefined);
    } catch (e) {
      return fail(e);
    }
    mod = wasm_bindgen;
    // In order; calls made meanwhile are appended (see whenReady) and run in turn.
    while (queue.length) {
      var entry = queue.shift();
      try {
        entry[0]();
      } catch (e) {
        report(e);
      }
    }
    mod.autostart(G);
  }, fail);
}
