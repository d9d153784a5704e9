/*
 * Drawing the roster: the visitor list and the chosen visitor's detail.
 *
 * Elements are updated in place (the list is keyed by visitor id), so a
 * refresh never steals focus from a button or the message field. Visitor
 * data is set with textContent only.
 */

import { STANDARD_FIELDS, pageLabel } from "./roster.js";

const $ = (selector, root = document) => root.querySelector(selector);

const time = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/** `[text, tone]` for the presence badge. */
export function presenceState(record) {
  if (record.present === true && record.socket === false) return ["Present, changing page", "warn"];
  if (record.present === true) return ["Present", "ok"];
  if (record.present === false) return [record.goneAt ? `Gone since ${time(new Date(record.goneAt))}` : "Not present", "bad"];
  return ["Not present yet", "idle"];
}

function socketState(record) {
  if (record.socket === true) return ["Socket open", "ok"];
  if (record.socket === false) return ["Socket closed", "idle"];
  return ["Socket unknown", "idle"];
}

function visibilityState(record) {
  if (record.visibility === "visible") return ["Tab visible", "ok"];
  if (record.visibility === "hidden") return ["Tab hidden", "warn"];
  // The module reports "hidden" as soon as it connects from a hidden tab, so a present
  // visitor who has not said otherwise is looking at the page.
  if (record.present === true) return ["Tab visible", "ok"];
  return ["Visibility unknown", "idle"];
}

/** The module's platform codes (spec §2.3) as people write them. */
const PLATFORMS = { win: "Windows", mac: "macOS", linux: "Linux", ios: "iOS", android: "Android", other: "Other" };

function capitalize(text) {
  const s = String(text);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function setBadge(el, [text, tone]) {
  if (el.textContent !== text) el.textContent = text;
  el.dataset.tone = tone;
}

// ---------- list ----------

export class VisitorList {
  /** `onChoose(id)` is called when the agent picks a visitor. */
  constructor(listEl, emptyEl, countEl, onChoose) {
    this.listEl = listEl;
    this.emptyEl = emptyEl;
    this.countEl = countEl;
    this.onChoose = onChoose;
    this.items = new Map();   // visitor id -> <li>
  }

  render(roster, selectedId) {
    const records = roster.list();
    for (const [id, li] of this.items) {
      if (!roster.get(id)) { li.remove(); this.items.delete(id); }
    }
    for (const record of records) {
      let li = this.items.get(record.id);
      if (!li) {
        li = this.createItem(record.id);
        this.items.set(record.id, li);
        this.listEl.append(li);
      }
      this.updateItem(li, record, record.id === selectedId);
    }
    this.emptyEl.hidden = records.length > 0;
    const n = roster.presentCount();
    this.countEl.textContent = `${n} present`;
  }

  /** Empties the list (signed out). */
  clear() {
    for (const li of this.items.values()) li.remove();
    this.items.clear();
    this.emptyEl.hidden = false;
    this.countEl.textContent = "0 present";
  }

  createItem(id) {
    const li = document.createElement("li");
    li.dataset.visitorid = id;
    const button = document.createElement("button");
    button.type = "button";
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = id;
    const sub = document.createElement("span");
    sub.className = "sub";
    button.append(dot, name, sub);
    button.addEventListener("click", () => this.onChoose(id));
    li.append(button);
    return li;
  }

  updateItem(li, record, selected) {
    const button = li.firstElementChild;
    const [state, tone] = presenceState(record);
    const page = record.data.url ? pageLabel(record.data.url) : "";
    const sub = page ? `${state} · ${page}` : state;
    $(".dot", button).dataset.tone = tone;
    const subEl = $(".sub", button);
    if (subEl.textContent !== sub) subEl.textContent = sub;
    button.setAttribute("aria-pressed", String(selected));
    li.dataset.present = String(record.present);
  }
}

// ---------- detail ----------

export class VisitorDetail {
  constructor(root) {
    this.root = root;
    this.empty = $("[data-detail-empty]", root);
    this.body = $("[data-detail-body]", root);
    this.field = (name) => $(`[data-field="${name}"]`, root);
    this.shownTimeline = { id: null, count: 0, last: null };
  }

  render(record) {
    this.empty.hidden = Boolean(record);
    this.body.hidden = !record;
    if (!record) return;
    this.root.dataset.visitorid = record.id;
    this.root.dataset.present = String(record.present);

    this.field("visitorid").textContent = record.id;
    setBadge(this.field("presence"), presenceState(record));
    setBadge(this.field("socket"), socketState(record));
    setBadge(this.field("visibility"), visibilityState(record));

    const notice = this.field("absent-notice");
    notice.hidden = record.present === true;
    notice.textContent = record.present === false
      ? "This visitor has left the site. Actions will fail until they come back."
      : "This visitor is not on the site yet. The console will show them as soon as they arrive.";

    this.renderPage(record.data.url);
    const d = record.data;
    this.field("browser").textContent = d.browser ? `${capitalize(d.browser)} ${d.browserver ?? ""}`.trim() : "—";
    this.field("platform").textContent = d.platform ? PLATFORMS[d.platform] ?? String(d.platform) : "—";
    this.field("terms").textContent = record.terms ?? "Not shown yet";
    this.field("session").textContent = record.session
      ? `${record.session.state === "started" ? "Started" : "Ended"} at ${time(record.session.at)}${record.session.key ? ` (key ${record.session.key})` : ""}`
      : "None";
    this.field("updated").textContent = record.updated ? time(record.updated) : "—";
    this.renderCustom(d);
    this.renderTimeline(record);
  }

  renderPage(url) {
    const dd = this.field("page");
    dd.replaceChildren();
    if (!url) { dd.textContent = "—"; return; }
    let safe = null;
    try {
      const u = new URL(url);
      if (u.protocol === "http:" || u.protocol === "https:") safe = u.href;
    } catch { /* shown as text below */ }
    if (!safe) { dd.textContent = String(url); return; }
    const a = document.createElement("a");
    a.href = safe;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = pageLabel(url);
    dd.append(a);
  }

  renderCustom(data) {
    const dl = this.field("custom");
    const entries = Object.entries(data).filter(([k]) => !STANDARD_FIELDS.has(k));
    dl.replaceChildren(...entries.map(([k, v]) => {
      const div = document.createElement("div");
      div.dataset.key = k;
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = typeof v === "object" ? JSON.stringify(v) : String(v);
      div.append(dt, dd);
      return div;
    }));
  }

  /** Newest first; redrawn only when the timeline grew or another visitor is shown. */
  renderTimeline(record) {
    const shown = this.shownTimeline;
    const last = record.timeline[record.timeline.length - 1] ?? null;
    if (shown.id === record.id && shown.count === record.timeline.length && shown.last === last) return;
    this.shownTimeline = { id: record.id, count: record.timeline.length, last };
    const ol = this.field("timeline");
    ol.replaceChildren(...record.timeline.slice().reverse().map((entry) => {
      const li = document.createElement("li");
      if (entry.tone) li.dataset.tone = entry.tone;
      const t = document.createElement("time");
      t.dateTime = entry.at.toISOString();
      t.textContent = time(entry.at);
      const text = document.createElement("span");
      text.textContent = entry.text;
      li.append(t, text);
      return li;
    }));
  }
}
