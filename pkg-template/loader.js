/*! glance-presence: self-hosted GLANCE.Authorization, GLANCE.Presence.Agent, GLANCE.Presence.Visitor */
// The synchronous facade. scripts/build-module.sh wraps glue.js, dialog.js, host.js and this
// file into one function and writes the result to glance-presence.js:
//
//     (function () { <glue.js: loadModule> <dialog.js> <host.js: H> <this file> })();
//
// The facade must work before the wasm has loaded: pages create the script tag dynamically and
// use the globals in its onload handler. Calls made before the module is ready are queued and
// replayed in order; handler properties live on the page's own objects, which are read at
// dispatch time.
//
// The host `H` (host.js) is what the module sees of the browser; the resources and page objects it
// keeps under ids (R, T) are declared here. All logic is in Rust: this file only queues, forwards,
// converts and never throws.
"use strict";
var script = document.currentScript;
var src = (script && script.src) || window.GLANCE_PRESENCE_SRC || "";
var G = (window.GLANCE = window.GLANCE || {});
var P = (G.Presence = G.Presence || {});
var mod = null;
var failed = false;
var queue = [];
// Page objects and call options by id: strong, or a WeakRef while the module says an object is
// idle (so a page that drops a disconnected object lets it be collected).
var T = {};
// The host's resources by the module's ids: sockets, timers, request controllers.
var R = {};
var nextId = 1;
var WR = window.WeakRef;
var collected =
  window.FinalizationRegistry &&
  new FinalizationRegistry(function (id) {
    delete T[id];
    if (mod) mod.ev(8, id, 0, "");
  });

function report(error) {
  console.error("glance-presence:", error);
}

// Runs `work` now if the module is ready (returning its result), else queues it. `fail` runs
// instead if loading fails.
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

// Runs `call` now (the module is ready), returning its result; an exception is only logged.
function now(call) {
  try {
    return call();
  } catch (e) {
    report(e);
  }
}

// Calls `obj[name](args…)` if it is a function; a page handler that throws is only logged.
function notify(obj, name, args) {
  if (obj && typeof obj[name] === "function") {
    try {
      obj[name].apply(obj, args);
    } catch (e) {
      report(e);
    }
  }
}

// JSON text of a page value (an array or an object); "" when JSON cannot carry it (a cycle, a
// BigInt).
function json(value) {
  try {
    return JSON.stringify(value);
  } catch (e) {
    return "";
  }
}

function deref(id) {
  var o = T[id];
  return WR && o instanceof WR ? o.deref() : o;
}

// Every method, numbered as the module numbers them (src/exports.rs, `method`): the agent's are
// 0–7, the visitor's 0–3 and 8–14, the statics' 15–22.
var METHODS = ["connect", "disconnect", "isconnected", "setVisitorId", "signalVisitor", "invokeVisitor",
  "lookupVisitor", "query", "presence", "fire", "signalAgent", "signalVisibility", "setDefaultUI", "connectUnique",
  "extendUnique", "authorize", "setToken", "gettoken", "clearToken", "authorized", "showTerms", "startSession",
  "stopSession"];
// Methods whose first argument carries onsuccess/onfail (signalVisitor, invokeVisitor,
// lookupVisitor, query, authorize): the host keeps it for the module.
var withCallbacks = [4, 5, 6, 7, 15];

// Method number `m` of object `id` (0: the statics) with the page's arguments, as a function
// that calls it. The arguments become JSON now, so changes the page makes to them later do not
// count; handlers in them are read when they are called.
function invoke(id, m, args) {
  while (args.length && args[args.length - 1] === undefined) args.pop();
  var text = json(args);
  return function () {
    var opts = 0;
    if (withCallbacks.indexOf(m) >= 0 && args[0] && typeof args[0] === "object") {
      opts = nextId++;
      T[opts] = args[0];
    }
    var result = mod.call(id, m, text, opts);
    return result ? JSON.parse(result) : undefined;
  };
}

// What a call does when the module could not load: the first argument's onfail("connection")
// where there is one, else the object's onerror({error: "connfail", detail: "error"}) (once).
function failArgs(args, self) {
  return function () {
    var opts = args[0];
    if (opts && typeof opts.onfail === "function") {
      notify(opts, "onfail", ["connection"]);
    } else if (self && !self._e) {
      Object.defineProperty(self, "_e", { value: true });
      notify(self, "onerror", [{ error: "connfail", detail: "error" }]);
    }
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

// A constructor (`kind` 0: agent, 1: visitor) whose instances forward the methods numbered
// `methods` to the module.
function facade(kind, methods) {
  function Ctor(params) {
    if (!(this instanceof Ctor)) return new Ctor(params);
    var self = this;
    var id = nextId++;
    var text = json(params || {});
    Object.defineProperty(self, "_i", { value: id });
    T[id] = WR ? new WR(self) : self;
    if (collected) collected.register(self, id);
    whenReady(function () {
      mod.create(kind, id, text);
    });
  }
  methods.forEach(function (m) {
    Ctor.prototype[METHODS[m]] = function () {
      var args = Array.prototype.slice.call(arguments);
      var call = invoke(this._i, m, args);
      // isconnected() answers at once once the module is ready, also while queued calls replay.
      if (m === 2) return !!mod && now(call) === true;
      return whenReady(call, failArgs(args, this));
    };
  });
  return Ctor;
}

// A function forwarding to the static method numbered `m` (GLANCE.Authorization,
// GLANCE.Cobrowse).
function forward(m) {
  return function () {
    var args = Array.prototype.slice.call(arguments);
    return whenReady(invoke(0, m, args), failArgs(args));
  };
}

if (!P.__glancePresence) {
  Object.defineProperty(P, "__glancePresence", { value: true });

  var setToken = forward(16);
  var clearToken = forward(18);
  // gettoken() and authorized() answer at once: from the module once it is ready (also while
  // queued calls replay), before that by its rules (tokenBeforeReady).
  G.Authorization = {
    authorize: forward(15),
    setToken: function (token) {
      if (!mod) earlyToken = token || null;
      setToken(token);
    },
    gettoken: function () {
      return mod ? now(invoke(0, 17, [])) : tokenBeforeReady();
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
      return mod ? now(invoke(0, 19, [])) : !!tokenBeforeReady();
    },
  };

  P.Agent = facade(0, [0, 1, 2, 3, 4, 5, 6, 7]);

  var Visitor = facade(1, [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14]);
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
  if (!CV.showTerms) CV.showTerms = forward(20);
  if (!CU.showTerms) CU.showTerms = forward(20);
  if (!CV.startSession) CV.startSession = forward(21);
  if (!CV.stopSession) CV.stopSession = forward(22);

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
  loadModule(wasmUrl).then(function (module) {
    try {
      module.start(src);
    } catch (e) {
      return fail(e);
    }
    mod = module;
    // In order; calls made meanwhile are appended (see whenReady) and run in turn.
    while (queue.length) {
      var entry = queue.shift();
      try {
        entry[0]();
      } catch (e) {
        report(e);
      }
    }
    // data-presence="on" (read once the DOM is loaded, so that configuration later in the
    // document counts): a visitor sends its presence.
    var go = function () {
      if (now(function () { return module.start(src); })) now(function () { new P.Visitor().presence(); });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go, { once: true });
    else go();
  }, fail);
}
