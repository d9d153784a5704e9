//! The served script (`dist/glance-presence.js` from the presence server) in pages of its own
//! (iframes): the meta-tag and script-tag configurations, `data-presence="on"`, and the API used
//! in the script's onload handler before the wasm is ready. An agent in the test page watches.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Records the frame's console errors and uncaught errors in `window.errors`.
const CAPTURE: &str = r#"<script>
window.errors = [];
var original = console.error;
console.error = function () { errors.push(Array.prototype.join.call(arguments, " ")); original.apply(console, arguments); };
console.warn = function () { errors.push("warn: " + Array.prototype.join.call(arguments, " ")); };
window.addEventListener("error", function (e) { errors.push("uncaught: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { errors.push("rejection: " + e.reason); });
</script>"#;

/// Loads `html` into a new iframe; returns it (remove it to end the page).
fn frame(html: &str) -> web_sys::HtmlIFrameElement {
    let document = window().document().unwrap();
    let iframe: web_sys::HtmlIFrameElement =
        document.create_element("iframe").unwrap().unchecked_into();
    iframe.set_srcdoc(&format!("{CAPTURE}{html}"));
    document.body().unwrap().append_child(&iframe).unwrap();
    iframe
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
    let errors = iframe
        .content_window()
        .map(|w| get(&w.into(), "errors"))
        .unwrap_or(JsValue::UNDEFINED);
    panic!(
        "no {handler} from the frame; its console: {}",
        js_sys::JSON::stringify(&errors)
            .map(String::from)
            .unwrap_or_default()
    );
}

/// The frame's `window.log` (lines its page script wrote), empty until the script made it.
fn frame_log(iframe: &web_sys::HtmlIFrameElement) -> Vec<String> {
    let frame_window: JsValue = iframe.content_window().unwrap().into();
    let log = get(&frame_window, "log");
    if log.is_undefined() {
        return vec![];
    }
    let log: js_sys::Array = log.unchecked_into();
    log.iter().filter_map(|v| v.as_string()).collect()
}

/// The test page signed in (with the served script loaded), and an agent in it watching visitor
/// `id`, connected.
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

#[wasm_bindgen_test]
async fn meta_tag_configuration_with_presence_on() {
    let id = unique_id("meta");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"<meta id="glance-cobrowse" data-groupid="12345" data-visitorid="{id}" data-presence="on" data-user-name="Ann"{ws}>
<script src="{origin}/glance-presence.js"></script>"#,
        origin = module_origin(),
        ws = ws_attribute()
    ));
    let presence = wait_frame(&page, &iframe, "onpresence", |p| get(p, "name") == "Ann").await;
    assert_eq!(get(&presence, "browser"), "chrome");
    page.wait("onvisitorconn", 5000, |e| get(e, "connected") == true)
        .await;
    iframe.remove();
    page.wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn script_tag_configuration_with_presence_on() {
    let id = unique_id("script");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"<script id="glance-cobrowse" data-groupid="12345" data-visitorid="{id}" data-presence="on" data-user-email="a@example.com"{ws}
 src="{origin}/glance-presence.js"></script>"#,
        origin = module_origin(),
        ws = ws_attribute()
    ));
    wait_frame(&page, &iframe, "onpresence", |p| {
        get(p, "email") == "a@example.com"
    })
    .await;
    iframe.remove();
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn api_in_onload_before_the_module_is_ready() {
    let id = unique_id("onload");
    let (page, agent) = watching(&id).await;
    // Like real agent and visitor pages: a script tag created by code, the API used in onload.
    let iframe = frame(&format!(
        r#"<script>
window.log = [];
var s = document.createElement("script");
s.id = "glance-cobrowse";
s.setAttribute("data-groupid", "12345");
if ("{ws}") s.setAttribute("data-ws", "{ws}");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  log.push("globals:" + typeof GLANCE.Presence.Visitor + typeof GLANCE.Presence.Agent + typeof GLANCE.Authorization.authorize
    + typeof GLANCE.Cobrowse.Visitor.showTerms);
  var v = new GLANCE.Presence.Visitor({{ visitorid: "{id}" }});
  log.push("instance:" + (GLANCE.Presence.Visitor.instance === v));
  log.push("connected-now:" + v.isconnected());
  log.push("authorized-now:" + GLANCE.Authorization.authorized());
  log.push("token-now:" + (GLANCE.Authorization.gettoken() === "{token}"));
  v.presence({{ data: {{ early: 1 }} }});
  v.onconnected = function () {{ log.push("onconnected"); }};
  v.onsignal = function (d) {{ log.push("signal:" + d.n); throw new Error("page handlers may throw"); }};
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = if module_origin() == origin() {
            String::new()
        } else {
            origin()
        },
        token = Authorization::gettoken().expect("the test page is signed in")
    ));
    wait_frame(&page, &iframe, "onpresence", |p| get(p, "early") == 1).await;
    let log = || frame_log(&iframe);
    until("onconnected in the frame", 5000, || {
        log().contains(&"onconnected".to_string())
    })
    .await;
    let lines = log();
    assert_eq!(lines[0], "globals:functionfunctionfunctionfunction");
    assert_eq!(lines[1], "instance:true");
    assert_eq!(lines[2], "connected-now:false");
    // Before the module is ready: the stored token of the signed-in page (same origin).
    assert_eq!(lines[3], "authorized-now:true");
    assert_eq!(lines[4], "token-now:true");

    // Handlers set in onload are honoured; a handler that throws does not break the module.
    for n in 1..=2 {
        let signal = Callbacks::new(&[("data", json(&format!(r#"{{"n": {n}}}"#)))]);
        agent.signal_visitor(&signal.opts);
        assert!(signal.done(5000).await.is_ok());
        until("the signal in the frame", 5000, || {
            log().contains(&format!("signal:{n}"))
        })
        .await;
    }
    iframe.remove();
    agent.disconnect();
}

/// A page object the page dropped: collected once disconnected (its core is then freed), kept
/// alive while connected (as a `WebSocket` keeps its handlers). Needs `--js-flags=--expose-gc`
/// (webdriver.json).
#[wasm_bindgen_test]
async fn dropped_objects_are_collected_only_when_disconnected() {
    let id = unique_id("drop");
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
  var idle = new GLANCE.Presence.Visitor({{ visitorid: "{id}-idle" }});
  idle.onconnected = function () {{ idle.onconnected = null; idle.disconnect(); window.idleDone = true; }};
  idle.connect();
  registry.register(idle, "idle");
  // Connected and dropped without disconnect().
  var live = new GLANCE.Presence.Visitor({{ visitorid: "{id}" }});
  live.connect();
  registry.register(live, "live");
  // The instance the static methods act on (kept by GLANCE.Presence.Visitor.instance).
  new GLANCE.Presence.Visitor({{ visitorid: "{id}-last" }});
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = if module_origin() == origin() {
            String::new()
        } else {
            origin()
        }
    ));
    wait_frame(&page, &iframe, "onvisitorconn", |e| {
        get(e, "connected") == true
    })
    .await;
    let frame_window: JsValue = iframe.content_window().unwrap().into();
    until("the idle visitor connected and disconnected", 5000, || {
        get(&frame_window, "idleDone") == true
    })
    .await;
    let collected = || -> Vec<String> {
        let list: js_sys::Array = get(&frame_window, "collected").unchecked_into();
        list.iter().filter_map(|v| v.as_string()).collect()
    };
    let gc: js_sys::Function = get(&frame_window, "gc")
        .dyn_into()
        .expect("gc() in the page: start Chromium with --js-flags=--expose-gc");
    for _ in 0..50 {
        if collected().contains(&"idle".to_string()) {
            break;
        }
        gc.call0(&JsValue::NULL).unwrap();
        sleep(100).await;
    }
    assert_eq!(collected(), vec!["idle".to_string()]);
    // The connected one is alive and still connected, past the navigation grace (1.5 s).
    sleep(2000).await;
    gc.call0(&JsValue::NULL).unwrap();
    sleep(100).await;
    assert!(!collected().contains(&"live".to_string()));
    let last = page.calls("onvisitorconn").pop().unwrap();
    assert_eq!(get(&last, "connected"), true);
    iframe.remove();
    page.wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    agent.disconnect();
}

/// A module that cannot load (here: no WebAssembly, as under some CSPs or lockdown modes): calls
/// still end, with `onerror` on the object or the call's `onfail`.
#[wasm_bindgen_test]
async fn a_module_that_cannot_load_reports_through_onerror_and_onfail() {
    let iframe = frame(&format!(
        r#"<script>
window.WebAssembly = undefined;
window.log = [];
var s = document.createElement("script");
s.id = "glance-cobrowse";
s.setAttribute("data-groupid", "12345");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  var v = new GLANCE.Presence.Visitor({{ visitorid: "nowasm" }});
  v.onerror = function (e) {{ log.push("onerror:" + e.error + ":" + e.detail); }};
  v.connect();
  v.presence({{ data: {{ a: 1 }} }});
  GLANCE.Authorization.authorize({{ onfail: function (r) {{ log.push("onfail:" + r); }} }});
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
    ));
    let log = || frame_log(&iframe);
    until("onerror and onfail in the frame", 5000, || log().len() >= 2).await;
    sleep(300).await;
    let mut lines = log();
    lines.sort();
    assert_eq!(lines, ["onerror:connfail:error", "onfail:connection"]);
    iframe.remove();
}

/// `gettoken()` before the module is ready answers as the module does once ready: the configured
/// token in the module's order (here `GLANCE_COBROWSE`, with a key in another case, over
/// `data-authtoken`), and nothing after `clearToken()`.
#[wasm_bindgen_test]
async fn the_token_before_ready_follows_the_module_rules() {
    let iframe = frame(&format!(
        r#"<meta id="glance-cobrowse" data-groupid="12345" data-authtoken="from-meta"{ws}>
<script>
window.GLANCE_COBROWSE = {{ " AuthToken ": "from-global" }};
window.log = [];
var s = document.createElement("script");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  var A = GLANCE.Authorization;
  log.push("before:" + A.gettoken());
  A.clearToken();
  log.push("cleared:" + A.gettoken() + ":" + A.authorized());
  var v = new GLANCE.Presence.Visitor({{ visitorid: "tokenrules" }});
  v.onconnected = function () {{
    log.push("ready:" + A.gettoken() + ":" + A.authorized());
    v.disconnect();
  }};
  v.connect();
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = ws_attribute(),
    ));
    let log = || frame_log(&iframe);
    until("the module ready in the frame", 5000, || log().len() >= 3).await;
    assert_eq!(
        log(),
        [
            "before:from-global",
            "cleared:undefined:false",
            "ready:undefined:false"
        ]
    );
    iframe.remove();
}

/// Calls made before the module is ready: their arguments count as they were when called, and
/// `gettoken()` / `authorized()` answer from the module while the queued calls replay.
#[wasm_bindgen_test]
async fn queued_calls_keep_their_arguments_and_the_token_answers_during_the_replay() {
    let id = unique_id("replay");
    let (page, agent) = watching(&id).await;
    let iframe = frame(&format!(
        r#"<meta id="glance-cobrowse" data-groupid="12345"{ws}>
<script>
window.log = [];
var s = document.createElement("script");
s.src = "{origin}/glance-presence.js";
s.onload = function () {{
  var A = GLANCE.Authorization;
  A.authorize({{ onsuccess: function () {{
    log.push("replay:" + A.authorized() + ":" + (A.gettoken() === "{token}"));
  }} }});
  var params = {{ visitorid: "{id}" }};
  var v = new GLANCE.Presence.Visitor(params);
  params.visitorid = "someone-else";
  var opts = {{ data: {{ step: 1 }} }};
  v.presence(opts);
  opts.data.step = 2;
}};
document.head.appendChild(s);
</script>"#,
        origin = module_origin(),
        ws = ws_attribute(),
        token = Authorization::gettoken().expect("the test page is signed in")
    ));
    let presence = wait_frame(&page, &iframe, "onpresence", |_| true).await;
    assert_eq!(get(&presence, "step"), 1);
    assert_eq!(frame_log(&iframe), ["replay:true:true"]);
    iframe.remove();
    agent.disconnect();
}
