/*
 * Promise shapes for the callback-style GLANCE API (spec §2.1, §2.2).
 *
 * The module takes `{onsuccess, onfail}` objects; the console reads better
 * with `await`. Nothing here talks to the network itself.
 */

/** A documented `onfail(reason)` code, as an Error the console can branch on. */
export class GlanceFailure extends Error {
  constructor(reason) {
    super(`presence request failed: ${reason}`);
    this.name = "GlanceFailure";
    this.reason = String(reason);
  }
}

/** True once glance-presence.js has run and installed its globals. */
export function moduleLoaded() {
  return Boolean(window.GLANCE?.Authorization && window.GLANCE?.Presence?.Agent);
}

/**
 * Calls `target[method]({...params, onsuccess, onfail})` and settles with the
 * callback that fires first. `timeoutMs` turns a silent module into a
 * "connection" failure instead of a promise that never settles.
 */
export function request(target, method, params = {}, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new GlanceFailure("connection")), timeoutMs);
    const settle = (fn) => (value) => { clearTimeout(timer); fn(value); };
    try {
      target[method]({
        ...params,
        onsuccess: settle(resolve),
        onfail: settle((reason) => reject(new GlanceFailure(reason))),
      });
    } catch (err) {
      clearTimeout(timer);
      console.error(`GLANCE ${method} threw`, err);
      reject(new GlanceFailure("error"));
    }
  });
}

/** Group ids travel as numbers when they look like numbers, as CRM pages send them. */
export function groupIdValue(groupId) {
  return /^\d+$/.test(groupId) ? Number(groupId) : groupId;
}

/**
 * Exchanges a login key for a presence token (stored by the module).
 * Any token already held is dropped first, so a wrong key is always reported.
 */
export function authorize({ groupId, userId, loginKey }) {
  const auth = window.GLANCE.Authorization;
  auth.clearToken();
  return request(auth, "authorize", {
    service: "presence",
    credentials: { partnerid: groupIdValue(groupId), partneruserid: userId, loginkey: loginKey },
    groupid: groupIdValue(groupId),
    duration: 120,
  });
}

/** Human words for each `onfail` code. */
export function describeFailure(reason) {
  switch (reason) {
    case "authorization": return "not authorized";
    case "connection": return "the server cannot be reached";
    case "visitornotpresent": return "the visitor is not on the site";
    case "serviceunavailable": return "the server is restarting";
    case "invalidparameter": return "the request was refused as invalid";
    default: return "the server reported an error";
  }
}
