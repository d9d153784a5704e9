//! The served builds in pages of their own (iframes), as real pages load them: the visitor-only
//! script (`glance-presence-visitor.js`) with `data-presence="on"`, binary frames from the server,
//! a server that cannot be reached, and page objects the page drops. An agent in the test page
//! (the full module, `glance-presence.js`) watches where a test needs one.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Records the frame's console errors and warnings, uncaught errors and unhandled rejections in
/// `window.errors` (the module reports what it catches with `console.error`; a panic is logged
/// there by console_error_panic_hook).
const CAPTURE: &str = r#"<script>
window.errors = [];
var original = console.error;
console.error = function () { errors.push(Array.prototype.join.call(arguments, " ")); original.apply(console, arguments); };
console.warn = function () { errors.push("warn: " + Array.prototype.join.call(arguments, " ")); };
window.addEventListener("error", function (e) { errors.push("uncaught: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { errors.push("rejection: " + e.reason); });
</script>"#;

/// Loads `html` (after [`CAPTURE`]) into a new iframe; returns it (remove it to end the page).
fn frame(html: &str) -> web_sys::HtmlIFrameElement {
    let document = window().document().unwrap();
    let iframe: web_sys::HtmlIFrameElement =
        document.create_element("iframe").unwrap().unchecked_into();
    iframe.set_srcdoc(&format!("{CAPTURE}{html}"));
    document.body().unwrap().append_child(&iframe).unwrap();
    iframe
}

/// The frame's `window`.
fn frame_window(iframe: &web_sys::HtmlIFrameElement) -> JsValue {
    iframe.content_window().unwrap().into()
}

/// The frame's `window[name]`, a list of strings (empty until the frame's script made it).
fn frame_list(iframe: &web_sys::HtmlIFrameElement, name: &str) -> Vec<String> {
    let list = get(&frame_window(iframe), name);
    if !list.is_object() {
        return vec![];
    }
    let list: js_sys::Array = list.unchecked_into();
    list.iter().filter_map(|v| v.as_string()).collect()
}

/// The frame's `window.log`: lines its page script wrote.
fn frame_log(iframe: &web_sys::HtmlIFrameElement) -> Vec<String> {
    frame_list(iframe, "log")
}

/// Waits (up to `ms`) until the frame's log holds `line`; on timeout, fails with the log and the
/// frame's console.
async fn frame_logged(iframe: &web_sys::HtmlIFrameElement, line: &str, ms: i32) {
    let mut waited = 0;
    while !frame_log(iframe).iter().any(|l| l == line) {
        assert!(
            waited < ms,
            "no {line:?} in the frame after {ms} ms; its log: {:?}; its console: {:?}",
            frame_log(iframe),
            frame_list(iframe, "errors")
        );
        sleep(25).await;
        waited += 25;
    }
}

/// Waits for the agent's `handler` like [`Recorder::wait`]; on timeout, fails with what went wrong
/// inside the frame (a module that did not load says why in its console).
async fn wait_frame(
    page: &Recorder,
    iframe: &web_sys::HtmlIFrameElement,
    handler: &str,
    matches: impl Fn(&JsValue) -> bool,
) -> JsValue {
    for _ in 0..400 {
        if let Some(found) = page.calls(handler).into_iter().find(|a| matches(a)) {
            return found;
        }
        sleep(25).await;
    }
    panic!(
        "no {handler} from the frame; its log: {:?}; its console: {:?}",
        frame_log(iframe),
        frame_list(iframe, "errors")
    );
}

/// What a dynamically created script tag gets as `data-ws`: the server when the script does not
/// come from it (else nothing: the script's origin is the default).
fn ws_value() -> String {
    if module_origin() == origin() {
        String::new()
    } else {
        origin()
    }
}

/// The test page signed in (with the full served script loaded), and an agent in it watching
/// visitor `id`, connected.
async fn watching(id: &str) -> (Recorder, Agent) {
    signed_in().await;
    let agent = Agent::new(&params(id));
    let page = Recorder::on(
        agent.object(),
        &["onconnected", "onpresence", "onvisitorconn"],
    );
    agent.connect();
    page.wait("onconnected", 5000, |_| true).await;
    (page, agent)
}

/// The visitor-only script on a page configured by its meta tag with `data-presence="on"`: the
/// visitor is present with the meta tag's name, and the page has the visitor API and the default
/// terms dialog but no agent API and no authorization.
#[wasm_bindgen_test]
async fn visitor_only_build_with_presence_on() {
    let id = unique_id("visitor-build");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"<meta id="glance-cobrowse" data-groupid="12345" data-presence="on" data-visitorid="{id}" data-user-name="Ann"{ws}>
<script>
window.log = [];
function globals() {{
  return "globals:" + typeof GLANCE.Presence.Visitor + " " + typeof GLANCE.Cobrowse.Visitor.showTerms
    + " " + typeof GLANCE.Presence.Agent + " " + typeof GLANCE.Authorization;
}}
</script>
<script src="{origin}/glance-presence-visitor.js" onload="log.push(globals())"></script>"#,
        origin = module_origin(),
        ws = ws_attribute()
    ));
    let presence = wait_frame(&page, &iframe, "onpresence", |p| get(p, "name") == "Ann").await;
    assert_eq!(get(&presence, "browser"), "chrome");
    page.wait("onvisitorconn", 5000, |e| get(e, "connected") == true)
        .await;

    let expected = "globals:function function undefined undefined";
    // At the script's onload (the loader's globals) and now that the module runs.
    assert_eq!(frame_log(&iframe), [expected]);
    let glance = get(&frame_window(&iframe), "GLANCE");
    let type_of = |path: &[&str]| {
        let value = path.iter().fold(glance.clone(), |v, step| get(&v, step));
        value.js_typeof().as_string().unwrap_or_default()
    };
    let now = format!(
        "globals:{} {} {} {}",
        type_of(&["Presence", "Visitor"]),
        type_of(&["Cobrowse", "Visitor", "showTerms"]),
        type_of(&["Presence", "Agent"]),
        type_of(&["Authorization"]),
    );
    assert_eq!(now, expected);

    // It ran its own wasm, not the full module's.
    let performance = get(&frame_window(&iframe), "performance");
    let entries: js_sys::Array = get(&performance, "getEntriesByType")
        .unchecked_into::<js_sys::Function>()
        .call1(&performance, &"resource".into())
        .unwrap()
        .unchecked_into();
    let fetched: Vec<String> = entries
        .iter()
        .filter_map(|e| get(&e, "name").as_string())
        .collect();
    assert!(
        fetched
            .iter()
            .any(|u| u.ends_with("/glance_presence_visitor_bg.wasm")),
        "the visitor wasm was fetched: {fetched:?}"
    );
    assert!(
        !fetched
            .iter()
            .any(|u| u.ends_with("/glance_presence_bg.wasm")),
        "the full wasm was not fetched: {fetched:?}"
    );
    assert_eq!(frame_list(&iframe, "errors"), Vec::<String>::new());

    iframe.remove();
    page.wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    agent.disconnect();
}

/// Replaces the frame's `WebSocket` before the module loads. presence-server only ever sends
/// text frames, yet the protocol allows binary frames holding the JSON text (§5) and other
/// servers (proxies, the original service) send them; the subclass stands in for such a server:
/// the handler the module sets as `onmessage` gets every text frame re-delivered as a binary
/// `ArrayBuffer` of its UTF-8 bytes, counted in `window.binaryFrames`.
const BINARY_FRAMES: &str = r#"<script>
window.binaryFrames = 0;
var NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  get onmessage() { return super.onmessage; }
  set onmessage(handler) {
    if (typeof handler !== "function") { super.onmessage = handler; return; }
    super.onmessage = function (e) {
      if (typeof e.data !== "string") return handler.call(this, e);
      window.binaryFrames++;
      return handler.call(this, new MessageEvent("message", { data: new TextEncoder().encode(e.data).buffer }));
    };
  }
};
</script>"#;

/// A visitor whose socket delivers every frame as binary data: it connects (the binary
/// `connected` frame decoded) and gets an agent's signal.
#[wasm_bindgen_test]
async fn binary_frames_from_the_server() {
    let id = unique_id("binary");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"{BINARY_FRAMES}<script>
window.log = [];
var s = document.createElement("script");
s.id = "glance-cobrowse";
s.setAttribute("data-groupid", "12345");
if ("{ws}") s.setAttribute("data-ws", "{ws}");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  var v = new GLANCE.Presence.Visitor({{ visitorid: "{id}" }});
  v.onconnected = function () {{ log.push("onconnected"); }};
  v.onsignal = function (d) {{ log.push("signal:" + d.text); }};
  v.connect();
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = ws_value(),
    ));
    frame_logged(&iframe, "onconnected", 5000).await;
    wait_frame(&page, &iframe, "onvisitorconn", |e| {
        get(e, "connected") == true
    })
    .await;
    // Not ASCII: the bytes are decoded as UTF-8.
    let signal = Callbacks::new(&[("data", json(r#"{"text": "binär ✓"}"#))]);
    agent.signal_visitor(&signal.opts);
    assert!(signal.done(5000).await.is_ok());
    frame_logged(&iframe, "signal:binär ✓", 5000).await;
    let binary = get(&frame_window(&iframe), "binaryFrames");
    assert!(
        binary.as_f64().is_some_and(|n| n >= 2.0),
        "the connected frame and the signal came as binary frames: {binary:?}"
    );
    assert_eq!(frame_list(&iframe, "errors"), Vec::<String>::new());
    iframe.remove();
    page.wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    agent.disconnect();
}

/// Every API call the full script offers, on a page whose server does not answer (nothing listens
/// on port 1): the failures reach the page as `onfail` codes and `onerror`, never as an exception
/// or a rejected promise of the module's.
#[wasm_bindgen_test]
async fn the_module_never_throws_into_the_page_when_the_server_is_unreachable() {
    // A stored agent token (the frame shares the test page's origin and storage): the agent's
    // REST calls are then tried, and fail for the connection, not for want of a token.
    signed_in().await;
    let iframe = frame(&format!(
        r#"<script>
window.log = [];
var s = document.createElement("script");
s.id = "glance-cobrowse";
s.setAttribute("data-groupid", "12345");
s.setAttribute("data-ws", "http://127.0.0.1:1");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  function fail(what) {{ return function (code) {{ log.push(what + ":" + code); }}; }}
  function ok(what) {{ return function () {{ log.push(what + ":success"); }}; }}
  var v = new GLANCE.Presence.Visitor({{ visitorid: "x" }});
  v.onerror = function (e) {{ log.push("visitor.onerror:" + e.error); }};
  v.presence();
  v.connect();
  var a = new GLANCE.Presence.Agent({{ visitorid: "x" }});
  a.onerror = function (e) {{ log.push("agent.onerror:" + e.error); }};
  a.lookupVisitor({{ onsuccess: ok("lookupVisitor"), onfail: fail("lookupVisitor") }});
  a.signalVisitor({{ data: {{ n: 1 }}, onsuccess: ok("signalVisitor"), onfail: fail("signalVisitor") }});
  a.connect();
  // A group the page holds no token for, so that a request is made.
  GLANCE.Authorization.authorize({{
    groupid: 54321, credentials: {{ partnerid: 54321, partneruserid: "u", loginkey: "k" }},
    onsuccess: ok("authorize"), onfail: fail("authorize")
  }});
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
    ));
    let expected = [
        "agent.onerror:connfail",
        "authorize:connection",
        "lookupVisitor:connection",
        "signalVisitor:connection",
        "visitor.onerror:connfail",
    ];
    let sorted = || {
        let mut lines = frame_log(&iframe);
        lines.sort();
        lines.dedup();
        lines
    };
    let mut waited = 0;
    while sorted().len() < expected.len() {
        assert!(
            waited < 10_000,
            "not every call ended after 10 s; the log: {:?}; the console: {:?}",
            frame_log(&iframe),
            frame_list(&iframe, "errors")
        );
        sleep(50).await;
        waited += 50;
    }
    assert_eq!(sorted(), expected);
    // Retries with backoff meanwhile: still nothing thrown, rejected or logged.
    sleep(2500).await;
    assert_eq!(frame_list(&iframe, "errors"), Vec::<String>::new());
    iframe.remove();
}

/// A connected visitor the page disconnects and drops is collected, and its socket is closed
/// (the agent sees it leave); a visitor never connected and dropped is collected too. (A
/// connected one the page drops without `disconnect()` stays alive by design, see
/// browser_loader.rs.) Needs `--js-flags=--expose-gc` (webdriver.json).
#[wasm_bindgen_test]
async fn disconnected_and_never_connected_objects_are_collected() {
    let id = unique_id("collect");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"<script>
window.collected = [];
var registry = new FinalizationRegistry(function (name) {{ collected.push(name); }});
var s = document.createElement("script");
s.id = "glance-cobrowse";
s.setAttribute("data-groupid", "12345");
if ("{ws}") s.setAttribute("data-ws", "{ws}");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  // Connected, then disconnected; then dropped.
  var used = new GLANCE.Presence.Visitor({{ visitorid: "{id}" }});
  used.onconnected = function () {{ used.onconnected = null; window.connected = true; }};
  used.connect();
  registry.register(used, "disconnected");
  window.disconnectIt = function () {{ used.disconnect(); used = null; window.disconnectIt = null; }};
  // Never connected.
  registry.register(new GLANCE.Presence.Visitor({{ visitorid: "{id}-never" }}), "never");
  // The instance the static methods act on (kept by GLANCE.Presence.Visitor.instance).
  new GLANCE.Presence.Visitor({{ visitorid: "{id}-last" }});
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = ws_value(),
    ));
    wait_frame(&page, &iframe, "onvisitorconn", |e| {
        get(e, "connected") == true
    })
    .await;
    let frame_window = frame_window(&iframe);
    until("the visitor connected in the frame", 5000, || {
        get(&frame_window, "connected") == true
    })
    .await;
    // Disconnected and dropped by the page (from the frame's own function, so that no reference
    // stays in this test).
    get(&frame_window, "disconnectIt")
        .unchecked_into::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .expect("disconnect() does not throw");

    let gc: js_sys::Function = get(&frame_window, "gc")
        .dyn_into()
        .expect("gc() in the page: start Chromium with --js-flags=--expose-gc");
    let collected = || {
        let mut names = frame_list(&iframe, "collected");
        names.sort();
        names
    };
    for _ in 0..50 {
        if collected().len() >= 2 {
            break;
        }
        gc.call0(&JsValue::NULL).unwrap();
        sleep(100).await;
    }
    assert_eq!(
        collected(),
        ["disconnected", "never"],
        "the frame's console: {:?}",
        frame_list(&iframe, "errors")
    );
    // Its socket is closed: the agent sees the visitor gone (after the 1.5 s navigation grace),
    // and it stays gone.
    page.wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    let last = page.calls("onvisitorconn").pop().unwrap();
    assert_eq!(get(&last, "connected"), false);
    assert_eq!(frame_list(&iframe, "errors"), Vec::<String>::new());
    iframe.remove();
    agent.disconnect();
}
