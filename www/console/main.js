/*
 * The agent console: sign in, then follow the group's visitors live and
 * start the one-click flow for the chosen one.
 *
 * States the page shows:
 *  - signed out / not authorized: the sign-in card, with the reason;
 *  - live: the visitor list (polled with `query` twice a second, kept live by
 *    one agent socket per visitor) and the chosen visitor's detail;
 *  - connection lost / reconnecting: a notice under the header while the
 *    query or any visitor link is failing, counting down to the next try.
 */

import { makeLoginKey, InsecureContextError } from "./login-key.js";
import { authorize, describeFailure, GlanceFailure, groupIdValue, moduleLoaded, request } from "./glance-api.js";
import { Roster } from "./roster.js";
import { VisitorDetail, VisitorList } from "./view.js";
import { WebhookPanel } from "./webhooks.js";

const POLL_MS = 500;
const POLL_HIDDEN_MS = 5000;
const POLL_RETRY_CAP_MS = 15000;
const LAST_USER_KEY = "presence-console.last";

const $ = (selector) => document.querySelector(selector);

const ui = {
  signin: $("[data-signin]"),
  signinForm: $("[data-signin-form]"),
  signinError: $("[data-signin-error]"),
  signinSubmit: $("[data-signin-submit]"),
  workspace: $("[data-workspace]"),
  badge: $("[data-connection-badge]"),
  notice: $("[data-connection-notice]"),
  agentName: $("[data-agent-name]"),
  signOut: $("[data-sign-out]"),
  watchForm: $("[data-watch-form]"),
  signalForm: $("[data-signal-form]"),
  actionStatus: $("[data-action-status]"),
};

const list = new VisitorList($("[data-visitor-list]"), $("[data-roster-empty]"), $("[data-visitor-count]"), choose);
const detail = new VisitorDetail($("[data-detail]"));

/** The signed-in agent; null when signed out. */
let session = null;

// ---------- sign in / out ----------

function showSignin(message) {
  ui.signin.hidden = false;
  ui.workspace.hidden = true;
  ui.signOut.hidden = true;
  ui.agentName.hidden = true;
  ui.notice.hidden = true;
  setBadge("Signed out", "idle");
  ui.signinError.hidden = !message;
  ui.signinError.textContent = message ?? "";
  ui.signinSubmit.disabled = false;
  ui.signinSubmit.textContent = "Sign in";
}

async function onSignin(event) {
  event.preventDefault();
  const form = ui.signinForm;
  const groupId = form.elements.groupid.value.trim();
  const userId = form.elements.userid.value.trim();
  const apiKey = form.elements.apikey.value;
  const missing = [[groupId, form.elements.groupid], [userId, form.elements.userid], [apiKey, form.elements.apikey]]
    .filter(([value]) => !value).map(([, el]) => el);
  for (const el of form.querySelectorAll("input")) el.removeAttribute("aria-invalid");
  if (missing.length) {
    for (const el of missing) el.setAttribute("aria-invalid", "true");
    showSignin("Fill in the group id, user id and API key.");
    missing[0].focus();
    return;
  }
  if (!moduleLoaded()) {
    showSignin("The presence module (/glance-presence.js) did not load. Is the server running?");
    return;
  }

  ui.signinSubmit.disabled = true;
  ui.signinSubmit.textContent = "Signing in…";
  ui.signinError.hidden = true;
  try {
    const loginKey = await makeLoginKey({ groupId, userId, apiKey });
    await authorize({ groupId, userId, loginKey });
  } catch (err) {
    showSignin(signinFailureText(err));
    form.elements.apikey.focus();
    return;
  }
  localStorage.setItem(LAST_USER_KEY, JSON.stringify({ groupId, userId }));
  enterWorkspace(groupId, userId);
}

function signinFailureText(err) {
  if (err instanceof InsecureContextError) {
    return "Signing in needs WebCrypto: open the console over https:// or on localhost.";
  }
  if (err instanceof GlanceFailure && err.reason === "authorization") {
    return "Authorization failed: the group id, user id or API key is wrong.";
  }
  if (err instanceof GlanceFailure && err.reason === "connection") {
    return "Cannot reach the presence server. Check your connection and try again.";
  }
  console.error("sign in failed", err);
  return `Sign in failed: ${err instanceof GlanceFailure ? describeFailure(err.reason) : err.message}.`;
}

function signOut(message) {
  if (session) {
    clearTimeout(session.pollTimer);
    clearInterval(session.tickTimer);
    session.roster.stop();
    session.webhooks.stop();
    session = null;
  }
  try { window.GLANCE?.Authorization?.clearToken(); } catch (err) { console.warn(err); }
  list.clear();
  detail.render(null);
  showSignin(message);
  ui.signinForm.elements.apikey.focus();
}

// ---------- the live workspace ----------

function enterWorkspace(groupId, userId) {
  const roster = new Roster(groupId, {
    changed: (record) => scheduleRender(record),
    authorizationLost: () => signOut("Your authorization expired or was revoked. Sign in again."),
  });
  session = {
    groupId,
    userId,
    roster,
    selectedId: null,
    queryAgent: new window.GLANCE.Presence.Agent({ groupid: groupIdValue(groupId) }),
    queryFailing: false,
    pollDelay: POLL_MS,
    nextPollAt: 0,
    pollTimer: 0,
    tickTimer: setInterval(tick, 1000),
    renderQueued: false,
    polling: false,
    webhooks: new WebhookPanel($("[data-webhooks]"), groupId),
  };
  session.webhooks.start();
  ui.signin.hidden = true;
  ui.workspace.hidden = false;
  ui.signOut.hidden = false;
  ui.agentName.hidden = false;
  ui.agentName.textContent = `${userId} · group ${groupId}`;
  setBadge("Connecting…", "warn");
  render();
  poll();
  $("#roster-title").focus();
}

async function poll() {
  const s = session;
  if (!s || s.polling) return;
  s.polling = true;
  try {
    const reply = await request(s.queryAgent, "query");
    if (s !== session) return;
    s.roster.applyQuery(Array.isArray(reply?.visitors) ? reply.visitors : []);
    s.queryFailing = false;
    s.pollDelay = POLL_MS;
  } catch (err) {
    if (s !== session) return;
    const reason = err instanceof GlanceFailure ? err.reason : "error";
    if (reason === "authorization") {
      signOut("Your authorization expired or was revoked. Sign in again.");
      return;
    }
    if (reason === "serviceunavailable") {
      // The object makes no further requests after a 503 (spec §2.2): use a fresh one next time.
      s.queryAgent = new window.GLANCE.Presence.Agent({ groupid: groupIdValue(s.groupId) });
    }
    s.queryFailing = true;
    s.pollDelay = Math.min(s.pollDelay * 2, POLL_RETRY_CAP_MS);
    console.warn("query failed:", reason);
  } finally {
    s.polling = false;
  }
  const delay = s.queryFailing ? s.pollDelay : document.hidden ? POLL_HIDDEN_MS : POLL_MS;
  s.nextPollAt = Date.now() + delay;
  s.pollTimer = setTimeout(poll, delay);
  renderConnection();
}

function tick() {
  if (!session) return;
  session.roster.tick(Date.now(), session.selectedId);
  renderConnection();
}

function choose(id) {
  if (!session) return;
  session.selectedId = id;
  session.roster.follow(id, { force: true });
  ui.actionStatus.textContent = "";
  render();
  if (matchMedia("(max-width: 800px)").matches) $("#detail-title").focus();
}

function onWatch(event) {
  event.preventDefault();
  if (!session) return;
  const input = ui.watchForm.elements.visitorid;
  const id = input.value.trim();
  if (!/^[A-Za-z0-9_~-]{1,100}$/.test(id)) {
    input.setAttribute("aria-invalid", "true");
    setActionStatus("A visitor id is 1 to 100 letters, digits, '-', '_' or '~'.", "bad");
    return;
  }
  input.removeAttribute("aria-invalid");
  input.value = "";
  session.roster.watch(id);
  choose(id);
}

// ---------- actions on the chosen visitor ----------

async function act(label, run) {
  const record = session && session.roster.get(session.selectedId);
  if (!record) return;
  const link = session.roster.follow(record.id, { force: true }).link;
  setActionStatus(`${label}…`, "");
  try {
    await run(link);
    record.log(`You: ${label}`);
    setActionStatus(`${label}: sent.`, "ok");
  } catch (err) {
    const reason = err instanceof GlanceFailure ? err.reason : "error";
    record.log(`You: ${label} failed (${reason})`, "bad");
    setActionStatus(`${label} failed: ${describeFailure(reason)}.`, "bad");
    if (reason === "authorization") signOut("Your authorization expired or was revoked. Sign in again.");
  }
  scheduleRender(record);
}

function setActionStatus(text, tone) {
  ui.actionStatus.textContent = text;
  ui.actionStatus.dataset.tone = tone;
}

function onAction(event) {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  if (button.dataset.action === "show-terms") {
    act("Show terms", (link) => link.invoke("GLANCE.Cobrowse.Visitor.showTerms", {}));
  } else if (button.dataset.action === "start-session") {
    act("Start session", (link) => link.invoke("GLANCE.Cobrowse.Visitor.startSession", {}));
  }
}

function onSignal(event) {
  event.preventDefault();
  const input = ui.signalForm.elements.message;
  const message = input.value.trim();
  if (!message) {
    setActionStatus("Type a message to send.", "bad");
    input.focus();
    return;
  }
  act(`Send signal "${message}"`, async (link) => {
    await link.signal({ message });
    input.value = "";
  });
}

// ---------- drawing ----------

function scheduleRender() {
  if (!session || session.renderQueued) return;
  session.renderQueued = true;
  setTimeout(() => {
    if (!session) return;
    session.renderQueued = false;
    render();
  }, 0);
}

function render() {
  if (!session) return;
  list.render(session.roster, session.selectedId);
  detail.render(session.roster.get(session.selectedId) ?? null);
  renderConnection();
}

function renderConnection() {
  if (!session) return;
  const now = Date.now();
  const broken = session.roster.brokenLinks();
  if (session.queryFailing || broken.length) {
    const waits = broken.map((l) => l.retryInSeconds(now));
    if (session.queryFailing) waits.push(Math.max(0, Math.ceil((session.nextPollAt - now) / 1000)));
    const wait = Math.min(...waits);
    setBadge("Connection lost", "bad");
    ui.notice.hidden = false;
    const text = wait > 0
      ? `Connection to the presence server lost. Reconnecting in ${wait} s…`
      : "Connection to the presence server lost. Reconnecting…";
    if (ui.notice.textContent !== text) ui.notice.textContent = text;
  } else {
    ui.notice.hidden = true;
    const connecting = session.roster.list().some((r) => r.link?.state === "connecting");
    if (connecting) setBadge("Reconnecting…", "warn");
    else setBadge("Live", "ok");
  }
}

function setBadge(text, tone) {
  if (ui.badge.textContent !== text) ui.badge.textContent = text;
  ui.badge.dataset.tone = tone;
}

// ---------- start ----------

function restoreLastUser() {
  try {
    const last = JSON.parse(localStorage.getItem(LAST_USER_KEY) ?? "null");
    if (last?.groupId) ui.signinForm.elements.groupid.value = last.groupId;
    if (last?.userId) ui.signinForm.elements.userid.value = last.userId;
  } catch { /* nothing stored */ }
}

ui.signinForm.addEventListener("submit", onSignin);
$("[data-show-key]").addEventListener("change", (e) => {
  ui.signinForm.elements.apikey.type = e.target.checked ? "text" : "password";
});
ui.signOut.addEventListener("click", () => signOut());
ui.watchForm.addEventListener("submit", onWatch);
ui.signalForm.addEventListener("submit", onSignal);
$(".actions").addEventListener("click", onAction);
document.addEventListener("visibilitychange", () => {
  // Coming back to the tab: refresh now rather than at the slow hidden-tab pace.
  if (!document.hidden && session && !session.queryFailing) {
    clearTimeout(session.pollTimer);
    poll();
  }
});

restoreLastUser();
showSignin(null);
