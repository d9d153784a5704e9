/*
 * Behaviour shared by every page of the demo shop: the visitor box, the cart,
 * presence data, messages from the agent and the session banner.
 *
 * The presence module does the real work (spec §1–§2.4); this file only
 * talks to its public API, the way a customer's own site would:
 *  - `data-presence="on"` makes the module create the visitor and report the
 *    page once the DOM is loaded; we add the cart size and page name with
 *    `presence({data})` and listen to `onsignal`;
 *  - the module's default terms dialog handles "Show terms"; accepting starts
 *    the session, which the module announces with the `glance:startsession`
 *    window event that drives our banner.
 */

const identity = window.DemoShopIdentity;
const CART_KEY = "demo-shop.cart";
const SESSION_KEY = "demo-shop.session";

const $ = (selector, root = document) => root.querySelector(selector);

// ---------- the presence visitor ----------

/**
 * Calls `callback(visitor)` once `GLANCE.Presence.Visitor.instance` exists.
 * With `data-presence="on"` the module creates it after DOMContentLoaded, so
 * we look again on each frame for a while instead of guessing the order of
 * load handlers. Gives up quietly after 15 s (module missing or blocked).
 */
export function whenVisitor(callback) {
  const deadline = Date.now() + 15000;
  const look = () => {
    const visitor = window.GLANCE?.Presence?.Visitor?.instance;
    if (visitor) {
      callback(visitor);
    } else if (Date.now() < deadline) {
      setTimeout(look, 50);
    } else {
      console.warn("demo shop: the presence module did not start");
    }
  };
  look();
}

/** Presence data this site adds on top of what the module reports (url, browser, platform). */
function siteData() {
  return { cart: readCart(), page: document.body.dataset.page || document.title };
}

function reportPresence() {
  whenVisitor((visitor) => visitor.presence({ data: siteData() }));
}

// ---------- cart ----------

function readCart() {
  const n = Number(localStorage.getItem(CART_KEY));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function setCart(n) {
  localStorage.setItem(CART_KEY, String(Math.max(0, n)));
  renderCart();
  reportPresence();
}

function renderCart() {
  const n = readCart();
  for (const el of document.querySelectorAll("[data-cart-count]")) el.textContent = String(n);
  document.dispatchEvent(new CustomEvent("demo-shop:cart", { detail: { count: n } }));
}

// ---------- visitor box ("sign in" with a visitor id) ----------

function setupVisitorBox() {
  const idText = $("[data-visitor-id]");
  const toggle = $("[data-visitor-change]");
  const form = $("[data-visitor-form]");
  const input = form.elements.visitorid;
  const error = $("[data-visitor-error]");
  idText.textContent = identity.visitorId;

  const open = (yes) => {
    form.hidden = !yes;
    toggle.setAttribute("aria-expanded", String(yes));
    if (yes) {
      input.value = identity.visitorId;
      input.focus();
      input.select();
    }
  };
  toggle.addEventListener("click", () => open(form.hidden));
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { open(false); toggle.focus(); }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const id = input.value.trim();
    if (!identity.valid.test(id)) {
      input.setAttribute("aria-invalid", "true");
      error.textContent = "Use 1 to 100 letters, digits, '-', '_' or '~'.";
      error.hidden = false;
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    error.hidden = true;
    identity.visitorId = id;
    identity.save(id);
    window.GLANCE_COBROWSE.visitorid = id;
    idText.textContent = id;
    whenVisitor((visitor) => {
      visitor.setVisitorId(id);
      visitor.presence({ data: siteData() });
    });
    announce(`You are now browsing as ${id}.`);
    open(false);
    toggle.focus();
  });
}

// ---------- messages from the agent ----------

const announcer = () => $("[data-announcer]");

function announce(text) {
  const region = announcer();
  if (region) region.textContent = text;
}

/** Shows a signal from the agent; `data` is whatever the agent sent. */
function showAgentMessage(data) {
  const text = typeof data?.message === "string" ? data.message
    : typeof data === "string" ? data
    : JSON.stringify(data);
  const section = $("[data-agent-messages]");
  const item = document.createElement("li");
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  const body = document.createElement("span");
  body.className = "message-text";
  body.textContent = text;
  item.append(time, " ", body);
  $("[data-agent-message-list]", section).append(item);
  section.hidden = false;
  announce(`Message from your agent: ${text}`);
}

// ---------- co-browsing session banner ----------

function renderSession() {
  const region = $("[data-session-region]");
  const key = sessionStorage.getItem(SESSION_KEY);
  region.replaceChildren();
  if (key === null) return;

  const wrap = document.createElement("div");
  wrap.className = "session-banner";
  wrap.dataset.sessionBanner = "";
  const inner = document.createElement("div");
  inner.className = "container";
  const text = document.createElement("p");
  text.textContent = key
    ? `Co-browsing session started. Your agent can now see this page (session key ${key}).`
    : "Co-browsing session started. Your agent can now see this page.";
  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "btn btn-small";
  stop.textContent = "End session";
  stop.addEventListener("click", () => {
    sessionStorage.removeItem(SESSION_KEY);
    if (sessionStartedHere) {
      // The module fires visitorsessionend (and glance:stopsession) for the session it started.
      window.GLANCE.Cobrowse.Visitor.stopSession();
    } else {
      // Started on an earlier page: the module there is gone, so report the end ourselves.
      whenVisitor((visitor) => visitor.fire("visitorsessionend", { sessionkey: key }));
    }
    sessionStartedHere = false;
    renderSession();
    announce("Co-browsing session ended.");
  });
  inner.append(text, stop);
  wrap.append(inner);
  region.append(wrap);
}

/** True once the module started a session during this page's life (so it can stop it). */
let sessionStartedHere = false;

function onSessionStart(event) {
  sessionStartedHere = true;
  const detail = event.detail || {};
  const key = detail.sessionKey ?? detail.sessionkey ?? "";
  sessionStorage.setItem(SESSION_KEY, String(key));
  renderSession();
}

// ---------- start ----------

// Registered at once: an invoke from the agent can arrive as soon as the socket is up.
window.addEventListener("glance:startsession", onSessionStart);
window.addEventListener("glance:stopsession", () => {
  sessionStorage.removeItem(SESSION_KEY);
  renderSession();
});

setupVisitorBox();
renderCart();
renderSession();
window.addEventListener("storage", (e) => { if (e.key === CART_KEY) renderCart(); });

whenVisitor((visitor) => {
  visitor.onsignal = showAgentMessage;
  visitor.onerror = (e) => console.warn("presence error", e);
  visitor.presence({ data: siteData() });
});
