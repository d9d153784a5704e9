/*
 * The "custom UI" path of the one-click flow (spec §2.4, last paragraph).
 *
 * This page loads the module with data-presence="api" and creates the
 * visitor itself so it can turn the built-in dialog off before anything
 * arrives: `setDefaultUI(false)` makes an agent's showTerms fire
 * `onshowterms({sessionkey, termsurl})` instead, and the page reports the
 * visitor's answer with `signalAgent("terms", {status})`.
 */

const dialog = document.getElementById("custom-terms");
const termsLink = dialog.querySelector("[data-terms-link]");
let pendingSessionKey = null;

function showTerms(info = {}) {
  if (dialog.open) return;
  pendingSessionKey = info.sessionkey ?? info.sessionKey ?? null;
  termsLink.href = info.termsurl || "#";
  termsLink.hidden = !info.termsurl;
  dialog.returnValue = "";
  dialog.showModal();
  // No "displayed" report here: the module has already sent terms {status:"displayed"}.
}

function onAnswer() {
  // Escape closes the dialog with an empty returnValue: that is a "no".
  const status = dialog.returnValue === "accepted" ? "accepted" : "declined";
  visitor.signalAgent("terms", { status });
  if (status === "accepted") {
    const args = pendingSessionKey ? { sessionKey: pendingSessionKey } : {};
    window.GLANCE.Cobrowse.Visitor.startSession(args);
  }
  pendingSessionKey = null;
}

const visitor = window.GLANCE?.Presence
  ? new window.GLANCE.Presence.Visitor({})
  : null;

if (visitor) {
  visitor.setDefaultUI(false);
  visitor.onshowterms = showTerms;
  dialog.addEventListener("close", onAnswer);
} else {
  console.warn("demo shop: the presence module is not loaded");
}
