/*
 * What the console knows about the group's visitors.
 *
 * Two sources feed it:
 *  - `query` (polled by main.js) discovers who is present and their latest
 *    presence data;
 *  - a VisitorLink per visitor (its agent socket) delivers changes as they
 *    happen: arrival, departure, socket, visibility, page, terms, session.
 * The socket is the authority while it is up; the query only decides
 * presence for visitors whose link is not up.
 *
 * Visitor data comes from visitors' browsers: it is stored and shown as text,
 * never as HTML.
 */

import { VisitorLink } from "./visitor-link.js";

const TIMELINE_LIMIT = 200;
/** Visitors who left stay listed (as gone) this long, unless chosen or watched by id. */
const GONE_KEEP_MS = 2 * 60 * 1000;
/** Sockets are opened for at most this many visitors; the rest are followed by query only. */
const MAX_LINKS = 25;

/** Presence fields the console shows on their own; everything else is "custom data". */
export const STANDARD_FIELDS = new Set([
  "visitorid", "groupid", "visitorpresent", "timestamp", "directserver", "direct",
  "url", "browser", "browserver", "platform",
]);

export class VisitorRecord {
  constructor(id) {
    this.id = id;
    this.present = null;      // null: not known yet
    this.socket = null;       // the visitor's socket open? null: not known yet
    this.visibility = null;   // "visible" | "hidden" | null
    this.data = {};           // merged presence data
    this.terms = null;        // last terms status
    this.session = null;      // {state: "started"|"ended", key, at}
    this.timeline = [];       // [{at: Date, text, tone}]
    this.updated = null;      // Date of the last event about this visitor
    this.goneAt = null;
    this.pinned = false;      // watched by id: kept even when gone
    this.link = null;         // VisitorLink or null
  }

  log(text, tone = "") {
    const at = new Date();
    this.timeline.push({ at, text, tone });
    if (this.timeline.length > TIMELINE_LIMIT) this.timeline.shift();
    this.updated = at;
  }

  setPresent(present) {
    if (this.present === present) return;
    this.present = present;
    this.goneAt = present ? null : Date.now();
    this.log(present ? "Arrived on the site" : "Left the site", present ? "ok" : "bad");
    if (!present) {
      this.socket = false;
      this.visibility = null;
    }
  }

  applyConn(connected) {
    this.setPresent(connected);
    if (connected && this.socket === null) this.socket = true;
  }

  applySocket(open) {
    if (this.socket === open) return;
    this.socket = open;
    this.log(open ? "Socket opened" : "Socket closed (navigating or closing)", open ? "" : "warn");
    if (open) {
      // A new page: it reports "hidden" itself if it is.
      this.visibility = null;
      this.setPresent(true);
    }
  }

  applyPresence(data) {
    const before = this.data;
    this.data = { ...before, ...data };
    if (this.present !== true) this.setPresent(true);
    if (data.url && data.url !== before.url) {
      this.log(`Viewing ${pageLabel(data.url)}`);
    }
    const changes = Object.keys(data)
      .filter((k) => !STANDARD_FIELDS.has(k) && before[k] !== data[k])
      .map((k) => `${k} = ${String(data[k])}`);
    if (changes.length) this.log(`Data: ${changes.join(", ")}`);
    this.updated = new Date();
  }

  applyVisibility(visibility) {
    if (visibility !== "hidden" && visibility !== "visible") return;
    this.visibility = visibility;
    this.log(visibility === "hidden" ? "Tab hidden" : "Tab visible", visibility === "hidden" ? "warn" : "");
  }

  applyTerms(status) {
    this.terms = String(status ?? "unknown");
    const tone = { accepted: "ok", declined: "bad" }[this.terms] ?? "";
    this.log(`Terms ${this.terms}`, tone);
  }

  applySession(state, data) {
    const key = data?.sessionkey ?? data?.sessionKey ?? "";
    this.session = { state, key: String(key), at: new Date() };
    this.log(state === "started" ? `Session started${key ? ` (key ${key})` : ""}` : "Session ended",
      state === "started" ? "ok" : "");
  }
}

/** "/site/product.html" for a same-looking URL; the raw text when it does not parse. */
export function pageLabel(url) {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return String(url);
  }
}

export class Roster {
  /**
   * @param groupId  the agent's group
   * @param hooks    `{changed(record|null), authorizationLost()}`
   */
  constructor(groupId, hooks) {
    this.groupId = groupId;
    this.hooks = hooks;
    this.records = new Map();
  }

  get(id) { return this.records.get(id); }

  /** Records in the order they were first seen. */
  list() { return [...this.records.values()]; }

  presentCount() {
    return this.list().filter((r) => r.present === true).length;
  }

  ensure(id) {
    let record = this.records.get(id);
    if (!record) {
      record = new VisitorRecord(id);
      this.records.set(id, record);
    }
    return record;
  }

  /** Opens a link for `id` if it has none and the cap allows (or `force`, for the chosen visitor). */
  follow(id, { force = false } = {}) {
    const record = this.ensure(id);
    const links = this.list().filter((r) => r.link).length;
    if (!record.link && (force || links < MAX_LINKS)) {
      record.link = new VisitorLink(record, this.groupId, {
        changed: (r) => this.hooks.changed(r),
        authorizationLost: () => this.hooks.authorizationLost(),
      });
    }
    return record;
  }

  /** Watch a visitor by id before (or after) they arrive. */
  watch(id) {
    const record = this.follow(id, { force: true });
    record.pinned = true;
    if (record.timeline.length === 0) record.log("Watching; waiting for this visitor");
    this.hooks.changed(record);
    return record;
  }

  /** Takes a `query` reply: `[{visitorid, ...presence}]`. */
  applyQuery(visitors) {
    const seen = new Set();
    for (const entry of visitors) {
      if (!entry || typeof entry.visitorid !== "string") continue;
      seen.add(entry.visitorid);
      const record = this.follow(entry.visitorid);
      const linkUp = record.link?.state === "up";
      const changed = Object.keys(entry).some((k) => record.data[k] !== entry[k]);
      if (!linkUp && changed) record.applyPresence(entry);
      else if (!linkUp) record.setPresent(true);
      else if (record.present === null) record.setPresent(true);
      this.hooks.changed(record);
    }
    for (const record of this.records.values()) {
      if (!seen.has(record.id) && record.link?.state !== "up" && record.present === true) {
        record.setPresent(false);
        this.hooks.changed(record);
      }
    }
  }

  /** Once a second: link upkeep and forgetting visitors long gone. */
  tick(now, keepId) {
    for (const record of this.list()) {
      record.link?.tick(now);
      const expired = record.present === false && record.goneAt && now - record.goneAt > GONE_KEEP_MS;
      if (expired && !record.pinned && record.id !== keepId) {
        record.link?.stop();
        this.records.delete(record.id);
        this.hooks.changed(null);
      }
    }
  }

  /** Links that are not up, for the connection notice. */
  brokenLinks() {
    return this.list().map((r) => r.link).filter((l) => l && (l.state === "down"));
  }

  stop() {
    for (const record of this.records.values()) record.link?.stop();
    this.records.clear();
  }
}
