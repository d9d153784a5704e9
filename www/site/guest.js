/*
 * The guest-join page (spec §4.3, issue 13 §6): as Glance's own guest-join page does it.
 *
 * The visitor has no id of its own: `connectUnique()` asks the server for a unique one
 * (`onuniqueid(code, timeout)`), connects as `UNQ-<code>` and the page shows the code, which the
 * guest reads to the agent over the phone. The agent follows `new GLANCE.Presence.Agent({uniqueid})`
 * and may invoke the page's own functions, which live under `GLANCE_COBROWSE.Custom` (spec §2.4:
 * the only namespace besides `GLANCE.` an invoke may reach).
 */

const codeLine = document.querySelector("[data-guest-code]");
const errorLine = document.querySelector("[data-guest-error]");
const callsBox = document.querySelector("[data-guest-calls]");
const callList = document.querySelector("[data-guest-call-list]");

/** Every call the agent made, in order (read by the end-to-end test). */
window.guestCalls = [];

window.GLANCE_COBROWSE = window.GLANCE_COBROWSE ?? {};
window.GLANCE_COBROWSE.Custom = {
  /** A page function an agent may run: shows the agent's note. */
  showNote(args) {
    window.guestCalls.push(args);
    const item = document.createElement("li");
    item.textContent = String(args?.text ?? "");
    callList.append(item);
    callsBox.hidden = false;
  },
};

const visitor = window.GLANCE?.Presence
  ? new window.GLANCE.Presence.Visitor({})
  : null;

if (visitor) {
  visitor.onuniqueid = (code) => {
    codeLine.textContent = String(code);
    codeLine.dataset.uniqueid = String(code);
  };
  visitor.onerror = (e) => {
    errorLine.textContent = `Could not get a code (${e?.error ?? "error"}).`;
    errorLine.hidden = false;
  };
  visitor.connectUnique({ data: { guest: "yes" } });
} else {
  console.warn("guest page: the presence module is not loaded");
}
