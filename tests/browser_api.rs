//! The API in real Chromium against a real presence server (started by scripts/test-wasm.sh):
//! authorization, presence both ways, signals and invokes, focus, limits, reconnects.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const AGENT_EVENTS: &[&str] = &[
    "onconnected",
    "onvisitorconn",
    "onvisitorsock",
    "onpresence",
    "onterms",
    "onvisitorsessionstart",
    "onvisibility",
    "onerror",
    "onclose",
    "onc_cart",
];
const VISITOR_EVENTS: &[&str] = &[
    "onconnected",
    "onsignal",
    "onerror",
    "onblur",
    "onclose",
    "onuniqueid",
];

/// A visitor that sent presence, and an agent watching it, both connected.
async fn pair(id: &str) -> (Recorder, Visitor, Recorder, Agent) {
    signed_in().await;
    let agent = Agent::new(&params(id));
    let agent_page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    agent_page.wait("onconnected", 5000, |_| true).await;
    let visitor = Visitor::new(&params(id));
    let visitor_page = Recorder::on(visitor.object(), VISITOR_EVENTS);
    visitor.presence(&presence_opts(r#"{"cart": 3}"#));
    visitor_page.wait("onconnected", 5000, |_| true).await;
    agent_page
        .wait("onvisitorconn", 5000, |e| get(e, "connected") == true)
        .await;
    (visitor_page, visitor, agent_page, agent)
}

#[wasm_bindgen_test]
async fn authorize_with_valid_and_invalid_login_keys() {
    configure_page().await;
    Authorization::clear_token();
    assert!(!Authorization::authorized());
    let mut bad = loginkey().to_owned();
    bad.pop();
    bad.push(if loginkey().ends_with('A') { 'B' } else { 'A' });
    assert_eq!(authorize(&bad).await, Err("authorization".into()));
    assert!(!Authorization::authorized());

    assert!(authorize(loginkey()).await.is_ok());
    assert!(Authorization::authorized());
    assert!(Authorization::gettoken().is_some_and(|t| !t.is_empty()));
    let stored = window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("glanceauth")
        .unwrap();
    assert!(stored.is_some_and(|s| s.contains("expires")));
    // A valid token is reused: success without a request, even with a wrong key.
    assert!(authorize(&bad).await.is_ok());

    Authorization::clear_token();
    assert!(!Authorization::authorized());
    Authorization::set_token("set-by-page");
    assert_eq!(Authorization::gettoken().as_deref(), Some("set-by-page"));
    Authorization::clear_token();
}

#[wasm_bindgen_test]
async fn agent_and_visitor_see_each_other() {
    let id = unique_id("pair");
    let (_visitor_page, visitor, agent_page, agent) = pair(&id).await;
    assert!(agent.is_connected() && visitor.is_connected());
    let presence = agent_page
        .wait("onpresence", 5000, |p| get(p, "cart") == 3)
        .await;
    assert_eq!(get(&presence, "browser"), "chrome");
    assert_eq!(get(&presence, "platform"), "linux");
    assert!(get(&presence, "url")
        .as_string()
        .is_some_and(|u| u.starts_with("http://127.0.0.1")));

    let lookup = Callbacks::new(&[]);
    agent.lookup_visitor(&lookup.opts);
    let info = lookup.done(5000).await.expect("lookupVisitor");
    assert_eq!(get(&info, "visitorid"), id.as_str());
    assert_eq!(get(&info, "cart"), 3);

    let query = Callbacks::new(&[]);
    agent.query(&query.opts);
    let reply = query.done(5000).await.expect("query");
    let visitors: js_sys::Array = get(&reply, "visitors").into();
    assert!(visitors.iter().any(|v| get(&v, "visitorid") == id.as_str()));

    // A custom event reaches on<type>.
    visitor.fire("c_cart", &json(r#"{"items": 2}"#));
    agent_page
        .wait("onc_cart", 5000, |e| get(e, "items") == 2)
        .await;

    visitor.disconnect();
    agent_page
        .wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    let absent = Callbacks::new(&[]);
    agent.lookup_visitor(&absent.opts);
    let info = absent.done(5000).await.expect("lookupVisitor");
    assert_eq!(
        js_sys::Object::keys(info.unchecked_ref::<js_sys::Object>()).length(),
        0,
        "{{}} when not present"
    );
    agent.disconnect();
    assert!(!agent.is_connected());
}

#[wasm_bindgen_test]
async fn visitorconn_does_not_flap_across_a_quick_reconnect() {
    let id = unique_id("flap");
    let (visitor_page, visitor, agent_page, agent) = pair(&id).await;
    visitor.disconnect();
    agent_page
        .wait("onvisitorsock", 5000, |e| get(e, "connected") == false)
        .await;
    // A page navigation: a new visitor object with the same id (and the same page handlers),
    // within the grace period (1.5 s).
    let next = Visitor::new(&params(&id));
    visitor_page.attach(next.object());
    next.presence(&presence_opts("{}"));
    agent_page
        .wait("onvisitorsock", 5000, |e| get(e, "connected") == true)
        .await;
    sleep(2500).await;
    let conn = agent_page.calls("onvisitorconn");
    assert!(
        conn.iter().all(|e| get(e, "connected") == true),
        "visitorconn false across a quick reconnect"
    );
    next.disconnect();
    agent_page
        .wait("onvisitorconn", 6000, |e| get(e, "connected") == false)
        .await;
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn signal_and_invoke_reach_the_visitor() {
    let id = unique_id("signal");
    let (visitor_page, visitor, _agent_page, agent) = pair(&id).await;

    // Over the agent socket (acked).
    let signal = Callbacks::new(&[("data", json(r#"{"hello": 1}"#))]);
    agent.signal_visitor(&signal.opts);
    assert!(signal.done(5000).await.is_ok());
    visitor_page
        .wait("onsignal", 5000, |d| get(d, "hello") == 1)
        .await;

    // Over REST, from an agent object that is not connected.
    let rest_agent = Agent::new(&params(&id));
    let signal = Callbacks::new(&[("data", json(r#"{"hello": 2}"#))]);
    rest_agent.signal_visitor(&signal.opts);
    assert!(signal.done(5000).await.is_ok());
    visitor_page
        .wait("onsignal", 5000, |d| get(d, "hello") == 2)
        .await;

    // Invoke: only GLANCE. / GLANCE_COBROWSE.Custom. paths; args.remote = true.
    let received = std::rc::Rc::new(std::cell::RefCell::new(Vec::<JsValue>::new()));
    let seen = received.clone();
    let ping =
        Closure::<dyn FnMut(JsValue)>::new(move |args: JsValue| seen.borrow_mut().push(args));
    let custom = js_sys::Object::new();
    set(&custom, "ping", ping.as_ref().clone());
    let config = get(&window().into(), "GLANCE_COBROWSE");
    set(&config, "Custom", custom);
    let invoke = Callbacks::new(&[
        ("func", "GLANCE_COBROWSE.Custom.ping".into()),
        ("args", json(r#"{"x": 1}"#)),
    ]);
    agent.invoke_visitor(&invoke.opts);
    assert!(invoke.done(5000).await.is_ok());
    until("the invoked function", 5000, || {
        !received.borrow().is_empty()
    })
    .await;
    let args = received.borrow()[0].clone();
    assert_eq!(get(&args, "x"), 1);
    assert_eq!(get(&args, "remote"), true);

    let refused = Callbacks::new(&[("func", "window.alert".into())]);
    agent.invoke_visitor(&refused.opts);
    assert_eq!(refused.done(1000).await, Err("invalidparameter".into()));

    // Nobody there.
    let nobody = Agent::new(&params(&unique_id("nobody")));
    let lost = Callbacks::new(&[("data", json("{}"))]);
    nobody.signal_visitor(&lost.opts);
    assert_eq!(lost.done(5000).await, Err("visitornotpresent".into()));

    visitor.disconnect();
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn blur_moves_between_two_visitor_objects() {
    let id = unique_id("blur");
    let (first_page, first, agent_page, agent) = pair(&id).await;
    let second = Visitor::new(&params(&id));
    let second_page = Recorder::on(second.object(), VISITOR_EVENTS);
    second.presence(&presence_opts("{}"));
    second_page.wait("onconnected", 5000, |_| true).await;
    first_page.wait("onblur", 5000, |_| true).await;
    assert!(second_page.calls("onblur").is_empty());

    let signal = Callbacks::new(&[("data", json(r#"{"to": "focused"}"#))]);
    agent.signal_visitor(&signal.opts);
    assert!(signal.done(5000).await.is_ok());
    second_page
        .wait("onsignal", 5000, |d| get(d, "to") == "focused")
        .await;

    // Activity takes focus back.
    first.presence(&presence_opts(r#"{"back": 1}"#));
    second_page.wait("onblur", 5000, |_| true).await;
    let signal = Callbacks::new(&[("data", json(r#"{"to": "first"}"#))]);
    agent.signal_visitor(&signal.opts);
    assert!(signal.done(5000).await.is_ok());
    first_page
        .wait("onsignal", 5000, |d| get(d, "to") == "first")
        .await;
    sleep(300).await;
    assert!(
        first_page
            .calls("onsignal")
            .iter()
            .all(|d| get(d, "to") != "focused"),
        "signals go to the focused connection only"
    );
    assert!(second_page
        .calls("onsignal")
        .iter()
        .all(|d| get(d, "to") != "first"));
    let _ = agent_page;
    first.disconnect();
    second.disconnect();
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn presence_limits_are_checked_before_sending() {
    configure_page().await;
    let visitor = Visitor::new(&params(&unique_id("limits")));
    let page = Recorder::on(visitor.object(), VISITOR_EVENTS);
    let many: Vec<String> = (0..21).map(|i| format!(r#""k{i}": {i}"#)).collect();
    visitor.presence(&presence_opts(&format!("{{{}}}", many.join(","))));
    let error = page.wait("onerror", 1000, |_| true).await;
    assert_eq!(get(&error, "error"), "invalidparameter");
    visitor.presence(&presence_opts(r#"{"nested": {"a": 1}}"#));
    visitor.presence(&presence_opts(&format!(
        r#"{{"long": "{}"}}"#,
        "x".repeat(2001)
    )));
    until("three refusals", 1000, || page.calls("onerror").len() == 3).await;
    sleep(500).await;
    assert!(
        !visitor.is_connected(),
        "nothing was sent, so no socket was opened"
    );
    assert!(page.calls("onconnected").is_empty());
    visitor.fire("cart", &JsValue::UNDEFINED);
    visitor.signal_agent("visitorsessionstart", &JsValue::UNDEFINED);
    until("bad event names refused", 1000, || {
        page.calls("onerror").len() == 5
    })
    .await;
}

#[wasm_bindgen_test]
async fn reconnects_after_the_server_drops_the_socket() {
    let id = unique_id("drop");
    let (visitor_page, visitor, agent_page, agent) = pair(&id).await;
    // A frame over the server's 64 KiB limit is refused before it is sent.
    let big = js_sys::Object::new();
    set(&big, "blob", "x".repeat(70 * 1024));
    visitor.fire("c_big", &big.into());
    let error = visitor_page.calls("onerror");
    assert_eq!(error.len(), 1);
    assert_eq!(get(&error[0], "error"), "invalidparameter");
    assert!(visitor.is_connected());
    // A flood of frames, far over the server's rate limit: the server closes the socket.
    for i in 0..200 {
        let tick = js_sys::Object::new();
        set(&tick, "i", i);
        visitor.fire("c_tick", &tick.into());
    }
    agent_page
        .wait("onvisitorsock", 5000, |e| get(e, "connected") == false)
        .await;
    until("a second connected", 5000, || {
        visitor_page.calls("onconnected").len() >= 2
    })
    .await;
    agent_page
        .wait("onvisitorsock", 5000, |e| get(e, "connected") == true)
        .await;
    assert!(visitor.is_connected());
    // The presence is sent again after the reconnect.
    until("presence again", 5000, || {
        agent_page.calls("onpresence").len() >= 2
    })
    .await;
    assert!(agent_page
        .calls("onvisitorconn")
        .iter()
        .all(|e| get(e, "connected") == true));
    visitor.disconnect();
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn unique_visitor_gets_its_id_and_is_watched() {
    signed_in().await;
    let visitor = Visitor::new(&JsValue::UNDEFINED);
    let page = Recorder::on(visitor.object(), VISITOR_EVENTS);
    visitor.connect_unique(&presence_opts(r#"{"u": 1}"#));
    until("onuniqueid", 5000, || !page.calls2("onuniqueid").is_empty()).await;
    let (uniqueid, timeout) = page.calls2("onuniqueid")[0].clone();
    let uniqueid = uniqueid.as_string().expect("a string id");
    assert!(uniqueid.bytes().all(|b| b.is_ascii_digit()));
    assert!(timeout.as_f64().is_some_and(|t| t > 0.0));
    page.wait("onconnected", 5000, |_| true).await;

    let p = js_sys::Object::new();
    set(&p, "uniqueid", uniqueid.as_str());
    let agent = Agent::new(&p.into());
    let agent_page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    agent_page
        .wait("onpresence", 5000, |p| get(p, "u") == 1)
        .await;
    visitor.extend_unique();
    until("onuniqueid again", 5000, || {
        page.calls2("onuniqueid").len() == 2
    })
    .await;
    assert_eq!(page.calls2("onuniqueid")[1].0, uniqueid.as_str());
    visitor.disconnect();
    agent_page
        .wait("onvisitorconn", 5000, |e| get(e, "connected") == false)
        .await;

    // After disconnect(), extending renews the id but does not reconnect.
    visitor.extend_unique();
    until("onuniqueid a third time", 5000, || {
        page.calls2("onuniqueid").len() == 3
    })
    .await;
    sleep(500).await;
    assert!(!visitor.is_connected());
    assert_eq!(page.calls("onconnected").len(), 1);

    // connectUnique() followed at once by disconnect(): the late reply changes nothing.
    let other = Visitor::new(&JsValue::UNDEFINED);
    let late = Recorder::on(other.object(), VISITOR_EVENTS);
    other.connect_unique(&JsValue::UNDEFINED);
    other.disconnect();
    sleep(1000).await;
    assert!(late.calls2("onuniqueid").is_empty());
    assert!(!other.is_connected());
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn an_invalid_token_reports_connfail_and_is_cleared() {
    configure_page().await;
    Authorization::clear_token();
    Authorization::set_token("not-a-token");
    let agent = Agent::new(&params(&unique_id("badtoken")));
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    let error = page.wait("onerror", 5000, |_| true).await;
    assert_eq!(get(&error, "error"), "connfail");
    assert_eq!(get(&error, "detail"), "authorization");
    assert!(!Authorization::authorized(), "a 401 clears the token");
    sleep(1500).await;
    assert_eq!(page.calls("onerror").len(), 1, "no retry after a refusal");
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn a_rejected_data_authtoken_is_not_taken_up_again() {
    // `data-authtoken` (here through window.GLANCE_COBROWSE) that the server refuses: cleared,
    // and reading the configuration again does not bring it back.
    configure_page().await;
    Authorization::clear_token();
    let config = get(&window().into(), "GLANCE_COBROWSE");
    set(&config, "authtoken", "configured-bad-token");
    assert_eq!(
        Authorization::gettoken().as_deref(),
        Some("configured-bad-token")
    );
    let agent = Agent::new(&params(&unique_id("badconf")));
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    let error = page.wait("onerror", 5000, |_| true).await;
    assert_eq!(get(&error, "detail"), "authorization");
    assert_eq!(Authorization::gettoken(), None, "the refused token is gone");
    assert!(!Authorization::authorized());
    agent.disconnect();
    configure_page().await; // without authtoken
                            // The page can still sign in and use a new token.
    authorize(loginkey()).await.expect("authorize");
    assert!(Authorization::authorized());
}

#[wasm_bindgen_test]
async fn authorize_works_when_local_storage_refuses_the_token() {
    configure_page().await;
    Authorization::clear_token();
    // An old entry (expired) that a full storage keeps.
    let storage = window().local_storage().unwrap().unwrap();
    storage
        .set_item("glanceauth", r#"{"token":"stale","expires":1}"#)
        .unwrap();
    // Storage that throws on write (disabled by privacy settings, or full).
    let proto = get(&get(&window().into(), "Storage"), "prototype");
    let original = get(&proto, "setItem");
    let refuse = Closure::<dyn FnMut() -> Result<(), JsValue>>::new(|| {
        Err(JsValue::from_str("QuotaExceededError"))
    });
    set(&proto, "setItem", refuse.as_ref().clone());
    let outcome = authorize(loginkey()).await;
    set(&proto, "setItem", original);
    outcome.expect("authorize succeeds");
    assert!(
        Authorization::authorized(),
        "the token is held for this page"
    );
    assert!(Authorization::gettoken().is_some_and(|t| !t.is_empty() && t != "stale"));
    let stored = storage.get_item("glanceauth").unwrap();
    assert_eq!(
        stored, None,
        "storage refused it, and the stale entry is gone"
    );
    // And it is used: an agent connects with it.
    let agent = Agent::new(&params(&unique_id("nostore")));
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    page.wait("onconnected", 5000, |_| true).await;
    agent.disconnect();
    Authorization::clear_token();
    assert!(!Authorization::authorized());
}

#[wasm_bindgen_test]
async fn presenceserver_replaces_the_settings_lookup() {
    signed_in().await;
    // `ws` points nowhere: only the `presenceserver` param (a full origin) can make this work.
    let p = js_sys::Object::new();
    set(&p, "visitorid", unique_id("direct").as_str());
    set(&p, "ws", "http://127.0.0.1:9");
    set(&p, "presenceserver", origin().as_str());
    let agent = Agent::new(&p.into());
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    page.wait("onconnected", 5000, |_| true).await;
    agent.disconnect();

    // A malformed one is refused at once.
    let bad = js_sys::Object::new();
    set(&bad, "visitorid", "x");
    set(&bad, "presenceserver", "ftp://nowhere");
    let agent = Agent::new(&bad.into());
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    agent.connect();
    let error = page.wait("onerror", 2000, |_| true).await;
    assert_eq!(get(&error, "error"), "invalidparameter");
}

#[wasm_bindgen_test]
async fn a_signal_json_cannot_carry_fails_at_once() {
    signed_in().await;
    let agent = Agent::new(&params(&unique_id("cyclic")));
    let page = Recorder::on(agent.object(), AGENT_EVENTS);
    // Over the socket (the REST path refuses such data too).
    agent.connect();
    page.wait("onconnected", 5000, |_| true).await;
    let cyclic = js_sys::Object::new();
    set(&cyclic, "me", cyclic.clone());
    let signal = Callbacks::new(&[("data", cyclic.into())]);
    agent.signal_visitor(&signal.opts);
    assert_eq!(signal.done(500).await, Err("invalidparameter".into()));
    agent.disconnect();
}

/// Makes `document.visibilityState` read `state` and fires `visibilitychange` (headless pages
/// are always visible). `None` restores the browser's own value.
fn set_visibility(state: Option<&'static str>) {
    let document: JsValue = window().document().unwrap().into();
    match state {
        Some(state) => {
            let getter = Closure::<dyn Fn() -> JsValue>::new(move || JsValue::from_str(state));
            let descriptor = js_sys::Object::new();
            set(&descriptor, "configurable", true);
            set(&descriptor, "get", getter.as_ref().clone());
            getter.forget(); // a test page: one small closure per change
            js_sys::Reflect::define_property::<JsValue>(
                document.unchecked_ref(),
                &"visibilityState".into(),
                &descriptor,
            )
            .unwrap();
        }
        None => {
            js_sys::Reflect::delete_property::<JsValue>(
                document.unchecked_ref(),
                &"visibilityState".into(),
            )
            .unwrap();
        }
    }
    let event = web_sys::Event::new("visibilitychange").unwrap();
    window().document().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn hidden_past_the_limit_sleeps_and_reconnects_at_once_when_visible() {
    // The test server's hidden limit is 1 s (tests/wasm-server.toml).
    let id = unique_id("hidden");
    let (visitor_page, visitor, agent_page, agent) = pair(&id).await;
    set_visibility(Some("hidden"));
    agent_page
        .wait("onvisibility", 5000, |e| get(e, "visibility") == "hidden")
        .await;
    // The server closes a page hidden past its limit: the visitor stays closed while hidden.
    visitor_page.wait("onclose", 5000, |_| true).await;
    sleep(1500).await;
    assert!(!visitor.is_connected(), "no reconnect while hidden");
    assert_eq!(visitor_page.calls("onconnected").len(), 1);
    // Visible again: it reconnects at once (no backoff) and says so.
    let shown = js_sys::Date::now();
    set_visibility(None);
    until("connected again", 3000, || {
        visitor_page.calls("onconnected").len() == 2
    })
    .await;
    assert!(js_sys::Date::now() - shown < 3000.0);
    agent_page
        .wait("onvisibility", 5000, |e| get(e, "visibility") == "visible")
        .await;
    visitor.disconnect();
    agent.disconnect();
}
