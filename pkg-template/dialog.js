// The built-in terms dialog, as the host shows it (H.g in host.js); what it does is in
// src/cobrowse.rs. scripts/build-module.sh puts this file between glue.js and host.js in
// glance-presence.js.
var dialogHost = null;
// The built-in terms dialog (its behaviour is in src/cobrowse.rs): a native modal <dialog> in a
// shadow root, so the page's styles neither reach into it nor are touched by it. The title and
// description label it; Decline has the focus first; the buttons submit a method="dialog" form.
var DIALOG =
  "<style>" +
  ":host{all:initial}" +
  "dialog{box-sizing:border-box;width:calc(100% - 2rem);max-width:26rem;padding:1.4rem 1.5rem;border:0;border-radius:10px;background:#fff;color:#1b1f24;box-shadow:0 12px 40px rgba(0,0,0,.35);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}" +
  "dialog::backdrop{background:rgba(15,20,25,.5)}" +
  "h2{margin:0 0 .5rem;font-size:1.15rem;font-weight:600}" +
  "p{margin:0 0 1rem}" +
  "a{color:#0b57d0}" +
  "form{display:flex;gap:.6rem;justify-content:flex-end;margin:0}" +
  "button{font:inherit;margin:0;padding:.5rem 1.1rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1b1f24;cursor:pointer}" +
  ".accept{border-color:#0b57d0;background:#0b57d0;color:#fff}" +
  ":focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
  "</style><dialog aria-labelledby=\"t\" aria-describedby=\"d\">" +
  "<h2 id=\"t\">Share this page with an agent?</h2>" +
  "<p id=\"d\">An agent has asked to start a screen-sharing session so they can see this page with you.</p>" +
  "<p hidden><a target=\"_blank\" rel=\"noopener noreferrer\">Terms of service</a></p>" +
  "<form method=\"dialog\"><button class=\"decline\" value=\"n\" autofocus>Decline</button><button class=\"accept\" value=\"y\">Accept</button></form>" +
  "</dialog>";

// Shows the dialog in the shadow root of #glance-terms, modal, with the terms link (if any), and
// reports its close (`show` false: removes it).
function showDialog(show, url) {
  if (dialogHost) dialogHost.remove();
  dialogHost = null;
  if (!show || !document.body) return;
  var host = (dialogHost = document.createElement("div"));
  host.id = "glance-terms";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML = DIALOG;
  if (url) {
    var link = root.querySelector("a");
    link.href = url;
    link.parentNode.hidden = false;
  }
  var dialog = root.querySelector("dialog");
  dialog.addEventListener("close", function () {
    if (dialogHost === host) mod.ev(7, 0, dialog.returnValue === "y" ? 1 : 0, "");
  });
  // An Escape that reaches the dialog without closing it (a synthetic or repeated key press):
  // closed as the platform would, so focus goes back where it was.
  dialog.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      dialog.close();
    }
  });
  document.body.appendChild(host);
  try {
    dialog.showModal();
  } catch (e) {
    dialog.setAttribute("open", ""); // no modal dialogs (old browsers): shown in place
  }
}
