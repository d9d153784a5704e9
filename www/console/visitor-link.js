/*
 * One live link to one visitor: a `GLANCE.Presence.Agent` whose socket
 * delivers the visitor's events (spec §2.2, §5).
 *
 * Event handlers only translate: each agent event becomes a call on the
 * visitor's record (`record.apply*`), which owns the state and the timeline.
 * The link owns the reconnect policy: after the socket is lost it tries
 * again with exponential backoff (1 s, 2 s, 4 s … 15 s) from `tick()`.
 * `stop()` disconnects and leaves no socket or pending retry behind.
 */

import { request, groupIdValue } from "./glance-api.js";

const RETRY_FIRST_MS = 1000;
const RETRY_CAP_MS = 15000;
const CONNECT_TIMEOUT_MS = 10000;

export class VisitorLink {
  /**
   * @param record   the VisitorRecord this link feeds
   * @param groupId  the agent's group
   * @param hooks    `{changed(record), authorizationLost()}`
   */
  constructor(record, groupId, hooks) {
    this.record = record;
    this.hooks = hooks;
    this.state = "connecting";     // "connecting" | "up" | "down" | "stopped"
    this.retryAt = 0;
    this.retryDelay = RETRY_FIRST_MS;
    this.connectingSince = Date.now();
    this.agent = new window.GLANCE.Presence.Agent({ visitorid: record.id, groupid: groupIdValue(groupId) });
    this.listen();
    this.agent.connect();
  }

  listen() {
    const a = this.agent;
    const r = this.record;
    const changed = () => this.hooks.changed(r);
    a.onconnected = () => { this.setState("up"); };
    a.onvisitorconn = (e) => { r.applyConn(Boolean(e?.connected)); changed(); };
    a.onvisitorsock = (e) => { r.applySocket(Boolean(e?.connected)); changed(); };
    a.onpresence = (data) => { r.applyPresence(data || {}); changed(); };
    a.onvisibility = (e) => { r.applyVisibility(e?.visibility); changed(); };
    a.onterms = (e) => { r.applyTerms(e?.status); changed(); };
    a.onvisitorsessionstart = (data) => { r.applySession("started", data); changed(); };
    a.onvisitorsessionend = (data) => { r.applySession("ended", data); changed(); };
    a.onvisitorerror = (data) => { r.log(`Visitor error: ${JSON.stringify(data ?? {})}`, "bad"); changed(); };
    a.onerror = (e) => this.onSocketError(e);
    a.onclose = () => this.lost();
  }

  onSocketError(e) {
    if (e?.detail === "authorization") {
      this.stop();
      this.hooks.authorizationLost();
      return;
    }
    console.warn(`agent link ${this.record.id}:`, e);
    this.lost();
  }

  lost() {
    if (this.state === "stopped" || this.state === "down") return;
    if (this.state === "up") this.record.log("Console lost its link to this visitor; reconnecting", "warn");
    this.setState("down");
    this.retryAt = Date.now() + this.retryDelay;
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (state === "up") this.retryDelay = RETRY_FIRST_MS;
    this.hooks.changed(this.record);
  }

  /** Called every second: notices a socket that died silently and retries when due. */
  tick(now) {
    if (this.state === "up" && !this.agent.isconnected()) this.lost();
    if (this.state === "down" && now >= this.retryAt) {
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_CAP_MS);
      this.retryAt = now + this.retryDelay;
      this.setState("connecting");
      this.connectingSince = now;
      this.agent.disconnect();
      this.agent.connect();
    }
    if (this.state === "connecting") {
      if (this.agent.isconnected()) this.setState("up");
      else if (now - this.connectingSince > CONNECT_TIMEOUT_MS) this.lost();
    }
  }

  /** Seconds until the next reconnect attempt, for the "reconnecting in N s" notice. */
  retryInSeconds(now) {
    return Math.max(0, Math.ceil((this.retryAt - now) / 1000));
  }

  invoke(func, args = {}) {
    return request(this.agent, "invokeVisitor", { func, args });
  }

  signal(data) {
    return request(this.agent, "signalVisitor", { data });
  }

  stop() {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.agent.disconnect();
  }
}
