// The host `H`: what the module sees of the browser (src/host.rs). Sockets, timers, requests,
// storage, listeners and page objects are kept under ids (R and T in loader.js) and what happens
// to them is reported back through `mod.ev`. Only numbers and strings cross; page values cross as
// JSON text. scripts/build-module.sh puts this file before loader.js in glance-presence.js.

// The window events the module follows while a connection is active (see H.l).
var windowEvents = ["online", "focus", "pagehide", "pageshow", "visibilitychange"].map(function (name, i) {
  return [name, function () { mod.ev(6, 0, i, ""); }];
});

// The module's imports, called with its raw values: numbers, and strings as (pointer, length)
// pairs that `text` (glue.js) reads.
var H = {
  // WebSocket under `id`.
  o: function (id, p, n) {
    var ws;
    try {
      ws = new WebSocket(text(p, n));
    } catch (e) {
      return false;
    }
    ws.binaryType = "arraybuffer";
    ws.onopen = function () { mod.ev(1, id, 0, ""); };
    // Text frames, or binary ones holding JSON text (§5).
    ws.onmessage = function (e) {
      mod.ev(2, id, 0, typeof e.data === "string" ? e.data : decoder.decode(e.data));
    };
    ws.onclose = function (e) { mod.ev(3, id, e.code, ""); };
    R[id] = ws;
    return true;
  },
  s: function (id, p, n) {
    var ws = R[id];
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(text(p, n));
      return true;
    } catch (e) {
      return false;
    }
  },
  // Releases resource `id`: a request is aborted, a timer cleared, a socket detached and closed.
  x: function (id) {
    var r = R[id];
    delete R[id];
    if (!r) return;
    if (r.abort) {
      r.abort();
    } else if (r.t) {
      clearTimeout(r.t);
    } else {
      r.onopen = r.onmessage = r.onclose = null;
      if (r.readyState < 2) r.close(1000);
    }
  },
  t: function (id, ms) {
    R[id] = {
      t: setTimeout(function () {
        delete R[id];
        mod.ev(4, id, 0, "");
      }, ms),
    };
  },
  m: function (id) {
    Promise.resolve().then(function () { mod.ev(4, id, 0, ""); });
  },
  f: function (id, a, b, c, d, e, f, g, h) {
    var method = text(a, b);
    var url = text(c, d);
    var bearer = text(e, f);
    var body = text(g, h);
    var controller = new AbortController();
    var headers = {};
    if (body) headers["Content-Type"] = "application/json";
    if (bearer) headers.Authorization = "Bearer " + bearer;
    R[id] = controller;
    function done(status, reply) {
      if (R[id] !== controller) return;
      delete R[id];
      mod.ev(5, id, status, reply);
    }
    fetch(url, { method: method, headers: headers, body: body || undefined, signal: controller.signal })
      .then(function (response) {
        return response.text().then(function (reply) { done(response.status, reply); });
      })
      .then(null, function () { done(0, ""); });
  },
  // A page handler (of an object or of a call's options); `last`: the options are done.
  e: function (target, a, b, c, d, last) {
    var name = text(a, b);
    var o = deref(target);
    if (last) delete T[target];
    if (name) notify(o, name, JSON.parse(text(c, d)));
  },
  h: function (id, strong) {
    var o = deref(id);
    if (o) T[id] = strong || !WR ? o : new WR(o);
  },
  l: function (on) {
    windowEvents.forEach(function (entry) {
      var target = entry[0] === "visibilitychange" ? document : window;
      if (on) target.addEventListener(entry[0], entry[1]);
      else target.removeEventListener(entry[0], entry[1]);
    });
  },
  // A fact of the page, returned through the slot at `ret` (see `give` in glue.js).
  r: function (ret, what, p, n) {
    give(ret, read(what, text(p, n)));
  },
  w: function (a, b, c, d) {
    var key = text(a, b);
    var value = text(c, d);
    try {
      if (!value) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
      return true;
    } catch (e) {
      return false;
    }
  },
  // The function at a dotted path from window, called on its holder.
  c: function (a, b, c, d) {
    var holder = window;
    var target = window;
    text(a, b).split(".").forEach(function (part) {
      holder = target;
      target = holder == null ? undefined : holder[part];
    });
    if (typeof target !== "function") return false;
    try {
      target.apply(holder, JSON.parse(text(c, d)));
    } catch (e) {
      report(e);
    }
    return true;
  },
  d: function (a, b, c, d) {
    try {
      window.dispatchEvent(new CustomEvent(text(a, b), { detail: JSON.parse(text(c, d)) }));
    } catch (e) {
      report(e);
    }
  },
  // The terms dialog in the shadow root of #glance-terms, modal, with the terms link (if any);
  // its close reported. `show` 0: removes it.
  g: function (show, p, n) {
    showDialog(show, text(p, n));
  },
  k: function (p, n) {
    console.warn("glance-presence:", text(p, n));
  },
};

// What H.r reads: see `Read` in src/host.rs.
function read(what, key) {
  try {
    if (what === 0) {
      var el = document.getElementById(key);
      if (!el) return;
      var attributes = {};
      Array.prototype.forEach.call(el.attributes, function (a) { attributes[a.name] = a.value; });
      return JSON.stringify(attributes);
    }
    if (what === 1) return JSON.stringify(window.GLANCE_COBROWSE);
    if (what === 2) return localStorage.getItem(key);
    if (what === 3) return location.href;
    if (what === 4) return navigator.userAgent;
    if (what === 5) return document.visibilityState;
  } catch (e) {
    // no storage, a configuration JSON cannot carry: nothing to read
  }
}
